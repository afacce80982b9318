// cpu.gemm.fp64 / cpu.gemm.fp32: C = A·B on the host cores, through two implementations:
//   impl=blas   the system CBLAS (OpenBLAS on Debian) when headroom was built with it: what a tuned
//               library reaches on this CPU, the headline a capacity plan needs (like cuBLAS on a GPU);
//   impl=eigen  Eigen's own GEMM kernel (OpenMP-parallel), on every machine.
// Both run on the same operands and are verified the same way.
#include <Eigen/Core>
#ifdef HEADROOM_HAVE_BLAS
#include <cblas.h>
#endif

#include <fmt/format.h>

#include <strings.h>  // strcasecmp
#include <algorithm>
#include <array>

#include "cpu_benchmarks.hpp"
#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/inventory.hpp"

namespace headroom::bench::cpu {
namespace {

constexpr int kVerifySamples = 64;  // output elements recomputed in long double after timing

/// The implementations this binary has, in the order the suites run them.
std::vector<std::string> available_impls() {
#ifdef HEADROOM_HAVE_BLAS
  return {"blas", "eigen"};
#else
  return {"eigen"};
#endif
}

}  // namespace

std::string openblas_core_warning(const std::string& core_name, const std::vector<std::string>& cpu_flags) {
  // OpenBLAS's kernel sets for x86 CPUs without AVX (the names openblas_get_corename() returns: the
  // corename table of its driver/others/dynamic.c, 0.3.21).
  static const std::array<const char*, 16> kPreAvx = {
      "Katmai",     "Coppermine", "Northwood", "Prescott", "Banias",       "Atom",      "Core2", "Penryn",
      "Dunnington", "Nehalem",    "Athlon",    "Opteron",  "Opteron_SSE3", "Barcelona", "Nano",  "Bobcat"};
  const bool pre_avx =
      std::any_of(kPreAvx.begin(), kPreAvx.end(), [&](const char* c) { return strcasecmp(c, core_name.c_str()) == 0; });
  if (!pre_avx) return "";
  const bool avx512 = has_cpu_flag(cpu_flags, "avx512f") && has_cpu_flag(cpu_flags, "avx512dq") &&
                      has_cpu_flag(cpu_flags, "avx512bw") && has_cpu_flag(cpu_flags, "avx512vl");
  const bool avx2 = has_cpu_flag(cpu_flags, "avx2") && has_cpu_flag(cpu_flags, "fma");
  if (!avx512 && !avx2) return "";
  return fmt::format(
      "WARNING: OpenBLAS chose its {} kernels, written for CPUs without AVX, on a CPU with {}: the impl=blas "
      "figures understate this CPU (it did not recognise the CPU model): run again with OPENBLAS_CORETYPE={}",
      core_name, avx512 ? "AVX-512" : "AVX2 and FMA", avx512 ? "SkylakeX" : "Haswell");
}

namespace {

#ifdef HEADROOM_HAVE_BLAS
/// "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64 (core SkylakeX, OpenMP
/// threading)": the library, the kernel it picked for this CPU and how it runs its threads (read
/// from the library actually loaded, not from the header), recorded with every BLAS case.
std::string blas_identity() {
  std::string config = openblas_get_config();
  while (!config.empty() && config.back() == ' ') config.pop_back();
  const int parallel = openblas_get_parallel();  // 0 sequential, 1 pthreads, 2 OpenMP
  const char* threading = parallel == 2 ? "OpenMP" : parallel == 1 ? "pthreads" : "sequential";
  return fmt::format("{} (core {}, {} threading)", config, openblas_get_corename(), threading);
}

void blas_gemm(std::int64_t m, std::int64_t n, std::int64_t k, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, static_cast<blasint>(m), static_cast<blasint>(n),
              static_cast<blasint>(k), 1.0, a, static_cast<blasint>(m), b, static_cast<blasint>(k), 0.0, c,
              static_cast<blasint>(m));
}
void blas_gemm(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, static_cast<blasint>(m), static_cast<blasint>(n),
              static_cast<blasint>(k), 1.0f, a, static_cast<blasint>(m), b, static_cast<blasint>(k), 0.0f, c,
              static_cast<blasint>(m));
}
#endif

