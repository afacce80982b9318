// Parallelism search: only fitting, valid configurations; fastest first; deterministic.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <numeric>

#include "headroom/plan/search.hpp"
#include "helpers.hpp"

namespace headroom::plan {
namespace {

TEST(Search, FindsFittingConfigurationsFastestFirst) {
  const Assumptions a;
  Workload w = test::train_workload("llama-2-70b", 1, 1, 64, 512, 4096);
  SearchOptions o;
  o.gpus = 64;
  const SearchResult r = search_train(w, count_params(w.model), test::rates_for("h100-sxm5-80gb"), a, o);
  ASSERT_FALSE(r.best.empty());
  EXPECT_GT(r.evaluated, r.fitting);
  for (std::size_t i = 0; i < r.best.size(); ++i) {
    const auto& c = r.best[i];
    EXPECT_TRUE(c.result.memory.fits);
    EXPECT_EQ(c.workload.par.world(), 64);
    EXPECT_NO_THROW(validate(c.workload));
    if (i > 0) EXPECT_LE(r.best[i - 1].result.time.step_s, c.result.time.step_s);
  }
  // 70B does not fit without model parallelism on 80 GB.
  EXPECT_GT(r.best.front().workload.par.tp * r.best.front().workload.par.pp, 1);
}

TEST(Search, NothingFitsIsAnEmptyAnswer) {
  const Assumptions a;
  Workload w = test::train_workload("llama-3.1-405b", 1, 1, 1, 1, 4096);
  SearchOptions o;
  o.gpus = 1;
  const SearchResult r = search_train(w, count_params(w.model), test::rates_for("l4"), a, o);
  EXPECT_TRUE(r.best.empty());
  EXPECT_GT(r.evaluated, 0u);
}

SearchCandidate candidate(int tp, int pp, int dp, const TrainTime& t, double margin_gib) {
  SearchCandidate c;
  c.workload.par.tp = tp;
  c.workload.par.pp = pp;
  c.workload.par.dp = dp;
  c.workload.train.micro_batch = 1;
  c.workload.train.zero_stage = 1;
  c.result.time = t;
  c.result.memory.margin_bytes = margin_gib * 1073741824.0;
  return c;
}

TrainTime times(double compute, double tp, double pp, double bubble, double dp, double optimizer) {
  TrainTime t;
  t.compute_s = compute;
  t.elementwise_s = 1.0;
  t.tp_comm_s = tp;
  t.pp_comm_s = pp;
  t.bubble_s = bubble;
  t.dp_comm_s = dp;
  t.optimizer_s = optimizer;
  t.step_s = compute + 1.0 + tp + pp + bubble + dp + optimizer;
  return t;
}

TEST(ExplainWinner, KnownAnswerOnHandMadeCandidates) {
  // Winner TP 4 PP 2: 2 s less TP communication, 0.1 s less optimizer, but 0.5 s of PP sends and a
  // 1 s bubble the runner-up (TP 8 PP 1) does not have: 15.1 s against 15.7 s.
  SearchResult r;
  r.best.push_back(candidate(4, 2, 8, times(10, 2, 0.5, 1, 0.5, 0.1), 5));
  r.best.push_back(candidate(8, 1, 8, times(10, 4, 0, 0, 0.5, 0.2), 10));
  const WinnerExplanation e = explain_winner(r);
  ASSERT_TRUE(e.available);
  EXPECT_EQ(e.differences, (std::vector<std::string>{"TP 4 vs 8", "PP 2 vs 1"}));
  ASSERT_EQ(e.terms.size(), 9u);
  EXPECT_STREQ(e.terms.front().name, "TP communication");
  EXPECT_DOUBLE_EQ(e.terms.front().saved_s, 2.0);
  EXPECT_STREQ(e.terms[1].name, "optimizer");
  EXPECT_STREQ(e.terms.back().name, "pipeline bubble");
  EXPECT_DOUBLE_EQ(e.terms.back().saved_s, -1.0);
  EXPECT_STREQ(e.terms[e.terms.size() - 2].name, "PP communication");
  for (std::size_t i = 1; i < e.terms.size(); ++i) EXPECT_GE(e.terms[i - 1].saved_s, e.terms[i].saved_s);
  EXPECT_EQ(e.summary,
            "TP 4, PP 2 beats the runner-up (TP 8, PP 1) by 0.6 s per step (3.8 %): TP communication and optimizer "
            "shrink by 2.1 s, which outweighs pipeline bubble and PP communication growing by 1.5 s; it leaves less "
            "memory margin (5.0 vs 10.0 GiB)");
  EXPECT_TRUE(e.binding.empty());
}

TEST(ExplainWinner, TiesAreCalledTies) {
  SearchResult r;
  r.best.push_back(candidate(1, 1, 32, times(10, 0, 0, 0, 0.5, 0.1), 5));
  r.best.push_back(candidate(1, 1, 16, times(10, 0, 0, 0, 0.5, 0.1), 5));
  r.best[1].workload.par.cp = 2;
  EXPECT_EQ(explain_winner(r).summary,
            "DP 32, CP 1 and the runner-up (DP 16, CP 2) take the same time per step (within 0.1 %)");
}

TEST(ExplainWinner, FewerThanTwoCandidatesExplainsNothing) {
  SearchResult r;
  EXPECT_FALSE(explain_winner(r).available);
  r.best.push_back(candidate(8, 1, 1, times(1, 0, 0, 0, 0, 0), 1));
  EXPECT_FALSE(explain_winner(r).available);
  EXPECT_TRUE(explain_winner(r).summary.empty());
}

TEST(ExplainWinner, RealSearchTermsAddUpAndMemoryBinds) {
  // Llama-2-13B on 8 H100 80 GB: without model parallelism and recompute it would be faster but does
  // not fit, so memory is the binding constraint and the explanation names that configuration.
  const Assumptions a;
  Workload w = test::train_workload("llama-2-13b", 1, 1, 8, 64, 4096);
  SearchOptions o;
  o.gpus = 8;
  o.keep = 2;
  o.max_cp = 1;  // a smaller space whose two best differ by more than the 0.1 % a tie is
  o.max_vpp = 1;
  const SearchResult r = search_train(w, count_params(w.model), test::rates_for("h100-sxm5-80gb"), a, o);
  ASSERT_EQ(r.best.size(), 2u);
  ASSERT_EQ(r.fastest_unfit.size(), 1u);
  const SearchCandidate& u = r.fastest_unfit.front();
  EXPECT_FALSE(u.result.memory.fits);
  EXPECT_LT(u.result.time.step_s, r.best[0].result.time.step_s);
  const WinnerExplanation e = explain_winner(r);
  ASSERT_TRUE(e.available);
  // The per-term savings add up to the step-time difference, which the summary states.
  const double saved = std::accumulate(e.terms.begin(), e.terms.end(), 0.0,
                                       [](double s, const WinnerExplanation::Term& t) { return s + t.saved_s; });
  const double gap = r.best[1].result.time.step_s - r.best[0].result.time.step_s;
  EXPECT_NEAR(saved, gap, 1e-9 * r.best[1].result.time.step_s);
  ASSERT_GT(gap, 1e-3 * r.best[1].result.time.step_s) << "a tie is worded differently (TiesAreCalledTies)";
  EXPECT_NE(e.summary.find(fmt::format("by {:.3g} s per step", gap)), std::string::npos) << e.summary;
  for (const auto& t : e.terms) {
    if (t.saved_s > 0) {
      EXPECT_NE(e.summary.find(t.name), std::string::npos) << e.summary;  // the largest saving is named
      break;
    }
  }
  // The differences are exactly the settings that differ, in a fixed order, and the summary names
  // the winner's and the runner-up's values.
  const Parallelism& pa = r.best[0].workload.par;
  const Parallelism& pb = r.best[1].workload.par;
  const TrainSettings& ta = r.best[0].workload.train;
  const TrainSettings& tb = r.best[1].workload.train;
  std::vector<std::string> expected;
  const auto add = [&](const char* what, const std::string& x, const std::string& y) {
    if (x != y) expected.push_back(fmt::format("{} {} vs {}", what, x, y));
  };
  add("TP", std::to_string(pa.tp), std::to_string(pb.tp));
  add("PP", std::to_string(pa.pp), std::to_string(pb.pp));
  add("DP", std::to_string(pa.dp), std::to_string(pb.dp));
  add("CP", std::to_string(pa.cp), std::to_string(pb.cp));
  add("EP", std::to_string(pa.ep), std::to_string(pb.ep));
  add("VPP", std::to_string(pa.vpp), std::to_string(pb.vpp));
  add("micro-batch", std::to_string(ta.micro_batch), std::to_string(tb.micro_batch));
  add("ZeRO", std::to_string(ta.zero_stage), std::to_string(tb.zero_stage));
  add("recompute", to_string(ta.recompute), to_string(tb.recompute));
  add("SP", pa.sequence_parallel ? "on" : "off", pb.sequence_parallel ? "on" : "off");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(e.differences, expected);
  for (const auto& d : e.differences) {
    const std::size_t vs = d.find(" vs ");
    const std::string what = d.substr(0, d.rfind(' ', vs - 1));
    EXPECT_NE(e.summary.find(d.substr(0, vs)), std::string::npos) << d;                // "TP 4"
    EXPECT_NE(e.summary.find(what + " " + d.substr(vs + 4)), std::string::npos) << d;  // "TP 8"
  }
  const auto& p = u.workload.par;
  EXPECT_EQ(e.binding.rfind(fmt::format("memory: TP {}, PP {}, DP {}", p.tp, p.pp, p.dp), 0), 0u) << e.binding;
  EXPECT_NE(e.binding.find(fmt::format("needs {:.1f} GiB of the {:.1f} GiB per GPU",
                                       u.result.memory.total_bytes / 1073741824.0,
                                       u.result.memory.capacity_bytes / 1073741824.0)),
            std::string::npos)
      << e.binding;
  EXPECT_NE(e.binding.find(
                fmt::format("{:.1f} % less time", 100 * (1 - u.result.time.step_s / r.best[0].result.time.step_s))),
            std::string::npos)
      << e.binding;
  EXPECT_EQ(e.summary.substr(e.summary.size() - e.binding.size()), e.binding);
}

TEST(ExplainWinner, NothingFitsNamesTheFastestConfiguration) {
  const Assumptions a;
  Workload w = test::train_workload("llama-3.1-405b", 1, 1, 1, 1, 4096);
  SearchOptions o;
  o.gpus = 1;
  const SearchResult r = search_train(w, count_params(w.model), test::rates_for("l4"), a, o);
  ASSERT_TRUE(r.best.empty());
  ASSERT_EQ(r.fastest_unfit.size(), 1u);
  const WinnerExplanation e = explain_winner(r);
  EXPECT_FALSE(e.available);
  EXPECT_EQ(e.binding.rfind("memory: nothing fits; the fastest configuration (TP 1, PP 1, DP 1", 0), 0u) << e.binding;
}

TEST(ExplainWinner, HostMemoryBindsWhenOnlyTheOffloadedOptimizerDoesNotFit) {
  // Llama 2 7B with an offloaded optimizer on 8 H100 whose nodes have 64 GiB of RAM (57.6 usable):
  // every layout fits the GPUs, none the host (the node holds all 16 B per parameter, 100.4 GiB).
  const Assumptions a;
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 64, 4096);
  w.train.offload = Offload::kOptimizer;
  w.train.zero_stage = 1;
  HardwareProfile hw = test::catalog().gpu("h100-sxm5-80gb");
  hw.host_memory_bytes.value = 64.0 * 1073741824.0;
  hw.host_memory_bytes.source = "test";
  SearchOptions o;
  o.gpus = 8;
  const SearchResult r = search_train(w, count_params(w.model), resolve_rates(hw, Precision::kBf16, a), a, o);
  ASSERT_TRUE(r.best.empty());
  ASSERT_EQ(r.fastest_unfit.size(), 1u);
  EXPECT_GE(r.fastest_unfit.front().result.memory.margin_bytes, 0);
  const WinnerExplanation e = explain_winner(r);
  EXPECT_EQ(e.binding.rfind("memory: nothing fits; the fastest configuration that fits the GPU (", 0), 0u) << e.binding;
  EXPECT_NE(e.binding.find("needs 100.4 GiB of host memory per node, of 57.6 GiB usable"), std::string::npos)
      << e.binding;
}

TEST(Search, OffloadWithAFixedZeroTwoOrThreeKeepsPipelineParallelismOff) {
  // DeepSpeed offloads with pipeline parallelism only under ZeRO 1: with --zero 3 fixed every
  // candidate has PP 1 and re-validates.
  const Assumptions a;
  Workload w = test::train_workload("llama-3-70b", 1, 1, 16, 64, 4096);
  w.train.offload = Offload::kOptimizer;
  w.train.zero_stage = 3;
  SearchOptions o;
  o.gpus = 16;
  o.try_zero = false;
  o.keep = 50;
  const SearchResult r = search_train(w, count_params(w.model), test::rates_for("h100-sxm5-80gb"), a, o);
  ASSERT_FALSE(r.best.empty());
  for (const auto& c : r.best) {
    EXPECT_EQ(c.workload.par.pp, 1);
    EXPECT_NO_THROW(validate(c.workload));
  }
  // The pipelines left out are said to be left out, and why.
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes.front().rfind("pipeline layouts (PP > 1, ", 0), 0u) << r.notes.front();
  EXPECT_NE(r.notes.front().find("needs ZeRO 1 (DeepSpeed's pipeline engine), and the ZeRO stage is fixed at 3"),
            std::string::npos)
      << r.notes.front();
  // Searching ZeRO tries stage 1 with every pipeline: nothing is ruled out.
  o.try_zero = true;
  EXPECT_TRUE(search_train(w, count_params(w.model), test::rates_for("h100-sxm5-80gb"), a, o).notes.empty());
}

