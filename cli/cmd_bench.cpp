#include <fmt/format.h>

#include "bench_common.hpp"
#include "headroom/core/atomic_file.hpp"

namespace headroom::cli {

namespace {
struct BenchArgs {
  BenchSettings settings;
  std::string out;
  std::string format = "json";
  bool force = false;
};
}  // namespace

void add_bench_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand("bench", "Run benchmarks and write a results file");
  add_bench_options(cmd, args->settings);
  cmd->add_option("--out", args->out, "Output file (default: stdout)");
  cmd->add_option("--format", args->format, "json (results.json), gbench (Google Benchmark JSON) or csv")
      ->check(CLI::IsMember({"json", "gbench", "csv"}));
  cmd->add_flag("--force", args->force, "Replace an existing output file");
  cmd->callback([&action, args] {
    action = [args] {
      const auto overwrite = args->force ? core::Overwrite::kAllow : core::Overwrite::kRefuse;
      if (!args->out.empty()) {  // fail before an hour of work
        core::check_distinct_outputs({{"--out", args->out}}, {{"--storage-file", args->settings.storage_file}});
        core::check_writable(args->out, overwrite);
      }
      const core::Results r = run_suite(args->settings);
      if (!is_output_rank()) return 0;  // MPI ranks other than 0 write nothing
      const std::string text = format_results(r, args->format);
      if (args->out.empty()) {
        fmt::print("{}", text);
        // The file itself carries the flag too (results.json run.incomplete, gbench context, CSV column).
        if (r.run.incomplete) {
          fmt::print(stderr, "headroom: INCOMPLETE: {} ({} cases written to stdout)\n", r.run.incomplete_reason,
                     r.cases.size());
        }
      } else {
        core::write_file_atomic(args->out, text, overwrite);
        fmt::print(stderr, "headroom: wrote {} ({} cases{})\n", args->out, r.cases.size(),
                   r.run.incomplete ? ", INCOMPLETE: " + r.run.incomplete_reason : "");
      }
      return r.run.incomplete ? 130 : 0;
    };
  });
}

}  // namespace headroom::cli
