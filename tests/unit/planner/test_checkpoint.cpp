// Checkpoints and failures (planner/src/checkpoint.cpp): known answers computed by hand below.
//
// Llama 2 70B (catalog): 68,976,648,192 parameters. bf16 mixed precision with Adam stores per trained
// element 2 (bf16 weight) + 4 (fp32 master) + 8 (fp32 m, v) = 14 bytes:
//   checkpoint   = 68,976,648,192 × 14              = 965,673,074,688 B (965.7 GB)
// 64 H100 = 8 nodes of 8 (the profile's gpus_per_node), 2 GB/s per node:
//   write        = 965,673,074,688 / (8 × 2e9)      = 60.354567 s  (the sync stall)
//   shard        = 965,673,074,688 / 64             = 15,088,641,792 B per GPU
//   async stall  = 15,088,641,792 / (64e9 × 0.8)    = 0.294700 s   (H100 datasheet PCIe Gen5 x16 × 0.8)
//   load         = 965,673,074,688 / (8 × 4e9)      = 30.177284 s  (4 GB/s read per node)
// MTBF 10 h = 36,000 s: Young's interval sqrt(2 × 60.354567 × 36,000) = 2,084.5932 s.
// Interval 30 min = 1,800 s: cost per failure = 900 + 600 (restart) + 30.177284 = 1,530.177284 s.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "headroom/core/errors.hpp"
#include "headroom/plan/checkpoint.hpp"
#include "headroom/plan/infer.hpp"
#include "headroom/plan/plan_json.hpp"
#include "headroom/plan/search.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {

using test::catalog;

constexpr double kLlama2_70bParams = 68'976'648'192.0;

Workload llama70b_on_64() {
  Workload w = test::train_workload("llama-2-70b", 8, 2, 4, 1024, 4096);
  w.train.tokens = 1e12;
  return w;
}

Rates h100_with_storage(double write_bytes_per_s, double read_bytes_per_s) {
  Rates r = test::rates_for("H100");
  r.checkpoint_write_bytes_per_s = write_bytes_per_s;
  r.storage_read_bytes_per_s = read_bytes_per_s;
  return r;
}

TEST(Checkpoint, BytesPerElementFollowTheOptimizerAccounting) {
  TrainSettings t;
  EXPECT_EQ(checkpoint_bytes_per_element(t), 14.0);  // bf16 2 + fp32 master 4 + Adam 8
  t.precision = Precision::kFp32;
  EXPECT_EQ(checkpoint_bytes_per_element(t), 12.0);  // fp32 weights are the master: 4 + 8
  t.precision = Precision::kTf32;
  EXPECT_EQ(checkpoint_bytes_per_element(t), 12.0);
  t.precision = Precision::kFp8;
  EXPECT_EQ(checkpoint_bytes_per_element(t), 14.0);  // Transformer Engine keeps bf16 weights
  t.precision = Precision::kBf16;
  t.optimizer = Optimizer::kAdamBf16;
  EXPECT_EQ(checkpoint_bytes_per_element(t), 10.0);  // 2 + 4 + 2·2
  t.optimizer = Optimizer::kLion;
  EXPECT_EQ(checkpoint_bytes_per_element(t), 10.0);  // 2 + 4 + 4
  t.optimizer = Optimizer::kAdam8bit;
  EXPECT_DOUBLE_EQ(checkpoint_bytes_per_element(t), 6.0 + optimizer_state_bytes(Optimizer::kAdam8bit));
}

