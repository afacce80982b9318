// FP8 training (Transformer Engine under fp8_autocast, as Megatron-Core / NeMo run it) as known
// answers on a small synthetic model with hand-made rates: which FLOPs run at the FP8 rate and which
// at the bf16 rate, how many elements are quantised per layer (TP, SP, CP splits, GQA, SwiGLU), the
// cast traffic in the step, and that a bf16 plan does not change. Every expected value is written
// out as the arithmetic it comes from.
#include <gtest/gtest.h>

#include "headroom/plan/plan_json.hpp"
#include "headroom/plan/train.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {

constexpr double kFp8Gemm = 200e12;   // FLOP/s
constexpr double kBf16Gemm = 100e12;  // FLOP/s

// 4 layers, h 1024, 8 query heads of 128, 2 KV heads (GQA), SwiGLU with f 4096, RMSNorm, vocabulary 1000.
ModelConfig gqa_swiglu_model() {
  ModelConfig m = test::synthetic_dense_model();
  m.id = "synthetic-fp8";
  m.num_kv_heads = 2;
  m.mlp = MlpKind::kSwiglu;
  m.norm = NormKind::kRmsNorm;
  return m;
}

// Attention weights: Q 1024·1024 + K, V 2·1024·256 + output 1024·1024 = 2,621,440; SwiGLU MLP
// 3·1024·4096 = 12,582,912. One forward of 1024 tokens: 2·1024·(2,621,440 + 12,582,912) FLOP in
// the FP8 GEMMs; attention core 2·1024·1024·8·(128 + 128) (full s², no fused kernel); logits
// 2·1024·1024·1000.
constexpr double kTokens = 1024;
constexpr double kFp8LayerFwd = 2.0 * kTokens * (2621440.0 + 12582912.0);
constexpr double kAttnCoreFwd = 2.0 * kTokens * 1024.0 * 8.0 * 256.0;
constexpr double kLogitsFwd = 2.0 * kTokens * 1024.0 * 1000.0;

Rates rates(double memory_bytes_per_s) {
  Rates r;
  r.memory_bytes = 1e15;  // everything fits
  r.peak_flop_per_s = kFp8Gemm;
  r.gemm_flop_per_s = kFp8Gemm;
  r.higher_precision_gemm_flop_per_s = kBf16Gemm;
  r.memory_bytes_per_s = memory_bytes_per_s;
  r.intra_bus_bytes_per_s = 100e9;
  r.inter_bus_bytes_per_s = 10e9;
  r.gpus_per_node = 8;
  return r;
}

Workload workload(Precision precision, Recompute recompute = Recompute::kNone) {
  Workload w;
  w.model = gqa_swiglu_model();
  w.phase = Phase::kTrain;
  w.train.seq_len = 1024;
  w.train.micro_batch = 1;
  w.train.global_batch = 1;
  w.train.flash_attention = false;
  w.train.precision = precision;
  w.train.recompute = recompute;
  w.gpus = 1;
  return w;
}

TrainResult eval(const Workload& w, const Rates& r) {
  validate(w);
  return evaluate_train(w, count_params(w.model), r, Assumptions{});
}

TEST(Fp8, GemmsAtFp8RateAttentionCoreAndLogitsAtBf16Rate) {
  // Memory so fast that memory-bound kernels vanish: compute_s is GEMM time only.
  const TrainResult r = eval(workload(Precision::kFp8), rates(1e30));
  const double expected =
      3.0 * 4.0 * kFp8LayerFwd / kFp8Gemm + (3.0 * 4.0 * kAttnCoreFwd + 3.0 * kLogitsFwd) / kBf16Gemm;
  EXPECT_NEAR(r.time.compute_s, expected, expected * 1e-12);
  // The Megatron FLOP count (MFU numerator) does not depend on the precision.
  EXPECT_DOUBLE_EQ(r.time.model_flop_per_step, 3.0 * (4.0 * (kFp8LayerFwd + kAttnCoreFwd) + kLogitsFwd));
}

