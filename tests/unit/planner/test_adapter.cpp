// LoRA / QLoRA fine-tuning: adapter counts (PEFT's printed totals and hand counts), memory, step
// time, data-parallel traffic and the workload fields, each with a known answer.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "headroom/core/errors.hpp"
#include "headroom/plan/adapter.hpp"
#include "headroom/plan/train.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {

AdapterSettings lora(std::int64_t rank, unsigned targets = 0, AdapterMethod method = AdapterMethod::kLora) {
  AdapterSettings a;
  a.method = method;
  a.rank = rank;
  a.targets = targets;
  return a;
}

TEST(Adapter, PeftAllLinearCountOfLlama2_7B) {
  // PEFT's print_trainable_parameters() for Llama-2-7b-hf with LoraConfig(r=16, all seven projections):
  // "trainable params: 39,976,960". Per layer 4 × 16·(4096 + 4096) + 3 × 16·(4096 + 11008) = 1,249,280.
  const ModelConfig& m = test::catalog().model("llama-2-7b");
  EXPECT_DOUBLE_EQ(count_adapters(m, lora(16), 1, 1).total, 39'976'960.0);
  EXPECT_DOUBLE_EQ(count_adapters(m, lora(16, kTargetQ | kTargetK | kTargetV | kTargetO | kTargetGate | kTargetUp |
                                                  kTargetDown),
                                  1, 1)
                       .total,
                   39'976'960.0);
  // PEFT's classic default, q_proj and v_proj at r = 8: 32 × 2 × 8·8192 = 4,194,304.
  EXPECT_DOUBLE_EQ(count_adapters(m, lora(8, kTargetQ | kTargetV), 1, 1).total, 4'194'304.0);
}

TEST(Adapter, NemoFusedTargetsAndTensorParallelSplit) {
  const ModelConfig& m = test::catalog().model("llama-2-7b");
  // NeMo 2.0's default (rank 32 on linear_qkv, linear_proj, linear_fc1, linear_fc2): per layer
  // 32·(4096 + 12288) + 32·(4096 + 4096) + 32·(4096 + 22016) + 32·(11008 + 4096) = 2,105,344.
  const AdapterSettings nemo = lora(32, kTargetFusedQkv | kTargetO | kTargetFusedGateUp | kTargetDown);
  EXPECT_DOUBLE_EQ(count_adapters(m, nemo, 1, 1).total, 32.0 * 2'105'344.0);
  // At TP 2, column-parallel projections keep A and split B, row-parallel ones split A and keep B:
  // q, k, v 16·(4096 + 2048), o 16·(2048 + 4096), gate and up 16·(4096 + 5504), down 16·(5504 + 4096).
  const AdapterCounts tp2 = count_adapters(m, lora(16), 2, 1);
  EXPECT_DOUBLE_EQ(tp2.dense.elements, 4 * 16.0 * 6144 + 3 * 16.0 * 9600);
  EXPECT_DOUBLE_EQ(tp2.dense.frozen_linear, (4.0 * 4096 * 4096 + 3.0 * 4096 * 11008) / 2);
  EXPECT_DOUBLE_EQ(tp2.dense.largest_matrix, 4096.0 * 11008 / 2);
  EXPECT_DOUBLE_EQ(tp2.dense.stored_per_token, 7 * 16.0);
}

TEST(Adapter, MixtralExpertsSplitOverExpertParallelism) {
  // Mixtral 8x7B, r = 16, all projections (routers are not adapted): attention q 16·8192, k and v
  // 16·5120, o 16·8192; each of the 8 experts 3 × 16·(4096 + 14336). 32 layers.
  const ModelConfig& m = test::catalog().model("mixtral-8x7b");
  const double attention = 16.0 * (8192 + 5120 + 5120 + 8192), expert = 3 * 16.0 * (4096 + 14336);
  const AdapterCounts c = count_adapters(m, lora(16), 1, 4);
  EXPECT_DOUBLE_EQ(c.total, 32 * (attention + 8 * expert));
  EXPECT_DOUBLE_EQ(c.moe_shared.elements, attention);
  EXPECT_DOUBLE_EQ(c.moe_expert.elements, 2 * expert);  // 8 experts over EP 4
  // A token passes its top-2 experts' adapters: 2 × 2 FLOPs per element.
  EXPECT_DOUBLE_EQ(c.moe_expert.flop_per_token, 2 * 2.0 * expert);
}

