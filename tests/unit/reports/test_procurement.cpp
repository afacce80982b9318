// Procurement report: the recommendation on constructed figures (known answers), and the report
// built from the real catalog, planner search and TCO scenario (figures cross-checked).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "headroom/core/errors.hpp"
#include "headroom/plan/catalog.hpp"
#include "headroom/report/procurement.hpp"

using namespace headroom;
using namespace headroom::report;

namespace {
constexpr double kDay = 86400.0;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

OptionFigures option(const std::string& label, bool fits, double days, std::optional<double> cost,
                     bool meets = true) {
  OptionFigures o;
  o.label = label;
  o.fits = fits;
  o.meets_target = meets;
  o.gpus = 64;
  o.memory_bytes = fits ? 60 * kGiB : 95 * kGiB;
  o.capacity_bytes = 80 * kGiB;
  o.time_to_train_s = days * kDay;
  o.tokens_per_s_per_gpu = 1000 / days;
  o.cost_usd = cost;
  if (cost) o.cost_basis = "on-prem";
  return o;
}
}  // namespace

TEST(Recommend, CheapestFittingOptionWinsWithMarginToRunnerUp) {
  const std::vector<OptionFigures> opts = {option("A", true, 30, 1.0e6), option("B", true, 20, 0.8e6),
                                           option("C", false, 10, 0.1e6), option("D", true, 25, 0.9e6)};
  const auto r = recommend(opts, plan::Phase::kTrain, std::nullopt);
  EXPECT_EQ(r.basis, "cost");
  EXPECT_EQ(r.chosen, 1);
  EXPECT_EQ(r.runner_up, 3);
  // (0.9 − 0.8) / 0.9 = 11.1 %, $100 k.
  EXPECT_NE(r.paragraph.find("Recommended: B."), std::string::npos) << r.paragraph;
  EXPECT_NE(r.paragraph.find("11.1 % ($100 k) less than the runner-up D at $900 k"), std::string::npos) << r.paragraph;
  EXPECT_NE(r.paragraph.find("C does not fit (95.0 GiB per GPU needed, 80.0 GiB available)"), std::string::npos)
      << r.paragraph;
}

TEST(Recommend, HostMemoryIsNamedWhenTheOffloadedOptimizerDoesNotFit) {
  // The GPU has room (60 of 80 GiB); the node's RAM does not (1156 GiB needed, 921.6 usable).
  OptionFigures h = option("H", false, 10, 0.1e6);
  h.memory_bytes = 60 * kGiB;
  h.host_bytes_per_node = 1156 * kGiB;
  h.host_capacity_bytes = 921.6 * kGiB;
  const auto r = recommend({option("A", true, 30, 1.0e6), h}, plan::Phase::kTrain, std::nullopt);
  EXPECT_NE(r.paragraph.find("H does not fit its offloaded optimizer in host memory (1156.0 GiB per node needed, "
                             "921.6 GiB usable)"),
            std::string::npos)
      << r.paragraph;
}

TEST(Recommend, EqualCostAndSpeedIsATieNotASpeedWin) {
  // Two profiles of one GPU with identical plans (QA: "the same as the runner-up …; it wins on speed").
  const auto t = recommend({option("A", true, 20, 0.8e6), option("B", true, 20, 0.8e6)}, plan::Phase::kTrain,
                           std::nullopt);
  EXPECT_EQ(t.chosen, 0);
  EXPECT_NE(t.paragraph.find("the same as the runner-up B, at the same speed (20.0 days on 64 GPUs): the two tie, "
                             "and A is listed first."),
            std::string::npos)
      << t.paragraph;
  EXPECT_EQ(t.paragraph.find("wins on speed"), std::string::npos) << t.paragraph;
  // Within the 0.1 % tie of the search the speeds are the same too.
  EXPECT_NE(recommend({option("A", true, 20, 0.8e6), option("B", true, 20.01, 0.8e6)}, plan::Phase::kTrain,
                      std::nullopt)
                .paragraph.find("the two tie"),
            std::string::npos);
  // Equal cost, really faster: the paragraph says so with both speeds (the faster ranks first).
  const auto f = recommend({option("A", true, 25, 0.8e6), option("B", true, 20, 0.8e6)}, plan::Phase::kTrain,
                           std::nullopt);
  EXPECT_EQ(f.chosen, 1);
  EXPECT_NE(f.paragraph.find("the same as the runner-up A, and faster: B delivers 20.0 days on 64 GPUs; A delivers "
                             "25.0 days on 64 GPUs."),
            std::string::npos)
      << f.paragraph;
}