TEST(Fp8, SelectiveRecomputeRerunsTheBf16AttentionCore) {
  const TrainResult r = eval(workload(Precision::kFp8, Recompute::kSelective), rates(1e30));
  EXPECT_NEAR(r.time.recompute_s, 4.0 * kAttnCoreFwd / kBf16Gemm, 1e-15);
  const TrainResult full = eval(workload(Precision::kFp8, Recompute::kFull), rates(1e30));
  const double expected = 4.0 * (kFp8LayerFwd / kFp8Gemm + kAttnCoreFwd / kBf16Gemm);
  EXPECT_NEAR(full.time.recompute_s, expected, expected * 1e-12);
}

TEST(Fp8, Bf16PlanIsUnchangedAndIgnoresTheSecondRate) {
  // A bf16 plan times everything at gemm_flop_per_s, whatever higher_precision_gemm_flop_per_s says.
  Rates r = rates(1e30);
  r.gemm_flop_per_s = kBf16Gemm;
  const TrainResult bf16 = eval(workload(Precision::kBf16), r);
  const double expected = (3.0 * 4.0 * (kFp8LayerFwd + kAttnCoreFwd) + 3.0 * kLogitsFwd) / kBf16Gemm;
  EXPECT_NEAR(bf16.time.compute_s, expected, expected * 1e-12);
  r.higher_precision_gemm_flop_per_s = 1e12;
  const TrainResult again = eval(workload(Precision::kBf16), r);
  EXPECT_EQ(again.time.step_s, bf16.time.step_s);
  EXPECT_EQ(again.time.elementwise_s, bf16.time.elementwise_s);
}

TEST(Fp8, CastElementsPerLayer) {
  // Per token: forward h (QKV input) + o 1024 (projection input) + h (FC1 input) + f 4096 (FC2
  // input); backward q + k + v = 1024 + 256 + 256 (QKV output gradient) + h (projection) + 2f
  // (SwiGLU FC1 output gradient) + h (FC2). The h-wide tensors are replicated over TP unless SP.
  const ModelConfig m = gqa_swiglu_model();
  TrainSettings t;
  t.seq_len = 1024;
  t.micro_batch = 1;
  Parallelism p;
  Fp8CastElements c = fp8_cast_elements_per_layer(m, p, t);
  EXPECT_DOUBLE_EQ(c.forward, 1024.0 * (1024 + 1024 + 1024 + 4096));
  EXPECT_DOUBLE_EQ(c.backward, 1024.0 * (1536 + 1024 + 8192 + 1024));
  p.tp = 2;
  c = fp8_cast_elements_per_layer(m, p, t);
  EXPECT_DOUBLE_EQ(c.forward, 1024.0 * (2048 + 5120 / 2));
  EXPECT_DOUBLE_EQ(c.backward, 1024.0 * (2048 + 9728 / 2));
  p.sequence_parallel = true;
  c = fp8_cast_elements_per_layer(m, p, t);
  EXPECT_DOUBLE_EQ(c.forward, 1024.0 * (2048 / 2 + 5120 / 2));
  EXPECT_DOUBLE_EQ(c.backward, 1024.0 * (2048 / 2 + 9728 / 2));
  p.cp = 2;  // each CP rank holds half the sequence
  c = fp8_cast_elements_per_layer(m, p, t);
  EXPECT_DOUBLE_EQ(c.forward, 512.0 * (2048 / 2 + 5120 / 2));
  // GELU: one FC1 output (f) instead of SwiGLU's two.
  ModelConfig gelu = m;
  gelu.mlp = MlpKind::kGelu;
  EXPECT_DOUBLE_EQ(fp8_cast_elements_per_layer(gelu, Parallelism{}, t).backward, 1024.0 * (1536 + 1024 + 4096 + 1024));
}

