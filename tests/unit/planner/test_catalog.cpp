// Catalogs: every shipped file loads, lookups by alias, suggestions for typos, workload validation.
#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include <limits>

#include "headroom/core/errors.hpp"
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "headroom/plan/catalog.hpp"
#include "headroom/plan/plan_json.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {
using test::catalog;

TEST(Catalog, LoadsAllWithSources) {
  EXPECT_GE(catalog().gpus.size(), 10u);
  EXPECT_GE(catalog().models.size(), 15u);
  for (const auto& g : catalog().gpus) {
    for (const Quantity* q : {&g.memory_bytes, &g.memory_bandwidth_bytes_per_s, &g.tdp_w}) {
      ASSERT_TRUE(q->known()) << g.id;
      EXPECT_FALSE(q->source.empty()) << g.id;
      EXPECT_EQ(q->as_of.size(), 10u) << g.id;
    }
    EXPECT_TRUE(g.peak(Precision::kBf16).known()) << g.id;
  }
}

TEST(Catalog, DatasheetValues) {
  const HardwareProfile& h100 = catalog().gpu("H100");
  EXPECT_EQ(h100.id, "h100-sxm5-80gb");
  EXPECT_DOUBLE_EQ(*h100.peak(Precision::kBf16).value, 989e12);
  EXPECT_DOUBLE_EQ(*h100.memory_bandwidth_bytes_per_s.value, 3.35e12);
  EXPECT_DOUBLE_EQ(*h100.tdp_w.value, 700);
  EXPECT_FALSE(catalog().gpu("a100-sxm4-80gb").peak(Precision::kFp8).known());  // null, not 0
  EXPECT_DOUBLE_EQ(*catalog().gpu("B200").peak(Precision::kFp4).value, 9000e12);
}

TEST(Catalog, AliasesAreCaseAndPunctuationInsensitive) {
  EXPECT_EQ(catalog().gpu("h100-sxm").id, "h100-sxm5-80gb");
  EXPECT_EQ(catalog().gpu("NVIDIA A100-SXM4-80GB").id, "a100-sxm4-80gb");
  EXPECT_EQ(catalog().model("Llama3-8B").id, "llama-3-8b");
}

TEST(Catalog, UnknownNamesSuggestTheClosest) {
  try {
    catalog().gpu("H10");
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("h100"), std::string::npos) << e.what();
  }
  try {
    catalog().model("llama-2-7");
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("llama-2-7b"), std::string::npos) << e.what();
  }
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

void expect_bad(const Workload& w, const std::string& field) {
  try {
    validate(w, "w.json");
    FAIL() << "accepted " << field;
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.json_path(), field) << e.what();
  }
}

