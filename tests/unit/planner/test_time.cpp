// Step-time model: FLOP counting known answers and monotonic behaviour of every knob.
#include <gtest/gtest.h>

#include "headroom/core/errors.hpp"
#include "headroom/plan/search.hpp"
#include "headroom/plan/train.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {

TEST(TrainTime, NarayananFlopFormula) {
  // Hardware FLOPs per iteration with full recompute = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)).
  Workload w = test::train_workload("megatron-gpt-145.6b", 8, 8, 24, 2304, 2048);
  w.train.recompute = Recompute::kFull;
  const TrainResult r = test::train(w);
  const double B = 2304, s = 2048, l = 80, h = 12288, V = 51200;
  EXPECT_NEAR(r.time.hardware_flop_per_step / (96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h))), 1.0, 1e-12);
  // Model FLOPs (no recompute) are 3/4 of the layers' share.
  EXPECT_LT(r.time.model_flop_per_step, r.time.hardware_flop_per_step);
}

TEST(TrainTime, SixNDApproximation) {
  // Model FLOPs per token ≈ 6·N (+ attention); within 5 % for a 7B model at s = 2048.
  const Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 64, 2048);
  const TrainResult r = test::train(w);
  const double six_n = 6 * count_params(w.model).total;
  EXPECT_NEAR(r.time.model_flop_per_step / r.time.tokens_per_step / six_n, 1.0, 0.08);
}

TEST(TrainTime, StepIsSumOfParts) {
  Workload w = test::train_workload("llama-2-70b", 8, 4, 4, 256, 4096);
  const TrainResult r = test::train(w);
  const TrainTime& t = r.time;
  EXPECT_NEAR(t.step_s, t.compute_s + t.elementwise_s + t.tp_comm_s + t.pp_comm_s + t.cp_comm_s + t.ep_comm_s + t.bubble_s +
                              t.dp_comm_s + t.optimizer_s,
              1e-9 * t.step_s);
  EXPECT_GT(t.mfu, 0.2);
  EXPECT_LT(t.mfu, 0.8);
  EXPECT_DOUBLE_EQ(t.tokens_per_s_per_gpu * r.gpus * t.step_s, t.tokens_per_step);
}

TEST(TrainTime, BubbleShrinksWithInterleavingAndMoreMicroBatches) {
  Workload w = test::train_workload("llama-2-70b", 8, 4, 1, 16, 4096);
  const double b1 = test::train(w).time.bubble_s / test::train(w).time.step_s;
  w.par.vpp = 4;
  const double b4 = test::train(w).time.bubble_s / test::train(w).time.step_s;
  EXPECT_LT(b4, b1);
  w.par.vpp = 1;
  w.train.global_batch = 128;
  EXPECT_LT(test::train(w).time.bubble_s / test::train(w).time.step_s, b1);
}

TEST(TrainTime, PipelineStagesOfUnequalTime) {
  // Llama 2 70B (80 layers), TP 8, PP 4, 16 micro-batches. A stage's micro-batch takes L_i·X + c, the
  // last one's also H = 3 passes of the output layer's 2·s·b·h·V/TP FLOPs at the GEMM rate. The
  // slowest stage runs every micro-batch; the others add to the bubble: step = m·T_max + (ΣT − T_max).
  Workload w = test::train_workload("llama-2-70b", 8, 4, 1, 16, 4096);
  const Rates rates = test::rates_for("a100-sxm4-80gb");
  const TrainTime even = test::train(w).time;
  const double m = 16, s = 4096, h = 8192, V = 32000;
  const double H = 3 * 2 * s * h * V / 8 / rates.gemm_flop_per_s;
  const auto per_mb = [&](const TrainTime& t) {
    return (t.compute_s + t.elementwise_s + t.tp_comm_s + t.pp_comm_s + t.cp_comm_s + t.ep_comm_s) / m;
  };
  const double c = even.pp_comm_s / m;
  // Even: 20 layers per stage, the last (with the output layer) is the slowest.
  EXPECT_EQ(even.slowest_stage, 3);
  const double X = (per_mb(even) - c - H) / 20;
  EXPECT_NEAR(even.bubble_s, 3 * (20 * X + c), 1e-12);
  // 19 layers on the first and the last stage, 21 on the two middle ones: a middle one sets the pace.
  w.par.first_stage_layers = 19;
  w.par.last_stage_layers = 19;
  const TrainTime uneven = test::train(w).time;
  EXPECT_EQ(uneven.slowest_stage, 1);
  EXPECT_NEAR(per_mb(uneven), 21 * X + c, 1e-12);
  EXPECT_NEAR(uneven.bubble_s, (19 * X + c) + (21 * X + c) + (19 * X + c + H), 1e-12);
  EXPECT_NEAR(uneven.step_s, m * (21 * X + c) + uneven.bubble_s + uneven.dp_comm_s + uneven.optimizer_s, 1e-9);
  // With only the last stage fixed at 19 layers, the other 61 do not split evenly over 3 stages: refused.
  w.par.first_stage_layers = 0;
  EXPECT_THROW(validate(w), core::InputError);
}

