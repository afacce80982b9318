#pragma once
/// Transformer architecture (data/models/*.json, schema "headroom.model" 1.x) and exact parameter
/// counting. Counting follows Megatron-LM's theoretical_memory_usage.py generalised to GQA, SwiGLU,
/// MoE, biases, LayerNorm vs RMSNorm, learned positions and tied / untied embeddings.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace headroom::plan {

inline constexpr const char* kModelSchema = "headroom.model";
inline constexpr int kModelMajor = 1;

enum class MlpKind { kGelu, kSwiglu, kRelu2 };  ///< kRelu2: squared ReLU (Nemotron-H), 2 matrices like GELU
enum class NormKind { kLayerNorm, kRmsNorm };
enum class PositionKind { kLearned, kRope, kAlibi, kNone };

struct ModelConfig {
  std::string id;  ///< e.g. "llama-2-7b"
  std::string name;
  std::vector<std::string> aliases;
  std::string source;  ///< where the architecture numbers come from
  std::string as_of;
  std::int64_t num_layers = 0;
  std::int64_t hidden_size = 0;
  std::int64_t num_heads = 0;
  std::int64_t num_kv_heads = 0;  ///< = num_heads for MHA; 1 for MQA
  std::int64_t head_dim = 0;      ///< hidden_size / num_heads unless given
  std::int64_t ffn_hidden_size = 0;
  std::int64_t vocab_size = 0;
  std::int64_t max_seq_len = 0;  ///< learned position table size; context limit
  MlpKind mlp = MlpKind::kGelu;
  NormKind norm = NormKind::kLayerNorm;
  PositionKind position = PositionKind::kLearned;
  bool linear_bias = true;  ///< biases on every linear layer (GPT-2/3 style)
  bool qkv_bias = false;    ///< biases on Q, K, V only (Qwen style); implied by linear_bias
  bool tied_embeddings = false;
  bool dropout = true;  ///< trained with dropout (stores masks)
  // Mixture of experts: every layer's MLP is replaced by `num_experts` experts when > 0.
  std::int64_t num_experts = 0;
  std::int64_t experts_per_token = 0;
  std::int64_t moe_ffn_hidden_size = 0;  ///< per expert (defaults to ffn_hidden_size)
  std::int64_t shared_experts = 0;       ///< always-active experts of moe_ffn_hidden_size
  std::int64_t first_dense_layers =
      0;                     ///< leading layers with a dense MLP of ffn_hidden_size (DeepSeek first_k_dense_replace)
  bool router_bias = false;  ///< one bias per expert in the router (DeepSeek-V3 e_score_correction_bias)
  /// Node-limited routing (DeepSeek-V3 §2.1.2, M): a token's routed experts lie on at most this many
  /// nodes, and the dispatch sends it over the network once per target node and fans it out over
  /// NVLink there (§3.2.2). 0 = no limit (any expert on any node; one network copy per routed expert).
  std::int64_t max_nodes_per_token = 0;
  // Sliding-window attention: `sliding_window_layers` of the layers attend to `sliding_window` tokens.
  std::int64_t sliding_window = 0;
  std::int64_t sliding_window_layers = 0;
  // Multi-head latent attention (DeepSeek-V2/V3): KV cache per layer per token = kv_lora_rank + rope dim.
  std::int64_t kv_lora_rank = 0;
  std::int64_t qk_rope_head_dim = 0;
  std::int64_t q_lora_rank = 0;       ///< MLA query compression rank (0: full-rank query projection)
  std::int64_t qk_nope_head_dim = 0;  ///< MLA per-head query/key dimension without RoPE (head_dim = nope + rope)
  std::int64_t v_head_dim = 0;        ///< per-head value dimension (0: = head_dim)
  /// Multi-token-prediction modules (DeepSeek-V3 §2.2): one transformer layer + a 2h→h projection +
  /// 2 norms each, sharing the embedding and output head; trained, not counted in `total`.
  std::int64_t mtp_layers = 0;
  // Hybrid state-space models: `mamba_layers` of the layers replace attention by a Mamba-2 (SSD)
  // mixer (Dao & Gu 2024) and keep their MLP, as Bamba, Granite 4.0-H and Jamba stack them. The mixer:
  // in_proj h → 2·inner + 2·groups·state + heads (z, x, B, C, dt), a depthwise causal conv of
  // `mamba_conv` taps over x, B and C, the SSD scan over `mamba_heads` heads of `mamba_head_dim`
  // channels with a `mamba_state`-wide state (B and C shared by the heads of a group), a gated
  // RMSNorm, out_proj inner → h; inner = heads · head_dim.
  std::int64_t mamba_layers = 0;
  std::int64_t mamba_heads = 0;
  std::int64_t mamba_head_dim = 0;
  std::int64_t mamba_state = 0;
  std::int64_t mamba_groups = 1;
  std::int64_t mamba_conv = 4;
  std::int64_t mamba_chunk = 256;  ///< SSD chunk length (tokens per intra-chunk block)
  bool mamba_proj_bias = false;    ///< biases on in_proj and out_proj
  bool mamba_conv_bias = true;
  /// Nemotron-H's layout (HF hybrid_override_pattern): mixers and MLPs are separate layers, each with
  /// one norm — `mamba_layers` Mamba layers, `mamba_attention_layers` attention layers, the rest MLP
  /// layers — instead of every layer holding a mixer and an MLP.
  bool mamba_separate = false;
  std::int64_t mamba_attention_layers = 0;
  /// Which layer is which, one character per layer from the first (HF hybrid_override_pattern's
  /// letters): 'M' a Mamba layer, '*' an attention layer, '-' an MLP layer (layout "separate" only).
  /// Empty (or, in a model resized in code, of another length than num_layers): not given; layer_mix()
  /// then spreads the attention layers over the depth (see there).
  std::string mamba_pattern;

