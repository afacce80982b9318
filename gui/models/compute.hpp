#pragma once
/// The comparison the pages show: every enabled GPU option planned with the real planner
/// (headroom::plan), plus the cost of one option through headroom::tco. Plain data, no Qt; this
/// is what runs off the UI thread. Bytes, seconds, FLOP/s and USD throughout.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "headroom/plan/checkpoint.hpp"
#include "workspace.hpp"

namespace headroom::gui {

/// Memory per GPU of the most loaded rank, in bytes, split as the Fit page stacks it.
struct MemoryBreakdown {
  double weights_bytes = 0;
  double gradients_bytes = 0;
  double optimizer_bytes = 0;   ///< Adam moments + fp32 master weights
  double activations_bytes = 0; ///< training activations, or the inference prefill workspace
  double kv_cache_bytes = 0;    ///< inference KV cache of the planned batch
  double overhead_bytes = 0;    ///< runtime: context, workspaces, allocator slack
  double capacity_bytes = 0;    ///< usable device memory (inference: × gpu_memory_utilization)
  double total_bytes() const {
    return weights_bytes + gradients_bytes + optimizer_bytes + activations_bytes + kv_cache_bytes + overhead_bytes;
  }
};

/// A workload operation placed on the roofline: FLOPs and bytes moved of one execution.
struct RooflineOp {
  std::string name;
  double flop = 0;
  double bytes = 0;
  double intensity() const { return bytes > 0 ? flop / bytes : 0; }
};
struct RooflineCeiling {
  std::string name;             ///< "bf16 peak", "HBM", "PCIe (host)"
  double value = 0;             ///< FLOP/s for compute ceilings, bytes/s for memory levels
};
struct Roofline {
  std::vector<RooflineCeiling> compute;  ///< dense datasheet peak per precision the profile lists
  std::vector<RooflineCeiling> memory;   ///< bandwidth per memory level the profile lists
  std::vector<RooflineOp> ops;
  double op_peak_flop_per_s = 0;         ///< peak of the workload's precision (the ops' ceiling)
  double op_bandwidth_bytes_per_s = 0;   ///< device memory bandwidth the ops stream from
};

struct OptionResult {
  std::string label;
  std::string error;            ///< non-empty: the option could not be planned (the reason)
  bool fits = false;
  std::string note;             ///< e.g. "no configuration fits: shown with TP 8, full recompute"
  std::string parallelism;      ///< "TP 8 · PP 2 · DP 4 · mb 1 · selective · ZeRO-1"
  std::uint64_t evaluated = 0;  ///< search: configurations evaluated / fitting
  std::uint64_t fitting = 0;
  MemoryBreakdown memory;
  // Training (phase train):
  double step_s = 0;
  double tokens_per_s = 0;          ///< whole job
  double tokens_per_s_per_gpu = 0;  ///< training tokens, or generated tokens when inferring
  double time_to_train_s = 0;
  double gpu_hours = 0;
  double mfu = 0;                   ///< fraction
  /// Training with the optimizer offloaded: host RAM the plan needs per node and the node's usable
  /// RAM (0: unknown, not checked), bytes; host_fits is false when it needs more than that.
  double host_bytes_per_node = 0;
  double host_capacity_bytes = 0;
  bool host_fits = true;
  /// Training with the checkpoint group on: the planner's checkpoint figures (TrainResult::checkpoint;
  /// enabled false when off) and how time_to_train_s is composed (TrainTime::run).
  plan::CheckpointCost checkpoint;
  plan::RunTime run;
  // Inference (phase infer):
  double ttft_under_load_s = 0;  ///< TTFT under load at the planned batch (prompt chunks in steps with the decode batch)
  double tpot_s = 0;
  double max_concurrent_requests = 0;
  /// Cold start of one replica (plan::cold_start): the weights each node reads from storage, bytes, at
  /// the profile's storage.read_bytes_per_s; cold_start_s 0: that rate is unknown (datasheets).
  double cold_start_bytes_per_node = 0;
  double cold_start_read_bytes_per_s = 0;
  double cold_start_s = 0;
  Roofline roofline;
};

/// One cumulative-cost curve of the Cost page.
struct CostCurve {
  std::string label;                      ///< "on-prem" or the cloud option
  std::vector<double> cumulative_usd;     ///< month 0..months
  std::optional<double> break_even_month; ///< where on-prem becomes cheaper (cloud curves only)
  double total_usd = 0;
  double usd_per_gpu_hour = 0;
};
/// One tornado bar: the on-prem / cloud cost ratio at −20 % and +20 % of one input.
struct TornadoBar {
  std::string input;
  double ratio_at_low = 0;
  double ratio_at_high = 0;
};
struct CostView {
  std::string error;                 ///< non-empty: no cost shown, and why
  std::string scenario;              ///< name of the scenario evaluated
  std::string option_label;          ///< the option whose GPU-hours were used
  double train_gpu_hours = 0;        ///< planner GPU-hours fed into the scenario (0: not a training plan)
  double months = 0;
  std::vector<CostCurve> curves;     ///< on-prem first when present
  std::string tornado_option;        ///< cloud option the tornado compares against
  double base_ratio = 0;             ///< on-prem / cloud total at the base inputs
  std::vector<TornadoBar> tornado;   ///< largest swing first
  std::vector<std::string> notes;    ///< inputs not counted, stale prices
};

struct Comparison {
  std::uint64_t generation = 0;      ///< which request produced it (newer replaces older)
  std::string error;                 ///< the workload itself is invalid (no option computed)
  std::string error_path;            ///< JSON path of the invalid field ("$.parallelism.tp")
  plan::Phase phase = plan::Phase::kTrain;
  std::string model_name;
  std::vector<OptionResult> options;
  CostView cost;
  double compute_s = 0;              ///< wall time of compute_comparison
};

/// Loads and caches what the cost model needs (scenario files, the price catalog). Thread-safe.
class CostEngine {
 public:
  explicit CostEngine(std::filesystem::path data_dir);
  ~CostEngine();
  CostEngine(const CostEngine&) = delete;
  CostEngine& operator=(const CostEngine&) = delete;
  /// Scenario names found in data/scenarios.
  std::vector<std::string> scenario_names() const;
  /// Evaluates `form` with the GPU-hours of the chosen option in `options`.
  CostView evaluate(const CostForm& form, const std::vector<OptionResult>& options) const;
  /// False when this build has no TCO library (then evaluate() says so in CostView::error).
  static bool available();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Plans every enabled option of `ws` (search when asked) and evaluates the cost. Never throws:
/// an invalid workload is reported in Comparison::error, a bad option in OptionResult::error.
Comparison compute_comparison(const Workspace& ws, const plan::Catalog& catalog, const CostEngine* cost);

/// The roofline operations of one training micro-batch on one GPU (the GEMMs of one layer and the
/// LM head, TP-sharded) or of inference (prefill of one request, one decode step of the batch).
std::vector<RooflineOp> roofline_ops(const plan::Workload& w, double precision_bytes);

}  // namespace headroom::gui