TEST(TrainTime, TheStageThatFinishesLastEndsTheStep) {
  // Llama 3 8B on 16 GPUs, PP 2, DP 8: with 31 of the 32 layers on the last stage, that stage's
  // gradient reduction and update (31 layers' worth) end the step, less only the one-layer backward
  // of the first stage it finishes ahead of; the mirror layout (31 on the first) has nearly the same
  // tail. Counting the first stage's alone gave a tenth of it.
  Workload w = test::train_workload("llama-3-8b", 1, 2, 8, 64, 4096);
  w.train.zero_stage = 1;
  const auto tail = [&](int first_layers) {
    w.par.first_stage_layers = first_layers;
    const TrainTime t = test::train(w, "h100-sxm5-80gb").time;
    return t.dp_comm_s + t.optimizer_s;
  };
  const double small_first = tail(1), big_first = tail(31);
  EXPECT_LT(small_first, big_first);
  EXPECT_GT(small_first, 0.9 * big_first);
}

TEST(TrainTime, OptimizerUpdatesTheRanksShard) {
  // Adam in mixed precision per element: read and write the fp32 master and both moments (2 × 12 B),
  // read the fp32 gradient (4 B), write the bf16 weight (2 B): 30 B per element the rank updates,
  // all of them without ZeRO, 1/DP of them with ZeRO 1 (and the same with ZeRO 2 and 3).
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 64, 4096);
  const double P = count_params(w.model).total;
  const double bw = test::rates_for("a100-sxm4-80gb").memory_bytes_per_s;
  EXPECT_NEAR(test::train(w).time.optimizer_s, 30 * P / bw, 1e-12);
  for (int zero : {1, 2, 3}) {
    w.train.zero_stage = zero;
    EXPECT_NEAR(test::train(w).time.optimizer_s, 30 * P / 8 / bw, 1e-12) << "ZeRO " << zero;
  }
}

TEST(TrainTime, RecomputeCostsTimeAndSavesMemory) {
  Workload w = test::train_workload("llama-2-13b", 4, 1, 2, 64, 4096);
  const TrainResult none = test::train(w);
  w.train.recompute = Recompute::kFull;
  const TrainResult full = test::train(w);
  EXPECT_GT(full.time.step_s, none.time.step_s);
  EXPECT_LT(full.memory.activations_bytes, none.memory.activations_bytes);
  EXPECT_NEAR(full.time.hfu / full.time.mfu, 4.0 / 3.0, 0.05);
}

TEST(TrainTime, FasterGpuIsFaster) {
  const Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 64, 4096);
  EXPECT_LT(test::train(w, "h100-sxm5-80gb").time.step_s, test::train(w, "a100-sxm4-80gb").time.step_s);
  EXPECT_LT(test::train(w, "b200-hgx-180gb").time.step_s, test::train(w, "h100-sxm5-80gb").time.step_s);
}

TEST(TrainTime, RunTotalsAndEnergy) {
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 64, 4096);
  w.train.tokens = 1e9;
  const TrainResult r = test::train(w);
  EXPECT_NEAR(r.time.steps, 1e9 / (64.0 * 4096), 1e-6);
  EXPECT_NEAR(r.time.gpu_hours, r.time.time_to_train_s * 8 / 3600, 1e-9);
  EXPECT_NEAR(r.time.energy_kwh, r.time.gpu_hours * 400 / 1000, 1e-9);  // A100 SXM TDP 400 W
}

TEST(TrainTime, CommunicationOverlapOnlyHelps) {
  Workload w = test::train_workload("llama-2-70b", 8, 2, 8, 256, 4096);
  const TrainResult base = test::train(w);
  w.train.dp_comm_overlap = 1;
  w.train.tp_comm_overlap = 1;
  const TrainResult r = test::train(w);
  EXPECT_LT(r.time.step_s, base.time.step_s);
  EXPECT_EQ(r.time.tp_comm_s, 0);
  // Gradients are final only in the last of the 32 micro-batches: its backward hides part of the
  // reduction, not all of it (known answers in test_comm.cpp).
  EXPECT_LT(r.time.dp_comm_s, base.time.dp_comm_s);
  EXPECT_GT(r.time.dp_comm_s, 0);
}

