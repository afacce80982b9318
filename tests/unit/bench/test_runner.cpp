#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "headroom/bench/runner.hpp"
#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"

using namespace headroom;

namespace {
/// A benchmark whose behaviour per instance is scripted by its "mode" parameter.
class Scripted : public bench::Benchmark {
 public:
  explicit Scripted(std::string name, std::vector<std::string> modes, std::atomic<bool>* cancel_after_first = nullptr)
      : name_(std::move(name)), modes_(std::move(modes)), cancel_(cancel_after_first) {}
  bench::BenchmarkInfo info() const override {
    return {name_, "test", "scripted", {{"mode", "", "what to do"}}, {{"work_per_s", "1/s", core::Better::kHigher, ""}}};
  }
  std::vector<core::Params> instances(const std::string&) const override {
    std::vector<core::Params> out;
    for (const auto& m : modes_) out.push_back({{"mode", m}});
    return out;
  }
  core::CaseResult run(const core::Params& p, bench::RunContext& ctx) override {
    const std::string mode = bench::param_string(p, "mode");
    if (cancel_ != nullptr) cancel_->store(true);
    if (mode == "waive") throw core::Waived("no such device here");
    if (mode == "throw") throw std::runtime_error("kernel exploded");
    if (mode == "empty") return {};
    if (mode == "note") ctx.note("buffered I/O used");
    core::CaseResult r;
    r.metrics.push_back(bench::throughput_metric("work_per_s", "1/s", 10.0, {1.0, 2.0, 4.0}, "", ctx.policy().statistic));
    return r;
  }

 private:
  std::string name_;
  std::vector<std::string> modes_;
  std::atomic<bool>* cancel_;
};

struct Recorder : bench::Sink {
  std::size_t total = 0, started = 0, done = 0;
  void on_start(std::size_t t) override { total = t; }
  void on_case_start(std::size_t, std::size_t, const std::string&, const core::Params&) override { ++started; }
  void on_case_done(std::size_t, std::size_t, const core::CaseResult&) override { ++done; }
};

bench::RunOptions options(const std::string& filter = "*") {
  bench::RunOptions o;
  o.policy = core::policy_for_suite("quick");
  o.filter = filter;
  return o;
}
}  // namespace

TEST(Runner, FailuresAreRecordedAndNeverAbortTheRun) {
  bench::Registry reg;
  reg.add(std::make_unique<Scripted>("t.mixed", std::vector<std::string>{"ok", "waive", "throw", "empty", "note"}));
  Recorder sink;
  const auto r = bench::run_benchmarks(reg, options(), sink, nullptr);
  ASSERT_EQ(r.cases.size(), 5u);
  EXPECT_EQ(sink.total, 5u);
  EXPECT_EQ(sink.done, 5u);
  EXPECT_EQ(r.cases[0].status, core::Status::kPassed);
  // 10 work units over {1, 2, 4} s -> samples {10, 5, 2.5}; median 5.
  EXPECT_DOUBLE_EQ(*r.cases[0].metrics[0].value, 5.0);
  EXPECT_EQ(r.cases[0].name, "t.mixed");
  EXPECT_EQ(core::params_key(r.cases[0].params), "mode=ok");
  EXPECT_EQ(r.cases[1].status, core::Status::kWaived);
  EXPECT_EQ(r.cases[1].message, "no such device here");
  EXPECT_EQ(r.cases[2].status, core::Status::kError);
  EXPECT_EQ(r.cases[2].message, "kernel exploded");
  EXPECT_EQ(r.cases[3].status, core::Status::kError);
  EXPECT_EQ(r.cases[3].message, "benchmark returned no metrics");
  EXPECT_EQ(r.cases[4].status, core::Status::kPassed);
  EXPECT_EQ(r.cases[4].message, "buffered I/O used");
  EXPECT_FALSE(r.run.incomplete);
  EXPECT_EQ(r.run.policy.suite, "quick");
  EXPECT_FALSE(r.run.id.empty());
}

TEST(Runner, FilterSelectsByGlobAndEmptySelectionIsBadInput) {
  bench::Registry reg;
  reg.add(std::make_unique<Scripted>("cpu.gemm.fp64", std::vector<std::string>{"ok"}));
  reg.add(std::make_unique<Scripted>("cpu.stream.triad", std::vector<std::string>{"ok"}));
  reg.add(std::make_unique<Scripted>("storage.seq_read", std::vector<std::string>{"ok"}));
  Recorder sink;
  EXPECT_EQ(bench::run_benchmarks(reg, options("cpu.*"), sink, nullptr).cases.size(), 2u);
  EXPECT_EQ(bench::run_benchmarks(reg, options("*.seq_*"), sink, nullptr).cases.size(), 1u);
  EXPECT_THROW(bench::run_benchmarks(reg, options("cuda.*"), sink, nullptr), core::InputError);
}

TEST(Runner, CancelStopsAfterCurrentCaseAndMarksIncomplete) {
  std::atomic<bool> cancel{false};
  bench::Registry reg;
  reg.add(std::make_unique<Scripted>("t.c", std::vector<std::string>{"ok", "ok", "ok"}, &cancel));
  Recorder sink;
  const auto r = bench::run_benchmarks(reg, options(), sink, &cancel);
  EXPECT_EQ(r.cases.size(), 1u);  // the case in flight finishes and is kept
  EXPECT_TRUE(r.run.incomplete);
  EXPECT_EQ(r.run.incomplete_reason, "interrupted: 1 of 3 cases ran");
}

TEST(Runner, NonCollectiveCasesRunOnRankZeroOnly) {
  bench::Registry reg;
  reg.add(std::make_unique<Scripted>("t.local", std::vector<std::string>{"ok"}));
  auto o = options();
  o.world.rank = 1;
  o.world.size = 2;
  Recorder sink;
  EXPECT_TRUE(bench::run_benchmarks(reg, o, sink, nullptr).cases.empty());
}

TEST(Runner, AnotherRanksInterruptStopsThisRankAtTheSameCase) {
  // This rank saw no Ctrl-C, but another rank did before the second case: the collective decision
  // (World::any) must stop this rank there too, or the others would wait for it in a collective.
  bench::Registry reg;
  reg.add(std::make_unique<Scripted>("t.local", std::vector<std::string>{"ok", "ok", "ok"}));
  auto o = options();
  o.world.rank = 0;
  o.world.size = 2;
  int calls = 0;
  o.world.any = [&calls](bool mine) {
    EXPECT_FALSE(mine);
    return ++calls >= 2;  // the other rank's flag arrives at the second boundary
  };
  std::atomic<bool> cancel{false};
  Recorder sink;
  const auto r = bench::run_benchmarks(reg, o, sink, &cancel);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(r.cases.size(), 1u);
  EXPECT_TRUE(r.run.incomplete);
  EXPECT_EQ(r.run.incomplete_reason, "interrupted: 1 of 3 cases ran");
}

TEST(Runner, HeadlineShowsValueAndVerification) {
  core::CaseResult c;
  c.name = "cpu.gemm.fp64";
  c.params = {{"m", std::int64_t{256}}};
  c.metrics.push_back(bench::throughput_metric("flop_per_s", "FLOP/s", 2e9, {0.01, 0.01, 0.01}, "", core::Statistic::kMedian));
  c.verified = false;
  EXPECT_EQ(bench::headline(c), "cpu.gemm.fp64 m=256  200 GFLOP/s (cv 0.0%)  NOT VERIFIED");
  c.status = core::Status::kWaived;
  c.message = "no GPU";
  EXPECT_EQ(bench::headline(c), "cpu.gemm.fp64 m=256  waived: no GPU");
}
