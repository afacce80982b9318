// cuda.pcie.all.h2d | d2h | bidir: every visible GPU copies to or from host memory at the same
// time, and bytes_per_s is what they move together (NVIDIA/nvbandwidth issue 18: the node's
// aggregate, not one GPU's rate under interference). On an 8-GPU node the GPUs share PCIe
// switches, root ports and host memory, so 8 × cuda.pcie.h2d overstates what a checkpoint
// copy-out, an optimizer offload or a model load of all GPUs at once gets.
//
// Timing: every GPU's stream first runs a one-thread kernel that spins on a flag in pinned host
// memory (the start latch); behind it come a start event, the copies and a stop event. The host
// queues all of that on every GPU, then sets the flag: the GPUs start together, within one PCIe
// read of the flag of each other, and no launch time of any GPU falls inside a timed interval.
// A round lasts as long as its slowest GPU (events of different devices cannot be subtracted, so
// the common start is the latch, not an event). The host clock from the release to the last
// completion is recorded too (host_timed_bytes_per_s): it adds the waiting thread's wake-up, so it
// bounds the event-timed figure from below and shows on the first GPU run how large that error is.
#include <fmt/format.h>
#include <linux/mempolicy.h>  // MPOL_F_NODE, MPOL_F_ADDR
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>

#include "common.hpp"
#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"
#include "headroom/gpu/check.hpp"
#include "headroom/gpu/kernels.cuh"
#include "headroom/gpu/pattern.hpp"
#include "headroom/gpu/plan.hpp"
#include "headroom/gpu/resources.hpp"

namespace headroom::bench::gpu {

namespace {

// Seeds per GPU and direction, so that each destination is checked against data only its own
// source held: a copy landing on the wrong GPU's buffer, or not at all, fails the check.
std::uint64_t host_seed(int device) {
  return 1000 + static_cast<std::uint64_t>(device);
}
std::uint64_t device_seed(int device) {
  return 2000 + static_cast<std::uint64_t>(device);
}

// A latch that is never released (a host thread that died between queueing and releasing, or
// CUDA_LAUNCH_BLOCKING=1, which makes the host wait for the spinning kernel) ends after 10 s and
// the round is an error instead of a hang.
constexpr unsigned long long kLatchTimeoutNs = 10'000'000'000ULL;

int gpu_numa_node(const DeviceProps& props) {
  std::ifstream in("/sys/bus/pci/devices/" + props.pci_bus_id + "/numa_node");
  int node = kNumaUnknown;
  if (in >> node && node >= 0) return node;
  return kNumaUnknown;
}

/// NUMA node of the page holding `addr` (get_mempolicy with MPOL_F_NODE | MPOL_F_ADDR), or
/// kNumaUnknown where the kernel does not say (no NUMA support).
int page_numa_node(const void* addr) {
  int node = kNumaUnknown;
  const long rc = syscall(SYS_get_mempolicy, &node, nullptr, 0UL, const_cast<void*>(addr),
                          static_cast<unsigned long>(MPOL_F_NODE | MPOL_F_ADDR));
  return rc == 0 ? node : kNumaUnknown;
}

/// The node of a host buffer's first, middle and last page: one node, kNumaSeveral or kNumaUnknown.
int buffer_numa_node(const void* p, std::size_t bytes, int node_so_far) {
  if (p == nullptr || bytes == 0) return node_so_far;
  const auto* c = static_cast<const char*>(p);
  int node = node_so_far;
  bool first = node_so_far == kNumaUnknown;
  for (std::size_t at : {std::size_t{0}, bytes / 2, bytes - 1}) {
    const int n = page_numa_node(c + at);
    if (n == kNumaUnknown) return kNumaUnknown;
    if (first) {
      node = n;
      first = false;
    } else if (n != node) {
      node = kNumaSeveral;
    }
  }
  return node;
}

/// The start latch: two ints of pinned host memory mapped into every GPU ([0] the flag the GPUs
/// wait for, [1] set by a GPU whose wait timed out). Releases the latch and waits for the GPUs
/// before the memory is freed, so no kernel is left reading freed memory after an exception.
class Latch {
 public:
  explicit Latch(int devices) : devices_(devices) {
    void* p = nullptr;
    HEADROOM_CUDA_CHECK(cudaHostAlloc(&p, 2 * sizeof(int), cudaHostAllocMapped | cudaHostAllocPortable));
    host_ = static_cast<int*>(p);
    host_[0] = 0;
    host_[1] = 0;
    for (int d = 0; d < devices; ++d) {
      DeviceGuard g(d);
      void* dev = nullptr;
      HEADROOM_CUDA_CHECK(cudaHostGetDevicePointer(&dev, host_, 0));
      device_ptrs_.push_back(static_cast<int*>(dev));
    }
  }
  ~Latch() {
    release();
    int previous = 0;
    (void)cudaGetDevice(&previous);
    for (int d = 0; d < devices_; ++d) {
      if (cudaSetDevice(d) == cudaSuccess) (void)cudaDeviceSynchronize();
    }
    (void)cudaSetDevice(previous);
    (void)cudaFreeHost(host_);
  }
  Latch(const Latch&) = delete;
  Latch& operator=(const Latch&) = delete;

