#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <stdexcept>

#include "headroom/bench/runner.hpp"
#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"

#include <fmt/format.h>

using namespace headroom;

namespace {
/// A benchmark whose behaviour per instance is scripted by its "mode" parameter.
class Scripted : public bench::Benchmark {
 public:
  explicit Scripted(std::string name, std::vector<std::string> modes, std::atomic<bool>* cancel_after_first = nullptr)
      : name_(std::move(name)), modes_(std::move(modes)), cancel_(cancel_after_first) {}
  bench::BenchmarkInfo info() const override {
    return {
        name_, "test", "scripted", {{"mode", "", "what to do"}}, {{"work_per_s", "1/s", core::Better::kHigher, ""}}};
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
    if (mode == "wrong") {  // measured, but the result failed its check (the CUDA and NCCL cases' way)
      r.verified = false;
      r.message = "RESULT WRONG: received values differ";
    }
    r.metrics.push_back(
        bench::throughput_metric("work_per_s", "1/s", 10.0, {1.0, 2.0, 4.0}, "", ctx.policy().statistic));
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

TEST(Runner, AResultThatFailedItsCheckIsAnErrorWithoutFigures) {
  // The CUDA, NCCL and storage cases returned 'passed' with verified false, which acceptance then
  // passed; the runner makes any such result an error.
  bench::Registry reg;
  reg.add(std::make_unique<Scripted>("t.check", std::vector<std::string>{"wrong", "ok"}));
  Recorder sink;
  const auto r = bench::run_benchmarks(reg, options(), sink, nullptr);
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_EQ(r.cases[0].status, core::Status::kError);
  EXPECT_EQ(r.cases[0].message, "verification failed: RESULT WRONG: received values differ");
  EXPECT_EQ(r.cases[0].verified, std::optional<bool>(false));
  EXPECT_TRUE(r.cases[0].metrics.empty());
  EXPECT_EQ(r.cases[1].status, core::Status::kPassed);
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

namespace {
/// An interleavable benchmark that logs every call ("name:repetitions") and returns one sample per
/// repetition; sample values grow with the call count so pooling is visible. Mode "bad-later"
/// fails verification from its second call on.
class Interleaved : public bench::Benchmark {
 public:
  Interleaved(std::string name, std::vector<std::string>& log, std::string mode = "ok", bool all_ranks = false)
      : name_(std::move(name)), log_(log), mode_(std::move(mode)), all_ranks_(all_ranks) {}
  bench::BenchmarkInfo info() const override {
    bench::BenchmarkInfo i;
    i.name = name_;
    i.backend = "test";
    i.metrics = {{"work_per_s", "1/s", core::Better::kHigher, ""}};
    i.interleave = true;
    i.all_ranks = all_ranks_;
    return i;
  }
  std::vector<core::Params> instances(const std::string&) const override { return {{}}; }
  core::CaseResult run(const core::Params&, bench::RunContext& ctx) override {
    ++calls_;
    log_.push_back(fmt::format("{}:{}", name_, ctx.policy().repetitions));
    core::CaseResult r;
    r.verified = !(mode_ == "bad-later" && calls_ > 1);
    if (!*r.verified) {
      r.status = core::Status::kError;
      r.message = "verification failed";
      return r;
    }
    ctx.note("same note every round");
    for (int i = 0; i < ctx.policy().repetitions; ++i) r.samples_s.push_back(1.0 / calls_);
    r.metrics.push_back(bench::throughput_metric("work_per_s", "1/s", 1.0, r.samples_s, "", ctx.policy().statistic));
    return r;
  }

 private:
  std::string name_;
  std::vector<std::string>& log_;
  std::string mode_;
  bool all_ranks_;
  int calls_ = 0;
};

struct RoundRecorder : Recorder {
  std::vector<int> rounds;
  void on_round_start(int round, int, std::size_t) override { rounds.push_back(round); }
};
}  // namespace

TEST(Runner, RoundRepetitionsSpreadTheRemainderOverTheFirstRounds) {
  EXPECT_EQ(bench::round_repetitions(9, 3, 0), 3);
  EXPECT_EQ(bench::round_repetitions(9, 3, 2), 3);
  EXPECT_EQ(bench::round_repetitions(10, 3, 0), 4);
  EXPECT_EQ(bench::round_repetitions(10, 3, 1), 3);
  EXPECT_EQ(bench::round_repetitions(10, 3, 2), 3);
  EXPECT_EQ(bench::round_repetitions(7, 1, 0), 7);
  EXPECT_EQ(bench::round_repetitions(7, 0, 0), 7);  // 0 rounds means one
}

TEST(Runner, InterleavedCasesRunInRoundsAndPoolTheirSamples) {
  std::vector<std::string> log;
  bench::Registry reg;
  reg.add(std::make_unique<Interleaved>("t.a", log));
  reg.add(std::make_unique<Scripted>("t.plain", std::vector<std::string>{"ok"}));
  reg.add(std::make_unique<Interleaved>("t.b", log));
  auto o = options();
  o.policy.repetitions = 10;
  o.policy.rounds = 3;
  RoundRecorder sink;
  const auto r = bench::run_benchmarks(reg, o, sink, nullptr);
  // Round 1 runs everything in plan order; rounds 2 and 3 only the interleaved cases.
  EXPECT_EQ(log, (std::vector<std::string>{"t.a:4", "t.b:4", "t.a:3", "t.b:3", "t.a:3", "t.b:3"}));
  EXPECT_EQ(sink.rounds, (std::vector<int>{2, 3}));
  EXPECT_EQ(sink.done, 3u);  // once per case, not per round
  ASSERT_EQ(r.cases.size(), 3u);
  EXPECT_EQ(r.cases[0].name, "t.a");  // plan order
  EXPECT_EQ(r.cases[1].name, "t.plain");
  EXPECT_EQ(r.cases[2].name, "t.b");
  // Samples: 4 at 1/1 s, 3 at 1/2 s, 3 at 1/3 s -> rates 1 (x4), 2 (x3), 3 (x3); median of 10 = 2.
  const auto& m = r.cases[0].metrics[0];
  EXPECT_EQ(r.cases[0].samples_s.size(), 10u);
  EXPECT_EQ(m.samples.size(), 10u);
  EXPECT_DOUBLE_EQ(*m.value, 2.0);
  EXPECT_EQ(m.summary->n, 10);
  EXPECT_DOUBLE_EQ(m.summary->max, 3.0);
  EXPECT_EQ(r.cases[0].verified, std::optional<bool>(true));
  EXPECT_EQ(r.cases[0].message, "same note every round");  // notes are not repeated per round
  EXPECT_EQ(r.run.policy.rounds, 3);
}

/// Everything `sink` printed while running `reg` (the stream is a file, never a terminal).
std::vector<std::string> progress_lines(bench::Registry& reg, const bench::RunOptions& o, double heartbeat_s) {
  std::FILE* f = std::tmpfile();
  EXPECT_NE(f, nullptr);
  bench::ProgressSink sink(f, false, heartbeat_s);
  (void)bench::run_benchmarks(reg, o, sink, nullptr);
  std::rewind(f);
  std::vector<std::string> lines;
  char buf[512];
  while (std::fgets(buf, sizeof buf, f) != nullptr) {
    std::string line(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    lines.push_back(line.substr(line.find(']') + 1));  // drop "[i/N Ts]", whose seconds vary
  }
  std::fclose(f);
  return lines;
}

TEST(Runner, ProgressOutsideATerminalPrintsRunningLinesOnlyAfterASilence) {
  std::vector<std::string> log;
  bench::Registry reg;
  reg.add(std::make_unique<Interleaved>("t.a", log));
  reg.add(std::make_unique<Scripted>("t.plain", std::vector<std::string>{"ok"}));
  auto o = options();
  o.policy.repetitions = 4;
  o.policy.rounds = 2;
  // A long heartbeat (a fast run): a line per finished case and per round, nothing while running.
  const auto quiet = progress_lines(reg, o, 1e9);
  ASSERT_EQ(quiet.size(), 4u);
  EXPECT_EQ(quiet[0], "headroom: 2 cases to run");
  EXPECT_NE(quiet[1].find(" t.plain "), std::string::npos);
  EXPECT_EQ(quiet[2], "headroom: round 2 of 2: 1 interleaved case(s) again for more samples");
  EXPECT_NE(quiet[3].find(" t.a "), std::string::npos);
  EXPECT_EQ(quiet[1].find("running"), std::string::npos);
  // A zero heartbeat (every start comes "after a silence"): each start of a case, in either round,
  // says what is running before its result line.
  std::vector<std::string> log2;
  bench::Registry reg2;
  reg2.add(std::make_unique<Interleaved>("t.a", log2));
  reg2.add(std::make_unique<Scripted>("t.plain", std::vector<std::string>{"ok"}));
  const auto chatty = progress_lines(reg2, o, 0.0);
  ASSERT_EQ(chatty.size(), 7u);
  EXPECT_EQ(chatty[1], " t.a   running");  // round 1: t.a starts, its result waits for round 2
  EXPECT_EQ(chatty[2], " t.plain mode=ok  running");
  EXPECT_NE(chatty[3].find(" t.plain "), std::string::npos);
  EXPECT_EQ(chatty[4], "headroom: round 2 of 2: 1 interleaved case(s) again for more samples");
  EXPECT_EQ(chatty[5], " t.a   running");
  EXPECT_EQ(chatty[6].find("running"), std::string::npos);
}

TEST(Runner, RoundsNeverExceedRepetitionsAndOneRoundIsBackToBack) {
  std::vector<std::string> log;
  bench::Registry reg;
  reg.add(std::make_unique<Interleaved>("t.a", log));
  auto o = options();
  o.policy.repetitions = 2;
  o.policy.rounds = 5;
  Recorder sink;
  EXPECT_EQ(bench::run_benchmarks(reg, o, sink, nullptr).cases[0].samples_s.size(), 2u);
  EXPECT_EQ(log, (std::vector<std::string>{"t.a:1", "t.a:1"}));
  log.clear();
  o.policy.rounds = 1;
  bench::run_benchmarks(reg, o, sink, nullptr);
  EXPECT_EQ(log, (std::vector<std::string>{"t.a:2"}));
}

TEST(Runner, AFailureInALaterRoundMakesTheCaseAnError) {
  std::vector<std::string> log;
  bench::Registry reg;
  reg.add(std::make_unique<Interleaved>("t.bad", log, "bad-later"));
  Recorder sink;
  const auto r = bench::run_benchmarks(reg, options(), sink, nullptr);  // quick: 3 rounds
  ASSERT_EQ(r.cases.size(), 1u);
  EXPECT_EQ(r.cases[0].status, core::Status::kError);
  EXPECT_EQ(r.cases[0].message, "in a later round: verification failed; same note every round");
  EXPECT_TRUE(r.cases[0].metrics.empty());
  EXPECT_EQ(r.cases[0].verified, std::optional<bool>(false));
  EXPECT_EQ(log.size(), 2u);  // no third round for a failed case
  EXPECT_EQ(sink.done, 1u);
}

TEST(Runner, MergeRoundKeepsDerivedValuesAndAndsVerification) {
  core::CaseResult a;
  a.verified = true;
  a.samples_s = {1.0};
  a.wall_s = 1;
  core::Metric sampled;
  sampled.name = "rate";
  sampled.samples = {1.0};
  core::finalize_metric(sampled, core::Statistic::kMedian);
  core::Metric derived;
  derived.name = "peak";
  derived.value = 42.0;
  derived.provenance = "derived";
  a.metrics = {sampled, derived};
  core::CaseResult b = a;
  b.metrics[0].samples = {3.0, 5.0};
  b.metrics[1].value = 7.0;
  b.samples_s = {0.5, 0.25};
  b.verified = false;
  bench::merge_round(a, b, core::Statistic::kMedian);
  EXPECT_EQ(a.samples_s, (std::vector<double>{1.0, 0.5, 0.25}));
  EXPECT_DOUBLE_EQ(*a.metrics[0].value, 3.0);  // median of {1, 3, 5}
  EXPECT_DOUBLE_EQ(*a.metrics[1].value, 42.0);
  EXPECT_EQ(a.verified, std::optional<bool>(false));
  EXPECT_DOUBLE_EQ(a.wall_s, 2.0);
}

TEST(Runner, InterruptInALaterRoundKeepsThePooledSamples) {
  std::vector<std::string> log;
  std::atomic<bool> cancel{false};
  bench::Registry reg;
  reg.add(std::make_unique<Interleaved>("t.a", log));
  reg.add(std::make_unique<Interleaved>("t.b", log));
  struct CancelInRoundTwo : Recorder {
    std::atomic<bool>* cancel;
    void on_round_start(int, int, std::size_t) override { cancel->store(true); }
  } sink;
  sink.cancel = &cancel;
  const auto r = bench::run_benchmarks(reg, options(), sink, &cancel);
  EXPECT_EQ(log, (std::vector<std::string>{"t.a:3", "t.b:3"}));
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_EQ(r.cases[0].status, core::Status::kPassed);
  EXPECT_EQ(r.cases[0].samples_s.size(), 3u);
  EXPECT_EQ(r.cases[0].message, "same note every round; interrupted after 1 of 3 rounds");
  EXPECT_TRUE(r.run.incomplete);
  EXPECT_EQ(r.run.incomplete_reason, "interrupted: 2 of 6 steps ran (2 cases over 3 rounds)");
  EXPECT_EQ(sink.done, 2u);
}

TEST(Runner, EveryRankTakesTheSameStepsWhateverTheOutcomes) {
  // On rank 1 a rank-0-only interleaved case never runs, yet the collective stop decision must be
  // taken as often as on rank 0 (3 rounds x 1 case), or the ranks would fall out of step.
  std::vector<std::string> log;
  bench::Registry reg;
  reg.add(std::make_unique<Interleaved>("t.local", log));
  for (int rank : {0, 1}) {
    auto o = options();
    o.world.rank = rank;
    o.world.size = 2;
    int calls = 0;
    o.world.any = [&calls](bool) {
      ++calls;
      return false;
    };
    Recorder sink;
    const auto r = bench::run_benchmarks(reg, o, sink, nullptr);
    EXPECT_EQ(calls, 3) << "rank " << rank;
    EXPECT_EQ(r.cases.size(), rank == 0 ? 1u : 0u);
  }
  EXPECT_EQ(log.size(), 3u);  // rank 0's three rounds only
}

TEST(Runner, HeadlineShowsValueAndVerification) {
  core::CaseResult c;
  c.name = "cpu.gemm.fp64";
  c.params = {{"m", std::int64_t{256}}};
  c.metrics.push_back(
      bench::throughput_metric("flop_per_s", "FLOP/s", 2e9, {0.01, 0.01, 0.01}, "", core::Statistic::kMedian));
  c.verified = false;
  EXPECT_EQ(bench::headline(c), "cpu.gemm.fp64 m=256  200 GFLOP/s (cv 0.0%)  NOT VERIFIED");
  c.status = core::Status::kWaived;
  c.message = "no GPU";
  EXPECT_EQ(bench::headline(c), "cpu.gemm.fp64 m=256  waived: no GPU");
}

TEST(Runner, HeadlineRepeatsAWarningOfAPassedCase) {
  core::CaseResult c;
  c.name = "cpu.gemm.fp64";
  c.metrics.push_back(
      bench::throughput_metric("flop_per_s", "FLOP/s", 2e9, {0.01, 0.01, 0.01}, "", core::Statistic::kMedian));
  c.verified = true;
  c.message = "OpenBLAS 0.3.21 (core Prescott); WARNING: kernels for old CPUs: set X; verified 64 elements";
  EXPECT_EQ(bench::headline(c), "cpu.gemm.fp64  200 GFLOP/s (cv 0.0%)  WARNING: kernels for old CPUs: set X");
  c.message = "OpenBLAS 0.3.21 (core Prescott); WARNING: at the end";
  EXPECT_EQ(bench::headline(c), "cpu.gemm.fp64  200 GFLOP/s (cv 0.0%)  WARNING: at the end");
  c.message = "OpenBLAS 0.3.21 (core SkylakeX); verified 64 elements";
  EXPECT_EQ(bench::headline(c), "cpu.gemm.fp64  200 GFLOP/s (cv 0.0%)");
}