TEST(Fp8, CastTrafficInTheStep) {
  // GEMMs infinitely fast and 1 TB/s of memory: an FP8 plan's memory-bound time exceeds the bf16
  // plan's by exactly the cast traffic, 4 B per quantised element (read 2 B bf16, write 1 B FP8 and
  // 1 B transposed): 4 layers × (7,340,032 + 12,058,624) activation and gradient elements per
  // micro-batch, plus the layer weights once per step (2,621,440 + 12,582,912 + 2 RMSNorm scales of
  // 1024, per layer, × 4 layers).
  Rates r = rates(1e12);
  r.gemm_flop_per_s = 1e30;
  r.higher_precision_gemm_flop_per_s = 1e30;
  const TrainResult fp8 = eval(workload(Precision::kFp8), r);
  const TrainResult bf16 = eval(workload(Precision::kBf16), r);
  const double activation_cast_bytes = 4.0 * 4.0 * (7340032.0 + 12058624.0);
  const double weight_cast_bytes = 4.0 * 4.0 * (2621440.0 + 12582912.0 + 2048.0);
  const double expected_s = (activation_cast_bytes + weight_cast_bytes) / 1e12;
  EXPECT_NEAR(fp8.time.elementwise_s - bf16.time.elementwise_s, expected_s, expected_s * 1e-9);
  EXPECT_NEAR(fp8.time.step_s - bf16.time.step_s, expected_s, expected_s * 1e-9);
  // Full recompute casts the forward inputs a second time.
  const TrainResult fp8_full = eval(workload(Precision::kFp8, Recompute::kFull), r);
  const TrainResult bf16_full = eval(workload(Precision::kBf16, Recompute::kFull), r);
  const double full_s = expected_s + 4.0 * 4.0 * 7340032.0 / 1e12;
  EXPECT_NEAR(fp8_full.time.elementwise_s - bf16_full.time.elementwise_s, full_s, full_s * 1e-9);
}

TEST(Fp8, ResolvedRates) {
  // An FP8 plan on the H100 datasheet profile times its bf16 GEMMs at 0.8 × the bf16 dense peak; a
  // bf16 plan's second rate is its own GEMM rate.
  const HardwareProfile& h100 = test::catalog().gpu("h100-sxm5-80gb");
  const Rates fp8 = test::rates_for("h100-sxm5-80gb", Precision::kFp8);
  EXPECT_DOUBLE_EQ(fp8.gemm_flop_per_s, *h100.peak(Precision::kFp8).value * 0.8);
  EXPECT_DOUBLE_EQ(fp8.higher_precision_gemm_flop_per_s, *h100.peak(Precision::kBf16).value * 0.8);
  const Rates bf16 = test::rates_for("h100-sxm5-80gb", Precision::kBf16);
  EXPECT_EQ(bf16.higher_precision_gemm_flop_per_s, bf16.gemm_flop_per_s);
}

TEST(Fp8, AssumptionsNameTheWeightStorageTheMemoryModelCounts) {
  // The memory model counts 2-byte weights for fp8 / bf16 / fp16 with fp32 master copies, and 4-byte
  // weights without master copies for fp32 / tf32; the assumption line must say the same.
  const auto storage_line = [](Precision p) {
    Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 128, 4096, 1);
    w.train.precision = p;
    PlanContext ctx;
    ctx.rates = test::rates_for("h100-sxm5-80gb", p);
    for (const auto& line : assumption_lines(w, ctx)) {
      if (line.find("precision:") != std::string::npos) return line;
    }
    return std::string();
  };
  EXPECT_EQ(storage_line(Precision::kFp8).rfind("mixed precision: bf16 weights (the FP8 GEMMs use FP8 copies), ", 0), 0u)
      << storage_line(Precision::kFp8);
  EXPECT_NE(storage_line(Precision::kFp8).find("fp32 master weights"), std::string::npos);
  EXPECT_EQ(storage_line(Precision::kBf16).rfind("mixed precision: bf16 weights, ", 0), 0u);
  const std::string tf32 = storage_line(Precision::kTf32);
  EXPECT_EQ(tf32.rfind("full precision: fp32 weights, ", 0), 0u) << tf32;
  EXPECT_EQ(tf32.find("master"), std::string::npos);
  // ...and the memory behind it: 2-byte weights plus a 4-byte master copy for fp8, none for tf32.
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 128, 4096, 1);
  w.train.precision = Precision::kFp8;
  const TrainResult fp8 = test::train(w, "h100-sxm5-80gb");
  EXPECT_DOUBLE_EQ(fp8.memory.master_bytes, 2.0 * fp8.memory.weights_bytes);
}

}  // namespace
}  // namespace headroom::plan