TEST(Checkpoint, Llama2_70bOn64GpusKnownAnswers) {
  Workload w = llama70b_on_64();
  w.train.resilience.checkpoint_every_s = 1800;
  const ParamCounts pc = count_params(w.model);
  ASSERT_EQ(pc.total, kLlama2_70bParams);
  const Rates r = h100_with_storage(2e9, 4e9);
  CheckpointCost c = checkpoint_cost(w, pc, r, 64);
  ASSERT_TRUE(c.enabled);
  EXPECT_EQ(c.bytes, 965'673'074'688.0);
  EXPECT_EQ(c.nodes, 8.0);
  EXPECT_EQ(c.shard_bytes_per_gpu, 15'088'641'792.0);
  EXPECT_NEAR(c.write_s, 60.354567, 1e-6);
  EXPECT_EQ(c.stall_s, c.write_s);  // sync: the whole write
  EXPECT_EQ(c.interval_s, 1800.0);
  EXPECT_FALSE(c.interval_from_young);
  EXPECT_EQ(c.young_interval_s, 0.0);  // no MTBF
  EXPECT_EQ(c.load_s, 0.0);            // no failures: nothing read back

  w.train.resilience.checkpoint_mode = CheckpointMode::kAsync;
  c = checkpoint_cost(w, pc, r, 64);
  EXPECT_EQ(r.host_link_bytes_per_s, 64e9 * 0.8);
  EXPECT_NEAR(c.copy_s, 0.294700, 1e-6);
  EXPECT_EQ(c.stall_s, c.copy_s);
  EXPECT_TRUE(c.write_within_interval);

  // A background write longer than the interval: the overrun stalls training and the plan says so.
  w.train.resilience.checkpoint_every_s = 30;
  c = checkpoint_cost(w, pc, r, 64);
  EXPECT_FALSE(c.write_within_interval);
  EXPECT_NEAR(c.stall_s, 0.294700 + (60.354567 - 30.0), 1e-6);

  // Fewer GPUs than a node: one node writes it all.
  w.train.resilience.checkpoint_mode = CheckpointMode::kSync;
  c = checkpoint_cost(w, pc, r, 4);
  EXPECT_EQ(c.nodes, 1.0);
  EXPECT_NEAR(c.write_s, 965'673'074'688.0 / 2e9, 1e-6);
}

TEST(Checkpoint, FailuresYoungAndTheSelfConsistentTime) {
  Workload w = llama70b_on_64();
  ResilienceSettings& s = w.train.resilience;
  s.checkpoint_every_s = 1800;
  s.mtbf_s = 36000;
  const ParamCounts pc = count_params(w.model);
  const CheckpointCost c = checkpoint_cost(w, pc, h100_with_storage(2e9, 4e9), 64);
  EXPECT_NEAR(c.young_interval_s, 2084.5932, 1e-3);
  EXPECT_EQ(c.interval_s, 1800.0);  // the given one; Young's is shown beside it
  EXPECT_EQ(c.load_bytes, c.bytes);
  EXPECT_NEAR(c.load_s, 30.177284, 1e-6);
  EXPECT_EQ(c.lost_work_s, 900.0);
  EXPECT_EQ(c.restart_s, 600.0);  // the default
  EXPECT_NEAR(c.cost_per_failure_s, 1530.177284, 1e-6);

  // 1e6 productive seconds at goodput 0.9: floor(1e6 / 1800) = 555 checkpoints × 60.354567 s
  //   T0 = 1e6 / 0.9 + 33,496.7847 = 1,144,607.896 s
  //   T  = T0 / (1 − 1,530.177284 / 36,000) = T0 / 0.957495076 = 1,195,419.09 s
  //   failures = T / 36,000 = 33.2061; their cost = T − T0 = 50,811.20 s
  const RunTime rt = run_time(c, 1e6, 0.9);
  EXPECT_EQ(rt.checkpoints, 555.0);
  EXPECT_NEAR(rt.checkpoint_s, 33'496.7847, 1e-3);
  const double t0 = 1e6 / 0.9 + rt.checkpoint_s;
  EXPECT_NEAR(rt.time_s, t0 / (1.0 - 1530.177284 / 36000.0), 1e-3);
  EXPECT_NEAR(rt.time_s, 1'195'419.09, 0.01);
  EXPECT_NEAR(rt.expected_failures, 33.2061, 1e-3);
  EXPECT_NEAR(rt.failure_s, rt.expected_failures * c.cost_per_failure_s, 1e-6);
  EXPECT_NEAR(rt.time_s, 1e6 / 0.9 + rt.checkpoint_s + rt.failure_s, 1e-6);

  // Without an interval the MTBF picks Young's; async raises it to the write time when shorter.
  s.checkpoint_every_s = 0;
  CheckpointCost y = checkpoint_cost(w, pc, h100_with_storage(2e9, 4e9), 64);
  EXPECT_TRUE(y.interval_from_young);
  EXPECT_EQ(y.interval_s, y.young_interval_s);
  EXPECT_NEAR(y.lost_work_s, 2084.5932 / 2, 1e-3);
  s.checkpoint_mode = CheckpointMode::kAsync;
  s.mtbf_s = 1000;  // Young's: sqrt(2 × 0.2947 × 1000) = 24.28 s < the 60.35 s write
  y = checkpoint_cost(w, pc, h100_with_storage(2e9, 4e9), 64);
  EXPECT_NEAR(y.young_interval_s, std::sqrt(2.0 * 0.294700 * 1000.0), 1e-4);
  EXPECT_TRUE(y.interval_raised_to_write);
  EXPECT_EQ(y.interval_s, y.write_s);
  EXPECT_TRUE(y.write_within_interval);
  EXPECT_EQ(y.stall_s, y.copy_s);

  // A failure costing as much as the MTBF: no finite time.
  CheckpointCost never = c;
  never.cost_per_failure_s = never.mtbf_s;
  EXPECT_TRUE(std::isinf(run_time(never, 1e6, 1.0).time_s));
}

TEST(Checkpoint, Llama3MtbfFromThePaper) {
  // Llama 3 (arXiv 2407.21783 §3.3.4): 419 unexpected interruptions in 54 days on 16K H100.
  const double mtbf_h = 54.0 * 24.0 / 419.0;
  EXPECT_NEAR(mtbf_h, 3.0931, 1e-4);
}

TEST(Checkpoint, AdaptersSaveOnlyTheAdaptersButReloadTheBase) {
  Workload w = llama70b_on_64();
  w.train.adapter.method = AdapterMethod::kLora;
  w.train.adapter.rank = 16;
  w.train.resilience.checkpoint_every_s = 600;
  w.train.resilience.mtbf_s = 36000;
  const ParamCounts pc = count_params(w.model);
  const CheckpointCost c = checkpoint_cost(w, pc, h100_with_storage(2e9, 4e9), 64);
  // All-linear rank-16 adapters of Llama 2 70B: 207,093,760 elements × 14 B.
  EXPECT_EQ(c.trained_elements, 207'093'760.0);
  EXPECT_EQ(c.bytes, 207'093'760.0 * 14.0);
  // After a failure the frozen base (bf16) is read again with the adapters.
  EXPECT_EQ(c.load_bytes, c.bytes + kLlama2_70bParams * 2.0);
  EXPECT_NEAR(c.load_s, c.load_bytes / (8 * 4e9), 1e-9);
}

TEST(Checkpoint, EvaluateTrainAddsTheCostsAndKeepsTheDefault) {
  Workload w = llama70b_on_64();
  const ParamCounts pc = count_params(w.model);
  Assumptions a;
  a.goodput = 0.95;
  const Rates r = h100_with_storage(2e9, 4e9);
  const TrainResult plain = evaluate_train(w, pc, r, a);
  EXPECT_FALSE(plain.checkpoint.enabled);
  // Unchanged without the options: productive time / goodput, bit for bit.
  EXPECT_EQ(plain.time.time_to_train_s, plain.time.steps * plain.time.step_s / a.goodput);
  EXPECT_EQ(plain.time.run.checkpoints, 0.0);

  w.train.resilience.checkpoint_every_s = 1800;
  w.train.resilience.mtbf_s = 36000;
  const TrainResult with = evaluate_train(w, pc, r, a);
  ASSERT_TRUE(with.checkpoint.enabled);
  EXPECT_EQ(with.time.step_s, plain.time.step_s);
  const double productive = plain.time.steps * plain.time.step_s;
  const RunTime expected = run_time(with.checkpoint, productive, a.goodput);
  EXPECT_EQ(with.time.time_to_train_s, expected.time_s);
  EXPECT_EQ(with.time.run.checkpoints, std::floor(productive / 1800.0));
  EXPECT_GT(with.time.time_to_train_s, plain.time.time_to_train_s);
  EXPECT_DOUBLE_EQ(with.time.gpu_hours, with.time.time_to_train_s * 64 / 3600.0);
  EXPECT_DOUBLE_EQ(with.time.energy_kwh / plain.time.energy_kwh, with.time.gpu_hours / plain.time.gpu_hours);
}

TEST(Checkpoint, StorageRatesFromTheProfileAndOverrides) {
  HardwareProfile p = catalog().gpu("H100");
  Rates r = resolve_rates(p, Precision::kBf16, Assumptions{});
  EXPECT_EQ(r.checkpoint_write_bytes_per_s, 0.0);  // datasheet profiles leave storage null
  EXPECT_EQ(r.storage_read_bytes_per_s, 0.0);
  const std::size_t notes = r.notes.size();
  p.storage_write_bytes_per_s = Quantity{3e9, Provenance::kMeasured, "results.json: storage.seq_write", "2026-11-22"};
  p.storage_read_bytes_per_s = Quantity{5e9, Provenance::kMeasured, "results.json: storage.seq_read", "2026-11-22"};
  r = resolve_rates(p, Precision::kBf16, Assumptions{});
  EXPECT_EQ(r.notes.size(), notes);  // listed only by plans that use them
  EXPECT_EQ(r.checkpoint_write_bytes_per_s, 3e9);
  EXPECT_NE(r.checkpoint_write_source.find("storage.write_bytes_per_s"), std::string::npos)
      << r.checkpoint_write_source;
  EXPECT_NE(r.checkpoint_write_source.find("measured"), std::string::npos);
  p.checkpoint_write_bytes_per_s =
      Quantity{2.5e9, Provenance::kMeasured, "results.json: storage.checkpoint", "2026-11-22"};
  r = resolve_rates(p, Precision::kBf16, Assumptions{});
  EXPECT_EQ(r.checkpoint_write_bytes_per_s, 2.5e9);  // a checkpoint-shaped measurement wins
  EXPECT_NE(r.checkpoint_write_source.find("checkpoint_write_bytes_per_s"), std::string::npos);
  EXPECT_EQ(r.storage_read_bytes_per_s, 5e9);

  ResilienceSettings s;
  s.checkpoint_write_bytes_per_s = 7e9;
  s.checkpoint_read_bytes_per_s = 9e9;
  apply_resilience_overrides(s, r);
  EXPECT_EQ(r.checkpoint_write_bytes_per_s, 7e9);
  EXPECT_EQ(r.storage_read_bytes_per_s, 9e9);
  EXPECT_NE(r.checkpoint_write_source.find("override"), std::string::npos);
}

TEST(Checkpoint, CheckRefusesMissingBandwidthAndANeverEndingJob) {
  Workload w = llama70b_on_64();
  const ParamCounts pc = count_params(w.model);
  const Rates none = test::rates_for("H100");
  EXPECT_NO_THROW(check_resilience(w, pc, none, 64, "h100"));  // nothing modelled, nothing needed
  w.train.resilience.checkpoint_every_s = 1800;
  try {
    check_resilience(w, pc, none, 64, "h100");
    ADD_FAILURE() << "accepted checkpoints without a write bandwidth";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.json_path(), "$.storage.checkpoint_write_bytes_per_s");
    EXPECT_NE(std::string(e.what()).find("--checkpoint-write"), std::string::npos) << e.what();
  }
  w.train.resilience.mtbf_s = 36000;
  try {
    check_resilience(w, pc, h100_with_storage(2e9, 0), 64, "h100");
    ADD_FAILURE() << "accepted failures without a read bandwidth";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.json_path(), "$.storage.read_bytes_per_s");
    EXPECT_NE(std::string(e.what()).find("--checkpoint-read"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(check_resilience(w, pc, h100_with_storage(2e9, 4e9), 64, "h100"));
  w.train.resilience.mtbf_s = 1500;  // below the 1,530 s a failure costs
  try {
    check_resilience(w, pc, h100_with_storage(2e9, 4e9), 64, "h100");
    ADD_FAILURE() << "accepted an MTBF below the cost of one failure";
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("never finish"), std::string::npos) << e.what();
  }
}

TEST(Checkpoint, WorkloadFileRoundTripAndStrictReading) {
  const auto doc = [](const std::string& extra) {
    return R"({"schema":"headroom.workload","schema_version":"1.0","model":"llama-2-7b","phase":"train",
      "train":{"global_batch":8,"seq_len":4096)" +
           extra + "}}";
  };
  const Workload w = workload_from_json(
      doc(R"(,"tokens":1e10,"checkpoint":{"every_s":1800,"mode":"async","write_bytes_per_s":2e9,"read_bytes_per_s":4e9},
             "failures":{"mtbf_s":36000,"restart_s":300})"),
      "w.json", catalog());
  const ResilienceSettings& s = w.train.resilience;
  EXPECT_EQ(s.checkpoint_every_s, 1800.0);
  EXPECT_EQ(s.checkpoint_mode, CheckpointMode::kAsync);
  EXPECT_EQ(s.checkpoint_write_bytes_per_s, 2e9);
  EXPECT_EQ(s.checkpoint_read_bytes_per_s, 4e9);
  EXPECT_EQ(s.mtbf_s, 36000.0);
  EXPECT_EQ(s.restart_s, 300.0);
  // plan.json's train block carries them in the workload's form and reads back as a workload.
  PlanContext ctx;
  ctx.rates = test::rates_for("H100");
  apply_resilience_overrides(s, ctx.rates);
  const ParamCounts pc = count_params(w.model);
  const auto plan = nlohmann::json::parse(train_plan_to_json(w, pc, evaluate_train(w, pc, ctx.rates, {}), ctx));
  const nlohmann::json back = {{"schema", "headroom.workload"},
                               {"schema_version", "1.0"},
                               {"model", "llama-2-7b"},
                               {"phase", "train"},
                               {"train", plan.at("train")}};
  const ResilienceSettings r = workload_from_json(back.dump(), "plan.json", catalog()).train.resilience;
  EXPECT_EQ(r.checkpoint_every_s, s.checkpoint_every_s);
  EXPECT_EQ(r.checkpoint_mode, s.checkpoint_mode);
  EXPECT_EQ(r.checkpoint_write_bytes_per_s, s.checkpoint_write_bytes_per_s);
  EXPECT_EQ(r.checkpoint_read_bytes_per_s, s.checkpoint_read_bytes_per_s);
  EXPECT_EQ(r.mtbf_s, s.mtbf_s);
  EXPECT_EQ(r.restart_s, s.restart_s);
  // The plan's figures: 7B × 14 B, 1 node (8 GPUs) at 2 GB/s.
  const auto& ck = plan.at("result").at("checkpoints");
  EXPECT_EQ(ck.at("bytes").get<double>(), pc.total * 14.0);
  EXPECT_EQ(ck.at("mode"), "async");
  EXPECT_EQ(ck.at("failures").at("mtbf_s").get<double>(), 36000.0);
  EXPECT_FALSE(ck.at("count").is_null());
  // Without them: no checkpoint or failures block anywhere.
  const Workload plain = workload_from_json(doc(""), "w.json", catalog());
  const auto p2 = nlohmann::json::parse(train_plan_to_json(plain, pc, evaluate_train(plain, pc, ctx.rates, {}), ctx));
  EXPECT_FALSE(p2.at("train").contains("checkpoint"));
  EXPECT_FALSE(p2.at("train").contains("failures"));
  EXPECT_FALSE(p2.at("result").contains("checkpoints"));

  const auto refused = [&](const std::string& extra, const std::string& path) {
    try {
      workload_from_json(doc(extra), "w.json", catalog());
      ADD_FAILURE() << "accepted " << extra;
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.json_path(), path) << extra << ": " << e.what();
    }
  };
  refused(R"(,"checkpoint":{"every_s":0})", "$.train.checkpoint.every_s");
  refused(R"(,"checkpoint":{"every_s":-5})", "$.train.checkpoint.every_s");
  refused(R"(,"checkpoint":{"mode":"async"})", "$.train.checkpoint.every_s");  // no interval, no MTBF
  refused(R"(,"checkpoint":{"every_s":60,"mode":"lazy"})", "$.train.checkpoint.mode");
  refused(R"(,"checkpoint":{"every_s":60,"write_gbps":2})", "$.train.checkpoint.write_gbps");
  refused(R"(,"checkpoint":{"every_s":60,"write_bytes_per_s":0})", "$.train.checkpoint.write_bytes_per_s");
  refused(R"(,"failures":{"restart_s":60})", "$.train.failures.mtbf_s");
  refused(R"(,"failures":{"mtbf_s":3600,"restart_s":-1})", "$.train.failures.restart_s");
  refused(R"(,"checkpoint":{"every_s":60,"read_bytes_per_s":4e9})", "$.train.failures.mtbf_s");
  refused(R"(,"checkpoint":{"every_s":1e9})", "$.train.checkpoint.every_s");
}

TEST(Checkpoint, SearchRanksByTimeToTrainWithTheCosts) {
  Workload w = test::train_workload("llama-2-13b", 1, 1, 16, 256, 4096);
  w.train.tokens = 1e11;
  const ParamCounts pc = count_params(w.model);
  SearchOptions o;
  o.gpus = 16;
  o.keep = 5;
  const Rates r = h100_with_storage(1e9, 2e9);
  const SearchResult plain = search_train(w, pc, r, Assumptions{}, o);
  w.train.resilience.checkpoint_every_s = 600;
  w.train.resilience.mtbf_s = 20 * 3600.0;
  const SearchResult with = search_train(w, pc, r, Assumptions{}, o);
  ASSERT_EQ(with.best.size(), plain.best.size());
  ASSERT_GE(with.best.size(), 2u);
  for (std::size_t i = 0; i < with.best.size(); ++i) {
    const TrainResult& x = with.best[i].result;
    ASSERT_TRUE(x.checkpoint.enabled);
    if (i > 0) EXPECT_LE(with.best[i - 1].result.time.time_to_train_s, x.time.time_to_train_s);
    // The costs grow with productive time on the same GPUs: the order is the step-time order.
    EXPECT_EQ(layout_text(with.best[i].workload.par), layout_text(plain.best[i].workload.par));
    EXPECT_GT(x.time.time_to_train_s, plain.best[i].result.time.time_to_train_s);
  }
}

TEST(Checkpoint, InferenceColdStartReadsTheWeightsPerNode) {
  Workload w;
  w.model = catalog().model("llama-3-70b");
  w.phase = Phase::kInfer;
  w.par.tp = 4;
  w.infer.context_len = 2048;
  w.infer.output_len = 256;
  const ParamCounts pc = count_params(w.model);
  Rates r = test::rates_for("H100");
  const InferResult res = evaluate_infer(w, pc, r, Assumptions{});
  ColdStart c = cold_start(res, r);
  EXPECT_EQ(c.time_s, 0.0);  // datasheet profile: read bandwidth unknown
  EXPECT_EQ(c.bytes_per_node, res.memory.weights_bytes * 4);
  r.storage_read_bytes_per_s = 2e9;
  c = cold_start(res, r);
  EXPECT_NEAR(c.time_s, res.memory.weights_bytes * 4 / 2e9, 1e-9);
  // One replica over two nodes (TP 16 on 8-GPU nodes): each node reads its 8 GPUs' share at once.
  w.par.tp = 8;
  w.par.pp = 2;
  const InferResult wide = evaluate_infer(w, pc, r, Assumptions{});
  EXPECT_EQ(cold_start(wide, r).bytes_per_node, wide.memory.weights_bytes * 8);
}

}  // namespace
}  // namespace headroom::plan