TEST(Workload, ValidationNamesTheField) {
  const Workload ok = test::train_workload("llama-2-7b", 2, 2, 2, 16, 4096);
  EXPECT_NO_THROW(validate(ok));
  Workload w = ok;
  w.par.tp = 3;
  expect_bad(w, "$.parallelism.tp");  // 32 heads
  w = ok;
  w.par.pp = 5;
  w.gpus = 20;
  expect_bad(w, "$.parallelism.pp");  // 32 layers
  w = ok;
  w.train.global_batch = 15;
  expect_bad(w, "$.train.global_batch");
  w = ok;
  w.train.seq_len = 0;
  expect_bad(w, "$.train.seq_len");
  w = ok;
  w.train.tokens = std::numeric_limits<double>::infinity();
  expect_bad(w, "$.train.tokens");
  w = ok;
  w.train.tokens = 1e30;
  expect_bad(w, "$.train.tokens");
  w = ok;
  w.gpus = 9;
  expect_bad(w, "$.gpus");
  w = ok;
  w.par.vpp = 2;  // 16 / (1·2) = 8 micro-batches per step: a multiple of pp = 2
  EXPECT_NO_THROW(validate(w));
  w.train.global_batch = 6;  // 3 micro-batches per step: the interleaved schedule needs groups of pp
  expect_bad(w, "$.parallelism.vpp");
  // Uneven pipeline stages (32 layers): the rest must split evenly, at least one layer each.
  w = ok;
  w.par.first_stage_layers = 15;  // pp 2: 15 + 17
  EXPECT_NO_THROW(validate(w));
  EXPECT_EQ(stage_layout(32, w.par).last, 17);
  w.par.last_stage_layers = 16;  // 15 + 16 ≠ 32
  expect_bad(w, "$.parallelism.last_stage_layers");
  w = ok;
  w.par.pp = 1;
  w.par.dp = 4;
  w.par.first_stage_layers = 4;
  expect_bad(w, "$.parallelism.first_stage_layers");  // one stage
  w = test::train_workload("llama-2-7b", 1, 4, 1, 16, 4096);
  w.par.first_stage_layers = 7;
  w.par.last_stage_layers = 7;  // 32 − 14 = 18: 9 on each middle stage
  EXPECT_NO_THROW(validate(w));
  w.par.first_stage_layers = 8;  // 32 − 15 = 17 over 2 stages
  expect_bad(w, "$.parallelism.last_stage_layers");
  w.par.first_stage_layers = 32;
  expect_bad(w, "$.parallelism.first_stage_layers");  // all of the model on one of 4 stages
  w.par.first_stage_layers = 7;
  w.par.vpp = 2;  // 16 micro-batches, a multiple of pp: middle 9 layers do not split into 2 chunks
  expect_bad(w, "$.parallelism.vpp");
  w.par.first_stage_layers = w.par.last_stage_layers = 5;  // middle 11: odd as well
  expect_bad(w, "$.parallelism.vpp");
  w.par.first_stage_layers = w.par.last_stage_layers = 6;  // middle 10: 5 + 5; first / last 3 + 3
  EXPECT_NO_THROW(validate(w));
  w.par.first_stage_layers = w.par.last_stage_layers = 1;  // middle 15: not in 2 chunks
  expect_bad(w, "$.parallelism.vpp");
  w = test::train_workload("llama-2-7b", 1, 6, 1, 12, 4096);
  w.par.first_stage_layers = w.par.last_stage_layers = 4;  // 6 stages: 4, 4 × 6, 4
  w.par.vpp = 6;  // first and last: chunks of 0 or 1 layer (embedding / output layer alone), as Llama 3 does
  EXPECT_NO_THROW(validate(w));
  Workload inf = test::train_workload("llama-2-7b", 1, 2, 1, 16, 4096);
  inf.phase = Phase::kInfer;
  inf.infer.context_len = 1024;
  inf.infer.output_len = 128;
  inf.gpus = 2;
  EXPECT_NO_THROW(validate(inf));
  inf.par.first_stage_layers = 15;
  expect_bad(inf, "$.parallelism.first_stage_layers");  // inference stages are even
  Workload k = test::train_workload("llama-3-70b", 16, 1, 1, 1, 4096);  // 8 KV heads, 64 heads: TP 16 ok
  EXPECT_NO_THROW(validate(k));
  k.par.tp = 32;  // 64 heads, 8 KV heads: 32 is a multiple of 8 — accepted (KV replicated)
  k.gpus = 32;
  EXPECT_NO_THROW(validate(k));
}

/// The "PATH: EXPECTED" of validate()'s refusal of `w`, or "(accepted)".
std::string refusal(const Workload& w) {
  try {
    validate(w, "w.json");
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.file(), "w.json") << e.what();
    return e.json_path() + ": " + e.expected();
  }
  return "(accepted)";
}

