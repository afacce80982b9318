// Pipeline stages that hold different kinds of layers (docs/planner.md, "Pipeline stages"): each
// stage's activations, FLOPs and parameters are the sums over its own layers (stage_layer_mix), not
// the model's mean layer; uniform models and plans without a pipeline are unchanged.
#include <gtest/gtest.h>

#include <string>

#include "headroom/core/errors.hpp"
#include "headroom/plan/infer.hpp"
#include "headroom/plan/train.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {

const Assumptions kA;

void expect_mix(const LayerMix& got, const LayerMix& want) {
  EXPECT_EQ(got.layers, want.layers);
  EXPECT_EQ(got.attention, want.attention);
  EXPECT_EQ(got.mamba, want.mamba);
  EXPECT_EQ(got.mlp, want.mlp);
  EXPECT_EQ(got.moe, want.moe);
}

TEST(Stages, LayerMixFollowsThePatternOrSpreadsAttention) {
  // Nemotron-H 8B: 'M-M-M-M*-M-M-M-M-M*-…' (52 layers), attention at 7, 18, 29 and 40.
  const ModelConfig& nem = test::catalog().model("nemotron-h-8b");
  expect_mix(model_layer_mix(nem), {52, 4, 24, 24, 0});
  expect_mix(layer_mix(nem, 0, 12), {12, 1, 6, 5, 0});  // M-M-M-M*-M-M
  expect_mix(layer_mix(nem, 40, 52), {12, 1, 5, 6, 0});  // *-M-M-M-M-M-
  // Without a pattern: attention layer j at ⌊(j + ½)·L/A⌋ (Granite's own 5, 15, 25, 35 for 4 of 40),
  // the other layers Mamba (mixer+mlp) ...
  ModelConfig g = test::catalog().model("granite-4.0-h-1b");
  g.mamba_pattern.clear();
  expect_mix(layer_mix(g, 0, 6), {6, 1, 5, 6, 0});
  expect_mix(layer_mix(g, 0, 5), {5, 0, 5, 5, 0});
  expect_mix(layer_mix(g, 35, 40), {5, 1, 4, 5, 0});
  // ... or, with separate layers, Mamba and MLP alternating over the rest, a Mamba layer first:
  // 52 layers with 4 attention at ⌊6.5 + 13j⌋ = 6, 19, 32, 45: M-M-M-*M-M-M-…
  ModelConfig s = nem;
  s.mamba_pattern.clear();
  expect_mix(layer_mix(s, 0, 6), {6, 0, 3, 3, 0});
  expect_mix(layer_mix(s, 0, 8), {8, 1, 4, 3, 0});
  expect_mix(layer_mix(s, 0, 52), model_layer_mix(nem));
  // DeepSeek-V3: layers 0–2 dense, 3–60 MoE.
  const ModelConfig& ds = test::catalog().model("deepseek-v3");
  expect_mix(layer_mix(ds, 0, 4), {4, 4, 0, 4, 1});
  expect_mix(layer_mix(ds, 4, 8), {4, 4, 0, 4, 4});
}

TEST(Stages, InterleavedChunksOfUnevenStages) {
  // Nemotron-H, PP 3, VPP 2, 17 layers on the first and on the last stage (18 in the middle): the
  // first stage's chunks hold 8 then 9 layers, the middle's 9 and 9, the last's 9 then 8. Model chunk
  // 0 is layers [0, 8) | [8, 17) | [17, 26), chunk 1 [26, 35) | [35, 44) | [44, 52).
  // Stage 0: [0, 8) 'M-M-M-M*' + [26, 35) '-M-M-M*-M' = 2 attention, 8 Mamba, 7 MLP layers.
  Workload w = test::train_workload("nemotron-h-8b", 1, 3, 1, 12, 4096);
  w.par.vpp = 2;
  w.par.first_stage_layers = 17;
  w.par.last_stage_layers = 17;
  validate(w);
  expect_mix(stage_layer_mix(w.model, w.par, 0), {17, 2, 8, 7, 0});
  expect_mix(stage_layer_mix(w.model, w.par, 1), {18, 1, 8, 9, 0});  // [8, 17) + [35, 44)
  expect_mix(stage_layer_mix(w.model, w.par, 2), {17, 1, 8, 8, 0});  // [17, 26) + [44, 52)
  // Without interleaving the stages are contiguous: [0, 17), [17, 35), [35, 52).
  w.par.vpp = 1;
  expect_mix(stage_layer_mix(w.model, w.par, 0), layer_mix(w.model, 0, 17));
  expect_mix(stage_layer_mix(w.model, w.par, 1), layer_mix(w.model, 17, 35));
  expect_mix(stage_layer_mix(w.model, w.par, 2), layer_mix(w.model, 35, 52));
}

