// cpu.clock: the clock the cores actually run at, measured rather than read from /proc/cpuinfo
// (which gives the nominal clock in a VM and none of the turbo or throttling). A chain of dependent
// integer adds retires one add per cycle on every x86-64 and AArch64 core (latency 1), so cycles =
// adds and clock = adds / time. On a shared host this is what moves when a neighbour takes the
// turbo budget: a run whose compute-bound cases all shifted together shows it here. It is the clock
// of scalar integer code: on Intel cores, heavy AVX-512 code may run at a lower licence frequency.
#include <omp.h>

#include <cstdint>

#include <fmt/format.h>

#include "cpu_benchmarks.hpp"
#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"

namespace headroom::bench::cpu {
namespace {

// Register + register, not register + immediate: recent cores (Intel Golden Cove and later) fold
// chains of immediate adds at rename and retire several per cycle (measured here: 20 "GHz").
#if defined(__x86_64__)
#define HEADROOM_ADD1 "add %1, %0\n\t"
#elif defined(__aarch64__)
#define HEADROOM_ADD1 "add %0, %0, %1\n\t"
#endif
#ifdef HEADROOM_ADD1
#define HEADROOM_ADD4 HEADROOM_ADD1 HEADROOM_ADD1 HEADROOM_ADD1 HEADROOM_ADD1
#define HEADROOM_ADD16 HEADROOM_ADD4 HEADROOM_ADD4 HEADROOM_ADD4 HEADROOM_ADD4
#define HEADROOM_ADD32 HEADROOM_ADD16 HEADROOM_ADD16
#endif

constexpr std::int64_t kIterations = 1 << 16;  // × 32 adds = 2.1 M cycles per call, ≈ 0.7 ms at 3 GHz

class ClockBenchmark final : public Benchmark {
 public:
  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "cpu.clock";
    i.backend = "cpu";
    i.interleave = true;  // every metric comes from samples; no setup at all
    i.description =
        "effective core clock: a chain of dependent integer adds (one per cycle) on each thread, "
        "cycles / wall time of the slowest thread";
    i.params = {{"threads", "threads",
                 "threads running the chain at once (1: one core's clock; all cores: the "
                 "all-core clock)"}};
    i.metrics = {{"clock_hz", "Hz", core::Better::kHigher, kNote}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& /*suite*/) const override {
    const auto threads = static_cast<std::int64_t>(default_threads());
    std::vector<core::Params> out = {{{"threads", std::int64_t{1}}}};
    if (threads > 1) out.push_back({{"threads", threads}});
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    const std::int64_t threads = param_int(params, "threads");
    if (threads <= 0 || threads > 4096) {
      throw core::InputError("", "params.threads", fmt::format("an integer in [1, 4096], got {}", threads));
    }
#ifndef HEADROOM_ADD32
    throw core::Waived("no add-chain probe for this CPU architecture (x86-64 and AArch64 only)");
#else
    const int nthreads = static_cast<int>(threads);
    std::uint64_t sink = 0;
    const std::vector<double> seconds = sample_host(ctx, [&] {
#pragma omp parallel num_threads(nthreads) reduction(+ : sink)
      {
        std::uint64_t x = 0;
        const std::uint64_t one = 1;
        for (std::int64_t it = 0; it < kIterations; ++it) asm volatile(HEADROOM_ADD32 : "+r"(x) : "r"(one));
        sink += x;
      }
    });
    core::CaseResult r;
    r.samples_s = seconds;
    r.metrics.push_back(throughput_metric("clock_hz", "Hz", cycles_per_call(), seconds, kNote, ctx.policy().statistic));
    // Each thread added kIterations × 32 to its counter: a wrong count means the chain did not run.
    r.verified = sink % static_cast<std::uint64_t>(cycles_per_call()) == 0 && sink > 0;
    if (!*r.verified) {
      r.status = core::Status::kError;
      r.message = fmt::format("add chain counted {}, not a multiple of {}", sink, cycles_per_call());
    }
    return r;
#endif
  }

  static constexpr double cycles_per_call() {
    return static_cast<double>(kIterations) * 32.0;
  }

 private:
  static constexpr const char* kNote =
      "cycles / wall time; cycles = dependent 64-bit integer adds (latency 1 cycle), 32 per loop iteration";
};

}  // namespace

std::unique_ptr<Benchmark> make_clock_benchmark() {
  return std::make_unique<ClockBenchmark>();
}

}  // namespace headroom::bench::cpu
