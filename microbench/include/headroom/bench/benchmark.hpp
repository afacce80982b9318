#pragma once
/// The benchmark interface. A benchmark is one source file implementing Benchmark plus one line in
/// its backend's register_*() function. Benchmarks compute and return CaseResults; they never print
/// (sinks do) and never exit (they throw core::Waived / other exceptions, recorded by the runner).
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "headroom/core/results.hpp"

namespace headroom::bench {

/// One declared parameter. Drives `headroom list`, the params object in results.json and the
/// columns of reports.
struct ParamSpec {
  std::string name;   ///< snake_case, with unit suffix where it has one: size_bytes, queue_depth
  std::string unit;   ///< "B", "", "threads", ...
  std::string help;   ///< one line
};

/// One declared metric (what a passed case reports).
struct MetricSpec {
  std::string name;   ///< flop_per_s, bytes_per_s, payload_bytes_per_s, iops, latency_p99_s
  std::string unit;
  core::Better better = core::Better::kHigher;
  std::string help;   ///< the counting convention
};

struct BenchmarkInfo {
  std::string name;          ///< stable dotted case name: cpu.gemm.fp64
  std::string backend;       ///< cpu | storage | mpi | cuda | nccl
  std::string description;
  std::vector<ParamSpec> params;
  std::vector<MetricSpec> metrics;
  /// True when every MPI rank must take part (collectives); false runs it on rank 0 only.
  bool all_ranks = false;
  /// True when run() may be called again for more repetitions and the samples of the calls
  /// pooled: every metric is computed from per-repetition samples (no derived-only value) and the
  /// setup is cheap next to the sampling. The runner then spreads the case over policy.rounds
  /// rounds of the suite (see RunPolicy::rounds).
  bool interleave = false;
};

/// What a running benchmark may consult: the policy, cancellation, progress notes.
class RunContext {
 public:
  RunContext(core::RunPolicy policy, const std::atomic<bool>* cancel) : policy_(std::move(policy)), cancel_(cancel) {}
  const core::RunPolicy& policy() const { return policy_; }
  /// True once Ctrl-C (or another stop) was requested; long loops should check it and stop early.
  bool cancelled() const { return cancel_ != nullptr && cancel_->load(std::memory_order_relaxed); }
  /// Notes collected during the case (e.g. "O_DIRECT refused, buffered I/O used"); end up in the
  /// case message.
  void note(const std::string& text) { notes_.push_back(text); }
  const std::vector<std::string>& notes() const { return notes_; }
  void clear_notes() { notes_.clear(); }

 private:
  core::RunPolicy policy_;
  const std::atomic<bool>* cancel_;
  std::vector<std::string> notes_;
};

class Benchmark {
 public:
  virtual ~Benchmark() = default;
  virtual BenchmarkInfo info() const = 0;
  /// The parameter sets this benchmark runs for a suite ("quick", "standard", "full").
  virtual std::vector<core::Params> instances(const std::string& suite) const = 0;
  /// Runs one instance. Fill name/params/metrics/verified; status defaults to passed. Throw
  /// core::Waived when it cannot run here; any other exception becomes status `error`.
  virtual core::CaseResult run(const core::Params& params, RunContext& ctx) = 0;
};

/// The explicit list of benchmarks (no static self-registration).
class Registry {
 public:
  void add(std::unique_ptr<Benchmark> b);
  const std::vector<std::unique_ptr<Benchmark>>& all() const { return benchmarks_; }
  /// Benchmarks whose name matches the glob (fnmatch syntax, "*" matches dots too).
  std::vector<Benchmark*> matching(const std::string& glob) const;

 private:
  std::vector<std::unique_ptr<Benchmark>> benchmarks_;
};

/// Typed access to a parameter of an instance; throws core::InputError when absent or mistyped.
std::int64_t param_int(const core::Params& p, const std::string& name);
double param_double(const core::Params& p, const std::string& name);
std::string param_string(const core::Params& p, const std::string& name);
bool param_bool(const core::Params& p, const std::string& name);

}  // namespace headroom::bench
