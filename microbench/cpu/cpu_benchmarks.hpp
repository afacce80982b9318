#pragma once
/// Internal interface of the CPU backend: the benchmark factories register_cpu() lists, and the
/// pure pieces (counting, verification, peak derivation) the unit tests check directly. Not a
/// public header of headroom::bench; Eigen stays inside the .cpp files.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "headroom/bench/benchmark.hpp"
#include "headroom/core/results.hpp"
#include "headroom/core/units.hpp"

namespace headroom::bench::cpu {

enum class Precision { kFp64, kFp32 };
std::string to_string(Precision p);  ///< "fp64" | "fp32"

// --- factories (one source file each) ------------------------------------------------------------
std::unique_ptr<Benchmark> make_gemm_benchmark(Precision precision);          ///< cpu.gemm.<p>
std::unique_ptr<Benchmark> make_stream_benchmark(core::StreamKernel kernel);  ///< cpu.stream.<k>
std::unique_ptr<Benchmark> make_cache_sweep_benchmark();                      ///< cpu.cache.sweep
std::unique_ptr<Benchmark> make_peak_benchmark(Precision precision);          ///< cpu.peak.<p>
std::unique_ptr<Benchmark> make_clock_benchmark();                            ///< cpu.clock

/// Working-set sizes of cpu.cache.sweep for `suite`: quick takes one point well inside each cache
/// level (half of what `threads` cores have together) and one in DRAM; standard and full every
/// doubling from 4 KiB up to max(256 MiB, 4 × L3), capped at a quarter of memory.
std::vector<std::int64_t> cache_sweep_sizes(const core::HostInventory& host, std::int64_t threads,
                                            const std::string& suite);

// --- shared helpers -----------------------------------------------------------------------------
/// Threads a CPU benchmark uses by default: the physical cores of the inventory, else the online
/// logical CPUs, else 1.
int default_threads();

/// Frees a buffer from allocate_doubles().
struct FreeDeleter {
  void operator()(double* p) const { std::free(p); }
};
using DoubleBuffer = std::unique_ptr<double[], FreeDeleter>;

/// `count` doubles aligned to 2 MiB and advised as transparent huge pages (madvise; a no-op where
/// THP is off). With 4 KiB pages a working set's physical placement, and so its cache-set
/// conflicts and TLB reach, differs from run to run; huge pages remove that source of run-to-run
/// variance (as nvbandwidth 0.9 did). Throws core::EnvironmentError when memory is short.
DoubleBuffer allocate_doubles(std::int64_t count, const char* what);

/// Fills `data[0..count)` with uniform values in [lo, hi) from a SplitMix64 stream seeded with
/// `seed`, in parallel (each thread touches the pages it will use: first touch is slow in VMs).
void fill_uniform(double* data, std::int64_t count, std::uint64_t seed, double lo, double hi, int threads);
void fill_uniform(float* data, std::int64_t count, std::uint64_t seed, float lo, float hi, int threads);

// --- GEMM verification ----------------------------------------------------------------------------
/// Result of checking sampled elements of C = A·B (column-major, leading dimensions m, k, m).
struct GemmCheck {
  bool ok = true;
  std::int64_t checked = 0;  ///< elements recomputed
  double worst_ratio = 0;    ///< max over checked elements of |c − ref| / tolerance (ok ⇔ ≤ 1)
  std::string detail;        ///< the first failing element, or empty
};

/// Error bound of one element of an inner product of length k in a precision with unit roundoff
/// `unit_roundoff` (2^-53 fp64, 2^-24 fp32), whatever the summation order or FMA use:
/// |ĉ − c| ≤ γ_k · Σ|a_il·b_lj| with γ_k = k·u / (1 − k·u) (Higham, Accuracy and Stability of
/// Numerical Algorithms, 2nd ed., §3.1). Adds the rounding of the stored result (u·|c|).
double gemm_tolerance(std::int64_t k, double sum_abs_products, double abs_result, double unit_roundoff);

/// Recomputes C(i, j) for each (i, j) in `positions` as a long-double dot product (64-bit mantissa,
/// 2^11 times finer than fp64) and compares it with gemm_tolerance(). `positions` outside C are an
/// InputError.
template <typename T>
GemmCheck verify_gemm(const T* a, const T* b, const T* c, std::int64_t m, std::int64_t n, std::int64_t k,
                      const std::vector<std::pair<std::int64_t, std::int64_t>>& positions);

/// `count` positions of an m×n matrix: the four corners plus pseudo-random ones (seeded).
std::vector<std::pair<std::int64_t, std::int64_t>> sample_positions(std::int64_t m, std::int64_t n, int count,
                                                                    std::uint64_t seed);

// --- theoretical peak -----------------------------------------------------------------------------
/// cores × clock × SIMD lanes × FMA units × 2 FLOP per FMA, each factor with where it came from.
struct PeakDerivation {
  int cores = 0;
  double clock_hz = 0;
  int simd_bits = 0;
  int lanes = 0;         ///< simd_bits / element bits
  int fma_units = 0;     ///< FMA pipes per core at simd_bits (a per-microarchitecture assumption)
  int flop_per_fma = 2;  ///< 1 multiply + 1 add; 1 where the ISA has no FMA (separate mul and add pipes)
  double flop_per_s = 0;
  std::vector<std::string> sources;  ///< one line per factor: "clock 2600 MHz from /proc/cpuinfo ..."
};

/// Inputs of the derivation beyond the inventory: which file gave the clock, the CPU family.
struct PeakInputs {
  std::optional<int> cores;
  std::optional<double> clock_mhz;
  std::string clock_source;        ///< "sysfs cpuinfo_max_freq" | "/proc/cpuinfo cpu MHz"
  std::string vendor;              ///< GenuineIntel, AuthenticAMD, ...
  std::optional<int> cpu_family;   ///< /proc/cpuinfo "cpu family"
  std::vector<std::string> flags;  ///< inventory cpu_flags
};
PeakInputs peak_inputs_from_host();

/// Derives the peak, or throws core::Waived naming the missing input.
PeakDerivation derive_peak(const PeakInputs& in, Precision precision);

/// Whether the inventory's CPU flags (/proc/cpuinfo names, e.g. "avx512f") include `flag`.
bool has_cpu_flag(const std::vector<std::string>& flags, const std::string& flag);

/// A warning for a GEMM message when OpenBLAS (DYNAMIC_ARCH) fell back to kernels written for
/// CPUs without AVX (Prescott, Core2, Nehalem...: what it picks for a CPU model it does not know)
/// on a CPU whose flags say it has AVX2 + FMA or AVX-512; empty otherwise. Seen on the H100
/// machine of 2026-11-23 (a Sapphire Rapids guest, OpenBLAS 0.3.21: core Prescott, DGEMM at 115
/// GFLOP/s against Eigen's 258). It names the OPENBLAS_CORETYPE to set; headroom never overrides
/// the library's choice itself.
std::string openblas_core_warning(const std::string& core_name, const std::vector<std::string>& cpu_flags);

}  // namespace headroom::bench::cpu
