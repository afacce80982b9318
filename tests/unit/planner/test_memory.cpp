// Training memory: known answers for the Megatron byte accounting and the Korthikanti terms.
#include <gtest/gtest.h>

#include <cmath>

#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"
#include "headroom/plan/infer.hpp"
#include "headroom/plan/train.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {

const Assumptions kA;

TEST(TrainMemory, EighteenBytesPerParamWithoutDistributedOptimizer) {
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 8, 4096);
  const TrainResult r = test::train(w);
  const double p = count_params(w.model).total;
  EXPECT_DOUBLE_EQ(r.memory.params_on_gpu, p);
  EXPECT_DOUBLE_EQ(r.memory.weights_bytes + r.memory.gradients_bytes + r.memory.master_bytes + r.memory.optimizer_bytes,
                   18.0 * p);
}

TEST(TrainMemory, DistributedOptimizerSixPlusTwelveOverDp) {
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 8, 4096);
  w.train.zero_stage = 1;
  const TrainResult r = test::train(w);
  const double p = count_params(w.model).total;
  EXPECT_NEAR(r.memory.weights_bytes + r.memory.gradients_bytes + r.memory.master_bytes + r.memory.optimizer_bytes,
              (6.0 + 12.0 / 8.0) * p, 1.0);
  w.train.zero_stage = 3;
  const TrainResult z3 = test::train(w);
  // ZeRO 3 also holds the gathered layer in use and the prefetched one, whole: 2 layers of
  // 202,383,360 bf16 weights (a Llama 2 7B layer is larger than its 131,072,000-element embedding).
  const ParamCounts c = count_params(w.model);
  EXPECT_EQ(c.per_layer, 202'383'360.0);
  EXPECT_NEAR(z3.memory.weights_bytes + z3.memory.gradients_bytes + z3.memory.master_bytes + z3.memory.optimizer_bytes,
              18.0 / 8.0 * p + 2 * 202'383'360.0 * 2, 1.0);
  // Llama 3 8B: the 525,336,576-element output layer is the largest unit on the last stage.
  Workload l = test::train_workload("llama-3-8b", 1, 1, 256, 256, 4096);
  l.train.zero_stage = 3;
  const double p8 = count_params(l.model).total;
  EXPECT_NEAR(test::train(l, "H100").memory.weights_bytes, p8 * 2 / 256 + 2 * 128'256.0 * 4096 * 2, 1.0);
}

TEST(TrainMemory, ZeroThreeGathersOnlyWhatIsSharded) {
  // Mixtral 8x7B, 32 MoE layers, EP 8. With DP 8 = EP every rank holds its experts whole: ZeRO 3
  // gathers no expert, so the largest gathered unit is the 131,072,000-element embedding / output
  // layer. With DP 16 the experts are sharded over 2 ranks and a layer (attention + one rank's
  // experts) is the largest unit.
  Workload w = test::train_workload("mixtral-8x7b", 1, 1, 8, 64, 4096);
  w.par.ep = 8;
  w.train.zero_stage = 3;
  w.train.recompute = Recompute::kFull;
  const ParamCounts c = count_params(w.model);
  const double layers = 32;
  const auto held = [&](double dp, double expert_shard) {
    const double dense = layers * c.moe_layer_shared + c.embedding + c.output + c.final_norm;
    return (dense / dp + layers * c.moe_layer_expert / 8 / expert_shard) * 2;
  };
  EXPECT_NEAR(test::train(w, "H200").memory.weights_bytes, held(8, 1) + 2 * 131'072'000.0 * 2, 1.0);
  w.par.dp = 16;
  w.gpus = 16;
  w.train.global_batch = 128;
  EXPECT_NEAR(test::train(w, "H200").memory.weights_bytes,
              held(16, 2) + 2 * (c.moe_layer_shared + c.moe_layer_expert / 8) * 2, 1.0);
}

TEST(TrainMemory, OptimizerStatesPerElement) {
  // Bytes per parameter without ZeRO: bf16 weight 2 + fp32 gradient 4 + fp32 master 4 + states.
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 8, 4096);
  const double p = count_params(w.model).total;
  const auto state = [&](Optimizer o, int zero) {
    w.train.optimizer = o;
    w.train.zero_stage = zero;
    const TrainResult r = test::train(w);
    EXPECT_DOUBLE_EQ(r.memory.master_bytes, zero >= 1 ? 4.0 * p / 8 : 4.0 * p);
    return r.memory.optimizer_bytes;
  };
  EXPECT_DOUBLE_EQ(state(Optimizer::kAdam, 0), 8.0 * p);
  EXPECT_DOUBLE_EQ(state(Optimizer::kAdamBf16, 0), 4.0 * p);
  EXPECT_DOUBLE_EQ(state(Optimizer::kAdam8bit, 0), (2.0 + 8.0 / 256) * p);  // 2 bytes + 2 fp32 absmax per 256
  EXPECT_DOUBLE_EQ(state(Optimizer::kLion, 0), 4.0 * p);
  // Sharded over DP 8 from ZeRO 1, like Adam's.
  EXPECT_DOUBLE_EQ(state(Optimizer::kAdam8bit, 1), (2.0 + 8.0 / 256) * p / 8);
  // Llama 2 7B full fine-tuning with 8-bit Adam on one GPU: 2 + 4 + 4 + 2.03125 = 12.03 bytes per parameter.
  w.par.dp = 1;
  w.gpus = 1;
  w.train.zero_stage = 0;
  w.train.optimizer = Optimizer::kAdam8bit;
  const TrainResult one = test::train(w);
  EXPECT_DOUBLE_EQ(one.memory.weights_bytes + one.memory.gradients_bytes + one.memory.master_bytes +
                       one.memory.optimizer_bytes,
                   12.03125 * 6'738'415'616.0);
}

