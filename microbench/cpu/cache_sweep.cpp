// cpu.cache.sweep: bandwidth of a read-modify-write kernel over working sets from L1 to DRAM
// (the Empirical Roofline Toolkit's approach), all cores, each thread on its own slice.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "cpu_benchmarks.hpp"
#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/inventory.hpp"

namespace headroom::bench::cpu {
namespace {

constexpr std::int64_t kBytesPerCall = 64LL << 20;  // each timed call moves at least ~64 MiB per pass set
constexpr double kAlpha = 0.999;                    // x ← αx + β has the fixed point β / (1 − α) = 1
constexpr double kBeta = 0.001;

class CacheSweepBenchmark final : public Benchmark {
 public:
  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "cpu.cache.sweep";
    i.backend = "cpu";
    i.interleave = true;  // every metric comes from samples; operand setup is cheap next to sampling
    i.description =
        "read-modify-write x = 0.999·x + 0.001 over a working set of size_bytes split across the "
        "threads, repeated; exposes the L1 / L2 / L3 / DRAM bandwidth ceilings";
    i.params = {{"size_bytes", "B", "total working set (all threads together)"},
                {"threads", "threads", "OpenMP threads (default: physical cores)"}};
    i.metrics = {{"bytes_per_s", "B/s", core::Better::kHigher, kNote}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    const auto threads = static_cast<std::int64_t>(default_threads());
    std::vector<core::Params> out;
    for (std::int64_t s : cache_sweep_sizes(core::collect_host_inventory(), threads, suite)) {
      out.push_back({{"size_bytes", s}, {"threads", threads}});
    }
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    const std::int64_t size_bytes = param_int(params, "size_bytes");
    const std::int64_t threads = param_int(params, "threads");
    if (threads <= 0 || size_bytes < 8 * 8 * threads) {
      throw core::InputError("", "params",
                             fmt::format("threads > 0 and size_bytes >= 64 bytes per thread, got "
                                         "size_bytes={} threads={}",
                                         size_bytes, threads));
    }
    const auto host = core::collect_host_inventory();
    if (host.memory_bytes && size_bytes > *host.memory_bytes / 2) {
      throw core::Waived(fmt::format("a working set of {} exceeds half of the host memory",
                                     core::format_bytes_binary(static_cast<double>(size_bytes))));
    }
    const int nthreads = static_cast<int>(threads);
    // Each thread owns a slice rounded down to whole 64-byte lines; the counted size is the sum.
    const std::int64_t per_thread = size_bytes / threads / 64 * 8;
    const std::int64_t n = per_thread * threads;
    const DoubleBuffer buffer = allocate_doubles(n, "cache-sweep buffer");
    double* raw = buffer.get();
    fill_uniform(raw, n, 21, 1.0, 2.0, nthreads);
    const std::int64_t passes = std::max<std::int64_t>(1, kBytesPerCall / (n * 8));

    const std::vector<double> seconds = sample_host(ctx, [&] {
    // One parallel region per call; no barrier between passes because every thread only ever
    // touches its own slice, so small working sets stay in that core's L1/L2.
#pragma omp parallel num_threads(nthreads)
      {
        const std::int64_t t = omp_get_thread_num();
        double* x = raw + t * per_thread;
        for (std::int64_t p = 0; p < passes; ++p) {
#pragma omp simd
          for (std::int64_t i = 0; i < per_thread; ++i) x[i] = kAlpha * x[i] + kBeta;
        }
      }
    });

    core::CaseResult r;
    r.samples_s = seconds;
    r.metrics.push_back(throughput_metric("bytes_per_s", "B/s", 2.0 * static_cast<double>(n * 8 * passes), seconds,
                                          kNote, ctx.policy().statistic));
    // Every value starts in [1, 2) and the map contracts towards 1, so it must stay in [1, 2).
    for (std::int64_t i = 0; i < n; ++i) {
      if (!(raw[i] >= 1.0 && raw[i] < 2.0)) {
        r.status = core::Status::kError;
        r.message = fmt::format("kernel produced {} at element {}, outside [1, 2)", raw[i], i);
        break;
      }
    }
    if (n * 8 != size_bytes) ctx.note(fmt::format("working set rounded to {} bytes (whole lines per thread)", n * 8));
    return r;
  }

 private:
  static constexpr const char* kNote =
      "bytes read + bytes written: 2 × working set per pass (read-modify-write, ERT counting)";
};

}  // namespace

std::vector<std::int64_t> cache_sweep_sizes(const core::HostInventory& host, std::int64_t threads,
                                            const std::string& suite) {
  // Up to 4 × the last-level cache (at least 256 MiB), never beyond a quarter of memory.
  std::int64_t top = 256LL << 20;
  if (suite != "quick" && host.l3_bytes) top = std::max(top, 4 * *host.l3_bytes);
  if (host.memory_bytes) top = std::min(top, *host.memory_bytes / 4);
  std::vector<std::int64_t> sizes;
  if (suite == "quick" && host.l1d_bytes && host.l2_bytes) {
    // One point well inside each level: half the capacity the threads have together (L1 and L2
    // are per core, L3 shared), then DRAM. A working set at a level's exact capacity sits on the
    // cliff, where the result depends on physical page placement and what else is cached: the 4
    // MiB point of the old 16 KiB × 4ⁿ grid (= 2 × 2 MiB L2 here) moved by 20–78 % between runs.
    sizes.push_back(*host.l1d_bytes * threads / 2);
    sizes.push_back(*host.l2_bytes * threads / 2);
    // An L3 within 4× of the DRAM point cannot be told apart from it (a VM may report the host's).
    if (host.l3_bytes && *host.l3_bytes / 2 <= top / 4) sizes.push_back(*host.l3_bytes / 2);
    sizes.push_back(top);
  } else {
    // The curve: every doubling (standard, full), or ×4 steps from 16 KiB when the cache sizes
    // are unknown.
    const std::int64_t step = suite == "quick" ? 4 : 2;
    for (std::int64_t s = suite == "quick" ? (16LL << 10) : (4LL << 10); s <= top; s *= step) sizes.push_back(s);
  }
  // The kernel needs at least 64 bytes per thread and splits whole 64-byte lines.
  const std::int64_t unit = 64 * std::max<std::int64_t>(1, threads);
  for (auto& s : sizes) s = std::max(unit, s / unit * unit);
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

std::unique_ptr<Benchmark> make_cache_sweep_benchmark() {
  return std::make_unique<CacheSweepBenchmark>();
}

}  // namespace headroom::bench::cpu
