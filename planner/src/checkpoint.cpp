#include "headroom/plan/checkpoint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "headroom/core/errors.hpp"
#include "headroom/plan/adapter.hpp"
#include "headroom/plan/train.hpp"

namespace headroom::plan {

double checkpoint_bytes_per_element(const TrainSettings& t) noexcept {
  const double weight = activation_element_bytes(t);  // the training dtype's weights (train.cpp's rule)
  const double master = weight < 4.0 ? 4.0 : 0.0;     // fp32 master copy under mixed precision
  return weight + master + optimizer_state_bytes(t.optimizer);
}

CheckpointCost checkpoint_cost(const Workload& w, const ParamCounts& pc, const Rates& r, int gpus) noexcept {
  const ResilienceSettings& s = w.train.resilience;
  CheckpointCost c;
  if (!s.checkpoints() || gpus < 1) return c;
  c.enabled = true;
  c.mode = s.checkpoint_mode;
  const TrainSettings& t = w.train;
  // Full training saves every parameter (MTP modules included: they are trained); LoRA / QLoRA save
  // only the adapters and their optimizer states (PEFT's adapter_model + optimizer): the frozen base is
  // the pretrained checkpoint already on storage, never re-saved.
  const bool peft = t.adapter.enabled();
  c.trained_elements = peft ? count_adapters(w.model, t.adapter, 1, 1).total : pc.total + pc.mtp;
  c.bytes_per_element = checkpoint_bytes_per_element(t);
  c.bytes = c.trained_elements * c.bytes_per_element;
  const double g = static_cast<double>(gpus);
  c.nodes = std::max(1.0, std::ceil(g / std::max(1.0, r.gpus_per_node)));
  // Megatron-Core's fully parallel save (and PyTorch DCP) spread the shards, replicas deduplicated,
  // over all ranks: each GPU stages bytes / GPUs and every node writes its GPUs' share at once.
  c.shard_bytes_per_gpu = c.bytes / g;
  c.write_bytes_per_s = r.checkpoint_write_bytes_per_s;
  c.read_bytes_per_s = r.storage_read_bytes_per_s;
  c.write_s = c.write_bytes_per_s > 0 ? c.bytes / (c.nodes * c.write_bytes_per_s) : 0.0;
  const bool async = s.checkpoint_mode == CheckpointMode::kAsync;
  c.copy_s = r.host_link_bytes_per_s > 0 ? c.shard_bytes_per_gpu / r.host_link_bytes_per_s : 0.0;
  c.stall_base_s = async ? c.copy_s : c.write_s;
  c.mtbf_s = s.mtbf_s;
  if (s.failures()) c.young_interval_s = std::sqrt(2.0 * c.stall_base_s * s.mtbf_s);
  if (s.checkpoint_every_s > 0) {
    c.interval_s = s.checkpoint_every_s;
  } else {
    c.interval_s = c.young_interval_s;
    c.interval_from_young = true;
    // Async: a checkpoint cannot start before the previous one is on storage, so no shorter than the write.
    if (async && c.interval_s < c.write_s) {
      c.interval_s = c.write_s;
      c.interval_raised_to_write = true;
    }
  }
  c.write_within_interval = !async || c.write_s <= c.interval_s;
  c.stall_s = async ? c.copy_s + std::max(0.0, c.write_s - c.interval_s) : c.write_s;
  if (s.failures()) {
    // After an interruption every node reads its share back; with adapters the frozen base weights are
    // loaded too (in the training dtype, as the memory model holds them before any 4-bit quantisation).
    c.load_bytes = c.bytes + (peft ? pc.total * activation_element_bytes(t) : 0.0);
    c.load_s = c.read_bytes_per_s > 0 ? c.load_bytes / (c.nodes * c.read_bytes_per_s) : 0.0;
    c.lost_work_s = c.interval_s / 2.0;
    c.restart_s = s.restart_s;
    c.cost_per_failure_s = c.lost_work_s + c.restart_s + c.load_s;
  }
  return c;
}

RunTime run_time(const CheckpointCost& c, double productive_s, double goodput) noexcept {
  RunTime rt;
  rt.productive_s = productive_s;
  const double base_s = productive_s / goodput;
  if (!c.enabled) {
    rt.time_s = base_s;
    return rt;
  }
  rt.checkpoints = c.interval_s > 0 ? std::floor(productive_s / c.interval_s) : 0.0;
  rt.checkpoint_s = rt.checkpoints * c.stall_s;
  const double without_failures_s = base_s + rt.checkpoint_s;
  if (c.mtbf_s <= 0) {
    rt.time_s = without_failures_s;
    return rt;
  }
  // T = T0 + (T / MTBF) · k  ⇒  T = T0 / (1 − k / MTBF); no finite solution when k ≥ MTBF.
  const double share = c.cost_per_failure_s / c.mtbf_s;
  if (share >= 1.0) {
    rt.time_s = std::numeric_limits<double>::infinity();
    rt.expected_failures = rt.time_s;
    rt.failure_s = rt.time_s;
    return rt;
  }
  rt.time_s = without_failures_s / (1.0 - share);
  rt.expected_failures = rt.time_s / c.mtbf_s;
  rt.failure_s = rt.time_s - without_failures_s;
  return rt;
}

void apply_resilience_overrides(const ResilienceSettings& s, Rates& r) {
  if (s.checkpoint_write_bytes_per_s > 0) {
    r.checkpoint_write_bytes_per_s = s.checkpoint_write_bytes_per_s;
    r.checkpoint_write_source =
        fmt::format("{:.4g} GB/s per node: override (--checkpoint-write / train.checkpoint.write_bytes_per_s)",
                    s.checkpoint_write_bytes_per_s / 1e9);
  }
  if (s.checkpoint_read_bytes_per_s > 0) {
    r.storage_read_bytes_per_s = s.checkpoint_read_bytes_per_s;
    r.storage_read_source =
        fmt::format("{:.4g} GB/s per node: override (--checkpoint-read / train.checkpoint.read_bytes_per_s)",
                    s.checkpoint_read_bytes_per_s / 1e9);
  }
}

void check_resilience(const Workload& w, const ParamCounts& params, const Rates& r, int gpus,
                      const std::string& profile_label) {
  const ResilienceSettings& s = w.train.resilience;
  if (!s.checkpoints()) return;
  if (r.checkpoint_write_bytes_per_s <= 0) {
    throw core::InputError(
        profile_label, "$.storage.checkpoint_write_bytes_per_s",
        "a known per-node write bandwidth for checkpoints (null in this profile, as is storage.write_bytes_per_s): "
        "pass --checkpoint-write GBPS (workload train.checkpoint.write_bytes_per_s), or measure it with `headroom "
        "bench --filter storage.checkpoint` and `headroom profile`");
  }
  if (s.failures() && r.storage_read_bytes_per_s <= 0) {
    throw core::InputError(
        profile_label, "$.storage.read_bytes_per_s",
        "a known per-node read bandwidth to load the checkpoint after a failure (null in this profile): pass "
        "--checkpoint-read GBPS (workload train.checkpoint.read_bytes_per_s), or measure it with `headroom bench "
        "--filter storage.seq_read` and `headroom profile`");
  }
  const CheckpointCost c = checkpoint_cost(w, params, r, gpus);
  if (s.failures() && c.cost_per_failure_s >= c.mtbf_s) {
    throw core::InputError(
        "", "--mtbf (train.failures.mtbf_s)",
        fmt::format("an MTBF above the expected cost of one failure, {:.3g} h (half the checkpoint interval "
                    "{:.3g} min + restart {:.3g} min + checkpoint load {:.3g} min), got {:.3g} h: the job would never "
                    "finish; checkpoint more often (--checkpoint-every) or shorten the restart (--restart-min)",
                    c.cost_per_failure_s / 3600.0, c.interval_s / 60.0, c.restart_s / 60.0, c.load_s / 60.0,
                    c.mtbf_s / 3600.0));
  }
}

}  // namespace headroom::plan