TEST(TrainMemory, OffloadedOptimizerLivesInHostMemory) {
  // ZeRO-Offload, Llama 2 7B on one GPU, 8 micro-batches: the host holds an fp32 weight copy (4), Adam
  // (8) and fp32 gradients (4) = 16 bytes per parameter; the GPU keeps the bf16 weights and, with ZeRO 1,
  // bf16 gradients (DeepSpeed accumulates in the model's dtype).
  Workload w = test::train_workload("llama-2-7b", 1, 1, 1, 8, 2048);
  w.train.zero_stage = 1;
  w.train.offload = Offload::kOptimizer;
  const double p = 6'738'415'616.0;
  const TrainResult z1 = test::train(w);
  EXPECT_EQ(z1.memory.master_bytes, 0);
  EXPECT_EQ(z1.memory.optimizer_bytes, 0);
  EXPECT_DOUBLE_EQ(z1.memory.host_bytes, 16 * p);
  EXPECT_DOUBLE_EQ(z1.memory.gradients_bytes, 2 * p);
  EXPECT_DOUBLE_EQ(z1.memory.weights_bytes, 2 * p);
  // The host's capacity: unknown in a datasheet profile (not checked); 16·p ≈ 100 GiB against 90 % of
  // a node's RAM when known.
  EXPECT_EQ(z1.memory.host_bytes_per_node, 16 * p);  // one GPU in the job
  EXPECT_EQ(z1.memory.host_capacity_bytes, 0);
  EXPECT_TRUE(z1.memory.host_fits);
  const auto on_host_of = [&](const Workload& job, double gib) {
    HardwareProfile hw = test::catalog().gpu("a100-sxm4-80gb");
    hw.host_memory_bytes.value = gib * 1073741824.0;
    hw.host_memory_bytes.source = "test";
    const Rates rates = resolve_rates(hw, Precision::kBf16, Assumptions{});
    EXPECT_DOUBLE_EQ(rates.host_memory_capacity_bytes, 0.9 * gib * 1073741824.0);
    return evaluate_train(job, count_params(job.model), rates, Assumptions{}).memory;
  };
  // 128 GiB × 0.9 = 115.2 GiB usable holds the 100.4 GiB; 100 GiB × 0.9 = 90 does not, and the plan
  // does not fit although the GPU has room.
  EXPECT_TRUE(on_host_of(w, 128).host_fits);
  const TrainMemory tight = on_host_of(w, 100);
  EXPECT_FALSE(tight.host_fits);
  EXPECT_GT(tight.margin_bytes, 0);
  EXPECT_FALSE(tight.fits);
  // Eight GPUs on the node share its RAM: DP 8 with ZeRO 1 holds 1/8 of the states per GPU, the node
  // all of them again (16·p), plus nothing else.
  Workload dp8 = test::train_workload("llama-2-7b", 1, 1, 8, 64, 2048);
  dp8.train.zero_stage = 1;
  dp8.train.offload = Offload::kOptimizer;
  const TrainMemory eight = on_host_of(dp8, 100);
  EXPECT_NEAR(eight.host_bytes_per_node, 8 * eight.host_bytes, 1);
  EXPECT_NEAR(eight.host_bytes_per_node, 16 * p, 16);
  EXPECT_FALSE(eight.host_fits);
  // ZeRO 2 streams the gradients out and accumulates the 8 micro-batches in a bf16 host buffer (+2).
  w.train.zero_stage = 2;
  const TrainResult z2 = test::train(w);
  EXPECT_EQ(z2.memory.gradients_bytes, 0);
  EXPECT_DOUBLE_EQ(z2.memory.host_bytes, 18 * p);
  // fp32 training still has a separate host copy of the weights: 4 + 8 + 4 (+ a 4-byte accumulation buffer).
  w.train.precision = Precision::kFp32;
  EXPECT_DOUBLE_EQ(test::train(w).memory.host_bytes, 20 * p);
  w.train.precision = Precision::kBf16;
  // Refused: ZeRO 0 (nothing DeepSpeed would offload), bitsandbytes' GPU-only 8-bit Adam, ZeRO 2 with PP.
  const auto refused = [&](const Workload& bad) {
    try {
      validate(bad, "w.json");
    } catch (const core::InputError& e) {
      return e.json_path();
    }
    return std::string("(accepted)");
  };
  Workload z0 = w;
  z0.train.zero_stage = 0;
  EXPECT_EQ(refused(z0), "$.train.offload");
  Workload bnb = w;
  bnb.train.optimizer = Optimizer::kAdam8bit;
  EXPECT_EQ(refused(bnb), "$.train.optimizer");
  Workload piped = test::train_workload("llama-2-7b", 1, 2, 1, 8, 2048);
  piped.train.zero_stage = 2;
  piped.train.offload = Offload::kOptimizer;
  EXPECT_EQ(refused(piped), "$.train.zero_stage");
}

