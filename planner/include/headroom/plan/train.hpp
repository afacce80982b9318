#pragma once
/// Training: memory per GPU (of the pipeline stage that needs the most), step time, MFU and
/// time-to-train. evaluate_train() does not allocate; it is the search's inner loop.
#include <array>

#include "headroom/plan/checkpoint.hpp"
#include "headroom/plan/rates.hpp"
#include "headroom/plan/workload.hpp"

namespace headroom::plan {

/// Bytes per GPU of the most loaded rank: the pipeline stage that needs the most (the first stage
/// unless the last one's output layer and logits, or a middle stage's extra layers, outweigh the
/// first stage's in-flight micro-batches).
struct TrainMemory {
  int stage = 0;                 ///< pipeline stage these bytes are for (0 = first, pp − 1 = last)
  double stage_layers = 0;       ///< transformer layers on that stage
  double params_on_gpu = 0;      ///< parameter elements held by this rank (before ZeRO-3 sharding)
  double trainable_params_on_gpu = 0;  ///< of those, trained (all, or with LoRA the adapters)
  double weights_bytes = 0;
  double gradients_bytes = 0;
  double master_bytes = 0;       ///< fp32 master weights
  double optimizer_bytes = 0;    ///< optimizer states (Adam m and v), on the GPU
  /// Optimizer offload: host memory a rank's shard takes (fp32 master, states, fp32 gradients), on
  /// the pipeline stage that needs the most of it; not in total_bytes (0 without offload).
  double host_bytes = 0;
  /// Offload: host memory of the job's GPUs on one node (host_bytes × min(GPUs per node, world)), the
  /// node's usable capacity (0: unknown) and whether it fits (true when unknown).
  double host_bytes_per_node = 0;
  double host_capacity_bytes = 0;
  bool host_fits = true;
  double activations_bytes = 0;  ///< stored for backward, all in-flight micro-batches
  double activations_per_layer_bytes = 0;  ///< one micro-batch, one layer, as stored
  double embedding_activations_bytes = 0;  ///< embedding / logits / loss buffers on this stage
  double overhead_bytes = 0;     ///< runtime (context, workspaces)
  double total_bytes = 0;
  double capacity_bytes = 0;
  double margin_bytes = 0;       ///< capacity − total (negative: does not fit)
  bool fits = false;
};

/// Seconds of one optimizer step on the critical path.
struct TrainTime {
  double micro_batches = 0;      ///< per pipeline (per DP replica)
  double compute_s = 0;          ///< GEMMs + attention, incl. recompute, all micro-batches
  double elementwise_s = 0;      ///< memory-bound kernels (norms, activations, dropout, residual)
  double recompute_s = 0;        ///< share of compute_s + elementwise_s spent recomputing
  double tp_comm_s = 0;          ///< exposed tensor-parallel collectives
  double pp_comm_s = 0;          ///< exposed pipeline send/recv
  double cp_comm_s = 0;          ///< exposed context-parallel K/V ring exchange
  double ep_comm_s = 0;          ///< expert-parallel all-to-all (MoE dispatch and combine)
  double dp_comm_s = 0;          ///< exposed gradient reduction (and ZeRO gathers)
  double bubble_s = 0;           ///< pipeline fill and drain
  double optimizer_s = 0;        ///< optimizer update (memory-bound)
  double adapter_s = 0;          ///< LoRA adapter GEMMs (part of compute_s; 0 without adapters)
  double dequant_s = 0;          ///< QLoRA 4-bit → bf16 weight dequantisation (part of elementwise_s)
  double step_s = 0;
  double model_flop_per_step = 0;     ///< 6·N·tokens + attention (no recompute; with LoRA the fine-tuning work): MFU numerator
  double hardware_flop_per_step = 0;  ///< including recompute
  double tokens_per_step = 0;
  double mfu = 0;                ///< model FLOP/s ÷ (GPUs × dense peak)
  double hfu = 0;
  double achieved_flop_per_s_per_gpu = 0;  ///< hardware FLOP/s per GPU (Megatron "TFLOP/s per GPU")
  /// What the GPUs execute per step: hardware FLOPs less the causally masked attention blocks a fused
  /// kernel skips (the Megatron / PaLM counts above keep the full s², so at long sequences MFU and HFU
  /// can exceed 100 % while this stays below the peak).
  double executed_flop_per_step = 0;
  double executed_flop_per_s_per_gpu = 0;
  double tokens_per_s = 0;
  double tokens_per_s_per_gpu = 0;
  double steps = 0;              ///< to consume the token budget (0 when none)
  double time_to_train_s = 0;    ///< incl. goodput, checkpoint stalls and failures (run_time)
  RunTime run;                   ///< how time_to_train_s is composed (productive time, checkpoints, failures)
  double gpu_hours = 0;
  double energy_kwh = 0;         ///< GPU board energy × PUE
  int slowest_stage = 0;         ///< pipeline stage whose micro-batch time sets the pace (the breakdown is its)
  /// Rates the GEMMs were timed at (FLOP/s per GPU): the linear layers' (FLOP-weighted over their
  /// calls), the attention core's and the output layer's. All equal to the profile's flat GEMM rate
  /// unless it has a measured curve (or the plan is FP8, whose attention core and output run in bf16).
  double gemm_linear_flop_per_s = 0;
  double gemm_attention_flop_per_s = 0;
  double gemm_output_flop_per_s = 0;
};

/// Total bytes per GPU of one pipeline stage.
struct StageMemory {
  int stage = 0;
  double layers = 0;
  double total_bytes = 0;
};

struct TrainResult {
  TrainMemory memory;  ///< the stage that needs the most
  TrainTime time;
  int gpus = 0;
  /// The stages evaluated for memory: the first, the first middle one (when its layers differ from the
  /// first's) and the last; the other middle stages never need more than the first middle one.
  std::array<StageMemory, 3> stages{};
  int stage_count = 0;
  CheckpointCost checkpoint;  ///< enabled only when the workload models checkpoints or failures
};

TrainResult evaluate_train(const Workload& w, const ParamCounts& params, const Rates& rates,
                           const Assumptions& a) noexcept;

/// One kind of GEMM call in one layer's forward on one rank: the FLOPs of one call (what a measured
/// GEMM curve is looked up by) and of all such calls of the layer.
struct GemmCall {
  double flop_per_call = 0;
  double flop = 0;
};
/// The linear layers' GEMMs of one layer's forward for `tokens` tokens on one rank, with their
/// TP split (QKV fused, projection; MLA's down / up projections; FC1 (gate and up fused) and FC2;
/// a MoE layer's router, the FC1 / FC2 of each of the rank's E/EP experts on its share of the routed
/// tokens, and the shared experts as one MLP), `flop` weighted by the share of dense and MoE layers.
/// Their sum is layer_forward_flop − attention_core_flop, divided by TP, less MLA's latent-norm
/// elements (which layer_forward_flop counts with the weights). Backward GEMMs (dgrad, wgrad) have
/// the same FLOPs per call as their forward GEMM.
struct LayerGemms {
  std::array<GemmCall, 16> calls{};  // at most 12 today (MLA, dense and MoE layers, shared experts)
  int count = 0;
  double flop() const noexcept {
    double f = 0;
    for (int i = 0; i < count; ++i) f += calls[static_cast<std::size_t>(i)].flop;
    return f;
  }
  /// Time of all calls, each at `curve`'s rate for its FLOPs per call (curve not empty).
  double seconds_on(const GemmRateCurve& curve) const noexcept {
    double s = 0;
    for (int i = 0; i < count; ++i) {
      const GemmCall& c = calls[static_cast<std::size_t>(i)];
      s += c.flop / curve.at(c.flop_per_call);
    }
    return s;
  }
};
LayerGemms layer_linear_gemms(const ModelConfig& m, double tokens, const Parallelism& p) noexcept;
/// The same weighted by the layer kinds of `mix` (a pipeline stage's own layers).
LayerGemms layer_linear_gemms(const ModelConfig& m, double tokens, const Parallelism& p, const LayerMix& mix) noexcept;

/// FLOPs of one forward pass of one layer for `tokens` tokens of sequence length `seq`
/// (Megatron convention: full s² attention, no causal halving), whole layer (not TP-divided).
double layer_forward_flop(const ModelConfig& m, double tokens, double seq) noexcept;
/// The same averaged over the layers of `mix` (times mix.layers: those layers' exact sum).
double layer_forward_flop(const ModelConfig& m, double tokens, double seq, const LayerMix& mix) noexcept;

/// The attention core's share of layer_forward_flop, averaged over the layers: QKᵀ and A·V over the
/// full s², 2·tokens·s·a·(d + d_v), on attention layers; a hybrid model's Mamba layers add their SSD
/// scan (ssd_scan_flop_per_token), the part of a Mamba layer that has no weights.
double attention_core_flop(const ModelConfig& m, double tokens, double seq) noexcept;
double attention_core_flop(const ModelConfig& m, double tokens, double seq, const LayerMix& mix) noexcept;

/// Forward FLOPs of one Mamba-2 layer's SSD scan per token for sequences of `seq` tokens (Dao & Gu
/// 2024, §6), chunks of Q = min(chunk, seq) tokens, P channels per head, state N, G groups:
/// inner·(Q + 4·N) + 2·G·Q·N (the masked product with x over causal halves of the Q × Q blocks, the
/// full C·Bᵀ that mamba_ssm's _bmm_chunk_fwd computes, the chunk states' B·x and C·state products);
/// 0 without Mamba layers.
double ssd_scan_flop_per_token(const ModelConfig& m, double seq) noexcept;

/// Share of attention_core_flop a kernel executes, averaged over the layers: 1 without a fused
/// kernel (the scores are computed, then masked); with one (flash attention) only the unmasked
/// blocks, (s + 1)/2s for causal layers and (w − w(w − 1)/2s)/s for sliding-window layers (w < s).
double executed_attention_fraction(const ModelConfig& m, double seq, bool fused) noexcept;
/// The same over the layers of `mix` (their attention and Mamba layers; the sliding-window share of
/// the attention layers is the model's).
double executed_attention_fraction(const ModelConfig& m, double seq, bool fused, const LayerMix& mix) noexcept;

/// FLOPs a fused (flash) attention kernel's backward executes beyond twice its forward, averaged over
/// the layers of `mix`, whole layer (not TP-divided), causally masked blocks skipped as in
/// executed_attention_fraction. Such a kernel keeps no s² scores: its backward recomputes S = QKᵀ
/// from Q, K and the saved softmax statistics, then runs dV = PᵀdO, dP = dO·Vᵀ, dQ = dS·K and
/// dK = dSᵀ·Q, five products against the forward's two (FlashAttention-2, Dao 2023, arXiv 2307.08691, its backward
/// pass; Dao-AILab/flash-attention's benchmarks count backward as 2.5 × forward). The extra one is QKᵀ: 2·tokens·s·a·d
/// on attention layers (d the query/key width). 0 without a fused kernel, whose backward reads the stored
/// probabilities, and for Mamba layers.
double flash_backward_recompute_flop(const ModelConfig& m, double tokens, double seq, bool fused,
                                     const LayerMix& mix) noexcept;

/// Elements one rank quantises to FP8 per layer for one micro-batch in an FP8 plan (Transformer
/// Engine under fp8_autocast): `forward` the inputs of the four FP8 GEMMs (QKV, attention output
/// projection, FC1, FC2; per used expert in MoE layers), `backward` their output gradients. Tensors
/// of width h (QKV and FC1 inputs of dense layers, the gradients of the projection and FC2 outputs)
/// are held whole by every TP rank unless sequence parallel; the others are split over TP; CP splits
/// the sequence. MLA adds its query / KV latents to both directions.
struct Fp8CastElements {
  double forward = 0;
  double backward = 0;
};
Fp8CastElements fp8_cast_elements_per_layer(const ModelConfig& m, const Parallelism& p, const TrainSettings& t) noexcept;
Fp8CastElements fp8_cast_elements_per_layer(const ModelConfig& m, const Parallelism& p, const TrainSettings& t,
                                            const LayerMix& mix) noexcept;

/// Where the rank order (Parallelism::rank_order) puts the data-parallel and pipeline groups on
/// nodes of `gpus_per_node` GPUs: the dp·cp ranks that share a node, whether all of them do, the
/// GPUs their node-local part spans (for NVLink islands, Rates::intra_bus_for), and whether a
/// pipeline's stages all sit in one node.
struct RankPlacement {
  double dp_ranks_per_node = 1;
  bool dp_intra = true;
  double dp_span_gpus = 1;
  bool pp_intra = true;
  double pp_span_gpus = 1;
};
RankPlacement rank_placement(const Parallelism& p, double gpus_per_node) noexcept;

/// EP ranks per node: the EP group sits next to the TP ranks, floor(GPUs per node / TP) of its ranks
/// on each node (at least 1, at most EP). The EP all-to-all and the plan's assumption line use it.
double ep_ranks_per_node(const Parallelism& p, double gpus_per_node) noexcept;

/// Bytes of one activation (and stored weight) element in training: the training dtype, bf16 for FP8
/// training (Transformer Engine keeps activations and weights in bf16 and casts GEMM inputs), 4 bytes
/// for fp32 and tf32 (a matmul mode on fp32 tensors).
double activation_element_bytes(const TrainSettings& t) noexcept;

/// Korthikanti et al. activation bytes per layer per micro-batch with the workload's techniques.
double activation_bytes_per_layer(const ModelConfig& m, const Parallelism& p, const TrainSettings& t) noexcept;
/// The same averaged over the layers of `mix` (times mix.layers: those layers' exact sum).
double activation_bytes_per_layer(const ModelConfig& m, const Parallelism& p, const TrainSettings& t,
                                  const LayerMix& mix) noexcept;

/// The layers pipeline stage `stage` (0-based) holds, by kind, as Megatron assigns them: stage_layout's
/// counts in order (the first stage from layer 0, then the middle ones, the last stage ending at the
/// last layer). With interleaving (vpp > 1) each stage holds vpp chunks, model chunk v of stage s
/// after chunk v of stages 0 … s − 1 and all chunks v − 1: the middle stages' chunks even, the first
/// and last stages' split as evenly as their counts allow, the first stage's short chunks first and
/// the last stage's short chunks last (Llama 3's layout: a first chunk with only the embedding, a last
/// one with only the output layer). O(vpp) plus layer_mix's cost; does not allocate.
LayerMix stage_layer_mix(const ModelConfig& m, const Parallelism& p, int stage) noexcept;

}  // namespace headroom::plan