TEST(Adapter, TargetNames) {
  const ModelConfig& llama = test::catalog().model("llama-2-7b");
  EXPECT_EQ(adapter_targets_from_names({"q", "v"}, llama), kTargetQ | kTargetV);
  EXPECT_EQ(adapter_targets_from_names({"all-linear"}, llama), 0u);
  EXPECT_EQ(adapter_target_names(kTargetFusedQkv | kTargetO), (std::vector<std::string>{"o", "qkv"}));
  EXPECT_THROW(adapter_targets_from_names({"q_proj"}, llama), std::invalid_argument);
  EXPECT_THROW(adapter_targets_from_names({"qkv", "q"}, llama), std::invalid_argument);
  EXPECT_THROW(adapter_targets_from_names({"q", "q"}, llama), std::invalid_argument);
  EXPECT_THROW(adapter_targets_from_names({}, llama), std::invalid_argument);
  EXPECT_THROW(adapter_targets_from_names({"gate"}, test::catalog().model("gpt3-175b")), std::invalid_argument);
  for (AdapterMethod m : {AdapterMethod::kNone, AdapterMethod::kLora, AdapterMethod::kQlora})
    EXPECT_EQ(adapter_method_from_string(to_string(m)), m);
  EXPECT_THROW(adapter_method_from_string("dora"), std::invalid_argument);
  // NF4 with double quantisation, QLoRA §3: 4 + 8/64 + 32/(64·256) bits.
  EXPECT_DOUBLE_EQ(kQloraBytesPerWeight * 8.0, 4.126953125);
}

/// The synthetic model (4 layers, h 1024, MHA, GeLU FFN 4096) on one A100, micro-batch 1, 2048 tokens.
Workload synthetic_lora(AdapterMethod method) {
  Workload w = test::synthetic_workload(Phase::kTrain);
  w.train.global_batch = 4;
  w.train.seq_len = 2048;
  w.train.adapter = lora(16, 0, method);
  w.gpus = 1;
  return w;
}

TEST(Adapter, MlaAndGeluModels) {
  // DeepSeek-V3 at r = 16: MLA attention q_a 16·(7168 + 1536), q_b 16·(1536 + 128·192), kv_a
  // 16·(7168 + 576), kv_b 16·(512 + 128·256), o 16·(128·128 + 7168) = 1,590,272 per layer; 3 dense
  // MLPs of 3 × 16·(7168 + 18432); 58 MoE layers of 256 routed experts + 1 shared, 3 × 16·(7168 + 2048)
  // each: 6,694,630,400 in all.
  const ModelConfig& ds = test::catalog().model("deepseek-v3");
  EXPECT_DOUBLE_EQ(count_adapters(ds, lora(16), 1, 1).total, 6'694'630'400.0);
  // k or v alone selects the shared KV projections (down and up) once.
  EXPECT_DOUBLE_EQ(count_adapters(ds, lora(16, kTargetK), 1, 1).total,
                   count_adapters(ds, lora(16, kTargetK | kTargetV), 1, 1).total);
  // GPT-3 175B (GeLU, MHA): q, k, v, o 16·24576 each, up and down 16·(12288 + 49152): 96 × 3,538,944.
  const ModelConfig& gpt = test::catalog().model("gpt3-175b");
  EXPECT_DOUBLE_EQ(count_adapters(gpt, lora(16), 1, 1).total, 96 * 3'538'944.0);
  EXPECT_DOUBLE_EQ(count_adapters(gpt, lora(16, kTargetFusedGateUp), 1, 1).total,
                   count_adapters(gpt, lora(16, kTargetUp), 1, 1).total);  // FC1 either way
}

TEST(AdapterWorkload, TargetsCheckedAgainstTheModelPlanned) {
  // Targets read for one model and a model swapped in later (--model over a workload file): a gate
  // target on a GeLU model would adapt nothing; it is refused, not planned with 0 trainable parameters.
  Workload w = test::train_workload("gpt3-175b", 8, 8, 1, 8, 2048);
  w.train.adapter = lora(16, kTargetGate);
  try {
    validate(w);
    ADD_FAILURE() << "accepted a gate target on a GeLU model";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.json_path(), "$.train.adapter.targets");
  }
  w.train.adapter.targets = kTargetGate | kTargetUp;
  EXPECT_THROW(validate(w), core::InputError);
}

