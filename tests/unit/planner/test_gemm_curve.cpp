// Measured GEMM curves: profile.gemm_curves (schema 1.1), GemmRateCurve, and training timed by GEMM
// size. Known answers are computed here from the documented rule (rate interpolated linearly in
// ln(2·m·n·k), clamped to the end points), not from the library's own helpers.
#include <gtest/gtest.h>

#include <cmath>

#include "headroom/core/errors.hpp"
#include "headroom/plan/infer.hpp"
#include "headroom/plan/profile_from_results.hpp"
#include "headroom/plan/rates.hpp"
#include "helpers.hpp"
#include "synthetic_results.hpp"

namespace headroom::plan {
namespace {

constexpr double kT = 1e12;

GemmCurve curve(std::vector<GemmPoint> points) {
  GemmCurve c;
  c.points = std::move(points);
  c.provenance = Provenance::kMeasured;
  c.source = "test";
  c.as_of = "2026-11-22";
  return c;
}

double cube(double n) { return 2.0 * n * n * n; }

/// The two-point curve of the known-answer tests: 1024³ at 100 TFLOP/s, 8192³ at 400 (9 ln 2 apart).
GemmCurve two_point_curve() { return curve({{1024, 1024, 1024, 100 * kT}, {8192, 8192, 8192, 400 * kT}}); }
/// Its rate by the documented rule, written out here: linear in ln FLOPs, clamped at the ends.
double two_point_rate(double flop) {
  const double x = std::log(flop / cube(1024)) / (9.0 * std::log(2.0));
  return (100.0 + 300.0 * std::clamp(x, 0.0, 1.0)) * kT;
}

TEST(GemmRateCurve, InterpolatesInLnFlopsAveragesEqualWorkAndClampsAtTheEnds) {
  // 1024³ at 100 TFLOP/s; 4096³ at 200 and an 8192 × 4096 × 2048 of equal work at 180: one point at 190.
  const GemmRateCurve c = GemmRateCurve::from(curve({{8192, 4096, 2048, 180 * kT}, {1024, 1024, 1024, 100 * kT},
                                                     {4096, 4096, 4096, 200 * kT}}));
  ASSERT_EQ(c.log_flop.size(), 2u);
  EXPECT_DOUBLE_EQ(c.at(cube(1024)), 100 * kT);
  EXPECT_DOUBLE_EQ(c.at(cube(4096)), 190 * kT);
  // 2048³ lies half way in ln FLOPs (3 ln 2 of 6 ln 2): half way in rate.
  EXPECT_NEAR(c.at(cube(2048)), 145 * kT, 1e-3 * kT);
  // A quarter of the way: 1024³ · 2^1.5.
  EXPECT_NEAR(c.at(cube(1024) * std::pow(2.0, 1.5)), 122.5 * kT, 1e-3 * kT);
  EXPECT_DOUBLE_EQ(c.at(cube(64)), 100 * kT);     // below the sweep: the smallest size's rate
  EXPECT_DOUBLE_EQ(c.at(cube(65536)), 190 * kT);  // above: the largest size's
  EXPECT_DOUBLE_EQ(c.at(0.0), 100 * kT);
}

TEST(GemmCurve, ProfileFromResultsKeepsTheSweepInSizeOrder) {
  const core::Results r = test::synthetic_results();
  const HardwareProfile p = profile_from_results(r, "synthetic_results.json", nullptr);
  const GemmCurve& bf16 = p.gemm_curve(Precision::kBf16);
  ASSERT_EQ(bf16.points.size(), 2u);
  EXPECT_EQ(bf16.points[0].m, 4096);
  EXPECT_EQ(bf16.points[0].flop_per_s, 700e12);
  EXPECT_EQ(bf16.points[1].m, 8192);
  EXPECT_EQ(bf16.points[1].flop_per_s, 750e12);
  EXPECT_EQ(bf16.provenance, Provenance::kMeasured);
  EXPECT_EQ(bf16.as_of, "2026-11-22");
  EXPECT_NE(bf16.source.find("synthetic_results.json"), std::string::npos);
  EXPECT_TRUE(p.gemm_curve(Precision::kFp32).empty());  // one size only: the peak says it all
  EXPECT_TRUE(p.gemm_curve(Precision::kFp8).empty());   // waived
  // Round trip, and the rates the planner reads.
  const HardwareProfile back = profile_from_json(profile_to_json(p), "p.json");
  EXPECT_EQ(profile_to_json(back), profile_to_json(p));
  ASSERT_EQ(back.gemm_curve(Precision::kBf16).points.size(), 2u);
  const Rates rates = resolve_rates(back, Precision::kBf16, Assumptions{});
  EXPECT_EQ(rates.gemm_flop_per_s, 750e12);  // the flat rate stays the best size
  ASSERT_FALSE(rates.gemm_curve.empty());
  EXPECT_DOUBLE_EQ(rates.gemm_curve.at(cube(4096)), 700e12);
  bool noted = false;
  for (const auto& n : rates.notes) noted = noted || n.find("measured curve of 2 sizes") != std::string::npos;
  EXPECT_TRUE(noted);
  // A datasheet profile has none.
  EXPECT_TRUE(test::rates_for("h100-sxm5-80gb").gemm_curve.empty());
}

std::string profile_with_curves(const std::string& curves) {
  return R"({"schema":"headroom.profile","schema_version":"1.1","id":"x",
    "memory_bytes":{"value":8e10,"provenance":"datasheet","source":"s","as_of":"2026-01-01"},
    "gemm_curves":)" +
         curves + "}";
}

std::string error_path(const std::string& doc) {
  try {
    profile_from_json(doc, "p.json");
  } catch (const core::InputError& e) {
    return e.json_path();
  }
  return "(accepted)";
}

TEST(GemmCurve, BadCurvesNameTheField) {
  const std::string head = R"({"bf16":{"provenance":"measured","source":"r.json","as_of":"2026-11-22","points":)";
  EXPECT_EQ(error_path(profile_with_curves(head + R"([{"m":8,"n":8,"k":8,"flop_per_s":1e12}]}})")), "(accepted)");
  EXPECT_EQ(error_path(profile_with_curves(head + "[]}}")), "$.gemm_curves.bf16.points");
  EXPECT_EQ(error_path(profile_with_curves(head + R"([{"m":0,"n":8,"k":8,"flop_per_s":1e12}]}})")),
            "$.gemm_curves.bf16.points[0].m");
  EXPECT_EQ(error_path(profile_with_curves(head + R"([{"m":8,"n":8,"k":8,"flop_per_s":-1}]}})")),
            "$.gemm_curves.bf16.points[0].flop_per_s");
  EXPECT_EQ(error_path(profile_with_curves(head + R"([{"m":8,"n":8.5,"k":8,"flop_per_s":1}]}})")),
            "$.gemm_curves.bf16.points[0].n");
  EXPECT_EQ(error_path(profile_with_curves(R"({"bf17":{}})")), "$.gemm_curves.bf17");
  // A curve holds achieved rates: measured or an override, never a datasheet figure.
  EXPECT_EQ(error_path(profile_with_curves(
                R"({"bf16":{"provenance":"datasheet","source":"r","as_of":"2026-11-22","points":[]}})")),
            "$.gemm_curves.bf16.provenance");
  EXPECT_EQ(error_path(profile_with_curves(
                R"({"bf16":{"provenance":"measured","source":"","as_of":"2026-11-22","points":[]}})")),
            "$.gemm_curves.bf16.source");
  EXPECT_EQ(error_path(profile_with_curves(
                R"({"bf16":{"provenance":"measured","source":"r","as_of":"22.11.2026","points":[]}})")),
            "$.gemm_curves.bf16.as_of");
}

TEST(GemmCurve, LayerGemmsAddUpToTheLinearFlops) {
  const double tokens = 4096;
  for (const char* id : {"llama-3-8b", "gpt3-175b", "mixtral-8x7b", "deepseek-v3", "granite-4.0-h-tiny"}) {
    const ModelConfig& m = test::catalog().model(id);
    Parallelism p;
    p.tp = 4;
    p.ep = m.is_moe() ? 2 : 1;
    const LayerGemms g = layer_linear_gemms(m, tokens, p);
    double sum = 0;
    for (int i = 0; i < g.count; ++i) sum += g.calls[static_cast<std::size_t>(i)].flop;
    // MLA's latent norms are counted with the weights by layer_forward_flop but are no GEMM.
    const double latent_norms =
        m.is_mla() ? 2.0 * tokens * static_cast<double>(m.q_lora_rank + m.kv_lora_rank) / p.tp : 0.0;
    // A Mamba mixer's conv taps, per-head vectors and norm weight likewise (36 of 40 layers).
    const double mamba_other = m.is_hybrid() ? 2.0 * tokens * 0.9 * (3328.0 * 4 + 3 * 48 + 3072) / p.tp : 0.0;
    const double linear = (layer_forward_flop(m, tokens, 4096) - attention_core_flop(m, tokens, 4096)) / p.tp;
    EXPECT_NEAR(sum, linear - latent_norms - mamba_other, 1e-9 * linear) << id;
  }
}

TEST(GemmCurve, LayerGemmCallSizesMoeAndMla) {
  // Mixtral 8x7B, 4096 tokens on a rank, TP 4, EP 2 (every layer MoE): fused QKV, projection, router,
  // and each of the rank's 8/2 = 4 experts' FC1 (gate + up) and FC2 on 2·4096·2/8 = 2048 tokens.
  Parallelism p;
  p.tp = 4;
  p.ep = 2;
  const LayerGemms mx = layer_linear_gemms(test::catalog().model("mixtral-8x7b"), 4096, p);
  const double t2 = 2.0 * 4096 / 4;
  const double calls[][2] = {{t2 * 4096 * (4096 + 8 * 256), 1},
                             {t2 * 4096 * 4096, 1},
                             {t2 * 4096 * 8, 1},
                             {t2 * 2 * 4096 * 2 * 14336 / 4, 4},
                             {t2 * 2 * 14336 * 4096 / 4, 4}};
  ASSERT_EQ(mx.count, 5);
  for (int i = 0; i < 5; ++i) {
    const GemmCall& c = mx.calls[static_cast<std::size_t>(i)];
    EXPECT_DOUBLE_EQ(c.flop_per_call, calls[i][0]) << i;
    EXPECT_DOUBLE_EQ(c.flop, calls[i][0] * calls[i][1]) << i;
  }
  // DeepSeek-V3 MLA, TP = EP = 1: query down (7168 → 1536) and up (→ 128 heads × 192), joint KV down
  // (→ 512 + 64), KV up (512 → 128 × (128 + 128)), output projection (128 × 128 → 7168); then the 3
  // dense layers' FC1 / FC2 weighted 3/61 and the 58 MoE layers' calls weighted 58/61.
  const LayerGemms ds = layer_linear_gemms(test::catalog().model("deepseek-v3"), 4096, Parallelism{});
  const double d2 = 2.0 * 4096;
  const double mla[] = {d2 * 7168 * 1536, d2 * 1536 * 128 * 192, d2 * 7168 * 576, d2 * 512 * 128 * 256,
                        d2 * 128 * 128 * 7168};
  ASSERT_EQ(ds.count, 12);
  for (int i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(ds.calls[static_cast<std::size_t>(i)].flop_per_call, mla[i]) << i;
  EXPECT_DOUBLE_EQ(ds.calls[5].flop, d2 * 7168 * 2 * 18432 * 3 / 61);  // dense FC1, 3 of 61 layers
  // A routed expert's FC1 call: 4096 · 8 / 256 = 128 tokens; 256 such calls.
  EXPECT_DOUBLE_EQ(ds.calls[8].flop_per_call, 2.0 * 128 * 7168 * 2 * 2048);
  EXPECT_DOUBLE_EQ(ds.calls[8].flop, 256 * 2.0 * 128 * 7168 * 2 * 2048 * 58 / 61);
}

TEST(GemmCurve, SyntheticModelKnownAnswer) {
  // 4 layers, h 1024, MHA 8 × 128, GeLU FFN 4096, vocabulary 1000; 2048 tokens, TP = PP = DP = 1,
  // no recompute, no fused attention. Curve: 1024³ at 100 TFLOP/s, 8192³ at 400 (9 ln 2 apart).
  Workload w = test::synthetic_workload(Phase::kTrain);
  w.train.global_batch = 1;
  w.train.micro_batch = 1;
  w.train.seq_len = 2048;
  w.train.flash_attention = false;
  w.gpus = 1;
  validate(w);
  HardwareProfile prof = test::catalog().gpu("h100-sxm5-80gb");
  prof.gemm_curve(Precision::kBf16) = two_point_curve();
  const Rates r = resolve_rates(prof, Precision::kBf16, Assumptions{});
  const auto rate = two_point_rate;
  const double t = 2048;
  const double calls[] = {2 * t * 1024 * 3072, 2 * t * 1024 * 1024, 2 * t * 1024 * 4096, 2 * t * 4096 * 1024};
  double flop = 0, time = 0;
  for (double c : calls) {
    flop += c;
    time += c / rate(c);
  }
  const double lin_rate = flop / time;
  const double attn = 2 * t * 2048 * 8 * 256;  // QKᵀ and A·V over the full s² (no fused kernel)
  const double attn_rate = rate(attn / 2);     // two batched GEMMs
  const double logits = 2 * t * 1024 * 1000;
  const double out_rate = rate(logits);
  const TrainResult res = evaluate_train(w, count_params(w.model), r, Assumptions{});
  EXPECT_NEAR(res.time.gemm_linear_flop_per_s, lin_rate, 1e-9 * lin_rate);
  EXPECT_NEAR(res.time.gemm_attention_flop_per_s, attn_rate, 1e-9 * attn_rate);
  EXPECT_NEAR(res.time.gemm_output_flop_per_s, out_rate, 1e-9 * out_rate);
  const double compute = 4 * 3 * (flop / lin_rate + attn / attn_rate) + 3 * logits / out_rate;
  EXPECT_NEAR(res.time.compute_s, compute, 1e-9 * compute);
  // The same plan at the flat datasheet rate (0.8 × 989 = 791.2 TFLOP/s): every GEMM here is far
  // below the sizes that reach it, so the curve makes the plan slower.
  ASSERT_EQ(*prof.peak(Precision::kBf16).value, 989e12);
  const TrainResult flat = test::train(w, "h100-sxm5-80gb");
  EXPECT_NEAR(flat.time.compute_s, (4 * 3 * (flop + attn) + 3 * logits) / 791.2e12, 1e-9 * flat.time.compute_s);
  EXPECT_GT(res.time.step_s, flat.time.step_s);
}

TEST(GemmCurve, PrefillIsTimedBySizeDecodeAtTheFlatRate) {
  // The synthetic model serving one 2048-token prompt on one GPU, with the same two-point curve.
  Workload w = test::synthetic_workload(Phase::kInfer);
  w.infer.context_len = 2048;
  w.infer.output_len = 256;
  w.infer.batch = 8;
  validate(w);
  HardwareProfile prof = test::catalog().gpu("h100-sxm5-80gb");
  prof.gemm_curve(Precision::kBf16) = two_point_curve();
  const auto rate = two_point_rate;
  const InferResult res = evaluate_infer(w, count_params(w.model), resolve_rates(prof, Precision::kBf16, {}), {});
  const double t = 2048;
  double lin = 0, lin_s = 0;
  for (double c : {2 * t * 1024 * 3072, 2 * t * 1024 * 1024, 2 * t * 1024 * 4096, 2 * t * 4096 * 1024}) {
    lin += 4 * c;  // 4 layers
    lin_s += 4 * c / rate(c);
  }
  const double attn_layer = 2 * 8 * 256 * t * t / 2;  // causal: half of the s² products
  const double rest = res.time.prefill.flop - lin - 4 * attn_layer;  // output layer (last token) and norms
  ASSERT_GT(rest, 2 * 1024 * 1000);
  const double expected = res.time.prefill.flop / (lin_s + 4 * attn_layer / rate(attn_layer) + rest / rate(2 * 1024 * 1000));
  EXPECT_NEAR(res.time.prefill.attainable_flop_per_s, expected, 1e-9 * expected);
  EXPECT_NEAR(res.time.prefill.time_s, res.time.prefill.flop / expected, 1e-12);
  // Decode ignores the curve: with memory made free so that its compute term decides, the step is
  // its FLOPs at the profile's flat rate (here the datasheet's 0.8 × 989 TFLOP/s); on the curve its
  // tiny GEMMs (M = 8) would run at the smallest size's 100.
  Rates fast_memory = resolve_rates(prof, Precision::kBf16, {});
  fast_memory.memory_bytes_per_s = 1e30;
  const InferResult compute_bound = evaluate_infer(w, count_params(w.model), fast_memory, {});
  EXPECT_FALSE(compute_bound.time.decode.memory_bound);
  EXPECT_DOUBLE_EQ(compute_bound.time.decode.time_s, compute_bound.time.decode.flop / 791.2e12);
}

TEST(GemmCurve, FlatCurveAtTheFlatRateChangesNothing) {
  const Workload w = test::train_workload("llama-2-7b", 2, 2, 2, 64, 4096);
  const TrainResult flat = test::train(w, "h100-sxm5-80gb");
  HardwareProfile prof = test::catalog().gpu("h100-sxm5-80gb");
  const double rate = 989e12 * 0.8;  // the datasheet bf16 peak × the default GEMM efficiency
  prof.gemm_curve(Precision::kBf16) = curve({{1024, 1024, 1024, rate}, {16384, 16384, 16384, rate}});
  const TrainResult curved = evaluate_train(w, count_params(w.model), resolve_rates(prof, Precision::kBf16, {}), {});
  EXPECT_NEAR(curved.time.step_s, flat.time.step_s, 1e-12 * flat.time.step_s);
  EXPECT_NEAR(curved.time.compute_s, flat.time.compute_s, 1e-12 * flat.time.compute_s);
  EXPECT_DOUBLE_EQ(curved.time.gemm_linear_flop_per_s, rate);
}

TEST(GemmCurve, Fp8PlanTimesLinearLayersOnTheFp8CurveAndTheRestOnBf16) {
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 64, 4096);
  w.train.precision = Precision::kFp8;
  HardwareProfile prof = test::catalog().gpu("h100-sxm5-80gb");
  prof.gemm_curve(Precision::kFp8) = curve({{1024, 1024, 1024, 1000 * kT}, {8192, 8192, 8192, 1000 * kT}});
  prof.gemm_curve(Precision::kBf16) = curve({{1024, 1024, 1024, 500 * kT}, {8192, 8192, 8192, 500 * kT}});
  validate(w);
  const TrainResult res = evaluate_train(w, count_params(w.model), resolve_rates(prof, Precision::kFp8, {}), {});
  EXPECT_DOUBLE_EQ(res.time.gemm_linear_flop_per_s, 1000 * kT);
  EXPECT_DOUBLE_EQ(res.time.gemm_attention_flop_per_s, 500 * kT);
  EXPECT_DOUBLE_EQ(res.time.gemm_output_flop_per_s, 500 * kT);
  // Without curves: the flat FP8 and bf16 rates (0.8 × datasheet).
  const TrainResult flat = test::train(w, "h100-sxm5-80gb");
  EXPECT_DOUBLE_EQ(flat.time.gemm_linear_flop_per_s, 0.8 * 1979e12);
  EXPECT_DOUBLE_EQ(flat.time.gemm_attention_flop_per_s, 0.8 * 989e12);
  EXPECT_DOUBLE_EQ(flat.time.gemm_output_flop_per_s, 0.8 * 989e12);
}

}  // namespace
}  // namespace headroom::plan
