// Exact parameter counts (known answers from the published checkpoints) and KV bytes per token.
#include <gtest/gtest.h>

#include "headroom/plan/model.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {
using test::catalog;

double total(const std::string& id) { return count_params(catalog().model(id)).total; }

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
  EXPECT_NEAR(c.total / 1e9, 116.8, 0.2);  // model card: 117B total
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