TEST(Stages, DeepSeekFirstStageHoldsTheDenseLayers) {
  // DeepSeek-V3, TP 1, PP 16 (4 layers on the first stage, 1 on the last, 4 on each of the 14 middle
  // ones), EP 64, 4096-token sequences, micro-batch 1, 16 micro-batches, no recompute, flash attention,
  // no dropout, bf16 (e = 2). Per token, a layer stores (layer_activation_bytes_no_recompute):
  //   replicated: 2 norms · 2 tensors · e · h = 8 · 7168 = 57 344, MLA latents e · (1536 + 512 + 64) = 4224;
  //   attention: e · (q + k + v + o) = 2 · (24 576 + 24 576 + 16 384 + 16 384) = 163 840;
  //   MLP: e · 3 · 18 432 (dense SwiGLU) = e · 3 · 2048 · (8 + 1) (MoE) = 110 592;
  //   MoE only: dispatched copies e · 8 · 7168 + fp32 router probabilities 4 · 256 = 115 712.
  // Dense layer: 336 000 bytes; MoE layer: 451 712 bytes. The first stage (layers 0–3: 3 dense, 1 MoE)
  // stores 3 · 336 000 + 451 712 = 1 459 712 bytes per token, 5 979 000 832 per micro-batch, 16 of them
  // in flight; the model's mean layer (the former figure) would give 4 · 444 595.4 per token.
  Workload v = test::train_workload("deepseek-v3", 1, 16, 64, 1024, 4096);
  v.par.ep = 64;
  v.par.first_stage_layers = 4;
  v.par.last_stage_layers = 1;
  validate(v);
  const ModelConfig& m = v.model;
  const LayerMix first = stage_layer_mix(m, v.par, 0);
  expect_mix(first, {4, 4, 0, 4, 1});
  expect_mix(stage_layer_mix(m, v.par, 1), {4, 4, 0, 4, 4});
  expect_mix(stage_layer_mix(m, v.par, 15), {1, 1, 0, 1, 1});
  const LayerMix dense{1, 1, 0, 1, 0}, moe{1, 1, 0, 1, 1};
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(m, v.par, v.train, dense), 336000.0 * 4096);
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(m, v.par, v.train, moe), 451712.0 * 4096);
  EXPECT_DOUBLE_EQ(4 * activation_bytes_per_layer(m, v.par, v.train, first), 1459712.0 * 4096);
  const ParamCounts pc = count_params(m);
  const TrainResult r = evaluate_train(v, pc, test::rates_for("h100-sxm5-80gb"), kA);
  ASSERT_EQ(r.stages[0].stage, 0);
  // ZeRO 0: 18 bytes per parameter (bf16 weights, fp32 gradients, master and Adam moments); the
  // first stage's parameters are its 3 dense layers, one MoE layer (routed experts over EP 64) and the
  // embedding.
  const double first_params = 3 * pc.dense_layer + pc.moe_layer_shared + pc.moe_layer_expert / 64 + pc.embedding;
  EXPECT_NEAR(r.stages[0].total_bytes, 18 * first_params + 1459712.0 * 4096 * 16 + kA.runtime_overhead_bytes, 1.0);
  // Forward FLOPs of the first stage's layers: 3 dense + 1 MoE layer, 2 per weight per token (MLA's
  // projections, then the dense SwiGLU 3 · 7168 · 18 432 or the MoE's 9 experts of 3 · 7168 · 2048 and
  // its router 7168 · 256), and the attention core 2 · s · 128 heads · (192 + 128) per token.
  const double t = 4096, attn = attention_params(m, false);
  const double core = t * 2 * 4096 * 128 * (192 + 128);
  const double f_dense = 2 * t * (attn + 3.0 * 7168 * 18432) + core;
  const double f_moe = 2 * t * (attn + 9 * 3.0 * 7168 * 2048 + 7168.0 * 256) + core;
  EXPECT_NEAR(4 * layer_forward_flop(m, t, t, first), 3 * f_dense + f_moe, 1e-12 * f_moe);
  EXPECT_NEAR(layer_forward_flop(m, t, t, moe), f_moe, 1e-12 * f_moe);
}