TEST(Workload, ValidationNamesModelHeadsAndLearnedPositions) {
  // A model built in code (the GUI's custom model) is checked like a model file.
  Workload w = test::synthetic_workload(Phase::kTrain);  // 8 heads of 128, 8 KV heads, 4 layers
  w.par.dp = 1;
  w.gpus = 1;
  w.train.global_batch = 8;
  w.train.seq_len = 2048;
  EXPECT_EQ(refusal(w), "(accepted)");
  Workload bad = w;
  bad.model.num_kv_heads = 3;  // 8 query heads cannot share 3 KV heads evenly
  EXPECT_EQ(refusal(bad), "$.model.num_kv_heads: a divisor of num_heads (8), got 3");
  // TP 4 over 24 query heads (6 each) but 6 KV heads: 6 is neither a multiple nor a divisor of 4, so
  // a rank would hold a KV head and a half.
  bad = w;
  bad.model.num_heads = 24;
  bad.model.num_kv_heads = 6;
  bad.par.tp = 4;
  bad.gpus = 4;
  EXPECT_EQ(refusal(bad), "$.parallelism.tp: a divisor or a multiple of num_kv_heads (6), got 4");
  bad.par.tp = 3;  // 24 / 3 = 8 query heads, 6 / 3 = 2 KV heads per rank
  bad.gpus = 3;
  EXPECT_EQ(refusal(bad), "(accepted)");
  // Learned positions: the model has a table of max_seq_len rows and no more.
  Workload learned = w;
  learned.model.position = PositionKind::kLearned;
  learned.model.max_seq_len = 2048;
  EXPECT_EQ(refusal(learned), "(accepted)");  // exactly the table
  learned.train.seq_len = 2049;
  EXPECT_EQ(refusal(learned), "$.train.seq_len: at most the model's learned positions (2048), got 2049");
  Workload inf = test::synthetic_workload(Phase::kInfer);
  inf.model.position = PositionKind::kLearned;
  inf.model.max_seq_len = 2048;
  inf.gpus = 1;
  inf.infer.context_len = 1920;
  inf.infer.output_len = 128;  // 1920 + 128 = 2048: the last token still has a position
  EXPECT_EQ(refusal(inf), "(accepted)");
  inf.infer.output_len = 129;
  EXPECT_EQ(refusal(inf), "$.infer.context_len: context_len + output_len at most the model's positions (2048)");
}

TEST(Workload, ValidationNamesResilienceAdapterAndEngineFields) {
  const Workload ok = test::train_workload("llama-2-7b", 2, 2, 2, 16, 4096);
  Workload w = ok;
  w.train.resilience.checkpoint_every_s = 3600;
  w.train.resilience.checkpoint_write_bytes_per_s = 5e5;  // 0.5 MB/s: below the 1 MB/s floor
  EXPECT_EQ(refusal(w), "$.train.checkpoint.write_bytes_per_s: bytes/s per node in [1e+06, 1e+14], got 500000");
  w.train.resilience.checkpoint_write_bytes_per_s = 1e6;  // the floor itself
  EXPECT_EQ(refusal(w), "(accepted)");
  w.train.resilience.mtbf_s = 86400;
  w.train.resilience.checkpoint_read_bytes_per_s = 2e14;
  EXPECT_EQ(refusal(w), "$.train.checkpoint.read_bytes_per_s: bytes/s per node in [1e+06, 1e+14], got 2e+14");
  w.train.resilience.checkpoint_read_bytes_per_s = 0;
  w.train.resilience.mtbf_s = -1;
  EXPECT_EQ(refusal(w), "$.train.failures.mtbf_s: seconds between interruptions of this job in (0, 1e+09], got -1");
  w.train.resilience.mtbf_s = std::numeric_limits<double>::infinity();
  EXPECT_EQ(refusal(w), "$.train.failures.mtbf_s: seconds between interruptions of this job in (0, 1e+09], got inf");
  w.train.resilience.mtbf_s = 86400;
  w.train.resilience.restart_s = std::nan("");
  EXPECT_EQ(refusal(w).rfind("$.train.failures.restart_s: seconds to detect, reschedule and reinitialise in [0, 1e+07]", 0),
            0u);
  w.train.resilience.restart_s = 0;  // an instant restart is allowed
  EXPECT_EQ(refusal(w), "(accepted)");
  // A LoRA of rank 0 adapts nothing.
  w = ok;
  w.train.adapter.method = AdapterMethod::kLora;
  w.train.adapter.rank = 0;
  EXPECT_EQ(refusal(w), "$.train.adapter.rank: an integer in [1, 65536], got 0");
  w.train.adapter.rank = 16;
  EXPECT_EQ(refusal(w), "(accepted)");

  // Inference: replicas of tp·pp GPUs; the vLLM engine settings' ranges.
  Workload inf = test::train_workload("llama-2-7b", 2, 1, 1, 16, 4096);
  inf.phase = Phase::kInfer;
  inf.infer.context_len = 1024;
  inf.infer.output_len = 128;
  inf.gpus = 6;  // three replicas of 2
  EXPECT_EQ(refusal(inf), "(accepted)");
  inf.gpus = 3;
  EXPECT_EQ(refusal(inf), "$.gpus: a multiple of tp·pp (2), got 3");
  inf.gpus = 2;
  for (const double u : {0.0, -0.5, 1.01, std::nan("")}) {
    inf.infer.gpu_memory_utilization = u;
    EXPECT_EQ(refusal(inf), "$.infer.gpu_memory_utilization: a fraction in (0, 1]") << u;
  }
  inf.infer.gpu_memory_utilization = 1.0;
  EXPECT_EQ(refusal(inf), "(accepted)");
  inf.infer.prefill_chunk_tokens = -1;
  EXPECT_EQ(refusal(inf).rfind("$.infer.prefill_chunk_tokens: an integer in [0, 16777216]", 0), 0u) << refusal(inf);
  inf.infer.prefill_chunk_tokens = 0;
  inf.infer.max_num_seqs = (std::int64_t{1} << 26) + 1;
  EXPECT_EQ(refusal(inf).rfind("$.infer.max_num_seqs: an integer in [0, 67108864]", 0), 0u) << refusal(inf);
}

