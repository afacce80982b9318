#include "bench_common.hpp"

#include <fmt/format.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "headroom/bench/backends.hpp"
#include "headroom/bench/mpi_session.hpp"
#include "headroom/bench/runner.hpp"
#include "headroom/bench/watchdog.hpp"
#include "headroom/core/activity.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/inventory.hpp"
#include "headroom/report/export.hpp"

namespace headroom::cli {

namespace {
std::atomic<bool> g_cancel{false};
bool g_output_rank = true;

// SIGINT (Ctrl-C) and SIGUSR1 both mean "stop after the current case and write what was
// measured"; a second one ends the process at once. SIGUSR1 is there for MPI runs: Open MPI's
// mpirun ends the job on SIGINT but forwards SIGUSR1 to every rank (`kill -USR1 <mpirun pid>`).
extern "C" void on_stop_signal(int sig) {
  if (g_cancel.load()) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_cancel.store(true);
}
}  // namespace

void add_bench_options(CLI::App* cmd, BenchSettings& s) {
  cmd->add_option("--suite", s.suite, "quick (about a minute), standard or full")
      ->check(CLI::IsMember({"quick", "standard", "full"}));
  cmd->add_option("--filter", s.filter, "Glob over case names, e.g. 'cpu.gemm.*' (see 'headroom list')");
  cmd->add_option("--storage-dir", s.storage_dir, "Directory whose filesystem the storage benchmarks measure; they write only inside a fresh headroom-storage-XXXXXX in it (default: the working directory)");
  cmd->add_option("--storage-size", s.storage_size, "Storage data/checkpoint file size, e.g. 8GiB (default: the suite's)");
  cmd->add_option("--block-size", s.block_size, "Only this storage block size, e.g. 1MiB (default: a sweep)");
  cmd->add_option("--queue-depth", s.queue_depth, "Only this storage queue depth, 1-1024 (default: a sweep)");
  cmd->add_option("--storage-file", s.storage_file,
                  "Existing file storage.seq_read/rand_read read instead of a scratch file (opened read-only, "
                  "never written or removed)");
  cmd->add_option("--min-bytes", s.min_bytes, "Smallest MPI message size, e.g. 8 (default: the suite's)");
  cmd->add_option("--max-bytes", s.max_bytes, "Largest MPI message size, e.g. 64MiB (default: the suite's)");
  cmd->add_option("--repetitions", s.repetitions, "Timed repetitions per case (default: the suite's)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--warmup", s.warmup, "Untimed warm-up repetitions (default: the suite's)")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--rounds", s.rounds,
                  "Interleaved rounds the repetitions of CPU cases are spread over (1: back to back; default: "
                  "the suite's, quick/standard 3, full 5)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option_function<std::string>(
         "--case-timeout", [&s](const std::string& v) { s.case_timeout = v; },
         "Seconds one case (or a rank's wait for the others at a case boundary) may take before the job "
         "is ended with exit 3, instead of waiting forever for a rank that failed or stopped (0: never; "
         "default: under mpirun/srun 20x the suite's per-case limit, at least 300 s; never for a single "
         "process)")
      ->type_name("SECONDS");
  cmd->add_flag("--quiet", s.quiet, "No progress on stderr");
}

namespace {
bench::BackendOptions backend_options(const BenchSettings& s) {
  return {s.storage_dir, s.storage_size, s.block_size, s.queue_depth, s.min_bytes, s.max_bytes, s.storage_file};
}
}  // namespace

namespace {
/// --case-timeout in seconds: -1 when not given (the default for the world size applies).
double case_timeout_s(const BenchSettings& s) {
  if (!s.case_timeout) return -1.0;
  const char* text = s.case_timeout->c_str();
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(v) || v < 0 || v > 1e7) {
    throw core::InputError("", "--case-timeout",
                           "seconds, a number from 0 (never) to 1e7, got '" + *s.case_timeout + "'");
  }
  return v;
}
}  // namespace

void check_bench_settings(const BenchSettings& s) {
  (void)case_timeout_s(s);
  const bench::BackendOptions backend = backend_options(s);
  bench::Registry registry;
  bench::register_all(registry, backend);  // a bad --storage-size, --min-bytes, ... throws here
  bench::check_filter(registry, s.filter, s.suite);
  bench::check_storage_ready(backend, s.suite, s.filter);
}