TEST(TrainTime, OffloadedUpdateRunsAtTheHostsMemoryBandwidth) {
  // One GPU, ZeRO 1, 8 micro-batches, no overlap (--dp-overlap 0, DeepSpeed's default): the reduced
  // gradients go down once, fp32 (4 B); the host reads and writes master and Adam states, reads the
  // fp32 gradient and writes the bf16 copy, 2·(4 + 8) + 4 + 2 = 30 B per parameter at its bandwidth
  // (one GPU: all of it); the bf16 weights come back up (2 B).
  Workload w = test::train_workload("llama-2-7b", 1, 1, 1, 8, 2048);
  w.train.zero_stage = 1;
  w.train.offload = Offload::kOptimizer;
  const Rates r = test::rates_for("a100-sxm4-80gb");
  EXPECT_DOUBLE_EQ(r.host_link_bytes_per_s, 32e9 * 0.8);  // PCIe Gen4 x16, 32 GB/s per direction, × 0.8
  EXPECT_DOUBLE_EQ(r.host_memory_bytes_per_s, 0.8 * 614.4e9);  // the assumed 2-socket DDR5 host
  const double p = 6'738'415'616.0, link = r.host_link_bytes_per_s;
  const double update = p * 30 / r.host_memory_bytes_per_s;
  const double z1 = 4 * p / link + update + 2 * p / link;
  EXPECT_NEAR(test::train(w).time.optimizer_s, z1, 1e-9 * z1);
  // ZeRO 2 accumulates on the host: the first micro-batch sends its bf16 gradients down (2 B), the
  // next six bring the running sum up and send it down again (2 × 2 B each), the last brings it up
  // (2 B) and sends the fp32 result down (4 B): 2 + 6 × 4 + 2 + 4 = 32 B per parameter over PCIe.
  w.train.zero_stage = 2;
  const double z2 = (2 + 6 * 4 + 2 + 4) * p / link + update + 2 * p / link;
  EXPECT_NEAR(test::train(w).time.optimizer_s, z2, 1e-9 * z2);
  // Full overlap hides at most one micro-batch's backward per transfer: less than without.
  w.train.dp_comm_overlap = 1;
  EXPECT_LT(test::train(w).time.optimizer_s, z2);
  // Eight GPUs of one node share the host's bandwidth: each updates an eighth of the shard (ZeRO 1 over
  // DP 8) at an eighth of the bandwidth, so the update takes as long as on one GPU.
  Workload w8 = test::train_workload("llama-2-7b", 1, 1, 8, 64, 2048);
  w8.train.zero_stage = 1;
  w8.train.offload = Offload::kOptimizer;
  const double z8 = (4 * p / 8) / link + update + (2 * p / 8) / link;
  const TrainTime t8 = test::train(w8).time;
  EXPECT_NEAR(t8.optimizer_s, z8, 1e-9 * z8);
}

TEST(TrainTime, OptimizerStepMovesTheStatesItKeeps) {
  // The update reads and writes master + states, reads the gradient and writes the bf16 weight:
  // Adam 2·(4 + 8) + 4 + 2 = 30 bytes per element, 8-bit Adam 2·(4 + 2.03125) + 6 = 18.0625.
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 8, 4096);
  const TrainResult adam = test::train(w);
  w.train.optimizer = Optimizer::kAdam8bit;
  const TrainResult bnb = test::train(w);
  EXPECT_NEAR(bnb.time.optimizer_s / adam.time.optimizer_s, 18.0625 / 30.0, 1e-12);
  w.train.optimizer = Optimizer::kLion;
  EXPECT_NEAR(test::train(w).time.optimizer_s / adam.time.optimizer_s, 22.0 / 30.0, 1e-12);
  // Nothing else in the step changes.
  EXPECT_DOUBLE_EQ(bnb.time.step_s - bnb.time.optimizer_s, adam.time.step_s - adam.time.optimizer_s);
}

TEST(TrainMemory, FirstStageShardOfMegatron) {
  // Most-loaded shard = (layers/PP · per-layer + embedding) / TP for PP > 1.
  Workload w = test::train_workload("llama-2-70b", 8, 4, 2, 64, 4096);
  const TrainResult r = test::train(w);
  const ParamCounts c = count_params(w.model);
  EXPECT_DOUBLE_EQ(r.memory.params_on_gpu, (20.0 * c.per_layer + c.embedding) / 8.0);
}

