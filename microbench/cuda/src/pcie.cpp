// cuda.pcie.h2d | d2h | bidir: host<->device copies over PCIe (or C2C), pinned and pageable host
// memory, size sweep. The GPU's NUMA node goes into the case message; the host thread is not
// pinned, so a run under numactl on that node shows the best case.
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <fstream>

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

// Two patterns, so that each direction's destination is checked against data only its source
// held: the host source and the device source differ, and both destinations start as NaN.
constexpr std::uint64_t kSeedHost = 21;
constexpr std::uint64_t kSeedDevice = 22;

std::string numa_note(const DeviceProps& props) {
  std::ifstream in("/sys/bus/pci/devices/" + props.pci_bus_id + "/numa_node");
  int node = -1;
  if (in >> node && node >= 0) return fmt::format("GPU on NUMA node {}", node);
  return "GPU NUMA node unknown";
}

/// Host memory of either kind, filled with the uniform_pm1 pattern of `seed` (a source: never
/// zeros) or with NaN (a destination: what is still NaN afterwards was never written); touched
/// either way, so first-touch page faults stay out of the timing.
class HostBuffer {
 public:
  enum class Fill { kPattern, kPoison };
  HostBuffer(std::size_t bytes, bool pinned, Fill fill, std::uint64_t seed = 0) : bytes_(bytes) {
    if (pinned) {
      pinned_buf_ = PinnedBuffer(bytes);
      p_ = pinned_buf_.get();
    } else {
      pageable_.resize(bytes / sizeof(double) + 1);
      p_ = pageable_.data();
    }
    auto* d = static_cast<double*>(p_);
    if (fill == Fill::kPoison) {
      std::memset(p_, kFloatPoisonByte, bytes);
    } else {
      for (std::size_t i = 0; i < bytes / sizeof(double); ++i) d[i] = uniform_pm1(seed, i);
    }
  }
  void* get() const { return p_; }
  /// Elements that are still NaN (never written) or not finite.
  std::int64_t count_unwritten() const {
    const auto* d = static_cast<const double*>(p_);
    std::int64_t bad = 0;
    for (std::size_t i = 0; i < bytes_ / sizeof(double); ++i) bad += std::isfinite(d[i]) ? 0 : 1;
    return bad;
  }

 private:
  std::size_t bytes_ = 0;
  PinnedBuffer pinned_buf_;
  std::vector<double> pageable_;
  void* p_ = nullptr;
};