TEST(Recommend, TheRecommendedPlansHostMemoryIsStatedWithAnOffloadedOptimizer) {
  // Catalog profiles give no host memory: the need is stated and said to be unchecked.
  OptionFigures a = option("A", true, 20, 0.8e6);
  a.host_bytes_per_node = 1035.6 * kGiB;
  EXPECT_NE(recommend({a}, plan::Phase::kTrain, std::nullopt)
                .paragraph.find("Its offloaded optimizer needs 1035.6 GiB of host memory per node (the profile gives "
                                "no host memory, so it was not checked: make sure the nodes have it)."),
            std::string::npos);
  a.host_capacity_bytes = 1843.2 * kGiB;
  EXPECT_NE(recommend({a}, plan::Phase::kTrain, std::nullopt)
                .paragraph.find("Its offloaded optimizer needs 1035.6 GiB of host memory per node (1843.2 GiB "
                                "usable)."),
            std::string::npos);
  // No offload: no host sentence.
  EXPECT_EQ(recommend({option("A", true, 20, 0.8e6)}, plan::Phase::kTrain, std::nullopt).paragraph.find("host"),
            std::string::npos);
}

TEST(Recommend, TimeTargetExcludesFasterButLateOptions) {
  // B is cheapest but misses the 25-day target; A and D meet it, D is cheaper.
  std::vector<OptionFigures> opts = {option("A", true, 24, 1.0e6), option("B", true, 30, 0.5e6, false),
                                     option("D", true, 22, 0.9e6)};
  const auto r = recommend(opts, plan::Phase::kTrain, 25 * kDay);
  EXPECT_EQ(r.chosen, 2);
  EXPECT_EQ(r.runner_up, 0);
  EXPECT_NE(r.paragraph.find("finish within 25.0 days"), std::string::npos) << r.paragraph;
  EXPECT_NE(r.paragraph.find("B misses the 25.0 days target (30.0 days)"), std::string::npos) << r.paragraph;
  EXPECT_NE(r.paragraph.find("10.0 % ($100 k) less"), std::string::npos) << r.paragraph;
}

TEST(Recommend, WithoutCostsTheFastestWinsAndSaysCostDidNotEnter) {
  const std::vector<OptionFigures> opts = {option("A", true, 40, std::nullopt), option("B", true, 32, 2e6)};
  const auto r = recommend(opts, plan::Phase::kTrain, std::nullopt);
  EXPECT_EQ(r.basis, "speed");
  EXPECT_EQ(r.chosen, 1);
  // (40 − 32) / 40 = 20 % shorter.
  EXPECT_NE(r.paragraph.find("20.0 % shorter than the runner-up A"), std::string::npos) << r.paragraph;
  EXPECT_NE(r.paragraph.find("no cost figure for A"), std::string::npos) << r.paragraph;
}

TEST(Recommend, NothingMeetsTheTargetNamesTheClosest) {
  const std::vector<OptionFigures> opts = {option("A", true, 50, 1e6, false), option("B", true, 40, 2e6, false)};
  const auto r = recommend(opts, plan::Phase::kTrain, 30 * kDay);
  EXPECT_EQ(r.basis, "closest");
  EXPECT_EQ(r.chosen, 1);
  // 40 / 30 − 1 = 33 % over.
  EXPECT_NE(r.paragraph.find("The closest is B at 40.0 days on 64 GPUs, 33 % over the 30.0 days target"),
            std::string::npos)
      << r.paragraph;
}