TEST(TrainMemory, KorthikantiTable2Terms) {
  // GPT-3 175B shape with dropout, no flash attention: s·b·h·(10 + 24/t + 5·a·s/(h·t)).
  Workload w = test::train_workload("gpt3-175b", 8, 1, 1, 1, 2048);
  w.train.flash_attention = false;
  const ModelConfig& m = w.model;
  const double s = 2048, b = 1, h = 12288, a = 96, t = 8;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(m, w.par, w.train), s * b * h * (10 + 24 / t + 5 * a * s / (h * t)));
  w.par.sequence_parallel = true;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(m, w.par, w.train), s * b * h / t * (34 + 5 * a * s / h));
  w.train.recompute = Recompute::kSelective;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(m, w.par, w.train), s * b * h * 34 / t);
  w.par.sequence_parallel = false;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(m, w.par, w.train), s * b * h * (10 + 24 / t));
  w.train.recompute = Recompute::kFull;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(m, w.par, w.train), 2 * s * b * h);
  // Flash attention removes the s² terms exactly like selective recompute.
  w.train.recompute = Recompute::kNone;
  w.train.flash_attention = true;
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(m, w.par, w.train), s * b * h * (10 + 24 / t));
}

TEST(TrainMemory, Fp32TrainingStoresFourByteActivations) {
  // Korthikanti's 2-byte terms become 4 bytes in fp32 (and tf32) training; the dropout masks stay 1 byte:
  // s·b·h·(4·4 + 2 + 48/t + (2·4 + 1)·a·s/(h·t)) against s·b·h·(10 + 24/t + 5·a·s/(h·t)) in bf16.
  Workload w = test::train_workload("gpt3-175b", 8, 1, 1, 1, 2048);
  w.train.flash_attention = false;
  const double s = 2048, b = 1, h = 12288, a = 96, t = 8;
  for (const Precision p : {Precision::kFp32, Precision::kTf32}) {
    w.train.precision = p;
    w.train.recompute = Recompute::kNone;
    EXPECT_DOUBLE_EQ(activation_bytes_per_layer(w.model, w.par, w.train),
                     s * b * h * (18 + 48 / t + 9 * a * s / (h * t)));
    w.train.recompute = Recompute::kFull;
    EXPECT_DOUBLE_EQ(activation_bytes_per_layer(w.model, w.par, w.train), 4 * s * b * h);
  }
  // The memory-bound kernels move twice the bytes too (no dropout, flash attention: exactly 2×).
  Workload l = test::train_workload("llama-3-8b", 2, 1, 4, 64, 4096);
  const TrainResult bf16 = test::train(l, "H100");
  l.train.precision = Precision::kFp32;
  const TrainResult fp32 = test::train(l, "H100");
  EXPECT_DOUBLE_EQ(fp32.memory.activations_per_layer_bytes, 2 * bf16.memory.activations_per_layer_bytes);
  EXPECT_NEAR(fp32.time.elementwise_s, 2 * bf16.time.elementwise_s, 1e-12 * bf16.time.elementwise_s);
}

TEST(TrainMemory, FitsAndMarginAreConsistent) {
  const TrainResult small = test::train(test::train_workload("llama-2-7b", 1, 1, 8, 64, 4096));
  EXPECT_NEAR(small.memory.margin_bytes, small.memory.capacity_bytes - small.memory.total_bytes, 1);
  // 70B on one 80 GB GPU cannot fit: weights alone are 138 GB.
  const TrainResult big = test::train(test::train_workload("llama-2-70b", 1, 1, 1, 1, 4096));
  EXPECT_FALSE(big.memory.fits);
  EXPECT_LT(big.memory.margin_bytes, 0);
}

TEST(TrainMemory, InFlightMicroBatchesOnFirstStage) {
  Workload w = test::train_workload("llama-2-70b", 8, 4, 1, 64, 4096);
  const TrainResult r = test::train(w);
  // 20 layers per stage × min(pp = 4, 64 micro-batches) in flight.
  EXPECT_NEAR(r.memory.activations_bytes - r.memory.embedding_activations_bytes,
              r.memory.activations_per_layer_bytes * 20 * 4, 1);
  w.par.vpp = 2;
  const TrainResult v = test::train(w);
  EXPECT_NEAR(v.memory.activations_bytes - v.memory.embedding_activations_bytes,
              v.memory.activations_per_layer_bytes * 20 * 4 * (1 + 3.0 / 8.0), 1);
}

}  // namespace
}  // namespace headroom::plan

