// Training memory: known answers for the Megatron byte accounting and the Korthikanti terms.
#include <gtest/gtest.h>

#include "headroom/core/units.hpp"
#include "headroom/plan/train.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {

const Assumptions kA;

TrainResult eval(const Workload& w, const std::string& gpu = "a100-sxm4-80gb") {
  validate(w);
  return evaluate_train(w, count_params(w.model), test::rates_for(gpu, w.train.precision), kA);
}

TEST(TrainMemory, EighteenBytesPerParamWithoutDistributedOptimizer) {
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 8, 4096);
  const TrainResult r = eval(w);
  const double p = count_params(w.model).total;
  EXPECT_DOUBLE_EQ(r.memory.params_on_gpu, p);
  EXPECT_DOUBLE_EQ(r.memory.weights_bytes + r.memory.gradients_bytes + r.memory.master_bytes + r.memory.optimizer_bytes,
                   18.0 * p);
}

TEST(TrainMemory, DistributedOptimizerSixPlusTwelveOverDp) {
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 8, 4096);
  w.train.zero_stage = 1;
  const TrainResult r = eval(w);
  const double p = count_params(w.model).total;
  EXPECT_NEAR(r.memory.weights_bytes + r.memory.gradients_bytes + r.memory.master_bytes + r.memory.optimizer_bytes,
              (6.0 + 12.0 / 8.0) * p, 1.0);
  w.train.zero_stage = 3;
  const TrainResult z3 = eval(w);
  EXPECT_NEAR(z3.memory.weights_bytes + z3.memory.gradients_bytes + z3.memory.master_bytes + z3.memory.optimizer_bytes,
              18.0 / 8.0 * p, 1.0);
}

TEST(TrainMemory, FirstStageShardOfMegatron) {
  // Most-loaded shard = (layers/PP · per-layer + embedding) / TP for PP > 1.
  Workload w = test::train_workload("llama-2-70b", 8, 4, 2, 64, 4096);
  const TrainResult r = eval(w);
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

TEST(TrainMemory, FitsAndMarginAreConsistent) {
  const TrainResult small = eval(test::train_workload("llama-2-7b", 1, 1, 8, 64, 4096));
  EXPECT_NEAR(small.memory.margin_bytes, small.memory.capacity_bytes - small.memory.total_bytes, 1);
  // 70B on one 80 GB GPU cannot fit: weights alone are 138 GB.
  const TrainResult big = eval(test::train_workload("llama-2-70b", 1, 1, 1, 1, 4096));
  EXPECT_FALSE(big.memory.fits);
  EXPECT_LT(big.memory.margin_bytes, 0);
}

TEST(TrainMemory, InFlightMicroBatchesOnFirstStage) {
  Workload w = test::train_workload("llama-2-70b", 8, 4, 1, 64, 4096);
  const TrainResult r = eval(w);
  // 20 layers per stage × min(pp = 4, 64 micro-batches) in flight.
  EXPECT_NEAR(r.memory.activations_bytes - r.memory.embedding_activations_bytes,
              r.memory.activations_per_layer_bytes * 20 * 4, 1);
  w.par.vpp = 2;
  const TrainResult v = eval(w);
  EXPECT_NEAR(v.memory.activations_bytes - v.memory.embedding_activations_bytes,
              v.memory.activations_per_layer_bytes * 20 * 4 * (1 + 3.0 / 8.0), 1);
}

}  // namespace
}  // namespace headroom::plan