TEST(Workload, ParsesDocumentAndRejectsUnknownModel) {
  const std::string doc = R"({"schema":"headroom.workload","schema_version":"1.0","model":"llama-2-7b","phase":"train",
    "parallelism":{"tp":2,"dp":4},"train":{"global_batch":64,"seq_len":4096,"recompute":"selective","tokens":2e12}})";
  const Workload w = workload_from_json(doc, "w.json", catalog());
  EXPECT_EQ(w.par.tp, 2);
  EXPECT_EQ(w.par.first_stage_layers, 0);
  std::string uneven = doc;
  uneven.replace(uneven.find(R"("dp":4)"), 6, R"("dp":2,"pp":2,"first_stage_layers":15,"last_stage_layers":17)");
  const Workload u = workload_from_json(uneven, "w.json", catalog());
  EXPECT_EQ(u.par.first_stage_layers, 15);
  EXPECT_EQ(u.par.last_stage_layers, 17);
  // A misspelt field is refused by name, in every section and in an inline model.
  const auto refused = [&](const std::string& from, const std::string& to, const std::string& path) {
    std::string typo = doc;
    typo.replace(typo.find(from), from.size(), to);
    try {
      workload_from_json(typo, "w.json", catalog());
      ADD_FAILURE() << "accepted " << to;
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.json_path(), path) << to;
      EXPECT_NE(std::string(e.what()).find("unknown"), std::string::npos) << e.what();
    }
  };
  refused(R"("recompute")", R"("recompte")", "$.train.recompte");
  refused(R"("dp":4)", R"("dp":4,"zero_stage":1)", "$.parallelism.zero_stage");  // a train field in the wrong place
  refused(R"("phase")", R"("gpu":"H100","phase")", "$.gpu");
  refused(R"("model":"llama-2-7b")",
          R"("model":{"id":"x","num_layers":2,"hidden_size":64,"num_heads":4,"ffn_hidden_size":128,"vocab_size":100,"num_kv_head":4})",
          "$.model.num_kv_head");
  // A null is not "the default": the schema allows it for no workload field ("tp": null ran at TP 1).
  for (const auto& [from, to, path] :
       {std::tuple<std::string, std::string, std::string>{R"("tp":2)", R"("tp":null)", "$.parallelism.tp"},
        {R"("recompute":"selective")", R"("recompute":null)", "$.train.recompute"},
        {R"("phase":"train")", R"("phase":"train","gpus":null)", "$.gpus"}}) {
    std::string nulled = doc;
    nulled.replace(nulled.find(from), from.size(), to);
    try {
      workload_from_json(nulled, "w.json", catalog());
      ADD_FAILURE() << "accepted " << to;
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.json_path(), path) << to;
    }
  }
  EXPECT_EQ(w.gpus, 8);
  EXPECT_EQ(w.train.recompute, Recompute::kSelective);
  std::string bad = doc;
  bad.replace(bad.find("llama-2-7b"), 10, "llama-2-7x");
  try {
    workload_from_json(bad, "w.json", catalog());
    FAIL();
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.json_path(), "$.model");
    EXPECT_NE(std::string(e.what()).find("llama-2-7b"), std::string::npos);
  }
}