class PcieBenchmark final : public Benchmark {
 public:
  explicit PcieBenchmark(PcieDirection d) : dir_(d) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "cuda.pcie." + to_string(dir_);
    i.backend = "cuda";
    i.description = dir_ == PcieDirection::kBidir ? "host->device and device->host cudaMemcpyAsync at the same time"
                    : dir_ == PcieDirection::kH2D ? "host->device cudaMemcpyAsync"
                                                  : "device->host cudaMemcpyAsync";
    i.params = {{"size_bytes", "B", "bytes per transfer (per direction for bidir)"},
                {"memory", "", "pinned (cudaMallocHost) or pageable (ordinary) host memory"}};
    i.metrics = {{"bytes_per_s", "B/s", core::Better::kHigher, "bytes over the link (bidir: both directions)"}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    auto sizes = pcie_sizes(suite);
    if (device_count() == 0) sizes.resize(1);
    std::vector<core::Params> out;
    for (const char* mem : {"pinned", "pageable"}) {
      for (auto s : sizes) out.push_back({{"size_bytes", s}, {"memory", std::string(mem)}});
    }
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    require_devices();
    const std::int64_t size = param_int(params, "size_bytes");
    const std::string memory = param_string(params, "memory");
    if (memory != "pinned" && memory != "pageable") throw core::InputError("", "memory", "pinned or pageable");
    if (size < 8 || size % 8 != 0) throw core::InputError("", "size_bytes", "a positive multiple of 8");
    DeviceGuard guard(0);
    const DeviceProps props = device_props(0);
    const auto bytes = static_cast<std::size_t>(size);
    const bool bidir = dir_ == PcieDirection::kBidir;
    const double need = static_cast<double>(size) * (bidir ? 2.0 : 1.0);
    if (need > memory_budget_bytes(free_device_bytes())) {
      throw core::Waived(fmt::format("needs {} of device memory", core::format_bytes(need)));
    }
    note_sensors(ctx, "before", props);
    const bool pinned = memory == "pinned";
    HostBuffer host_src(bytes, pinned, HostBuffer::Fill::kPattern, kSeedHost);
    HostBuffer host_dst(bytes, pinned, HostBuffer::Fill::kPoison);
    DeviceBuffer dev_src(bytes), dev_dst(bytes);
    Stream up, down;
    launch_fill_random(dev_src.get(), ElemType::kF64, size / 8, kSeedDevice, up.get());
    up.synchronize();
    poison_device(dev_dst.get(), bytes, kFloatPoisonByte, 0);
    Event fork, join;

    const auto seconds = sample_device(ctx, up.get(), [&](std::int64_t) {
      // bidir: the d2h half runs on its own stream (so the other copy engine takes it), forked from
      // `up` BEFORE the h2d copy is queued there (forked after it, the d2h would wait for the h2d
      // to finish and the two would run one after the other), and joined back so that the stop
      // event on `up` covers both.
      if (bidir) {
        fork.record(up.get());
        HEADROOM_CUDA_CHECK(cudaStreamWaitEvent(down.get(), fork.get(), 0));
      }
      if (dir_ == PcieDirection::kH2D || bidir) {
        HEADROOM_CUDA_CHECK(cudaMemcpyAsync(dev_dst.get(), host_src.get(), bytes, cudaMemcpyHostToDevice, up.get()));
      }
      if (dir_ == PcieDirection::kD2H) {
        HEADROOM_CUDA_CHECK(cudaMemcpyAsync(host_dst.get(), dev_src.get(), bytes, cudaMemcpyDeviceToHost, up.get()));
      }
      if (bidir) {
        HEADROOM_CUDA_CHECK(cudaMemcpyAsync(host_dst.get(), dev_src.get(), bytes, cudaMemcpyDeviceToHost, down.get()));
        join.record(down.get());
        HEADROOM_CUDA_CHECK(cudaStreamWaitEvent(up.get(), join.get(), 0));
      }
    });
    // Check what arrived: every element written (no NaN left) and sampled elements equal to the
    // source's pattern. h2d lands kSeedHost's pattern in dev_dst, d2h kSeedDevice's in host_dst.
    bool verified = true;
    const std::int64_t n = size / 8;
    std::int64_t unwritten = 0;
    if (dir_ != PcieDirection::kD2H) {
      unwritten += count_unwritten(dev_dst.get(), ElemType::kF64, n, 0);
      verified = check_pattern_f64(dev_dst.as<double>(), n, kSeedHost, up.get());
    }
    if (dir_ != PcieDirection::kH2D) {
      up.synchronize();
      down.synchronize();
      unwritten += host_dst.count_unwritten();
      const auto* h = static_cast<const double*>(host_dst.get());
      const std::int64_t stride = sample_stride(n, 4096);
      for (std::int64_t i = 0; i < n; i += stride) {
        if (h[i] != uniform_pm1(kSeedDevice, static_cast<std::uint64_t>(i))) verified = false;
      }
    }
    if (unwritten != 0) verified = false;
    note_sensors(ctx, "after", props);
    core::CaseResult r;
    r.device = "cuda:0";
    r.samples_s = seconds;
    r.metrics = pcie_metrics(dir_, size, seconds, ctx.policy().statistic);
    r.verified = verified;
    r.message = numa_note(props);
    // A pageable copy is staged through a pinned bounce buffer by the calling host thread, which
    // the call may hold until the copy is done: the two directions then overlap only in part.
    if (bidir && !pinned) r.message += "; pageable: the host thread stages both copies, so they overlap only in part";
    if (!verified) {
      r.message += fmt::format("; RESULT WRONG: transferred data differs ({} of {} elements unwritten)", unwritten,
                               n * (bidir ? 2 : 1));
    }
    return r;
  }

 private:
  PcieDirection dir_;
};

}  // namespace

void add_pcie_benchmarks(Registry& registry) {
  for (auto d : {PcieDirection::kH2D, PcieDirection::kD2H, PcieDirection::kBidir}) {
    registry.add(std::make_unique<PcieBenchmark>(d));
  }
}

}  // namespace headroom::bench::gpu
