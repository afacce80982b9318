// Known answers for the counting conventions the CPU benchmarks report with.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "cpu_benchmarks.hpp"
#include "headroom/core/units.hpp"

namespace hc = headroom::core;
namespace cpu = headroom::bench::cpu;

TEST(CpuCounting, GemmFlopIsTwoMnk) {
  EXPECT_DOUBLE_EQ(hc::gemm_flop(1, 1, 1), 2.0);
  EXPECT_DOUBLE_EQ(hc::gemm_flop(256, 256, 256), 33554432.0);
  EXPECT_DOUBLE_EQ(hc::gemm_flop(4096, 4096, 4096), 137438953472.0);
  EXPECT_DOUBLE_EQ(hc::gemm_flop(2, 3, 5), 60.0);  // not square: 2·2·3·5
}

TEST(CpuCounting, StreamBytesAsMcCalpin) {
  // 10^6 doubles: copy/scale touch 2 arrays = 16 MB, add/triad 3 arrays = 24 MB.
  EXPECT_DOUBLE_EQ(hc::stream_bytes(hc::StreamKernel::kCopy, 1000000, 8), 16e6);
  EXPECT_DOUBLE_EQ(hc::stream_bytes(hc::StreamKernel::kScale, 1000000, 8), 16e6);
  EXPECT_DOUBLE_EQ(hc::stream_bytes(hc::StreamKernel::kAdd, 1000000, 8), 24e6);
  EXPECT_DOUBLE_EQ(hc::stream_bytes(hc::StreamKernel::kTriad, 1000000, 8), 24e6);
}

TEST(CpuCounting, GemmToleranceIsGammaK) {
  const double u = 0x1.0p-53;
  // γ_k = k·u / (1 − k·u); plus u·|c| for storing the result.
  const double k_u = 1024 * u;
  EXPECT_DOUBLE_EQ(cpu::gemm_tolerance(1024, 10.0, 2.0, u), k_u / (1 - k_u) * 10.0 + u * 2.0);
  // A k so long that k·u >= 1 has no bound.
  EXPECT_TRUE(std::isinf(cpu::gemm_tolerance(1 << 24, 1.0, 1.0, 0x1.0p-24)));
}

TEST(CpuCounting, FillIsDeterministicAndInRange) {
  std::vector<double> x(10000), y(10000);
  cpu::fill_uniform(x.data(), 10000, 7, -1.0, 1.0, 2);
  cpu::fill_uniform(y.data(), 10000, 7, -1.0, 1.0, 1);  // same values for any thread count
  EXPECT_EQ(x, y);
  int zeros = 0;
  double sum = 0;
  for (double v : x) {
    ASSERT_GE(v, -1.0);
    ASSERT_LT(v, 1.0);
    zeros += v == 0.0;
    sum += v;
  }
  EXPECT_EQ(zeros, 0);
  EXPECT_NEAR(sum / 10000, 0.0, 0.05);  // uniform on [-1, 1): mean 0, stdev of the mean ≈ 0.006
  std::vector<float> f(1000);
  cpu::fill_uniform(f.data(), 1000, 8, 1.0f, 2.0f, 2);
  for (float v : f) {
    ASSERT_GE(v, 1.0f);
    ASSERT_LE(v, 2.0f);
  }
}
