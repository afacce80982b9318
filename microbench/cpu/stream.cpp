// cpu.stream.{copy,scale,add,triad}: McCalpin's STREAM kernels over three double arrays, all cores.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "cpu_benchmarks.hpp"
#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/inventory.hpp"

namespace headroom::bench::cpu {
namespace {

constexpr double kScalar = 3.0;                       // STREAM's scalar
constexpr std::int64_t kMinArrayBytes = 64LL << 20;   // 64 MiB: larger than any L2, most L3 slices
constexpr std::int64_t kQuickCapBytes = 256LL << 20;  // quick suite: at most 256 MiB per array

const char* kernel_name(core::StreamKernel k) {
  switch (k) {
    case core::StreamKernel::kCopy:
      return "copy";
    case core::StreamKernel::kScale:
      return "scale";
    case core::StreamKernel::kAdd:
      return "add";
    case core::StreamKernel::kTriad:
      return "triad";
  }
  return "?";
}

using Array = DoubleBuffer;

Array allocate(std::int64_t n) { return allocate_doubles(n, "STREAM array"); }

// The four loops exactly as STREAM writes them: one OpenMP parallel for with a static schedule,
// so each thread streams the same contiguous chunk it first-touched.
void run_kernel(core::StreamKernel kernel, double* a, double* b, double* c, std::int64_t n, int threads) {
  switch (kernel) {
    case core::StreamKernel::kCopy:
#pragma omp parallel for schedule(static) num_threads(threads)
      for (std::int64_t i = 0; i < n; ++i) c[i] = a[i];
      break;
    case core::StreamKernel::kScale:
#pragma omp parallel for schedule(static) num_threads(threads)
      for (std::int64_t i = 0; i < n; ++i) b[i] = kScalar * c[i];
      break;
    case core::StreamKernel::kAdd:
#pragma omp parallel for schedule(static) num_threads(threads)
      for (std::int64_t i = 0; i < n; ++i) c[i] = a[i] + b[i];
      break;
    case core::StreamKernel::kTriad:
#pragma omp parallel for schedule(static) num_threads(threads)
      for (std::int64_t i = 0; i < n; ++i) a[i] = b[i] + kScalar * c[i];
      break;
  }
}

// Each kernel is idempotent on its own (it rewrites one array from the others, which it does not
// change), so after any number of repetitions the written array must equal the formula. Copy,
// scale and add are one rounding each and must match exactly; triad may be contracted to an FMA
// by the compiler on one side and not the other, so it gets 2 units of roundoff.
bool check_kernel(core::StreamKernel kernel, const double* a, const double* b, const double* c, std::int64_t n,
                  std::string& detail) {
  const double u = std::ldexp(1.0, -53);
  const std::int64_t stride = std::max<std::int64_t>(1, n / 100000);  // ~100k elements checked
  for (std::int64_t i = 0; i < n; i += stride) {
    double got = 0, want = 0, tol = 0;
    switch (kernel) {
      case core::StreamKernel::kCopy:
        got = c[i], want = a[i];
        break;
      case core::StreamKernel::kScale:
        got = b[i], want = kScalar * c[i];
        break;
      case core::StreamKernel::kAdd:
        got = c[i], want = a[i] + b[i];
        break;
      case core::StreamKernel::kTriad:
        got = a[i], want = b[i] + kScalar * c[i];
        tol = 2 * u * (std::fabs(b[i]) + std::fabs(kScalar * c[i]));
        break;
    }
    if (!(std::fabs(got - want) <= tol)) {
      detail = fmt::format("element {}: {:.17g}, expected {:.17g}", i, got, want);
      return false;
    }
  }
  return true;
}

class StreamBenchmark final : public Benchmark {
 public:
  explicit StreamBenchmark(core::StreamKernel kernel) : kernel_(kernel) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = fmt::format("cpu.stream.{}", kernel_name(kernel_));
    i.backend = "cpu";
    i.interleave = true;  // every metric comes from samples; operand setup is cheap next to sampling
    i.description =
        fmt::format("STREAM {} over three double arrays, OpenMP static schedule, all cores", kernel_name(kernel_));
    i.params = {{"array_bytes", "B", "bytes of each of the three arrays (max(64 MiB, 4 × LLC); quick caps at 256 MiB)"},
                {"threads", "threads", "OpenMP threads (default: physical cores)"}};
    i.metrics = {{"bytes_per_s", "B/s", core::Better::kHigher, note()}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    const auto host = core::collect_host_inventory();
    std::int64_t bytes = kMinArrayBytes;
    if (host.l3_bytes)
      bytes = std::max(bytes, 4 * *host.l3_bytes);
    else if (host.l2_bytes)
      bytes = std::max(bytes, 4 * *host.l2_bytes);
    // Three arrays within an eighth of memory each at most, so the machine never swaps.
    if (host.memory_bytes) bytes = std::min(bytes, *host.memory_bytes / 8);
    if (suite == "quick") bytes = std::min(bytes, kQuickCapBytes);
    bytes = bytes / 4096 * 4096;
    return {{{"array_bytes", bytes}, {"threads", static_cast<std::int64_t>(default_threads())}}};
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    const std::int64_t array_bytes = param_int(params, "array_bytes");
    const std::int64_t threads = param_int(params, "threads");
    if (array_bytes < 8 || threads <= 0) {
      throw core::InputError(
          "", "params",
          fmt::format("array_bytes >= 8 and threads > 0, got array_bytes={} threads={}", array_bytes, threads));
    }
    const auto host = core::collect_host_inventory();
    if (host.memory_bytes && 3 * array_bytes > *host.memory_bytes / 2) {
      throw core::Waived(fmt::format("three arrays of {} exceed half of the host memory ({})",
                                     core::format_bytes_binary(static_cast<double>(array_bytes)),
                                     core::format_bytes_binary(static_cast<double>(*host.memory_bytes))));
    }
    if (host.l3_bytes && array_bytes < 4 * *host.l3_bytes) {
      ctx.note(fmt::format("arrays of {} are smaller than 4 × the reported last-level cache ({})",
                           core::format_bytes_binary(static_cast<double>(array_bytes)),
                           core::format_bytes_binary(static_cast<double>(*host.l3_bytes))));
    }
    const std::int64_t n = array_bytes / 8;
    const int nthreads = static_cast<int>(threads);
    Array a = allocate(n), b = allocate(n), c = allocate(n);
    // Random values (never zeros), written by the threads that will stream them: first touch
    // places the pages and pays the VM's page-fault cost before timing.
    fill_uniform(a.get(), n, 11, 1.0, 2.0, nthreads);
    fill_uniform(b.get(), n, 12, 1.0, 2.0, nthreads);
    fill_uniform(c.get(), n, 13, 1.0, 2.0, nthreads);

    const std::vector<double> seconds =
        sample_host(ctx, [&] { run_kernel(kernel_, a.get(), b.get(), c.get(), n, nthreads); });

    core::CaseResult r;
    r.samples_s = seconds;
    r.metrics.push_back(throughput_metric("bytes_per_s", "B/s", core::stream_bytes(kernel_, n, 8), seconds, note(),
                                          ctx.policy().statistic));
    std::string detail;
    r.verified = check_kernel(kernel_, a.get(), b.get(), c.get(), n, detail);
    if (!*r.verified) {
      r.status = core::Status::kError;
      r.message = "verification failed: " + detail;
    }
    return r;
  }

 private:
  std::string note() const {
    const bool two = kernel_ == core::StreamKernel::kCopy || kernel_ == core::StreamKernel::kScale;
    return fmt::format(
        "STREAM counting: {} arrays × n × 8 bytes per pass (bytes read + bytes written by the "
        "loop; write-allocate traffic not counted)",
        two ? 2 : 3);
  }
  core::StreamKernel kernel_;
};

}  // namespace

std::unique_ptr<Benchmark> make_stream_benchmark(core::StreamKernel kernel) {
  return std::make_unique<StreamBenchmark>(kernel);
}

}  // namespace headroom::bench::cpu