TEST(ExplainWinner, NothingFitsUnderAFixedZeroTwoSaysThePipelinesWereNotTried) {
  // Llama 3.1 405B, optimizer offloaded, --zero 2 on 16 H100: no PP 1 layout fits, and the binding
  // constraint must not read as if pipelines had been tried (QA: it blamed DP 16 alone).
  const Assumptions a;
  Workload w = test::train_workload("llama-3.1-405b", 1, 1, 16, 64, 4096);
  w.train.offload = Offload::kOptimizer;
  w.train.zero_stage = 2;
  SearchOptions o;
  o.gpus = 16;
  o.try_zero = false;
  const SearchResult r = search_train(w, count_params(w.model), test::rates_for("h100-sxm5-80gb"), a, o);
  ASSERT_TRUE(r.best.empty());
  ASSERT_EQ(r.notes.size(), 1u);
  const WinnerExplanation e = explain_winner(r);
  EXPECT_EQ(e.binding.rfind("memory: nothing fits; the fastest configuration (TP 1, PP 1, DP 16", 0), 0u) << e.binding;
  EXPECT_NE(e.binding.find("; pipeline layouts (PP > 1, "), std::string::npos) << e.binding;
  EXPECT_NE(e.binding.find("the ZeRO stage is fixed at 2"), std::string::npos) << e.binding;
}

