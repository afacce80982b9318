#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/report/regression.hpp"

using namespace headroom;
using namespace headroom::report;
using namespace headroom::report::testing;

TEST(MannWhitney, ExactSciPyDocExample) {
  // SciPy's mannwhitneyu documentation example (exact, two-sided): U1 = 17, p = 1/9.
  const std::vector<double> x = {19, 22, 16, 29, 24};
  const std::vector<double> y = {20, 11, 17, 12};
  const auto r = mann_whitney_u(x, y);
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 17.0);
  EXPECT_NEAR(r.p_value, 1.0 / 9.0, 1e-12);
}

TEST(MannWhitney, ExactCompleteSeparation) {
  // All of a below all of b: U = 0, P(U <= 0) = 1 / C(n1+n2, n1); two-sided doubles it.
  const std::vector<double> a3 = {1, 2, 3}, b3 = {4, 5, 6};
  EXPECT_NEAR(mann_whitney_u(a3, b3).p_value, 2.0 / 20.0, 1e-12);  // C(6,3) = 20: never < 0.05 at n = 3
  std::vector<double> a9, b9;
  for (int i = 1; i <= 9; ++i) {
    a9.push_back(i);
    b9.push_back(9 + i);
  }
  const auto r = mann_whitney_u(a9, b9);
  EXPECT_DOUBLE_EQ(r.u, 0.0);
  EXPECT_NEAR(r.p_value, 2.0 / 48620.0, 1e-15);  // C(18,9) = 48620
  EXPECT_NEAR(mann_whitney_u(b9, a9).p_value, 2.0 / 48620.0, 1e-15);  // symmetric
  EXPECT_DOUBLE_EQ(mann_whitney_u(b9, a9).u, 81.0);
}

TEST(MannWhitney, ExactOneSidedSciPyDocExample) {
  // Same data, (5, 4) values: C(9, 4) = 126 orderings. U >= 17 means 20 − U <= 3: partitions of 0..3
  // into at most 4 parts of at most 5: 1 + 1 + 2 + 3 = 7, so P(U >= 17) = 7/126 = 1/18 (half the
  // two-sided 1/9); P(U = 17) = 3/126, so P(U <= 17) = 1 − 4/126.
  const std::vector<double> x = {19, 22, 16, 29, 24};
  const std::vector<double> y = {20, 11, 17, 12};
  EXPECT_NEAR(mann_whitney_u(x, y, Alternative::kGreater).p_value, 7.0 / 126.0, 1e-12);
  EXPECT_NEAR(mann_whitney_u(x, y, Alternative::kLess).p_value, 122.0 / 126.0, 1e-12);
  EXPECT_NEAR(mann_whitney_u(y, x, Alternative::kLess).p_value, 7.0 / 126.0, 1e-12);  // mirror
}

TEST(MannWhitney, OneSidedNormalApproximation) {
  // The tied example below: U = 5, μ = 15, one-sided "less" moves u half a step up: Φ((5.5 − 15)/σ).
  const std::vector<double> a = {1, 2, 2, 3, 4};
  const std::vector<double> b = {2, 3, 4, 5, 5, 6};
  const double sigma = std::sqrt(30.0 / 12.0 * (12.0 - 42.0 / 110.0));
  EXPECT_NEAR(mann_whitney_u(a, b, Alternative::kLess).p_value, 0.5 * std::erfc((15.0 - 5.5) / sigma / std::sqrt(2.0)),
              1e-12);
  EXPECT_NEAR(mann_whitney_u(a, b, Alternative::kGreater).p_value,
              0.5 * std::erfc((4.5 - 15.0) / sigma / std::sqrt(2.0)), 1e-12);
}

TEST(MannWhitney, TiesUseNormalApproximationWithTieCorrection) {
  // Pooled ranks by hand: 1→1; 2,2,2→3; 3,3→5.5; 4,4→7.5; 5,5→9.5; 6→11. R_a = 1+3+3+5.5+7.5 = 20,
  // U = 20 − 15 = 5; μ = 15; Σ(t³−t) = 24+6+6+6 = 42; σ² = 30/12·(12 − 42/110).
  const std::vector<double> a = {1, 2, 2, 3, 4};
  const std::vector<double> b = {2, 3, 4, 5, 5, 6};
  const auto r = mann_whitney_u(a, b);
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 5.0);
  const double sigma = std::sqrt(30.0 / 12.0 * (12.0 - 42.0 / 110.0));
  EXPECT_NEAR(r.p_value, std::erfc((10.0 - 0.5) / sigma / std::sqrt(2.0)), 1e-12);
}

TEST(MannWhitney, AllEqualIsNoEvidence) {
  const std::vector<double> a = {1, 1, 1}, b = {1, 1};
  EXPECT_DOUBLE_EQ(mann_whitney_u(a, b).p_value, 1.0);
  EXPECT_THROW(mann_whitney_u(std::vector<double>{}, b), core::InputError);
}

TEST(MannWhitney, LargeSamplesUseNormalApproximation) {
  const auto a = noisy(100, 0.01, 40, 1), b = noisy(100, 0.01, 40, 2);
  const auto r = mann_whitney_u(a, b);
  EXPECT_FALSE(r.exact);
  EXPECT_GT(r.p_value, 0.01);
  const auto c = noisy(90, 0.01, 40, 3);
  EXPECT_LT(mann_whitney_u(a, c).p_value, 1e-10);
}

// ---------------------------------------------------------------------------------------------
// Margin (non-inferiority) tests and the Hodges–Lehmann shift, worked by hand.

namespace {
std::vector<double> ramp(double first, double step, int n, double factor = 1.0) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(factor * (first + step * i));
  return v;
}
}  // namespace

