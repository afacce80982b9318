// Helpers shared by the CPU benchmarks: default thread count, parallel random fill, GEMM checks.
#include <sys/mman.h>

#include <omp.h>

#include <cmath>
#include <thread>

#include <fmt/format.h>

#include "cpu_benchmarks.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/inventory.hpp"

namespace headroom::bench::cpu {

DoubleBuffer allocate_doubles(std::int64_t count, const char* what) {
  constexpr std::size_t kHugePage = 2u << 20;
  const auto bytes = static_cast<std::size_t>(count) * sizeof(double);
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;  // aligned_alloc wants a multiple
  auto* p = static_cast<double*>(std::aligned_alloc(kHugePage, rounded));
  if (p == nullptr) {
    throw core::EnvironmentError(fmt::format("cannot allocate {} for the {}",
                                             core::format_bytes_binary(static_cast<double>(rounded)), what));
  }
  ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure leaves ordinary pages
  return DoubleBuffer(p);
}


std::string to_string(Precision p) {
  return p == Precision::kFp64 ? "fp64" : "fp32";
}

int default_threads() {
  const core::HostInventory host = core::collect_host_inventory();
  if (host.cores && *host.cores > 0) return *host.cores;
  if (host.threads && *host.threads > 0) return *host.threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

namespace {

// SplitMix64 (Steele, Lea, Flood 2014): a counter-based generator, so element i's value depends
// only on (seed, i) and the parallel fill is identical for any thread count.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

template <typename T>
void fill_impl(T* data, std::int64_t count, std::uint64_t seed, T lo, T hi, int threads) {
  const double span = static_cast<double>(hi) - static_cast<double>(lo);
  const std::uint64_t base = splitmix64(seed);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (std::int64_t i = 0; i < count; ++i) {
    // 53 random bits -> [0, 1).
    const double u = static_cast<double>(splitmix64(base + static_cast<std::uint64_t>(i)) >> 11) * 0x1.0p-53;
    data[i] = static_cast<T>(static_cast<double>(lo) + span * u);
  }
}

}  // namespace

void fill_uniform(double* data, std::int64_t count, std::uint64_t seed, double lo, double hi, int threads) {
  fill_impl(data, count, seed, lo, hi, threads);
}
void fill_uniform(float* data, std::int64_t count, std::uint64_t seed, float lo, float hi, int threads) {
  fill_impl(data, count, seed, lo, hi, threads);
}

double gemm_tolerance(std::int64_t k, double sum_abs_products, double abs_result, double unit_roundoff) {
  const double ku = static_cast<double>(k) * unit_roundoff;
  if (ku >= 1.0) return INFINITY;  // no bound exists: k too long for this precision
  return ku / (1.0 - ku) * sum_abs_products + unit_roundoff * abs_result;
}

template <typename T>
GemmCheck verify_gemm(const T* a, const T* b, const T* c, std::int64_t m, std::int64_t n, std::int64_t k,
                      const std::vector<std::pair<std::int64_t, std::int64_t>>& positions) {
  const double u = std::ldexp(1.0, -std::numeric_limits<T>::digits);  // 2^-53 or 2^-24
  GemmCheck check;
  for (const auto& [i, j] : positions) {
    if (i < 0 || i >= m || j < 0 || j >= n) {
      throw core::InputError(fmt::format("verify_gemm: position ({}, {}) outside a {}x{} matrix", i, j, m, n));
    }
    long double ref = 0;
    long double sum_abs = 0;
    for (std::int64_t l = 0; l < k; ++l) {
      const long double p = static_cast<long double>(a[i + l * m]) * static_cast<long double>(b[l + j * k]);
      ref += p;
      sum_abs += std::fabs(p);
    }
    const double got = static_cast<double>(c[i + j * m]);
    const double tol = gemm_tolerance(k, static_cast<double>(sum_abs), std::fabs(static_cast<double>(ref)), u);
    const double err = std::fabs(got - static_cast<double>(ref));
    // A NaN result must fail, so compare with !(err <= tol).
    const double ratio = tol > 0 ? err / tol : (err == 0 ? 0.0 : INFINITY);
    ++check.checked;
    if (!(err <= tol)) {
      if (check.ok) {
        check.detail = fmt::format("C({}, {}) = {:.17g}, reference {:.17g}, |error| {:.3g} > tolerance {:.3g}", i, j,
                                   got, static_cast<double>(ref), err, tol);
      }
      check.ok = false;
      check.worst_ratio = INFINITY;
    } else if (ratio > check.worst_ratio) {
      check.worst_ratio = ratio;
    }
  }
  return check;
}

template GemmCheck verify_gemm<double>(const double*, const double*, const double*, std::int64_t, std::int64_t,
                                       std::int64_t, const std::vector<std::pair<std::int64_t, std::int64_t>>&);
template GemmCheck verify_gemm<float>(const float*, const float*, const float*, std::int64_t, std::int64_t,
                                      std::int64_t, const std::vector<std::pair<std::int64_t, std::int64_t>>&);

std::vector<std::pair<std::int64_t, std::int64_t>> sample_positions(std::int64_t m, std::int64_t n, int count,
                                                                    std::uint64_t seed) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out = {{0, 0}, {m - 1, 0}, {0, n - 1}, {m - 1, n - 1}};
  std::uint64_t state = seed;
  for (int s = 4; s < count; ++s) {
    state = splitmix64(state);
    const auto i = static_cast<std::int64_t>(state % static_cast<std::uint64_t>(m));
    state = splitmix64(state);
    const auto j = static_cast<std::int64_t>(state % static_cast<std::uint64_t>(n));
    out.emplace_back(i, j);
  }
  return out;
}

}  // namespace headroom::bench::cpu