TEST(Workload, OptimizerParsesRoundTripsAndRefuses) {
  const auto doc = [](const std::string& optimizer) {
    return R"({"schema":"headroom.workload","schema_version":"1.0","model":"llama-2-7b","phase":"train",
      "train":{"global_batch":8,"seq_len":4096)" + optimizer + "}}";
  };
  EXPECT_EQ(workload_from_json(doc(""), "w.json", catalog()).train.optimizer, Optimizer::kAdam);
  EXPECT_EQ(workload_from_json(doc(R"(,"optimizer":"adamw-8bit")"), "w.json", catalog()).train.optimizer,
            Optimizer::kAdam8bit);
  for (const char* name : kOptimizerNames) {
    const Workload w = workload_from_json(doc(fmt::format(R"(,"optimizer":"{}")", name)), "w.json", catalog());
    EXPECT_EQ(to_string(w.train.optimizer), name);
    // plan.json's train block carries it in the workload's own form and reads back as a workload.
    PlanContext ctx;
    ctx.rates = test::rates_for("H100");
    const auto plan = nlohmann::json::parse(
        train_plan_to_json(w, count_params(w.model), test::train(w, "H100"), ctx));
    EXPECT_EQ(plan.at("train").at("optimizer"), name);
    const nlohmann::json back = {{"schema", "headroom.workload"}, {"schema_version", "1.0"}, {"model", "llama-2-7b"},
                                 {"phase", "train"}, {"train", plan.at("train")}};
    EXPECT_EQ(workload_from_json(back.dump(), "plan.json", catalog()).train.optimizer, w.train.optimizer);
  }
  try {
    workload_from_json(doc(R"(,"optimizer":"sgd")"), "w.json", catalog());
    ADD_FAILURE() << "accepted sgd";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.json_path(), "$.train.optimizer");
    EXPECT_NE(std::string(e.what()).find("adam-8bit"), std::string::npos) << e.what();
  }
  EXPECT_THROW(optimizer_from_string("Adam"), core::InputError);
}

TEST(Workload, RankOrderParsesRoundTripsAndRefuses) {
  const auto doc = [](const std::string& order) {
    return R"({"schema":"headroom.workload","schema_version":"1.0","model":"llama-2-7b","phase":"train",
      "parallelism":{"pp":2,"dp":8)" + order + R"(},"train":{"global_batch":64,"seq_len":4096}})";
  };
  EXPECT_EQ(workload_from_json(doc(""), "w.json", catalog()).par.rank_order, RankOrder::kPipelineOuter);
  for (const char* name : {"tp-cp-ep-dp-pp", "tp-cp-ep-pp-dp"}) {
    const Workload w = workload_from_json(doc(fmt::format(R"(,"rank_order":"{}")", name)), "w.json", catalog());
    EXPECT_EQ(to_string(w.par.rank_order), name);
    // plan.json's parallelism block carries it and reads back as a workload's.
    PlanContext ctx;
    ctx.rates = test::rates_for("H100");
    const auto plan =
        nlohmann::json::parse(train_plan_to_json(w, count_params(w.model), test::train(w, "H100"), ctx));
    EXPECT_EQ(plan.at("parallelism").at("rank_order"), name);
    const nlohmann::json back = {{"schema", "headroom.workload"}, {"schema_version", "1.0"}, {"model", "llama-2-7b"},
                                 {"phase", "train"}, {"parallelism", plan.at("parallelism")},
                                 {"train", plan.at("train")}};
    EXPECT_EQ(workload_from_json(back.dump(), "plan.json", catalog()).par.rank_order, w.par.rank_order);
  }
  try {
    workload_from_json(doc(R"(,"rank_order":"tp-pp-dp")"), "w.json", catalog());
    ADD_FAILURE() << "accepted tp-pp-dp";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.json_path(), "$.parallelism.rank_order");
    EXPECT_NE(std::string(e.what()).find("tp-cp-ep-pp-dp"), std::string::npos) << e.what();
  }
}