TEST(Search, MemoryBindsOnlyWhenTheUnfitOneIsFasterThanATie) {
  // Llama 2 7B, optimizer offloaded, on 8 H100: micro-batch 8 under ZeRO 3 does not fit and is within
  // 0.1 % of the winner; the explanation calls that "the same time", so it must not be a binding
  // constraint "0.0 % less time per step" (QA).
  const Assumptions a;
  Workload w = test::train_workload("llama-2-7b", 1, 1, 8, 64, 4096);
  w.train.offload = Offload::kOptimizer;
  w.train.zero_stage = 1;
  SearchOptions o;
  o.gpus = 8;
  o.keep = 2;
  const SearchResult r = search_train(w, count_params(w.model), test::rates_for("h100-sxm5-80gb"), a, o);
  ASSERT_FALSE(r.best.empty());
  EXPECT_TRUE(r.fastest_unfit.empty()) << explain_winner(r).binding;
  EXPECT_TRUE(explain_winner(r).binding.empty());
  // Every binding constraint a search reports is a real speed-up: more than the tie tolerance. (Llama 2
  // 13B without CP and interleaving, docs/planner.md's example: TP 1 PP 1 DP 8 would be faster but
  // does not fit.)
  w = test::train_workload("llama-2-13b", 1, 1, 8, 64, 4096);
  o.max_cp = 1;
  o.max_vpp = 1;
  const SearchResult r13 = search_train(w, count_params(w.model), test::rates_for("h100-sxm5-80gb"), a, o);
  ASSERT_EQ(r13.fastest_unfit.size(), 1u);
  EXPECT_LT(r13.fastest_unfit.front().result.time.step_s,
            (1.0 - kSameStepTimeTolerance) * r13.best.front().result.time.step_s);
}