  /// Closes the latch; only between rounds, when no GPU is waiting on it.
  void arm() {
    flag()[0] = 0;
    flag()[1] = 0;
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
  void release() {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    flag()[0] = 1;
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
  bool timed_out() const { return static_cast<const volatile int*>(host_)[1] != 0; }
  const volatile int* device_flag(int d) const { return device_ptrs_.at(static_cast<std::size_t>(d)); }
  int* device_timed_out(int d) const { return device_ptrs_.at(static_cast<std::size_t>(d)) + 1; }

 private:
  volatile int* flag() { return host_; }
  int devices_ = 0;
  int* host_ = nullptr;
  std::vector<int*> device_ptrs_;
};

/// One GPU's buffers, streams and events; every CUDA object made while that GPU is current (the
/// pinned host buffers too, as a program that gives each GPU its own staging memory does).
struct Lane {
  int device = 0;
  DeviceProps props;
  Stream up, down;  // down: the d2h half of bidir, on the other copy engine
  Event start, stop, fork, join;
  DeviceBuffer dev_src, dev_dst;
  PinnedBuffer host_src, host_dst;
  std::vector<double> seconds;  // per round, per copy

  /// Call with GPU `d` current (the streams, events and buffers are made on the current device).
  Lane(int d, PcieDirection dir, std::size_t bytes) : device(d), props(device_props(d)) {
    const auto n = static_cast<std::int64_t>(bytes / 8);
    if (dir != PcieDirection::kD2H) {
      host_src = PinnedBuffer(bytes);
      auto* h = static_cast<double*>(host_src.get());
      for (std::int64_t i = 0; i < n; ++i) h[i] = uniform_pm1(host_seed(d), static_cast<std::uint64_t>(i));
      dev_dst = DeviceBuffer(bytes);
      poison_device(dev_dst.get(), bytes, kFloatPoisonByte, d);
    }
    if (dir != PcieDirection::kH2D) {
      host_dst = PinnedBuffer(bytes);
      std::memset(host_dst.get(), kFloatPoisonByte, bytes);  // touched: no page faults while timed
      dev_src = DeviceBuffer(bytes);
      launch_fill_random(dev_src.get(), ElemType::kF64, n, device_seed(d), up.get());
      up.synchronize();
    }
  }
};

/// Queues one round on every lane behind the latch, releases it and waits for all. Returns the
/// host seconds from the release to the last completion; each lane's event-timed seconds per copy
/// go to lane.seconds.
double run_round(std::vector<std::unique_ptr<Lane>>& lanes, Latch& latch, PcieDirection dir, std::size_t bytes,
                 std::int64_t inner) {
  const bool bidir = dir == PcieDirection::kBidir;
  latch.arm();
  for (auto& lp : lanes) {
    Lane& l = *lp;
    DeviceGuard g(l.device);
    launch_wait_flag(latch.device_flag(l.device), latch.device_timed_out(l.device), kLatchTimeoutNs, l.up.get());
    l.start.record(l.up.get());
    if (bidir) {
      l.fork.record(l.up.get());
      HEADROOM_CUDA_CHECK(cudaStreamWaitEvent(l.down.get(), l.fork.get(), 0));
    }
    for (std::int64_t i = 0; i < inner; ++i) {
      if (dir != PcieDirection::kD2H) {
        HEADROOM_CUDA_CHECK(
            cudaMemcpyAsync(l.dev_dst.get(), l.host_src.get(), bytes, cudaMemcpyHostToDevice, l.up.get()));
      }
      if (dir != PcieDirection::kH2D) {
        HEADROOM_CUDA_CHECK(cudaMemcpyAsync(l.host_dst.get(), l.dev_src.get(), bytes, cudaMemcpyDeviceToHost,
                                            bidir ? l.down.get() : l.up.get()));
      }
    }
    if (bidir) {
      l.join.record(l.down.get());
      HEADROOM_CUDA_CHECK(cudaStreamWaitEvent(l.up.get(), l.join.get(), 0));
    }
    l.stop.record(l.up.get());
  }
  const double t0 = now_s();
  latch.release();
  for (auto& lp : lanes) HEADROOM_CUDA_CHECK(cudaEventSynchronize(lp->stop.get()));
  const double host_s = now_s() - t0;
  if (latch.timed_out()) {
    throw std::runtime_error("the start latch was not released within 10 s (CUDA_LAUNCH_BLOCKING set?)");
  }
  for (auto& lp : lanes) lp->seconds.push_back(elapsed_s(lp->start, lp->stop) / static_cast<double>(inner));
  return host_s / static_cast<double>(inner);
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

class PcieAllBenchmark final : public Benchmark {
 public:
  explicit PcieAllBenchmark(PcieDirection d) : dir_(d) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "cuda.pcie.all." + to_string(dir_);
    i.backend = "cuda";
    i.description = "every visible GPU at once, pinned host memory: " +
                    std::string(dir_ == PcieDirection::kBidir ? "host->device and device->host together"
                                : dir_ == PcieDirection::kH2D ? "host->device"
                                                              : "device->host") +
                    " cudaMemcpyAsync, started together by a latch; total bytes / slowest GPU's time";
    i.params = {{"gpus", "", "GPUs copying at once (all visible ones)"},
                {"size_bytes", "B", "bytes per transfer and GPU (per direction for bidir)"}};
    i.metrics = {
        {"bytes_per_s", "B/s", core::Better::kHigher, "bytes over all GPUs' links together (event-timed)"},
        {"host_timed_bytes_per_s", "B/s", core::Better::kHigher, "the same bytes over the host clock (a lower bound)"}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    const int n = device_count();
    auto sizes = pcie_all_sizes(suite);
    if (n < 2) sizes.resize(1);  // waived at run time with the reason
    std::vector<core::Params> out;
    for (auto s : sizes) out.push_back({{"gpus", std::int64_t{n}}, {"size_bytes", s}});
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    const int count = require_devices();
    const std::int64_t size = param_int(params, "size_bytes");
    const std::int64_t gpus = param_int(params, "gpus");
    if (size < 8 || size % 8 != 0) throw core::InputError("", "size_bytes", "a positive multiple of 8");
    if (const std::string why = pcie_all_waiver(count); !why.empty()) throw core::Waived(why);
    if (gpus != count) {
      throw core::Waived(fmt::format("instance made for {} GPUs, {} visible now", gpus, count));
    }
    const auto bytes = static_cast<std::size_t>(size);
    const double per_gpu = pcie_all_host_bytes_per_gpu(dir_, size);
    const double host_need = per_gpu * static_cast<double>(count);
    const double host_ram = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
    // Pinned memory cannot be swapped or reclaimed: more than half the host's RAM locked at once
    // could push everything else on the machine out.
    if (host_ram > 0 && host_need > 0.5 * host_ram) {
      throw core::Waived(fmt::format("needs {} of pinned host memory; at most half of this host's {} is pinned",
                                     core::format_bytes(host_need), core::format_bytes(host_ram)));
    }
    for (int d = 0; d < count; ++d) {
      DeviceGuard g(d);
      if (per_gpu > memory_budget_bytes(free_device_bytes())) {
        throw core::Waived(fmt::format("needs {} of device memory on cuda:{}", core::format_bytes(per_gpu), d));
      }
    }
    std::vector<std::unique_ptr<Lane>> lanes;
    for (int d = 0; d < count; ++d) {
      DeviceGuard g(d);
      lanes.push_back(std::make_unique<Lane>(d, dir_, bytes));
      note_sensors(ctx, fmt::format("before, cuda:{}", d), lanes.back()->props);
    }
    Latch latch(count);

    // One untimed round (first-copy set-up, lazy loading of the latch kernel), one timed round to
    // calibrate the copies per round so that a round lasts at least max(min_time_s, 1 ms), then
    // the policy's warm-up and repetitions.
    (void)run_round(lanes, latch, dir_, bytes, 1);
    (void)run_round(lanes, latch, dir_, bytes, 1);
    std::vector<double> first;
    for (auto& l : lanes) first.push_back(l->seconds.back());
    const std::int64_t inner =
        calibrate_inner(pcie_all_round_s(first), std::max(ctx.policy().min_time_s, 1e-3), 1 << 10);
    for (auto& l : lanes) l->seconds.clear();
    std::vector<double> host_seconds;
    const auto seconds = sample(ctx, [&] {
      host_seconds.push_back(run_round(lanes, latch, dir_, bytes, inner));
      std::vector<double> round;
      for (auto& l : lanes) round.push_back(l->seconds.back());
      return pcie_all_round_s(round);
    });
    // sample() also ran the warm-up rounds: keep the timed ones, the last seconds.size().
    const auto keep_last = [&](std::vector<double>& v) {
      v.erase(v.begin(), v.end() - static_cast<std::ptrdiff_t>(seconds.size()));
    };
    keep_last(host_seconds);
    for (auto& l : lanes) keep_last(l->seconds);

    // Check what arrived on every GPU: every element written (no NaN left) and sampled elements
    // equal to the source's pattern; h2d lands host_seed(d)'s pattern on GPU d, d2h device_seed(d)'s
    // in GPU d's host buffer.
    bool verified = true;
    const std::int64_t n = size / 8;
    std::int64_t unwritten = 0;
    for (auto& lp : lanes) {
      Lane& l = *lp;
      DeviceGuard g(l.device);
      if (dir_ != PcieDirection::kD2H) {
        unwritten += count_unwritten(l.dev_dst.get(), ElemType::kF64, n, l.device);
        verified = check_pattern_f64(l.dev_dst.as<double>(), n, host_seed(l.device), l.up.get()) && verified;
      }
      if (dir_ != PcieDirection::kH2D) {
        l.up.synchronize();
        l.down.synchronize();
        const auto* h = static_cast<const double*>(l.host_dst.get());
        for (std::int64_t i = 0; i < n; ++i) unwritten += std::isfinite(h[i]) ? 0 : 1;
        const std::int64_t stride = sample_stride(n, 4096);
        for (std::int64_t i = 0; i < n; i += stride) {
          if (h[i] != uniform_pm1(device_seed(l.device), static_cast<std::uint64_t>(i))) verified = false;
        }
      }
    }
    if (unwritten != 0) verified = false;

    std::vector<PcieLane> figures;
    for (auto& lp : lanes) {
      Lane& l = *lp;
      note_sensors(ctx, fmt::format("after, cuda:{}", l.device), l.props);
      int node = buffer_numa_node(l.host_src.get(), l.host_src.bytes(), kNumaUnknown);
      if (dir_ == PcieDirection::kD2H) node = buffer_numa_node(l.host_dst.get(), l.host_dst.bytes(), kNumaUnknown);
      if (dir_ == PcieDirection::kBidir) node = buffer_numa_node(l.host_dst.get(), l.host_dst.bytes(), node);
      figures.push_back(
          {l.device, pcie_traffic_bytes(dir_, size) / median_of(l.seconds), gpu_numa_node(l.props), node});
    }
    core::CaseResult r;
    r.device = fmt::format("cuda:0-{}", count - 1);
    r.samples_s = seconds;
    r.metrics = pcie_all_metrics(dir_, size, count, seconds, host_seconds, ctx.policy().statistic);
    r.verified = verified;
    r.message = describe_pcie_all(figures, size, r.metrics[0].value.value_or(0), r.metrics[1].value.value_or(0));
    if (!verified) {
      r.message += fmt::format("; RESULT WRONG: transferred data differs ({} of {} elements unwritten)", unwritten,
                               n * count * (dir_ == PcieDirection::kBidir ? 2 : 1));
    }
    return r;
  }

 private:
  PcieDirection dir_;
};

}  // namespace

void add_pcie_all_benchmarks(Registry& registry) {
  for (auto d : {PcieDirection::kH2D, PcieDirection::kD2H, PcieDirection::kBidir}) {
    registry.add(std::make_unique<PcieAllBenchmark>(d));
  }
}

}  // namespace headroom::bench::gpu
