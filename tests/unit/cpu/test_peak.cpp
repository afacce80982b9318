// Known answers of the theoretical-peak formula: cores × clock × lanes × FMA units × 2.
#include <gtest/gtest.h>

#include "cpu_benchmarks.hpp"
#include "headroom/core/errors.hpp"

namespace cpu = headroom::bench::cpu;

namespace {
cpu::PeakInputs inputs(int cores, double mhz, std::string vendor, int family, std::vector<std::string> flags) {
  cpu::PeakInputs in;
  in.cores = cores;
  in.clock_mhz = mhz;
  in.clock_source = "test";
  in.vendor = std::move(vendor);
  in.cpu_family = family;
  in.flags = std::move(flags);
  return in;
}
}  // namespace

TEST(CpuPeak, IntelAvx512) {
  // 2 cores × 2.6 GHz × 8 fp64 lanes × 2 FMA units × 2 = 166.4 GFLOP/s; fp32 doubles the lanes.
  const auto in = inputs(2, 2600, "GenuineIntel", 6, {"avx2", "fma", "avx512f"});
  const auto d64 = cpu::derive_peak(in, cpu::Precision::kFp64);
  EXPECT_EQ(d64.simd_bits, 512);
  EXPECT_EQ(d64.lanes, 8);
  EXPECT_EQ(d64.fma_units, 2);
  EXPECT_DOUBLE_EQ(d64.flop_per_s, 166.4e9);
  EXPECT_DOUBLE_EQ(cpu::derive_peak(in, cpu::Precision::kFp32).flop_per_s, 332.8e9);
  EXPECT_GE(d64.sources.size(), 5u);
}

TEST(CpuPeak, Avx2Fma) {
  // 16 cores × 3.0 GHz × 4 lanes × 2 × 2 = 768 GFLOP/s fp64.
  const auto d = cpu::derive_peak(inputs(16, 3000, "GenuineIntel", 6, {"avx", "avx2", "fma"}), cpu::Precision::kFp64);
  EXPECT_EQ(d.simd_bits, 256);
  EXPECT_DOUBLE_EQ(d.flop_per_s, 768e9);
}

TEST(CpuPeak, AmdZen4HalvesAvx512AndZen5DoesNot) {
  const std::vector<std::string> flags = {"avx2", "fma", "avx512f"};
  // Zen 4 (family 19h): 1 × 512-bit FMA per cycle. 64 cores × 2.4 GHz × 8 × 1 × 2 = 2457.6 GFLOP/s.
  EXPECT_DOUBLE_EQ(cpu::derive_peak(inputs(64, 2400, "AuthenticAMD", 0x19, flags), cpu::Precision::kFp64).flop_per_s,
                   2457.6e9);
  // Zen 5 (family 1Ah): 2 × 512-bit.
  EXPECT_DOUBLE_EQ(cpu::derive_peak(inputs(64, 2400, "AuthenticAMD", 0x1A, flags), cpu::Precision::kFp64).flop_per_s,
                   4915.2e9);
}

TEST(CpuPeak, AvxWithoutFmaCountsMulPlusAdd) {
  // Sandy Bridge style: 4 fp64 lanes, one mul + one add port = 8 FLOP/cycle/core.
  const auto d = cpu::derive_peak(inputs(4, 3000, "GenuineIntel", 6, {"avx"}), cpu::Precision::kFp64);
  EXPECT_DOUBLE_EQ(d.flop_per_s, 4 * 3e9 * 8);
}

TEST(CpuPeak, UnknownInputsAreWaived) {
  auto in = inputs(2, 2600, "GenuineIntel", 6, {"avx512f"});
  in.clock_mhz.reset();
  EXPECT_THROW(cpu::derive_peak(in, cpu::Precision::kFp64), headroom::core::Waived);
  in = inputs(2, 2600, "GenuineIntel", 6, {});
  EXPECT_THROW(cpu::derive_peak(in, cpu::Precision::kFp64), headroom::core::Waived);
  in = inputs(2, 2600, "GenuineIntel", 6, {"avx2"});
  in.cores.reset();
  EXPECT_THROW(cpu::derive_peak(in, cpu::Precision::kFp32), headroom::core::Waived);
}

TEST(OpenBlasCore, WarnsWhenAPreAvxKernelSetRunsOnAnAvxCpu) {
  const std::vector<std::string> spr = {"fma", "avx", "avx2", "avx512f", "avx512dq", "avx512bw", "avx512vl"};
  const std::vector<std::string> zen3 = {"fma", "avx", "avx2"};
  // What the H100 machine of 2026-11-23 did: Prescott kernels on a Sapphire Rapids guest.
  EXPECT_EQ(cpu::openblas_core_warning("Prescott", spr),
            "WARNING: OpenBLAS chose its Prescott kernels, written for CPUs without AVX, on a CPU with AVX-512: the "
            "impl=blas figures understate this CPU (it did not recognise the CPU model): run again with "
            "OPENBLAS_CORETYPE=SkylakeX");
  EXPECT_NE(cpu::openblas_core_warning("NEHALEM", zen3).find("with AVX2 and FMA: "), std::string::npos);
  EXPECT_NE(cpu::openblas_core_warning("Core2", zen3).find("OPENBLAS_CORETYPE=Haswell"), std::string::npos);
  EXPECT_NE(cpu::openblas_core_warning("Athlon", zen3), "");
  EXPECT_NE(cpu::openblas_core_warning("Nano", zen3), "");
  // The right kernels, or a CPU that has nothing better: no warning.
  EXPECT_EQ(cpu::openblas_core_warning("SkylakeX", spr), "");
  EXPECT_EQ(cpu::openblas_core_warning("Haswell", zen3), "");
  EXPECT_EQ(cpu::openblas_core_warning("Zen", zen3), "");
  EXPECT_EQ(cpu::openblas_core_warning("Prescott", {"avx"}), "");
  EXPECT_EQ(cpu::openblas_core_warning("Prescott", {"avx2"}), "");  // AVX2 without FMA: Haswell's kernels need both
  EXPECT_EQ(cpu::openblas_core_warning("Prescott", {"avx512f", "fma"}), "");  // AVX-512F alone is not SkylakeX
}
