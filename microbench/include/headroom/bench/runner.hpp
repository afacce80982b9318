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
};

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
};

/// Runs every instance of every benchmark matching options.filter. A filter that matches nothing
/// is a core::InputError. Exceptions inside a case become `error` results; core::Waived becomes
/// `waived`. When `cancel` turns true, the run stops after the current case and is marked
/// incomplete. The returned Results carry run info and cases; the caller fills host and devices.
core::Results run_benchmarks(const Registry& registry, const RunOptions& options, Sink& sink,
                             const std::atomic<bool>* cancel);

/// A sink that reports progress on a stream (stderr): one line per finished case, or a live
/// status line when the stream is a terminal.
class ProgressSink : public Sink {
 public:
  explicit ProgressSink(std::FILE* stream, bool quiet = false);
  void on_start(std::size_t total_cases) override;
  void on_case_start(std::size_t index, std::size_t total, const std::string& name,
                     const core::Params& params) override;
  void on_case_done(std::size_t index, std::size_t total, const core::CaseResult& result) override;

 private:
  std::FILE* stream_;
  bool quiet_;
  bool tty_;
  double start_s_ = 0;
};

/// One line summarising a case's headline metric, e.g. "cpu.gemm.fp64 m=512,n=512,k=512  61.2 GFLOP/s".
std::string headline(const core::CaseResult& result);

}  // namespace headroom::bench
