#include <gtest/gtest.h>

#include <cmath>
#include <vector>

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
  // 2 % slower with 0.1 % noise: p is tiny, but below the 3 % minimum effect.
  const auto c = compare(with_triad(10e9, 0.001, 1), with_triad(9.8e9, 0.001, 2), {});
  const auto* m = find(c, "bytes_per_s");
  EXPECT_LT(*m->p_value, 0.001);
  EXPECT_EQ(m->change, Change::kUnchanged);
  CompareOptions strict;
  strict.min_effect = 0.01;
  EXPECT_EQ(find(compare(with_triad(10e9, 0.001, 1), with_triad(9.8e9, 0.001, 2), strict), "bytes_per_s")->change,
            Change::kRegression);
}

TEST(Compare, FewRepetitionsWarnAndCannotBeSignificant) {
  const auto c = compare(with_triad(10e9, 0.001, 1, 3), with_triad(5e9, 0.001, 2, 3), {});
  EXPECT_EQ(c.regressions, 0u);  // 2/C(6,3) = 0.1 > alpha
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_NE(c.warnings.front().find("smallest n = 3"), std::string::npos);
  EXPECT_NE(c.warnings.front().find("can be significant"), std::string::npos);
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

TEST(Fleet, SlowNodeStandsOut) {
  std::vector<core::Results> runs;
  std::vector<std::string> labels;
  const double triad[] = {100e9, 101e9, 99.5e9, 100.5e9, 75e9, 100.2e9};
  for (int i = 0; i < 6; ++i) {
    auto r = host_results("node" + std::to_string(i));
    r.cases.push_back(make_case("cpu.stream.triad", {}, {metric("bytes_per_s", "B/s", {triad[i]})}));
    runs.push_back(r);
    labels.push_back(r.host.hostname);
  }
  const auto f = fleet_compare(runs, labels, {});
  ASSERT_EQ(f.metrics.size(), 1u);
  EXPECT_EQ(f.bad_outliers, 1u);
  const auto& m = f.metrics[0];
  EXPECT_DOUBLE_EQ(m.median, (100e9 + 100.2e9) / 2);
  for (const auto& n : m.nodes) EXPECT_EQ(n.outlier, n.node == "node4") << n.node << " z=" << n.robust_z;
  EXPECT_TRUE(m.nodes[4].worse);
}

TEST(Fleet, FewNodesWarn) {
  std::vector<core::Results> runs = {host_results("a"), host_results("b")};
  const auto f = fleet_compare(runs, {"a", "b"}, {});
  ASSERT_FALSE(f.warnings.empty());
  EXPECT_EQ(f.bad_outliers, 0u);
  EXPECT_THROW(fleet_compare(runs, {"a"}, {}), core::InputError);
}
