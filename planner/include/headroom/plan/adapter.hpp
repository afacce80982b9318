#pragma once
/// Parameter-efficient fine-tuning: LoRA (Hu et al. 2021, arXiv 2106.09685) and QLoRA (Dettmers et
/// al. 2023, arXiv 2305.14314). The base model is frozen; each targeted linear projection W (d_in →
/// d_out) gains a trainable low-rank branch B·A with A: d_in → r and B: r → d_out, so it adds
/// r·(d_in + d_out) trainable elements. QLoRA stores the frozen linear weights in 4-bit NormalFloat
/// with double-quantised block scales and dequantises them to bf16 for every GEMM.
#include <cstdint>
#include <string>
#include <vector>

#include "headroom/plan/model.hpp"

namespace headroom::plan {

enum class AdapterMethod { kNone, kLora, kQlora };
std::string to_string(AdapterMethod m);
/// "none", "lora" or "qlora" (to_string's names); throws std::invalid_argument naming the choices.
AdapterMethod adapter_method_from_string(const std::string& s);

/// Linear projections of a transformer block an adapter can target, by PEFT's names for a
/// Llama-style block (q_proj … down_proj), plus Megatron's fused matrices: one adapter on the fused
/// QKV projection (NeMo's linear_qkv) or on the fused gate + up projection (linear_fc1).
enum AdapterTarget : unsigned {
  kTargetQ = 1u << 0,
  kTargetK = 1u << 1,
  kTargetV = 1u << 2,
  kTargetO = 1u << 3,
  kTargetGate = 1u << 4,
  kTargetUp = 1u << 5,
  kTargetDown = 1u << 6,
  kTargetFusedQkv = 1u << 7,     ///< one adapter on the fused Q, K, V projection ("qkv")
  kTargetFusedGateUp = 1u << 8,  ///< one adapter on the fused gate and up projection ("gate_up")
};

struct AdapterSettings {
  AdapterMethod method = AdapterMethod::kNone;
  std::int64_t rank = 16;
  /// Bitmask of AdapterTarget; 0 = every linear projection of the blocks as separate adapters
  /// (PEFT's target_modules="all-linear", the QLoRA paper's setting).
  unsigned targets = 0;
  bool enabled() const { return method != AdapterMethod::kNone; }
};

/// Bytes per frozen linear-layer weight under QLoRA: NF4 (4 bits) with one 8-bit absmax per block of
/// 64 and one fp32 constant per 256 of those (double quantisation, QLoRA §3): 4 + 8/64 + 32/(64·256)
/// = 4.127 bits.
inline constexpr double kQloraBytesPerWeight = (4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0)) / 8.0;

/// Parses target names: q, k, v, o, gate, up, down, qkv (fused), gate_up (fused) or all-linear.
/// Throws std::invalid_argument naming the bad entry and the accepted ones; a target the model does
/// not have (gate on a GeLU MLP) or a fused and a separate name for the same matrix is refused too.
unsigned adapter_targets_from_names(const std::vector<std::string>& names, const ModelConfig& m);
/// The targets as names ("all-linear" for 0), in a fixed order.
std::vector<std::string> adapter_target_names(unsigned targets);

/// One kind of layer's adapters and frozen linear weights on one rank (TP-split; routed experts
/// split over EP). Per-token figures are for one token passing the layer forward.
struct AdapterLayer {
  double elements = 0;             ///< trainable adapter elements held by the rank
  double frozen_linear = 0;        ///< frozen linear-weight elements held by the rank (what QLoRA quantises)
  double largest_matrix = 0;       ///< largest frozen linear matrix on the rank (QLoRA dequantisation buffer)
  double flop_per_token = 0;       ///< adapter GEMM FLOPs of one token's forward (both low-rank products)
  double fwd_bytes_per_token = 0;  ///< memory traffic of the adapter kernels in forward, bf16
  double bwd_bytes_per_token = 0;  ///< ... in backward (gradients of A, B and of the input)
  double stored_per_token = 0;     ///< elements kept for backward: the rank-r intermediate x·A
};

/// Adapter counts of a model. `total` is the whole model's trainable elements (PEFT's "trainable
/// params"; Llama-2-7B at r = 16 on all seven projections: 39,976,960).
struct AdapterCounts {
  double total = 0;
  AdapterLayer dense;       ///< a dense layer (a dense model's every layer)
  AdapterLayer moe_shared;  ///< a MoE layer without its routed experts (attention, shared experts)
  AdapterLayer moe_expert;  ///< the routed experts of one MoE layer (per token: its top-k experts)
};

/// Counts for `tp` tensor-parallel and `ep` expert-parallel ranks. Column-parallel projections (Q,
/// K, V, gate, up) keep A whole and split B over TP; row-parallel ones (O, down) split A and keep B
/// whole (as the planner splits every linear layer; MLA's down projections included). Routers,
/// embeddings, the output layer and MTP modules are not adapted. Allocation-free.
AdapterCounts count_adapters(const ModelConfig& m, const AdapterSettings& a, int tp, int ep) noexcept;

}  // namespace headroom::plan