namespace headroom::plan {
namespace {

TEST(TrainMemory, MoeAwareActivations) {
  // Mixtral 8x7B, TP1, flash attention, no dropout, s = 4096, b = 1, bf16 (U1, Megatron-LM #1784):
  //   replicated 8·sbh (norm inputs, QKV input, MLP input)
  //   + 2·sb·(q + k + v) + 2·sb·o                        q = o = 4096, k = v = 1024
  //   + 2·sb·(top-2 SwiGLU widths 2·3·14336)             the experts each token passes through
  //   + 2·sb·(2·4096 + 2·8)                              dispatched copies of the input, fp32 router probs
  Workload w = test::train_workload("mixtral-8x7b", 1, 1, 1, 1, 4096);
  const double sb = 4096;
  const double expect =
      sb * (8 * 4096 + 2 * (4096 + 1024 + 1024) + 2 * 4096 + 2 * (2 * 3 * 14336) + 2 * (2 * 4096 + 2 * 8));
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(w.model, w.par, w.train), expect);
  EXPECT_DOUBLE_EQ(expect, 989'986'816.0);
  // The same layer counted as a dense Mistral-shaped MLP (what an MoE-unaware estimator reports) is
  // 42 % lower.
  Workload dense = test::train_workload("mistral-7b", 1, 1, 1, 1, 4096);
  const double d = activation_bytes_per_layer(dense.model, dense.par, dense.train);
  EXPECT_DOUBLE_EQ(d, sb * (8 * 4096 + 2 * 6144 + 2 * 4096 + 2 * 3 * 14336));
  EXPECT_NEAR(d / expect, 139264.0 / 241696.0, 1e-12);
}

TEST(TrainMemory, MoeStagesHoldTheirOwnLayers) {
  // DeepSeek-V3: 3 dense layers (SwiGLU 18432) and 58 MoE layers (8 routed + 1 shared of 2048):
  // the per-layer MLP activation width is their layer-weighted mean; parameters are each stage's own.
  const ModelConfig& m = test::catalog().model("deepseek-v3");
  const double dense = 3.0 * 7168 * 18432, moe = 9 * 3.0 * 7168 * 2048 + 7168.0 * 256;
  EXPECT_DOUBLE_EQ(mlp_active_params_per_layer(m, false), (3 * dense + 58 * moe) / 61);
  // Expert parallelism shards the routed experts only: EP 8 holds 1/8 of them on each GPU. With one
  // layer per stage the last stage, which also holds the output layer, the MTP module (whose routed
  // experts EP splits too) and the MTP module's copy of the word embedding (DeepSeek-V3 is untied),
  // needs the most; the first holds a layer and the embedding.
  Workload w = test::train_workload("deepseek-v3", 1, 61, 8, 8, 4096);
  w.par.ep = 8;
  const ParamCounts pc = count_params(w.model);
  const TrainResult r = evaluate_train(w, pc, test::rates_for("h100-sxm5-80gb"), kA);
  // Layer 60, on the last stage, is a MoE layer: its attention, router and shared expert whole, its
  // 256 routed experts over EP 8. (Layer 0, on the first stage, is dense.)
  EXPECT_DOUBLE_EQ(pc.moe_layer_expert, 256.0 * 3 * 7168 * 2048);
  EXPECT_DOUBLE_EQ(3 * pc.dense_layer + 58 * (pc.moe_layer_shared + pc.moe_layer_expert), 61 * pc.per_layer);
  const double layer = pc.moe_layer_shared + pc.moe_layer_expert / 8;
  EXPECT_EQ(r.memory.stage, 60);
  EXPECT_DOUBLE_EQ(r.memory.params_on_gpu, layer + pc.output + pc.final_norm + (pc.mtp - pc.mtp_expert) +
                                               pc.mtp_expert / 8 + pc.embedding);
  // The MTP module's routed experts: one MoE layer's 256 SwiGLU experts of 3·7168·2048.
  EXPECT_DOUBLE_EQ(pc.mtp_expert, 256.0 * 3 * 7168 * 2048);
  // The last stage's own buffers: fp32 logits of the main output and of the MTP module, and the MTP
  // layer's activations for its one micro-batch.
  const double sbh = 4096.0 * 7168, V = 129280;
  EXPECT_DOUBLE_EQ(r.memory.embedding_activations_bytes,
                   2 * 4 * sbh * (1 + V / 7168) + activation_bytes_per_layer(w.model, w.par, w.train));
  // Its stages differ (a dense first layer): every middle stage is evaluated and the one that needs
  // the most recorded between the first and the last.
  ASSERT_EQ(r.stage_count, 3);
  EXPECT_EQ(r.stages[0].stage, 0);
  EXPECT_GT(r.stages[1].stage, 0);
  EXPECT_LT(r.stages[1].stage, 60);
  EXPECT_EQ(r.stages[2].stage, 60);
  EXPECT_LT(r.stages[0].total_bytes, r.memory.total_bytes);
  // PP 16 with 4 layers on the first stage and 1 on the last (56 over 14 middle stages of 4): the
  // first stage holds the 3 dense layers and one MoE layer, and 16 micro-batches in flight.
  Workload v = test::train_workload("deepseek-v3", 1, 16, 64, 1024, 4096);  // 16 micro-batches per step
  v.par.ep = 64;
  v.par.first_stage_layers = 4;
  v.par.last_stage_layers = 1;
  validate(v);
  const TrainResult rv = evaluate_train(v, pc, test::rates_for("h100-sxm5-80gb"), kA);
  ASSERT_GE(rv.stage_count, 1);
  const double first_params = 3 * pc.dense_layer + pc.moe_layer_shared + pc.moe_layer_expert / 64 + pc.embedding;
  // ZeRO 0: 18 bytes per parameter (bf16 weights, fp32 gradients, master and Adam moments); the
  // activations of its own 3 dense and 1 MoE layers (test_stages.cpp works them out by hand).
  const double act = 3 * activation_bytes_per_layer(v.model, v.par, v.train, LayerMix{1, 1, 0, 1, 0}) +
                     activation_bytes_per_layer(v.model, v.par, v.train, LayerMix{1, 1, 0, 1, 1});
  EXPECT_NEAR(rv.stages[0].total_bytes, 18 * first_params + act * 16 + kA.runtime_overhead_bytes, 1.0);
}

TEST(TrainMemory, LastStageHoldsOutputLayerAndLogits) {
  // Llama 3 8B (V = 128256, h = 4096), TP 1, PP 8 (4 layers per stage), full recompute, 8192-token
  // sequences, micro-batch 12, no ZeRO. First stage: 4 layers + embedding, 8 micro-batches of
  // 2·s·b·h per layer in flight. Last stage: 4 layers + the output layer, one micro-batch in flight,
  // and the fp32 logits / cross-entropy buffers 4·s·b·h·(1 + V/h) of its micro-batch (48 GiB here):
  // the last stage is the one that does not fit.
  Workload w = test::train_workload("llama-3-8b", 1, 8, 1, 96, 8192, 12);
  w.train.recompute = Recompute::kFull;
  const ParamCounts pc = count_params(w.model);
  const TrainResult r = test::train(w, "h100-sxm5-80gb");
  const double s = 8192, b = 12, h = 4096, V = 128256;
  const double sbh = s * b * h;
  EXPECT_EQ(r.memory.stage, 7);
  EXPECT_DOUBLE_EQ(r.memory.stage_layers, 4);
  EXPECT_DOUBLE_EQ(r.memory.params_on_gpu, 4 * pc.per_layer + V * h + pc.final_norm);
  EXPECT_DOUBLE_EQ(r.memory.embedding_activations_bytes, 4 * sbh * (1 + V / h));
  TrainSettings none = w.train;
  none.recompute = Recompute::kNone;
  const double full_layer = activation_bytes_per_layer(w.model, w.par, none);
  EXPECT_DOUBLE_EQ(r.memory.activations_bytes, 2 * sbh * 4 * 1 + full_layer + 4 * sbh * (1 + V / h));
  EXPECT_FALSE(r.memory.fits);
  // The first stage: 8 micro-batches × 4 layers of 2·s·b·h, and it would fit.
  ASSERT_EQ(r.stage_count, 2);
  const double first_static = 18.0 * (4 * pc.per_layer + pc.embedding);
  EXPECT_NEAR(r.stages[0].total_bytes, first_static + 2 * sbh * 4 * 8 + full_layer + kA.runtime_overhead_bytes, 1.0);
  EXPECT_LT(r.stages[0].total_bytes, r.memory.capacity_bytes);
}

TEST(TrainMemory, UnevenStagesLlama3_405B) {
  // Llama 3.1 405B, 126 layers on 16 stages with one layer fewer on the first and the last (arXiv
  // 2407.21783 §3.3.2): 7, 14 × 8, 7. TP 8, 1F1B, 64 micro-batches: stage i holds 16 − i of them.
  Workload w = test::train_workload("llama-3.1-405b", 8, 16, 1, 64, 8192);
  w.par.first_stage_layers = 7;
  w.par.last_stage_layers = 7;
  w.par.sequence_parallel = true;
  w.train.zero_stage = 1;
  const StageLayout lay = stage_layout(126, w.par);
  EXPECT_TRUE(lay.valid);
  EXPECT_FALSE(lay.even);
  EXPECT_EQ(lay.first, 7);
  EXPECT_EQ(lay.middle, 8);
  EXPECT_EQ(lay.middle_stages, 14);
  EXPECT_EQ(lay.last, 7);
  const ParamCounts pc = count_params(w.model);
  const TrainResult r = test::train(w, "h100-sxm5-80gb");
  ASSERT_EQ(r.stage_count, 3);
  EXPECT_EQ(r.stages[0].layers, 7);
  EXPECT_EQ(r.stages[1].stage, 1);
  EXPECT_EQ(r.stages[1].layers, 8);
  EXPECT_EQ(r.stages[2].stage, 15);
  const double act = activation_bytes_per_layer(w.model, w.par, w.train);
  const double first = 18.0 * (7 * pc.per_layer + pc.embedding) / 8 + act * 7 * 16 + kA.runtime_overhead_bytes;
  const double second = 18.0 * (8 * pc.per_layer) / 8 + act * 8 * 15 + kA.runtime_overhead_bytes;
  EXPECT_NEAR(r.stages[0].total_bytes, first, 1.0);
  EXPECT_NEAR(r.stages[1].total_bytes, second, 1.0);
  // 8 layers × 15 micro-batches of activations outweigh 7 × 16 plus the embedding's 1/8.
  EXPECT_EQ(r.memory.stage, 1);
  EXPECT_DOUBLE_EQ(r.memory.total_bytes, std::max({r.stages[0].total_bytes, r.stages[1].total_bytes,
                                                   r.stages[2].total_bytes}));
}

TEST(TrainMemory, InterleavedInFlightPerStage) {
  // Megatron's interleaved schedule: stage i keeps (pp − i − 1)·2 + (vpp − 1)·pp + 1 chunks of
  // layers/(pp·vpp) layers; on the first stage that is pp·(1 + (pp − 1)/(pp·vpp)) stages' worth
  // (Korthikanti et al.), on the last ((vpp − 1)·pp + 1)/vpp.
  Workload w = test::train_workload("gpt3-175b", 8, 8, 1, 64, 2048);
  w.par.vpp = 3;
  w.par.sequence_parallel = true;
  w.train.recompute = Recompute::kSelective;
  const ParamCounts pc = count_params(w.model);
  const TrainResult r = test::train(w);
  const double act = activation_bytes_per_layer(w.model, w.par, w.train);
  const double first_acts = act * 12 * 8 * (1 + 7.0 / 24);
  const double last_acts = act * 12 * ((3 - 1) * 8 + 1) / 3.0;
  const double s = 2048, h = 12288, V = static_cast<double>(w.model.vocab_size);
  // GPT-3 has dropout: the first stage also keeps the embedding dropout mask (1 byte per element, split
  // by SP). The final norm's weights are replicated on every TP rank.
  EXPECT_EQ(r.memory.stage, 0);
  EXPECT_NEAR(r.memory.activations_bytes, first_acts + s * h / 8 * 8 * (1 + 7.0 / 24), 1.0);
  ASSERT_EQ(r.stage_count, 2);
  EXPECT_NEAR(r.stages[1].total_bytes,
              18.0 * ((12 * pc.per_layer + V * h) / 8 + pc.final_norm) + last_acts + 4 * s * h * (1 + V / h) / 8 +
                  kA.runtime_overhead_bytes,
              1.0);
}

TEST(TrainMemory, HybridMambaLayerActivationsKnownAnswer) {
  // Granite 4.0-H-1B, s = 4096, b = 1, TP 1, bf16, flash attention, no dropout, no recompute.
  // Every layer: 2 norm inputs, the mixer's and the MLP's input (4·2·s·h) and SwiGLU's 3·4096 (2 bytes
  // each). Attention layers (4 of 40) add Q, K, V and the projection input (1536 + 512 + 512 + 1536);
  // Mamba layers (36) in_proj's output (3072 + 3328 + 48), the scan output, the gated norm's input and
  // its output (3 × 3072); the conv output is recomputed in backward.
  Workload w;
  w.model = test::catalog().model("granite-4.0-h-1b");
  w.phase = Phase::kTrain;
  w.train.seq_len = 4096;
  w.train.micro_batch = 1;
  w.train.recompute = Recompute::kNone;
  const double s = 4096, h = 1536;
  const double per_token = 0.1 * 2 * (1536 + 512 + 512 + 1536) + 2.0 * 3 * 4096 + 0.9 * 2 * (6448 + 3 * 3072);
  EXPECT_DOUBLE_EQ(activation_bytes_per_layer(w.model, w.par, w.train), 4 * 2 * s * h + s * per_token);
  // Attention's 4096 elements per token are fewer than a Mamba mixer's 15,664: the attention-only twin
  // stores less per layer.
  ModelConfig dense = w.model;
  dense.mamba_layers = 0;
  EXPECT_LT(activation_bytes_per_layer(dense, w.par, w.train), activation_bytes_per_layer(w.model, w.par, w.train));
}

TEST(TrainMemory, HybridMambaTrainingRulesNameTheField) {
  Workload w;
  w.model = test::catalog().model("granite-4.0-h-1b");
  w.phase = Phase::kTrain;
  w.train.seq_len = 4096;
  w.train.global_batch = 8;
  w.par.dp = 8;
  validate(w, "w.json");  // DP over 8 GPUs: a layout Megatron-Core runs
  const auto path_of = [](const Workload& x) {
    try {
      validate(x, "w.json");
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.file(), "w.json");
      return e.json_path();
    }
    return std::string("accepted");
  };
  Workload tp = w;
  tp.par.tp = 2;  // one B/C group: Megatron-Core gives each TP rank whole groups (inference replicates it)
  tp.par.dp = 4;
  EXPECT_EQ(path_of(tp), "$.parallelism.tp");
  tp.phase = Phase::kInfer;
  tp.par.dp = 1;
  tp.infer.context_len = 4096;
  tp.infer.output_len = 512;
  EXPECT_EQ(path_of(tp), "accepted");
  Workload cp = w;
  cp.par.cp = 2;
  cp.par.dp = 4;
  EXPECT_EQ(path_of(cp), "$.parallelism.cp");
  Workload lora = w;
  lora.train.adapter.method = AdapterMethod::kLora;
  lora.train.adapter.rank = 16;
  EXPECT_EQ(path_of(lora), "$.train.adapter");
}