TEST(MarginTest, ThreePointFourPercentWithinNoiseIsNotShownBeyondThreePercent) {
  // Baseline 100 101 102 103, current 96.5 97.5 98.5 99.5: medians 101.5 → 98, Δ = −3.45 %.
  // Plain test: every current value is below every baseline value, U = 0, two-sided p = 2/C(8,4) =
  // 2/70 = 0.029 < 0.05 — the old rule (p < alpha and |Δ| ≥ 3 %) flagged this.
  // Margin test: baseline × 0.97 = 97 97.97 98.94 99.91; current values above them: 96.5 → 0,
  // 97.5 → 1, 98.5 → 2, 99.5 → 3, U = 6. Null pmf for (4, 4) ×70: 1 1 2 3 5 5 7 ..., so
  // p = P(U <= 6) = 24/70 = 0.34: the data do not show a change worse than 3 %.
  const auto b = ramp(100, 1, 4), c = ramp(96.5, 1, 4);
  EXPECT_NEAR(mann_whitney_u(c, b).p_value, 2.0 / 70.0, 1e-12);
  const auto m = margin_test(b, c, core::Better::kHigher, 0.03);
  EXPECT_TRUE(m.exact);
  EXPECT_NEAR(m.p_worse, 24.0 / 70.0, 1e-12);
  EXPECT_NEAR(m.p_better, 1.0, 1e-12);  // against baseline × 1.03, U = 0: P(U >= 0) = 1
  const std::vector<double> cu(c.begin(), c.end());
  EXPECT_NEAR(mann_whitney_u(cu, ramp(100, 1, 4, 0.97), Alternative::kLess).u, 6.0, 0);
}

TEST(MarginTest, TenPercentDropIsShownBeyondThreePercent) {
  // Baseline 100..108, current 0.9 × baseline = 90 90.9 ... 97.2. Baseline × 0.97 starts at 97.0:
  // only 97.2 lies above one scaled baseline value, U = 1; P(U <= 1) = 2/C(18,9) = 2/48620.
  const auto b = ramp(100, 1, 9), c = ramp(100, 1, 9, 0.9);
  const auto m = margin_test(b, c, core::Better::kHigher, 0.03);
  EXPECT_NEAR(m.p_worse, 2.0 / 48620.0, 1e-15);
  EXPECT_NEAR(m.p_better, 1.0, 1e-12);
  // Hodges–Lehmann: the 81 ratios 0.9·b_j/b_i pair up as 0.9·r and 0.9/r around the nine 0.9 on the
  // diagonal, so their median is exactly 0.9.
  EXPECT_NEAR(hodges_lehmann_ratio(b, c, 0.05).ratio, 0.9, 1e-12);
}

TEST(MarginTest, LowerIsBetterScalesTheOtherWay) {
  // Latency baseline 1.00..1.08 ms, current × 1.10 = 1.100 1.111 1.122 ... 1.188 ms. Worse for a
  // lower-is-better metric = above baseline × 1.03 = 1.0300 1.0403 ... 1.0918 1.1021 1.1124 ms.
  // Pairs current > scaled baseline: 1.100 beats 7, 1.111 beats 8, the other seven beat all 9:
  // U = 7 + 8 + 63 = 78 of 81, p = P(U >= 78) = P(U <= 3) = (1 + 1 + 2 + 3)/48620.
  const auto b = ramp(1.00e-3, 0.01e-3, 9), c = ramp(1.00e-3, 0.01e-3, 9, 1.1);
  const auto lower = margin_test(b, c, core::Better::kLower, 0.03);
  EXPECT_NEAR(lower.p_worse, 7.0 / 48620.0, 1e-15);
  EXPECT_NEAR(lower.p_better, 1.0, 1e-12);
  // The same numbers for a higher-is-better metric are an improvement of more than 3 %.
  const auto higher = margin_test(b, c, core::Better::kHigher, 0.03);
  EXPECT_NEAR(higher.p_better, 7.0 / 48620.0, 1e-15);
  EXPECT_NEAR(higher.p_worse, 1.0, 1e-12);
  EXPECT_THROW(margin_test(b, std::vector<double>{1.0, 0.0}, core::Better::kLower, 0.03), core::InputError);
}

TEST(HodgesLehmann, SmallExampleByHand) {
  // Baseline 10 11 12, current 9 10 11: ratios sorted 0.75 0.818 0.833 0.9 0.909 0.917 1 1 1.1, the
  // median (5th) is 10/11. Null cdf of U for (3, 3), ×20: 1 2 4 7 ...: P(U <= 0) = 0.05. Tail 0.10:
  // k = 1 (0.05 < 0.10, 0.10 is not), the 80 % interval is [1st, 9th] = [0.75, 1.1].
  const std::vector<double> b = {10, 11, 12}, c = {9, 10, 11};
  const auto e = hodges_lehmann_ratio(b, c, 0.10);
  EXPECT_NEAR(e.ratio, 10.0 / 11.0, 1e-12);
  EXPECT_TRUE(e.exact);
  EXPECT_DOUBLE_EQ(e.confidence, 0.8);
  ASSERT_TRUE(e.low && e.high);
  EXPECT_NEAR(*e.low, 0.75, 1e-12);
  EXPECT_NEAR(*e.high, 1.1, 1e-12);
  // At tail 0.05 even U = 0 is not below it: n = 3 per side cannot give a 90 % interval.
  const auto none = hodges_lehmann_ratio(b, c, 0.05);
  EXPECT_FALSE(none.low.has_value());
  EXPECT_FALSE(none.high.has_value());
  EXPECT_THROW(hodges_lehmann_ratio(b, std::vector<double>{-1.0}, 0.05), core::InputError);
}

TEST(MarginTest, DualToTheHodgesLehmannInterval) {
  // Without ties the one-sided margin test at alpha rejects exactly when the (1 − 2·alpha) interval
  // of the ratio lies beyond the margin. Checked on random samples in the exact (n = 9) and the
  // normal-approximation (n = 30) regimes, with shifts around the margin so both outcomes occur.
  int flagged = 0, not_flagged = 0;
  for (int n : {9, 30}) {
    for (unsigned seed = 1; seed <= 60; ++seed) {
      const double shift = 0.90 + 0.002 * seed;  // 0.902 .. 1.02
      const auto b = noisy(100, 0.01, n, seed);
      const auto c = noisy(100 * shift, 0.01, n, seed + 1000);
      const auto m = margin_test(b, c, core::Better::kHigher, 0.03);
      const auto e = hodges_lehmann_ratio(b, c, 0.05);
      ASSERT_TRUE(e.high.has_value());
      EXPECT_EQ(m.p_worse < 0.05, *e.high < 0.97) << "n " << n << " seed " << seed;
      EXPECT_EQ(m.p_better < 0.05, *e.low > 1.03) << "n " << n << " seed " << seed;
      EXPECT_EQ(m.exact, n == 9);
      (m.p_worse < 0.05 ? flagged : not_flagged) += 1;
    }
  }
  EXPECT_GT(flagged, 10);
  EXPECT_GT(not_flagged, 10);
}

