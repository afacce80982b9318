// Known answers for the CUDA backend's CPU side: precisions, sweeps, byte/FLOP counting,
// rotation, tolerance checks, waiver reasons and result assembly.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>

#include "headroom/core/errors.hpp"
#include "headroom/gpu/pattern.hpp"
#include "headroom/gpu/plan.hpp"

namespace gpu = headroom::bench::gpu;
namespace core = headroom::core;

TEST(GpuPrecision, TableInCaseOrder) {
  std::vector<std::string> names;
  for (const auto& p : gpu::precisions()) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"fp64", "fp32", "tf32", "fp16", "bf16", "fp8", "int8"}));
  EXPECT_EQ(gpu::precision_info(gpu::Precision::kInt8).unit, "OP/s");
  EXPECT_EQ(gpu::precision_info(gpu::Precision::kBf16).unit, "FLOP/s");
  EXPECT_EQ(gpu::precision_info(gpu::Precision::kFp8).input_bytes, 1);
  EXPECT_EQ(gpu::precision_info(gpu::Precision::kFp8).output_bytes, 2);   // bf16 output
  EXPECT_EQ(gpu::precision_info(gpu::Precision::kInt8).output_bytes, 4);  // int32 accumulators
  for (const auto& p : gpu::precisions()) EXPECT_EQ(gpu::precision_from_string(p.name), p.precision);
  EXPECT_THROW(gpu::precision_from_string("fp4"), core::InputError);
}

TEST(GpuPrecision, TolerancesAreOrderedByPrecision) {
  auto tol = [](gpu::Precision p) { return gpu::precision_info(p).tolerance; };
  EXPECT_EQ(tol(gpu::Precision::kInt8), 0.0);  // integer accumulation is exact
  EXPECT_LT(tol(gpu::Precision::kFp64), tol(gpu::Precision::kFp32));
  // tf32 error (~4e-4) must fail the fp32 check, or tf32 used silently for fp32 would pass.
  EXPECT_LT(tol(gpu::Precision::kFp32), 4e-4);
  EXPECT_LT(tol(gpu::Precision::kFp32), tol(gpu::Precision::kTf32));
  EXPECT_LT(tol(gpu::Precision::kFp16), tol(gpu::Precision::kBf16));
  EXPECT_LE(tol(gpu::Precision::kBf16), tol(gpu::Precision::kFp8));
}

TEST(GpuPrecision, UnsupportedReasons) {
  EXPECT_EQ(gpu::precision_unsupported_reason(gpu::Precision::kFp8, 9, 0), "");
  EXPECT_EQ(gpu::precision_unsupported_reason(gpu::Precision::kFp8, 8, 9), "");
  const std::string a100 = gpu::precision_unsupported_reason(gpu::Precision::kFp8, 8, 0);
  EXPECT_NE(a100.find("fp8 e4m3"), std::string::npos) << a100;
  EXPECT_NE(a100.find("8.9"), std::string::npos) << a100;
  EXPECT_NE(a100.find("8.0"), std::string::npos) << a100;
  EXPECT_NE(gpu::precision_unsupported_reason(gpu::Precision::kBf16, 7, 5), "");
  EXPECT_NE(gpu::precision_unsupported_reason(gpu::Precision::kTf32, 7, 5), "");
  EXPECT_EQ(gpu::precision_unsupported_reason(gpu::Precision::kFp16, 7, 5), "");
  EXPECT_EQ(gpu::precision_unsupported_reason(gpu::Precision::kInt8, 10, 0), "");
}

TEST(GpuSweep, GemmShapesPerSuite) {
  const auto quick = gpu::gemm_shapes("quick");
  ASSERT_EQ(quick.size(), 3u);
  EXPECT_EQ(quick[0], (gpu::GemmShape{4096, 4096, 4096, "square"}));
  EXPECT_EQ(quick[1], (gpu::GemmShape{8192, 8192, 8192, "square"}));
  EXPECT_EQ(quick[2], (gpu::GemmShape{8192, 4096, 14336, "llama3_8b.mlp_down"}));
  const auto standard = gpu::gemm_shapes("standard");
  EXPECT_EQ(standard.size(), 5u + 6u);  // 1024…16384 ×2, six LLM shapes
  EXPECT_EQ(standard.front().m, 1024);
  EXPECT_EQ(standard[4].m, 16384);
  const auto full = gpu::gemm_shapes("full");
  EXPECT_EQ(full.size(), 8u + 6u);
  EXPECT_EQ(full[1].m, 2048);
  EXPECT_EQ(full[2].m, 3072);
  EXPECT_THROW(gpu::gemm_shapes("huge"), core::InputError);
}