template <typename T>
class GemmBenchmark final : public Benchmark {
 public:
  explicit GemmBenchmark(Precision precision) : precision_(precision) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "cpu.gemm." + to_string(precision_);
    i.backend = "cpu";
    i.interleave = true;  // every metric comes from samples; operand setup is cheap next to sampling
    i.description = fmt::format(
        "{} GEMM C = A·B on the host cores (column-major, random operands in [-1, 1)) with the "
        "system BLAS (impl=blas{}) and with Eigen {}.{}.{}'s own kernel (impl=eigen)",
        to_string(precision_),
#ifdef HEADROOM_HAVE_BLAS
        "",
#else
        ": not in this build",
#endif
        EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION);
    i.params = {{"m", "", "rows of A and C"},
                {"n", "", "columns of B and C"},
                {"k", "", "columns of A, rows of B"},
                {"threads", "threads", "threads the implementation uses (default: physical cores)"},
                {"impl", "", "blas (the system CBLAS, OpenBLAS on Debian) or eigen (Eigen's own kernel)"}};
    i.metrics = {{"flop_per_s", "FLOP/s", core::Better::kHigher, "2·M·N·K FLOP per GEMM / wall time of one GEMM"}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    // quick stays at sizes whose whole case takes well under a second on 2 cores; 2048/4096 are
    // where a BLAS reaches its plateau (and the OpenBLAS comparison of docs/validation.md runs).
    std::vector<std::int64_t> sizes = {256, 512, 1024};
    if (suite != "quick") sizes.insert(sizes.end(), {2048, 4096});
    const std::int64_t threads = default_threads();
    std::vector<core::Params> out;
    for (const std::string& impl : available_impls()) {
      for (std::int64_t s : sizes) out.push_back({{"m", s}, {"n", s}, {"k", s}, {"threads", threads}, {"impl", impl}});
      if (suite == "full" && threads > 1) {
        out.push_back({{"m", 1024LL}, {"n", 1024LL}, {"k", 1024LL}, {"threads", 1LL}, {"impl", impl}});
      }
    }
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    const std::int64_t m = param_int(params, "m");
    const std::int64_t n = param_int(params, "n");
    const std::int64_t k = param_int(params, "k");
    const std::int64_t threads = param_int(params, "threads");
    const std::string impl = param_string(params, "impl");
    if (impl != "blas" && impl != "eigen") {
      throw core::InputError("", "params.impl", fmt::format("blas or eigen, got '{}'", impl));
    }
#ifndef HEADROOM_HAVE_BLAS
    if (impl == "blas") {
      throw core::Waived("built without a CBLAS (Debian: libopenblas-dev): impl=eigen measures Eigen's own kernel");
    }
#endif
    if (m <= 0 || n <= 0 || k <= 0 || threads <= 0) {
      throw core::InputError("", "params",
                             fmt::format("m, n, k and threads > 0, got m={} n={} k={} threads={}", m, n, k, threads));
    }
    const double need_bytes = static_cast<double>(m * k + k * n + m * n) * sizeof(T);
    const auto host = core::collect_host_inventory();
    if (host.memory_bytes && need_bytes > 0.5 * static_cast<double>(*host.memory_bytes)) {
      throw core::Waived(fmt::format("operands need {} but the host has {} of memory",
                                     core::format_bytes_binary(need_bytes),
                                     core::format_bytes_binary(static_cast<double>(*host.memory_bytes))));
    }
    using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
    Matrix a(m, k), b(k, n), c(m, n);
    const int nthreads = static_cast<int>(threads);
    fill_uniform(a.data(), a.size(), 1, T(-1), T(1), nthreads);
    fill_uniform(b.data(), b.size(), 2, T(-1), T(1), nthreads);
    fill_uniform(c.data(), c.size(), 3, T(-1), T(1), nthreads);  // touched before timing, overwritten by A·B
    std::vector<double> seconds;
    if (impl == "eigen") {
      Eigen::setNbThreads(nthreads);
      seconds = sample_host(ctx, [&] { c.noalias() = a * b; });
    } else {
#ifdef HEADROOM_HAVE_BLAS
      openblas_set_num_threads(nthreads);
      ctx.note(blas_identity());
      if (auto warning = openblas_core_warning(openblas_get_corename(), host.cpu_flags); !warning.empty()) {
        ctx.note(warning);
      }
      seconds = sample_host(ctx, [&] { blas_gemm(m, n, k, a.data(), b.data(), c.data()); });
#endif
    }

    core::CaseResult r;
    r.samples_s = seconds;
    r.metrics.push_back(throughput_metric("flop_per_s", "FLOP/s", core::gemm_flop(m, n, k), seconds,
                                          "2·M·N·K FLOP per GEMM (one multiply + one add per term) / wall time",
                                          ctx.policy().statistic));
    const GemmCheck check =
        verify_gemm<T>(a.data(), b.data(), c.data(), m, n, k, sample_positions(m, n, kVerifySamples, 42));
    r.verified = check.ok;
    if (!check.ok) {
      // A wrong product is an error, not a throughput: the runner then drops the metrics.
      r.status = core::Status::kError;
      r.message = "verification failed: " + check.detail;
    } else {
      ctx.note(
          fmt::format("verified {} sampled elements against a long-double reference (worst |error| = {:.2g} of "
                      "the γ_k bound)",
                      check.checked, check.worst_ratio));
    }
    return r;
  }

 private:
  Precision precision_;
};

}  // namespace

std::unique_ptr<Benchmark> make_gemm_benchmark(Precision precision) {
  if (precision == Precision::kFp64) return std::make_unique<GemmBenchmark<double>>(precision);
  return std::make_unique<GemmBenchmark<float>>(precision);
}

}  // namespace headroom::bench::cpu