TEST(TrainMemory, HybridModelsBuiltInCodeAreCheckedToo) {
  // A model built in code (the GUI's custom model) does not pass the model file's checks: validate()
  // repeats them.
  Workload w;
  w.model = test::catalog().model("granite-4.0-h-1b");
  w.phase = Phase::kInfer;
  w.infer.context_len = 1024;
  w.infer.output_len = 128;
  const auto path_of = [](const Workload& x) {
    try {
      validate(x, "gui");
    } catch (const core::InputError& e) {
      return e.json_path();
    }
    return std::string("accepted");
  };
  EXPECT_EQ(path_of(w), "accepted");
  Workload deep = w;
  deep.model.num_layers = 24;  // fewer layers than its 36 Mamba layers
  EXPECT_EQ(path_of(deep), "$.model.mamba.layers");
  Workload groups = w;
  groups.model.mamba_groups = 5;
  EXPECT_EQ(path_of(groups), "$.model.mamba.groups");
  Workload mtp = w;
  mtp.model.mtp_layers = 1;
  EXPECT_EQ(path_of(mtp), "$.model.mtp_layers");
  // Every layer Mamba: no attention heads to split, so TP 16 (dividing 48 Mamba heads, not 12
  // attention heads) is a layout; with attention layers it is not.
  Workload pure = w;
  pure.model.mamba_layers = pure.model.num_layers;
  pure.par.tp = 16;
  // (A layer pattern of the same length must then agree with the new counts: the shipped one names
  // 4 attention layers.)
  EXPECT_EQ(path_of(pure), "$.model.mamba.pattern");
  pure.model.mamba_pattern.clear();
  EXPECT_EQ(path_of(pure), "accepted");
  Workload mixed = pure;
  mixed.model.mamba_layers = 36;
  EXPECT_EQ(path_of(mixed), "$.parallelism.tp");
  const InferResult r = evaluate_infer(pure, count_params(pure.model),
                                       test::rates_for("h100-sxm5-80gb", Precision::kBf16), Assumptions{});
  EXPECT_EQ(r.memory.kv_bytes_per_token, 0.0);
  EXPECT_EQ(r.memory.max_kv_tokens, 0.0);  // no KV cache at all
  EXPECT_GT(r.memory.max_concurrent_requests, 0.0);
  EXPECT_TRUE(std::isfinite(r.time.tpot_s));
}

