#include "headroom/plan/infer.hpp"

#include <algorithm>
#include <cmath>

#include "headroom/core/errors.hpp"

#include "headroom/plan/train.hpp"

namespace headroom::plan {

namespace {

struct Shape {
  double tp, pp, layers_per_stage, h, q, kv_heads_per_gpu, d;
};

/// TP all-reduces of one forward pass (2 per layer, all stages in sequence) for `tokens` tokens,
/// plus the pipeline's sends: each of the pp − 1 stage boundaries passes the tokens' hidden states,
/// split over the TP ranks (each sends 1/tp to its peer of the next stage, as vLLM's
/// send_tensor_dict with an all-gather group does; the receiver's all-gather over NVLink and any
/// residual tensor sent beside them are not charged). A replica's GPUs are consecutive, stage after
/// stage: a boundary crosses the network when one of its rank pairs sits on two nodes, else NVLink.
double comm_s(double tokens, const Shape& s, const ModelConfig& m, const Rates& r, double act_bytes) noexcept {
  double t = 0;
  if (s.tp > 1) {
    // (one per layer when mixers and MLPs are separate layers, as in Nemotron-H)
    t += m.norms_per_layer() * static_cast<double>(m.num_layers) *
         tp_allreduce_time_s(tokens * s.h * act_bytes, static_cast<int>(s.tp), r);
  }
  if (s.pp > 1) {
    const auto tp = static_cast<std::int64_t>(s.tp), pp = static_cast<std::int64_t>(s.pp);
    const auto node = std::max<std::int64_t>(1, static_cast<std::int64_t>(r.gpus_per_node));
    const double bytes = tokens * s.h * act_bytes / s.tp;
    for (std::int64_t i = 1; i < pp; ++i) {  // the boundary between stage i − 1 and stage i
      bool crosses = false;
      for (std::int64_t j = 0; j < tp && !crosses; ++j) crosses = ((i - 1) * tp + j) / node != (i * tp + j) / node;
      t += crosses ? r.inter_alpha_s + bytes / r.inter_bus_bytes_per_s
                   : r.intra_alpha_s + bytes / r.intra_bus_for(s.tp * s.pp);
    }
  }
  return t;
}

}  // namespace

ColdStart cold_start(const InferResult& r, const Rates& rates) noexcept {
  ColdStart c;
  const double gpus_on_node = std::min(static_cast<double>(r.gpus_per_replica), std::max(1.0, rates.gpus_per_node));
  c.bytes_per_node = r.memory.weights_bytes * gpus_on_node;
  c.read_bytes_per_s = rates.storage_read_bytes_per_s;
  c.time_s = c.read_bytes_per_s > 0 ? c.bytes_per_node / c.read_bytes_per_s : 0.0;
  return c;
}

std::int64_t cached_prefix_tokens(const InferSettings& i) noexcept {
  const std::int64_t block = std::max<std::int64_t>(1, i.kv_block_tokens);
  return i.shared_prefix_tokens / block * block;
}

EngineLimits engine_limits(const InferSettings& in, const Rates& r) noexcept {
  EngineLimits l;
  // vLLM v0.10 EngineArgs.get_batch_defaults, OpenAI API server: device_memory >= 70 GiB and "a100"
  // not in the device name -> 8192 tokens / 1024 sequences, else 2048 / 256 (A100s got the small
  // budget back in vLLM PR #17885: the large one lowered their throughput).
  l.large_tier = r.memory_bytes >= 70.0 * 1073741824.0 && r.device_name.find("a100") == std::string::npos;
  l.step_tokens_default = in.prefill_chunk_tokens <= 0;
  l.max_seqs_default = in.max_num_seqs <= 0;
  l.step_tokens = l.step_tokens_default ? (l.large_tier ? 8192 : 2048) : in.prefill_chunk_tokens;
  l.max_seqs = l.max_seqs_default ? (l.large_tier ? 1024 : 256) : in.max_num_seqs;
  return l;
}

InferResult evaluate_infer(const Workload& w, const ParamCounts& pc, const Rates& r, const Assumptions& a) noexcept {
  const ModelConfig& m = w.model;
  const InferSettings& in = w.infer;
  InferResult out;
  out.gpus_per_replica = w.par.tp * w.par.pp;
  Shape s{};
  s.tp = w.par.tp;
  s.pp = w.par.pp;
  s.layers_per_stage = static_cast<double>(m.num_layers) / s.pp;
  s.h = static_cast<double>(m.hidden_size);
  s.d = static_cast<double>(m.head_dim);
  s.q = static_cast<double>(m.num_heads) * s.d;
  // KV heads are split across TP ranks; with more ranks than KV heads each rank keeps one (replicated).
  s.kv_heads_per_gpu = std::max(1.0, std::ceil(static_cast<double>(m.num_kv_heads) / s.tp));
  const double gpus = out.gpus_per_replica;
  // Weight-only quantisation stores the blocks' linear layers (or only the routed experts) in the
  // weight format, with its group scales; embeddings, the output layer, norms, biases and routers stay
  // in 16-bit (or in the weight precision when that is wider).
  const double wbytes = weight_bytes_per_element(in.weight_precision, in.weight_group_size);
  const double other_bytes = std::max(2.0, precision_bytes(in.weight_precision));
  const double expert_share =
      m.is_moe() ? static_cast<double>(m.experts_per_token) / static_cast<double>(m.num_experts) : 0.0;
  const double quantized_total = in.quantize_experts_only ? pc.linear_experts : pc.linear_total;
  const double quantized_active = in.quantize_experts_only ? pc.linear_experts * expert_share : pc.linear_active;
  const double kvbytes = precision_bytes(in.kv_precision);
  // Activations (the residual stream, the workspace) and TP messages stay 16-bit when the GEMMs run
  // in 8 or 4 bits (W8A8 engines quantise each GEMM's input on the fly); fp32 compute keeps 4 bytes.
  const double abytes = std::max(2.0, precision_bytes(in.compute_precision));

  // ---- memory ----
  InferMemory& mem = out.memory;
  // Pipeline stages split the blocks evenly; the first also holds the input embedding and the last the
  // output layer (vLLM's PP partition; a tied output layer is a second copy of the embedding there),
  // both 16-bit and split over TP. Memory is that of the end stage that holds the most; one stage holds
  // it all.
  const double head_elements = m.tied_embeddings ? static_cast<double>(m.vocab_size) * s.h : pc.output;
  const double all_bytes = quantized_total * wbytes + (pc.total - quantized_total) * other_bytes;
  if (s.pp > 1) {
    const double blocks_bytes = all_bytes - (pc.embedding + pc.output) * other_bytes;
    mem.weights_bytes = (blocks_bytes / s.pp + std::max(pc.embedding, head_elements) * other_bytes) / s.tp;
  } else {
    mem.weights_bytes = all_bytes / gpus;
  }
  const double kv_layer_gpu = m.kv_lora_rank > 0 ? static_cast<double>(m.kv_lora_rank + m.qk_rope_head_dim)
                                                 : s.kv_heads_per_gpu * (s.d + static_cast<double>(m.value_head_dim()));
  const double kv_layer_model = kv_elements_per_token_per_layer(m);
  const double swa_layers = m.sliding_window > 0 ? static_cast<double>(m.sliding_window_layers) : 0.0;
  // Only attention layers cache K and V; a hybrid model's Mamba layers keep a fixed-size state per
  // request instead (below).
  const double full_layers_model =
      static_cast<double>(m.attention_layers()) - (in.sliding_window_full_pages ? 0.0 : swa_layers);
  const double req_tokens = static_cast<double>(in.context_len + in.output_len);
  // Paged KV cache: a request holds whole blocks of `kv_block_tokens` tokens (vLLM: 16), the cache
  // is a whole number of blocks.
  const double block = static_cast<double>(std::max<std::int64_t>(1, in.kv_block_tokens));
  const auto in_blocks = [block](double tokens) { return std::ceil(tokens / block) * block; };
  // Which share of the attention layers, and how many Mamba layers, the stage that needs the most per
  // request holds. Stages hold L/PP layers each (vLLM's even split by count); a hybrid model's few
  // attention layers do not split evenly over them: each stage holds those of its own layers
  // (layer_mix: the model's mamba.pattern, or attention spread over the depth), and the engine's cache
  // is sized by the stage that needs the most per request (KV of its attention layers, state of its
  // Mamba layers). Without Mamba layers every stage holds 1/PP of each kind.
  double attn_stage_share = 1.0 / s.pp;
  double mamba_stage_layers = static_cast<double>(m.mamba_layers) / s.pp;
  const double state_layer_bytes = mamba_state_elements(m, w.par.tp) * abytes;
  if (m.is_hybrid() && s.pp > 1) {
    const double attn = static_cast<double>(m.attention_layers());
    const double kv_per_attention_layer =
        attn > 0 ? in_blocks(req_tokens) * full_layers_model / attn * kv_layer_gpu * kvbytes : 0.0;
    const std::int64_t stage_layers = m.num_layers / w.par.pp;
    double most = -1.0;
    for (int stage = 0; stage < w.par.pp; ++stage) {
      const LayerMix mix = layer_mix(m, stage * stage_layers, (stage + 1) * stage_layers);
      const double per_request = mix.attention * kv_per_attention_layer + mix.mamba * state_layer_bytes;
      if (per_request > most) {
        most = per_request;
        attn_stage_share = attn > 0 ? mix.attention / attn : 0.0;
        mamba_stage_layers = mix.mamba;
      }
    }
  }
  mem.kv_bytes_per_token = full_layers_model * attn_stage_share * kv_layer_gpu * kvbytes;
  mem.kv_bytes_per_token_model = full_layers_model * kv_layer_model * kvbytes;
  // Weights a TP rank holds whole instead of its 1/TP share (vLLM): with more TP ranks than KV heads,
  // QKVParallelLinear gives every rank a whole KV head, so the K and V projections are replicated
  // beyond their share; MLA's q_a_proj and kv_a_proj_with_mqa are ReplicatedLinear on every rank.
  // Per GPU, for its stage's attention layers, in the linear layers' format (16-bit when only the
  // experts are quantised). Llama 3 70B at TP 16: each rank holds 1 of the 8 KV heads, not half of one.
  const double stage_attention_layers = static_cast<double>(m.attention_layers()) * attn_stage_share;
  double replicated_elements = 0;
  if (m.kv_lora_rank > 0) {
    replicated_elements = stage_attention_layers * s.h *
                          static_cast<double>(m.q_lora_rank + m.kv_lora_rank + m.qk_rope_head_dim) * (1.0 - 1.0 / s.tp);
  } else {
    const double share = static_cast<double>(m.num_kv_heads) / s.tp;
    if (s.kv_heads_per_gpu > share)
      replicated_elements = stage_attention_layers * 2.0 * s.d * s.h * (s.kv_heads_per_gpu - share);
  }
  const double replicated_bytes = replicated_elements * (in.quantize_experts_only ? other_bytes : wbytes);
  mem.weights_bytes += replicated_bytes;
  mem.replicated_weight_bytes = replicated_bytes;
  // The stages' mean, for the time of a pass, which crosses every stage.
  const double kv_bytes_per_token_mean = full_layers_model / s.pp * kv_layer_gpu * kvbytes;
  // A shared prefix: its whole blocks are cached once (prefix caching shares whole blocks only) and
  // every request holds blocks from the first one after them; the partial block is its own.
  const double cached = static_cast<double>(cached_prefix_tokens(in));
  // Sliding-window layers without full pages hold at most `window` tokens per request.
  const double swa_bytes_per_request = in.sliding_window_full_pages || swa_layers == 0
                                           ? 0.0
                                           : in_blocks(std::min(static_cast<double>(m.sliding_window), req_tokens)) *
                                                 swa_layers * attn_stage_share * kv_layer_gpu * kvbytes;
  // Mamba layers: one conv + SSM state per request and layer, however long it is, in the activation
  // dtype (vLLM's mamba cache dtype 'auto' follows the model's, not the KV cache's). This GPU holds
  // its stage's Mamba layers (above) and its TP share of their heads.
  mem.state_bytes_per_request = mamba_stage_layers * state_layer_bytes;
  mem.window_kv_bytes_per_request = swa_bytes_per_request;
  const double state_bytes_mean = static_cast<double>(m.mamba_layers) / s.pp * state_layer_bytes;
  // Prompt tokens a request computes: the cached prefix blocks are not run again.
  const double new_ctx = static_cast<double>(in.context_len) - cached;
  const EngineLimits limits = engine_limits(in, r);
  const double step_tokens = static_cast<double>(limits.step_tokens);
  // The activation workspace holds one step's tokens: at most the budget, at most the prompt.
  const double chunk = std::min(step_tokens, std::max(new_ctx, 1.0));
  double mlp_width = m.mlp == MlpKind::kSwiglu ? 3.0 : 2.0;
  // The widest MLP of any layer (MoE models may keep leading dense layers).
  const std::int64_t moe_width = m.is_moe() ? m.moe_ffn_hidden_size * (m.experts_per_token + m.shared_experts) : 0;
  mlp_width *=
      static_cast<double>(m.is_moe() && m.first_dense_layers == 0 ? moe_width : std::max(moe_width, m.ffn_hidden_size));
  // One layer's transient activations for a prefill chunk (residual, norm output, QKV, attention
  // output, MLP intermediates) plus fp32 logits of the sequences being sampled. Every decode step
  // samples all B requests (with PP, the ⌈B/PP⌉ of a micro-batch at a time on the last stage), however
  // short the prompt chunks are: the workspace grows with the batch.
  // The mixer's projection output: Q, K, V, or on a hybrid model's Mamba layers in_proj's z, x, B, C
  // and dt if wider.
  const double mixer_width =
      std::max(m.attention_layers() > 0 ? s.q + 2.0 * s.kv_heads_per_gpu * s.d * s.tp : 0.0,
               m.is_hybrid() ? static_cast<double>(m.mamba_inner() + m.mamba_conv_dim() + m.mamba_heads) : 0.0);
  // (Nemotron-H's separate layers hold a mixer or an MLP, not both.)
  const double chunk_workspace =
      chunk * abytes *
      (4.0 * s.h + (m.mamba_separate ? std::max(mixer_width, mlp_width) : mixer_width + mlp_width) / s.tp);
  const double logits_row_bytes = static_cast<double>(m.vocab_size) * 4.0 / s.tp;
  const auto workspace_at = [&](double batch) {
    return chunk_workspace + std::max(1.0, std::ceil(batch / s.pp)) * logits_row_bytes;
  };
  mem.overhead_bytes = a.runtime_overhead_bytes;
  mem.capacity_bytes = r.memory_bytes;
  mem.budget_bytes = r.memory_bytes * in.gpu_memory_utilization;
  mem.shared_prefix_tokens = cached;
  // A hybrid model's cached prefix also keeps the Mamba state at its end (to resume the recurrence).
  mem.shared_prefix_kv_bytes = cached * mem.kv_bytes_per_token + (cached > 0 ? mem.state_bytes_per_request : 0.0);
  const double per_request =
      in_blocks(req_tokens - cached) * mem.kv_bytes_per_token + swa_bytes_per_request + mem.state_bytes_per_request;
  // The most requests that fit: the largest B with B requests' KV and state and ⌈B/PP⌉ logits rows in
  // the room the weights, the runtime, the prompt chunk's activations and the shared prefix leave
  // (⌈B/PP⌉ ≥ B/PP bounds it from above; at most PP steps down to the exact one). A batch given or
  // chosen for an SLO is then held to the same sum, so the most that fit also fits when asked for.
  const double room =
      mem.budget_bytes - mem.weights_bytes - mem.overhead_bytes - chunk_workspace - mem.shared_prefix_kv_bytes;
  if (room > 0) {
    double most = std::floor(room / (per_request + logits_row_bytes / s.pp));
    while (most > 0 && most * per_request + std::max(1.0, std::ceil(most / s.pp)) * logits_row_bytes > room) most -= 1;
    mem.max_concurrent_requests = most;
  }

  // ---- time ----
  // Each pass is timed as two kernel families, each at its own roofline: the GEMMs (the weights the
  // tokens touch) and the attention core (the KV cache). A compute-bound GEMM phase does not hide a
  // memory-bound attention phase: they run one after the other.
  InferTime& tt = out.time;
  // Every weight used once per token (MAC = 2 FLOP) but the embedding lookup; a tied embedding matrix
  // is also the output layer, so its GEMM counts.
  const double tied_output = m.tied_embeddings ? static_cast<double>(m.vocab_size) * s.h : 0.0;
  const double dense_flop_per_token = 2.0 * (pc.active - pc.embedding + tied_output);
  // QKᵀ (query/key width) + A·V (value width) per layer and context token. Sliding-window layers
  // attend to at most `window` tokens (their KV pages may still be reserved full-length).
  const double attn_flop_per_layer_ctx =
      2.0 * static_cast<double>(m.num_heads) * (s.d + static_cast<double>(m.value_head_dim()));
  // MLA decode runs in the absorbed form (DeepSeek-V2 §2.1.3; vLLM's and FlashMLA's decode path): the
  // K and V up-projections are folded into the query and output projections, so each head attends
  // over the cached latent itself, kv_lora_rank + rope wide for QKᵀ and kv_lora_rank wide for A·V.
  // Prompts keep the expanded per-head form (cheaper when every position is new).
  const double decode_attn_flop_per_layer_ctx =
      m.kv_lora_rank > 0 ? 2.0 * static_cast<double>(m.num_heads) *
                               static_cast<double>(2 * m.kv_lora_rank + m.qk_rope_head_dim)
                         : attn_flop_per_layer_ctx;
  const double layers = static_cast<double>(m.num_layers);
  const double window = m.sliding_window > 0 ? static_cast<double>(m.sliding_window) : 0.0;
  const double full_attn_layers = static_cast<double>(m.attention_layers()) - swa_layers;
  // Context positions one token attends to, summed over the layers, at context c.
  const auto attended = [&](double c) { return full_attn_layers * c + swa_layers * std::min(c, window); };
  // The same for every token of a causal prompt of c tokens: Σ_t min(t, w) ≈ c²/2, or w·c − w²/2 past the window.
  const auto attended_prompt = [&](double c) {
    const double swa_sum = c <= window ? c * c / 2.0 : window * c - window * window / 2.0;
    return full_attn_layers * c * c / 2.0 + swa_layers * swa_sum;
  };
  // KV bytes one GPU reads per position attended in one layer (its KV heads; it holds 1/PP of the
  // layers, so of the positions `attended` sums over all layers).
  const double kv_read_per_position = kv_layer_gpu * kvbytes / s.pp;
  // Weights read by a pass over `tokens` tokens: every weight but the embedding (a lookup), and for MoE
  // the routed experts as far as the tokens touch them, 1 − (1 − k/E)^tokens under uniform routing
  // (their matrices quantised in either mode, their biases 16-bit).
  const double expert_elements = layers * pc.per_layer_expert;
  const double expert_bytes =
      m.is_moe() ? (pc.linear_experts * wbytes + (expert_elements - pc.linear_experts) * other_bytes) / gpus : 0.0;
  const double non_expert_bytes =
      m.is_moe()
          ? ((quantized_total - pc.linear_experts) * wbytes +
             (pc.total - expert_elements - (quantized_total - pc.linear_experts) - pc.embedding + tied_output) *
                 other_bytes) /
                gpus
          : (quantized_active * wbytes + (pc.active - quantized_active - pc.embedding + tied_output) * other_bytes) /
                gpus;
  const auto weights_read = [&](double tokens) {
    if (!m.is_moe()) return non_expert_bytes + replicated_bytes;
    return non_expert_bytes + replicated_bytes +
           expert_bytes * (1.0 - std::pow(1.0 - expert_share, std::max(tokens, 1.0)));
  };

  // Prefill of one request: causal attention over the prompt; the output layer runs for the last
  // prompt token only (engines compute logits for the rows they sample). With a cached shared prefix
  // only the new_ctx tokens after it run, attending to the whole prompt (prefix included).
  const double ctx = static_cast<double>(in.context_len);
  const double n_out = static_cast<double>(in.output_len);
  const double output_flop_per_token = 2.0 * static_cast<double>(m.vocab_size) * s.h;
  // MLA prompts attend in the expanded form, so the cached prefix's latents go through the KV up
  // projection again for the new tokens to attend to (vLLM's MLA prefill over a cached context).
  const double mla_prefix_flop =
      m.kv_lora_rank > 0 ? 2.0 * cached * static_cast<double>(m.kv_lora_rank) * static_cast<double>(m.num_heads) *
                               static_cast<double>(m.qk_nope_head_dim + m.value_head_dim()) * layers
                         : 0.0;
  const double prefill_gemm_flop =
      ((dense_flop_per_token - output_flop_per_token) * new_ctx + output_flop_per_token + mla_prefix_flop) / gpus;
  // Mamba layers' SSD scan (Dao & Gu 2024, §6) per prompt token (ssd_scan_flop_per_token), in
  // chunks of Q = min(chunk, the prompt's new tokens): the intra-chunk C·Bᵀ (2·Q·N per group, computed
  // whole) and its product with x (Q·P per head, causal halves of the Q × Q blocks as the kernels skip
  // the masked ones), and the chunk states' B·x and C·state products (2·N·P each per head). A decode
  // token updates each head's P × N state (decay, B·x outer product: 3·N·P) and reads it out with C
  // (2·N·P). The conv runs as weights.
  const double mamba_layers_all = static_cast<double>(m.mamba_layers);
  const double ssd_prefill_flop_per_token = mamba_layers_all * ssd_scan_flop_per_token(m, new_ctx);
  const double ssd_decode_flop_per_token =
      mamba_layers_all * 5.0 * static_cast<double>(m.mamba_inner()) * static_cast<double>(m.mamba_state);
  const double prefill_attn_flop = (attn_flop_per_layer_ctx * (attended_prompt(ctx) - attended_prompt(cached)) +
                                    ssd_prefill_flop_per_token * new_ctx) /
                                   gpus;
  const double prefill_flop = prefill_gemm_flop + prefill_attn_flop;
  // 8- or 4-bit compute (W8A8 FP8 / INT8, W4A4 checkpoints): the linear layers' GEMMs at that rate, the
  // attention core and the output layer (lm_head stays 16-bit in those checkpoints) at the bf16 rate,
  // as in FP8 training.
  const bool low = precision_bytes(in.compute_precision) < 2.0;
  const double hp_rate = low && r.higher_precision_gemm_flop_per_s > 0 ? r.higher_precision_gemm_flop_per_s
                                                                       : r.gemm_flop_per_s;
  const GemmRateCurve& hp_curve = low ? r.higher_precision_gemm_curve : r.gemm_curve;
  const double out_flop_gpu = output_flop_per_token / gpus;
  // GEMM seconds of one prompt, and of one decode token, on this GPU.
  double prefill_gemm_s = (prefill_gemm_flop - out_flop_gpu) / r.gemm_flop_per_s + out_flop_gpu / hp_rate;
  const double decode_gemm_s_per_token =
      (dense_flop_per_token / gpus - out_flop_gpu) / r.gemm_flop_per_s + out_flop_gpu / hp_rate;
  double prefill_attn_rate = hp_rate;
  // With a measured GEMM curve the prompt's GEMMs are timed by size as in training, for prefill
  // chunks of `chunk` tokens (the engine's chunked prefill): the linear layers at their FLOP-weighted
  // rate, each layer's causal attention core as one call per chunk, the rest (output layer, routers)
  // at the output layer's rate, all on the compute precision's curve. Decode keeps the flat rate: its
  // GEMMs have the batch as M and are memory-bound.
  if (!r.gemm_curve.empty() && prefill_flop > 0) {
    const LayerGemms calls = layer_linear_gemms(m, chunk, w.par);
    const double lin_flop = calls.flop(), lin_s = calls.seconds_on(r.gemm_curve);
    const double chunks_exact = new_ctx / chunk;  // the linear work scales with the tokens
    const double layers_here = s.layers_per_stage;  // prefill FLOPs are per GPU: layers / PP, split over TP
    const double lin_total = lin_flop * chunks_exact * layers_here;
    const double rest = std::max(0.0, prefill_gemm_flop - lin_total);
    // The rest (output layer for the last prompt token, routers) at the output layer's rate.
    const double out_rate = hp_curve.empty() ? hp_rate : hp_curve.at(output_flop_per_token / s.tp);
    prefill_gemm_s = lin_s * chunks_exact * layers_here + rest / out_rate;
    if (!hp_curve.empty()) prefill_attn_rate = hp_curve.at(prefill_attn_flop / (layers_here * std::ceil(chunks_exact)));
  }
  // The prompt's KV is written once (and read back by its own attention from on-chip tiles); a
  // cached prefix's KV is read once.
  // A hybrid model's prompt writes its Mamba state once.
  const double prefill_kv_bytes = new_ctx * kv_bytes_per_token_mean + cached * kv_bytes_per_token_mean +
                                  (cached > 0 ? 2.0 : 1.0) * state_bytes_mean;
  // A pass as its GEMM phase and its attention phase, each given by its FLOPs, its compute time at the
  // rates that apply and its bytes.
  const auto two_phase = [&](double gemm_flop, double gemm_compute_s, double gemm_bytes, double attn_flop,
                             double attn_compute_s, double attn_bytes) {
    RooflinePoint rp;
    rp.flop = gemm_flop + attn_flop;
    rp.bytes = gemm_bytes + attn_bytes;
    rp.intensity_flop_per_byte = rp.bytes > 0 ? rp.flop / rp.bytes : 0.0;
    const double tm_g = gemm_bytes / r.memory_bytes_per_s, tm_a = attn_bytes / r.memory_bytes_per_s;
    rp.time_s = std::max(gemm_compute_s, tm_g) + std::max(attn_compute_s, tm_a);
    rp.attainable_flop_per_s = rp.time_s > 0 ? rp.flop / rp.time_s : 0.0;
    rp.memory_bound = std::max(0.0, tm_g - gemm_compute_s) + std::max(0.0, tm_a - attn_compute_s) >
                      std::max(0.0, gemm_compute_s - tm_g) + std::max(0.0, attn_compute_s - tm_a);
    return rp;
  };
  tt.prefill = two_phase(prefill_gemm_flop, prefill_gemm_s, weights_read(new_ctx),
                         prefill_attn_flop, prefill_attn_flop / prefill_attn_rate, prefill_kv_bytes);
  tt.prefill.time_s *= s.pp;  // stages run one after another for one request
  tt.ttft_s = tt.prefill.time_s + comm_s(new_ctx, s, m, r, abytes);

  // One engine step at batch B: B decode tokens at mid-output context, plus `prompts` requests'
  // prompts (a fraction of one for a chunk), whose tokens share the step's weight reads and add their
  // FLOPs and KV writes. `prompts` = 0 gives the decode step alone.
  const double mid_ctx = ctx + n_out / 2.0;
  // With PP the last stage also runs the output layer, whose work the per-GPU figures above spread
  // over all stages: it is the slowest stage and sets the pace of the pipelined micro-batches. Its
  // extra work per sampled row (each decode token and each prompt's last token) and its extra
  // weight reads per pass.
  const double head_share = s.pp > 1 ? 1.0 - 1.0 / s.pp : 0.0;
  const double head_flop_extra = head_share * output_flop_per_token / s.tp;
  const double head_bytes_extra = head_share * head_elements * other_bytes / s.tp;
  const auto step = [&](double batch, double prompts, RooflinePoint* pt) noexcept {
    const double rows = batch + prompts;
    const double gemm_flop = batch * dense_flop_per_token / gpus + rows * head_flop_extra;
    const double attn_flop =
        batch * (decode_attn_flop_per_layer_ctx * attended(mid_ctx) + ssd_decode_flop_per_token) / gpus;
    RooflinePoint rp = two_phase(
        gemm_flop + prompts * prefill_gemm_flop,
        batch * decode_gemm_s_per_token + prompts * prefill_gemm_s + rows * head_flop_extra / hp_rate,
        weights_read(batch + prompts * new_ctx) + head_bytes_extra, attn_flop + prompts * prefill_attn_flop,
        attn_flop / hp_rate + prompts * prefill_attn_flop / prefill_attn_rate,
        batch * (attended(mid_ctx) * kv_read_per_position + 2.0 * state_bytes_mean) + prompts * prefill_kv_bytes);
    rp.time_s *= s.pp;
    if (pt) *pt = rp;
    return rp.time_s + comm_s(batch + prompts * new_ctx, s, m, r, abytes);
  };
  // Steady state with continuous batching and chunked prefill (vLLM V1's default): every request stays
  // n steps, so B/n prompts join per step on average. A step computes at most `step_tokens` tokens
  // (vLLM's max_num_batched_tokens), the running requests' decode tokens first, so a prompt runs in
  // chunks of c = min(step_tokens − B, prompt) tokens: K = ⌈prompt / c⌉ steps, the last with the
  // remainder (8192 + 16 tokens at c = 8192 take two steps, the second carrying the whole decode
  // batch). A share f = (B/n)·K of the steps carries a chunk and the rest decode alone; TPOT is their
  // mean. When f ≥ 1 the prompts need more than a step each: every step carries B/n of them.
  const double prompt_tokens = std::max(new_ctx, 1.0);
  struct Chunks {
    double size = 0, steps = 0, last = 0;
  };
  const auto chunks_at = [&](double b) {
    Chunks c;
    c.size = std::min(prompt_tokens, std::max(1.0, step_tokens - b));
    c.steps = std::ceil(prompt_tokens / c.size);
    c.last = prompt_tokens - (c.steps - 1.0) * c.size;
    return c;
  };
  // The steady state at `batch` from its two kinds of step: TPOT (the mean step) and TTFT under load.
  // TTFT under load: a prompt runs in K consecutive steps (an engine keeps scheduling a partly
  // prefilled request), each also carrying the batch's decode tokens, or, when every step carries
  // prompts, n/B steps of B/n prompts (at least one). Never below the prompt alone.
  // `decode_pt` / `prompt_pt` receive the steps' rooflines; the decode step alone is evaluated only
  // when TPOT needs it or its roofline is asked for.
  struct SteadyState {
    double share = 0, decode_s = 0, prompt_s = 0, tpot_s = 0, ttft_s = 0;
    Chunks chunks;
  };
  // Pipeline parallelism: engines keep pp micro-batches in flight (vLLM's virtual engines, each with
  // its own scheduler, chunk budget and share of the KV cache; TensorRT-LLM and SGLang likewise), so
  // each stage works on one micro-batch while the others are in other stages, and a micro-batch
  // advances one token per pass through all pp stages. The steady state is that of one such engine
  // whose step is that pass, at the largest micro-batch, ⌈B/pp⌉ requests (its TPOT and TTFT are the
  // ones the SLOs must hold for); the replica's B requests each get a token per step, so tokens/s =
  // B / TPOT (slightly conservative when pp does not divide B).
  const auto engine_batch = [&](double batch) { return s.pp > 1 ? std::max(1.0, std::ceil(batch / s.pp)) : batch; };
  const auto steady_at = [&](double batch, RooflinePoint* decode_pt, RooflinePoint* prompt_pt) {
    SteadyState st;
    const double b = engine_batch(batch);
    st.chunks = chunks_at(b);
    const double joining = b / n_out;  // prompts starting per step
    st.share = std::min(1.0, joining * st.chunks.steps);
    const bool every_step = st.share >= 1.0;
    st.prompt_s = every_step ? step(b, joining, prompt_pt) : step(b, st.chunks.size / prompt_tokens, prompt_pt);
    if (!every_step || decode_pt) st.decode_s = step(b, 0.0, decode_pt);
    if (every_step) {
      st.tpot_s = st.prompt_s;
      st.ttft_s = std::max(tt.ttft_s, std::max(1.0, n_out / b) * st.prompt_s);
    } else {
      // One prompt's steps: K − 1 full chunks and the last one.
      const double last_s =
          st.chunks.steps > 1 ? step(b, st.chunks.last / prompt_tokens, nullptr) : st.prompt_s;
      const double prompt_steps_s = (st.chunks.steps - 1.0) * st.prompt_s + last_s;
      st.tpot_s = (1.0 - st.share) * st.decode_s + joining * prompt_steps_s;
      st.ttft_s = std::max(tt.ttft_s, prompt_steps_s);
    }
    return st;
  };
  const auto meets = [&](double b) {
    const SteadyState st = steady_at(b, nullptr, nullptr);
    return (in.tpot_slo_s <= 0 || st.tpot_s <= in.tpot_slo_s) && (in.ttft_slo_s <= 0 || st.ttft_s <= in.ttft_slo_s);
  };
  // The engine runs at most max_num_seqs requests at once, whatever else would fit. And a step holds
  // at most step_tokens tokens: with B running requests, B decode tokens and the B/n prompts that
  // start per step (P new tokens each) must fit, B + (B/n)·P <= step_tokens, so the step budget
  // sustains at most step_tokens·n / (n + P) running requests (per engine: a PP micro-batch); a larger
  // batch is never reached (vLLM admits new requests only as the budget allows) and is planned at that
  // most instead. Short outputs after long prompts bind here: 2048 + 32 tokens on 8192 per step, 126.
  tt.limits = limits;
  tt.budget_batch = std::max(1.0, std::floor(step_tokens * n_out / (n_out + prompt_tokens))) * s.pp;
  tt.max_batch = std::min({mem.max_concurrent_requests, static_cast<double>(limits.max_seqs), tt.budget_batch});
  double batch = std::min({static_cast<double>(in.batch), static_cast<double>(limits.max_seqs), tt.budget_batch});
  if (batch <= 0) {
    batch = std::max(1.0, tt.max_batch);
    if ((in.tpot_slo_s > 0 || in.ttft_slo_s > 0) && !meets(batch)) {
      // Largest batch meeting the SLOs. TPOT grows with the batch; TTFT under load can fall again
      // once every step carries prompts (a prompt then needs fewer steps), so a bisection that ends
      // on a batch missing them is followed by a downward scan from the most that fit.
      double lo = 1, hi = batch;
      while (hi - lo > 1) {
        const double mid = std::floor((lo + hi) / 2);
        (meets(mid) ? lo : hi) = mid;
      }
      if (!meets(lo)) {
        for (double b = batch - 1; b >= 1; --b) {
          if (meets(b)) {
            lo = b;
            break;
          }
        }
      }
      batch = lo;
    }
  }
  tt.batch = batch;
  tt.micro_batch = engine_batch(batch);
  const SteadyState st = steady_at(batch, &tt.decode, &tt.step);
  tt.decode_step_s = st.decode_s;
  tt.prompt_step_share = st.share;
  tt.prompt_step_s = st.prompt_s;
  tt.tpot_s = st.tpot_s;
  tt.ttft_under_load_s = st.ttft_s;
  tt.prompt_chunk_tokens = st.chunks.size;
  tt.prompt_steps = st.chunks.steps;
  // Steady state: every request is in the batch for n steps (Little's law), so a replica serves
  // B / (n · TPOT) requests per second and B / TPOT output tokens per second, prefill included.
  tt.tokens_per_s = batch / tt.tpot_s;
  tt.tokens_per_s_per_gpu = tt.tokens_per_s / gpus;
  tt.requests_per_s = batch / (n_out * tt.tpot_s);
  tt.meets_slo = (in.tpot_slo_s <= 0 || tt.tpot_s <= in.tpot_slo_s) &&
                 (in.ttft_slo_s <= 0 || tt.ttft_under_load_s <= in.ttft_slo_s);

  mem.workspace_bytes = workspace_at(batch);
  mem.kv_budget_bytes = mem.budget_bytes - mem.weights_bytes - mem.workspace_bytes - mem.overhead_bytes;
  // (A model without attention layers caches no KV: its requests are bounded by their state alone.)
  if (mem.kv_budget_bytes > 0 && mem.kv_bytes_per_token > 0)
    mem.max_kv_tokens = std::floor(mem.kv_budget_bytes / (block * mem.kv_bytes_per_token)) * block;
  mem.total_bytes = mem.weights_bytes + mem.workspace_bytes + mem.overhead_bytes + batch * per_request +
                    mem.shared_prefix_kv_bytes;
  mem.fits = mem.kv_budget_bytes > 0 && batch * per_request + mem.shared_prefix_kv_bytes <= mem.kv_budget_bytes;
  if (w.gpus > out.gpus_per_replica) tt.fleet_gpus = w.gpus;
  // Capacity only from a plan that can serve: one that fits and meets its SLOs.
  if (mem.fits && tt.meets_slo) {
    if (in.qps > 0) {
      // Each replica loaded to at most max_utilisation of what it sustains: with Poisson arrivals the
      // running batch fluctuates around QPS · n · TPOT per replica, and at a load near 1 it is above
      // the planned batch (so past the SLO) a large share of the time.
      tt.replicas_for_qps = std::max(1.0, std::ceil(in.qps / (in.max_utilisation * tt.requests_per_s)));
      tt.gpus_for_qps = tt.replicas_for_qps * gpus;
      tt.utilisation = in.qps / (tt.replicas_for_qps * tt.requests_per_s);
    }
    if (w.gpus > out.gpus_per_replica) {
      tt.fleet_replicas = std::floor(w.gpus / gpus);
      tt.fleet_requests_per_s = tt.fleet_replicas * tt.requests_per_s;
    }
  }
  return out;
}

std::vector<BatchPoint> infer_batch_sweep(const Workload& w, const ParamCounts& pc, const Rates& r,
                                          const Assumptions& a) {
  std::vector<BatchPoint> out;
  Workload at = w;
  at.infer.batch = 0;
  // Up to the largest batch the engine would run: the most that fit, capped at max_num_seqs.
  const double most = evaluate_infer(at, pc, r, a).time.max_batch;
  if (!(most >= 1)) return out;
  const auto add = [&](double batch) {
    at.infer.batch = static_cast<std::int64_t>(batch);
    const InferResult res = evaluate_infer(at, pc, r, a);
    out.push_back({batch, res.time.ttft_s, res.time.ttft_under_load_s, res.time.tpot_s, res.time.tokens_per_s_per_gpu,
                   res.time.decode.memory_bound, res.time.meets_slo});
  };
  for (double b = 1; b < most; b *= 2) add(b);
  add(most);
  return out;
}

InferSearchResult search_infer(const Workload& base, const ParamCounts& params, const Rates& rates,
                               const Assumptions& a, int max_tp, int max_pp) {
  InferSearchResult out;
  if (max_tp <= 0) max_tp = static_cast<int>(rates.gpus_per_node);
  for (int tp = 1; tp <= max_tp; ++tp) {
    for (int pp = 1; pp <= max_pp; ++pp) {  // validate() keeps those dividing the layers
      Workload w = base;
      w.par = Parallelism{};
      w.par.tp = tp;
      w.par.pp = pp;
      w.gpus = 0;
      try {
        validate(w);
      } catch (const core::InputError&) {
        continue;  // TP not dividing the heads, PP not dividing the layers: not a layout of this model
      }
      InferCandidate c;
      c.tp = tp;
      c.pp = pp;
      c.result = evaluate_infer(w, params, rates, a);
      c.usable = c.result.memory.fits && c.result.time.meets_slo;
      out.candidates.push_back(c);
    }
  }
  const bool qps = base.infer.qps > 0;
  // How far a plan misses its SLOs: the larger of TPOT / TPOT SLO and TTFT under load / TTFT SLO.
  const InferSettings& in = base.infer;
  const auto slo_ratio = [&in](const InferResult& r) {
    double ratio = 0;
    if (in.tpot_slo_s > 0) ratio = std::max(ratio, r.time.tpot_s / in.tpot_slo_s);
    if (in.ttft_slo_s > 0) ratio = std::max(ratio, r.time.ttft_under_load_s / in.ttft_slo_s);
    return ratio;
  };
  std::stable_sort(out.candidates.begin(), out.candidates.end(), [&](const InferCandidate& x, const InferCandidate& y) {
    if (x.usable != y.usable) return x.usable;
    // Among the unusable: those that fit (and miss an SLO) before those that do not; the former by
    // how far they miss it, the latter by how far their memory exceeds the budget (the closest first).
    const bool xf = x.result.memory.fits, yf = y.result.memory.fits;
    if (xf != yf) return xf;
    if (!xf) {
      const auto over = [](const InferResult& r) { return r.memory.total_bytes - r.memory.budget_bytes; };
      if (over(x.result) != over(y.result)) return over(x.result) < over(y.result);
    } else if (!x.usable && slo_ratio(x.result) != slo_ratio(y.result)) {
      return slo_ratio(x.result) < slo_ratio(y.result);
    }
    // With a QPS: the fewest GPUs for it, then the smallest replica (finer steps when scaling, a
    // smaller failure domain; a pipelined PP layout often serves as much per GPU as its PP 1 twin).
    if (qps && x.result.time.gpus_for_qps != y.result.time.gpus_for_qps)
      return x.result.time.gpus_for_qps < y.result.time.gpus_for_qps;
    if (qps && x.tp * x.pp != y.tp * y.pp) return x.tp * x.pp < y.tp * y.pp;
    if (x.result.time.tokens_per_s_per_gpu != y.result.time.tokens_per_s_per_gpu)
      return x.result.time.tokens_per_s_per_gpu > y.result.time.tokens_per_s_per_gpu;
    return x.tp * x.pp < y.tp * y.pp;
  });
  out.best = base;
  if (!out.candidates.empty()) {
    out.best.par = Parallelism{};
    out.best.par.tp = out.candidates.front().tp;
    out.best.par.pp = out.candidates.front().pp;
    out.best.gpus = 0;
  }
  return out;
}

}  // namespace headroom::plan