TEST(GpuCounting, GemmSetBytesAndFlops) {
  const gpu::GemmShape s{1024, 1024, 1024, "square"};
  EXPECT_EQ(gpu::gemm_set_bytes(s, gpu::Precision::kBf16), 6.0 * 1024 * 1024);
  EXPECT_EQ(gpu::gemm_set_bytes(s, gpu::Precision::kFp8), 4.0 * 1024 * 1024);   // A, B 1 B; C bf16
  EXPECT_EQ(gpu::gemm_set_bytes(s, gpu::Precision::kInt8), 6.0 * 1024 * 1024);  // C int32
  EXPECT_EQ(gpu::gemm_set_bytes(s, gpu::Precision::kFp64), 24.0 * 1024 * 1024);
  const gpu::GemmShape r{8192, 4096, 14336, "x"};
  EXPECT_EQ(gpu::gemm_set_bytes(r, gpu::Precision::kFp16), (8192.0 * 14336 + 14336.0 * 4096) * 2 + 8192.0 * 4096 * 2);

  const auto m = gpu::gemm_metrics(s, gpu::Precision::kBf16, {1e-3, 2e-3, 1e-3}, core::Statistic::kMedian);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].name, "flop_per_s");
  EXPECT_EQ(m[0].unit, "FLOP/s");
  EXPECT_DOUBLE_EQ(*m[0].value, 2.0 * 1024 * 1024 * 1024 / 1e-3);  // 2.147e12
  EXPECT_EQ(m[0].samples.size(), 3u);
  EXPECT_EQ(m[1].name, "time_s");
  EXPECT_DOUBLE_EQ(*m[1].value, 1e-3);
  EXPECT_EQ(m[1].better, core::Better::kLower);
  const auto i8 = gpu::gemm_metrics(s, gpu::Precision::kInt8, {1e-3}, core::Statistic::kMedian);
  EXPECT_EQ(i8[0].name, "flop_per_s");
  EXPECT_EQ(i8[0].unit, "OP/s");
}

TEST(GpuRotation, WorkingSetAtLeastTwiceL2) {
  const double set = 6.0 * 1024 * 1024;              // 1024³ bf16
  const double l2 = 50.0 * 1024 * 1024;              // H100 SXM
  EXPECT_EQ(gpu::rotation_sets(set, l2, 80e9), 17);  // ceil(100 MiB / 6 MiB)
  EXPECT_GE(17 * set, 2 * l2);
  EXPECT_EQ(gpu::rotation_sets(set, l2, 3.5 * set), 3);                 // capped by the budget
  EXPECT_EQ(gpu::rotation_sets(3.0 * 128 * 1024 * 1024, l2, 80e9), 1);  // 8192³ bf16 alone is > 2×L2
  EXPECT_EQ(gpu::rotation_sets(set, 0, 80e9), 1);
  EXPECT_EQ(gpu::rotation_sets(set, l2, set / 2), 0);  // does not fit at all
  EXPECT_THROW(gpu::rotation_sets(0, l2, 1e9), core::InputError);
}

TEST(GpuTiming, CalibrateInner) {
  EXPECT_EQ(gpu::calibrate_inner(1e-4, 1e-2, 1 << 20), 100);
  EXPECT_EQ(gpu::calibrate_inner(0.5, 1e-3, 1 << 20), 1);
  EXPECT_EQ(gpu::calibrate_inner(1e-9, 1.0, 1000), 1000);
  EXPECT_EQ(gpu::calibrate_inner(0.0, 1e-3, 1000), 1);
  EXPECT_EQ(gpu::calibrate_inner(3e-4, 1e-3, 1000), 4);  // ceil(3.33)
}

TEST(GpuCheck, RelativeError) {
  const std::vector<double> ref = {3.0, 4.0};
  const std::vector<double> same = {3.0, 4.0};
  auto c = gpu::check_relative_error(same, ref, 0.0);
  EXPECT_EQ(c.rel_error, 0.0);
  EXPECT_TRUE(c.passed);
  const std::vector<double> off = {3.0, 4.05};  // ‖d‖ = 0.05, ‖ref‖ = 5
  c = gpu::check_relative_error(off, ref, 0.0101);
  EXPECT_NEAR(c.rel_error, 0.01, 1e-12);
  EXPECT_TRUE(c.passed);
  EXPECT_FALSE(gpu::check_relative_error(off, ref, 0.0099).passed);
  const std::vector<double> nan = {3.0, std::nan("")};
  c = gpu::check_relative_error(nan, ref, 1e9);
  EXPECT_FALSE(c.finite);
  EXPECT_FALSE(c.passed);  // NaN never passes, whatever the tolerance
  const std::vector<double> zeros = {0.0, 0.0}, small = {0.0, 1e-3};
  EXPECT_NEAR(gpu::check_relative_error(small, zeros, 1.0).rel_error, 1e-3, 1e-15);  // absolute when ref is 0
  EXPECT_THROW(gpu::check_relative_error(ref, std::vector<double>{1.0}, 1.0), core::InputError);
  EXPECT_THROW(gpu::check_relative_error(std::vector<double>{}, std::vector<double>{}, 1.0), core::InputError);
}