TEST(Search, EnumeratesExpertContextAndInterleavingDegrees) {
  const Assumptions a;
  // Mixtral 8x7B on 16 H100: the search tries EP 2, 4, 8 and keeps only valid, fitting plans.
  Workload w = test::train_workload("mixtral-8x7b", 1, 1, 16, 256, 4096);
  SearchOptions o;
  o.gpus = 16;
  o.keep = 50;
  const SearchResult r = search_train(w, count_params(w.model), test::rates_for("h100-sxm5-80gb"), a, o);
  ASSERT_FALSE(r.best.empty());
  bool saw_ep = false;
  for (const auto& c : r.best) {
    EXPECT_NO_THROW(validate(c.workload));
    saw_ep |= c.workload.par.ep > 1;
    if (c.workload.par.ep > 1) EXPECT_GT(c.result.time.ep_comm_s, 0);
  }
  EXPECT_TRUE(saw_ep);
  // Limits switch dimensions off.
  o.max_cp = 1;
  o.max_ep = 1;
  o.max_vpp = 1;
  const SearchResult narrow = search_train(w, count_params(w.model), test::rates_for("h100-sxm5-80gb"), a, o);
  EXPECT_LT(narrow.evaluated, r.evaluated);
  for (const auto& c : narrow.best) {
    EXPECT_EQ(c.workload.par.cp, 1);
    EXPECT_EQ(c.workload.par.ep, 1);
    EXPECT_EQ(c.workload.par.vpp, 1);
  }
}

