#include <fmt/format.h>

#include <filesystem>

#include "bench_common.hpp"
#include "headroom/core/atomic_file.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/report/html.hpp"

namespace headroom::cli {

namespace {
struct RunArgs {
  BenchSettings settings;
  std::string out_dir = "headroom-out";
  bool force = false;
};
}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand(
      "run", "The main job: benchmark this machine (quick suite) -> results.json + report.html in --out-dir");
  add_bench_options(cmd, args->settings);
  cmd->add_option("--out-dir", args->out_dir, "Directory for results.json and report.html (created if missing)");
  cmd->add_flag("--force", args->force, "Replace existing files in --out-dir");
  cmd->callback([&action, args] {
    action = [args] {
      namespace fs = std::filesystem;
      const auto overwrite = args->force ? core::Overwrite::kAllow : core::Overwrite::kRefuse;
      const fs::path dir = args->out_dir;
      check_bench_settings(args->settings);  // bad input leaves no new, empty --out-dir behind
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) throw core::InputError(dir.string(), "", "a directory that can be created (" + ec.message() + ")");
      const fs::path results_path = dir / "results.json";
      const fs::path html_path = dir / "report.html";
      core::check_writable(results_path, overwrite);
      core::check_writable(html_path, overwrite);

      const core::Results r = run_suite(args->settings);
      if (!is_output_rank()) return 0;  // MPI ranks other than 0 write nothing
      core::save_results(results_path, r, overwrite);
      // The results are the measurement and are kept if the report cannot be written; the message
      // says which file exists and how to render the report from it without measuring again.
      const std::string kept = fmt::format(
          "; the measurements are kept: {} was written, {} was not. Render the report from them with `headroom "
          "report run {} --out {}{}`",
          results_path.string(), html_path.string(), results_path.string(), html_path.string(),
          // An earlier report.html may still be there (run --force over an old out-dir).
          args->force || std::filesystem::exists(html_path) ? " --force" : "");
      try {
        core::write_file_atomic(html_path, report::render_run_summary(r), overwrite);
      } catch (const core::EnvironmentError& e) {
        throw core::EnvironmentError(e.what() + kept + " once there is room");
      } catch (const core::InputError& e) {
        throw core::InputError(e.file(), e.json_path(), e.expected() + kept);
      }
      fmt::print("results  {}\nreport   {}\n", results_path.string(), html_path.string());
      if (r.run.incomplete) fmt::print(stderr, "headroom: run incomplete: {}\n", r.run.incomplete_reason);
      return r.run.incomplete ? 130 : 0;
    };
  });
}

}  // namespace headroom::cli
