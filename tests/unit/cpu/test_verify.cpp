// GEMM verification: a correct product passes, a corrupted one is caught.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "cpu_benchmarks.hpp"
#include "headroom/core/errors.hpp"

namespace cpu = headroom::bench::cpu;

namespace {

template <typename T>
struct Problem {
  std::int64_t m, n, k;
  std::vector<T> a, b, c;
  Problem(std::int64_t m_, std::int64_t n_, std::int64_t k_) : m(m_), n(n_), k(k_), a(m * k), b(k * n), c(m * n) {
    cpu::fill_uniform(a.data(), m * k, 1, T(-1), T(1), 1);
    cpu::fill_uniform(b.data(), k * n, 2, T(-1), T(1), 1);
    // A plain triple loop in T (column-major), accumulating in T as a BLAS does.
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t i = 0; i < m; ++i) {
        T s = 0;
        for (std::int64_t l = 0; l < k; ++l) s += a[i + l * m] * b[l + j * k];
        c[i + j * m] = s;
      }
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> all() const {
    std::vector<std::pair<std::int64_t, std::int64_t>> p;
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t i = 0; i < m; ++i) p.emplace_back(i, j);
    return p;
  }
};

}  // namespace

TEST(CpuVerify, CorrectProductPasses) {
  Problem<double> p(17, 9, 300);
  const auto check = cpu::verify_gemm(p.a.data(), p.b.data(), p.c.data(), p.m, p.n, p.k, p.all());
  EXPECT_TRUE(check.ok) << check.detail;
  EXPECT_EQ(check.checked, 17 * 9);
  EXPECT_LE(check.worst_ratio, 1.0);
  Problem<float> f(8, 8, 2000);
  EXPECT_TRUE(cpu::verify_gemm(f.a.data(), f.b.data(), f.c.data(), f.m, f.n, f.k, f.all()).ok);
}

TEST(CpuVerify, CorruptedElementIsCaught) {
  Problem<double> p(16, 16, 64);
  // One element off by 1e-9 (relative to values of order 1): far beyond γ_64·Σ|a·b| ≈ 1e-13.
  p.c[5 + 7 * 16] += 1e-9;
  const auto check = cpu::verify_gemm(p.a.data(), p.b.data(), p.c.data(), p.m, p.n, p.k, p.all());
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.detail.find("C(5, 7)"), std::string::npos) << check.detail;

  Problem<float> f(16, 16, 64);
  f.c[0] = 0.0f;  // a zeroed corner, as an unwritten output would leave it
  EXPECT_FALSE(
      cpu::verify_gemm(f.a.data(), f.b.data(), f.c.data(), f.m, f.n, f.k, cpu::sample_positions(16, 16, 8, 3)).ok);
  f.c[0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(
      cpu::verify_gemm(f.a.data(), f.b.data(), f.c.data(), f.m, f.n, f.k, cpu::sample_positions(16, 16, 8, 3)).ok);
}

TEST(CpuVerify, TransposedOperandIsCaught) {
  // Using Bᵀ instead of B (a layout bug) must fail, even though every value is "plausible".
  Problem<double> p(32, 32, 32);
  std::vector<double> bt(p.b.size());
  for (std::int64_t j = 0; j < 32; ++j)
    for (std::int64_t l = 0; l < 32; ++l) bt[l + j * 32] = p.b[j + l * 32];
  EXPECT_FALSE(
      cpu::verify_gemm(p.a.data(), bt.data(), p.c.data(), 32, 32, 32, cpu::sample_positions(32, 32, 16, 1)).ok);
}

TEST(CpuVerify, SamplePositionsIncludeCornersAndStayInside) {
  const auto pos = cpu::sample_positions(5, 7, 50, 9);
  ASSERT_EQ(pos.size(), 50u);
  EXPECT_EQ(pos[0], std::make_pair(std::int64_t{0}, std::int64_t{0}));
  EXPECT_EQ(pos[3], std::make_pair(std::int64_t{4}, std::int64_t{6}));
  for (const auto& [i, j] : pos) {
    EXPECT_TRUE(i >= 0 && i < 5 && j >= 0 && j < 7);
  }
  Problem<double> p(4, 4, 4);
  EXPECT_THROW(cpu::verify_gemm(p.a.data(), p.b.data(), p.c.data(), 4, 4, 4, {{4, 0}}), headroom::core::InputError);
}