namespace {
core::Results with_triad(double value, double cv, unsigned seed, int n = 9) {
  auto r = host_results();
  r.cases.push_back(make_case("cpu.stream.triad", {{"array_bytes", std::int64_t{1} << 28}},
                              {metric("bytes_per_s", "B/s", noisy(value, cv, n, seed))}));
  r.cases.push_back(make_case("storage.rand_read", {{"block_bytes", std::int64_t{4096}}},
                              {metric("latency_p99_s", "s", noisy(1e-3, cv, n, seed + 100), core::Better::kLower)}));
  return r;
}
const MetricComparison* find(const Comparison& c, const std::string& metric) {
  for (const auto& m : c.metrics) {
    if (m.metric == metric) return &m;
  }
  return nullptr;
}
}  // namespace

TEST(Compare, SameDistributionIsNotFlagged) {
  const auto c = compare(with_triad(10e9, 0.02, 1), with_triad(10e9, 0.02, 2), {});
  EXPECT_EQ(c.regressions, 0u);
  EXPECT_FALSE(c.has_regression());
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
}

TEST(Compare, TenPercentDropIsARegressionWithDelta) {
  const auto c = compare(with_triad(10e9, 0.01, 1), with_triad(9e9, 0.01, 2), {});
  ASSERT_EQ(c.regressions, 1u);
  const auto* m = find(c, "bytes_per_s");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->change, Change::kRegression);
  EXPECT_NEAR(*m->relative_delta, -0.10, 0.02);
  EXPECT_LT(*m->p_value, 0.001);
  EXPECT_DOUBLE_EQ(*m->p_value, *m->p_worse);
  EXPECT_NEAR(*m->shift, -0.10, 0.02);
  EXPECT_LT(*m->shift_high, -0.03);
  EXPECT_EQ(&c.metrics.front(), m);  // regressions sort first
}

TEST(Compare, DirectionAware) {
  auto base = with_triad(10e9, 0.01, 1);
  auto cur = with_triad(11e9, 0.01, 2);  // 10 % more bandwidth: improvement
  for (auto& s : cur.cases[1].metrics[0].samples) s *= 1.2;  // 20 % more latency: regression
  core::finalize_metric(cur.cases[1].metrics[0], core::Statistic::kMedian);
  const auto c = compare(base, cur, {});
  EXPECT_EQ(find(c, "bytes_per_s")->change, Change::kImprovement);
  EXPECT_EQ(find(c, "latency_p99_s")->change, Change::kRegression);
  EXPECT_EQ(c.regressions, 1u);
  EXPECT_EQ(c.improvements, 1u);
}

TEST(Compare, SignificantButBelowMinimumEffectIsUnchanged) {
  // 2 % slower with 0.1 % noise: certainly different, but certainly within the 3 % margin.
  const auto c = compare(with_triad(10e9, 0.001, 1), with_triad(9.8e9, 0.001, 2), {});
  const auto* m = find(c, "bytes_per_s");
  EXPECT_LT(*m->p_difference, 0.001);
  EXPECT_GT(*m->p_worse, 0.99);
  EXPECT_EQ(m->change, Change::kUnchanged);
  CompareOptions strict;
  strict.min_effect = 0.01;
  EXPECT_EQ(find(compare(with_triad(10e9, 0.001, 1), with_triad(9.8e9, 0.001, 2), strict), "bytes_per_s")->change,
            Change::kRegression);
}

TEST(Compare, FewRepetitionsWarnAndCannotBeSignificant) {
  const auto c = compare(with_triad(10e9, 0.001, 1, 3), with_triad(5e9, 0.001, 2, 3), {});
  EXPECT_EQ(c.regressions, 0u);  // one-sided 1/C(6,3) = 0.05, not < alpha
  EXPECT_NEAR(*find(c, "bytes_per_s")->p_worse, 0.05, 1e-12);
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_NE(c.warnings.front().find("smallest n = 3"), std::string::npos);
  EXPECT_NE(c.warnings.front().find("can be flagged"), std::string::npos);
  // n = 4: 1/C(8,4) = 1/70 is reachable; still below the recommended 9, so still a warning.
  const auto c4 = compare(with_triad(10e9, 0.001, 1, 4), with_triad(5e9, 0.001, 2, 4), {});
  EXPECT_EQ(find(c4, "bytes_per_s")->change, Change::kRegression);
  ASSERT_FALSE(c4.warnings.empty());
  EXPECT_NE(c4.warnings.front().find("0.0143"), std::string::npos) << c4.warnings.front();
  EXPECT_EQ(c4.warnings.front().find("can be flagged"), std::string::npos);
}

TEST(Compare, ChangeWithinNoiseOfTheMarginIsNotFlagged) {
  // The false positive of the old rule: the same ±1.5 % spread of nine repetitions on both sides,
  // current exactly 3.3 % lower. Clearly different from zero (p_difference tiny, point estimate past
  // 3 %), but the data cannot show it is worse than 3 %: the 90 % interval reaches inside the margin.
  const std::vector<double> pattern = {-1.5, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 1.5};
  std::vector<double> b, cs;
  for (double z : pattern) {
    b.push_back(10e9 * (1 + 0.01 * z));
    cs.push_back(0.967 * 10e9 * (1 + 0.01 * z));
  }
  auto base = host_results(), cur = host_results();
  base.cases.push_back(make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "B/s", b)}));
  cur.cases.push_back(make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "B/s", cs)}));
  const auto c = compare(base, cur, {});
  const auto* m = find(c, "bytes_per_s");
  EXPECT_LT(*m->p_difference, 0.01);
  EXPECT_NEAR(*m->relative_delta, -0.033, 1e-12);
  EXPECT_NEAR(*m->shift, -0.033, 1e-12);  // the diagonal ratios are all 0.967 and sit in the middle
  EXPECT_EQ(m->change, Change::kUnchanged);
  EXPECT_GT(*m->p_worse, 0.05);
  EXPECT_DOUBLE_EQ(*m->p_value, *m->p_worse);  // the direction the data point
  ASSERT_TRUE(m->shift_low && m->shift_high);
  EXPECT_LT(*m->shift_low, -0.03);
  EXPECT_GT(*m->shift_high, -0.03);
  EXPECT_FALSE(c.has_regression());
}