TEST(TrainTime, SelectiveRecomputeRerunsAttentionNotTheScan) {
  // Review: without a fused kernel, selective recompute re-ran the SSD scan too; it re-runs the
  // attention layers' core only.
  Workload w;
  w.model = test::catalog().model("granite-4.0-h-1b");
  w.phase = Phase::kTrain;
  w.train.seq_len = 4096;
  w.train.global_batch = 8;
  w.par.dp = 8;
  w.train.flash_attention = false;
  w.train.recompute = Recompute::kSelective;
  const TrainResult r = test::train(w, "h100-sxm5-80gb");
  // Hardware − model FLOPs = the attention layers' core once more (4 of 40 layers, full s²).
  const double tokens = 8.0 * 4096;
  EXPECT_NEAR(r.time.hardware_flop_per_step - r.time.model_flop_per_step, 40 * tokens * 0.1 * 2 * 4096 * 12 * 256,
              1e-6 * r.time.model_flop_per_step);
}

TEST(TrainMemory, NemotronHSeparateLayersStoreOneNormAndOneBlockInput) {
  // Separate mixer and MLP layers: each stores its norm's input and its block's input (2·2·s·h), and
  // its own part: Q, K, V and projection input on 4 of 52 layers, the Mamba mixer's on 24, the MLP's
  // up output and activation (2 × 21504) on 24.
  Workload w;
  w.model = test::catalog().model("nemotron-h-8b");
  w.phase = Phase::kTrain;
  w.train.seq_len = 8192;
  w.train.micro_batch = 1;
  w.train.recompute = Recompute::kNone;
  const double s = 8192, h = 4096;
  const double inner = 8192, in_out = 8192 + 10240 + 128;
  const double per_token = 4.0 / 52 * 2 * (4096 + 1024 + 1024 + 4096) + 24.0 / 52 * 2 * (in_out + 3 * inner) +
                           24.0 / 52 * 2 * 2 * 21504;
  EXPECT_NEAR(activation_bytes_per_layer(w.model, w.par, w.train), 2 * 2 * s * h + s * per_token, 1e-6 * s * per_token);
}

