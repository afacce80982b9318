#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "headroom/core/errors.hpp"
#include "headroom/core/stats.hpp"

using namespace headroom::core;

TEST(Stats, SummaryKnownAnswers) {
  const std::vector<double> v = {4, 1, 3, 2, 5};
  const Summary s = summarize(v);
  EXPECT_EQ(s.n, 5);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 5);
  EXPECT_DOUBLE_EQ(s.stdev, std::sqrt(2.5));  // sample stdev, n-1
  EXPECT_DOUBLE_EQ(s.cv, std::sqrt(2.5) / 3);
  // Type-7 percentiles: h = q (n-1); p5 -> 1 + 0.2*(2-1) = 1.2; p95 -> 4 + 0.8*(5-4) = 4.8.
  EXPECT_DOUBLE_EQ(s.p5, 1.2);
  EXPECT_DOUBLE_EQ(s.p95, 4.8);
}

TEST(Stats, EvenCountMedianInterpolates) {
  const std::vector<double> v = {10, 20, 30, 40};
  EXPECT_DOUBLE_EQ(summarize(v).median, 25);
  EXPECT_DOUBLE_EQ(percentile(v, 0.25), 17.5);
  EXPECT_DOUBLE_EQ(percentile(v, 1.0), 40);
}

TEST(Stats, SingleSampleHasZeroSpread) {
  const std::vector<double> v = {7.5};
  const Summary s = summarize(v);
  EXPECT_DOUBLE_EQ(s.median, 7.5);
  EXPECT_DOUBLE_EQ(s.stdev, 0);
  EXPECT_DOUBLE_EQ(s.p95, 7.5);
}

TEST(Stats, RejectsEmptyAndNonFinite) {
  EXPECT_THROW(summarize(std::vector<double>{}), InputError);
  EXPECT_THROW(summarize(std::vector<double>{1, NAN}), InputError);
  EXPECT_THROW(summarize(std::vector<double>{1, INFINITY}), InputError);
  EXPECT_THROW(percentile(std::vector<double>{1, 2}, 1.5), InputError);
}

TEST(Stats, PickStatistic) {
  const Summary s = summarize(std::vector<double>{1, 2, 9});
  EXPECT_DOUBLE_EQ(pick(s, Statistic::kMedian), 2);
  EXPECT_DOUBLE_EQ(pick(s, Statistic::kMean), 4);
  EXPECT_DOUBLE_EQ(pick(s, Statistic::kMax), 9);
  EXPECT_EQ(statistic_from_string("min"), Statistic::kMin);
  EXPECT_THROW(statistic_from_string("mode"), InputError);
}

TEST(Stats, AlphaBetaRecoversExactModelOverManyDecades) {
  // t = 5 us + bytes / 100 GB/s, from 8 B to 1 GiB: small messages are latency-bound, large ones
  // bandwidth-bound; the relative-error fit must recover both exactly.
  const double alpha = 5e-6, beta = 100e9;
  std::vector<double> x, y;
  for (double b = 8; b <= 1024.0 * 1024 * 1024; b *= 2) {
    x.push_back(b);
    y.push_back(alpha + b / beta);
  }
  const AlphaBeta ab = fit_alpha_beta(x, y);
  EXPECT_NEAR(ab.alpha_s, alpha, alpha * 1e-9);
  EXPECT_NEAR(ab.beta_bytes_per_s, beta, beta * 1e-9);
  EXPECT_NEAR(ab.r2, 1.0, 1e-12);
}

TEST(Stats, AlphaBetaNoisyPointsStayClose) {
  const double alpha = 20e-6, beta = 10e9;
  std::vector<double> x, y;
  int i = 0;
  for (double b = 1024; b <= 256.0 * 1024 * 1024; b *= 4, ++i) {
    x.push_back(b);
    y.push_back((alpha + b / beta) * (i % 2 ? 1.03 : 0.97));  // ±3 % alternating noise
  }
  const AlphaBeta ab = fit_alpha_beta(x, y);
  EXPECT_NEAR(ab.alpha_s / alpha, 1.0, 0.1);
  EXPECT_NEAR(ab.beta_bytes_per_s / beta, 1.0, 0.1);
  EXPECT_GT(ab.r2, 0.99);
}

TEST(Stats, AlphaBetaNegativeInterceptRefitsThroughOrigin) {
  // Pure bandwidth with a super-linear blip would give a negative intercept; alpha is clamped to 0.
  const std::vector<double> x = {1e6, 2e6, 4e6};
  const std::vector<double> y = {0.9e-4, 2.0e-4, 4.1e-4};
  const AlphaBeta ab = fit_alpha_beta(x, y);
  EXPECT_EQ(ab.alpha_s, 0.0);
  EXPECT_GT(ab.beta_bytes_per_s, 9e9);
  EXPECT_LT(ab.beta_bytes_per_s, 11e9);
}

TEST(Stats, AlphaBetaNeedsTwoDistinctSizes) {
  EXPECT_THROW(fit_alpha_beta(std::vector<double>{1}, std::vector<double>{1}), InputError);
  EXPECT_THROW(fit_alpha_beta(std::vector<double>{8, 8}, std::vector<double>{1, 2}), InputError);
  EXPECT_THROW(fit_alpha_beta(std::vector<double>{8, 16}, std::vector<double>{1, 0}), InputError);
}