TEST(AdapterTrain, QloraLeavesMtpModulesInBf16) {
  // DeepSeek-V3's MTP module is neither adapted nor quantised: QLoRA's extra memory-bound time over
  // LoRA is exactly the dequantisation of the stage's layers (the last stage here holds the head).
  Workload w = test::train_workload("deepseek-v3", 8, 1, 1, 8, 4096);
  w.train.adapter = lora(16);
  const TrainTime l = test::train(w, "h100-sxm5-80gb").time;
  w.train.adapter.method = AdapterMethod::kQlora;
  const TrainTime q = test::train(w, "h100-sxm5-80gb").time;
  EXPECT_GT(q.dequant_s, 0.0);
  EXPECT_NEAR(q.elementwise_s - l.elementwise_s, q.dequant_s, 1e-9 * q.dequant_s);
  EXPECT_NEAR(q.step_s - l.step_s, q.dequant_s, 1e-9 * q.step_s);
}

TEST(AdapterTrain, MemoryKnownAnswers) {
  // Adapters per layer: q, k, v, o 16·(1024 + 1024) each; up and down 16·(1024 + 4096) each.
  const double adapters = 4 * (4 * 16.0 * 2048 + 2 * 16.0 * 5120);
  const double linear = 4 * (4.0 * 1024 * 1024 + 2.0 * 1024 * 4096);
  Workload w = synthetic_lora(AdapterMethod::kLora);
  const ParamCounts pc = count_params(w.model);
  const TrainResult full = test::train([&] {
    Workload f = w;
    f.train.adapter = {};
    return f;
  }());
  const TrainResult r = test::train(w);
  EXPECT_DOUBLE_EQ(r.memory.trainable_params_on_gpu, adapters);
  EXPECT_DOUBLE_EQ(r.memory.params_on_gpu, pc.total + adapters);
  EXPECT_DOUBLE_EQ(r.memory.weights_bytes, (pc.total + adapters) * 2);
  EXPECT_DOUBLE_EQ(r.memory.gradients_bytes, adapters * 4);
  EXPECT_DOUBLE_EQ(r.memory.master_bytes, adapters * 4);
  EXPECT_DOUBLE_EQ(r.memory.optimizer_bytes, adapters * 8);
  // Each of the 6 adapters keeps its rank-16 intermediate per token (bf16), in every layer.
  EXPECT_DOUBLE_EQ(r.memory.activations_bytes - full.memory.activations_bytes, 4 * 2048 * 6 * 16 * 2.0);
  EXPECT_DOUBLE_EQ(r.memory.overhead_bytes, full.memory.overhead_bytes);

  w.train.adapter.method = AdapterMethod::kQlora;
  const TrainResult q = test::train(w);
  EXPECT_DOUBLE_EQ(q.memory.weights_bytes,
                   (pc.total - linear) * 2 + linear * kQloraBytesPerWeight + adapters * 2);
  // The dequantisation buffer: the largest frozen matrix (1024 × 4096) in bf16.
  EXPECT_DOUBLE_EQ(q.memory.overhead_bytes - full.memory.overhead_bytes, 1024.0 * 4096 * 2);
  EXPECT_DOUBLE_EQ(q.memory.gradients_bytes, adapters * 4);
}

