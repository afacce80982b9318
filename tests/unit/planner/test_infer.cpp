// Inference: KV capacity, roofline regime, SLO-limited batch, QPS sizing.
#include <gtest/gtest.h>

#include <cmath>

#include "headroom/plan/infer.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {

const Assumptions kA;

Workload infer(const std::string& model, int tp, std::int64_t ctx, std::int64_t out) {
  Workload w;
  w.model = test::catalog().model(model);
  w.phase = Phase::kInfer;
  w.par.tp = tp;
  w.infer.context_len = ctx;
  w.infer.output_len = out;
  validate(w);
  return w;
}

InferResult eval(const Workload& w, const std::string& gpu = "h100-sxm5-80gb") {
  return evaluate_infer(w, count_params(w.model), test::rates_for(gpu, w.infer.compute_precision), kA);
}

TEST(Infer, WeightsAndKvPerGpu) {
  const Workload w = infer("llama-3-70b", 4, 2048, 512);
  const InferResult r = eval(w);
  EXPECT_NEAR(r.memory.weights_bytes, count_params(w.model).total * 2 / 4, 1);
  EXPECT_DOUBLE_EQ(r.memory.kv_bytes_per_token, 327'680.0 / 4);  // 8 KV heads split over TP 4
  EXPECT_DOUBLE_EQ(r.memory.kv_bytes_per_token_model, 327'680.0);
  const double tokens = std::floor(r.memory.kv_budget_bytes / r.memory.kv_bytes_per_token);
  EXPECT_DOUBLE_EQ(r.memory.max_kv_tokens, tokens);
  EXPECT_DOUBLE_EQ(r.memory.max_concurrent_requests,
                   std::floor(r.memory.kv_budget_bytes / (2560 * r.memory.kv_bytes_per_token)));
}

TEST(Infer, KvHeadsReplicatedBeyondTp) {
  // 8 KV heads on TP 16: each rank keeps one KV head.
  const InferResult r = eval(infer("llama-3.1-405b", 16, 1024, 128));
  EXPECT_DOUBLE_EQ(r.memory.kv_bytes_per_token, 2.0 * 1 * 128 * 126 * 2);
}

TEST(Infer, QuantisedKvHalvesBytes) {
  Workload w = infer("llama-3-8b", 1, 1024, 128);
  const double bf16 = eval(w).memory.kv_bytes_per_token;
  w.infer.kv_precision = Precision::kFp8;
  EXPECT_DOUBLE_EQ(eval(w).memory.kv_bytes_per_token, bf16 / 2);
}

TEST(Infer, DecodeMemoryBoundPrefillComputeBound) {
  Workload w = infer("llama-3-8b", 1, 4096, 256);
  w.infer.batch = 1;
  const InferResult r = eval(w);
  EXPECT_TRUE(r.time.decode.memory_bound);
  EXPECT_FALSE(r.time.prefill.memory_bound);
  // Batch-1 decode ≈ weights / achievable bandwidth.
  EXPECT_NEAR(r.time.tpot_s, r.time.decode.bytes / (3.35e12 * 0.8), 1e-4);
}

TEST(Infer, SloLimitsTheBatch) {
  Workload w = infer("llama-3-8b", 1, 2048, 256);
  const InferResult free_batch = eval(w);
  w.infer.tpot_slo_s = free_batch.time.tpot_s / 2;
  const InferResult slo = eval(w);
  EXPECT_LT(slo.time.batch, free_batch.time.batch);
  EXPECT_LE(slo.time.tpot_s, w.infer.tpot_slo_s);
  EXPECT_TRUE(slo.time.meets_slo);
}

TEST(Infer, GpusForQps) {
  Workload w = infer("llama-3-8b", 1, 1024, 256);
  w.infer.qps = 100;
  const InferResult r = eval(w);
  EXPECT_EQ(r.time.replicas_for_qps, std::ceil(100 / r.time.requests_per_s));
  EXPECT_EQ(r.time.gpus_for_qps, r.time.replicas_for_qps);
}

TEST(Infer, DoesNotFitWhenWeightsExceedMemory) {
  const InferResult r = eval(infer("llama-3.1-405b", 1, 1024, 128));
  EXPECT_FALSE(r.memory.fits);
  EXPECT_LT(r.memory.kv_budget_bytes, 0);
}

}  // namespace
}  // namespace headroom::plan

namespace headroom::plan {
namespace {

TEST(Infer, MlaLatentCacheIsReplicatedAcrossTp) {
  // DeepSeek-V3 on 8 H200 with FP8 weights: each TP rank keeps the full 576-element latent per layer
  // (the latent is shared by all heads, so TP cannot split it), i.e. 61·576·2 B per token per GPU.
  Workload w;
  w.model = test::catalog().model("deepseek-v3");
  w.phase = Phase::kInfer;
  w.par.tp = 8;
  w.infer.context_len = 4096;
  w.infer.output_len = 1024;
  w.infer.weight_precision = Precision::kFp8;
  validate(w);
  const InferResult r = evaluate_infer(w, count_params(w.model), test::rates_for("h200-sxm-141gb"), Assumptions{});
  EXPECT_EQ(r.memory.kv_bytes_per_token, 61.0 * 576 * 2);
  EXPECT_EQ(r.memory.kv_bytes_per_token_model, 61.0 * 576 * 2);
  EXPECT_NEAR(r.memory.weights_bytes, count_params(w.model).total / 8, 1.0);  // FP8: 1 byte per weight
  EXPECT_TRUE(r.memory.fits);
}

}  // namespace
}  // namespace headroom::plan