TEST(Stages, HybridUnevenStagesCountTheirOwnLayers) {
  // Nemotron-H 8B (separate Mamba, attention and MLP layers, one norm each, no dropout), TP 1, PP 4
  // with 12 layers on the first and last stages and 14 on the two middle ones, 4096-token sequences,
  // 8 micro-batches, no recompute, flash attention, bf16. Stages from the pattern:
  //   0: [0, 12)  'M-M-M-M*-M-M'    1 attention, 6 Mamba, 5 MLP
  //   1: [12, 26) '-M-M-M*-M-M-M-'  1, 6, 7
  //   2: [26, 40) 'M-M*-M-M-M-M-M'  1, 7, 6
  //   3: [40, 52) '*-M-M-M-M-M-'    1, 5, 6
  // Per token each layer stores its norm's and its block's input, 2 · e · h = 16 384 bytes, and:
  //   attention: e · (q + k + v + o) = 2 · (4096 + 1024 + 1024 + 4096) = 20 480 → 36 864;
  //   MLP (squared ReLU, 2 tensors of 21 504): e · 43 008 = 86 016 → 102 400;
  //   Mamba: e · (in_proj out 8192 + 10 240 + 128, scan out, norm in and out 3 · 8192) = e · 43 136
  //   = 86 272 → 102 656.
  // Stage 0: 36 864 + 6 · 102 656 + 5 · 102 400 = 1 164 800 bytes per token; stage 1: 1 369 600;
  // stage 2: 1 369 856; stage 3: 1 164 544 (the mean layer, 97 476.9 bytes, gave 1 169 723 on the
  // 12-layer stages and 1 364 677 on the 14-layer ones).
  Workload w = test::train_workload("nemotron-h-8b", 1, 4, 1, 8, 4096);
  w.par.first_stage_layers = 12;
  w.par.last_stage_layers = 12;
  validate(w);
  const ModelConfig& m = w.model;
  const double tokens = 4096;
  const double per_token[] = {1164800, 1369600, 1369856, 1164544};
  for (int s = 0; s < 4; ++s) {
    const LayerMix mix = stage_layer_mix(m, w.par, s);
    EXPECT_DOUBLE_EQ(mix.layers * activation_bytes_per_layer(m, w.par, w.train, mix), per_token[s] * tokens)
        << "stage " << s;
  }
  // The first stage, with 4 micro-batches in flight, needs the most: its activations are its own
  // layers' 1 164 800 · 4096 · 4 bytes, its parameters the embedding, its layers' own mixers, MLPs and
  // norms.
  const ParamCounts pc = count_params(m);
  const TrainResult r = evaluate_train(w, pc, test::rates_for("h100-sxm5-80gb"), kA);
  EXPECT_EQ(r.memory.stage, 0);
  EXPECT_DOUBLE_EQ(r.memory.activations_bytes, 1164800.0 * tokens * 4);
  EXPECT_NEAR(r.memory.params_on_gpu,
              pc.embedding + pc.attention_mixer + 6 * pc.mamba_mixer + 5 * pc.mlp_dense + 12 * pc.final_norm,
              1e-6 * r.memory.params_on_gpu);
  // The neediest middle stage is recorded: stage 1 (3 in flight · 1 369 600) over stage 2 (2 · 1 369 856).
  ASSERT_EQ(r.stage_count, 3);
  EXPECT_EQ(r.stages[1].stage, 1);
  EXPECT_EQ(r.stages[2].stage, 3);
  // Forward FLOPs of a stage are its layers' own: stage 2's 1 attention, 7 Mamba and 6 MLP layers,
  // an MLP layer 2 · 2 · 4096 · 21 504 FLOPs per token.
  const LayerMix s2 = stage_layer_mix(m, w.par, 2);
  const double f_attn = layer_forward_flop(m, tokens, tokens, LayerMix{1, 1, 0, 0, 0});
  const double f_mamba = layer_forward_flop(m, tokens, tokens, LayerMix{1, 0, 1, 0, 0});
  const double f_mlp = layer_forward_flop(m, tokens, tokens, LayerMix{1, 0, 0, 1, 0});
  EXPECT_DOUBLE_EQ(f_mlp, tokens * 2 * 2 * 4096.0 * 21504);
  EXPECT_NEAR(s2.layers * layer_forward_flop(m, tokens, tokens, s2), f_attn + 7 * f_mamba + 6 * f_mlp,
              1e-12 * f_mlp * 14);
  // The model-wide FLOPs (MFU's numerator) are the exact sums whatever the split.
  EXPECT_NEAR(r.time.model_flop_per_step,
              3 * 8 * (4 * f_attn + 24 * f_mamba + 24 * f_mlp + 2 * tokens * 4096.0 * 131072),
              1e-12 * r.time.model_flop_per_step);
}

