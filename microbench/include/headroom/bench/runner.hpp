#pragma once
/// Runs the selected benchmarks of a registry under one policy, feeding sinks as it goes.
#include <atomic>
#include <string>
#include <vector>

#include "headroom/bench/benchmark.hpp"

namespace headroom::bench {

/// Receives progress while a run goes on. Measuring and printing stay apart: the runner never
/// writes to a stream itself.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void on_start(std::size_t total_cases) { (void)total_cases; }
  virtual void on_case_start(std::size_t index, std::size_t total, const std::string& name,
                             const core::Params& params) {
    (void)index, (void)total, (void)name, (void)params;
  }
  virtual void on_case_done(std::size_t index, std::size_t total, const core::CaseResult& result) {
    (void)index, (void)total, (void)result;
  }
  /// A later round of interleaved cases begins (round is 1-based; round 1 is never announced).
  virtual void on_round_start(int round, int rounds, std::size_t cases_in_round) {
    (void)round, (void)rounds, (void)cases_in_round;
  }
};

class Watchdog;

/// How MPI ranks take part. The default is a single process.
struct World {
  int rank = 0;
  int size = 1;
  /// Collective over all ranks: true on every rank when any rank passes true. Called at every
  /// case boundary when size > 1, which keeps the ranks in step and makes a Ctrl-C seen by one
  /// rank stop all of them at the same case (a rank that stopped alone would leave the others
  /// waiting in the next collective).
  std::function<bool(bool)> any;
};

struct RunOptions {
  core::RunPolicy policy;
  std::string filter = "*";      ///< glob over case names
  std::string command_line;
  World world;
  /// Armed at every step (each case, and each rank's turn at a case boundary) when given; the caller
  /// owns it and arms it for what comes after the run (the inventory gather).
  Watchdog* watchdog = nullptr;
};

/// Throws core::InputError naming --filter when `filter` selects no instance of `suite` in
/// `registry` (what run_benchmarks() refuses; callers check it before creating any output).
void check_filter(const Registry& registry, const std::string& filter, const std::string& suite);

/// Runs every instance of every benchmark matching options.filter. A filter that matches nothing
/// is a core::InputError (check_filter). Exceptions inside a case become `error` results; core::Waived becomes
/// `waived`. When `cancel` turns true, the run stops after the current case and is marked
/// incomplete. The returned Results carry run info and cases; the caller fills host and devices.
///
/// Rounds: with policy.rounds = R > 1, round 1 runs every case in plan order, each interleavable
/// case (BenchmarkInfo::interleave) taking only its share of the repetitions; rounds 2..R run the
/// interleavable cases again for their next shares, and each case's samples are pooled
/// (merge_round). Results stay in plan order. The sequence of steps depends only on the plan,
/// never on a case's outcome, so MPI ranks stay in step.
core::Results run_benchmarks(const Registry& registry, const RunOptions& options, Sink& sink,
                             const std::atomic<bool>* cancel);

/// Repetitions of round `round` (0-based) when `repetitions` are spread over `rounds` rounds: the
/// remainder goes to the first rounds. E.g. 10 over 3 -> 4, 3, 3.
int round_repetitions(int repetitions, int rounds, int round);

/// Pools the result of a later round into `acc` (same case). A non-passed round turns the case
/// into that status with its message (a wrong answer in any round is an error); otherwise raw
/// samples and every sampled metric's samples are appended and the metric re-finalised with
/// `statistic`; a metric without samples keeps its first-round value; `verified` is the AND.
void merge_round(core::CaseResult& acc, const core::CaseResult& next, core::Statistic statistic);

/// A sink that reports progress on a stream (stderr): one line per finished case, or a live
/// status line when the stream is a terminal.
class ProgressSink : public Sink {
 public:
  /// On a terminal the running case is shown on a status line. Elsewhere (a CI log, a pipe) a case
  /// prints when it is done; interleaved cases are done only in the last round, so a case that
  /// starts `heartbeat_s` or more after the last printed line prints a "running" line first: a long
  /// silent stretch in a log then still says what is running.
  explicit ProgressSink(std::FILE* stream, bool quiet = false, double heartbeat_s = 10.0);
  void on_start(std::size_t total_cases) override;
  void on_case_start(std::size_t index, std::size_t total, const std::string& name,
                     const core::Params& params) override;
  void on_case_done(std::size_t index, std::size_t total, const core::CaseResult& result) override;
  void on_round_start(int round, int rounds, std::size_t cases_in_round) override;

 private:
  std::FILE* stream_;
  bool quiet_;
  bool tty_;
  double heartbeat_s_;
  double start_s_ = 0;
  double last_line_s_ = 0;  ///< when the last line was printed (non-terminal heartbeat)
};

/// One line summarising a case's headline metric, e.g. "cpu.gemm.fp64 m=512,n=512,k=512  61.2 GFLOP/s".
std::string headline(const core::CaseResult& result);

}  // namespace headroom::bench
