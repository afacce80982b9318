// Exact parameter counts (known answers from the published checkpoints) and KV bytes per token.
#include <gtest/gtest.h>

#include "headroom/plan/model.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {
using test::catalog;

double total(const std::string& id) {
  return count_params(catalog().model(id)).total;
}

TEST(Params, LlamaCheckpointsExact) {
  // Element counts of the released Hugging Face checkpoints.
  EXPECT_EQ(total("llama-7b"), 6'738'415'616.0);
  EXPECT_EQ(total("llama-13b"), 13'015'864'320.0);
  EXPECT_EQ(total("llama-33b"), 32'528'943'616.0);
  EXPECT_NEAR(total("llama-65b") / 1e9, 65.2, 0.1);  // paper: 65.2B
  EXPECT_EQ(total("llama-2-7b"), 6'738'415'616.0);
  EXPECT_EQ(total("llama-2-13b"), 13'015'864'320.0);
  EXPECT_EQ(total("llama-2-70b"), 68'976'648'192.0);
  EXPECT_EQ(total("llama-3-8b"), 8'030'261'248.0);
  EXPECT_EQ(total("llama-3-70b"), 70'553'706'496.0);
  EXPECT_EQ(total("llama-3.1-405b"), 405'853'388'800.0);
}

TEST(Params, MegatronGptMatchesNarayananFormula) {
  // P = 12·l·h²·(1 + 13/(12h) + (V + s)/(12·l·h)), plus the final LayerNorm (2h) the formula omits.
  for (const char* id : {"megatron-gpt-1.7b", "megatron-gpt-18.4b", "megatron-gpt-145.6b", "megatron-gpt-529.6b",
                         "megatron-gpt-1t", "gpt3-175b"}) {
    const ModelConfig& m = catalog().model(id);
    const double l = static_cast<double>(m.num_layers), h = static_cast<double>(m.hidden_size);
    const double v = static_cast<double>(m.vocab_size), s = static_cast<double>(m.max_seq_len);
    const double formula = 12 * l * h * h * (1 + 13 / (12 * h) + (v + s) / (12 * l * h)) + 2 * h;
    EXPECT_NEAR(total(id), formula, 1.0) << id;
  }
  EXPECT_NEAR(total("megatron-gpt-1t") / 1e9, 1008.0, 0.1);
  EXPECT_NEAR(total("megatron-gpt-529.6b") / 1e9, 529.6, 0.1);
  EXPECT_NEAR(total("megatron-gpt-145.6b") / 1e9, 145.6, 0.1);
  EXPECT_NEAR(total("megatron-gpt-18.4b") / 1e9, 18.4, 0.1);
}

TEST(Params, KvBytesPerTokenBf16) {
  const auto kv = [](const std::string& id) {
    const ModelConfig& m = catalog().model(id);
    return kv_elements_per_token_per_layer(m) * static_cast<double>(m.num_layers) * 2.0;
  };
  EXPECT_EQ(kv("llama-2-7b"), 524'288.0);
  EXPECT_EQ(kv("llama-3-8b"), 131'072.0);
  EXPECT_EQ(kv("llama-2-70b"), 327'680.0);
  EXPECT_EQ(kv("llama-3-70b"), 327'680.0);
  EXPECT_EQ(kv("llama-3.1-405b"), 516'096.0);
  EXPECT_EQ(kv("gpt-oss-120b"), 73'728.0);
}

TEST(Params, MoeActiveVersusTotal) {
  const ParamCounts c = count_params(catalog().model("gpt-oss-120b"));
  EXPECT_NEAR(c.total / 1e9, 116.8, 0.2);                 // model card: 117B total
  EXPECT_NEAR((c.active - c.embedding) / 1e9, 5.1, 0.1);  // model card: 5.1B active (input embedding lookup excluded)
  EXPECT_LT(c.active, c.total);
}

TEST(Params, MlaKvLatent) {
  ModelConfig m = catalog().model("llama-3-8b");
  m.kv_lora_rank = 512;
  m.qk_rope_head_dim = 64;
  EXPECT_EQ(kv_elements_per_token_per_layer(m), 576.0);
}

}  // namespace
}  // namespace headroom::plan

namespace headroom::plan {
namespace {
using test::catalog;

TEST(Params, Mistral7bExact) {
  // Per layer: attention 4096·4096·2 + 4096·1024·2, SwiGLU 3·4096·14336, 2 RMSNorms; untied 32000-token
  // embedding and head; final norm. Model card: 7.24B.
  const double layer = 4096.0 * 4096 * 2 + 4096.0 * 1024 * 2 + 3.0 * 4096 * 14336 + 2 * 4096;
  const double expect = 32 * layer + 2.0 * 32000 * 4096 + 4096;
  const ParamCounts c = count_params(catalog().model("mistral-7b"));
  EXPECT_EQ(c.total, expect);
  EXPECT_EQ(c.total, 7'241'732'096.0);
  EXPECT_NEAR(c.total / 1e9, 7.24, 0.005);
}

TEST(Params, Mixtral8x7bTotalAndActive) {
  // 8 experts of the Mistral MLP, top-2, router 8·4096 without bias. Paper: 46.7B total, 12.9B active.
  const double attn = 4096.0 * 4096 * 2 + 4096.0 * 1024 * 2, expert = 3.0 * 4096 * 14336, router = 8.0 * 4096;
  const double outside = 2.0 * 32000 * 4096 + 4096;
  const ParamCounts c = count_params(catalog().model("mixtral-8x7b"));
  EXPECT_EQ(c.total, 32 * (attn + 8 * expert + router + 2 * 4096) + outside);
  EXPECT_EQ(c.active, 32 * (attn + 2 * expert + router + 2 * 4096) + outside);
  EXPECT_NEAR(c.total / 1e9, 46.7, 0.05);
  EXPECT_NEAR(c.active / 1e9, 12.9, 0.05);
  EXPECT_EQ(c.per_layer_expert, 8 * expert);  // all 32 layers are MoE
}

TEST(Params, DeepSeekV3MainModelActiveAndMtp) {
  const ModelConfig& m = catalog().model("deepseek-v3");
  ASSERT_TRUE(m.is_mla());
  EXPECT_EQ(m.head_dim, 192);  // qk_nope 128 + qk_rope 64
  // MLA: q_a 7168·1536 + q_a_norm 1536 + q_b 1536·128·192 + kv_a 7168·(512+64) + kv_a_norm 512
  //      + kv_b 512·128·(128+128) + o 128·128·7168.
  const double attn =
      7168.0 * 1536 + 1536 + 1536.0 * 128 * 192 + 7168.0 * 576 + 512 + 512.0 * 128 * 256 + 128.0 * 128 * 7168;
  EXPECT_EQ(attention_params(m), attn);
  EXPECT_EQ(attn, 187'107'328.0);
  const double expert = 3.0 * 7168 * 2048, norms = 2.0 * 7168;
  const double dense_layer = attn + 3.0 * 7168 * 18432 + norms;
  const double moe_layer = attn + 256 * expert + expert + 256.0 * 7168 + 256 + norms;  // routed + shared + gate + bias
  const double embed = 129280.0 * 7168;
  const ParamCounts c = count_params(m);
  EXPECT_EQ(c.total, 3 * dense_layer + 58 * moe_layer + 2 * embed + 7168);
  // README_WEIGHTS.md: 671B main model (the MTP module is not in that total).
  EXPECT_NEAR(c.total / 1e9, 671.0, 0.05);
  // 36.6B activated including the 0.9B output head, i.e. without the input embedding lookup ("37B").
  EXPECT_NEAR((c.active - c.embedding) / 1e9, 36.6, 0.05);
  // MTP module: one more MoE layer, eh_proj 2h·h, enorm + hnorm; embedding and head shared.
  EXPECT_EQ(c.mtp, moe_layer + 2.0 * 7168 * 7168 + 2 * 7168);
  EXPECT_NEAR(c.mtp / 1e9, 11.5, 0.15);  // README: 11.5B unique parameters
}

TEST(Params, DeepSeekV3MlaKvCache) {
  // MLA caches the 512-element latent + the 64-element RoPE key per layer per token: 61·576·2 bytes in
  // BF16, against 61·2·128·(192+128)/2·2 for the equivalent multi-head cache (U6).
  const ModelConfig& m = catalog().model("deepseek-v3");
  EXPECT_EQ(kv_elements_per_token_per_layer(m), 576.0);
  EXPECT_EQ(kv_elements_per_token_per_layer(m) * 61 * 2, 70'272.0);
  ModelConfig mha = m;
  mha.kv_lora_rank = 0;
  EXPECT_EQ(kv_elements_per_token_per_layer(mha), 128.0 * (192 + 128));
}

TEST(Params, Llama31SameWeightsAsLlama3LongerContext) {
  EXPECT_EQ(count_params(catalog().model("llama-3.1-8b")).total, count_params(catalog().model("llama-3-8b")).total);
  EXPECT_EQ(count_params(catalog().model("llama-3.1-70b")).total, count_params(catalog().model("llama-3-70b")).total);
  EXPECT_EQ(catalog().model("llama-3.1-8b").max_seq_len, 131072);
  EXPECT_EQ(catalog().model("llama-3-8b").max_seq_len, 8192);
}

TEST(Params, KorthikantiConfigurations) {
  // Korthikanti Table 3 (V = 51200, s = 2048): the 22B, 175B, 530B and 1T GPT configurations.
  EXPECT_NEAR(total("megatron-gpt-22b") / 1e9, 22.0, 0.5);
  EXPECT_NEAR(total("megatron-gpt-175b") / 1e9, 175.0, 0.5);
  EXPECT_NEAR(total("korthikanti-530b") / 1e9, 529.6, 0.1);
  EXPECT_NEAR(total("korthikanti-1t") / 1e9, 1008.0, 0.1);
  const ModelConfig& m = catalog().model("megatron-gpt-22b");
  const double l = 48, h = 6144, v = 51200, s = 2048;
  EXPECT_NEAR(total("megatron-gpt-22b"), 12 * l * h * h * (1 + 13 / (12 * h) + (v + s) / (12 * l * h)) + 2 * h, 1.0);
  EXPECT_EQ(m.num_heads, 64);
}

TEST(Params, HybridMambaGraniteExact) {
  // Granite 4.0-H (HF GraniteMoeHybrid), hidden 1536, 40 layers: 4 attention, 36 Mamba-2.
  // Attention layer: q 1536×1536, k and v 1536×512, o 1536×1536 = 6,291,456.
  // Mamba-2 mixer: in_proj 1536 × (3072 z + 3328 xBC + 48 dt) = 9,904,128; conv1d 3328×4 + bias 3328;
  // dt_bias, A_log, D 3 × 48; gated norm 3072; out_proj 3072×1536 = 4,718,592 → 14,642,576.
  const ModelConfig& one_b = catalog().model("granite-4.0-h-1b");
  EXPECT_EQ(attention_params(one_b), 6'291'456.0);
  EXPECT_EQ(mamba_params(one_b), 14'642'576.0);
  EXPECT_EQ(mamba_params(catalog().model("llama-2-7b")), 0.0);
  // Dense MLP 3 × 1536 × 4096, two RMSNorms per layer, tied embedding 100352 × 1536, final norm.
  const double mlp = 3.0 * 1536 * 4096;
  EXPECT_EQ(total("granite-4.0-h-1b"),
            4 * (6'291'456.0 + mlp + 3072) + 36 * (14'642'576.0 + mlp + 3072) + 100352.0 * 1536 + 1536);
  EXPECT_EQ(total("granite-4.0-h-1b"), 1'461'538'368.0);
  // Tiny: 64 experts of 512 (top-6), a 1024-wide shared MLP, a 64-way router: 6.94B total (IBM:
  // about 7B), 1.47B active.
  const ParamCounts tiny = count_params(catalog().model("granite-4.0-h-tiny"));
  EXPECT_EQ(tiny.total, 6'939'037'248.0);
  EXPECT_EQ(tiny.active, 1'465'470'528.0);
  // Quantisable linear weights: in_proj and out_proj on Mamba layers, the projections on attention
  // layers, the MLPs; not the conv taps, per-head vectors or norms.
  const ParamCounts pc = count_params(one_b);
  EXPECT_EQ(pc.linear_total, 4 * (6'291'456.0 + mlp) + 36 * (9'904'128.0 + 4'718'592.0 + mlp));
}

TEST(Params, MambaStatePerSequence) {
  const ModelConfig& g = catalog().model("granite-4.0-h-1b");
  // conv (4 − 1)·(3072 + 2·1·128) + SSM 48·64·128 per layer.
  EXPECT_EQ(mamba_state_elements(g, 1), 3.0 * 3328 + 48.0 * 64 * 128);
  // TP 2: heads and inner halve; the single B/C group stays whole on each rank.
  EXPECT_EQ(mamba_state_elements(g, 2), 3.0 * (1536 + 256) + 24.0 * 64 * 128);
  ModelConfig eight = g;
  eight.mamba_groups = 8;  // 8 groups split over TP 4: 2 per rank
  EXPECT_EQ(mamba_state_elements(eight, 4), 3.0 * (768 + 2 * 2 * 128) + 12.0 * 64 * 128);
  // KV only on the 4 attention layers: 4 KV heads × (128 + 128) × 2 bytes each.
  EXPECT_EQ(kv_elements_per_token_per_layer(g), 4.0 * 256);
}

TEST(Params, NemotronHSeparateLayersExact) {
  // Nemotron-H 8B: 52 layers, 24 Mamba-2, 4 attention, 24 squared-ReLU MLP layers, one RMSNorm each.
  // Mamba: in_proj 4096 × (8192 z + 10240 x·B·C + 128 dt), conv 10240 × 4 + bias, 3 × 128, norm 8192,
  // out_proj 8192 × 4096 = 109,635,968. Attention: 4096 × (4096 + 1024 + 1024 + 4096) = 41,943,040.
  // MLP: up and down 4096 × 21504 each. Untied embedding and output 131072 × 4096.
  const ModelConfig& m = catalog().model("nemotron-h-8b");
  EXPECT_TRUE(m.mamba_separate);
  EXPECT_EQ(m.attention_layers(), 4);
  EXPECT_EQ(m.mlp_layers(), 24);
  EXPECT_EQ(mamba_params(m), 109'635'968.0);
  EXPECT_EQ(attention_params(m), 41'943'040.0);
  const double mlp = 2.0 * 4096 * 21504;
  EXPECT_EQ(mlp_active_params_per_layer(m), 24.0 / 52 * mlp);
  // (Per-layer means over 52 layers, summed back: exact to well under one element.)
  EXPECT_NEAR(total("nemotron-h-8b"),
              24 * 109'635'968.0 + 4 * 41'943'040.0 + 24 * mlp + 52 * 4096.0 + 2 * 131072.0 * 4096 + 4096, 0.01);
  EXPECT_NEAR(total("nemotron-h-8b"), 8'100'852'736.0, 0.01);
  // Quantisable linear weights: the mixers' projections and the MLP matrices.
  EXPECT_NEAR(count_params(m).linear_total, 24 * (4096.0 * 18560 + 8192.0 * 4096) + 4 * 41'943'040.0 + 24 * mlp, 0.01);
  // The largest layer ZeRO 3 gathers whole: an MLP layer and its norm (the mean layer is 135 M).
  EXPECT_EQ(count_params(m).largest_dense_layer, mlp + 4096);
  // Granite 4.0-H-1B: a Mamba layer with its MLP and two norms; a transformer: its one kind of layer.
  EXPECT_EQ(count_params(catalog().model("granite-4.0-h-1b")).largest_dense_layer,
            14'642'576.0 + 3.0 * 1536 * 4096 + 2 * 1536);
  const ParamCounts llama = count_params(catalog().model("llama-3-8b"));
  EXPECT_EQ(llama.largest_dense_layer, llama.dense_layer);
}

}  // namespace
}  // namespace headroom::plan
