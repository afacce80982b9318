#pragma once
/// Data patterns shared by the kernels (.cu, compiled by nvcc) and the CPU-side checks and unit
/// tests (compiled by g++): one definition, so the device fills exactly what the host expects.
#include <cstdint>

#if defined(__CUDACC__)
#define HEADROOM_HD __host__ __device__
#else
#define HEADROOM_HD
#endif

namespace headroom::bench::gpu {

/// splitmix64: a counter-based generator, so element i of a buffer needs no state.
HEADROOM_HD inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// Uniform in [-1, 1) for element `i` of a buffer filled with `seed` (53 random bits).
HEADROOM_HD inline double uniform_pm1(std::uint64_t seed, std::uint64_t i) {
  const std::uint64_t bits = mix64(seed * 0x100000001B3ULL ^ mix64(i)) >> 11;
  return static_cast<double>(bits) * (2.0 / 9007199254740992.0) - 1.0;
}

/// Integer in [-128, 127] for element `i` (int8 GEMM operands).
HEADROOM_HD inline int uniform_int8(std::uint64_t seed, std::uint64_t i) {
  return static_cast<int>(mix64(seed * 0x100000001B3ULL ^ mix64(i)) >> 56) - 128;
}

/// Poison bytes written over an output before a checked run, so that an element the run did not
/// write is recognisable afterwards. 0xFF in every byte is a NaN in fp64, fp32, fp16 and bf16 (all
/// exponent bits set, non-zero mantissa). For int32 that would be -1, an ordinary result, so int32
/// outputs get 0x80 bytes: kInt32Poison = -2139062144, further from zero than any int8 GEMM entry
/// can be (at most 128 · 128 · k = 2^14 · k; plan.hpp's gemm_range_reason checks k).
constexpr unsigned char kFloatPoisonByte = 0xFF;
constexpr unsigned char kInt32PoisonByte = 0x80;
constexpr std::int32_t kInt32Poison = static_cast<std::int32_t>(0x80808080U);

/// Value element `i` of rank `rank`'s send buffer holds in the NCCL benchmarks: a small integer
/// in [-8, 8], so sums over up to 2^20 ranks stay exact in fp32 and every mismatch is a real one.
HEADROOM_HD inline float collective_value(int rank, std::uint64_t i) {
  const std::uint64_t v = (static_cast<std::uint64_t>(rank) + 1U) * 7U + i * 13U;
  return static_cast<float>(static_cast<int>(v % 17U) - 8);
}

}  // namespace headroom::bench::gpu