/// The workload the before/after comparison used (values printed by the build before this change,
/// commit fac12a2; the times of the cases with flash attention re-pinned when its backward's QKᵀ
/// recompute was charged, the case without it unchanged): 8-way data parallel, 512 sequences of 4096 tokens,
/// micro-batch 1, 1e12 tokens, DP overlap 0.5, TP overlap 0.2; variant 1: sequence parallel, ZeRO 1; 2: ZeRO 2 without
/// flash attention; 3: SP, ZeRO 3, FP8; 4: LoRA, ZeRO 0.
Workload uniform_case(const std::string& model, int pp, int vpp, bool uneven, int tp, int ep, Recompute rc,
                      int variant) {
  Workload w;
  w.model = test::catalog().model(model);
  w.phase = Phase::kTrain;
  w.par.tp = tp;
  w.par.pp = pp;
  w.par.dp = 8;
  w.par.ep = ep;
  w.par.vpp = vpp;
  w.par.sequence_parallel = variant % 2 == 1;
  if (uneven) {
    w.par.first_stage_layers = static_cast<int>((w.model.num_layers + 2) / pp - 1);
    w.par.last_stage_layers = w.par.first_stage_layers;
  }
  w.train.global_batch = 512;
  w.train.seq_len = 4096;
  w.train.tokens = 1e12;
  w.train.recompute = rc;
  w.train.zero_stage = variant % 4;
  w.train.flash_attention = variant != 2;
  if (variant == 3) w.train.precision = Precision::kFp8;
  if (variant == 4) w.train.adapter.method = AdapterMethod::kLora;
  w.train.dp_comm_overlap = 0.5;
  w.train.tp_comm_overlap = 0.2;
  w.gpus = w.par.world();
  validate(w);
  return w;
}

TEST(Stages, UniformModelsAndPlansWithoutPipelineAreUnchanged) {
  struct Case {
    Workload w;
    const char* gpu;
    double total_bytes, activations_bytes, step_s, bubble_s, dp_comm_s;
  };
  const Case cases[] = {
      {uniform_case("llama-2-70b", 4, 2, false, 8, 1, Recompute::kSelective, 1), "H100", 0x1.f10aacp+34, 0x1.ccap+33,
       0x1.d0737e7460c08p+2, 0x1.4754d2bae840ap-3, 0x1.ad55d9c2406c2p-3},
      {uniform_case("mixtral-8x7b", 4, 1, false, 2, 8, Recompute::kFull, 3), "H100", 0x1.e0385p+33, 0x1.ec08p+29,
       0x1.8d35c1aa08e42p+2, 0x1.0666bf5eb8c64p-2, 0x1.5fe89de3ab35ap-2},
      {uniform_case("gpt-oss-120b", 3, 1, true, 4, 8, Recompute::kNone, 4), "a100-sxm4-80gb", 0x1.5eb5c23p+33,
       0x1.9d88p+32, 0x1.0e8c3e6a51029p+3, 0x1.b2745ae9ab02ap-3, 0x1.96bb5257e4e4p-12},
      // PP 1 of models whose layers differ: the one stage is the whole model, as before.
      {uniform_case("deepseek-v3", 1, 1, false, 8, 8, Recompute::kSelective, 0), "H100", 0x1.dd82e729ef369p+37,
       0x1.a72ae29f79b47p+34, 0x1.0949369b47273p+5, 0.0, 0x1.da64752297e6cp-3},
      {uniform_case("granite-4.0-h-tiny", 1, 1, false, 1, 8, Recompute::kNone, 2), "H100", 0x1.0bb7a72p+35,
       0x1.feabfffffffffp+33, 0x1.0df54bb14631p+3, 0.0, 0x1.230ba0f826a59p-2},
  };
  for (const Case& c : cases) {
    const Rates r = test::rates_for(c.gpu, c.w.train.precision);
    const TrainResult res = evaluate_train(c.w, count_params(c.w.model), r, kA);
    SCOPED_TRACE(c.w.model.id);
    EXPECT_EQ(res.memory.total_bytes, c.total_bytes);
    EXPECT_EQ(res.memory.activations_bytes, c.activations_bytes);
    EXPECT_EQ(res.time.step_s, c.step_s);
    EXPECT_EQ(res.time.bubble_s, c.bubble_s);
    EXPECT_EQ(res.time.dp_comm_s, c.dp_comm_s);
  }
}