TEST(Workload, ParsesWeightQuantisationFields) {
  const auto doc = [](const std::string& extra) {
    return R"({"schema":"headroom.workload","schema_version":"1.0","model":"mixtral-8x7b","phase":"infer",
      "infer":{"context_len":1024,"output_len":128,"weight_precision":"fp4")" +
           extra + "}}";
  };
  const Workload w = workload_from_json(doc(R"(,"weight_group_size":32,"quantized_weights":"experts")"), "w.json", catalog());
  EXPECT_EQ(w.infer.weight_precision, Precision::kFp4);
  EXPECT_EQ(w.infer.weight_group_size, 32);
  EXPECT_TRUE(w.infer.quantize_experts_only);
  const Workload d = workload_from_json(doc(""), "w.json", catalog());
  EXPECT_EQ(d.infer.weight_group_size, 0);  // the format's default (16 for fp4)
  EXPECT_FALSE(d.infer.quantize_experts_only);
  const auto path = [&](const std::string& extra) {
    try {
      workload_from_json(doc(extra), "w.json", catalog());
    } catch (const core::InputError& e) {
      return e.json_path();
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(path(R"(,"quantized_weights":"all")"), "$.infer.quantized_weights");
  EXPECT_EQ(path(R"(,"weight_group_size":0)"), "$.infer.weight_group_size");
  EXPECT_EQ(path(R"(,"weight_group_size":12.5)"), "$.infer.weight_group_size");
}

TEST(Model, MaxNodesPerTokenRoundTripsAndIsStrict) {
  const ModelConfig& ds = catalog().model("deepseek-v3");
  EXPECT_EQ(ds.max_nodes_per_token, 4);                               // DeepSeek-V3 §3.2.2
  EXPECT_EQ(catalog().model("mixtral-8x7b").max_nodes_per_token, 0);  // absent: no limit
  const ModelConfig back = model_from_json(model_to_json(ds), "rt.json");
  EXPECT_EQ(back.max_nodes_per_token, 4);
  ModelConfig unlimited = ds;
  unlimited.max_nodes_per_token = 0;
  const std::string text = model_to_json(unlimited);
  EXPECT_EQ(text.find("max_nodes_per_token"), std::string::npos);
  EXPECT_EQ(model_from_json(text, "rt.json").max_nodes_per_token, 0);
  // null = absent.
  std::string with = text;
  const std::string key = "\"router_bias\": true";
  ASSERT_NE(with.find(key), std::string::npos) << text;
  EXPECT_EQ(
      model_from_json(std::string(with).replace(with.find(key), key.size(), key + ", \"max_nodes_per_token\": null"),
                      "m.json")
          .max_nodes_per_token,
      0);
  for (const char* bad : {"0", "-1", "2.5", "\"4\"", "true"}) {
    const std::string doc =
        std::string(with).replace(with.find(key), key.size(), key + ", \"max_nodes_per_token\": " + bad);
    try {
      model_from_json(doc, "m.json");
      FAIL() << "accepted " << bad;
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.file(), "m.json") << bad;
      EXPECT_EQ(e.json_path(), "$.moe.max_nodes_per_token") << bad << ": " << e.what();
    }
  }
}

TEST(Model, MambaRoundTripsAndIsStrict) {
  const ModelConfig& g = catalog().model("granite-4.0-h-tiny");
  EXPECT_TRUE(g.is_hybrid());
  EXPECT_EQ(g.mamba_layers, 36);
  EXPECT_EQ(g.attention_layers(), 4);
  EXPECT_EQ(g.mamba_inner(), 48 * 64);
  EXPECT_EQ(g.mamba_conv_dim(), 48 * 64 + 2 * 1 * 128);
  const ModelConfig back = model_from_json(model_to_json(g), "rt.json");
  EXPECT_EQ(back.mamba_layers, 36);
  EXPECT_EQ(back.mamba_heads, 48);
  EXPECT_EQ(back.mamba_head_dim, 64);
  EXPECT_EQ(back.mamba_state, 128);
  EXPECT_EQ(back.mamba_groups, 1);
  EXPECT_EQ(back.mamba_conv, 4);
  EXPECT_EQ(back.mamba_chunk, 256);
  EXPECT_FALSE(back.mamba_proj_bias);
  EXPECT_TRUE(back.mamba_conv_bias);
  EXPECT_EQ(count_params(back).total, count_params(g).total);
  // A model without Mamba layers writes no "mamba" object.
  EXPECT_EQ(model_to_json(catalog().model("llama-2-7b")).find("mamba"), std::string::npos);

  const std::string text = model_to_json(g);
  const std::string key = "\"layers\": 36";
  ASSERT_NE(text.find(key), std::string::npos) << text;
  const auto refused = [&](const std::string& from, const std::string& to, const std::string& path) {
    std::string doc = text;
    ASSERT_NE(doc.find(from), std::string::npos) << from;
    doc.replace(doc.find(from), from.size(), to);
    try {
      model_from_json(doc, "m.json");
      ADD_FAILURE() << "accepted " << to;
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.file(), "m.json") << to;
      EXPECT_EQ(e.json_path(), path) << to << ": " << e.what();
    }
  };
  refused(key, "\"layers\": 41", "$.mamba.layers");  // more than num_layers (40)
  refused(key, "\"layers\": 0", "$.mamba.layers");
  refused("\"groups\": 1", "\"groups\": 5", "$.mamba.groups");  // not dividing 48 heads
  refused("\"state_size\": 128", "\"state_size\": -1", "$.mamba.state_size");
  refused("\"chunk_size\": 256", "\"chunk_size\": 256, \"d_inner\": 3072", "$.mamba.d_inner");
}

