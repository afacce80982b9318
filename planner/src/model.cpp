#include "headroom/plan/model.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "headroom/core/detail/strict_json.hpp"
#include "headroom/core/errors.hpp"
#include "model_json.hpp"

namespace headroom::plan {

using core::detail::Reader;
using nlohmann::json;

namespace {
double mlp_params(const ModelConfig& m, double ffn, bool include_bias = true) {
  const double h = static_cast<double>(m.hidden_size);
  const double mats = m.mlp == MlpKind::kSwiglu ? 3.0 : 2.0;
  double p = mats * h * ffn;
  if (m.linear_bias && include_bias) p += (m.mlp == MlpKind::kSwiglu ? 2.0 : 1.0) * ffn + h;
  return p;
}
}  // namespace

double attention_params(const ModelConfig& m, bool include_bias) noexcept {
  const double h = static_cast<double>(m.hidden_size);
  const double heads = static_cast<double>(m.num_heads);
  const double q = heads * static_cast<double>(m.head_dim);
  double attn = 0;
  if (m.is_mla()) {
    // DeepSeek-V2/V3 MLA: query down/up projections (with a norm on the latent), joint KV down
    // projection to the latent plus the shared RoPE key, KV up projection, output projection.
    const double v = static_cast<double>(m.value_head_dim());
    const double lq = static_cast<double>(m.q_lora_rank);
    const double lkv = static_cast<double>(m.kv_lora_rank);
    const double rope = static_cast<double>(m.qk_rope_head_dim);
    const double nope = static_cast<double>(m.qk_nope_head_dim);
    const double lat_norm = m.norm == NormKind::kLayerNorm ? 2.0 : 1.0;  // elements per latent norm
    attn += lq > 0 ? h * lq + lat_norm * lq + lq * q : h * q;
    attn += h * (lkv + rope) + lat_norm * lkv;
    attn += lkv * heads * (nope + v);
    attn += heads * v * h;
  } else {
    const double kv = static_cast<double>(m.num_kv_heads) * static_cast<double>(m.head_dim);
    const double v = static_cast<double>(m.num_kv_heads) * static_cast<double>(m.value_head_dim());
    const double o = heads * static_cast<double>(m.value_head_dim());
    attn = h * q + h * kv + h * v + o * h;
    if (include_bias && m.linear_bias) {
      attn += q + kv + v + h;
    } else if (include_bias && m.qkv_bias) {
      attn += q + kv + v;
    }
  }
  return attn;
}

double mamba_params(const ModelConfig& m, bool include_bias) noexcept {
  if (!m.is_hybrid()) return 0.0;
  const double h = static_cast<double>(m.hidden_size);
  const double inner = static_cast<double>(m.mamba_inner());
  const double conv_dim = static_cast<double>(m.mamba_conv_dim());
  const double heads = static_cast<double>(m.mamba_heads);
  const double in_out = inner + conv_dim + heads;     // z, then x·B·C (the conv's channels), then dt per head
  double p = h * in_out + inner * h;                  // in_proj, out_proj
  p += conv_dim * static_cast<double>(m.mamba_conv);  // depthwise conv taps
  p += 3.0 * heads + inner;                           // dt bias, A (log), D per head; the gated norm's weight
  if (include_bias && m.mamba_conv_bias) p += conv_dim;
  if (include_bias && m.mamba_proj_bias) p += in_out + h;
  return p;
}

double mixer_params_per_layer(const ModelConfig& m, bool include_bias) noexcept {
  return mixer_params_per_layer(m, include_bias, model_layer_mix(m));
}

double mixer_params_per_layer(const ModelConfig& m, bool include_bias, const LayerMix& mix) noexcept {
  return (mix.attention * attention_params(m, include_bias) + mix.mamba * mamba_params(m, include_bias)) / mix.layers;
}

LayerMix model_layer_mix(const ModelConfig& m) noexcept {
  return {static_cast<double>(m.num_layers), static_cast<double>(m.attention_layers()),
          static_cast<double>(m.mamba_layers), static_cast<double>(m.mlp_layers()), static_cast<double>(m.moe_layers())};
}

namespace {
/// Layers below layer x that are attention layers when `a` of `l` are spread over the depth, the j-th
/// (0-based) at ⌊(2j + 1)·l / 2a⌋: the j with (2j + 1)·l < 2·a·x.
std::int64_t spread_attention_below(std::int64_t a, std::int64_t l, std::int64_t x) noexcept {
  const std::int64_t num = 2 * a * x - l;
  return num <= 0 ? 0 : std::min(a, (num + 2 * l - 1) / (2 * l));
}
}  // namespace

LayerMix layer_mix(const ModelConfig& m, std::int64_t begin, std::int64_t end) noexcept {
  begin = std::clamp<std::int64_t>(begin, 0, m.num_layers);
  end = std::clamp<std::int64_t>(end, begin, m.num_layers);
  const auto n = static_cast<double>(end - begin);
  LayerMix mix{n, n, 0.0, n, 0.0};
  if (m.is_moe()) mix.moe = static_cast<double>(end - std::max(begin, std::min(end, m.first_dense_layers)));
  if (!m.is_hybrid()) return mix;
  std::int64_t attn = 0, mamba = 0;
  if (static_cast<std::int64_t>(m.mamba_pattern.size()) == m.num_layers) {
    for (std::int64_t i = begin; i < end; ++i) {
      const char c = m.mamba_pattern[static_cast<std::size_t>(i)];
      attn += c == '*' ? 1 : 0;
      mamba += c == 'M' ? 1 : 0;
    }
  } else {
    const std::int64_t a = m.attention_layers(), l = m.num_layers;
    const auto attn_below = [&](std::int64_t x) { return spread_attention_below(a, l, x); };
    attn = attn_below(end) - attn_below(begin);
    if (m.mamba_separate) {
      // The other layers alternate evenly: the k-th of them (0-based) is a Mamba layer when
      // ⌈(k + 1)·M/N⌉ > ⌈k·M/N⌉, so ⌈k·M/N⌉ of the first k are.
      const std::int64_t others = l - a;
      const auto mamba_below = [&](std::int64_t x) {
        const std::int64_t k = x - attn_below(x);
        return others > 0 ? (k * m.mamba_layers + others - 1) / others : 0;
      };
      mamba = mamba_below(end) - mamba_below(begin);
    } else {
      mamba = (end - begin) - attn;
    }
  }
  mix.attention = static_cast<double>(attn);
  mix.mamba = static_cast<double>(mamba);
  if (m.mamba_separate) mix.mlp = n - mix.attention - mix.mamba;
  return mix;
}

double mamba_state_elements(const ModelConfig& m, int tp) noexcept {
  if (!m.is_hybrid()) return 0.0;
  const double t = std::max(1, tp);
  const double groups = m.mamba_groups % std::max(1, tp) == 0 ? static_cast<double>(m.mamba_groups) / t
                                                              : static_cast<double>(m.mamba_groups);
  const double conv = static_cast<double>(m.mamba_conv - 1) *
                      (static_cast<double>(m.mamba_inner()) / t + 2.0 * groups * static_cast<double>(m.mamba_state));
  const double ssm = static_cast<double>(m.mamba_heads) / t * static_cast<double>(m.mamba_head_dim) *
                     static_cast<double>(m.mamba_state);
  return conv + ssm;
}

std::optional<ModelProblem> hybrid_model_problem(const ModelConfig& m) {
  if (m.mamba_layers < 0 || m.mamba_layers > m.num_layers) {
    return ModelProblem{"mamba.layers",
                        fmt::format("a layer count in [0, num_layers ({})], got {}", m.num_layers, m.mamba_layers)};
  }
  if (!m.is_hybrid()) return std::nullopt;
  if (m.mamba_heads > 0 && m.mamba_groups > 0 && m.mamba_heads % m.mamba_groups != 0) {
    return ModelProblem{"mamba.groups",
                        fmt::format("a divisor of mamba.num_heads ({}), got {}", m.mamba_heads, m.mamba_groups)};
  }
  if (m.mamba_separate) {
    if (m.mamba_attention_layers < 0 || m.mamba_layers + m.mamba_attention_layers > m.num_layers) {
      return ModelProblem{"mamba.attention_layers",
                          fmt::format("a count in [0, num_layers − mamba.layers ({})], got {}",
                                      m.num_layers - m.mamba_layers, m.mamba_attention_layers)};
    }
    if (m.is_moe()) {
      return ModelProblem{"moe", "absent with mamba.layout 'separate' (MoE layers of their own are not modelled)"};
    }
  }
  if (m.is_mla()) {
    return ModelProblem{"mamba", "absent on an MLA model (hybrid Mamba layers are modelled beside GQA attention)"};
  }
  if (m.mtp_layers > 0) {
    return ModelProblem{"mtp_layers", "0 on a hybrid Mamba model (MTP modules beside Mamba layers are not modelled)"};
  }
  // (A pattern of another length is not this model's: a model resized in code, like the GUI's custom
  // one, falls back to spreading; the model-file reader refuses it.)
  if (static_cast<std::int64_t>(m.mamba_pattern.size()) == m.num_layers) {
    std::int64_t n_attn = 0, n_mamba = 0;
    for (const char c : m.mamba_pattern) {
      if (c != 'M' && c != '*' && (c != '-' || !m.mamba_separate)) {
        return ModelProblem{"mamba.pattern", m.mamba_separate ? "letters 'M' (Mamba), '*' (attention) or '-' (MLP)"
                                                               : "letters 'M' (Mamba) or '*' (attention); '-' (MLP) "
                                                                 "only with layout 'separate'"};
      }
      n_attn += c == '*' ? 1 : 0;
      n_mamba += c == 'M' ? 1 : 0;
    }
    if (n_mamba != m.mamba_layers || n_attn != m.attention_layers()) {
      return ModelProblem{"mamba.pattern", fmt::format("{} 'M' (mamba.layers) and {} '*' (attention layers), got {} and {}",
                                                       m.mamba_layers, m.attention_layers(), n_mamba, n_attn)};
    }
  }
  if (m.sliding_window > 0 && m.sliding_window_layers > m.attention_layers()) {
    return ModelProblem{"sliding_window.layers", fmt::format("at most the attention layers ({}), got {}",
                                                             m.attention_layers(), m.sliding_window_layers)};
  }
  return std::nullopt;
}

double mlp_active_params_per_layer(const ModelConfig& m, bool include_bias) noexcept {
  return mlp_active_params_per_layer(m, include_bias, model_layer_mix(m));
}

double mlp_active_params_per_layer(const ModelConfig& m, bool include_bias, const LayerMix& mix) noexcept {
  const double dense = mlp_params(m, static_cast<double>(m.ffn_hidden_size), include_bias);
  if (!m.is_moe()) return mix.mlp / mix.layers * dense;  // separate MLP layers (Nemotron-H): their share
  const double f = static_cast<double>(m.moe_ffn_hidden_size > 0 ? m.moe_ffn_hidden_size : m.ffn_hidden_size);
  const double moe = static_cast<double>(m.experts_per_token + m.shared_experts) * mlp_params(m, f, include_bias) +
                     static_cast<double>(m.hidden_size) * static_cast<double>(m.num_experts);
  return (mix.moe * moe + (mix.mlp - mix.moe) * dense) / mix.layers;
}

ParamCounts count_params(const ModelConfig& m) noexcept {
  const double h = static_cast<double>(m.hidden_size);
  const double norm = m.norm == NormKind::kLayerNorm ? 2.0 * h : h;

  // The mixer of an average layer: attention, or on hybrid models the mean over attention and Mamba
  // layers (stage and per-layer figures are averages; totals are exact).
  const double attn = mixer_params_per_layer(m);
  const double dense_mlp = mlp_params(m, static_cast<double>(m.ffn_hidden_size));
  double moe_mlp = 0, moe_active = 0, expert_part = 0;
  if (m.is_moe()) {
    const double f = static_cast<double>(m.moe_ffn_hidden_size > 0 ? m.moe_ffn_hidden_size : m.ffn_hidden_size);
    const double one = mlp_params(m, f);
    const double e = static_cast<double>(m.num_experts);
    const double router = h * e + (m.linear_bias || m.router_bias ? e : 0.0);
    const double shared = static_cast<double>(m.shared_experts) * one;
    expert_part = e * one;
    moe_mlp = expert_part + router + shared;
    moe_active = static_cast<double>(m.experts_per_token) * one + router + shared;
  }
  const double n_moe = static_cast<double>(m.moe_layers());
  const double n_dense = static_cast<double>(m.num_layers) - n_moe;
  const double layers = static_cast<double>(m.num_layers);
  // A dense layer: its mixer, its MLP and two norms; with Nemotron-H's separate layers, a mixer or an
  // MLP and one norm (the mean over the layers; MoE is not combined with that layout).
  const double dense_block = attn + m.mlp_share() * dense_mlp + m.norms_per_layer() * norm;
  const double blocks = n_dense * dense_block + n_moe * (attn + moe_mlp + 2.0 * norm);
  const double blocks_active = n_dense * dense_block + n_moe * (attn + moe_active + 2.0 * norm);

  ParamCounts c;
  c.attention_per_layer = attn;
  c.per_layer = blocks / layers;
  c.per_layer_active = blocks_active / layers;
  c.per_layer_expert = n_moe * expert_part / layers;
  c.dense_layer = dense_block;
  c.largest_dense_layer = dense_block;
  if (m.is_hybrid()) {
    const double attn_layer = attention_params(m), mamba_layer = mamba_params(m);
    c.largest_dense_layer =
        m.mamba_separate ? std::max({m.attention_layers() > 0 ? attn_layer : 0.0, mamba_layer,
                                     m.mlp_layers() > 0 ? dense_mlp : 0.0}) +
                               norm
                         : std::max(m.attention_layers() > 0 ? attn_layer : 0.0, mamba_layer) + dense_mlp + 2.0 * norm;
  }
  c.moe_layer_shared = n_moe > 0 ? attn + moe_mlp - expert_part + 2.0 * norm : 0.0;
  c.mlp_dense = dense_mlp;
  c.moe_mlp_shared = moe_mlp - expert_part;
  c.attention_mixer = attention_params(m);
  c.mamba_mixer = mamba_params(m);
  c.moe_layer_expert = n_moe > 0 ? expert_part : 0.0;
  c.embedding = static_cast<double>(m.vocab_size) * h;
  if (m.position == PositionKind::kLearned) c.embedding += static_cast<double>(m.max_seq_len) * h;
  c.output = m.tied_embeddings ? 0.0 : static_cast<double>(m.vocab_size) * h;
  c.final_norm = norm;
  c.total = blocks + c.embedding + c.output + c.final_norm;
  c.active = blocks_active + c.embedding + c.output + c.final_norm;
  c.non_embedding = c.total - c.embedding - c.output;
  {
    // Linear-layer weight matrices: the attention projections without biases (and without MLA's
    // latent norms, which attention_params counts with them) and the MLPs' h × f matrices.
    // Mamba layers: in_proj and out_proj (the conv taps and per-head vectors stay 16-bit).
    double attn_linear = attention_params(m, false);
    if (m.is_hybrid()) {
      const double h_ = static_cast<double>(m.hidden_size);
      const double inner = static_cast<double>(m.mamba_inner());
      const double mamba_linear =
          h_ * (inner + static_cast<double>(m.mamba_conv_dim()) + static_cast<double>(m.mamba_heads)) + inner * h_;
      attn_linear = m.attention_share() * attn_linear + m.mamba_share() * mamba_linear;
    }
    if (m.is_mla()) {
      const double lat_norm = m.norm == NormKind::kLayerNorm ? 2.0 : 1.0;
      attn_linear -= lat_norm * static_cast<double>((m.q_lora_rank > 0 ? m.q_lora_rank : 0) + m.kv_lora_rank);
    }
    const double mats = m.mlp == MlpKind::kSwiglu ? 3.0 : 2.0;
    const double dense_linear = mats * h * static_cast<double>(m.ffn_hidden_size);
    double moe_linear = 0, moe_linear_active = 0, routed_linear = 0;
    if (m.is_moe()) {
      const double f = static_cast<double>(m.moe_ffn_hidden_size > 0 ? m.moe_ffn_hidden_size : m.ffn_hidden_size);
      const double shared = static_cast<double>(m.shared_experts);
      routed_linear = static_cast<double>(m.num_experts) * mats * h * f;
      moe_linear = routed_linear + shared * mats * h * f;
      moe_linear_active = (static_cast<double>(m.experts_per_token) + shared) * mats * h * f;
    }
    c.linear_total = n_dense * (attn_linear + m.mlp_share() * dense_linear) + n_moe * (attn_linear + moe_linear);
    c.linear_active =
        n_dense * (attn_linear + m.mlp_share() * dense_linear) + n_moe * (attn_linear + moe_linear_active);
    c.linear_experts = n_moe * routed_linear;
  }
  if (m.mtp_layers > 0) {
    // Each module: one layer of the (last) block kind, a 2h→h projection and two input norms.
    const double mtp_attn = attention_params(m);  // MTP modules are transformer layers
    const double block = n_moe > 0 ? mtp_attn + moe_mlp + 2.0 * norm : mtp_attn + dense_mlp + 2.0 * norm;
    c.mtp = static_cast<double>(m.mtp_layers) * (block + 2.0 * h * h + 2.0 * norm);
    c.mtp_expert = n_moe > 0 ? static_cast<double>(m.mtp_layers) * expert_part : 0.0;
  }
  return c;
}

double kv_elements_per_token_per_layer(const ModelConfig& m) noexcept {
  if (m.kv_lora_rank > 0) return static_cast<double>(m.kv_lora_rank + m.qk_rope_head_dim);
  return static_cast<double>(m.num_kv_heads) * static_cast<double>(m.head_dim + m.value_head_dim());
}

namespace detail {

ModelConfig model_from_reader(const Reader& r) {
  r.expect_object();
  ModelConfig m;
  r.only_keys(
      {"schema",          "schema_version", "id",        "name",           "aliases",  "source",      "as_of",
       "num_layers",      "hidden_size",    "num_heads", "num_kv_heads",   "head_dim", "v_head_dim",  "ffn_hidden_size",
       "vocab_size",      "max_seq_len",    "mlp",       "norm",           "position", "linear_bias", "qkv_bias",
       "tied_embeddings", "dropout",        "moe",       "sliding_window", "mla",      "mtp_layers",  "mamba"});
  m.id = r.string("id");
  if (m.id.empty()) r.fail_at("id", "a non-empty id");
  m.name = r.string_or("name", m.id);
  if (auto a = r.maybe("aliases")) {
    for (std::size_t i = 0; i < a->size(); ++i) m.aliases.push_back(a->index(i).as_string());
  }
  m.source = r.string_or("source", "");
  m.as_of = r.string_or("as_of", "");
  constexpr std::int64_t kMax = std::int64_t{1} << 24;  // 16.7M: absurd beyond this for any dimension
  m.num_layers = r.integer("num_layers", 1, 100000);
  m.hidden_size = r.integer("hidden_size", 1, kMax);
  m.num_heads = r.integer("num_heads", 1, 100000);
  m.num_kv_heads = r.integer_or("num_kv_heads", m.num_heads, 1, 100000);
  if (m.num_kv_heads > m.num_heads) r.fail_at("num_kv_heads", fmt::format("at most num_heads ({})", m.num_heads));
  if (m.num_heads % m.num_kv_heads != 0) {
    r.fail_at("num_kv_heads", fmt::format("a divisor of num_heads ({}), got {}", m.num_heads, m.num_kv_heads));
  }
  if (r.has("head_dim") && !r.is_null("head_dim")) {
    m.head_dim = r.integer("head_dim", 1, 65536);
  } else {
    if (m.hidden_size % m.num_heads != 0) {
      r.fail_at("head_dim", fmt::format("given, since hidden_size {} is not a multiple of num_heads {}", m.hidden_size,
                                        m.num_heads));
    }
    m.head_dim = m.hidden_size / m.num_heads;
  }
  m.ffn_hidden_size = r.integer("ffn_hidden_size", 1, kMax);
  m.vocab_size = r.integer("vocab_size", 1, kMax);
  m.max_seq_len = r.integer_or("max_seq_len", 2048, 1, std::int64_t{1} << 26);
  const std::string mlp = r.choice_or("mlp", {"gelu", "swiglu", "relu2"}, "gelu");
  m.mlp = mlp == "swiglu" ? MlpKind::kSwiglu : mlp == "relu2" ? MlpKind::kRelu2 : MlpKind::kGelu;
  m.norm = r.choice_or("norm", {"layernorm", "rmsnorm"}, "layernorm") == "rmsnorm" ? NormKind::kRmsNorm
                                                                                   : NormKind::kLayerNorm;
  const std::string pos = r.choice_or("position", {"learned", "rope", "alibi", "none"}, "learned");
  m.position = pos == "learned" ? PositionKind::kLearned
               : pos == "rope"  ? PositionKind::kRope
               : pos == "alibi" ? PositionKind::kAlibi
                                : PositionKind::kNone;
  m.linear_bias = r.boolean_or("linear_bias", false);
  m.qkv_bias = r.boolean_or("qkv_bias", false);
  m.tied_embeddings = r.boolean_or("tied_embeddings", false);
  m.dropout = r.boolean_or("dropout", false);
  if (auto moe = r.maybe("moe")) {
    moe->only_keys({"num_experts", "experts_per_token", "ffn_hidden_size", "shared_experts", "first_dense_layers",
                    "router_bias", "max_nodes_per_token"});
    m.num_experts = moe->integer("num_experts", 1, 100000);
    m.experts_per_token = moe->integer("experts_per_token", 1, m.num_experts);
    m.moe_ffn_hidden_size = moe->integer_or("ffn_hidden_size", m.ffn_hidden_size, 1, kMax);
    m.shared_experts = moe->integer_or("shared_experts", 0, 0, 1000);
    m.first_dense_layers = moe->integer_or("first_dense_layers", 0, 0, m.num_layers - 1);
    m.router_bias = moe->boolean_or("router_bias", false);
    // Absent or null: no node limit. Otherwise a positive integer (the strict reader names the file
    // and $.moe.max_nodes_per_token for 0, negatives, fractions and non-numbers).
    m.max_nodes_per_token = moe->integer_or_null("max_nodes_per_token", 1, 100000).value_or(0);
  }
  if (auto sw = r.maybe("sliding_window")) {
    sw->only_keys({"window", "layers"});
    m.sliding_window = sw->integer("window", 1, std::int64_t{1} << 26);
    m.sliding_window_layers = sw->integer("layers", 0, m.num_layers);
  }
  if (auto mla = r.maybe("mla")) {
    mla->only_keys({"kv_lora_rank", "qk_rope_head_dim", "q_lora_rank", "qk_nope_head_dim"});
    m.kv_lora_rank = mla->integer("kv_lora_rank", 1, kMax);
    m.qk_rope_head_dim = mla->integer_or("qk_rope_head_dim", 0, 0, kMax);
    m.q_lora_rank = mla->integer_or("q_lora_rank", 0, 0, kMax);
    m.qk_nope_head_dim = mla->integer_or("qk_nope_head_dim", 0, 0, kMax);
    if (m.qk_nope_head_dim > 0) {
      if (r.has("head_dim") && !r.is_null("head_dim") && m.head_dim != m.qk_nope_head_dim + m.qk_rope_head_dim) {
        r.fail_at("head_dim", fmt::format("qk_nope_head_dim + qk_rope_head_dim ({}) for an MLA model, got {}",
                                          m.qk_nope_head_dim + m.qk_rope_head_dim, m.head_dim));
      }
      m.head_dim = m.qk_nope_head_dim + m.qk_rope_head_dim;
    }
  }
  if (r.has("v_head_dim") && !r.is_null("v_head_dim")) m.v_head_dim = r.integer("v_head_dim", 1, 65536);
  m.mtp_layers = r.integer_or("mtp_layers", 0, 0, 64);
  if (auto mb = r.maybe("mamba")) {
    mb->only_keys({"layers", "num_heads", "head_dim", "state_size", "groups", "conv_kernel", "chunk_size", "proj_bias",
                   "conv_bias", "layout", "attention_layers", "pattern"});
    m.mamba_layers = mb->integer("layers", 1, m.num_layers);
    m.mamba_heads = mb->integer("num_heads", 1, 100000);
    m.mamba_head_dim = mb->integer("head_dim", 1, 65536);
    m.mamba_state = mb->integer("state_size", 1, 65536);
    m.mamba_groups = mb->integer_or("groups", 1, 1, m.mamba_heads);
    m.mamba_conv = mb->integer_or("conv_kernel", 4, 1, 1024);
    m.mamba_chunk = mb->integer_or("chunk_size", 256, 1, 65536);
    m.mamba_proj_bias = mb->boolean_or("proj_bias", false);
    m.mamba_conv_bias = mb->boolean_or("conv_bias", true);
    // "mixer+mlp": every layer a mixer (Mamba or attention) and an MLP (Granite 4.0-H, Bamba);
    // "separate": Mamba, attention and MLP layers of their own (Nemotron-H), attention_layers given.
    m.mamba_separate = mb->choice_or("layout", {"mixer+mlp", "separate"}, "mixer+mlp") == "separate";
    if (m.mamba_separate) {
      m.mamba_attention_layers = mb->integer("attention_layers", 0, m.num_layers - m.mamba_layers);
    } else if (mb->has("attention_layers")) {
      mb->fail_at("attention_layers", "absent unless layout is 'separate' (num_layers − mamba.layers otherwise)");
    }
    m.mamba_pattern = mb->string_or("pattern", "");
    if (!m.mamba_pattern.empty() && static_cast<std::int64_t>(m.mamba_pattern.size()) != m.num_layers) {
      mb->fail_at("pattern", fmt::format("one letter per layer ({} letters), got {}", m.num_layers, m.mamba_pattern.size()));
    }
    if (auto problem = hybrid_model_problem(m)) r.fail_at(problem->field, problem->expected);
  }
  return m;
}

}  // namespace detail

ModelConfig model_from_json(const std::string& text, const std::string& file) {
  const json doc = core::detail::parse_json_text(text, file);
  const Reader r(doc, file);
  r.expect_schema(kModelSchema, kModelMajor);
  return detail::model_from_reader(r);
}

ModelConfig load_model(const std::filesystem::path& path) {
  const json doc = core::detail::read_json_file(path.string());
  const Reader r(doc, path.string());
  r.expect_schema(kModelSchema, kModelMajor);
  return detail::model_from_reader(r);
}

std::string model_to_json(const ModelConfig& m, int indent) {
  json j;
  j["schema"] = kModelSchema;
  j["schema_version"] = "1.0";
  j["id"] = m.id;
  j["name"] = m.name;
  j["aliases"] = m.aliases;
  j["source"] = m.source;
  j["as_of"] = m.as_of;
  j["num_layers"] = m.num_layers;
  j["hidden_size"] = m.hidden_size;
  j["num_heads"] = m.num_heads;
  j["num_kv_heads"] = m.num_kv_heads;
  j["head_dim"] = m.head_dim;
  j["ffn_hidden_size"] = m.ffn_hidden_size;
  j["vocab_size"] = m.vocab_size;
  j["max_seq_len"] = m.max_seq_len;
  j["mlp"] = m.mlp == MlpKind::kSwiglu ? "swiglu" : m.mlp == MlpKind::kRelu2 ? "relu2" : "gelu";
  j["norm"] = m.norm == NormKind::kRmsNorm ? "rmsnorm" : "layernorm";
  const char* pos[] = {"learned", "rope", "alibi", "none"};
  j["position"] = pos[static_cast<int>(m.position)];
  j["linear_bias"] = m.linear_bias;
  j["qkv_bias"] = m.qkv_bias;
  j["tied_embeddings"] = m.tied_embeddings;
  j["dropout"] = m.dropout;
  if (m.is_moe()) {
    j["moe"] = json{{"num_experts", m.num_experts},
                    {"experts_per_token", m.experts_per_token},
                    {"ffn_hidden_size", m.moe_ffn_hidden_size},
                    {"shared_experts", m.shared_experts},
                    {"first_dense_layers", m.first_dense_layers},
                    {"router_bias", m.router_bias}};
    if (m.max_nodes_per_token > 0) j["moe"]["max_nodes_per_token"] = m.max_nodes_per_token;
  }
  if (m.sliding_window > 0)
    j["sliding_window"] = json{{"window", m.sliding_window}, {"layers", m.sliding_window_layers}};
  if (m.kv_lora_rank > 0) {
    j["mla"] = json{{"kv_lora_rank", m.kv_lora_rank},
                    {"qk_rope_head_dim", m.qk_rope_head_dim},
                    {"q_lora_rank", m.q_lora_rank},
                    {"qk_nope_head_dim", m.qk_nope_head_dim}};
  }
  if (m.v_head_dim > 0) j["v_head_dim"] = m.v_head_dim;
  if (m.mtp_layers > 0) j["mtp_layers"] = m.mtp_layers;
  if (m.is_hybrid()) {
    j["mamba"] =
        json{{"layers", m.mamba_layers},    {"num_heads", m.mamba_heads},     {"head_dim", m.mamba_head_dim},
             {"state_size", m.mamba_state}, {"groups", m.mamba_groups},       {"conv_kernel", m.mamba_conv},
             {"chunk_size", m.mamba_chunk}, {"proj_bias", m.mamba_proj_bias}, {"conv_bias", m.mamba_conv_bias}};
    if (m.mamba_separate) {
      j["mamba"]["layout"] = "separate";
      j["mamba"]["attention_layers"] = m.mamba_attention_layers;
    }
    if (!m.mamba_pattern.empty()) j["mamba"]["pattern"] = m.mamba_pattern;
  }
  return j.dump(indent);
}

}  // namespace headroom::plan