  bool is_moe() const { return num_experts > 0; }
  bool is_hybrid() const { return mamba_layers > 0; }
  /// Layers whose mixer is attention (all of them unless hybrid).
  std::int64_t attention_layers() const { return mamba_separate ? mamba_attention_layers : num_layers - mamba_layers; }
  /// Layers with an MLP (all of them unless mixers and MLPs are separate layers).
  std::int64_t mlp_layers() const {
    return mamba_separate ? num_layers - mamba_layers - mamba_attention_layers : num_layers;
  }
  /// Shares of the layers holding an MLP, an attention mixer and a Mamba mixer; norms per layer.
  double mlp_share() const { return static_cast<double>(mlp_layers()) / static_cast<double>(num_layers); }
  double attention_share() const { return static_cast<double>(attention_layers()) / static_cast<double>(num_layers); }
  double mamba_share() const { return static_cast<double>(mamba_layers) / static_cast<double>(num_layers); }
  double norms_per_layer() const { return mamba_separate ? 1.0 : 2.0; }
  std::int64_t mamba_inner() const { return mamba_heads * mamba_head_dim; }
  /// Channels of the causal conv (and of its cached state): x, B and C.
  std::int64_t mamba_conv_dim() const { return mamba_inner() + 2 * mamba_groups * mamba_state; }
  bool is_mla() const { return kv_lora_rank > 0; }
  /// Layers whose MLP is the mixture of experts (all but the leading dense ones).
  std::int64_t moe_layers() const { return is_moe() ? num_layers - first_dense_layers : 0; }
  std::int64_t value_head_dim() const { return v_head_dim > 0 ? v_head_dim : head_dim; }
};

/// How many layers of each kind a set of layers holds: the whole model, or the layers one pipeline
/// stage holds (counts as doubles, so that shares divide as the per-layer formulas need). Per-layer
/// figures computed for a mix are averages over its layers; a mix of one layer is that layer exactly.
struct LayerMix {
  double layers = 0;
  double attention = 0;  ///< layers whose mixer is attention
  double mamba = 0;      ///< layers whose mixer is a Mamba-2 mixer
  double mlp = 0;        ///< layers with an MLP (dense or MoE)
  double moe = 0;        ///< of those, the MoE ones
  bool operator==(const LayerMix&) const = default;
};

/// The whole model's mix: attention_layers(), mamba_layers, mlp_layers(), moe_layers().
LayerMix model_layer_mix(const ModelConfig& m) noexcept;

/// The mix of layers [begin, end) (0-based): a MoE model's MLPs are dense below first_dense_layers;
/// a hybrid model's kinds follow mamba_pattern or, without one, the attention layers spread over the
/// depth (attention layer j at ⌊(j + ½)·L/A⌋, as Granite 4.0-H places them) and, with separate
/// layers, the Mamba and MLP layers alternating evenly over the rest, a Mamba layer first. O(1)
/// without a pattern, O(end − begin) with one; does not allocate.
LayerMix layer_mix(const ModelConfig& m, std::int64_t begin, std::int64_t end) noexcept;

