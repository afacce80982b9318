#pragma once
/// What `headroom bench` and `headroom run` share: running a suite with progress and Ctrl-C
/// handling, and writing results in the requested format.
#include <optional>
#include <string>

#include "commands.hpp"
#include "headroom/core/results.hpp"

namespace headroom::cli {

struct BenchSettings {
  std::string suite = "quick";
  std::string filter = "*";
  std::string storage_dir;
  std::string storage_size;  ///< storage and MPI sweep limits, passed to the backends as text (they parse)
  std::string block_size;
  std::string queue_depth;
  std::string min_bytes;
  std::string max_bytes;
  std::string storage_file;
  int repetitions = 0;  ///< 0: the suite's default
  int warmup = -1;      ///< -1: the suite's default
  int rounds = 0;       ///< 0: the suite's default
  std::optional<std::string> case_timeout;  ///< seconds as text; none: bench::default_step_timeout_s
  bool quiet = false;
};

/// Adds --suite, --filter, --storage-dir, --repetitions, --warmup, --rounds, --case-timeout, --quiet to `cmd`.
void add_bench_options(CLI::App* cmd, BenchSettings& s);

/// The checks run_suite() makes before any work (backend flags, --filter, storage directory and
/// space), without starting MPI or running anything: for callers that create outputs first.
void check_bench_settings(const BenchSettings& s);

/// Runs the selected cases with progress on stderr. Ctrl-C (or SIGUSR1, which mpirun forwards to
/// every rank) stops after the current case and the returned results are marked incomplete; a
/// second signal ends the process at once.
core::Results run_suite(const BenchSettings& s);

/// False on MPI ranks other than 0 once run_suite() ran under mpirun: they write nothing.
bool is_output_rank();

/// Serialises results as json (results.json), gbench (Google Benchmark JSON) or csv.
std::string format_results(const core::Results& r, const std::string& format);

}  // namespace headroom::cli