TEST(Stages, InferenceSizesTheStageWithTheMostAttention) {
  // Granite 4.0-H-1B with its 4 attention layers moved to the end (layers 36–39), PP 4 (10 layers per
  // stage): the last stage holds all 4 attention layers and 6 Mamba layers. A request of 2048 + 256
  // tokens (2304, whole 16-token blocks) needs there 4 · 2304 · 2048 bytes of KV (4 KV heads of
  // 128 + 128, bf16) + 6 · 806 400 bytes of state (conv 3 · (3072 + 2 · 128) + SSM 48 · 64 · 128
  // elements, bf16) = 23 712 768, against 10 · 806 400 on the first stage: the last stage sizes the
  // cache, 8192 KV bytes per token and 4 838 400 state bytes per request (spreading the attention
  // layers would have put one on each stage: 2048 and 7 257 600).
  Workload w;
  w.model = test::catalog().model("granite-4.0-h-1b");
  w.model.mamba_pattern = std::string(36, 'M') + "****";
  w.phase = Phase::kInfer;
  w.par.pp = 4;
  w.infer.context_len = 2048;
  w.infer.output_len = 256;
  w.gpus = 4;
  validate(w);
  EXPECT_DOUBLE_EQ(mamba_state_elements(w.model, 1) * 2, 806400.0);
  const InferResult r =
      evaluate_infer(w, count_params(w.model), test::rates_for("h100-sxm5-80gb", Precision::kBf16), kA);
  EXPECT_DOUBLE_EQ(r.memory.kv_bytes_per_token, 8192.0);
  EXPECT_DOUBLE_EQ(r.memory.state_bytes_per_request, 6 * 806400.0);
  // The shipped pattern (layers 5, 15, 25, 35) puts one on each stage.
  w.model = test::catalog().model("granite-4.0-h-1b");
  const InferResult s =
      evaluate_infer(w, count_params(w.model), test::rates_for("h100-sxm5-80gb", Precision::kBf16), kA);
  EXPECT_DOUBLE_EQ(s.memory.kv_bytes_per_token, 2048.0);
  EXPECT_DOUBLE_EQ(s.memory.state_bytes_per_request, 9 * 806400.0);
}

TEST(Stages, PatternMustMatchTheLayerCounts) {
  // A model file's pattern: one letter per layer, as many 'M' as mamba.layers.
  const std::string base = R"({"schema": "headroom.model", "schema_version": "1.0", "id": "x", "name": "x",
    "num_layers": 4, "hidden_size": 256, "num_heads": 4, "num_kv_heads": 4, "ffn_hidden_size": 1024,
    "vocab_size": 1000, "max_seq_len": 1024,
    "mamba": {"layers": 3, "num_heads": 8, "head_dim": 32, "state_size": 16, "pattern": )";
  EXPECT_EQ(model_from_json(base + R"("MM*M"}})", "m.json").mamba_pattern, "MM*M");
  const auto path_of = [&](const std::string& pattern) {
    try {
      model_from_json(base + pattern + "}}", "m.json");
    } catch (const core::InputError& e) {
      return e.json_path();
    }
    return std::string("accepted");
  };
  EXPECT_EQ(path_of(R"("MM*")"), "$.mamba.pattern");    // 3 letters for 4 layers
  EXPECT_EQ(path_of(R"("M**M")"), "$.mamba.pattern");   // 2 'M' for 3 Mamba layers
  EXPECT_EQ(path_of(R"("MM-M")"), "$.mamba.pattern");   // '-' only with separate layers
  // Round trip.
  const ModelConfig m = model_from_json(base + R"("MM*M"}})", "m.json");
  EXPECT_EQ(model_from_json(model_to_json(m), "rt.json").mamba_pattern, "MM*M");
}

}  // namespace
}  // namespace headroom::plan
