#include <gtest/gtest.h>

#include "headroom/bench/sampling.hpp"

using namespace headroom;

TEST(Sampling, WarmupThenRepetitions) {
  core::RunPolicy p;
  p.warmup = 3;
  p.repetitions = 5;
  bench::RunContext ctx(p, nullptr);
  int calls = 0;
  const auto s = bench::sample(ctx, [&] { return static_cast<double>(++calls); });
  EXPECT_EQ(calls, 8);
  EXPECT_EQ(s, (std::vector<double>{4, 5, 6, 7, 8}));  // warm-up results are discarded
}

TEST(Sampling, MaxCaseTimeStopsEarlyWithANote) {
  core::RunPolicy p;
  p.warmup = 0;
  p.repetitions = 1000;
  p.max_case_s = 0.02;
  bench::RunContext ctx(p, nullptr);
  const auto s = bench::sample(ctx, [] {
    const double t0 = bench::now_s();
    while (bench::now_s() - t0 < 0.005) {
    }
    return 0.005;
  });
  EXPECT_GE(s.size(), 1u);
  EXPECT_LT(s.size(), 20u);
  ASSERT_EQ(ctx.notes().size(), 1u);
  EXPECT_NE(ctx.notes()[0].find("max_case_s"), std::string::npos);
}

TEST(Sampling, CancelKeepsAtLeastOneSample) {
  core::RunPolicy p;
  p.warmup = 1;
  p.repetitions = 10;
  std::atomic<bool> cancel{true};
  bench::RunContext ctx(p, &cancel);
  const auto s = bench::sample(ctx, [] { return 1.0; });
  EXPECT_EQ(s.size(), 1u);
}

TEST(Sampling, HostSamplingCalibratesInnerLoopToMinTime) {
  core::RunPolicy p;
  p.warmup = 0;
  p.repetitions = 3;
  p.min_time_s = 0.01;
  bench::RunContext ctx(p, nullptr);
  long calls = 0;
  volatile double sink = 0;
  const auto s = bench::sample_host(ctx, [&] {
    ++calls;
    for (int i = 0; i < 1000; ++i) sink = sink + i;
  });
  ASSERT_EQ(s.size(), 3u);
  // Each sample is the time per call; the inner loop made every sample last >= 10 ms.
  EXPECT_GT(calls, 30);
  for (double x : s) EXPECT_LT(x, 0.005);
}

TEST(Sampling, ThroughputAndTimeMetrics) {
  const auto m = bench::throughput_metric("bytes_per_s", "B/s", 1e9, {0.5, 1.0, 2.0, 0.0}, "read+written",
                                          core::Statistic::kMedian);
  EXPECT_EQ(m.samples, (std::vector<double>{2e9, 1e9, 0.5e9}));  // a zero-time sample is dropped
  EXPECT_DOUBLE_EQ(*m.value, 1e9);
  EXPECT_EQ(m.better, core::Better::kHigher);
  const auto t = bench::time_metric("latency_s", {1e-6, 3e-6, 2e-6}, "", core::Statistic::kMax, 1.0);
  EXPECT_DOUBLE_EQ(*t.value, 3e-6);
  EXPECT_EQ(t.better, core::Better::kLower);
}