TEST(Model, SlidingWindowRoundTripsAndHeaderErrorsNameTheField) {
  // Mistral 7B: a 4096-token window on all 32 layers (data/models/mistral-7b.json, from its config.json).
  const ModelConfig& mistral = catalog().model("mistral-7b");
  ASSERT_EQ(mistral.sliding_window, 4096);
  const std::string text = model_to_json(mistral);
  const ModelConfig back = model_from_json(text, "rt.json");
  EXPECT_EQ(back.sliding_window, 4096);
  EXPECT_EQ(back.sliding_window_layers, 32);
  EXPECT_EQ(back.head_dim, 128);  // 4096 / 32, derived when the file gives none
  EXPECT_EQ(model_to_json(back), text);
  EXPECT_EQ(count_params(back).total, count_params(mistral).total);
  // No window: no "sliding_window" object written.
  EXPECT_EQ(model_to_json(catalog().model("llama-2-7b")).find("sliding_window"), std::string::npos);

  // "path: expected" of the refusal of a model file, or "(accepted)".
  const auto refusal = [](const std::string& doc) {
    try {
      model_from_json(doc, "m.json");
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.file(), "m.json");
      return e.json_path() + ": " + e.expected();
    }
    return std::string("(accepted)");
  };
  const auto path_of = [&](const std::string& from, const std::string& to) {
    std::string doc = text;
    EXPECT_NE(doc.find(from), std::string::npos) << from;
    if (doc.find(from) == std::string::npos) return std::string("(not found)");
    doc.replace(doc.find(from), from.size(), to);
    return refusal(doc);
  };
  EXPECT_EQ(path_of("\"layers\": 32", "\"layers\": 33"), "$.sliding_window.layers: an integer in [0, 32], got 33");
  EXPECT_EQ(path_of("\"num_kv_heads\": 8", "\"num_kv_heads\": 12"), "$.num_kv_heads: a divisor of num_heads (32), got 12");
  // Without head_dim, 4100 is not 32 heads of a whole size (128.125 each): the head size must be given.
  EXPECT_EQ(path_of("\"hidden_size\": 4096", "\"hidden_size\": 4100"), "(accepted)");  // head_dim 128 is written
  EXPECT_EQ(path_of("\"head_dim\": 128,", ""), "(accepted)");  // 4096 / 32 = 128 derived
  std::string headless = text;
  headless.replace(headless.find("\"head_dim\": 128,"), 16, "");
  headless.replace(headless.find("\"hidden_size\": 4096"), 19, "\"hidden_size\": 4100");
  EXPECT_EQ(refusal(headless), "$.head_dim: given, since hidden_size 4100 is not a multiple of num_heads 32");
  // DeepSeek-V3 (MLA): head_dim is qk_nope + qk_rope = 128 + 64; any other given value is refused.
  const ModelConfig& ds = catalog().model("deepseek-v3");
  EXPECT_EQ(ds.head_dim, 192);
  std::string doc = model_to_json(ds);
  const std::string hd = "\"head_dim\": 192";
  ASSERT_NE(doc.find(hd), std::string::npos) << doc;
  doc.replace(doc.find(hd), hd.size(), "\"head_dim\": 128");
  EXPECT_EQ(refusal(doc), "$.head_dim: qk_nope_head_dim + qk_rope_head_dim (192) for an MLA model, got 128");
}