TEST(AdapterTrain, StepKnownAnswers) {
  Workload w = synthetic_lora(AdapterMethod::kLora);
  Workload f = w;
  f.train.adapter = {};
  const Rates rates = test::rates_for("a100-sxm4-80gb");
  const TrainTime lt = test::train(w).time, ft = test::train(f).time;
  const double tokens = 2048, micro_batches = 4, layers = 4;
  // Frozen linear and output layers skip their weight-gradient GEMMs: one forward's worth less each.
  const double lin_fwd = layer_forward_flop(w.model, tokens, 2048) - attention_core_flop(w.model, tokens, 2048);
  const double logits = 2 * tokens * 1024 * 1000;
  EXPECT_NEAR(ft.compute_s - (lt.compute_s - lt.adapter_s),
              micro_batches * (layers * lin_fwd + logits) / rates.gemm_flop_per_s, 1e-12);
  // The adapters are bandwidth-bound here (about 10 FLOP per byte): per token and layer, forward
  // q, k, v, o 2·(1024 + 32 + 2048) B each, up 2·(1024 + 32 + 8192), down 2·(4096 + 32 + 2048);
  // backward q, k, v, o 2·(3072 + 2048 + 64), up 2·(3072 + 8192 + 64), down 2·(12288 + 2048 + 64).
  const double fwd_bytes = 4 * 6208.0 + 18496 + 12352, bwd_bytes = 4 * 10368.0 + 22656 + 28800;
  EXPECT_NEAR(lt.adapter_s, micro_batches * layers * tokens * (fwd_bytes + bwd_bytes) / rates.memory_bytes_per_s,
              1e-12);
  EXPECT_EQ(lt.dequant_s, 0.0);
  EXPECT_EQ(ft.adapter_s, 0.0);
  // Model FLOPs: 2× the frozen linear and output layers, 3× attention core and adapters
  // (2·16·(4·2048 + 2·5120) FLOPs per token and layer forward).
  const double attn = attention_core_flop(w.model, tokens * 4, 2048) * layers;
  const double adapter_fwd = 4 * tokens * layers * 2 * 16.0 * (4 * 2048 + 2 * 5120);
  EXPECT_NEAR(lt.model_flop_per_step / (2 * (ft.model_flop_per_step / 3 - attn) + 3 * attn + 3 * adapter_fwd), 1.0,
              1e-12);
  EXPECT_NEAR(lt.step_s, lt.compute_s + lt.elementwise_s + lt.tp_comm_s + lt.pp_comm_s + lt.bubble_s + lt.dp_comm_s +
                             lt.optimizer_s,
              1e-12);
  // Adam over the adapters only: 1,179,648 elements × (2 × 12 + 4 + 2) bytes.
  EXPECT_NEAR(lt.optimizer_s, 4 * (4 * 16.0 * 2048 + 2 * 16.0 * 5120) * 30 / rates.memory_bytes_per_s, 1e-15);

  // QLoRA dequantises every frozen linear weight before the forward and the input-gradient GEMM.
  w.train.adapter.method = AdapterMethod::kQlora;
  const TrainTime qt = test::train(w).time;
  const double linear_per_layer = 4.0 * 1024 * 1024 + 2.0 * 1024 * 4096;
  EXPECT_NEAR(qt.dequant_s,
              micro_batches * layers * 2 * linear_per_layer * (kQloraBytesPerWeight + 2) / rates.memory_bytes_per_s,
              1e-12);
  EXPECT_NEAR(qt.elementwise_s - lt.elementwise_s, qt.dequant_s, 1e-12);
  // Full recompute repeats the forward: a third dequantisation and a second adapter forward.
  w.train.recompute = Recompute::kFull;
  const TrainTime qr = test::train(w).time;
  EXPECT_NEAR(qr.dequant_s / qt.dequant_s, 1.5, 1e-12);
}