TEST(Compare, PreciselyMeasuredChangeBeyondTheMarginIsFlagged) {
  // The same −3.3 % measured with 0.05 % spread IS shown to be worse than 3 %: the margin is the
  // smallest change that matters, not a noise floor. Noisier data or a wider margin leave it alone.
  const auto c = compare(with_triad(10e9, 0.0005, 11), with_triad(10e9 * 0.967, 0.0005, 12), {});
  const auto* m = find(c, "bytes_per_s");
  EXPECT_EQ(m->change, Change::kRegression);
  EXPECT_LT(*m->shift_high, -0.03);
  EXPECT_NEAR(*m->shift, -0.033, 0.001);
  CompareOptions wide;
  wide.min_effect = 0.05;
  EXPECT_EQ(find(compare(with_triad(10e9, 0.0005, 11), with_triad(10e9 * 0.967, 0.0005, 12), wide), "bytes_per_s")
                ->change,
            Change::kUnchanged);
}

TEST(Compare, NonPositiveSamplesAreUntested) {
  auto base = with_triad(10e9, 0.01, 1);
  auto cur = with_triad(10e9, 0.01, 2);
  cur.cases[0].metrics[0].samples[0] = 0.0;
  core::finalize_metric(cur.cases[0].metrics[0], core::Statistic::kMedian);
  const Comparison cmp = compare(base, cur, {});  // named: `m` points into it
  const auto* m = find(cmp, "bytes_per_s");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->change, Change::kUntested);
  EXPECT_NE(m->note.find("positive"), std::string::npos);
}

TEST(Compare, CollapseToZeroIsARegression) {
  // Positive baseline, every current sample 0: no margin test can run, but it is no "untested".
  for (const bool lower_is_better : {false, true}) {
    auto base = with_triad(10e9, 0.01, 1);
    auto cur = with_triad(10e9, 0.01, 2);
    const std::size_t i = lower_is_better ? 1 : 0;  // cases[1] is the latency (lower is better)
    for (auto& s : cur.cases[i].metrics[0].samples) s = 0.0;
    core::finalize_metric(cur.cases[i].metrics[0], core::Statistic::kMedian);
    const Comparison cmp = compare(base, cur, {});
    const auto* m = find(cmp, cur.cases[i].metrics[0].name);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->change, Change::kRegression);
    EXPECT_NE(m->note.find("collapsed"), std::string::npos) << m->note;
    EXPECT_FALSE(m->p_value);
    EXPECT_EQ(cmp.regressions, 1u);
    EXPECT_TRUE(cmp.has_regression());
  }
}

TEST(Compare, MissingBrokenNewAndInventory) {
  auto base = with_triad(10e9, 0.01, 1);
  auto cur = with_triad(10e9, 0.01, 2);
  cur.cases[1].status = core::Status::kError;
  cur.cases[1].message = "io_uring_setup failed";
  cur.cases.push_back(make_case("cpu.stream.copy", {}, {metric("bytes_per_s", "B/s", noisy(1e9, 0.01, 9, 5))}));
  base.devices.push_back({});
  base.devices[0].name = "GPU";
  base.devices[0].driver_version = "550.54";
  cur.devices = base.devices;
  cur.devices[0].driver_version = "580.00";
  const auto c = compare(base, cur, {});
  EXPECT_EQ(find(c, "latency_p99_s")->change, Change::kMissing);
  EXPECT_NE(find(c, "latency_p99_s")->note.find("io_uring_setup failed"), std::string::npos);
  EXPECT_EQ(c.broken, 1u);
  EXPECT_TRUE(c.has_regression());
  bool saw_new = false;
  for (const auto& m : c.metrics) saw_new |= m.case_name == "cpu.stream.copy" && m.change == Change::kNew;
  EXPECT_TRUE(saw_new);
  ASSERT_EQ(c.inventory_changes.size(), 1u);
  EXPECT_EQ(c.inventory_changes[0].field, "GPU 0 driver_version");
  EXPECT_EQ(c.inventory_changes[0].baseline, "550.54");
  EXPECT_EQ(c.inventory_changes[0].current, "580.00");
}

TEST(Compare, AClockShiftIsNamedAsAPossibleCause) {
  // Medians 3.71 -> 3.55 GHz on all threads (as in a disturbed pair on the development VM), and a
  // one-thread clock that did not move: the warning names the widest instance and the shift.
  const auto with_clock = [](double all_threads_hz, unsigned seed) {
    auto r = with_triad(10e9, 0.01, seed);
    r.cases.push_back(make_case("cpu.clock", {{"threads", std::int64_t{1}}},
                                {metric("clock_hz", "Hz", noisy(3.6e9, 0.002, 9, seed + 7))}));
    r.cases.push_back(make_case("cpu.clock", {{"threads", std::int64_t{2}}},
                                {metric("clock_hz", "Hz", {all_threads_hz, all_threads_hz, all_threads_hz})}));
    return r;
  };
  const auto moved = compare(with_clock(3.71e9, 1), with_clock(3.55e9, 2), {});
  ASSERT_EQ(moved.warnings.size(), 2u);  // the clock, and n = 3 on the clock case
  const auto& w = moved.warnings.back();
  EXPECT_NE(w.find("the measured CPU clock moved -4.3 % (3.71 -> 3.55 GHz, cpu.clock threads=2)"), std::string::npos)
      << w;
  // Within the probe's noise (1 %): no warning about the clock.
  const auto steady = compare(with_clock(3.71e9, 1), with_clock(3.675e9, 2), {});
  for (const auto& x : steady.warnings) EXPECT_EQ(x.find("CPU clock"), std::string::npos) << x;
}

TEST(Compare, ABusyRunIsNamedAsAPossibleCause) {
  auto base = with_triad(10e9, 0.01, 1);
  auto cur = with_triad(10e9, 0.01, 2);
  base.run.activity = core::Activity{60.0, 2, 0.05, 0.0, 0.4};  // idle: nothing said
  cur.run.activity = core::Activity{60.0, 2, 1.46, 0.0, 6.3};   // a build ran beside it
  auto c = compare(base, cur, {});
  std::size_t busy = 0;
  for (const auto& w : c.warnings) {
    if (w.find("busy") == std::string::npos) continue;
    ++busy;
    EXPECT_EQ(w,
              "the current run was busy: other processes kept 1.46 of 2 CPUs busy on average during it; its CPU and "
              "memory figures understate the machine, so a difference may be the load, not the software");
  }
  EXPECT_EQ(busy, 1u);
  // Under mpirun the job's own ranks count as other processes: no claim is made.
  cur.run.world_size = 2;
  c = compare(base, cur, {});
  for (const auto& w : c.warnings) EXPECT_EQ(w.find("busy"), std::string::npos) << w;
  // Files from before schema 1.2 have no activity: nothing said either.
  base.run.activity.reset();
  cur.run.activity.reset();
  cur.run.world_size = 1;
  c = compare(base, cur, {});
  for (const auto& w : c.warnings) EXPECT_EQ(w.find("busy"), std::string::npos) << w;
}

