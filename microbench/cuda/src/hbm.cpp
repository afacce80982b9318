// cuda.hbm.copy and cuda.hbm.triad: device memory bandwidth over a size sweep. Array sets are
// rotated past L2 at every size, so each figure is HBM traffic (small sizes show launch overhead,
// not L2 bandwidth: consumers take the best size as the HBM bandwidth).
#include <fmt/format.h>

#include <cmath>

#include "common.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"
#include "headroom/gpu/check.hpp"
#include "headroom/gpu/kernels.cuh"
#include "headroom/gpu/pattern.hpp"
#include "headroom/gpu/plan.hpp"
#include "headroom/gpu/resources.hpp"

namespace headroom::bench::gpu {

namespace {

constexpr std::uint64_t kSeedB = 11, kSeedC = 12;
constexpr double kTriadScalar = 3.0;

class HbmBenchmark final : public Benchmark {
 public:
  explicit HbmBenchmark(HbmKernel k) : kernel_(k) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    const bool copy = kernel_ == HbmKernel::kCopy;
    i.name = copy ? "cuda.hbm.copy" : "cuda.hbm.triad";
    i.backend = "cuda";
    i.description = copy ? "device-to-device cudaMemcpyAsync of one array into another; array sets rotated past L2"
                         : "STREAM triad a = b + s·c over fp64 arrays, 16-byte accesses, grid of 8 blocks per SM; "
                           "array sets rotated past L2";
    i.params = {{"size_bytes", "B", "bytes of one array"}};
    i.metrics = {{"bytes_per_s", "B/s", core::Better::kHigher,
                  copy ? "bytes read + written (2 × size_bytes)" : "bytes read + written (3 × size_bytes)"},
                 {"payload_bytes_per_s", "B/s", core::Better::kHigher, "size_bytes of result per call"}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    auto sizes = hbm_sizes(suite);
    if (device_count() == 0) sizes.resize(1);
    std::vector<core::Params> out;
    for (auto s : sizes) out.push_back({{"size_bytes", s}});
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    require_devices();
    const std::int64_t size = param_int(params, "size_bytes");
    if (size < 16 || size % 16 != 0) throw core::InputError("", "size_bytes", "a positive multiple of 16");
    DeviceGuard guard(0);
    const DeviceProps props = device_props(0);
    const int arrays = kernel_ == HbmKernel::kCopy ? 2 : 3;
    const double budget = memory_budget_bytes(free_device_bytes());
    // Rotate through enough array sets that repeats cannot be served from L2: without it, arrays
    // that fit in L2 (up to 16 MiB each for a copy on an H100's 50 MB) measure L2, and the planner
    // and acceptance take the best size of cuda.hbm.copy as the HBM bandwidth.
    const int sets = hbm_rotation_sets(kernel_, size, props.l2_bytes, budget);
    if (sets == 0) {
      throw core::Waived(fmt::format("needs {} of device memory; {} usable",
                                     core::format_bytes(static_cast<double>(arrays) * static_cast<double>(size)),
                                     core::format_bytes(budget)));
    }
    note_sensors(ctx, "before", props);
    Stream stream;
    const std::int64_t n = size / 8;  // doubles per array
    const auto bytes = static_cast<std::size_t>(size);
    struct ArraySet {
      DeviceBuffer a, b, c;
    };
    std::vector<ArraySet> set;
    for (int i = 0; i < sets; ++i) {
      ArraySet s{DeviceBuffer(bytes), DeviceBuffer(bytes), DeviceBuffer(kernel_ == HbmKernel::kTriad ? bytes : 0)};
      launch_fill_random(s.b.get(), ElemType::kF64, n, kSeedB, stream.get());
      if (kernel_ == HbmKernel::kTriad) launch_fill_random(s.c.get(), ElemType::kF64, n, kSeedC, stream.get());
      set.push_back(std::move(s));
    }
    stream.synchronize();

    const int blocks = std::max(1, props.sm_count * 8);
    auto launch = [&](std::int64_t call) {
      const ArraySet& s = set[static_cast<std::size_t>(call % sets)];
      if (kernel_ == HbmKernel::kCopy) {
        HEADROOM_CUDA_CHECK(cudaMemcpyAsync(s.a.get(), s.b.get(), bytes, cudaMemcpyDeviceToDevice, stream.get()));
      } else {
        launch_triad(s.a.as<double>(), s.b.as<double>(), s.c.as<double>(), kTriadScalar, n, blocks, stream.get());
      }
    };
    const std::vector<double> seconds = sample_device(ctx, stream.get(), launch);

    // Verification: the result array of set 0 poisoned with NaN (a fresh or reused allocation can
    // already hold the expected pattern: an earlier case's source array, freed and handed out
    // again), one more call, then no element may be NaN and the sampled ones must match.
    const ArraySet& s0 = set.front();
    poison_device(s0.a.get(), bytes, kFloatPoisonByte, 0);
    launch(0);
    stream.synchronize();
    const std::int64_t unwritten = count_unwritten(s0.a.get(), ElemType::kF64, n, 0);
    bool verified = unwritten == 0;
    if (kernel_ == HbmKernel::kCopy) {
      verified = check_pattern_f64(s0.a.as<double>(), n, kSeedB, stream.get()) && verified;
    } else {
      const int count = 4096;
      const std::int64_t stride = sample_stride(n, count);
      const auto got = sample_f64(s0.a.as<double>(), n, count, stream.get());
      for (std::size_t j = 0; j < got.size(); ++j) {
        const auto i = static_cast<std::uint64_t>(static_cast<std::int64_t>(j) * stride);
        const double want = uniform_pm1(kSeedB, i) + kTriadScalar * uniform_pm1(kSeedC, i);
        // The device may fuse the multiply-add (one rounding instead of two).
        if (!(std::abs(got[j] - want) <= 4e-16 * (std::abs(want) + 1.0))) verified = false;
      }
    }
    note_sensors(ctx, "after", props);
    core::CaseResult r;
    r.device = "cuda:0";
    r.samples_s = seconds;
    r.metrics = hbm_metrics(kernel_, size, seconds, ctx.policy().statistic);
    r.verified = verified;
    r.message = fmt::format(
        "{} array set(s) of {} rotated (L2 {}); {} of {} result elements unwritten or not finite; {}", sets,
        core::format_bytes(static_cast<double>(arrays) * static_cast<double>(size)), core::format_bytes(props.l2_bytes),
        unwritten, n, verified ? "sampled result elements match" : "RESULT WRONG");
    return r;
  }

 private:
  HbmKernel kernel_;
};

}  // namespace

void add_hbm_benchmarks(Registry& registry) {
  registry.add(std::make_unique<HbmBenchmark>(HbmKernel::kCopy));
  registry.add(std::make_unique<HbmBenchmark>(HbmKernel::kTriad));
}

}  // namespace headroom::bench::gpu