TEST(Recommend, NothingFitsRecommendsNothing) {
  OptionFigures bad = option("X", false, 10, 1e6);
  bad.error.clear();
  OptionFigures err;
  err.label = "Y";
  err.error = "profile has no fp8 peak";
  const auto r = recommend({bad, err}, plan::Phase::kTrain, std::nullopt);
  EXPECT_EQ(r.chosen, -1);
  EXPECT_EQ(r.basis, "none");
  EXPECT_NE(r.paragraph.find("Y could not be planned (profile has no fp8 peak)"), std::string::npos) << r.paragraph;
}

TEST(Recommend, InferenceRanksByCostPerTokenThenThroughput) {
  auto a = option("A", true, 1, 0.50), b = option("B", true, 1, 0.40);
  a.tokens_per_s_per_gpu = 900;
  b.tokens_per_s_per_gpu = 700;
  const auto r = recommend({a, b}, plan::Phase::kInfer, std::nullopt);
  EXPECT_EQ(r.chosen, 1);
  EXPECT_NE(r.paragraph.find("$0.4 per million tokens"), std::string::npos) << r.paragraph;
  EXPECT_NE(r.paragraph.find("20.0 % ($0.1) less"), std::string::npos) << r.paragraph;
  b.cost_usd.reset();
  const auto s = recommend({a, b}, plan::Phase::kInfer, std::nullopt);
  EXPECT_EQ(s.chosen, 0);  // no cost for B: ranked by tokens/s per GPU
  // 900 / 700 − 1 = 28.6 %.
  EXPECT_NE(s.paragraph.find("28.6 % more tokens/s per GPU"), std::string::npos) << s.paragraph;
  EXPECT_NE(s.paragraph.find("meet the latency SLO"), std::string::npos) << s.paragraph;
  // Without an SLO the paragraph claims none.
  const auto n = recommend({a, b}, plan::Phase::kInfer, std::nullopt, false);
  EXPECT_EQ(n.paragraph.find("SLO"), std::string::npos) << n.paragraph;
}

namespace {
/// Llama 3 8B in `phase` on catalog GPUs `gpus`; the caller adds the phase's settings.
ProcurementInput llama8b(plan::Phase phase, const std::vector<std::string>& gpus) {
  const auto cat = plan::Catalog::load_default();
  ProcurementInput in;
  in.workload.model = cat.model("llama-3-8b");
  in.workload.name = in.workload.model.id;
  in.workload.phase = phase;
  for (const auto& g : gpus) in.options.push_back({cat.gpu(g).name, cat.gpu(g), "catalog"});
  in.today = *plan::tco::parse_date("2026-11-22");
  return in;
}

ProcurementInput llama8b_on(const std::vector<std::string>& gpus) {
  ProcurementInput in = llama8b(plan::Phase::kTrain, gpus);
  auto& w = in.workload;
  w.gpus = 16;
  w.par.dp = 16;
  w.train.seq_len = 4096;
  w.train.global_batch = 1024;
  w.train.tokens = 1e11;
  w.train.zero_stage = 1;
  return in;
}
}  // namespace