TEST(Compare, CountsOnlyTestedMetrics) {
  auto base = with_triad(10e9, 0.01, 1);
  auto cur = with_triad(10e9, 0.01, 2);
  cur.cases.push_back(make_case("cpu.stream.copy", {}, {metric("bytes_per_s", "B/s", noisy(1e9, 0.01, 9, 5))}));
  const auto c = compare(base, cur, {});
  EXPECT_EQ(c.metrics.size(), 3u);  // triad, latency, and the new copy
  EXPECT_EQ(c.tested, 2u);          // the new metric is listed, not tested
  EXPECT_TRUE(c.problems.empty()) << c.problems.front();
  EXPECT_TRUE(c.passed());
}

TEST(Compare, NothingComparedFails) {
  const auto base = with_triad(10e9, 0.01, 1);
  // The current run has no cases at all.
  auto empty = host_results();
  const auto c = compare(base, empty, {});
  EXPECT_EQ(c.tested, 0u);
  EXPECT_EQ(c.regressions, 0u);
  EXPECT_FALSE(c.has_regression());
  EXPECT_FALSE(c.passed());
  // Both reasons: the cases are gone, and nothing was compared.
  ASSERT_EQ(c.problems.size(), 2u);
  EXPECT_EQ(c.problems[0].rfind("2 case(s) that passed in the baseline are missing or waived now (cpu.stream.triad", 0), 0u)
      << c.problems[0];
  EXPECT_EQ(c.problems[1], "nothing was compared: no metric has samples in both runs that could show a change at "
                           "alpha 0.05 (2 listed: missing, new or untested)");
  // Every case waived now (a node without the device): nothing tested either.
  auto waived = with_triad(10e9, 0.01, 2);
  for (auto& k : waived.cases) {
    k.status = core::Status::kWaived;
    k.message = "no such device";
  }
  const auto w = compare(base, waived, {});
  EXPECT_EQ(w.tested, 0u);
  EXPECT_EQ(w.broken, 0u);
  EXPECT_FALSE(w.passed());
  ASSERT_EQ(w.problems.size(), 2u);
  EXPECT_EQ(w.problems[1].rfind("nothing was compared", 0), 0u) << w.problems[1];
}

TEST(Compare, CasesGoneFromTheCurrentRunFailUnlessAllowed) {
  // A GPU case that passed in the baseline is absent now (the GPU fell off the bus), the host case
  // is unchanged: the check fails on the missing case, not silently on what is left.
  auto base = with_triad(10e9, 0.01, 1);
  auto gpu = make_case("cuda.gemm.bf16", {{"m", std::int64_t{8192}}}, {metric("flop_per_s", "FLOP/s", noisy(7e14, 0.01, 9, 5))});
  gpu.device = "cuda:0";
  base.cases.push_back(gpu);
  const auto cur = with_triad(10e9, 0.01, 2);
  const auto c = compare(base, cur, {});
  EXPECT_EQ(c.tested, 2u);
  EXPECT_FALSE(c.has_regression());
  EXPECT_FALSE(c.passed());
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0], "1 case(s) that passed in the baseline are missing or waived now (cuda.gemm.bf16 m=8192 on "
                           "cuda:0): a device or rank count gone, or a benchmark the current run did not cover; pass "
                           "--allow-missing to judge only what both runs have");
  CompareOptions allow;
  allow.allow_missing = true;
  const auto a = compare(base, cur, allow);
  EXPECT_TRUE(a.passed());
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_NE(a.warnings.back().find("(allowed by --allow-missing): cuda.gemm.bf16 m=8192 on cuda:0"), std::string::npos)
      << a.warnings.back();
  // A current run that did not mean to run the case: filtered to the host cases, or another suite.
  auto filtered = cur;
  filtered.run.filter = "cpu.*";
  EXPECT_TRUE(compare(base, filtered, {}).passed());
  auto standard = cur;
  standard.run.policy.suite = "standard";
  EXPECT_TRUE(compare(base, standard, {}).passed());
  // Waived now counts whatever the filter or suite: the device is not there.
  auto waived = filtered;
  auto w = gpu;
  w.status = core::Status::kWaived;
  w.message = "no CUDA device";
  w.metrics.clear();
  waived.cases.push_back(w);
  EXPECT_FALSE(compare(base, waived, {}).passed());
}

TEST(Compare, IncompleteCurrentRunFailsUnlessAllowed) {
  const auto base = with_triad(10e9, 0.01, 1);
  auto cur = with_triad(10e9, 0.01, 2);
  cur.run.incomplete = true;
  cur.run.incomplete_reason = "interrupted by SIGINT after 2 of 40 cases";
  const auto c = compare(base, cur, {});
  EXPECT_EQ(c.tested, 2u);
  EXPECT_FALSE(c.has_regression());
  EXPECT_TRUE(c.current_incomplete);
  EXPECT_FALSE(c.passed());
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0],
            "the current run is incomplete (interrupted by SIGINT after 2 of 40 cases): the cases it did not reach were "
            "not compared; pass --allow-incomplete to accept what was measured");
  CompareOptions allow;
  allow.allow_incomplete = true;
  const auto a = compare(base, cur, allow);
  EXPECT_TRUE(a.passed());
  EXPECT_TRUE(a.current_incomplete);
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_EQ(a.warnings[0], "the current run is incomplete (allowed by --allow-incomplete): interrupted by SIGINT after "
                           "2 of 40 cases");
  // Incomplete and nothing compared: both reasons, even when allowed.
  auto empty = host_results();
  empty.run.incomplete = true;
  empty.run.incomplete_reason = "interrupted";
  // Allowed, the cases it did not reach are not "gone"; but nothing was compared.
  const auto e = compare(base, empty, allow);
  ASSERT_EQ(e.problems.size(), 1u);
  EXPECT_EQ(e.problems[0].rfind("nothing was compared", 0), 0u);
  // Not allowed: incomplete, the cases gone, and nothing compared.
  EXPECT_EQ(compare(base, empty, {}).problems.size(), 3u);
}

