// cpu.gemm.fp64 / cpu.gemm.fp32: C = A·B with Eigen (OpenMP-parallel when built with OpenMP).
#include <Eigen/Core>

#include <fmt/format.h>

#include "cpu_benchmarks.hpp"
#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/inventory.hpp"

namespace headroom::bench::cpu {
namespace {

constexpr int kVerifySamples = 64;  // output elements recomputed in long double after timing

template <typename T>
class GemmBenchmark final : public Benchmark {
 public:
  explicit GemmBenchmark(Precision precision) : precision_(precision) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "cpu.gemm." + to_string(precision_);
    i.backend = "cpu";
    i.description = fmt::format(
        "{} GEMM C = A·B with Eigen {}.{}.{} on the host cores (column-major, random "
        "operands in [-1, 1))",
        to_string(precision_), EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION);
    i.params = {{"m", "", "rows of A and C"},
                {"n", "", "columns of B and C"},
                {"k", "", "columns of A, rows of B"},
                {"threads", "threads", "OpenMP threads Eigen uses (default: physical cores)"}};
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
    for (std::int64_t s : sizes) out.push_back({{"m", s}, {"n", s}, {"k", s}, {"threads", threads}});
    if (suite == "full" && threads > 1) out.push_back({{"m", 1024LL}, {"n", 1024LL}, {"k", 1024LL}, {"threads", 1LL}});
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    const std::int64_t m = param_int(params, "m");
    const std::int64_t n = param_int(params, "n");
    const std::int64_t k = param_int(params, "k");
    const std::int64_t threads = param_int(params, "threads");
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
    Eigen::setNbThreads(nthreads);

    const std::vector<double> seconds = sample_host(ctx, [&] { c.noalias() = a * b; });

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