TEST(Model, HybridProblemsNameTheField) {
  // Nemotron-H 8B: 52 layers in layout 'separate': 24 Mamba, 4 attention, 24 MLP layers.
  const ModelConfig& nh = catalog().model("nemotron-h-8b");
  ASSERT_TRUE(nh.mamba_separate);
  EXPECT_FALSE(hybrid_model_problem(nh).has_value());
  ModelConfig m = nh;
  m.mamba_attention_layers = 29;  // 24 + 29 > 52
  m.mamba_pattern.clear();
  auto p = hybrid_model_problem(m);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->field, "mamba.attention_layers");
  EXPECT_EQ(p->expected, "a count in [0, num_layers − mamba.layers (28)], got 29");
  m = nh;
  m.num_experts = 8;
  m.experts_per_token = 2;
  p = hybrid_model_problem(m);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->field, "moe");
  // Granite 4.0-H Tiny: Mamba mixers in place of attention in 36 of 40 layers.
  const ModelConfig& g = catalog().model("granite-4.0-h-tiny");
  ASSERT_FALSE(g.mamba_separate);
  m = g;
  m.kv_lora_rank = 512;  // MLA beside Mamba
  p = hybrid_model_problem(m);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->field, "mamba");
  m = g;
  m.sliding_window = 1024;
  m.sliding_window_layers = 5;  // only 4 attention layers
  p = hybrid_model_problem(m);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->field, "sliding_window.layers");
  EXPECT_EQ(p->expected, "at most the attention layers (4), got 5");
  m.sliding_window_layers = 4;
  EXPECT_FALSE(hybrid_model_problem(m).has_value());
  // validate() reports a code-built model's problem under $.model.
  Workload w = test::train_workload("granite-4.0-h-tiny", 1, 1, 1, 8, 4096);
  w.model.sliding_window = 1024;
  w.model.sliding_window_layers = 5;
  try {
    validate(w, "gui");
    ADD_FAILURE() << "accepted 5 sliding-window layers of 4 attention layers";
  } catch (const core::InputError& e) {
    EXPECT_EQ(e.json_path(), "$.model.sliding_window.layers") << e.what();
  }
}

}  // namespace
}  // namespace headroom::plan