TEST(Compare, NullInBothRunsIsNotMissing) {
  // A derived metric with value null on both sides (mpi.broadcast.alpha_beta's bandwidth on one rank).
  const auto run = [](unsigned seed) {
    auto r = with_triad(10e9, 0.01, seed);
    core::Metric beta;
    beta.name = "beta_bytes_per_s";
    beta.unit = "B/s";
    beta.provenance = "derived";
    core::Metric alpha = beta;
    alpha.name = "alpha_s";
    alpha.unit = "s";
    alpha.better = core::Better::kLower;
    alpha.value = 2e-6;
    r.cases.push_back(make_case("mpi.broadcast.alpha_beta", {}, {alpha, beta}));
    return r;
  };
  const auto c = compare(run(1), run(2), {});
  const auto* beta = find(c, "beta_bytes_per_s");
  ASSERT_NE(beta, nullptr);
  EXPECT_EQ(beta->change, Change::kUntested);
  EXPECT_EQ(beta->note, "not measured in either run (null in both)");
  EXPECT_FALSE(beta->baseline_median);
  EXPECT_FALSE(beta->current_median);
  for (const auto& m : c.metrics) EXPECT_NE(m.change, Change::kMissing) << m.metric << ": " << m.note;
  EXPECT_EQ(c.tested, 2u);  // triad and latency; alpha_s has no samples (untested), beta is null
  EXPECT_TRUE(c.passed());
  // Measured before, null now: that is missing, and says why.
  auto lost = run(2);
  lost.cases.back().metrics[0].value.reset();
  const auto l = compare(run(1), lost, {});
  EXPECT_EQ(find(l, "alpha_s")->change, Change::kMissing);
  EXPECT_EQ(find(l, "alpha_s")->note, "metric not measured in the current run (null)");
}

TEST(Compare, SingleSampleByDesignDoesNotAskForMoreRepetitions) {
  // storage.small_files: nine timed read repetitions, and one create pass per case in every suite.
  const auto run = [](unsigned seed) {
    auto r = host_results();
    auto k = make_case("storage.small_files", {{"files", std::int64_t{2000}}},
                       {metric("read_files_per_s", "files/s", noisy(5e4, 0.01, 9, seed)),
                        metric("create_files_per_s", "files/s", {3e4 * (1 + 0.01 * seed)})});
    k.samples_s = noisy(0.04, 0.01, 9, seed + 50);
    r.cases.push_back(k);
    return r;
  };
  const auto c = compare(run(1), run(2), {});
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
  const auto* create = find(c, "create_files_per_s");
  ASSERT_NE(create, nullptr);
  // One sample a side cannot reach alpha whatever the change: listed, not counted as tested.
  EXPECT_EQ(create->change, Change::kUntested);
  EXPECT_EQ(create->note,
            "1 / 1 sample(s), one value per case by design: no change can be flagged (smallest p 0.5 >= alpha 0.05)");
  EXPECT_EQ(c.tested, 1u);
  // The same case with three repetitions: the per-repetition metric still gets the advice.
  const auto few = [](unsigned seed) {
    auto r = host_results();
    auto k = make_case("storage.small_files", {}, {metric("read_files_per_s", "files/s", noisy(5e4, 0.01, 3, seed)),
                                                   metric("create_files_per_s", "files/s", {3e4})});
    k.samples_s = {0.04, 0.041, 0.039};
    r.cases.push_back(k);
    return r;
  };
  const auto f = compare(few(1), few(2), {});
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_EQ(f.warnings[0].rfind("1 metric(s) have fewer than 9 repetitions on a side (smallest n = 3)", 0), 0u)
      << f.warnings[0];
}

TEST(Compare, MetricsNoChangeCanBeFlaggedInDoNotPassTheGate) {
  // One repetition a side: a 50 % drop cannot be shown at alpha 0.05 (smallest p 0.5), so nothing
  // was tested and the check fails instead of passing "OK, 1 tested".
  const auto one = [](double v) {
    auto r = host_results();
    r.cases.push_back(make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "B/s", {v})}));
    return r;
  };
  const auto c = compare(one(10e9), one(5e9), {});
  EXPECT_EQ(c.tested, 0u);
  EXPECT_EQ(c.regressions, 0u);
  EXPECT_FALSE(c.passed());
  const auto* m = find(c, "bytes_per_s");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->note, "1 / 1 sample(s): no change can be flagged (smallest p 0.5 >= alpha 0.05)");
  ASSERT_EQ(c.warnings.size(), 1u);  // and the few-repetitions advice says how to get a testable run
  EXPECT_NE(c.warnings[0].find("smallest n = 1"), std::string::npos) << c.warnings[0];
}

TEST(Compare, CaseThatDidNotPassInTheBaselineIsListedAsNew) {
  auto base = with_triad(10e9, 0.01, 1);
  base.cases[1].status = core::Status::kWaived;
  base.cases[1].message = "no NVMe device";
  base.cases[1].metrics.clear();
  const auto cur = with_triad(10e9, 0.01, 2);
  const auto c = compare(base, cur, {});
  const auto* m = find(c, "latency_p99_s");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->change, Change::kNew);
  EXPECT_EQ(m->note, "passes now; baseline: waived: no NVMe device");
  EXPECT_EQ(m->n_current, 9u);
  EXPECT_EQ(c.tested, 1u);
  EXPECT_EQ(c.metrics.size(), 2u);
}

TEST(Compare, ParameterOrderDoesNotMatter) {
  // The same cases with their parameters in another order (a file written without param_order
  // reads back alphabetical) are the same cases: compared, none missing or new.
  auto base = with_triad(10e9, 0.01, 1);
  base.cases.push_back(make_case("cpu.gemm.fp64", {{"m", std::int64_t{512}}, {"n", std::int64_t{256}}, {"k", std::int64_t{128}}},
                                 {metric("flop_per_s", "FLOP/s", noisy(1e12, 0.01, 9, 7))}));
  auto cur = with_triad(10e9, 0.01, 2);
  cur.cases.push_back(make_case("cpu.gemm.fp64", {{"k", std::int64_t{128}}, {"m", std::int64_t{512}}, {"n", std::int64_t{256}}},
                                {metric("flop_per_s", "FLOP/s", noisy(1e12, 0.01, 9, 8))}));
  const auto c = compare(base, cur, {});
  EXPECT_EQ(c.tested, 3u);
  EXPECT_TRUE(c.passed()) << (c.problems.empty() ? "" : c.problems[0]);
  for (const auto& m : c.metrics) EXPECT_NE(m.change, Change::kMissing) << m.case_name;
  for (const auto& m : c.metrics) EXPECT_NE(m.change, Change::kNew) << m.case_name;
}