TEST(TrainMemory, MambaLayoutFieldsAreStrict) {
  const ModelConfig& n = test::catalog().model("nemotron-h-8b");
  const std::string text = model_to_json(n);
  EXPECT_NE(text.find("\"layout\": \"separate\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"mlp\": \"relu2\""), std::string::npos) << text;
  const ModelConfig back = model_from_json(text, "rt.json");
  EXPECT_TRUE(back.mamba_separate);
  EXPECT_EQ(back.mamba_attention_layers, 4);
  EXPECT_EQ(back.mlp, MlpKind::kRelu2);
  EXPECT_EQ(count_params(back).total, count_params(n).total);
  const auto path_of = [&](const std::string& from, const std::string& to) {
    std::string doc = text;
    if (doc.find(from) == std::string::npos) return std::string("pattern not found: ") + from;
    doc.replace(doc.find(from), from.size(), to);
    try {
      model_from_json(doc, "m.json");
    } catch (const core::InputError& e) {
      return e.json_path();
    }
    return std::string("accepted");
  };
  EXPECT_EQ(path_of("\"attention_layers\": 4", "\"attention_layers\": 29"), "$.mamba.attention_layers");  // 24 + 29 > 52
  EXPECT_EQ(path_of("\"layout\": \"separate\"", "\"layout\": \"interleaved\""), "$.mamba.layout");
  // attention_layers required with the separate layout, refused without it (num_layers − mamba.layers then).
  EXPECT_EQ(path_of("\"attention_layers\": 4,", ""), "$.mamba.attention_layers");
  EXPECT_EQ(path_of("\"layout\": \"separate\"", "\"layout\": \"mixer+mlp\""), "$.mamba.attention_layers");
}

}  // namespace
}  // namespace headroom::plan
