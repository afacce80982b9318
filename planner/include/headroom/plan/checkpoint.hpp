#pragma once
/// Checkpoints and job interruptions of a training plan (docs/planner.md, "Checkpoints and
/// failures"): what a checkpoint weighs, how long writing it stalls training, what an interruption
/// costs, Young's interval, and how they add to time-to-train. evaluate_train() calls checkpoint_cost()
/// and run_time() (no allocation: the search's inner loop); check_resilience() is for callers, before.
#include <string>

#include "headroom/plan/model.hpp"
#include "headroom/plan/rates.hpp"
#include "headroom/plan/workload.hpp"

namespace headroom::plan {

/// Bytes a checkpoint stores per trained element: the weights in the training dtype (fp32 for fp32 /
/// tf32, bf16 otherwise; FP8 training keeps bf16 weights), the fp32 master copy below 4 bytes and the
/// optimizer's states (optimizer_state_bytes). Megatron-Core's distributed optimizer saves "param",
/// "exp_avg" and "exp_avg_sq" in fp32 beside the model's bf16 weights: 2 + 4 + 8 = 14 for bf16 Adam;
/// fp32 Adam 4 + 8 = 12. Gradients are not saved.
double checkpoint_bytes_per_element(const TrainSettings& t) noexcept;

/// Per-plan checkpoint figures, independent of the token budget (SI units; 0: not modelled).
struct CheckpointCost {
  bool enabled = false;  ///< the workload asks for checkpoints or failures
  CheckpointMode mode = CheckpointMode::kSync;
  double trained_elements = 0;     ///< what the checkpoint holds: every parameter (+ MTP), or the adapters
  double bytes_per_element = 0;    ///< checkpoint_bytes_per_element
  double bytes = 0;                ///< the whole checkpoint
  double nodes = 0;                ///< ceil(GPUs / GPUs per node): the nodes that write in parallel
  double shard_bytes_per_gpu = 0;  ///< bytes / GPUs (a fully parallel save spreads the shards evenly)
  double write_bytes_per_s = 0;    ///< per node
  double read_bytes_per_s = 0;     ///< per node (0: unknown; needed only with failures)
  double write_s = 0;              ///< bytes / (nodes × write_bytes_per_s)
  double copy_s = 0;               ///< async: shard / PCIe device-to-host rate (Rates::host_link_bytes_per_s)
  /// Stall per checkpoint used for Young's interval: the write (sync) or the device-to-host copy (async).
  double stall_base_s = 0;
  double young_interval_s = 0;  ///< sqrt(2 · stall_base_s · MTBF); 0 without an MTBF
  double interval_s = 0;        ///< productive seconds between checkpoints: given, else Young's
  bool interval_from_young = false;
  /// async with Young's interval shorter than the write: the interval was raised to the write time.
  bool interval_raised_to_write = false;
  bool write_within_interval = true;  ///< async: the background write ends before the next checkpoint
  double stall_s = 0;                 ///< per checkpoint: the write (sync), or the copy + any write overrun (async)
  /// Failures: bytes read back after an interruption (the checkpoint; with adapters also the frozen base
  /// weights in the training dtype), their read time, and the expected cost of one interruption.
  double load_bytes = 0;
  double load_s = 0;
  double lost_work_s = 0;  ///< interval / 2: progress since the last checkpoint, on average
  double restart_s = 0;
  double cost_per_failure_s = 0;  ///< lost_work_s + restart_s + load_s
  double mtbf_s = 0;
};

/// The checkpoint figures of `w` on `gpus` GPUs with the storage rates in `r` (Rates'
/// checkpoint_write_bytes_per_s / storage_read_bytes_per_s after apply_resilience_overrides). A
/// default CheckpointCost (enabled false) when the workload models neither.
CheckpointCost checkpoint_cost(const Workload& w, const ParamCounts& params, const Rates& r, int gpus) noexcept;

/// How a run's wall time is composed (TrainTime carries these):
///   time = (productive / goodput + checkpoints · stall) / (1 − cost_per_failure / MTBF)
/// with checkpoints = floor(productive / interval) and expected failures = time / MTBF, solved
/// self-consistently (the failures' own re-run and restart time can fail again). Without an MTBF the
/// divisor is 1; without checkpoints the stall term is 0.
struct RunTime {
  double productive_s = 0;
  double checkpoints = 0;
  double checkpoint_s = 0;  ///< all checkpoint stalls
  double expected_failures = 0;
  double failure_s = 0;  ///< expected failures × cost per failure
  double time_s = 0;     ///< wall time; +inf when cost_per_failure_s ≥ MTBF (never finishes)
};
RunTime run_time(const CheckpointCost& c, double productive_s, double goodput) noexcept;

/// Fills Rates' checkpoint_write_bytes_per_s / storage_read_bytes_per_s (and their sources) from the
/// workload's overrides (--checkpoint-write / --checkpoint-read) where given; resolve_rates has filled
/// them from the profile.
void apply_resilience_overrides(const ResilienceSettings& s, Rates& r);

/// Refuses (core::InputError) a workload whose checkpoint or failure model cannot be evaluated: no
/// write bandwidth for checkpoints, no read bandwidth with failures (naming the profile field in
/// `profile_label` and the flag that supplies it), or an expected cost per failure at or above the
/// MTBF (the job would never finish). `gpus`: the job's GPU count.
void check_resilience(const Workload& w, const ParamCounts& params, const Rates& r, int gpus,
                      const std::string& profile_label);

}  // namespace headroom::plan