TEST(GpuCheck, SpotCheckEntries) {
  const auto e = gpu::spot_check_entries(100, 50, 64, 7);
  ASSERT_EQ(e.size(), 64u);
  EXPECT_EQ(e[0].row, 0);
  EXPECT_EQ(e[0].col, 0);
  EXPECT_EQ(e[1].row, 99);
  EXPECT_EQ(e[1].col, 49);
  std::set<std::pair<std::int64_t, std::int64_t>> distinct;
  for (const auto& x : e) {
    EXPECT_GE(x.row, 0);
    EXPECT_LT(x.row, 100);
    EXPECT_GE(x.col, 0);
    EXPECT_LT(x.col, 50);
    distinct.insert({x.row, x.col});
  }
  EXPECT_GT(distinct.size(), 50u);  // spread, not one position repeated
  const auto again = gpu::spot_check_entries(100, 50, 64, 7);
  EXPECT_EQ(again[10].row, e[10].row);
  EXPECT_EQ(gpu::spot_check_entries(1, 1, 2, 0).size(), 2u);
  EXPECT_THROW(gpu::spot_check_entries(0, 5, 5, 0), core::InputError);
}

TEST(GpuSweep, SizeSweeps) {
  constexpr std::int64_t kMiB = 1 << 20;
  EXPECT_EQ(gpu::geometric_sizes(1, 1, 2), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(gpu::geometric_sizes(2, 20, 3), (std::vector<std::int64_t>{2, 6, 18}));
  EXPECT_THROW(gpu::geometric_sizes(4, 2, 2), core::InputError);
  EXPECT_THROW(gpu::geometric_sizes(1, 8, 1), core::InputError);
  EXPECT_EQ(gpu::hbm_sizes("quick"),
            (std::vector<std::int64_t>{4 * kMiB, 16 * kMiB, 64 * kMiB, 256 * kMiB, 1024 * kMiB}));
  EXPECT_EQ(gpu::hbm_sizes("standard").size(), 13u);  // 1 MiB … 4 GiB
  EXPECT_EQ(gpu::hbm_sizes("full").back(), 8LL << 30);
  EXPECT_EQ(gpu::pcie_sizes("quick"), (std::vector<std::int64_t>{kMiB, 16 * kMiB, 256 * kMiB}));
  EXPECT_EQ(gpu::pcie_sizes("full").front(), 4096);
  EXPECT_THROW(gpu::pcie_sizes("x"), core::InputError);
  EXPECT_EQ(gpu::sample_stride(1000, 10), 100);
  EXPECT_EQ(gpu::sample_stride(5, 10), 1);
}

TEST(GpuCounting, BandwidthBytes) {
  EXPECT_EQ(gpu::hbm_traffic_bytes(gpu::HbmKernel::kCopy, 1000), 2000.0);   // read + write
  EXPECT_EQ(gpu::hbm_traffic_bytes(gpu::HbmKernel::kTriad, 1000), 3000.0);  // 2 reads + 1 write
  EXPECT_EQ(gpu::hbm_payload_bytes(gpu::HbmKernel::kTriad, 1000), 1000.0);
  EXPECT_EQ(gpu::pcie_traffic_bytes(gpu::PcieDirection::kH2D, 1000), 1000.0);
  EXPECT_EQ(gpu::pcie_traffic_bytes(gpu::PcieDirection::kBidir, 1000), 2000.0);
  EXPECT_EQ(gpu::to_string(gpu::PcieDirection::kD2H), "d2h");

  const auto h = gpu::hbm_metrics(gpu::HbmKernel::kCopy, 1'000'000'000, {0.001}, core::Statistic::kMedian);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].name, "bytes_per_s");
  EXPECT_DOUBLE_EQ(*h[0].value, 2e12);  // 2 TB/s counted read + written
  EXPECT_EQ(h[1].name, "payload_bytes_per_s");
  EXPECT_DOUBLE_EQ(*h[1].value, 1e12);
  const auto t = gpu::hbm_metrics(gpu::HbmKernel::kTriad, 1'000'000'000, {0.001}, core::Statistic::kMedian);
  EXPECT_DOUBLE_EQ(*t[0].value, 3e12);
  const auto p =
      gpu::pcie_metrics(gpu::PcieDirection::kBidir, 1'000'000'000, {0.02, 0.04, 0.02}, core::Statistic::kMedian);
  EXPECT_DOUBLE_EQ(*p[0].value, 1e11);  // 2 GB in 20 ms
  const auto peer = gpu::peer_metrics(1'000'000'000, false, {0.004}, {2e-6, 3e-6, 2.5e-6}, core::Statistic::kMedian);
  ASSERT_EQ(peer.size(), 2u);
  EXPECT_DOUBLE_EQ(*peer[0].value, 2.5e11);
  EXPECT_EQ(peer[1].name, "latency_s");
  EXPECT_DOUBLE_EQ(*peer[1].value, 2.5e-6);
  EXPECT_DOUBLE_EQ(*gpu::peer_metrics(1000, true, {1e-6}, {1e-6}, core::Statistic::kMedian)[0].value, 2e9);
}

TEST(GpuPresence, AbsenceReasons) {
  // No driver: 35 (cudaErrorInsufficientDriver) and the count left unwritten (whatever it was).
  const std::string no_driver = gpu::absence_reason(35, "cudaErrorInsufficientDriver", 0);
  EXPECT_EQ(no_driver.rfind("no CUDA device/driver found", 0), 0u) << no_driver;
  EXPECT_NE(no_driver.find("cudaErrorInsufficientDriver"), std::string::npos);
  EXPECT_NE(gpu::absence_reason(35, "cudaErrorInsufficientDriver", 4), "");
  EXPECT_EQ(gpu::absence_reason(34, "cudaErrorStubLibrary", 0).rfind("no CUDA device/driver found", 0), 0u);
  EXPECT_EQ(gpu::absence_reason(100, "cudaErrorNoDevice", 0).rfind("no CUDA device/driver found", 0), 0u);
  EXPECT_EQ(gpu::absence_reason(0, "cudaSuccess", 0).rfind("no CUDA device/driver found", 0), 0u);
  EXPECT_EQ(gpu::absence_reason(0, "cudaSuccess", 8), "");
}

TEST(GpuInventory, Formatting) {
  std::array<unsigned char, 16> b{};
  for (int i = 0; i < 16; ++i) b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(i * 17);
  EXPECT_EQ(gpu::format_gpu_uuid(b), "GPU-00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_EQ(gpu::sysfs_pci_name("0000:3B:00.0"), "0000:3b:00.0");
  EXPECT_EQ(gpu::cuda_version_string(13000), "13.0");
  EXPECT_EQ(gpu::cuda_version_string(12040), "12.4");
  EXPECT_EQ(gpu::cuda_version_string(0), "");
  EXPECT_DOUBLE_EQ(gpu::memory_budget_bytes(80e9), 64e9);
  EXPECT_EQ(gpu::memory_budget_bytes(-1), 0.0);
}

TEST(GpuPattern, RandomDataIsUniformAndNeverAllZero) {
  double sum = 0, lo = 1, hi = -1;
  int zeros = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double v = gpu::uniform_pm1(3, static_cast<std::uint64_t>(i));
    ASSERT_GE(v, -1.0);
    ASSERT_LT(v, 1.0);
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    zeros += v == 0.0;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);  // mean of U(-1, 1): 0, σ/√n ≈ 0.0018
  EXPECT_LT(lo, -0.99);
  EXPECT_GT(hi, 0.99);
  EXPECT_EQ(zeros, 0);
  EXPECT_NE(gpu::uniform_pm1(1, 5), gpu::uniform_pm1(2, 5));  // seeds differ
  int imin = 0, imax = 0;
  for (int i = 0; i < 20000; ++i) {
    const int v = gpu::uniform_int8(9, static_cast<std::uint64_t>(i));
    ASSERT_GE(v, -128);
    ASSERT_LE(v, 127);
    imin = std::min(imin, v);
    imax = std::max(imax, v);
  }
  EXPECT_EQ(imin, -128);
  EXPECT_EQ(imax, 127);
  // The collective pattern: ((rank + 1)·7 + 13·i) mod 17 − 8.
  EXPECT_EQ(gpu::collective_value(0, 0), -1.0f);
  EXPECT_EQ(gpu::collective_value(1, 0), 6.0f);
  EXPECT_EQ(gpu::collective_value(0, 1), -5.0f);
  EXPECT_EQ(gpu::collective_value(2, 0), -4.0f);
}

TEST(GpuGemmLayout, TnLayoutKnownAnswer) {
  // C(3×5) = Aᵀ·B with A stored k×m = 7×3 (lda 7), B stored k×n = 7×5 (ldb 7), C 3×5 (ldc 3).
  const gpu::TnLayout l = gpu::tn_layout({3, 5, 7, "x"});
  EXPECT_EQ(l.a, (gpu::MatrixLayout{7, 3, 7}));
  EXPECT_EQ(l.b, (gpu::MatrixLayout{7, 5, 7}));
  EXPECT_EQ(l.c, (gpu::MatrixLayout{3, 5, 3}));
}

TEST(GpuGemmLayout, EverySuiteShapeIsTensorCoreAligned) {
  // FP8 has no kernel otherwise, and the others would fall back to slower kernels: a shape added
  // to a suite that breaks the 16-byte rule must fail here, not on the first GPU run.
  for (const char* suite : {"quick", "standard", "full"}) {
    for (const auto& s : gpu::gemm_shapes(suite)) {
      for (const auto& p : gpu::precisions()) {
        EXPECT_EQ(gpu::gemm_alignment_reason(s, p.precision), "") << suite << " " << s.label << " " << p.name;
      }
    }
  }
}

TEST(GpuGemmLayout, AlignmentReasons) {
  using P = gpu::Precision;
  // fp8: k·1 byte must be a multiple of 16 (4100 is not), m·2 bytes (bf16 C) too (4100·2 = 8200 is not).
  const std::string k_bad = gpu::gemm_alignment_reason({4096, 4096, 4100, "x"}, P::kFp8);
  EXPECT_NE(k_bad.find("k = 4100 gives 4100 bytes per column of A and B"), std::string::npos) << k_bad;
  EXPECT_EQ(k_bad.find("m ="), std::string::npos) << k_bad;
  const std::string m_bad = gpu::gemm_alignment_reason({4100, 4096, 4096, "x"}, P::kFp8);
  EXPECT_NE(m_bad.find("m = 4100 gives 8200 bytes per column of C"), std::string::npos) << m_bad;
  EXPECT_EQ(gpu::gemm_alignment_reason({4104, 4096, 4112, "x"}, P::kFp8), "");  // 4104·2 and 4112 are ×16
  // fp16/bf16: 2-byte elements, so multiples of 8 elements are enough.
  EXPECT_EQ(gpu::gemm_alignment_reason({4104, 4096, 4104, "x"}, P::kBf16), "");
  EXPECT_NE(gpu::gemm_alignment_reason({4100, 4096, 4096, "x"}, P::kFp16), "");
  // int8: k·1 byte (A, B) and m·4 bytes (int32 C).
  EXPECT_EQ(gpu::gemm_alignment_reason({4100, 4096, 4096, "x"}, P::kInt8), "");
  EXPECT_NE(gpu::gemm_alignment_reason({4096, 4096, 4104, "x"}, P::kInt8), "");
  // tf32 / fp64: 4- and 8-byte elements.
  EXPECT_NE(gpu::gemm_alignment_reason({4096, 4096, 4098, "x"}, P::kTf32), "");
  EXPECT_EQ(gpu::gemm_alignment_reason({4096, 4096, 4098, "x"}, P::kFp64), "");
  EXPECT_NE(gpu::gemm_alignment_reason({4096, 4096, 4097, "x"}, P::kFp64), "");
  // fp32 runs on the FMA units: no alignment rule.
  EXPECT_EQ(gpu::gemm_alignment_reason({4097, 4097, 4097, "x"}, P::kFp32), "");
}

namespace {
/// `x` rounded to nearest-even with `bits` significant bits (fp16: 11, bf16: 8, tf32: 11, fp32: 24),
/// or truncated towards zero when `truncate` (tensor cores may read tf32 from fp32 registers by
/// dropping the low 13 mantissa bits).
double round_to_bits(double x, int bits, bool truncate = false) {
  if (x == 0.0) return 0.0;
  int e = 0;
  const double f = std::frexp(x, &e);  // x = f·2^e, 0.5 <= |f| < 1
  const double scaled = std::ldexp(f, bits);
  return std::ldexp(truncate ? std::trunc(scaled) : std::nearbyint(scaled), e - bits);
}
/// Relative error of 256 dot products of length k over uniform_pm1 data when the inputs are
/// rounded to `in_bits` before the product (the reference uses the unrounded inputs) and the
/// exact sums are rounded to `out_bits`, as check_relative_error computes it.
double simulated_error(std::int64_t k, int in_bits, int out_bits, bool truncate_inputs = false) {
  std::vector<double> got, ref;
  for (std::uint64_t e = 0; e < 256; ++e) {
    double exact = 0, rounded = 0;
    for (std::int64_t l = 0; l < k; ++l) {
      const double a = gpu::uniform_pm1(1, e * 100003 + static_cast<std::uint64_t>(l));
      const double b = gpu::uniform_pm1(2, e * 100003 + static_cast<std::uint64_t>(l));
      exact += a * b;
      rounded += round_to_bits(a, in_bits, truncate_inputs) * round_to_bits(b, in_bits, truncate_inputs);
    }
    ref.push_back(exact);
    got.push_back(round_to_bits(rounded, out_bits));
  }
  return gpu::check_relative_error(got, ref, 1.0).rel_error;
}
}  // namespace

TEST(GpuPrecision, TolerancesCoverRoundingButCatchLowerPrecision) {
  // The spot check compares against fp64 on the same stored inputs; what remains is the output
  // rounding (and, for tf32, the tensor cores rounding the fp32 inputs to 11 significant bits).
  // Each tolerance must pass that error with room to spare (3×), and fp32's must not pass tf32's
  // (tf32 used silently for fp32 would otherwise go unnoticed). k = 4096, the quick suite's smallest.
  const std::int64_t k = 4096;
  auto tol = [](gpu::Precision p) { return gpu::precision_info(p).tolerance; };
  const double fp32_out = simulated_error(k, 53, 24);
  const double tf32 = simulated_error(k, 11, 24);
  const double tf32_truncated = simulated_error(k, 11, 24, true);
  const double fp16_out = simulated_error(k, 53, 11);
  const double bf16_out = simulated_error(k, 53, 8);
  std::printf("simulated relative errors: fp32 %.3g, tf32 %.3g (truncated inputs %.3g), fp16 %.3g, bf16 %.3g\n",
              fp32_out, tf32, tf32_truncated, fp16_out, bf16_out);
  EXPECT_LT(3 * fp32_out, tol(gpu::Precision::kFp32)) << fp32_out;
  EXPECT_LT(3 * tf32, tol(gpu::Precision::kTf32)) << tf32;
  EXPECT_LT(2 * tf32_truncated, tol(gpu::Precision::kTf32)) << tf32_truncated;
  EXPECT_GT(tf32, tol(gpu::Precision::kFp32)) << "tf32 silently used for fp32 must fail the fp32 check";
  EXPECT_LT(3 * fp16_out, tol(gpu::Precision::kFp16)) << fp16_out;
  EXPECT_LT(3 * bf16_out, tol(gpu::Precision::kBf16)) << bf16_out;
  EXPECT_LT(3 * bf16_out, tol(gpu::Precision::kFp8)) << "fp8 writes bf16";
}

TEST(GpuPoison, FloatPoisonIsNanInEveryOutputTypeAndInt32PoisonIsNoResult) {
  // 0xFF bytes: all exponent bits set and a non-zero mantissa, i.e. NaN, in fp64, fp32, fp16
  // (exponent 0x7C00, mantissa 0x03FF) and bf16 (exponent 0x7F80, mantissa 0x007F).
  double d = 0;
  float f = 0;
  std::memset(&d, gpu::kFloatPoisonByte, sizeof d);
  std::memset(&f, gpu::kFloatPoisonByte, sizeof f);
  EXPECT_TRUE(std::isnan(d));
  EXPECT_TRUE(std::isnan(f));
  const std::uint16_t half = 0x0101U * gpu::kFloatPoisonByte;
  EXPECT_EQ(half & 0x7C00U, 0x7C00U);
  EXPECT_NE(half & 0x03FFU, 0U);
  EXPECT_EQ(half & 0x7F80U, 0x7F80U);
  EXPECT_NE(half & 0x007FU, 0U);
  // int32: 0xFF bytes would read -1, an ordinary int8 GEMM result; the int32 poison is the 0x80
  // byte pattern, out of reach of any entry the sweeps can produce.
  std::int32_t i = 0;
  std::memset(&i, gpu::kInt32PoisonByte, sizeof i);
  EXPECT_EQ(i, gpu::kInt32Poison);
  EXPECT_EQ(gpu::kInt32Poison, -2139062144);
  std::int32_t minus_one = 0;
  std::memset(&minus_one, gpu::kFloatPoisonByte, sizeof minus_one);
  EXPECT_EQ(minus_one, -1);
}

TEST(GpuPoison, Int8GemmEntriesStayApartFromThePoison) {
  using P = gpu::Precision;
  // |C| <= 128 · 128 · k: k = 130557 gives 2139045888 < 2139062144, k = 130558 gives 2139062272.
  EXPECT_EQ(gpu::gemm_range_reason({4096, 4096, 130557, "x"}, P::kInt8), "");
  const std::string why = gpu::gemm_range_reason({4096, 4096, 130558, "x"}, P::kInt8);
  EXPECT_NE(why.find("k = 130558"), std::string::npos) << why;
  EXPECT_NE(why.find("k must be at most 130557"), std::string::npos) << why;
  EXPECT_EQ(gpu::gemm_range_reason({4096, 4096, 1 << 20, "x"}, P::kBf16), "");  // only int8 is bounded
  for (const char* suite : {"quick", "standard", "full"}) {
    for (const auto& s : gpu::gemm_shapes(suite)) {
      for (const auto& p : gpu::precisions()) {
        EXPECT_EQ(gpu::gemm_range_reason(s, p.precision), "") << suite << " " << s.label << " " << p.name;
      }
      // The largest |C| an int8 sweep shape reaches, and that it stays below int32's maximum.
      EXPECT_LT(128.0 * 128.0 * static_cast<double>(s.k), 2147483647.0) << s.label;
    }
  }
}

TEST(GpuRotation, HbmArraysRotatedPastL2AtEverySize) {
  using K = gpu::HbmKernel;
  constexpr std::int64_t kMiB = 1 << 20;
  const double l2 = 50e6, budget = 64e9;  // an H100's 50 MB L2 (cudaDeviceProp::l2CacheSize)
  // A copy of 4 MiB arrays moves 8 MiB per set: ceil(100e6 / 8388608) = 12 sets, 100.7 MB in all.
  EXPECT_EQ(gpu::hbm_rotation_sets(K::kCopy, 4 * kMiB, l2, budget), 12);
  // Triad of 4 MiB: 12 MiB per set, ceil(100e6 / 12582912) = 8.
  EXPECT_EQ(gpu::hbm_rotation_sets(K::kTriad, 4 * kMiB, l2, budget), 8);
  // Every size of every suite: the rotated working set is at least twice L2 (so no figure is an
  // L2 figure) unless one set is already larger.
  for (const char* suite : {"quick", "standard", "full"}) {
    for (auto size : gpu::hbm_sizes(suite)) {
      for (auto k : {K::kCopy, K::kTriad}) {
        const double set_bytes = (k == K::kCopy ? 2.0 : 3.0) * static_cast<double>(size);
        const int sets = gpu::hbm_rotation_sets(k, size, l2, budget);
        ASSERT_GE(sets, 1) << suite << " " << size;
        EXPECT_GE(sets * set_bytes, 2 * l2) << suite << " " << size;
      }
    }
  }
  // A set that does not fit the budget: 0 (the case waives).
  EXPECT_EQ(gpu::hbm_rotation_sets(K::kTriad, 8LL << 30, l2, 20e9), 0);
}

TEST(GpuPcieAll, SizesWaiverAndHostBytes) {
  constexpr std::int64_t kMiB = 1 << 20;
  EXPECT_EQ(gpu::pcie_all_sizes("quick"), (std::vector<std::int64_t>{256 * kMiB}));  // one large size
  EXPECT_EQ(gpu::pcie_all_sizes("standard"), (std::vector<std::int64_t>{64 * kMiB, 256 * kMiB, 1024 * kMiB}));
  EXPECT_EQ(gpu::pcie_all_sizes("full"), (std::vector<std::int64_t>{16 * kMiB, 64 * kMiB, 256 * kMiB, 1024 * kMiB}));
  EXPECT_THROW(gpu::pcie_all_sizes("x"), core::InputError);
  EXPECT_EQ(gpu::pcie_all_waiver(2), "");
  EXPECT_EQ(gpu::pcie_all_waiver(8), "");
  for (int n : {0, 1}) {
    const std::string why = gpu::pcie_all_waiver(n);
    EXPECT_EQ(why.rfind("needs at least 2 GPUs", 0), 0u) << why;
    EXPECT_NE(why.find("found " + std::to_string(n)), std::string::npos) << why;
  }
  // Pinned host memory (and device memory) per GPU: the source, the destination, or both.
  EXPECT_EQ(gpu::pcie_all_host_bytes_per_gpu(gpu::PcieDirection::kH2D, 1000), 1000.0);
  EXPECT_EQ(gpu::pcie_all_host_bytes_per_gpu(gpu::PcieDirection::kD2H, 1000), 1000.0);
  EXPECT_EQ(gpu::pcie_all_host_bytes_per_gpu(gpu::PcieDirection::kBidir, 1000), 2000.0);
}

TEST(GpuPcieAll, RoundIsTheSlowestGpuAndBytesCountEveryGpu) {
  const std::vector<double> per_gpu = {0.010, 0.012, 0.011, 0.0125};
  EXPECT_DOUBLE_EQ(gpu::pcie_all_round_s(per_gpu), 0.0125);
  EXPECT_THROW(gpu::pcie_all_round_s(std::vector<double>{}), core::InputError);
  EXPECT_THROW(gpu::pcie_all_round_s(std::vector<double>{0.01, 0.0}), core::InputError);
  EXPECT_THROW(gpu::pcie_all_round_s(std::vector<double>{0.01, NAN}), core::InputError);
  EXPECT_EQ(gpu::pcie_all_traffic_bytes(gpu::PcieDirection::kH2D, 1000, 8), 8000.0);
  EXPECT_EQ(gpu::pcie_all_traffic_bytes(gpu::PcieDirection::kBidir, 1000, 8), 16000.0);

  // 8 GPUs × 256 MiB in 16 ms (event-timed) and 16.4 ms (host clock, slower by the wake-up).
  const std::int64_t size = 256LL << 20;
  const auto m = gpu::pcie_all_metrics(gpu::PcieDirection::kD2H, size, 8, {0.016, 0.017, 0.016},
                                       {0.0164, 0.0165, 0.0164}, core::Statistic::kMedian);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].name, "bytes_per_s");
  EXPECT_DOUBLE_EQ(*m[0].value, 8.0 * 268435456.0 / 0.016);  // 134.2 GB/s
  EXPECT_EQ(m[1].name, "host_timed_bytes_per_s");
  EXPECT_DOUBLE_EQ(*m[1].value, 8.0 * 268435456.0 / 0.0164);
  EXPECT_LT(*m[1].value, *m[0].value);
  const auto b =
      gpu::pcie_all_metrics(gpu::PcieDirection::kBidir, 1'000'000'000, 2, {0.1}, {0.1}, core::Statistic::kMedian);
  EXPECT_DOUBLE_EQ(*b[0].value, 40e9);  // 2 GPUs × 2 directions × 1 GB in 0.1 s
}

TEST(GpuPcieAll, SizeAtWhichStartSkewStaysBelowOnePercent) {
  // A 10 µs skew at 57 GB/s per GPU (an H100 pinned copy, one GPU alone) is 1 % of a 57 MB copy:
  // quick's 256 MiB keeps it at 0.2 %, full's 16 MiB not (3.4 %).
  EXPECT_DOUBLE_EQ(gpu::pcie_all_min_size_bytes(10e-6, 57e9, 0.01), 57e6);
  EXPECT_LT(gpu::pcie_all_min_size_bytes(10e-6, 57e9, 0.01), static_cast<double>(gpu::pcie_all_sizes("quick")[0]));
  EXPECT_GT(gpu::pcie_all_min_size_bytes(10e-6, 57e9, 0.01), static_cast<double>(gpu::pcie_all_sizes("full")[0]));
  EXPECT_THROW(gpu::pcie_all_min_size_bytes(0, 57e9, 0.01), core::InputError);
  EXPECT_THROW(gpu::pcie_all_min_size_bytes(1e-6, 57e9, 0), core::InputError);
}

TEST(GpuPcieAll, MessageNamesEachGpuItsNumaNodesAndTheSpread) {
  const std::vector<gpu::PcieLane> lanes = {
      {0, 40e9, 0, 0}, {1, 30e9, 1, 0}, {2, 36e9, gpu::kNumaUnknown, 0}, {3, 38e9, 1, gpu::kNumaSeveral}};
  const std::string m = gpu::describe_pcie_all(lanes, 256LL << 20, 144e9, 140e9);
  EXPECT_EQ(m.rfind("4 GPUs at once, 256 MiB per GPU", 0), 0u) << m;
  EXPECT_NE(m.find("cuda:0 40.0 GB/s (GPU node 0, buffer node 0)"), std::string::npos) << m;
  EXPECT_NE(m.find("cuda:1 30.0 GB/s (GPU node 1, buffer node 0)"), std::string::npos) << m;
  EXPECT_NE(m.find("cuda:2 36.0 GB/s (GPU node ?, buffer node 0)"), std::string::npos) << m;
  EXPECT_NE(m.find("buffer several nodes"), std::string::npos) << m;
  EXPECT_NE(m.find("slowest GPU at 0.75 of the fastest"), std::string::npos) << m;
  // cuda:1 (node 1, buffer 0) and cuda:3 (node 1, buffer on several) count; cuda:2's GPU node is unknown.
  EXPECT_NE(m.find("2 of 3 host buffers not on their GPU's NUMA node"), std::string::npos) << m;
  EXPECT_NE(m.find("host-timed 140.0 GB/s, 2.8 % below the event-timed figure"), std::string::npos) << m;
  // All local: no NUMA warning.
  const std::vector<gpu::PcieLane> local = {{0, 40e9, 0, 0}, {1, 40e9, 1, 1}};
  EXPECT_EQ(gpu::describe_pcie_all(local, 1 << 20, 0, 0).find("not on their GPU's NUMA node"), std::string::npos);
}