TEST(Compare, MetricGoneFromAPassedCaseFailsUnlessAllowed) {
  // The case passes in both runs, but its latency metric is absent (then null) now: a hole in the
  // comparison like a missing case, so the gate fails without --allow-missing.
  const auto base = with_triad(10e9, 0.01, 1);
  auto cur = with_triad(10e9, 0.01, 2);
  cur.cases[1].metrics.push_back(metric("bytes_per_s", "B/s", noisy(1e9, 0.01, 9, 9)));
  cur.cases[1].metrics.erase(cur.cases[1].metrics.begin());
  for (int variant = 0; variant < 2; ++variant) {
    if (variant == 1) {
      cur = with_triad(10e9, 0.01, 2);
      cur.cases[1].metrics[0].samples.clear();
      cur.cases[1].metrics[0].summary.reset();
      cur.cases[1].metrics[0].value.reset();
    }
    const auto c = compare(base, cur, {});
    EXPECT_EQ(find(c, "latency_p99_s")->change, Change::kMissing);
    EXPECT_FALSE(c.passed()) << variant;
    ASSERT_EQ(c.problems.size(), 1u) << variant;
    EXPECT_NE(c.problems[0].find("1 metric(s) measured in the baseline are missing or null now in a case that passed "
                                 "(storage.rand_read block_bytes=4096 on host: latency_p99_s)"),
              std::string::npos)
        << c.problems[0];
    CompareOptions allow;
    allow.allow_missing = true;
    const auto a = compare(base, cur, allow);
    EXPECT_TRUE(a.passed()) << variant;
    ASSERT_FALSE(a.warnings.empty());
    EXPECT_NE(a.warnings.back().find("(allowed by --allow-missing): storage.rand_read"), std::string::npos);
  }
}

TEST(Compare, BadOptionsAreInputErrors) {
  CompareOptions o;
  o.alpha = 1.5;
  EXPECT_THROW(compare(with_triad(1, 0, 1), with_triad(1, 0, 1), o), core::InputError);
}

TEST(Fleet, RobustZKnownAnswers) {
  const std::vector<double> v = {1, 2, 3, 4, 100};  // median 3, MAD 1
  const auto z = robust_z_scores(v);
  EXPECT_NEAR(z[4], 97 / 1.4826, 1e-9);
  EXPECT_NEAR(z[0], -2 / 1.4826, 1e-9);
  // MAD 0: mean absolute deviation (2) × 1.2533 is the scale.
  const std::vector<double> w = {10, 10, 10, 10, 20};
  EXPECT_NEAR(robust_z_scores(w)[4], 10 / (1.2533 * 2), 1e-9);
  const std::vector<double> same = {5, 5, 5};
  EXPECT_DOUBLE_EQ(robust_z_scores(same)[0], 0.0);
}

/// Six nodes' triad runs, node4 25 % slow: 100, 101, 99.5, 100.5, 75, 100.2 GB/s.
struct SixNodes {
  std::vector<core::Results> runs;
  std::vector<std::string> labels;
};
SixNodes six_nodes_one_slow() {
  SixNodes n;
  const double triad[] = {100e9, 101e9, 99.5e9, 100.5e9, 75e9, 100.2e9};
  for (int i = 0; i < 6; ++i) {
    auto r = host_results("node" + std::to_string(i));
    r.cases.push_back(make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "B/s", {triad[i]})}));
    n.runs.push_back(r);
    n.labels.push_back(r.host.hostname);
  }
  return n;
}

TEST(Fleet, SlowNodeStandsOut) {
  auto [runs, labels] = six_nodes_one_slow();
  const auto f = fleet_compare(runs, labels, {});
  ASSERT_EQ(f.metrics.size(), 1u);
  EXPECT_EQ(f.bad_outliers, 1u);
  const auto& m = f.metrics[0];
  EXPECT_DOUBLE_EQ(m.median, (100e9 + 100.2e9) / 2);
  for (const auto& n : m.nodes) EXPECT_EQ(n.outlier, n.node == "node4") << n.node << " z=" << n.robust_z;
  EXPECT_TRUE(m.nodes[4].worse);
  EXPECT_TRUE(f.warnings.empty());
  // If node4 was busy during its run, the report says so beside the outlier.
  runs[4].run.activity = core::Activity{40.0, 64, 6.0, 0.0, 7.5};
  runs[0].run.activity = core::Activity{40.0, 64, 1.2, 0.0, 1.0};  // under 2 % of 64 CPUs: idle
  const auto busy = fleet_compare(runs, labels, {});
  ASSERT_EQ(busy.warnings.size(), 1u);
  EXPECT_EQ(busy.warnings[0],
            "node4 was busy during its run: other processes kept 6.00 of 64 CPUs busy on average; its CPU and memory "
            "figures understate the node");
}

TEST(Fleet, BadOptionsAreInputErrors) {
  // A margin or threshold that would silently disable the outlier check is refused, as in compare().
  std::vector<core::Results> runs = {host_results("a"), host_results("b"), host_results("c")};
  const std::vector<std::string> labels = {"a", "b", "c"};
  for (const double bad : {std::nan(""), 1.0, 1e9, -1.0}) {
    FleetOptions o;
    o.min_effect = bad;
    try {
      fleet_compare(runs, labels, o);
      ADD_FAILURE() << bad;
    } catch (const core::InputError& e) {
      EXPECT_EQ(e.json_path(), "--min-effect") << bad;
    }
  }
  for (const double bad : {std::nan(""), HUGE_VAL, 0.0, -1.0}) {
    FleetOptions o;
    o.z_threshold = bad;
    EXPECT_THROW(fleet_compare(runs, labels, o), core::InputError) << bad;
  }
}

TEST(Fleet, FewNodesWarn) {
  std::vector<core::Results> runs = {host_results("a"), host_results("b")};
  const auto f = fleet_compare(runs, {"a", "b"}, {});
  ASSERT_FALSE(f.warnings.empty());
  EXPECT_EQ(f.bad_outliers, 0u);
  EXPECT_THROW(fleet_compare(runs, {"a"}, {}), core::InputError);
}

