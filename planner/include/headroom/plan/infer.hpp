#pragma once
/// Inference: memory (weights, KV cache, workspace), KV capacity, prefill / decode times from a
/// roofline of the device, throughput and request capacity. evaluate_infer() does not allocate.
#include <algorithm>
#include <vector>

#include "headroom/plan/rates.hpp"
#include "headroom/plan/workload.hpp"

namespace headroom::plan {

/// A roofline point: arithmetic intensity and what the device can attain there.
struct RooflinePoint {
  double flop = 0;
  double bytes = 0;
  double intensity_flop_per_byte = 0;
  /// flop / the time one GPU spends on it (time_s, or time_s / PP in inference, where a pass crosses
  /// the PP stages one after another): ≤ min(peak, intensity × bandwidth) with achievable rates
  double attainable_flop_per_s = 0;
  double time_s = 0;                 ///< Σ over the pass's GEMM and attention phases of max(flop / compute, bytes / bandwidth)
  bool memory_bound = false;
};

/// vLLM's scheduler limits for one replica: tokens one engine step may compute
/// (max_num_batched_tokens, shared by the running requests' decode tokens and the prompt chunk) and
/// the most requests running at once (max_num_seqs). Where the workload leaves them 0, vLLM's
/// defaults for its OpenAI API server (EngineArgs.get_batch_defaults, vLLM v0.10; the rule came with
/// vLLM PR #17885, later releases add tiers): 8192 tokens and 1024 requests on a GPU with at least
/// 70 GiB whose name does not contain "a100" (H100, H200, B200, MI300X), else 2048 and 256 (A100,
/// L40S, L4, A10G).
struct EngineLimits {
  std::int64_t step_tokens = 0;
  std::int64_t max_seqs = 0;
  bool step_tokens_default = false;  ///< from vLLM's defaults, not the workload
  bool max_seqs_default = false;
  bool large_tier = false;           ///< the ≥ 70 GiB, non-A100 defaults apply to this GPU
};
EngineLimits engine_limits(const InferSettings& in, const Rates& r) noexcept;

struct InferMemory {
  double weights_bytes = 0;          ///< per GPU
  double kv_bytes_per_token = 0;     ///< per GPU, all layers of this stage
  double kv_bytes_per_token_model = 0;  ///< whole model, one replica (for comparisons)
  /// Hybrid (Mamba) models: the recurrent state one request keeps in this GPU's Mamba layers (conv +
  /// SSM state), whatever its length; 0 without Mamba layers.
  double state_bytes_per_request = 0;
  /// Sliding-window layers' KV per request when their pages are freed outside the window
  /// (--sliding-window-pages window): at most `window` tokens each, whatever the context; else 0.
  double window_kv_bytes_per_request = 0;
  /// Part of weights_bytes a TP rank holds whole beyond its 1/TP share: K/V projections when TP
  /// exceeds the KV heads, MLA's q_a / kv_a projections (vLLM replicates both).
  double replicated_weight_bytes = 0;
  double shared_prefix_tokens = 0;   ///< tokens of the shared prefix held once (whole KV blocks of it)
  double shared_prefix_kv_bytes = 0;  ///< their KV, per GPU, held once for all requests
  double workspace_bytes = 0;        ///< activations of one prefill chunk + logits
  double overhead_bytes = 0;
  double budget_bytes = 0;           ///< capacity × gpu_memory_utilization
  double kv_budget_bytes = 0;        ///< budget − weights − workspace − overhead
  double max_kv_tokens = 0;          ///< tokens the KV budget holds
  /// At context + output tokens each, by memory alone (the engine's max_num_seqs may cap the batch lower).
  double max_concurrent_requests = 0;
  double total_bytes = 0;            ///< at the planned batch
  double capacity_bytes = 0;
  bool fits = false;                 ///< weights + workspace + KV of the planned batch fit
};

struct InferTime {
  double batch = 0;                  ///< concurrent requests used for the figures below
  /// Requests per micro-batch: with PP, ⌈batch / PP⌉ (the largest of the PP micro-batches in flight);
  /// without, the batch.
  double micro_batch = 0;
  RooflinePoint prefill;             ///< one request's prompt
  RooflinePoint decode;              ///< one decode step of a micro-batch alone (the whole batch with PP 1), mid-output context
  RooflinePoint step;                ///< a steady-state step that carries prompt tokens (a chunk, or B/n prompts)
  EngineLimits limits;               ///< the step token budget and request cap used
  /// Running requests the step token budget sustains at this prompt / output mix:
  /// step_tokens · n / (n + P) per engine (× PP for the replica's micro-batches).
  double budget_batch = 0;
  /// Batch cap: the smallest of the most that fit in memory, the engine's max_num_seqs and budget_batch.
  double max_batch = 0;
  double prompt_chunk_tokens = 0;    ///< prompt tokens per chunk step: min(budget − decode tokens, prompt)
  double prompt_steps = 0;           ///< steps one prompt's chunks take: ⌈prompt tokens / chunk⌉
  double prompt_step_share = 0;      ///< share of the steady-state steps that carry prompt tokens
  double prompt_step_s = 0;          ///< such a step (+ TP comm; `step` is its roofline, without comm)
  double ttft_s = 0;                 ///< prefill of one request alone (+ TP comm): a lower bound under load
  /// TTFT in the steady state at `batch`: the prompt's chunks run in consecutive steps, each also
  /// carrying the batch's decode tokens (queueing before the first chunk not counted). The TTFT SLO
  /// is checked against this.
  double ttft_under_load_s = 0;
  double decode_step_s = 0;          ///< the decode step alone (+ TP comm)
  /// Steady-state time per output token (+ TP comm): the mean step when B/n requests join per step and
  /// their prompts run in chunks mixed into the decode steps (vLLM V1's default): a share of the steps
  /// carries a chunk, the others decode alone.
  double tpot_s = 0;
  double tokens_per_s = 0;           ///< output tokens per second, one replica, steady state (B / TPOT)
  double tokens_per_s_per_gpu = 0;
  double requests_per_s = 0;         ///< sustainable by one replica: B / (output tokens · TPOT)
  /// Replicas needed for the workload's QPS, each loaded to at most max_utilisation of requests_per_s:
  /// ⌈QPS / (max_utilisation · requests_per_s)⌉; 0 when no QPS is given or the plan cannot serve it
  /// (does not fit, or misses an SLO at every batch).
  double replicas_for_qps = 0;
  /// The load each of those replicas runs at: QPS / (replicas · requests_per_s) (0 without them).
  double utilisation = 0;
  double gpus_for_qps = 0;
  /// The workload's `gpus` (a fleet of whole replicas) when it names more than one replica: its replicas
  /// and the requests per second they sustain together (0 otherwise, and when the plan cannot serve).
  double fleet_replicas = 0;
  double fleet_requests_per_s = 0;
  double fleet_gpus = 0;             ///< the workload's `gpus` when it names more than one replica (else 0)
  bool meets_slo = true;
};

struct InferResult {
  InferMemory memory;
  InferTime time;
  int gpus_per_replica = 0;
};

InferResult evaluate_infer(const Workload& w, const ParamCounts& params, const Rates& rates,
                           const Assumptions& a) noexcept;

/// Cold start of one replica: each of its nodes reads the weights of the replica's GPUs on it from
/// storage at the per-node read bandwidth (Rates::storage_read_bytes_per_s, the profile's
/// storage.read_bytes_per_s), all nodes at once; the node holding the most (weights per GPU of the end
/// stage that holds the most × min(GPUs per replica, GPUs per node)) sets the time. time_s 0: the read
/// bandwidth is unknown. Engine start-up (CUDA graphs, compilation) is not counted.
struct ColdStart {
  double bytes_per_node = 0;
  double read_bytes_per_s = 0;
  double time_s = 0;
};
ColdStart cold_start(const InferResult& r, const Rates& rates) noexcept;

/// Tokens of the shared prompt prefix a prefix cache holds: its whole KV blocks (caches share whole
/// blocks only); 0 when the prefix is shorter than a block.
std::int64_t cached_prefix_tokens(const InferSettings& i) noexcept;

/// One point of the latency / throughput trade-off: the plan at a fixed batch.
struct BatchPoint {
  double batch = 0;
  double ttft_s = 0;
  double ttft_under_load_s = 0;
  double tpot_s = 0;
  double tokens_per_s_per_gpu = 0;
  bool decode_memory_bound = false;  ///< the decode step alone is memory-bound
  bool meets_slo = true;
};

/// TTFT and TPOT against the batch: `w` evaluated at batch 1, 2, 4, … and at the most concurrent
/// requests that fit (the last point); empty when not one request fits. Allocates: not for the
/// search loop.
std::vector<BatchPoint> infer_batch_sweep(const Workload& w, const ParamCounts& params, const Rates& rates,
                                          const Assumptions& a);

/// One replica layout evaluated by search_infer.
struct InferCandidate {
  int tp = 1;
  int pp = 1;
  InferResult result;
  bool usable = false;  ///< fits and meets the SLOs
};

/// Every replica layout TP × PP the model allows (TP: the divisors validate() accepts, up to
/// `max_tp`; PP: every size dividing the layers, up to `max_pp`), each at the batch evaluate_infer
/// picks. Ranked: usable layouts first, then those that fit but miss an SLO (by how far they miss it:
/// the larger of TPOT / its SLO and TTFT under load / its SLO), then the others by how far they
/// exceed the memory budget; within each group the fewest GPUs for the workload's QPS and then
/// fewer GPUs per replica, else the most output tokens/s per GPU and then fewer GPUs per replica.
/// `candidates` holds every layout evaluated, ranked.
struct InferSearchResult {
  std::vector<InferCandidate> candidates;
  Workload best;  ///< the base workload with the winner's TP and PP (the base itself when none evaluated)
  /// Candidates that fit and meet the SLOs.
  std::size_t usable() const {
    return static_cast<std::size_t>(
        std::count_if(candidates.begin(), candidates.end(), [](const InferCandidate& c) { return c.usable; }));
  }
};
/// `max_tp` ≤ 0: the GPUs per node.
InferSearchResult search_infer(const Workload& base, const ParamCounts& params, const Rates& rates,
                               const Assumptions& a, int max_tp, int max_pp);

}  // namespace headroom::plan