TEST(TrainTime, HybridMambaForwardFlopsKnownAnswer) {
  // Granite 4.0-H-1B, 4096 tokens of 4096-token sequences. Weights without biases: attention 6,291,456
  // on 4 of 40 layers, the Mamba mixer 14,642,576 − its conv bias 3328 on 36, the MLP 3·1536·4096.
  const ModelConfig& m = test::catalog().model("granite-4.0-h-1b");
  EXPECT_DOUBLE_EQ(mixer_params_per_layer(m, false), 0.1 * 6'291'456 + 0.9 * (14'642'576 - 3328));
  // SSD per token and Mamba layer: 3072·(256 + 4·128) + 2·1·256·128 (C·Bᵀ computed whole); chunks
  // shorter than 256 tokens for shorter sequences.
  EXPECT_EQ(ssd_scan_flop_per_token(m, 4096), 3072.0 * (256 + 512) + 2 * 256 * 128);
  EXPECT_EQ(ssd_scan_flop_per_token(m, 100), 3072.0 * (100 + 512) + 2 * 100 * 128);
  EXPECT_EQ(ssd_scan_flop_per_token(test::catalog().model("llama-3-8b"), 4096), 0.0);
  const double attn_pt = 0.1 * 2 * 4096 * 12 * 256, ssd_pt = 0.9 * (3072.0 * 768 + 2 * 256 * 128);
  EXPECT_DOUBLE_EQ(attention_core_flop(m, 4096, 4096), 4096 * (attn_pt + ssd_pt));
  EXPECT_DOUBLE_EQ(layer_forward_flop(m, 4096, 4096),
                   2.0 * 4096 * (mixer_params_per_layer(m, false) + 3.0 * 1536 * 4096) + 4096 * (attn_pt + ssd_pt));
  // A fused kernel skips the masked half of the attention layers' scores; the SSD scan is counted as
  // executed.
  EXPECT_DOUBLE_EQ(executed_attention_fraction(m, 4096, true), (attn_pt * 4097.0 / 8192 + ssd_pt) / (attn_pt + ssd_pt));
  EXPECT_EQ(executed_attention_fraction(m, 4096, false), 1.0);
}

TEST(TrainTime, HybridMambaPlanAndSearchRespectMegatronRules) {
  Workload w;
  w.model = test::catalog().model("granite-4.0-h-tiny");
  w.phase = Phase::kTrain;
  w.train.seq_len = 4096;
  w.train.global_batch = 64;
  w.par.dp = 8;
  w.par.ep = 8;
  const TrainResult r = test::train(w, "h100-sxm5-80gb");
  EXPECT_TRUE(r.memory.fits);
  EXPECT_GT(r.time.mfu, 0.0);
  EXPECT_LT(r.time.mfu, 1.0);
  // Model FLOPs: 3 × (layers × layer forward + logits) for 64 × 4096 tokens.
  const double tokens = 64.0 * 4096;
  EXPECT_DOUBLE_EQ(r.time.model_flop_per_step,
                   3.0 * (40 * layer_forward_flop(w.model, tokens, 4096) + 2.0 * tokens * 1536 * 100352));
  SearchOptions o;
  o.gpus = 8;
  o.max_cp = 8;
  o.keep = 50;
  const SearchResult s =
      search_train(w, count_params(w.model), test::rates_for("h100-sxm5-80gb", Precision::kBf16), Assumptions{}, o);
  ASSERT_FALSE(s.best.empty());
  for (const auto& c : s.best) {
    EXPECT_EQ(c.workload.par.tp, 1);  // one B/C group
    EXPECT_EQ(c.workload.par.cp, 1);
  }
}

TEST(TrainTime, ExecutedFlopsLeaveOutTheMaskedAttentionBlocks) {
  // Llama 3.1 8B at 128K tokens: the Megatron count (full s²) puts MFU above 100 %, while a causal fused
  // kernel executes (s + 1)/2s of the attention core; the executed rate stays below the peak.
  Workload w;
  w.model = test::catalog().model("llama-3.1-8b");
  w.phase = Phase::kTrain;
  w.train.seq_len = 131072;
  w.train.global_batch = 8;
  w.par.tp = 2;
  w.par.cp = 8;
  w.par.sequence_parallel = true;
  w.train.zero_stage = 1;
  const TrainResult r = test::train(w, "h100-sxm5-80gb");
  const double s = 131072, tokens = 8 * s;
  const double skipped = 32 * attention_core_flop(w.model, tokens, s) * (1.0 - (s + 1) / (2 * s));
  // The fused backward also recomputes QKᵀ over the unmasked blocks (32 heads of 128, 32 layers),
  // which the Megatron count leaves out.
  const double qk_recompute = 32 * tokens * 2 * s * 32 * 128 * (s + 1) / (2 * s);
  EXPECT_DOUBLE_EQ(r.time.executed_flop_per_step, r.time.hardware_flop_per_step - 3.0 * skipped + qk_recompute);
  EXPECT_GT(r.time.mfu, 1.0);  // the convention, as published tools count it
  EXPECT_LT(r.time.executed_flop_per_s_per_gpu, 989e12);
  EXPECT_DOUBLE_EQ(r.time.executed_flop_per_s_per_gpu, r.time.executed_flop_per_step / (r.time.step_s * 16));
  // Full recompute repeats the forward: the masked blocks are skipped a fourth time (the one backward
  // recomputes QKᵀ once).
  w.train.recompute = Recompute::kFull;
  const TrainResult f = test::train(w, "h100-sxm5-80gb");
  EXPECT_DOUBLE_EQ(f.time.executed_flop_per_step, f.time.hardware_flop_per_step - 4.0 * skipped + qk_recompute);
  // Without a fused kernel everything counted is executed.
  w.train.flash_attention = false;
  w.train.seq_len = 4096;
  w.par.cp = 1;
  w.train.recompute = Recompute::kSelective;
  const TrainResult n = test::train(w, "h100-sxm5-80gb");
  EXPECT_EQ(n.time.executed_flop_per_step, n.time.hardware_flop_per_step);
}

}  // namespace
}  // namespace headroom::plan