/// Parameter counts (elements, not bytes). Per-layer figures are averages over the layers when
/// they differ (MoE models with leading dense layers); totals are exact sums.
struct ParamCounts {
  double embedding = 0;         ///< input token embedding + learned positions
  double output = 0;            ///< untied output projection (0 when tied)
  double per_layer = 0;         ///< one transformer layer, all experts
  double per_layer_active = 0;  ///< one layer counting only the experts a token uses
  double per_layer_expert = 0;  ///< the routed-expert part of per_layer (shardable by EP)
  /// One layer of each kind, for stages that hold a known mix (MoE models may lead with dense layers):
  /// a dense layer; a MoE layer without its routed experts (attention, router, shared experts, norms);
  /// the routed experts of one MoE layer. A dense model's dense_layer is per_layer.
  double dense_layer = 0;
  /// The largest dense layer (= dense_layer unless a hybrid model's layer kinds differ: an attention or
  /// a Mamba layer with its MLP, or Nemotron-H's separate Mamba, attention and MLP layers): what ZeRO 3
  /// gathers whole at most.
  double largest_dense_layer = 0;
  double moe_layer_shared = 0;
  double moe_layer_expert = 0;
  /// One layer's parts, for stages whose exact mix of layer kinds is counted (layer_mix): a dense MLP
  /// (a hybrid model's MLP, or a MoE model's leading dense layers'), a MoE MLP without its routed
  /// experts (router and shared experts), an attention mixer and a Mamba-2 mixer (with biases) and one
  /// norm (= final_norm).
  double mlp_dense = 0;
  double moe_mlp_shared = 0;
  double attention_mixer = 0;
  double mamba_mixer = 0;
  double final_norm = 0;
  double total = 0;                ///< everything stored
  double active = 0;               ///< used per token (= total for dense models)
  double non_embedding = 0;        ///< total − embedding − output
  double mtp = 0;                  ///< multi-token-prediction modules (not in total; shared embedding / head excluded)
  double mtp_expert = 0;           ///< the routed-expert part of mtp (shardable by EP)
  double attention_per_layer = 0;  ///< mixer weights of one layer (attention; averaged with Mamba mixers on hybrids)
  /// Weight-matrix elements of the transformer blocks' linear layers (attention projections, MLPs,
  /// every routed and shared expert; `linear_active`: the experts one token uses): what weight-only
  /// quantisation stores in its low-precision format. Embeddings, the output layer, norms, biases,
  /// MoE routers and MTP modules stay outside (16-bit in quantised checkpoints).
  double linear_total = 0;
  double linear_active = 0;
  double linear_experts = 0;  ///< the routed experts' weight matrices (part of linear_total; no biases)
};

/// Exact count for the architecture (no allocation).
ParamCounts count_params(const ModelConfig& m) noexcept;

/// Weight elements of one layer's attention projections (matmul FLOPs = 2 per element per token;
/// pass include_bias = false for the matmul weights alone, the Megatron FLOP convention).
double attention_params(const ModelConfig& m, bool include_bias = true) noexcept;

/// Weight elements of the MLP a token passes through, averaged over the layers: dense FFN, or the
/// routed experts it uses + shared experts + router for MoE layers.
double mlp_active_params_per_layer(const ModelConfig& m, bool include_bias = true) noexcept;
/// The same averaged over the layers of `mix`.
double mlp_active_params_per_layer(const ModelConfig& m, bool include_bias, const LayerMix& mix) noexcept;

/// KV-cache elements per token per layer (K and V; MLA: latent + rope key).
double kv_elements_per_token_per_layer(const ModelConfig& m) noexcept;

/// Weight elements of one Mamba-2 mixer (in_proj, conv taps, dt bias, A, D, gated norm, out_proj,
/// with the biases the model has); 0 for a model without Mamba layers.
double mamba_params(const ModelConfig& m, bool include_bias = true) noexcept;

/// Mixer weights per layer averaged over the layers: attention's on attention layers, the Mamba-2
/// mixer's on Mamba layers (= attention_params for a model without Mamba layers).
double mixer_params_per_layer(const ModelConfig& m, bool include_bias = true) noexcept;
/// The same averaged over the layers of `mix` (model_layer_mix(m) gives the overload above).
double mixer_params_per_layer(const ModelConfig& m, bool include_bias, const LayerMix& mix) noexcept;

/// Recurrent state one sequence keeps in one Mamba layer, on one of `tp` tensor-parallel ranks
/// (elements): the conv's last conv − 1 inputs of x, B and C, and the heads' head_dim × state SSM
/// state. Heads split over TP; B and C split with the groups when tp divides them, else every rank
/// keeps them all (vLLM's MambaMixer2 with one group).
double mamba_state_elements(const ModelConfig& m, int tp = 1) noexcept;

/// What a hybrid model's fields must satisfy together (layer counts that add up, groups dividing the
/// heads, no MoE beside separate layers, sliding windows only on attention layers, no MLA or MTP
/// beside Mamba layers): the first rule broken, as the field (relative to the model object, e.g.
/// "mamba.groups") and what was expected; nullopt when all hold. The model-file reader and validate()
/// (for models built in code, such as the GUI's custom one) both report it.
struct ModelProblem {
  std::string field;
  std::string expected;
};
std::optional<ModelProblem> hybrid_model_problem(const ModelConfig& m);

ModelConfig model_from_json(const std::string& text, const std::string& file);
ModelConfig load_model(const std::filesystem::path& path);
/// Reads a model config object embedded in another document at `path` ("$.model").
std::string model_to_json(const ModelConfig& m, int indent = 2);

}  // namespace headroom::plan