TEST(AdapterTrain, DataParallelReducesOnlyTheAdapters) {
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 64, 4096);
  w.train.adapter = lora(16);
  const Rates rates = test::rates_for("a100-sxm4-80gb");
  const TrainTime t = test::train(w).time;
  // ZeRO 0, no overlap: one all-reduce of the 39,976,960 adapters' fp32 gradients inside the node.
  EXPECT_NEAR(t.dp_comm_s, allreduce_time_s(39'976'960.0 * 4, 8, rates.intra_bus_bytes_per_s, rates.intra_alpha_s),
              1e-15);
  // ZeRO 3 gathers every weight (frozen ones included) before each micro-batch's forward and backward.
  w.train.zero_stage = 3;
  const TrainResult z3 = test::train(w);
  EXPECT_GT(z3.time.dp_comm_s, 100 * t.dp_comm_s);
  // ... and holds two gathered layers whole (the one in use and the prefetched one).
  EXPECT_NEAR(z3.memory.weights_bytes,
              count_params(w.model).total * 2 / 8 + 39'976'960.0 * 2 / 8 + 2 * 202'383'360.0 * 2, 1.0);
  // QLoRA gathers its frozen linear weights in their 4-bit storage: a layer is then 202,375,168 × 4.127
  // bits + 8,192 norm elements × 2 B = 104 MB, less than the 262 MB bf16 embedding, which is the unit.
  w.train.adapter = lora(16, 0, AdapterMethod::kQlora);
  const double frozen = 32 * 202'375'168.0;
  EXPECT_NEAR(test::train(w).memory.weights_bytes,
              (count_params(w.model).total * 2 - frozen * (2 - kQloraBytesPerWeight)) / 8 + 39'976'960.0 * 2 / 8 +
                  2 * 131'072'000.0 * 2,
              1.0);
}

TEST(AdapterWorkload, ParsesRoundTripsAndRefuses) {
  const std::string doc = R"({"schema":"headroom.workload","schema_version":"1.0","model":"llama-2-7b","phase":"train",
    "train":{"global_batch":8,"seq_len":4096,"adapter":{"method":"qlora","rank":64,"targets":["q","v"]}}})";
  const Workload w = workload_from_json(doc, "w.json", test::catalog());
  EXPECT_EQ(w.train.adapter.method, AdapterMethod::kQlora);
  EXPECT_EQ(w.train.adapter.rank, 64);
  EXPECT_EQ(w.train.adapter.targets, kTargetQ | kTargetV);
  const auto refused = [&](const std::string& from, const std::string& to, const std::string& path) {
    std::string bad = doc;
    bad.replace(bad.find(from), from.size(), to);
    try {
      workload_from_json(bad, "w.json", test::catalog());
      ADD_FAILURE() << "accepted " << to;
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.json_path(), path) << to << ": " << e.what();
    }
  };
  refused(R"("q","v")", R"("q","q_proj")", "$.train.adapter.targets[1]");  // at the entry
  refused(R"("q","v")", R"("qkv","q")", "$.train.adapter.targets");         // a conflict is the array's
  refused(R"("q","v")", R"("q",3)", "$.train.adapter.targets[1]");
  refused(R"("rank":64)", R"("rank":0)", "$.train.adapter.rank");
  refused(R"("method":"qlora")", R"("method":"dora")", "$.train.adapter.method");
  refused(R"("rank":64)", R"("rank":64,"alpha":16)", "$.train.adapter.alpha");
  refused(R"("seq_len":4096)", R"("seq_len":4096,"precision":"fp8")", "$.train.precision");  // QLoRA computes in bf16
}

}  // namespace
}  // namespace headroom::plan
