#include "headroom/plan/train.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

namespace headroom::plan {

double activation_element_bytes(const TrainSettings& t) noexcept {
  return t.precision == Precision::kFp32 || t.precision == Precision::kTf32 ? 4.0 : 2.0;
}

namespace {

/// Width of the MLP activations one token stores / moves (elements), summed over the experts it
/// uses (routed top-k + shared) and averaged over the layers when leading layers are dense.
double mlp_activation_width(const ModelConfig& m, const LayerMix& mix) noexcept {
  const double per_expert_factor =
      m.mlp == MlpKind::kSwiglu ? 3.0 : 2.0;  // gelu: fc1 out + act out; swiglu: gate, up, product
  const double dense = per_expert_factor * static_cast<double>(m.ffn_hidden_size);
  if (!m.is_moe()) return mix.mlp / mix.layers * dense;  // separate MLP layers (Nemotron-H): their share
  const double f = static_cast<double>(m.moe_ffn_hidden_size > 0 ? m.moe_ffn_hidden_size : m.ffn_hidden_size);
  const double moe = per_expert_factor * f * static_cast<double>(m.experts_per_token + m.shared_experts);
  return (mix.moe * moe + (mix.mlp - mix.moe) * dense) / mix.layers;
}

/// MoE bookkeeping a token stores per layer, in bytes for `element_bytes`-byte activations
/// (averaged over the layers): the top-k dispatched copies of its input (the experts' fc1 input for
/// backward) and the router's probabilities (fp32). Megatron's theoretical memory omits both
/// (Megatron-LM #1784).
double moe_dispatch_bytes(const ModelConfig& m, double element_bytes, const LayerMix& mix) noexcept {
  if (!m.is_moe()) return 0.0;
  const double per_moe_layer =
      element_bytes * static_cast<double>(m.experts_per_token) * static_cast<double>(m.hidden_size) +
      4.0 * static_cast<double>(m.num_experts);
  return per_moe_layer * mix.moe / mix.layers;
}

/// Elements a Mamba-2 mixer stores per token for backward beyond its inputs (Megatron-Core's
/// MambaMixer in training: mamba_ssm's mamba_split_conv1d_scan_combined saves in_proj's output
/// (z, x·B·C before the conv, dt) and the scan output, and recomputes the conv and the chunk states in
/// backward; the separate gated norm then keeps its input y and out_proj its input, the norm's output).
/// 0 without Mamba layers.
double mamba_stored_width(const ModelConfig& m) noexcept {
  if (!m.is_hybrid()) return 0.0;
  const double inner = static_cast<double>(m.mamba_inner());
  return (inner + static_cast<double>(m.mamba_conv_dim() + m.mamba_heads)) + 3.0 * inner;
}

/// Activation bytes of one layer for one micro-batch without recomputation (Korthikanti Table 2,
/// generalised to GQA, SwiGLU, MoE, no-dropout and flash attention). `scores` adds the s² terms.
/// Korthikanti's 2-byte terms are activations of the training dtype (4 bytes for fp32 / tf32
/// training); dropout masks stay 1 byte.
double layer_activation_bytes_no_recompute(const ModelConfig& m, const Parallelism& p, const TrainSettings& t,
                                           bool scores, const LayerMix& mix) noexcept {
  const double e = activation_element_bytes(t);
  const double s = static_cast<double>(t.seq_len) / p.cp;
  const double b = static_cast<double>(t.micro_batch);
  const double h = static_cast<double>(m.hidden_size);
  const double tp = p.tp;
  const double sb = s * b;
  const double q = static_cast<double>(m.num_heads) * static_cast<double>(m.head_dim);
  const double k = static_cast<double>(m.is_mla() ? m.num_heads : m.num_kv_heads) * static_cast<double>(m.head_dim);
  const double v =
      static_cast<double>(m.is_mla() ? m.num_heads : m.num_kv_heads) * static_cast<double>(m.value_head_dim());
  const double o = static_cast<double>(m.num_heads) * static_cast<double>(m.value_head_dim());
  // MLA also stores the query and KV latents (inputs of the up projections).
  const double latents = m.is_mla() ? static_cast<double>(m.q_lora_rank + m.kv_lora_rank + m.qk_rope_head_dim) : 0.0;
  // Replicated across TP ranks unless sequence parallel: 2 LayerNorm inputs (2·2sbh in bf16), QKV
  // input (2sbh), MLP input (2sbh), two dropout masks (sbh each). A Mamba layer stores the same: its
  // norm's input and in_proj's input in place of the QKV input. Nemotron-H's separate mixer and MLP
  // layers each store one norm's input and one block input (and one mask).
  const double norms = m.norms_per_layer();
  double replicated = 2.0 * norms * e * sb * h + (m.dropout ? norms * sb * h : 0.0);
  // Split across TP ranks: Q, K, V (2 bytes each in bf16), attention output-projection input, MLP
  // activations (and the MoE dispatch copies and router probabilities), averaged over a hybrid
  // model's attention and Mamba layers.
  const double attn_share = mix.attention / mix.layers;
  double split = attn_share * (e * sb * (q + k + v) + e * sb * o) + e * sb * mlp_activation_width(m, mix) +
                 sb * moe_dispatch_bytes(m, e, mix) + mix.mamba / mix.layers * e * sb * mamba_stored_width(m);
  replicated += e * sb * latents;
  if (scores) {
    // softmax output 2as²b (+ dropout mask as²b + dropout output 2as²b with dropout) in bf16; with CP
    // each rank holds s/cp query rows against the full s keys.
    const double a = static_cast<double>(m.num_heads);
    const double full_s = static_cast<double>(t.seq_len);
    split += attn_share * (m.dropout ? 2.0 * e + 1.0 : e) * a * s * full_s * b;
  }
  if (p.sequence_parallel) replicated /= tp;
  return replicated + split / tp;
}

}  // namespace

double activation_bytes_per_layer(const ModelConfig& m, const Parallelism& p, const TrainSettings& t) noexcept {
  return activation_bytes_per_layer(m, p, t, model_layer_mix(m));
}

double activation_bytes_per_layer(const ModelConfig& m, const Parallelism& p, const TrainSettings& t,
                                  const LayerMix& mix) noexcept {
  switch (t.recompute) {
    case Recompute::kFull: {
      const double sbh = static_cast<double>(t.seq_len) / p.cp * static_cast<double>(t.micro_batch) *
                         static_cast<double>(m.hidden_size);
      return activation_element_bytes(t) * sbh / (p.sequence_parallel ? p.tp : 1.0);  // the layer input only
    }
    case Recompute::kSelective:
      return layer_activation_bytes_no_recompute(m, p, t, false, mix);
    case Recompute::kNone:
      return layer_activation_bytes_no_recompute(m, p, t, !t.flash_attention, mix);
  }
  return 0.0;
}

LayerMix stage_layer_mix(const ModelConfig& m, const Parallelism& p, int stage) noexcept {
  if (p.pp <= 1) return layer_mix(m, 0, m.num_layers);
  const StageLayout lay = stage_layout(m.num_layers, p);
  const std::int64_t vpp = std::max(1, p.vpp);
  // Layers of model chunk v on the first, on a middle and on the last stage: a count that vpp does not
  // divide leaves the first stage's first chunks and the last stage's last chunks one layer short.
  const auto chunk = [vpp](std::int64_t n, std::int64_t v, bool short_first) {
    const std::int64_t q = n / vpp, rest = n % vpp;
    return q + ((short_first ? v >= vpp - rest : v < rest) ? 1 : 0);
  };
  const auto middles = static_cast<std::int64_t>(lay.middle_stages);
  LayerMix mix{};
  std::int64_t block = 0;  // first layer of model chunk v's block (chunk v of every stage)
  for (std::int64_t v = 0; v < vpp; ++v) {
    const std::int64_t first = chunk(lay.first, v, true), middle = chunk(lay.middle, v, true);
    const std::int64_t last = chunk(lay.last, v, false);
    const std::int64_t begin = stage == 0             ? block
                               : stage == p.pp - 1 ? block + first + middles * middle
                                                   : block + first + (stage - 1) * middle;
    const std::int64_t size = stage == 0 ? first : stage == p.pp - 1 ? last : middle;
    const LayerMix part = layer_mix(m, begin, begin + size);
    mix.layers += part.layers;
    mix.attention += part.attention;
    mix.mamba += part.mamba;
    mix.mlp += part.mlp;
    mix.moe += part.moe;
    block += first + middles * middle + last;
  }
  return mix;
}

Fp8CastElements fp8_cast_elements_per_layer(const ModelConfig& m, const Parallelism& p,
                                            const TrainSettings& t) noexcept {
  return fp8_cast_elements_per_layer(m, p, t, model_layer_mix(m));
}

Fp8CastElements fp8_cast_elements_per_layer(const ModelConfig& m, const Parallelism& p, const TrainSettings& t,
                                            const LayerMix& mix) noexcept {
  const double tokens = static_cast<double>(t.seq_len) / p.cp * static_cast<double>(t.micro_batch);
  const double h = static_cast<double>(m.hidden_size);
  const double kv_heads = static_cast<double>(m.is_mla() ? m.num_heads : m.num_kv_heads);
  const double q = static_cast<double>(m.num_heads) * static_cast<double>(m.head_dim);
  const double k = kv_heads * static_cast<double>(m.head_dim);
  const double v = kv_heads * static_cast<double>(m.value_head_dim());
  const double o = static_cast<double>(m.num_heads) * static_cast<double>(m.value_head_dim());
  const double latents = m.is_mla() ? static_cast<double>(m.q_lora_rank + m.kv_lora_rank + m.qk_rope_head_dim) : 0.0;
  const double fc1_out = m.mlp == MlpKind::kSwiglu ? 2.0 : 1.0;  // gate and up (SwiGLU) or one FC1 output
  // Attention: forward casts the QKV input (h) and the projection input (o); backward the QKV output
  // gradient (q + k + v) and the projection output gradient (h).
  // A hybrid model's Mamba layers: in_proj's input (h) and out_proj's (inner) forward, their output
  // gradients (z·x·B·C·dt; h) backward, in place of the attention projections'.
  const double attn_share = mix.attention / mix.layers, mamba_share = mix.mamba / mix.layers;
  const double mixer_share = attn_share + mamba_share;  // 1 unless mixers and MLPs are separate layers
  const double inner = static_cast<double>(m.mamba_inner());
  const double in_out = inner + static_cast<double>(m.mamba_conv_dim() + m.mamba_heads);
  double fwd_replicated = mixer_share * h + latents;
  double fwd_split = attn_share * o + mamba_share * inner;
  double bwd_replicated = mixer_share * h + latents;
  double bwd_split = attn_share * (q + k + v) + mamba_share * in_out;
  // MLP, averaged over dense and MoE layers: FC1 input and FC2 input forward; FC1 and FC2 output
  // gradients backward, per used expert (routed top-k + shared), whose tokens are split over TP.
  const double f = static_cast<double>(m.ffn_hidden_size);
  const double layers = mix.layers;
  const double n_moe = m.is_moe() ? mix.moe : 0.0;
  const double dense_share = (layers - n_moe) / layers * (mix.mlp / mix.layers);
  fwd_replicated += dense_share * h;
  fwd_split += dense_share * f;
  bwd_replicated += dense_share * h;
  bwd_split += dense_share * fc1_out * f;
  if (n_moe > 0) {
    const double fm = static_cast<double>(m.moe_ffn_hidden_size > 0 ? m.moe_ffn_hidden_size : m.ffn_hidden_size);
    const double experts = static_cast<double>(m.experts_per_token + m.shared_experts);
    const double moe_share = n_moe / layers;
    fwd_split += moe_share * experts * (h + fm);
    bwd_split += moe_share * experts * (fc1_out * fm + h);
  }
  const double tp = p.tp;
  const double rep_div = p.sequence_parallel ? tp : 1.0;
  return {tokens * (fwd_replicated / rep_div + fwd_split / tp), tokens * (bwd_replicated / rep_div + bwd_split / tp)};
}

namespace {
/// Ranks `stride` apart, `size` of them: the groups of this kind tile the ranks in blocks of
/// L = stride · size consecutive ranks. `per_node`: the fewest of a group's ranks that any node it
/// touches holds (that node's NICs set the pace of a collective spanning nodes); `intra`: every
/// group lies inside one node (always, when the whole job of `world` ranks does).
struct Run {
  double per_node;
  bool intra;
};
Run run_in_nodes(double stride, double size, double node, double world) noexcept {
  if (size <= 1) return {1.0, true};
  if (world <= node) return {size, true};
  const auto block = static_cast<std::int64_t>(stride * size);
  const auto g = static_cast<std::int64_t>(node);
  const auto st = static_cast<std::int64_t>(stride);
  if (g <= 0 || st <= 0) return {1.0, false};
  if (block <= g && g % block == 0) return {size, true};  // whole groups per node
  if (block % g == 0) {
    // Whole nodes per group: each holds ⌊node / stride⌋ or ⌈node / stride⌉ of its ranks.
    return {std::max(1.0, std::floor(node / stride)), false};
  }
  // Neither divides the other (a size of 3 or 6 on 8-GPU nodes): group blocks and nodes cut each
  // other into pieces of gcd(L, node) ranks or multiples of it, the smallest holding gcd / stride ranks.
  const std::int64_t piece = std::gcd(block, g);
  return {std::max(1.0, std::floor(static_cast<double>(piece) / stride)), false};
}
}  // namespace

RankPlacement rank_placement(const Parallelism& p, double gpus_per_node) noexcept {
  const double tp = p.tp, cp = p.cp, dp = p.dp, pp = p.pp;
  const double node = gpus_per_node, world = tp * cp * dp * pp;
  RankPlacement r;
  // The data-parallel (gradient) group is dp·cp ranks: the CP ranks next to TP (stride tp), then the
  // DP ranks: right after them with the pipeline outermost (one run of dp·cp ranks, stride tp), or
  // after the pipeline (stride tp·cp·pp) with data parallelism outermost.
  // Without a pipeline both orders are tp-cp-dp: one run.
  if (p.rank_order == RankOrder::kPipelineOuter || p.pp == 1) {
    const Run g = run_in_nodes(tp, cp * dp, node, world);
    r.dp_ranks_per_node = g.per_node;
    r.dp_intra = g.intra;
    r.dp_span_gpus = tp * std::min(cp * dp, g.per_node);
  } else {
    const Run c = run_in_nodes(tp, cp, node, world);
    const double dp_stride = tp * cp * pp;
    // A node holds whole CP groups only when they are intra-node; then it holds as many DP members'
    // groups as the DP run puts there. Otherwise the node with a fragment of one CP group is the
    // bottleneck.
    const Run d = c.intra ? run_in_nodes(dp_stride, dp, node, world) : Run{1.0, dp <= 1};
    r.dp_ranks_per_node = c.per_node * d.per_node;
    r.dp_intra = c.intra && d.intra;
    r.dp_span_gpus = d.per_node > 1 ? dp_stride * d.per_node : tp * c.per_node;
  }
  // A pipeline's p2p sends stay inside a node only while all its stages do; otherwise at least one
  // boundary crosses the network and, in 1F1B's steady state, sets the pace.
  const double pp_stride = p.rank_order == RankOrder::kPipelineOuter ? tp * cp * dp : tp * cp;
  r.pp_intra = run_in_nodes(pp_stride, pp, node, world).intra;
  r.pp_span_gpus = pp_stride * pp;
  return r;
}

double ep_ranks_per_node(const Parallelism& p, double gpus_per_node) noexcept {
  return std::max(1.0, std::min<double>(p.ep, std::floor(gpus_per_node / static_cast<double>(p.tp))));
}

LayerGemms layer_linear_gemms(const ModelConfig& m, double tokens, const Parallelism& p) noexcept {
  return layer_linear_gemms(m, tokens, p, model_layer_mix(m));
}

LayerGemms layer_linear_gemms(const ModelConfig& m, double tokens, const Parallelism& p, const LayerMix& mix) noexcept {
  LayerGemms g;
  const double tp = p.tp;
  const auto add = [&](double flop_per_call, double share = 1.0, double calls = 1.0) {
    if (flop_per_call <= 0 || share <= 0 || g.count >= static_cast<int>(g.calls.size())) return;
    g.calls[static_cast<std::size_t>(g.count++)] = {flop_per_call, flop_per_call * calls * share};
  };
  const double t2 = 2.0 * tokens / tp;  // 2·tokens, split over TP: FLOPs = t2 · (input × output features)
  const double layers = mix.layers;
  // The attention projections run on the attention layers only (all but a hybrid model's Mamba layers).
  const double attn_share = mix.attention / mix.layers;
  const double h = static_cast<double>(m.hidden_size);
  const double heads = static_cast<double>(m.num_heads);
  const double q = heads * static_cast<double>(m.head_dim);
  const double o = heads * static_cast<double>(m.value_head_dim());
  if (m.is_mla()) {
    const double lq = static_cast<double>(m.q_lora_rank);
    const double lkv = static_cast<double>(m.kv_lora_rank);
    if (lq > 0) {
      add(t2 * h * lq);
      add(t2 * lq * q);
    } else {
      add(t2 * h * q);
    }
    add(t2 * h * (lkv + static_cast<double>(m.qk_rope_head_dim)));
    add(t2 * lkv * heads * static_cast<double>(m.qk_nope_head_dim + m.value_head_dim()));
  } else {
    const double kv = static_cast<double>(m.num_kv_heads);
    add(t2 * h * (q + kv * static_cast<double>(m.head_dim + m.value_head_dim())), attn_share);  // fused QKV
  }
  add(t2 * o * h, attn_share);  // output projection
  if (m.is_hybrid()) {          // Mamba layers: in_proj (z, x, B, C, dt) and out_proj
    const double inner = static_cast<double>(m.mamba_inner());
    add(t2 * h * (inner + static_cast<double>(m.mamba_conv_dim() + m.mamba_heads)), mix.mamba / mix.layers);
    add(t2 * inner * h, mix.mamba / mix.layers);
  }
  const double gate = m.mlp == MlpKind::kSwiglu ? 2.0 : 1.0;  // FC1 holds gate and up (SwiGLU)
  const double n_moe = m.is_moe() ? mix.moe : 0.0;
  const double dense_share = (layers - n_moe) / layers * (mix.mlp / mix.layers), moe_share = n_moe / layers;
  const double f = static_cast<double>(m.ffn_hidden_size);
  add(t2 * h * gate * f, dense_share);
  add(t2 * f * h, dense_share);
  if (n_moe > 0) {
    const double fm = static_cast<double>(m.moe_ffn_hidden_size > 0 ? m.moe_ffn_hidden_size : m.ffn_hidden_size);
    const double experts = static_cast<double>(m.num_experts);
    const double k = static_cast<double>(m.experts_per_token);
    add(t2 * h * experts, moe_share);  // router
    // The EP group's routed copies (ep·tokens·k) spread evenly over E experts; this rank runs E/ep of
    // them, each on ep·tokens·k/E tokens: E/ep calls per GEMM whose FLOPs add up to tokens·k's.
    const double local = std::max(1.0, experts / p.ep);
    add(t2 * k * h * gate * fm / local, moe_share, local);
    add(t2 * k * fm * h / local, moe_share, local);
    const double shared = static_cast<double>(m.shared_experts) * fm;  // one MLP of shared × fm
    add(t2 * h * gate * shared, moe_share);
    add(t2 * shared * h, moe_share);
  }
  return g;
}

namespace {
/// Forward FLOPs of the attention core per token and attention layer at sequence length `seq`:
/// QKᵀ (query/key width) and A·V (value width), full s² (Megatron convention).
double attention_core_flop_per_token(const ModelConfig& m, double seq) noexcept {
  return 2.0 * seq * static_cast<double>(m.num_heads) * static_cast<double>(m.head_dim + m.value_head_dim());
}
}  // namespace

double ssd_scan_flop_per_token(const ModelConfig& m, double seq) noexcept {
  if (!m.is_hybrid()) return 0.0;
  const double q = std::min(static_cast<double>(m.mamba_chunk), std::max(seq, 1.0));
  const double n = static_cast<double>(m.mamba_state);
  return static_cast<double>(m.mamba_inner()) * (q + 4.0 * n) + 2.0 * static_cast<double>(m.mamba_groups) * q * n;
}

double attention_core_flop(const ModelConfig& m, double tokens, double seq) noexcept {
  return attention_core_flop(m, tokens, seq, model_layer_mix(m));
}

double attention_core_flop(const ModelConfig& m, double tokens, double seq, const LayerMix& mix) noexcept {
  return tokens * (mix.attention / mix.layers * attention_core_flop_per_token(m, seq) +
                   mix.mamba / mix.layers * ssd_scan_flop_per_token(m, seq));
}

double layer_forward_flop(const ModelConfig& m, double tokens, double seq) noexcept {
  return layer_forward_flop(m, tokens, seq, model_layer_mix(m));
}

double layer_forward_flop(const ModelConfig& m, double tokens, double seq, const LayerMix& mix) noexcept {
  const double gemm =
      2.0 * tokens * (mixer_params_per_layer(m, false, mix) + mlp_active_params_per_layer(m, false, mix));
  return gemm + attention_core_flop(m, tokens, seq, mix);
}

double executed_attention_fraction(const ModelConfig& m, double seq, bool fused) noexcept {
  return executed_attention_fraction(m, seq, fused, model_layer_mix(m));
}

double executed_attention_fraction(const ModelConfig& m, double seq, bool fused, const LayerMix& mix) noexcept {
  if (!fused || seq <= 0) return 1.0;
  // Query i (1-based) attends to min(i, w) keys; a fused kernel skips the masked blocks, so the
  // work is the mean number of keys per query over s: (s + 1)/2 causal, w − w(w − 1)/(2s) for a
  // window w < s.
  const auto fraction = [seq](double window) {
    if (window <= 0 || window >= seq) return (seq + 1.0) / (2.0 * seq);
    return (window - window * (window - 1.0) / (2.0 * seq)) / seq;
  };
  const double attn_layers = static_cast<double>(m.attention_layers());
  const double swa = m.sliding_window > 0 ? static_cast<double>(m.sliding_window_layers) : 0.0;
  const double attn_fraction =
      attn_layers > 0
          ? (swa * fraction(static_cast<double>(m.sliding_window)) + (attn_layers - swa) * fraction(0.0)) / attn_layers
          : 1.0;
  if (!m.is_hybrid()) return attn_fraction;
  // A hybrid model's SSD scan FLOPs are counted as executed (causal halves already left out).
  // (The sliding-window share of the attention layers is the model's: which layers they are is not modelled.)
  const double attn = mix.attention / mix.layers * attention_core_flop_per_token(m, seq);
  const double ssd = mix.mamba / mix.layers * ssd_scan_flop_per_token(m, seq);
  return attn + ssd > 0 ? (attn * attn_fraction + ssd) / (attn + ssd) : 1.0;
}

namespace {
/// flash_backward_recompute_flop with the attention layers' own executed share given.
double flash_recompute_flop(const ModelConfig& m, double tokens, double seq, const LayerMix& mix,
                            double attention_executed_fraction) noexcept {
  if (mix.attention <= 0 || mix.layers <= 0) return 0.0;
  const double qk = 2.0 * seq * static_cast<double>(m.num_heads) * static_cast<double>(m.head_dim);
  return tokens * mix.attention / mix.layers * qk * attention_executed_fraction;
}
}  // namespace

double flash_backward_recompute_flop(const ModelConfig& m, double tokens, double seq, bool fused,
                                     const LayerMix& mix) noexcept {
  if (!fused) return 0.0;
  // The attention layers' own executed share (a hybrid's blended fraction also counts its SSD scan).
  const LayerMix attention_only{1.0, 1.0, 0.0, 0.0};
  return flash_recompute_flop(m, tokens, seq, mix, executed_attention_fraction(m, seq, true, attention_only));
}

TrainResult evaluate_train(const Workload& w, const ParamCounts& pc, const Rates& r, const Assumptions& a) noexcept {
  const ModelConfig& m = w.model;
  const Parallelism& p = w.par;
  const TrainSettings& t = w.train;
  TrainResult out;
  out.gpus = p.world();

  const double tp = p.tp, pp = p.pp, dp = p.dp, cp = p.cp;
  const double layers = static_cast<double>(m.num_layers);
  const StageLayout lay = stage_layout(m.num_layers, p);
  const double h = static_cast<double>(m.hidden_size);
  const double vocab = static_cast<double>(m.vocab_size);
  const double seq = static_cast<double>(t.seq_len);
  const double mb = static_cast<double>(t.micro_batch);
  const double micro_batches = static_cast<double>(t.global_batch) / (mb * dp);
  const double shard = dp * cp;  // ZeRO / distributed-optimizer sharding group
  // The job's GPUs on one node: they share its host RAM and host memory bandwidth (optimizer offload).
  const double job_gpus_per_node = std::max(1.0, std::min(r.gpus_per_node, static_cast<double>(p.world())));
  const double weight_bytes = activation_element_bytes(t);  // fp32 / tf32: 4; bf16, fp16 and fp8 (bf16 weights): 2
  const double act_bytes = weight_bytes;  // activations and TP / PP messages in the training dtype (fp8: bf16)
  const bool full = t.recompute == Recompute::kFull;
  // LoRA / QLoRA: the base model is frozen (no gradients, no optimizer states, no weight-gradient
  // GEMMs); the adapters are trained in mixed precision like a full model's weights.
  const bool peft = t.adapter.enabled();
  const bool offload = t.offload == Offload::kOptimizer;
  const bool qlora = t.adapter.method == AdapterMethod::kQlora;
  const AdapterCounts ac = peft ? count_adapters(m, t.adapter, p.tp, p.ep) : AdapterCounts{};

  // ---- memory per pipeline stage; the plan reports the stage that needs the most ----
  // Parameters of stage `stage` holding `stage_layers` layers: its layers (routed experts split over
  // EP), the input embedding on the first stage, and on the last the output layer (with tied
  // embeddings and pp > 1, Megatron's last stage keeps its own copy of the word embedding for it), the
  // final norm and any MTP modules.
  const double dense_per_layer = pc.per_layer - pc.per_layer_expert;
  const double expert_per_layer = pc.per_layer_expert / (tp * p.ep);
  // Which layers a stage holds (stage_layer_mix: Megatron's assignment, interleaved chunks included),
  // by kind. A MoE model's leading dense layers (DeepSeek-V3: 3) and a hybrid model's attention and
  // Mamba layers fall on the stages that hold them: a stage's parameters, activations, FLOPs,
  // memory-bound kernels and EP traffic count its own layers. Models whose layers are all alike
  // (and every plan without a pipeline) use the model's mean layer, which is then every layer.
  const LayerMix model_mix = model_layer_mix(m);
  const bool per_stage_mix = p.pp > 1 && (m.is_hybrid() || (m.is_moe() && m.first_dense_layers > 0));
  // A MoE stage's leading dense layers.
  const auto dense_layers_of = [&](const LayerMix& mix) { return mix.layers - mix.moe; };
  struct StageParams {
    double dense = 0;   ///< elements sharded over all dp·cp ranks
    double expert = 0;  ///< routed-expert elements (split over EP, sharded over dp·cp/ep)
  };
  // Elements per rank of the transformer layers of `mix`.
  const auto layer_params = [&](const LayerMix& mix) {
    StageParams s;
    if (per_stage_mix && m.is_hybrid()) {
      // Each kind of layer with its own mixer (ParamCounts' per-layer figures average them).
      s.dense = (mix.attention * pc.attention_mixer + mix.mamba * pc.mamba_mixer + (mix.mlp - mix.moe) * pc.mlp_dense +
                 mix.moe * pc.moe_mlp_shared + m.norms_per_layer() * mix.layers * pc.final_norm) /
                tp;
      s.expert = mix.moe * pc.moe_layer_expert / (tp * p.ep);
    } else if (m.is_moe()) {
      const double n_dense = dense_layers_of(mix), n_moe = mix.layers - n_dense;
      s.dense = (n_dense * pc.dense_layer + n_moe * pc.moe_layer_shared) / tp;
      s.expert = n_moe * pc.moe_layer_expert / (tp * p.ep);
    } else {
      s.dense = mix.layers * dense_per_layer / tp;
    }
    return s;
  };
  const auto stage_params = [&](int stage, const LayerMix& mix) {
    StageParams s = layer_params(mix);
    if (stage == 0) s.dense += pc.embedding / tp;
    if (stage == p.pp - 1) {
      s.dense += (p.pp == 1 ? pc.output : vocab * h) / tp + pc.final_norm + (pc.mtp - pc.mtp_expert) / tp;
      s.expert += pc.mtp_expert / (tp * p.ep);
      // MTP modules embed the shifted tokens with the main model's embedding: a last stage that does
      // not hold it already (pp > 1, untied) keeps its own copy (Megatron-Core builds the embedding on
      // the MTP stage).
      if (m.mtp_layers > 0 && p.pp > 1 && !m.tied_embeddings) s.dense += vocab * h / tp;
    }
    return s;
  };
  // Per rank on stage `stage`: the adapters' trainable elements, and the frozen linear-layer
  // elements (what QLoRA holds in 4 bits), split like the stage's parameters.
  // (A hybrid model's adapters: count_adapters' mean layer.)
  const auto stage_adapter = [&](const LayerMix& mix, bool frozen) {
    StageParams s;
    const auto pick = [frozen](const AdapterLayer& l) { return frozen ? l.frozen_linear : l.elements; };
    if (m.is_moe()) {
      const double n_dense = dense_layers_of(mix), n_moe = mix.layers - n_dense;
      s.dense = n_dense * pick(ac.dense) + n_moe * pick(ac.moe_shared);
      s.expert = n_moe * pick(ac.moe_expert);
    } else {
      s.dense = mix.layers * pick(ac.dense);
    }
    return s;
  };
  // Routed-expert weights are split over EP, and their gradients and optimizer states are reduced
  // and sharded over the expert-data-parallel group of dp·cp/ep ranks (the other ranks of dp·cp
  // hold other experts); everything else over all dp·cp ranks.
  const double expert_shard = std::max(1.0, shard / p.ep);
  const double state_bytes_per_element = optimizer_state_bytes(t.optimizer);  // Adam: m and v
  // Micro-batches whose activations stage `stage` holds at its peak, in units of a whole stage's
  // layers. 1F1B: min(pp − stage, m). Interleaved (Megatron): (pp − stage − 1)·2 + (vpp − 1)·pp warm-up
  // chunks plus the one in progress, each 1/vpp of the stage; on the first stage that is
  // pp·(1 + (pp − 1)/(pp·vpp)), Korthikanti et al.'s factor.
  const auto in_flight_at = [&](double stage) {
    if (p.vpp == 1) return std::min(pp - stage, micro_batches);
    const double chunks = (pp - stage - 1.0) * 2.0 + (p.vpp - 1.0) * pp + 1.0;
    return std::min(chunks, micro_batches * p.vpp) / p.vpp;
  };
  // ---- per-layer costs of a set of layers (the model's mean layer, or one stage's own layers) ----
  TrainTime& tt = out.time;
  tt.micro_batches = micro_batches;
  const double tokens_mb = seq * mb;  // tokens of one micro-batch (whole sequence; CP splits the work)
  const double sbh = seq / cp * mb * h;
  const double logits_fwd = 2.0 * tokens_mb * h * static_cast<double>(m.vocab_size) / (tp * cp);
  // FP8 (Transformer Engine under fp8_autocast, as Megatron-Core / NeMo run it): only the TE linear
  // layers' GEMMs (QKV, projection, FC1, FC2, MTP's projection) run at the FP8 rate; the attention
  // core (DotProductAttention: fp8_dpa off by default) and Megatron's output layer (a plain
  // ColumnParallelLinear outside TE) run in bf16.
  const bool fp8 = t.precision == Precision::kFp8;
  const double hp_rate =
      r.higher_precision_gemm_flop_per_s > 0 ? r.higher_precision_gemm_flop_per_s : r.gemm_flop_per_s;
  const GemmRateCurve& hp_curve = fp8 ? r.higher_precision_gemm_curve : r.gemm_curve;
  double out_rate = fp8 ? hp_rate : r.gemm_flop_per_s;
  if (!hp_curve.empty()) out_rate = hp_curve.at(logits_fwd);
  // Frozen weights (LoRA) need no weight-gradient GEMMs: their linear layers and the output layer
  // run forward + input gradient only (2× instead of 3×); the attention core has no weights.
  const double lin_passes = peft ? 2.0 : 3.0;
  const double mtp = static_cast<double>(m.mtp_layers);
  // FP8 weight casts, once per step: TE caches their FP8 copies from the first micro-batch
  // (is_first_microbatch), since they do not change until the optimizer step (zero unless FP8).
  const double fp8_cast_s_per_weight = fp8 ? a.fp8_cast_bytes_per_element / r.memory_bytes_per_s : 0.0;
  const double fp8_weight_elements_per_layer = fp8 ? dense_per_layer / tp + expert_per_layer : 0.0;
  double adapter_largest_matrix = 0;
  if (peft) {
    adapter_largest_matrix =
        std::max({ac.dense.largest_matrix, ac.moe_shared.largest_matrix, ac.moe_expert.largest_matrix});
  }
  // Tensor parallel: 2 all-reduces (or all-gather + reduce-scatter with SP) per layer forward, 2 in
  // backward, 2 more when the forward is recomputed; message = s/cp·b·h activations. Per layer.
  double tp_layer = 0;
  if (p.tp > 1) {
    const double per_collective = tp_allreduce_time_s(sbh * act_bytes, p.tp, r);
    // (Nemotron-H's separate mixer and MLP layers have one row-parallel output each: half as many.)
    tp_layer = (4.0 + (full ? 2.0 : 0.0)) * m.norms_per_layer() / 2.0 * per_collective * (1.0 - t.tp_comm_overlap);
  }

  // One layer's costs, averaged over the layers of `mix` (sums over a stage's layers are mix.layers
  // times these): stored activations, GEMM and memory-bound seconds of one micro-batch (recompute
  // included), the windows data-parallel communication can hide behind, context-parallel exposure.
  struct LayerTerms {
    double act_base_bytes;       // activations stored per micro-batch, without adapters
    double act_bytes;            // with the adapters' intermediates
    double recompute_bytes;      // full recompute: one layer's full activations, re-created in backward
    double lin_rate, attn_rate;  // GEMM rates (FLOP/s) of the linear layers and the attention core
    double lin_fwd, attn_exec_fwd, recompute_flop;  // FLOPs per rank: linear GEMMs, executed core, recomputed
    double compute_s, recompute_compute_s, elementwise_s, recompute_ew_s;
    double adapter_s, dequant_pass_s, dequant_s;
    double fwd_window_s, bwd_window_s, cp_s, per_layer_s;
    double executed_fraction;  // executed_attention_fraction of these layers
    double flash_recompute;    // FLOPs per rank a fused attention backward adds (QKᵀ again), per micro-batch
  };
  const auto terms_of = [&](const LayerMix& mix) {
    LayerTerms x{};
    // The adapters of one layer, averaged over the layers like the other per-layer terms (dense and
    // MoE layers of a MoE model).
    AdapterLayer adapter_avg;
    if (peft) {
      const double moe_share = m.is_moe() ? mix.moe / mix.layers : 0.0;
      const auto blend = [&](double AdapterLayer::*f) {
        return (1.0 - moe_share) * ac.dense.*f + moe_share * (ac.moe_shared.*f + ac.moe_expert.*f);
      };
      adapter_avg.elements = blend(&AdapterLayer::elements);
      adapter_avg.frozen_linear = blend(&AdapterLayer::frozen_linear);
      adapter_avg.flop_per_token = blend(&AdapterLayer::flop_per_token);
      adapter_avg.fwd_bytes_per_token = blend(&AdapterLayer::fwd_bytes_per_token);
      adapter_avg.bwd_bytes_per_token = blend(&AdapterLayer::bwd_bytes_per_token);
      adapter_avg.stored_per_token = blend(&AdapterLayer::stored_per_token);
    }
    // The layer's activations without recompute (with the s² scores unless fused): what full recompute
    // re-creates in backward, and the memory-bound kernels' traffic below. (The recompute setting is
    // all that activation_bytes_per_layer's cases differ in, so each is computed once here.)
    const double no_recompute_bytes = layer_activation_bytes_no_recompute(m, p, t, !t.flash_attention, mix);
    // Without full recompute each adapter keeps its rank-r intermediate x·A for B's gradient.
    const bool selective_scores = t.recompute == Recompute::kSelective && !t.flash_attention;
    x.act_base_bytes = full               ? activation_bytes_per_layer(m, p, t, mix)  // the layer input only
                       : selective_scores ? layer_activation_bytes_no_recompute(m, p, t, false, mix)
                                          : no_recompute_bytes;
    x.act_bytes = x.act_base_bytes + (peft && !full ? seq / cp * mb * adapter_avg.stored_per_token * act_bytes : 0.0);
    // Recomputing one layer's forward re-creates its full activations for one micro-batch.
    x.recompute_bytes = full ? no_recompute_bytes : 0.0;
    // A fused attention kernel skips the causally masked blocks of the s² scores, so it executes only
    // part of the attention core; the Megatron count (model and hardware FLOPs) keeps the full s².
    const double attn_core_fwd = attention_core_flop(m, tokens_mb, seq, mix) / (tp * cp);
    x.executed_fraction = executed_attention_fraction(m, seq, t.flash_attention, mix);
    const double attn_skipped = attn_core_fwd * (1.0 - x.executed_fraction);
    const double attn_exec_fwd = attn_core_fwd - attn_skipped;
    // (Outside hybrids the executed share just computed is the attention layers' own.)
    x.flash_recompute = !t.flash_attention ? 0.0
                        : m.is_hybrid()    ? flash_backward_recompute_flop(m, tokens_mb, seq, true, mix) / (tp * cp)
                                        : flash_recompute_flop(m, tokens_mb, seq, mix, x.executed_fraction) / (tp * cp);
    const double layer_fwd = layer_forward_flop(m, tokens_mb, seq, mix) / (tp * cp) - attn_skipped;
    // Selective recompute re-runs the attention layers' core only (Megatron's core-attention
    // checkpointing), not a hybrid model's SSD scan.
    const double recompute_layer =
        full ? layer_fwd
        : selective_scores
            ? attn_core_fwd - tokens_mb * (mix.mamba / mix.layers) * ssd_scan_flop_per_token(m, seq) / (tp * cp)
            : 0.0;
    // GEMM rates of the linear layers and the attention core: one flat rate each, unless the profile
    // has a measured curve, which gives each GEMM the rate of its FLOPs per call (backward GEMMs have
    // their forward GEMM's FLOPs, so one rate serves all passes). The linear layers' rate is
    // FLOP-weighted over their calls.
    x.lin_rate = r.gemm_flop_per_s;
    x.attn_rate = fp8 ? hp_rate : r.gemm_flop_per_s;
    if (!r.gemm_curve.empty()) {
      const LayerGemms calls = layer_linear_gemms(m, tokens_mb / cp, p, mix);
      if (const double time = calls.seconds_on(r.gemm_curve); time > 0) x.lin_rate = calls.flop() / time;
    }
    if (!hp_curve.empty()) {
      // The attention core is one fused kernel per layer and micro-batch, or two batched GEMMs (QKᵀ,
      // A·V); context parallelism runs it as cp ring steps, each on one K/V chunk.
      x.attn_rate = hp_curve.at((t.flash_attention ? attn_exec_fwd : attn_exec_fwd / 2.0) / cp);
    }
    const auto gemm_s = [&](double linear_flop, double attention_flop) {
      return linear_flop / x.lin_rate + attention_flop / x.attn_rate;
    };
    // Per layer and micro-batch: the linear GEMMs, the executed attention core and, recomputed, the
    // attention core a recompute repeats (full: the executed one; selective without a fused kernel:
    // all of it).
    const double lin_fwd = layer_fwd - attn_exec_fwd;
    const double recompute_lin = full ? lin_fwd : 0.0;
    const double recompute_attn = recompute_layer - recompute_lin;
    // The adapters (LoRA runs them in bf16 even under FP8): thin GEMMs of rank r, each at the slower
    // of its FLOPs at the bf16 rate and its memory traffic; backward has twice the FLOPs of forward.
    double adapter_fwd_s = 0, adapter_bwd_s = 0;
    if (peft) {
      const double tokens_rank = tokens_mb / cp;
      const double f = tokens_rank * adapter_avg.flop_per_token;
      adapter_fwd_s = std::max(f / hp_rate, tokens_rank * adapter_avg.fwd_bytes_per_token / r.memory_bytes_per_s);
      adapter_bwd_s =
          std::max(2.0 * f / hp_rate, tokens_rank * adapter_avg.bwd_bytes_per_token / r.memory_bytes_per_s);
    }
    x.adapter_s = adapter_fwd_s + adapter_bwd_s + (full ? adapter_fwd_s : 0.0);
    x.compute_s =
        gemm_s(lin_passes * lin_fwd + recompute_lin, 3.0 * attn_exec_fwd + x.flash_recompute + recompute_attn) +
        x.adapter_s;
    x.recompute_compute_s = gemm_s(recompute_lin, recompute_attn) + (full ? adapter_fwd_s : 0.0);
    // Without a fused attention kernel the raw QKᵀ scores (2·a·s²·b bytes, not kept for backward
    // since softmax's backward uses its output) are also written and read once per pass.
    const double raw_scores = t.flash_attention ? 0.0
                                                : act_bytes * static_cast<double>(m.num_heads) * (seq / cp) * seq *
                                                      mb / tp * (mix.attention / mix.layers);
    // Memory-bound kernels: every stored activation is written once and read once in forward
    // (traffic factor), backward moves about twice that; recompute repeats the forward.
    const double layer_traffic = a.elementwise_traffic_factor * (no_recompute_bytes + raw_scores);
    // Selective recompute re-runs the attention core (softmax, dropout over the s² scores) in
    // backward: its share of the traffic is the score tensors' bytes (what it does not store).
    const double selective_traffic =
        selective_scores ? a.elementwise_traffic_factor * (no_recompute_bytes - x.act_base_bytes + raw_scores)
            : 0.0;
    const double recompute_traffic = full ? layer_traffic : selective_traffic;
    // FP8 quantisation traffic (memory-bound; zero for other precisions): each FP8 GEMM input is cast
    // (and transposed) once in forward, again when full recompute repeats the forward, and each
    // output gradient once in backward. Times per layer and micro-batch.
    double cast_fwd_s = 0, cast_bwd_s = 0;
    if (fp8) {
      const Fp8CastElements cast = fp8_cast_elements_per_layer(m, p, t, mix);
      cast_fwd_s = a.fp8_cast_bytes_per_element * cast.forward / r.memory_bytes_per_s;
      cast_bwd_s = a.fp8_cast_bytes_per_element * cast.backward / r.memory_bytes_per_s;
    }
    const double cast_recompute_s = full ? cast_fwd_s : 0.0;
    // QLoRA dequantises every frozen linear weight to bf16 before each GEMM that reads it: forward,
    // input gradient and, with full recompute, forward again (read 4.127 bits, write 2 bytes each time).
    x.dequant_pass_s =
        qlora ? adapter_avg.frozen_linear * (kQloraBytesPerWeight + weight_bytes) / r.memory_bytes_per_s : 0.0;
    x.dequant_s = (2.0 + (full ? 1.0 : 0.0)) * x.dequant_pass_s;
    x.elementwise_s = (3.0 * layer_traffic + recompute_traffic) / r.memory_bytes_per_s +
                      (cast_fwd_s + cast_bwd_s + cast_recompute_s) + x.dequant_s;
    x.recompute_ew_s = recompute_traffic / r.memory_bytes_per_s + cast_recompute_s + (full ? x.dequant_pass_s : 0.0);
    // One micro-batch's forward and backward through one layer: per-layer windows that overlapped
    // data-parallel communication can hide behind.
    const double layer_fwd_s = gemm_s(lin_fwd, attn_exec_fwd) + layer_traffic / r.memory_bytes_per_s;
    x.fwd_window_s = layer_fwd_s + cast_fwd_s + adapter_fwd_s + x.dequant_pass_s;
    x.bwd_window_s =
        (peft ? gemm_s(lin_fwd, 2.0 * attn_exec_fwd) + 2.0 * layer_traffic / r.memory_bytes_per_s : 2.0 * layer_fwd_s) +
        gemm_s(recompute_lin, recompute_attn + x.flash_recompute) + recompute_traffic / r.memory_bytes_per_s +
        (cast_bwd_s + cast_recompute_s) + adapter_bwd_s + (full ? adapter_fwd_s : 0.0) +
        (x.dequant_s - x.dequant_pass_s);
    // Context parallel (ring attention): a layer's forward passes each rank's K and V chunk
    // (s/cp·b tokens, split over TP) cp − 1 times around the ring; backward passes K, V and their
    // gradients (twice the bytes); full recompute repeats the forward. Each send overlaps with the
    // attention block it feeds, so only what exceeds the attention core's time is exposed (in
    // backward twice the core plus a fused kernel's QKᵀ recompute). CP ranks sit next to the TP
    // ranks: intra-node while tp·cp fits in a node.
    if (p.cp > 1) {
      const bool intra = tp * cp <= r.gpus_per_node;
      const double bw = intra ? r.intra_bus_for(tp * cp) : r.inter_bus_bytes_per_s;
      const double alpha = intra ? r.intra_alpha_s : r.inter_alpha_s;
      const double kv_heads = static_cast<double>(m.is_mla() ? m.num_heads : m.num_kv_heads);
      const double kv_chunk_bytes =
          seq / cp * mb * kv_heads * static_cast<double>(m.head_dim + m.value_head_dim()) * act_bytes / tp;
      const double ring_s = (cp - 1.0) * (alpha + kv_chunk_bytes / bw);
      const double attn_s = attn_exec_fwd / x.attn_rate;
      const double fwd_exposed = std::max(0.0, ring_s - attn_s);
      const double bwd_exposed = std::max(0.0, 2.0 * (ring_s - attn_s) - x.flash_recompute / x.attn_rate);
      x.cp_s = (full ? 2.0 : 1.0) * fwd_exposed + bwd_exposed;
    }
    x.lin_fwd = lin_fwd;
    x.attn_exec_fwd = attn_exec_fwd;
    x.recompute_flop = recompute_layer;
    x.per_layer_s = x.compute_s + x.elementwise_s + tp_layer + x.cp_s;
    return x;
  };
  // The model's mean layer: every layer of a uniform model; the MTP modules' layers; the model-wide
  // figures (rates reported, hardware FLOPs).
  const LayerTerms mt = terms_of(model_mix);
  tt.gemm_linear_flop_per_s = mt.lin_rate;
  tt.gemm_attention_flop_per_s = mt.attn_rate;
  tt.gemm_output_flop_per_s = out_rate;

  // The stages evaluated: with per_stage_mix every stage with its own layers (stages holding the same
  // mix share their per-layer costs); otherwise the first, the middle ones as one (`count` of them,
  // all alike) and the last.
  struct Stage {
    int stage;
    double count;             // stages it stands for
    LayerMix mix;             // its layers (mix.layers of them) by kind
    const LayerTerms* terms;  // their per-layer costs (valid until the next stage_at)
  };
  struct CachedTerms {
    LayerMix mix;
    LayerTerms terms;
  };
  std::array<CachedTerms, 6> terms_cache;  // filled up to `cached`
  int cached = 0;
  LayerTerms uncached;  // a mix the full cache does not hold
  const auto stage_at = [&](int stage, double count) {
    if (p.pp == 1) return Stage{0, count, model_mix, &mt};
    if (!per_stage_mix) {
      // All layers alike: the stage's layer count, all of the model's one kind.
      const double n = static_cast<double>(stage == 0 ? lay.first : stage == p.pp - 1 ? lay.last : lay.middle);
      return Stage{stage, count, LayerMix{n, n, 0.0, n, m.is_moe() ? n : 0.0}, &mt};
    }
    Stage e{stage, count, stage_layer_mix(m, p, stage), nullptr};
    for (int i = 0; i < cached; ++i) {
      if (terms_cache[static_cast<std::size_t>(i)].mix == e.mix) {
        e.terms = &terms_cache[static_cast<std::size_t>(i)].terms;
        return e;
      }
    }
    if (cached < static_cast<int>(terms_cache.size())) {
      CachedTerms& c = terms_cache[static_cast<std::size_t>(cached++)];
      c = {e.mix, terms_of(e.mix)};
      e.terms = &c.terms;
    } else {
      uncached = terms_of(e.mix);
      e.terms = &uncached;
    }
    return e;
  };
  // Calls f(stage) for the first stage, the middle ones and the last, in pipeline order.
  const auto for_each_stage = [&](const auto& f) {
    f(stage_at(0, 1.0));
    if (per_stage_mix) {
      for (int s = 1; s < p.pp - 1; ++s) f(stage_at(s, 1.0));
    } else if (p.pp > 2) {
      f(stage_at(1, static_cast<double>(lay.middle_stages)));
    }
    if (p.pp > 1) f(stage_at(p.pp - 1, 1.0));
  };

  // ---- memory per pipeline stage; the plan reports the stage that needs the most ----
  // `sp`: stage_params(e.stage, e.mix); `trained`: what the stage trains (sp, or with LoRA its adapters).
  const auto stage_memory = [&](const Stage& e, const StageParams& sp, const StageParams& trained) {
    const int stage = e.stage;
    const double stage_layers = e.mix.layers;
    const double per_layer = e.terms->act_bytes;
    TrainMemory mem;
    mem.stage = stage;
    mem.stage_layers = stage_layers;
    // Elements per rank of `s` after ZeRO sharding at `zero` and above.
    const auto sharded = [&](const StageParams& s, int zero) {
      return t.zero_stage >= zero ? s.dense / shard + s.expert / expert_shard : s.dense + s.expert;
    };
    mem.params_on_gpu = sp.dense + sp.expert;
    mem.weights_bytes = sharded(sp, 3) * weight_bytes;
    // What is trained: every parameter, or with LoRA only the adapters (bf16 like the base weights,
    // with gradients, fp32 master copies and Adam moments); QLoRA stores the frozen linear weights in 4 bits.
    if (peft) {
      mem.trainable_params_on_gpu = trained.dense + trained.expert;
      mem.params_on_gpu += mem.trainable_params_on_gpu;
      mem.weights_bytes += sharded(trained, 3) * weight_bytes;
      if (qlora) {
        mem.weights_bytes -= sharded(stage_adapter(e.mix, true), 3) * (weight_bytes - kQloraBytesPerWeight);
      }
    } else {
      mem.trainable_params_on_gpu = mem.params_on_gpu;
    }
    if (t.zero_stage == 3 && shard > 1) {
      // ZeRO 3 gathers each layer's weights before using them and frees them after: the one in use and
      // the one prefetched (FSDP's default; DeepSpeed's stage3_prefetch_bucket_size) are whole on the
      // GPU. The largest gathered unit is a layer of the stage or, on the first / last stage, the word
      // embedding / output layer (split over TP like the layers).
      // Only what is sharded is gathered: routed experts held whole (EP = dp·cp) are not. QLoRA's
      // frozen linear weights are gathered in their 4-bit storage (FSDP-QLoRA).
      const double frozen_bytes = qlora ? kQloraBytesPerWeight : weight_bytes;
      const auto gathered = [&](double elements, double frozen, bool sharded_group) {
        return sharded_group ? (elements - frozen) * weight_bytes + frozen * frozen_bytes : 0.0;
      };
      const bool experts_sharded = expert_shard > 1;
      double unit = 0;
      if (m.is_moe()) {
        // A leading dense layer (DeepSeek-V3's first 3) only on a stage that holds one.
        const bool has_dense = dense_layers_of(e.mix) > 0;
        const bool has_moe = stage_layers - dense_layers_of(e.mix) > 0;
        unit = std::max(has_dense ? gathered(pc.dense_layer / tp, peft ? ac.dense.frozen_linear : 0.0, true) : 0.0,
                        has_moe ? gathered(pc.moe_layer_shared / tp, peft ? ac.moe_shared.frozen_linear : 0.0, true) +
                                      gathered(pc.moe_layer_expert / (tp * p.ep),
                                               peft ? ac.moe_expert.frozen_linear : 0.0, experts_sharded)
                                : 0.0);
      } else {
        // (the largest layer kind of a hybrid model: ZeRO 3 gathers whole layers)
        unit =
            gathered(std::max(dense_per_layer, pc.largest_dense_layer) / tp, peft ? ac.dense.frozen_linear : 0.0, true);
      }
      if (stage == 0) unit = std::max(unit, pc.embedding / tp * weight_bytes);
      if (stage == p.pp - 1) unit = std::max(unit, (p.pp == 1 ? pc.output : vocab * h) / tp * weight_bytes);
      mem.weights_bytes += 2.0 * unit;
    }
    mem.gradients_bytes = sharded(trained, 2) * t.grad_bytes;
    mem.master_bytes = weight_bytes < 4.0 ? sharded(trained, 1) * 4.0 : 0.0;
    mem.optimizer_bytes = sharded(trained, 1) * state_bytes_per_element;
    if (offload) {
      // ZeRO-Offload (DeepSpeed): the host holds an fp32 copy of the shard's weights (the one CPU Adam
      // updates, whatever the training dtype), the optimizer states and the shard's fp32 gradients;
      // ZeRO 2 / 3 accumulating over micro-batches keep a model-dtype accumulation buffer there too.
      // On the GPU: the weights, and with ZeRO 1 the gradients in the model's dtype (DeepSpeed's
      // ZeRO optimizers accumulate in it), reduced whole before they go down; ZeRO 2 / 3 stream them
      // out bucket by bucket (the buckets are in the runtime overhead).
      const double elements = sharded(trained, 1);
      mem.host_bytes = elements * (4.0 + state_bytes_per_element + 4.0 +
                                   (t.zero_stage >= 2 && micro_batches > 1 ? act_bytes : 0.0));
      mem.master_bytes = 0;
      mem.optimizer_bytes = 0;
      mem.gradients_bytes = t.zero_stage >= 2 ? 0.0 : sharded(trained, 2) * act_bytes;
    }
    mem.activations_per_layer_bytes = per_layer;
    const double in_flight = in_flight_at(stage);
    const double activations = per_layer * stage_layers * in_flight + e.terms->recompute_bytes;
    double embedding_acts = 0;
    if (stage == 0 && m.dropout) {
      embedding_acts += sbh / (p.sequence_parallel ? tp : 1.0) * in_flight;  // embedding dropout mask
    }
    if (stage == p.pp - 1) {
      // Final norm output, logits and cross-entropy in fp32: 4·s·b·h·(1 + V/h) / TP (Megatron), for the
      // one micro-batch the last stage runs at a time; each MTP module adds a layer's activations and
      // its own logits.
      // (MTP modules carry no adapters: their layer stores what a layer without them does.)
      embedding_acts += (1.0 + mtp) * 4.0 * sbh * (1.0 + vocab / h) / tp + mtp * mt.act_base_bytes * in_flight;
    }
    mem.embedding_activations_bytes = embedding_acts;
    mem.activations_bytes = activations + embedding_acts;
    // QLoRA dequantises one frozen matrix at a time into a bf16 buffer (the largest one bounds it).
    mem.overhead_bytes = a.runtime_overhead_bytes + (qlora ? adapter_largest_matrix * weight_bytes : 0.0);
    mem.total_bytes = mem.weights_bytes + mem.gradients_bytes + mem.master_bytes + mem.optimizer_bytes +
                      mem.activations_bytes + mem.overhead_bytes;
    mem.capacity_bytes = r.memory_bytes;
    mem.margin_bytes = mem.capacity_bytes - mem.total_bytes;
    mem.fits = mem.margin_bytes >= 0;
    return mem;
  };
  // The first stage (most micro-batches in flight, the input embedding), the middle ones and the last
  // (output layer, logits). Without per-stage mixes the first middle stage stands for them all (the
  // most in flight among them, which may hold more layers than the first); with them each middle
  // stage is evaluated and the one that needs the most is recorded.
  const auto record = [&](const TrainMemory& s) {
    out.stages[static_cast<std::size_t>(out.stage_count++)] = StageMemory{s.stage, s.stage_layers, s.total_bytes};
  };


  // Pipeline: one activation send forward and one gradient send backward per micro-batch per stage
  // boundary, split over the TP ranks (scatter-gather). With interleaving a micro-batch crosses every
  // stage vpp times (Narayanan et al. 2021 §2.2.2). Intra- or inter-node as the rank order places the
  // stages (rank_placement).
  const RankPlacement place = rank_placement(p, r.gpus_per_node);
  double pp_mb = 0;
  if (p.pp > 1) {
    const bool intra = place.pp_intra;
    const double bw = intra ? r.intra_bus_for(place.pp_span_gpus) : r.inter_bus_bytes_per_s;
    const double alpha = intra ? r.intra_alpha_s : r.inter_alpha_s;
    pp_mb = 2.0 * p.vpp * (alpha + sbh * act_bytes / tp / bw);
  }
  // Expert parallel: every MoE layer dispatches each token's hidden state to its top-k experts and
  // combines the results back (two all-to-alls forward, two backward, two more with full
  // recompute). Each rank routes its own s/cp·b/tp tokens (Megatron runs MoE with TP under
  // sequence parallelism); EP ranks sit next to the TP ranks, so tp·ep/node of them share a node.
  double ep_layer = 0;  // averaged over the layers (leading dense layers have none)
  if (m.is_moe() && p.ep > 1) {
    const double local = ep_ranks_per_node(p, r.gpus_per_node);
    const double bytes = seq / cp * mb / tp * static_cast<double>(m.experts_per_token) * h * act_bytes;
    // Node-limited routing (DeepSeek-V3) changes only the byte split between NVLink and the network;
    // without it, or with EP inside one node, this is alltoall_time_s(bytes, ...) exactly.
    const double per_alltoall = node_limited_alltoall_time_s(
        bytes, static_cast<int>(m.experts_per_token), static_cast<int>(m.max_nodes_per_token), p.ep,
        static_cast<int>(local), r.intra_bus_for(tp * local), r.inter_bus_bytes_per_s, r.intra_alpha_s, r.inter_alpha_s);
    ep_layer = static_cast<double>(m.moe_layers()) / layers * (4.0 + (full ? 2.0 : 0.0)) * per_alltoall;
  }
  const double ep_moe_layer = m.moe_layers() > 0 ? ep_layer * layers / static_cast<double>(m.moe_layers()) : 0.0;
  // The last stage's head: the output layer and per MTP module a layer (the model's mean layer) with
  // the 2h→h projection (timed with the linear GEMMs), its memory-bound kernels, TP, CP and, for
  // MoE, EP traffic, and its logits.
  const auto head_gemm_s = [&](double linear_flop, double attention_flop, double output_flop) {
    return linear_flop / mt.lin_rate + attention_flop / mt.attn_rate + output_flop / out_rate;
  };
  const double mtp_lin_fwd = mt.lin_fwd + 4.0 * tokens_mb * h * h / (tp * cp);
  const double compute_head =
      head_gemm_s(lin_passes * mtp * mtp_lin_fwd, mtp * (3.0 * mt.attn_exec_fwd + mt.flash_recompute),
                  lin_passes * (1.0 + mtp) * logits_fwd);
  // The head's backward: all but its forward (2 of 3 passes, or with frozen weights 1 of the linear
  // and output layers' 2; the attention core's 2 and a fused kernel's recompute).
  const double head_bwd_s =
      compute_head - head_gemm_s(mtp * mtp_lin_fwd, mtp * mt.attn_exec_fwd, (1.0 + mtp) * logits_fwd);
  // MTP modules are not quantised (QLoRA keeps them in bf16): no dequantisation in their layer.
  const double head_other_s = mtp * (mt.elementwise_s - mt.dequant_s + tp_layer + mt.cp_s + ep_moe_layer);
  // A stage's micro-batch: its layers (and the EP traffic of its MoE layers), one send each way per
  // boundary, and the head on the last stage.
  const auto stage_s = [&](const Stage& e) {
    return e.mix.layers * e.terms->per_layer_s + e.mix.moe * ep_moe_layer + pp_mb +
           (e.stage == p.pp - 1 ? compute_head + head_other_s : 0.0);
  };
  // 1F1B (and interleaved) with stages of unequal time: the slowest stage runs all m micro-batches
  // back to back; the first micro-batch's forward reaches it through the stages before it and the
  // last one's backward leaves through them, so the step is m·T_max + (ΣT − T_max)/vpp. With equal
  // stages whose last one adds the output layer that is m·T_last + (pp − 1)·T_layers/vpp.

  // Data parallel over dp·cp ranks (routed experts over the dp·cp/ep expert-data-parallel group).
  // ZeRO 0: all-reduce the gradients once per step. ZeRO 1: reduce-scatter them once, all-gather the
  // updated weights. ZeRO 2 and 3 keep only a shard of the gradients, so every micro-batch's
  // gradients are reduce-scattered; ZeRO 3 also gathers the weights before every micro-batch's forward
  // and backward (and needs no gather after the update). With overlap (bucketed reduction as in
  // PyTorch DDP/FSDP, Megatron --overlap-grad-reduce), a reduction runs during the backward of its
  // micro-batch and a gather during a forward or backward: at most that window is hidden.
  // The dp·cp group's ranks that share a node as the rank order places them (rank_placement); across
  // nodes they share their NICs' bandwidth.
  const double local = place.dp_ranks_per_node;
  const bool dp_intra = place.dp_intra;
  const double dp_bus = dp_intra ? r.intra_bus_for(place.dp_span_gpus)
                                 : std::min(r.intra_bus_for(place.dp_span_gpus), r.inter_bus_bytes_per_s * local);
  const double dp_alpha = dp_intra ? r.intra_alpha_s : r.inter_alpha_s;
  // The parameters a stage trains (all, or with LoRA its adapters) and the bytes of all the weights it
  // holds (ZeRO 3 gathers those; QLoRA's frozen linear weights travel in 4 bits).
  // `base` is stage_params(stage, mix).
  const auto stage_weight_bytes = [&](const LayerMix& mix, const StageParams& base) {
    StageParams b{base.dense * weight_bytes, base.expert * weight_bytes};
    if (peft) {
      const StageParams ad = stage_adapter(mix, false);
      b.dense += ad.dense * weight_bytes;
      b.expert += ad.expert * weight_bytes;
    }
    if (qlora) {
      const StageParams q = stage_adapter(mix, true);
      b.dense -= q.dense * (weight_bytes - kQloraBytesPerWeight);
      b.expert -= q.expert * (weight_bytes - kQloraBytesPerWeight);
    }
    return b;
  };
  // `sp`: what the stage trains (stage_params, or with LoRA its adapters).
  const auto dp_time = [&](const Stage& e, const StageParams& base, const StageParams& sp) {
    if (shard <= 1) return 0.0;
    const double fwd_window_s = e.mix.layers * e.terms->fwd_window_s;
    const double bwd_window_s = e.mix.layers * e.terms->bwd_window_s;
    const int n = static_cast<int>(shard);
    const int n_expert = static_cast<int>(expert_shard);
    const double reduce_s = t.zero_stage == 0
                                ? allreduce_time_s(sp.dense * t.grad_bytes, n, dp_bus, dp_alpha) +
                                      allreduce_time_s(sp.expert * t.grad_bytes, n_expert, dp_bus, dp_alpha)
                                : allgather_time_s(sp.dense * t.grad_bytes, n, dp_bus, dp_alpha) +
                                      allgather_time_s(sp.expert * t.grad_bytes, n_expert, dp_bus, dp_alpha);
    // ZeRO 1 / 2 gather the updated (trained) weights once per step; ZeRO 3 gathers every weight the
    // stage holds before each micro-batch's forward and backward.
    const double gather_s = allgather_time_s(sp.dense * weight_bytes, n, dp_bus, dp_alpha) +
                            allgather_time_s(sp.expert * weight_bytes, n_expert, dp_bus, dp_alpha);
    const auto gather_all_s = [&] {
      const StageParams held = stage_weight_bytes(e.mix, base);
      return allgather_time_s(held.dense, n, dp_bus, dp_alpha) + allgather_time_s(held.expert, n_expert, dp_bus, dp_alpha);
    };
    const auto exposed = [&](double comm_s, double window_s) {
      return comm_s - std::min(t.dp_comm_overlap * comm_s, window_s);
    };
    switch (t.zero_stage) {
      case 0: return exposed(reduce_s, bwd_window_s);
      case 1: return exposed(reduce_s, bwd_window_s) + exposed(gather_s, fwd_window_s);
      case 2: return micro_batches * exposed(reduce_s, bwd_window_s) + exposed(gather_s, fwd_window_s);
      default: {
        const double all_s = gather_all_s();
        return micro_batches *
               (exposed(reduce_s, bwd_window_s) + exposed(all_s, fwd_window_s) + exposed(all_s, bwd_window_s));
      }
    }
  };
  // Optimizer update of the rank's shard (all of its parameters without ZeRO): read and write the
  // master weights and the optimizer's states (Adam: both moments), read the shard's gradients, write the shard's weights (ZeRO
  // 1 and 2 then all-gather them: DP communication above).
  const auto optimizer_time = [&](const StageParams& sp, const Stage& e) {
    const double elements = t.zero_stage >= 1 ? sp.dense / shard + sp.expert / expert_shard : sp.dense + sp.expert;
    // fp32 master (mixed precision) + the optimizer's states (Adam m, v)
    const double state_bytes = (weight_bytes < 4.0 ? 4.0 : 0.0) + state_bytes_per_element;
    if (!offload) return elements * (2.0 * state_bytes + t.grad_bytes + weight_bytes) / r.memory_bytes_per_s;
    // ZeRO-Offload (DeepSpeed): the shard's gradients go down over PCIe at the step's last micro-batch,
    // fp32-converted on the GPU with ZeRO 1 / 2 (4 bytes), in the model's dtype with ZeRO 3. ZeRO 1
    // accumulates on the GPU and sends once. ZeRO 2 / 3 accumulate on the host
    // (async_accumulate_grad_in_cpu_via_gpu): the first micro-batch sends its gradients down in the
    // model's dtype, each later one brings the running sum up, adds its own and (but the last) sends
    // the sum down again. Each micro-batch's transfers overlap its backward only as far as
    // --dp-overlap allows (DeepSpeed's overlap_comm is off by default). The host then updates
    // master and states at its memory bandwidth, shared by the job's GPUs on the node, reading the
    // fp32 gradient and writing a training-dtype copy of the weights unless they are fp32 already,
    // and the new weights come back up.
    const double link = r.host_link_bytes_per_s;
    const double bwd_window_s = e.mix.layers * e.terms->bwd_window_s;
    const auto exposed = [&](double s) { return s - std::min(t.dp_comm_overlap * s, bwd_window_s); };
    const double down_s = elements * (t.zero_stage >= 3 ? act_bytes : 4.0) / link;  // the step's last send
    double pcie_s = exposed(down_s);
    if (t.zero_stage >= 2 && micro_batches > 1) {
      const double sum_s = elements * act_bytes / link;  // the running sum, one way
      // First micro-batch: down; micro-batches 2 … M−1: up and down; the last: up (and the send above).
      pcie_s = exposed(sum_s) + (micro_batches - 2.0) * exposed(2.0 * sum_s) + exposed(sum_s + down_s);
    }
    const double host_bw = r.host_memory_bytes_per_s / job_gpus_per_node;
    const double update_s =
        elements * (2.0 * (4.0 + state_bytes_per_element) + 4.0 + (weight_bytes < 4.0 ? weight_bytes : 0.0)) /
        host_bw;
    const double up_s = elements * weight_bytes / link;
    return pcie_s + update_s + up_s;
  };
  // After the last micro-batch each stage reduces its gradients and updates its weights. Stage i
  // finishes that micro-batch's backward before stage 0 by the backward of the stages before it (its
  // gradient still has to flow back through them; 1/vpp of a stage with interleaving), so the step
  // ends with the largest of dp_i + optimizer_i − that lead. Stage 0's tail is the usual one; the last
  // stage's can be larger when it holds many more parameters than the first.
  const auto bwd_s = [&](const Stage& e) {
    return (e.mix.layers * e.terms->bwd_window_s + pp_mb / 2.0 + (e.stage == p.pp - 1 ? head_bwd_s : 0.0)) / p.vpp;
  };
  const auto tail_of = [&](const Stage& e, const StageParams& base, const StageParams& trained, double& d, double& o) {
    d = dp_time(e, base, trained);
    o = optimizer_time(trained, e);
  };
  // One pass over the stages: memory, the micro-batch time, the data-parallel tail.
  TrainMemory& mem = out.memory;
  TrainMemory mid_most{}, last{};
  bool have_mid = false, have_last = false;
  double host_most = 0;  // offload: the stage with the most host memory may be another
  // 1F1B (and interleaved) with stages of unequal time: the slowest stage runs all m micro-batches
  // back to back; the first micro-batch's forward reaches it through the stages before it and the
  // last one's backward leaves through them, so the step is m·T_max + (ΣT − T_max)/vpp. With equal
  // stages whose last one adds the output layer that is m·T_last + (pp − 1)·T_layers/vpp.
  Stage slowest{};
  // The slowest stage's per-layer costs (a copy when they are in `uncached`, which a later stage may reuse).
  const LayerTerms* slowest_terms = &mt;
  LayerTerms slowest_uncached;
  double t_max = 0, t_sum = 0;
  double dp_s = 0, opt_s = 0, tail = 0;
  double lead = 0;  // backward of the stages before this one after the last micro-batch
  const auto keep_terms = [&](const Stage& e) {
    if (e.terms != &uncached) {
      slowest_terms = e.terms;
    } else {
      slowest_uncached = uncached;
      slowest_terms = &slowest_uncached;
    }
  };
  for_each_stage([&](const Stage& e) {
    // Its parameters, and what it trains (all, or with LoRA its adapters).
    const StageParams sp = stage_params(e.stage, e.mix);
    const StageParams trained = peft ? stage_adapter(e.mix, false) : sp;
    // Memory: the first stage, the middle ones (without per-stage mixes only when they hold other
    // layer counts than the first) and the last.
    if (e.stage == 0) {
      mem = stage_memory(e, sp, trained);
      host_most = mem.host_bytes;
    } else if (e.stage == p.pp - 1) {
      last = stage_memory(e, sp, trained);
      have_last = true;
    } else if (per_stage_mix || lay.middle != lay.first) {
      const TrainMemory mid = stage_memory(e, sp, trained);
      host_most = std::max(host_most, mid.host_bytes);
      if (!have_mid || mid.total_bytes > mid_most.total_bytes) mid_most = mid;
      have_mid = true;
    }
    // Time of one micro-batch.
    const double t_e = stage_s(e);
    if (e.stage == 0) {
      slowest = e;
      keep_terms(e);
      t_max = t_sum = t_e;
    } else {
      t_sum += e.count * t_e;
      if (e.stage == p.pp - 1 ? t_e >= t_max : t_e > t_max) {
        t_max = t_e;
        slowest = e;
        keep_terms(e);
      }
    }
    // The data-parallel reduction and optimizer update after the last micro-batch.
    if (e.stage == 0) {
      tail_of(e, sp, trained, dp_s, opt_s);
      tail = dp_s + opt_s;
      lead = bwd_s(e);
      return;
    }
    double d = 0, o = 0;
    tail_of(e, sp, trained, d, o);
    if (d + o - lead > tail) {
      tail = d + o - lead;
      dp_s = std::max(0.0, d - lead);  // what is left of its reduction after stage 0's backward
      opt_s = tail - dp_s;
    }
    lead += e.count * bwd_s(e);
  });
  record(mem);
  if (have_mid) {
    record(mid_most);
    host_most = std::max(host_most, mid_most.host_bytes);
    if (mid_most.total_bytes > mem.total_bytes) mem = mid_most;
  }
  if (have_last) {
    record(last);
    host_most = std::max(host_most, last.host_bytes);
    if (last.total_bytes > mem.total_bytes) mem = last;
  }
  mem.host_bytes = host_most;
  if (host_most > 0) {
    // Every GPU of the job on a node offloads to that node's RAM (the stage with the most, as above).
    mem.host_bytes_per_node = host_most * job_gpus_per_node;
    mem.host_capacity_bytes = r.host_memory_capacity_bytes;
    mem.host_fits = mem.host_capacity_bytes <= 0 || mem.host_bytes_per_node <= mem.host_capacity_bytes;
    mem.fits = mem.fits && mem.host_fits;
  }  // The step's breakdown is the slowest stage's.
  const LayerTerms& st = *slowest_terms;
  const double slowest_layers = slowest.mix.layers;
  const bool head = slowest.stage == p.pp - 1;
  const double head_mtp = head ? mtp : 0.0;
  tt.slowest_stage = slowest.stage;
  tt.compute_s = (slowest_layers * st.compute_s + (head ? compute_head : 0.0)) * micro_batches;
  // (The MTP modules' layers are the model's mean layer: with per-stage mixes their terms are apart.)
  tt.elementwise_s =
      (per_stage_mix ? slowest_layers * st.elementwise_s + head_mtp * (mt.elementwise_s - mt.dequant_s)
                     : (slowest_layers + head_mtp) * st.elementwise_s - head_mtp * st.dequant_s) *
      micro_batches;
  tt.recompute_s = slowest_layers * (st.recompute_compute_s + st.recompute_ew_s) * micro_batches;
  tt.tp_comm_s = (slowest_layers + head_mtp) * tp_layer * micro_batches;
  tt.pp_comm_s = pp_mb * micro_batches;
  tt.cp_comm_s = (per_stage_mix ? slowest_layers * st.cp_s + head_mtp * mt.cp_s : (slowest_layers + head_mtp) * st.cp_s) *
                 micro_batches;
  tt.ep_comm_s = (slowest.mix.moe + head_mtp) * ep_moe_layer * micro_batches;
  tt.adapter_s = slowest_layers * st.adapter_s * micro_batches;
  tt.dequant_s = slowest_layers * st.dequant_s * micro_batches;
  tt.bubble_s = p.pp > 1 ? (t_sum - t_max) / p.vpp : 0.0;
  tt.dp_comm_s = dp_s;
  tt.optimizer_s = opt_s;

  tt.step_s = t_max * micro_batches + tt.bubble_s + tt.dp_comm_s + tt.optimizer_s;
  // (The slowest stage's own weights when its layers differ from the mean layer.)
  const double fp8_weight_cast_step_s =
      per_stage_mix ? [&] {
        const StageParams lp = layer_params(slowest.mix);
        return fp8_cast_s_per_weight * (lp.dense + lp.expert);
      }()
                    : fp8_cast_s_per_weight * fp8_weight_elements_per_layer * slowest_layers;
  tt.elementwise_s += fp8_weight_cast_step_s;  // once per step (zero unless FP8)
  tt.step_s += fp8_weight_cast_step_s;

  const double samples = static_cast<double>(t.global_batch);
  const double step_tokens = seq * samples;
  const double logits_step = 2.0 * step_tokens * h * static_cast<double>(m.vocab_size);
  // (The model's mean layer: model_mix, computed once.)
  const double layer_step_fwd = layer_forward_flop(m, step_tokens, seq, model_mix);
  const double attn_step_fwd = attention_core_flop(m, step_tokens, seq, model_mix);
  const double model_fwd = layers * layer_step_fwd + logits_step +
                           static_cast<double>(m.mtp_layers) * (layer_step_fwd + 4.0 * step_tokens * h * h + logits_step);
  tt.model_flop_per_step = 3.0 * model_fwd;
  double adapter_model_fwd = 0;
  if (peft) {
    // What fine-tuning must compute: forward and input gradients of the frozen linear layers and the
    // output layer (2×), the attention core (3×), and the adapters' forward and backward (3×), with
    // the adapters' FLOPs of the unsplit model.
    const double attn_model = (layers + mtp) * attn_step_fwd;
    adapter_model_fwd = layers * step_tokens *
                        [&] {
                          const AdapterCounts whole = count_adapters(m, t.adapter, 1, 1);
                          const double moe_share = m.is_moe() ? static_cast<double>(m.moe_layers()) / layers : 0.0;
                          return (1.0 - moe_share) * whole.dense.flop_per_token +
                                 moe_share * (whole.moe_shared.flop_per_token + whole.moe_expert.flop_per_token);
                        }();
    tt.model_flop_per_step = 2.0 * (model_fwd - attn_model) + 3.0 * attn_model + 3.0 * adapter_model_fwd;
  }
  const double recompute_total = full ? layers * layer_step_fwd + adapter_model_fwd
                                 : mt.recompute_flop > 0 ? layers * mt.recompute_flop * tp * cp * samples / mb
                                                       : 0.0;
  tt.hardware_flop_per_step = tt.model_flop_per_step + recompute_total;
  // The skipped (masked) share of the attention core: forward and 2× backward, and again when full
  // recompute repeats the forward of the layers (not of the MTP modules, which recompute_total does
  // not repeat either; selective recompute without a fused kernel skips nothing).
  const double skipped_fwd = attn_step_fwd * (1.0 - mt.executed_fraction);
  tt.executed_flop_per_step = tt.hardware_flop_per_step -
                              ((3.0 + (full ? 1.0 : 0.0)) * layers + 3.0 * mtp) * skipped_fwd +
                              (layers + mtp) * mt.flash_recompute * tp * cp * samples / mb;
  tt.tokens_per_step = seq * samples;
  const double gpus = out.gpus;
  tt.mfu = tt.model_flop_per_step / (tt.step_s * gpus * r.peak_flop_per_s);
  tt.hfu = tt.hardware_flop_per_step / (tt.step_s * gpus * r.peak_flop_per_s);
  tt.achieved_flop_per_s_per_gpu = tt.hardware_flop_per_step / (tt.step_s * gpus);
  tt.executed_flop_per_s_per_gpu = tt.executed_flop_per_step / (tt.step_s * gpus);
  tt.tokens_per_s = tt.tokens_per_step / tt.step_s;
  tt.tokens_per_s_per_gpu = tt.tokens_per_s / gpus;
  out.checkpoint = checkpoint_cost(w, pc, r, out.gpus);
  if (t.tokens > 0) {
    tt.steps = t.tokens / tt.tokens_per_step;
    tt.run = run_time(out.checkpoint, tt.steps * tt.step_s, a.goodput);
    tt.time_to_train_s = tt.run.time_s;
    tt.gpu_hours = tt.time_to_train_s * gpus / 3600.0;
    tt.energy_kwh = tt.gpu_hours * r.tdp_w * a.power_fraction_of_tdp * a.pue / 1000.0;
  }
  return out;
}

}  // namespace headroom::plan
