#include "bench_common.hpp"

#include <csignal>
#include <cstdio>

#include "headroom/bench/backends.hpp"
#include "headroom/bench/runner.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/inventory.hpp"
#include "headroom/report/export.hpp"

namespace headroom::cli {

namespace {
std::atomic<bool> g_cancel{false};

extern "C" void on_sigint(int) {
  if (g_cancel.load()) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  g_cancel.store(true);
}
}  // namespace

void add_bench_options(CLI::App* cmd, BenchSettings& s) {
  cmd->add_option("--suite", s.suite, "quick (about a minute), standard or full")
      ->check(CLI::IsMember({"quick", "standard", "full"}));
  cmd->add_option("--filter", s.filter, "Glob over case names, e.g. 'cpu.gemm.*' (see 'headroom list')");
  cmd->add_option("--storage-dir", s.storage_dir, "Directory storage benchmarks write into (default: a temp dir)");
  cmd->add_option("--repetitions", s.repetitions, "Timed repetitions per case (default: the suite's)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--warmup", s.warmup, "Untimed warm-up repetitions (default: the suite's)")
      ->check(CLI::Range(0, 100000));
  cmd->add_flag("--quiet", s.quiet, "No progress on stderr");
}

core::Results run_suite(const BenchSettings& s) {
  bench::Registry registry;
  bench::register_all(registry, bench::BackendOptions{s.storage_dir});
  bench::RunOptions opt;
  opt.policy = core::policy_for_suite(s.suite);
  if (s.repetitions > 0) opt.policy.repetitions = s.repetitions;
  if (s.warmup >= 0) opt.policy.warmup = s.warmup;
  opt.filter = s.filter;
  opt.command_line = command_line();

  g_cancel.store(false);
  auto previous = std::signal(SIGINT, on_sigint);
  bench::ProgressSink progress(stderr, s.quiet);
  core::Results r;
  try {
    r = bench::run_benchmarks(registry, opt, progress, &g_cancel);
  } catch (...) {
    std::signal(SIGINT, previous);
    throw;
  }
  std::signal(SIGINT, previous);
  r.host = core::collect_host_inventory();
  r.devices = bench::collect_devices();
  for (const auto& f : bench::build_features()) {
    if (!f.enabled) r.run.notes.push_back(f.name + ": " + f.detail);
  }
  if (r.devices.empty()) r.run.notes.push_back("GPUs: " + bench::gpu_absence_reason());
  return r;
}

std::string format_results(const core::Results& r, const std::string& format) {
  if (format == "json") return core::results_to_json(r);
  if (format == "gbench") return report::to_gbench_json(r);
  if (format == "csv") return report::to_csv(r);
  throw core::InputError("", "--format", "one of json, gbench, csv, got '" + format + "'");
}

}  // namespace headroom::cli