TEST(Search, TriesBothRankOrdersOnlyWhereTheyDiffer) {
  const Assumptions a;
  const Rates rates = test::rates_for("h100-sxm5-80gb");
  // One node: the orders place nothing differently, so each layout is evaluated once.
  Workload w = test::train_workload("llama-3-8b", 1, 1, 8, 64, 4096);
  SearchOptions o;
  o.gpus = 8;
  o.keep = 1000;
  const SearchResult one_node = search_train(w, count_params(w.model), rates, a, o);
  o.try_rank_orders = false;
  EXPECT_EQ(search_train(w, count_params(w.model), rates, a, o).evaluated, one_node.evaluated);
  for (const auto& c : one_node.best) EXPECT_EQ(c.workload.par.rank_order, RankOrder::kPipelineOuter);
  // 64 GPUs: layouts with PP and DP > 1 and TP·CP below a node are tried both ways; fixed to
  // Llama 3's order, every candidate has it.
  w = test::train_workload("llama-3-8b", 1, 1, 64, 256, 4096);
  o.gpus = 64;
  o.try_rank_orders = true;
  const SearchResult both = search_train(w, count_params(w.model), rates, a, o);
  o.try_rank_orders = false;
  w.par.rank_order = RankOrder::kDataOuter;
  const SearchResult fixed = search_train(w, count_params(w.model), rates, a, o);
  EXPECT_GT(both.evaluated, fixed.evaluated);
  ASSERT_FALSE(fixed.best.empty());
  for (const auto& c : fixed.best) EXPECT_EQ(c.workload.par.rank_order, RankOrder::kDataOuter);
  bool saw[2] = {false, false};
  for (const auto& c : both.best) saw[c.workload.par.rank_order == RankOrder::kDataOuter] = true;
  EXPECT_TRUE(saw[0] && saw[1]);
  // Trying both can only find a plan at least as fast as either order alone.
  EXPECT_LE(both.best.front().result.time.step_s, fixed.best.front().result.time.step_s);
  // H100 PCIe (NVLink pairs): without a pipeline the orders differ only in the pipeline's span, which
  // nothing reads: every layout once, reported in the default order.
  o.max_pp = 1;
  o.gpus = 16;
  w = test::train_workload("llama-3-8b", 1, 1, 16, 64, 4096);
  w.par.rank_order = RankOrder::kDataOuter;
  const Rates pcie = test::rates_for("h100-pcie-80gb");
  o.try_rank_orders = true;
  const SearchResult no_pp = search_train(w, count_params(w.model), pcie, a, o);
  o.try_rank_orders = false;
  EXPECT_EQ(search_train(w, count_params(w.model), pcie, a, o).evaluated, no_pp.evaluated);
  for (const auto& c : no_pp.best) EXPECT_EQ(c.workload.par.rank_order, RankOrder::kPipelineOuter);
}

}  // namespace
}  // namespace headroom::plan