TEST(Fleet, NothingCheckedAndIncompleteRunsFailLikeTheRegressionGate) {
  std::vector<core::Results> runs;
  std::vector<std::string> labels;
  for (int i = 0; i < 3; ++i) {
    auto r = host_results("node" + std::to_string(i));
    // Parameters in another order on each node: still one metric measured on 3 nodes.
    core::Params p = {{"array_bytes", std::int64_t{1} << 28}, {"threads", std::int64_t{64}}};
    if (i == 1) std::swap(p[0], p[1]);
    r.cases.push_back(make_case("cpu.stream.triad", p, {metric("bytes_per_s", "B/s", {100e9 + i * 1e8})}));
    runs.push_back(r);
    labels.push_back(r.host.hostname);
  }
  const auto ok = fleet_compare(runs, labels, {});
  ASSERT_EQ(ok.metrics.size(), 1u);
  EXPECT_TRUE(ok.passed());
  // Two nodes: nothing can be checked, and a check of nothing does not pass.
  const std::vector<core::Results> two(runs.begin(), runs.begin() + 2);
  const auto f2 = fleet_compare(two, {"node0", "node1"}, {});
  EXPECT_FALSE(f2.passed());
  ASSERT_EQ(f2.problems.size(), 1u);
  EXPECT_EQ(f2.problems[0], "nothing was checked: no metric was measured on at least 3 of the 2 node(s) (outliers need 3)");
  // An interrupted node run fails unless allowed.
  runs[2].run.incomplete = true;
  runs[2].run.incomplete_reason = "interrupted by SIGINT";
  const auto inc = fleet_compare(runs, labels, {});
  EXPECT_FALSE(inc.passed());
  ASSERT_EQ(inc.problems.size(), 1u);
  EXPECT_NE(inc.problems[0].find("the run of node2 is incomplete (interrupted by SIGINT)"), std::string::npos);
  FleetOptions allow;
  allow.allow_incomplete = true;
  EXPECT_TRUE(fleet_compare(runs, labels, allow).passed());
}

TEST(Compare, UnitChangeIsUntestedAndOptionsAreNamed) {
  // The same metric reported in B/s by the baseline and in GB/s now: 1e10 -> 10 is a change of unit,
  // not a 100 % drop, so it is left untested with a note instead of being called a regression.
  auto base = host_results("node-a"), cur = host_results("node-b");
  base.cases.push_back(make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "B/s", noisy(10e9, 0.01, 9, 1))}));
  cur.cases.push_back(make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "GB/s", noisy(10, 0.01, 9, 2))}));
  const auto c = compare(base, cur, {});
  ASSERT_EQ(c.metrics.size(), 1u);
  EXPECT_EQ(c.metrics[0].change, Change::kUntested);
  EXPECT_EQ(c.metrics[0].note, "unit changed from B/s to GB/s");
  EXPECT_EQ(c.regressions, 0u);
  // Runs from two hosts are compared, with a warning naming both.
  EXPECT_NE(std::find(c.warnings.begin(), c.warnings.end(), "different hosts: baseline 'node-a', current 'node-b'"),
            c.warnings.end());
  // Option errors name the flag: --alpha must lie in (0, 0.5), --min-effect in [0, 1).
  const auto flag_of = [&](CompareOptions o) {
    try {
      compare(base, base, o);
    } catch (const core::InputError& e) {
      return e.json_path() + ": " + e.expected();
    }
    return std::string("(accepted)");
  };
  CompareOptions o;
  o.alpha = 0.5;
  EXPECT_EQ(flag_of(o), "--alpha: a level in (0, 0.5)");
  o = {};
  o.min_effect = 1.0;
  EXPECT_EQ(flag_of(o), "--min-effect: a fraction in [0, 1)");
  o.min_effect = -0.01;
  EXPECT_EQ(flag_of(o), "--min-effect: a fraction in [0, 1)");
  o.min_effect = 0.0;  // the closed end is allowed
  EXPECT_EQ(flag_of(o), "(accepted)");
}

TEST(Fleet, JsonCarriesTheOutlierFigures) {
  // `headroom compare --fleet DIR --json`: six nodes, node4 slow. By hand: sorted values 75, 99.5,
  // 100, 100.2, 100.5, 101 (GB/s) -> median 100.1; absolute deviations 0.6, 0.9, 0.1, 0.4, 25.1, 0.1
  // -> sorted 0.1 0.1 0.4 0.6 0.9 25.1 -> MAD 0.5; node4's robust z = (75 - 100.1) / (1.4826 · 0.5)
  // = -33.859..., node1's = 0.9 / 0.7413 = 1.214... (inside 3.5: not an outlier).
  auto [runs, labels] = six_nodes_one_slow();
  const auto doc = nlohmann::json::parse(fleet_to_json(fleet_compare(runs, labels, {})));
  EXPECT_EQ(doc["schema"], "headroom.fleet");
  EXPECT_EQ(doc["schema_version"], "1.0");
  EXPECT_DOUBLE_EQ(doc["z_threshold"].get<double>(), 3.5);
  EXPECT_DOUBLE_EQ(doc["min_effect"].get<double>(), 0.03);
  EXPECT_EQ(doc["nodes"], nlohmann::json({"node0", "node1", "node2", "node3", "node4", "node5"}));
  EXPECT_EQ(doc["bad_outliers"], 1);
  EXPECT_EQ(doc["passed"], false);
  EXPECT_TRUE(doc["problems"].empty());
  ASSERT_EQ(doc["metrics"].size(), 1u);
  const auto& m = doc["metrics"][0];
  EXPECT_EQ(m["case"], "cpu.stream.triad");
  EXPECT_EQ(m["device"], "host");
  EXPECT_EQ(m["metric"], "bytes_per_s");
  EXPECT_EQ(m["unit"], "B/s");
  EXPECT_EQ(m["better"], "higher");
  EXPECT_NEAR(m["median"].get<double>(), 100.1e9, 1);
  EXPECT_NEAR(m["mad"].get<double>(), 0.5e9, 1);
  EXPECT_DOUBLE_EQ(m["min"].get<double>(), 75e9);
  EXPECT_DOUBLE_EQ(m["max"].get<double>(), 101e9);
  EXPECT_EQ(m["bad_outliers"], 1);
  ASSERT_EQ(m["nodes"].size(), 6u);
  const auto& slow = m["nodes"][4];
  EXPECT_EQ(slow["node"], "node4");
  EXPECT_DOUBLE_EQ(slow["value"].get<double>(), 75e9);
  EXPECT_NEAR(slow["robust_z"].get<double>(), -25.1 / (1.4826 * 0.5), 1e-6);
  EXPECT_EQ(slow["outlier"], true);
  EXPECT_EQ(slow["worse"], true);
  EXPECT_NEAR(m["nodes"][1]["robust_z"].get<double>(), 0.9 / (1.4826 * 0.5), 1e-6);
  EXPECT_EQ(m["nodes"][1]["outlier"], false);
}