TEST(Procurement, BuildPlansEveryOptionAndCostsWithPlannerGpuHours) {
  auto in = llama8b_on({"H100", "H200", "l4"});
  in.scenario_files = {std::string(HEADROOM_SOURCE_DIR) + "/data/scenarios/h100x64-onprem-vs-aws-p5.json"};
  const auto rep = build_procurement(in);
  ASSERT_EQ(rep.options.size(), 3u);
  for (const auto& o : rep.options) {
    ASSERT_TRUE(o.figures.error.empty()) << o.figures.error;
    if (!o.figures.fits) continue;
    // GPU-hours = GPUs × time-to-train (goodput 1).
    EXPECT_NEAR(o.gpu_hours, o.figures.gpus * o.figures.time_to_train_s / 3600.0, 1e-6 * o.gpu_hours);
    ASSERT_TRUE(o.tco.has_value()) << o.tco_error;
    EXPECT_EQ(o.tco->resolved.inputs.workload.train_gpu_hours.value_or(-1), o.gpu_hours);
    // The option's cost is the cheapest way to pay: min over GPU-hours × USD per useful GPU-hour.
    double best = INFINITY;
    if (o.tco->result.onprem) best = o.gpu_hours * o.tco->result.onprem->usd_per_gpu_hour;
    for (const auto& c : o.tco->result.cloud) best = std::min(best, o.gpu_hours * c.usd_per_gpu_hour);
    ASSERT_TRUE(o.figures.cost_usd.has_value());
    EXPECT_NEAR(*o.figures.cost_usd, best, 1e-9 * best);
    double parts = 0;
    for (const auto& p : o.memory_parts) parts += p.second;
    EXPECT_NEAR(parts, o.figures.memory_bytes, 1e-6 * parts);
    EXPECT_FALSE(o.assumptions.empty());
    EXPECT_EQ(o.ops.size(), 3u);
  }
  // The recommendation is the cheapest fitting option.
  ASSERT_GE(rep.recommendation.chosen, 0);
  const auto& chosen = rep.options[static_cast<std::size_t>(rep.recommendation.chosen)].figures;
  for (const auto& o : rep.options) {
    if (o.figures.fits) EXPECT_LE(*chosen.cost_usd, *o.figures.cost_usd);
  }
  const auto html = render_procurement(rep);
  for (const char* id : {"id=\"recommendation\"", "id=\"fit\"", "id=\"time\"", "id=\"cost\"", "id=\"roofline\"",
                         "id=\"assumptions\""}) {
    EXPECT_NE(html.find(id), std::string::npos) << id;
  }
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(Procurement, OffloadedOptimizerHostMemoryIsInTheHeaderTableAndPlan) {
  // QA: with --offload optimizer the host RAM the recommended plan needs was shown only when an
  // option was excluded for it. Llama 3 8B on 16 H100 (catalog: host memory unknown).
  auto in = llama8b_on({"H100"});
  in.workload.train.offload = plan::Offload::kOptimizer;
  const auto rep = build_procurement(in);
  ASSERT_EQ(rep.options.size(), 1u);
  const auto& o = rep.options.front();
  ASSERT_TRUE(o.figures.fits);
  ASSERT_GT(o.figures.host_bytes_per_node, 0);
  EXPECT_EQ(o.figures.host_capacity_bytes, 0);
  const std::string host = fmt::format("{:.1f} GiB", o.figures.host_bytes_per_node / kGiB);
  EXPECT_NE(o.parallelism.find(" · optimizer offloaded"), std::string::npos) << o.parallelism;
  const auto html = render_procurement(rep);
  EXPECT_NE(html.find("Optimizer offloaded to host memory (ZeRO-Offload"), std::string::npos);
  EXPECT_NE(html.find("host: " + host + " per node (host memory unknown: not checked)"), std::string::npos) << host;
  EXPECT_NE(rep.recommendation.paragraph.find("Its offloaded optimizer needs " + host + " of host memory per node"),
            std::string::npos)
      << rep.recommendation.paragraph;
}

TEST(Procurement, HostMemoryGivenOnceHoldsEveryOptionAndReplacesAProfilesOwn) {
  // Llama 3 8B on 16 H100 (two nodes of 8): 16 B per parameter (fp32 master, moments, gradients),
  // sharded over the 16 ranks, half of it on each node = 8.03e9 × 16 B / 2 = 59.8 GiB per node,
  // against 90 % of the host RAM given.
  auto in = llama8b_on({"H100"});
  in.workload.train.offload = plan::Offload::kOptimizer;
  auto measured = in.options.front();
  measured.label = "H100 with 2 TiB hosts";
  measured.profile.host_memory_bytes.value = 2048 * kGiB;
  measured.profile.host_memory_bytes.provenance = plan::Provenance::kMeasured;
  in.options.push_back(measured);
  in.host_memory_bytes = 64 * kGiB;
  const auto rep = build_procurement(in);
  ASSERT_EQ(rep.options.size(), 2u);
  for (const auto& o : rep.options) {
    EXPECT_FALSE(o.figures.fits) << o.figures.label;
    EXPECT_EQ(o.figures.host_capacity_bytes, 0.9 * 64 * kGiB) << o.figures.label;
    EXPECT_NEAR(o.figures.host_bytes_per_node / kGiB, 59.8, 0.05);
    EXPECT_EQ(o.input.profile.host_memory_bytes.provenance, plan::Provenance::kOverride);
    const auto row = std::find_if(o.sources.begin(), o.sources.end(),
                                  [](const SourcedFigure& f) { return f.field == "host memory per node"; });
    ASSERT_NE(row, o.sources.end());
    EXPECT_EQ(row->value, "64.0 GiB");
    EXPECT_EQ(row->source, "--host-memory");
  }
  EXPECT_NE(rep.recommendation.paragraph.find("H100 with 2 TiB hosts does not fit its offloaded optimizer in host "
                                              "memory (59.8 GiB per node needed, 57.6 GiB usable)"),
            std::string::npos)
      << rep.recommendation.paragraph;
  EXPECT_NE(render_procurement(rep).find("Host RAM: 64.0 GiB per node for every option (--host-memory)"),
            std::string::npos);
  in.host_memory_bytes = 256 * kGiB;
  const auto big = build_procurement(in);
  for (const auto& o : big.options) {
    EXPECT_TRUE(o.figures.fits) << o.figures.label;
    EXPECT_EQ(o.figures.host_capacity_bytes, 0.9 * 256 * kGiB);
  }
  // Only where it is checked, and a real amount.
  in.workload.train.offload = plan::Offload::kNone;
  EXPECT_THROW(build_procurement(in), core::InputError);
  in.workload.train.offload = plan::Offload::kOptimizer;
  in.host_memory_bytes = INFINITY;
  EXPECT_THROW(build_procurement(in), core::InputError);
}

TEST(Procurement, OneGpuOneNodeOneMonthAreSingular) {
  // QA: "Training … on 1 GPUs", "1 GPUs over 36 months", "on-prem (1 nodes)". QLoRA fits one H100.
  auto in = llama8b_on({"H100"});
  auto& w = in.workload;
  w.gpus = 1;
  w.par.dp = 1;
  w.train.global_batch = 8;
  w.train.tokens = 1e8;
  w.train.adapter.method = plan::AdapterMethod::kQlora;
  in.scenario_files = {std::string(HEADROOM_SOURCE_DIR) + "/data/scenarios/h100x64-onprem-vs-aws-p5.json"};
  in.years = 1.0 / 12.0;
  const auto rep = build_procurement(in);
  ASSERT_TRUE(rep.options.front().figures.fits);
  const auto html = render_procurement(rep);
  EXPECT_NE(html.find("Training Llama 3 8B on 1 GPU: "), std::string::npos);
  EXPECT_NE(html.find(": 1 GPU over 1 month</h3>"), std::string::npos);
  EXPECT_NE(html.find("<td>on-prem (1 node)</td>"), std::string::npos);
  EXPECT_NE(html.find("Cumulative cost, 1 GPU (on-prem"), std::string::npos);
  for (const char* plural : {"1 GPUs", "1 nodes", "1 months", "1 options"}) {
    EXPECT_EQ(html.find(plural), std::string::npos) << plural;
    EXPECT_EQ(rep.recommendation.paragraph.find(plural), std::string::npos) << plural;
  }
  EXPECT_NE(rep.recommendation.paragraph.find("on 1 GPU."), std::string::npos) << rep.recommendation.paragraph;
}

TEST(Procurement, InferenceReportHasTheLatencyThroughputCurveOfEachOption) {
  ProcurementInput in = llama8b(plan::Phase::kInfer, {"H100", "l4"});
  auto& w = in.workload;
  w.infer.context_len = 2048;
  w.infer.output_len = 256;
  w.infer.tpot_slo_s = 0.03;
  in.infer_layout_fixed = true;  // the workload's TP 1 · PP 1 on every option
  const auto rep = build_procurement(in);
  for (const auto& o : rep.options) {
    ASSERT_TRUE(o.figures.error.empty()) << o.figures.error;
    const auto sweep = plan::infer_batch_sweep(w, plan::count_params(w.model),
                                               plan::resolve_rates(o.input.profile, w.infer.compute_precision, in.assumptions),
                                               in.assumptions);
    ASSERT_EQ(o.batch_sweep.size(), sweep.size()) << o.figures.label;
    ASSERT_FALSE(sweep.empty());
    EXPECT_EQ(o.batch_sweep.back().tpot_s, sweep.back().tpot_s);
    EXPECT_EQ(o.batch_sweep.front().batch, 1);
  }
  const auto html = render_procurement(rep);
  EXPECT_NE(html.find("Latency against throughput"), std::string::npos);
  EXPECT_NE(html.find("TPOT SLO: 30 ms"), std::string::npos);
}

TEST(Procurement, InferenceSearchesEachOptionsReplicaLayout) {
  // Llama 3.1 405B serving: one H100 holds no replica on its own; the report plans each option at
  // the layout `plan infer --search` picks for it (H100: TP 8 · PP 2, 16 GPUs a replica; H200: TP 8).
  ProcurementInput in = llama8b(plan::Phase::kInfer, {"H100", "H200"});
  auto& w = in.workload;
  w.model = plan::Catalog::load_default().model("llama-3.1-405b");
  w.infer.context_len = 2048;
  w.infer.output_len = 256;
  w.infer.qps = 5;
  w.infer.tpot_slo_s = 0.05;
  const auto rep = build_procurement(in);
  for (const auto& o : rep.options) {
    ASSERT_TRUE(o.figures.error.empty()) << o.figures.error;
    const plan::Rates rates = plan::resolve_rates(o.input.profile, w.infer.compute_precision, in.assumptions);
    const auto s = plan::search_infer(w, plan::count_params(w.model), rates, in.assumptions,
                                      static_cast<int>(rates.gpus_per_node), 8);
    ASSERT_FALSE(s.candidates.empty());
    EXPECT_TRUE(o.figures.fits) << o.figures.label;
    EXPECT_EQ(o.figures.gpus, s.candidates.front().tp * s.candidates.front().pp) << o.figures.label;
    EXPECT_NE(o.parallelism.find(fmt::format("TP {} · PP {}", s.candidates.front().tp, s.candidates.front().pp)),
              std::string::npos)
        << o.parallelism;
  }
  EXPECT_EQ(rep.options[0].figures.gpus, 16);  // H100: TP 8 · PP 2
  EXPECT_EQ(rep.options[1].figures.gpus, 8);   // H200: TP 8
  // A layout the workload fixes is kept: TP 8 · PP 1 does not fit an H100.
  in.infer_layout_fixed = true;
  w.par.tp = 8;
  EXPECT_FALSE(build_procurement(in).options[0].figures.fits);
}

TEST(Procurement, BadScenarioCountAndMissingTokensAreInputErrors) {
  auto in = llama8b_on({"H100", "H200", "l4"});
  const std::string s = std::string(HEADROOM_SOURCE_DIR) + "/data/scenarios/h100x64-onprem-vs-aws-p5.json";
  in.scenario_files = {s, s};
  EXPECT_THROW(build_procurement(in), core::InputError);
  in.scenario_files.clear();
  in.workload.train.tokens = 0;
  EXPECT_THROW(build_procurement(in), core::InputError);
}

TEST(Procurement, OptionWithoutThePrecisionIsReportedNotThrown) {
  auto in = llama8b_on({"H100", "a100-sxm4-80gb"});
  in.workload.train.precision = plan::Precision::kFp8;  // A100 has no FP8 peak in its datasheet
  const auto rep = build_procurement(in);
  EXPECT_TRUE(rep.options[0].figures.error.empty());
  EXPECT_FALSE(rep.options[1].figures.error.empty());
  EXPECT_EQ(rep.recommendation.chosen, 0);
}