core::Results run_suite(const BenchSettings& s) {
  // MPI comes up first (under mpirun/srun) so the MPI cases see the world size; finalised on return.
  bench::MpiSession mpi;
  g_output_rank = mpi.is_root();
  const bench::BackendOptions backend = backend_options(s);
  bench::Registry registry;
  bench::register_all(registry, backend);
  bench::check_storage_ready(backend, s.suite, s.filter);  // before any work: no space, no dir -> exit 3/2
  bench::RunOptions opt;
  opt.world = mpi.world();
  opt.policy = core::policy_for_suite(s.suite);
  if (s.repetitions > 0) opt.policy.repetitions = s.repetitions;
  if (s.warmup >= 0) opt.policy.warmup = s.warmup;
  if (s.rounds > 0) opt.policy.rounds = s.rounds;
  opt.filter = s.filter;
  opt.command_line = command_line();
  const double given_timeout_s = case_timeout_s(s);
  const int rank = mpi.world().rank, ranks = mpi.world().size;
  // A rank that ends itself makes mpirun / srun end the job (a process that exits without
  // MPI_Finalize); no MPI call is made from the watchdog's thread (MPI runs THREAD_FUNNELED).
  bench::Watchdog watchdog(
      given_timeout_s >= 0 ? given_timeout_s : bench::default_step_timeout_s(ranks, opt.policy.max_case_s),
      [rank, ranks](const std::string& what, double limit_s) {
        fmt::print(stderr,
                   "headroom: {}{} has not finished after {:g} s (--case-timeout): {}; ending "
                   "this {} with exit 3, no results written\n",
                   ranks > 1 ? fmt::format("rank {} of {}: ", rank, ranks) : std::string(), what, limit_s,
                   ranks > 1 ? "another rank has probably failed or stopped, leaving this one "
                               "waiting in a collective"
                             : "it is stuck (a hung device, file system or driver)",
                   ranks > 1 ? "job" : "run");
        std::fflush(stderr);
        std::_Exit(static_cast<int>(core::ExitCode::kEnvironment));
      });
  opt.watchdog = &watchdog;

  g_cancel.store(false);
  const auto previous_int = std::signal(SIGINT, on_stop_signal);
  const auto previous_usr1 = std::signal(SIGUSR1, on_stop_signal);
  const auto restore = [&] {
    std::signal(SIGINT, previous_int);
    std::signal(SIGUSR1, previous_usr1);
  };
  bench::ProgressSink progress(stderr, s.quiet || !mpi.is_root());
  core::Results r;
  const core::ActivityProbe activity;  // what else ran on this node meanwhile
  try {
    r = bench::run_benchmarks(registry, opt, progress, &g_cancel);
  } catch (...) {
    restore();
    throw;
  }
  restore();
  watchdog.arm("the end-of-run inventory gather");
  r.run.activity = activity.finish();
  if (const core::Activity* busy = core::busy_activity(r.run)) {
    r.run.notes.push_back(core::busy_note(*busy));
    if (!s.quiet) fmt::print(stderr, "headroom: warning: {}\n", r.run.notes.back());
  }
  r.host = core::collect_host_inventory();
  r.hosts = mpi.gather_hosts(r.host);  // every rank's host at rank 0 (empty when single-rank)
  watchdog.disarm();
  r.devices = bench::collect_devices();
  for (const auto& f : bench::build_features()) {
    if (!f.enabled) r.run.notes.push_back(f.name + ": " + f.detail);
  }
  if (r.devices.empty()) r.run.notes.push_back("GPUs: " + bench::gpu_absence_reason());
  return r;
}

bool is_output_rank() { return g_output_rank; }

std::string format_results(const core::Results& r, const std::string& format) {
  if (format == "json") return core::results_to_json(r);
  if (format == "gbench") return report::to_gbench_json(r);
  if (format == "csv") return report::to_csv(r);
  throw core::InputError("", "--format", "one of json, gbench, csv, got '" + format + "'");
}

}  // namespace headroom::cli
