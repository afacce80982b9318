// cuda.peer.copy: GPU-to-GPU bandwidth and latency per ordered pair, through the copy engines
// (cudaMemcpyPeerAsync) and through SM loads/stores over the peer mapping, one way or both ways
// at once. A pair without peer access is waived (its matrix entry stays null).
#include <fmt/format.h>

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

constexpr std::uint64_t kSeed = 31;
constexpr std::int64_t kLatencyBytes = 16;
constexpr int kLatencyCopies = 100;

std::int64_t peer_size(const std::string& suite) {
  return suite == "quick" ? (256LL << 20) : (1LL << 30);
}

void enable_peer(int from, int to) {
  DeviceGuard g(from);
  const cudaError_t rc = cudaDeviceEnablePeerAccess(to, 0);
  if (rc == cudaErrorPeerAccessAlreadyEnabled) {
    (void)cudaGetLastError();
    return;
  }
  HEADROOM_CUDA_CHECK(rc);
}

/// One direction of traffic: a buffer on `src`, one on `dst`, a stream on `src` (pushes).
struct Lane {
  int src, dst;
  DeviceBuffer from, to;
  Stream stream;
  int blocks;
};

Lane make_lane(int src, int dst, std::size_t bytes) {
  DeviceBuffer to;
  {
    DeviceGuard g(dst);
    to = DeviceBuffer(bytes);
  }
  // The destination starts as NaN: a fresh allocation can hold the very pattern expected (an
  // earlier case's source buffer on this device, freed and handed out again), which would pass a
  // copy that never ran.
  poison_device(to.get(), bytes, kFloatPoisonByte, dst);
  DeviceGuard g(src);
  DeviceBuffer from(bytes);
  Stream s;
  launch_fill_random(from.get(), ElemType::kF64, static_cast<std::int64_t>(bytes / 8), kSeed, s.get());
  return Lane{src, dst, std::move(from), std::move(to), std::move(s), device_props(src).sm_count * 4};
}

void copy_on_lane(const Lane& l, bool sm, std::size_t bytes) {
  if (sm) {
    DeviceGuard g(l.src);
    launch_copy_sm(l.to.get(), l.from.get(), static_cast<std::int64_t>(bytes), l.blocks, l.stream.get());
  } else {
    HEADROOM_CUDA_CHECK(cudaMemcpyPeerAsync(l.to.get(), l.dst, l.from.get(), l.src, bytes, l.stream.get()));
  }
}

class PeerBenchmark final : public Benchmark {
 public:
  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "cuda.peer.copy";
    i.backend = "cuda";
    i.description = "GPU-to-GPU copies per ordered pair: copy engine (ce) or SM stores (sm), one way or both";
    i.params = {{"src", "", "source GPU index"},
                {"dst", "", "destination GPU index"},
                {"mode", "", "ce (cudaMemcpyPeerAsync) or sm (kernel stores over the peer mapping)"},
                {"direction", "", "uni, or bidir (src->dst and dst->src at once)"},
                {"size_bytes", "B", "bytes per copy and direction"}};
    i.metrics = {{"bytes_per_s", "B/s", core::Better::kHigher, "bytes over the link (bidir: both directions)"},
                 {"latency_s", "s", core::Better::kLower, "one 16-byte copy"}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    const int n = device_count();
    const std::int64_t size = peer_size(suite);
    std::vector<core::Params> out;
    auto add = [&](int s, int d, const char* mode, const char* dir) {
      out.push_back({{"src", std::int64_t{s}},
                     {"dst", std::int64_t{d}},
                     {"mode", std::string(mode)},
                     {"direction", std::string(dir)},
                     {"size_bytes", size}});
    };
    if (n < 2) {
      add(0, 1, "ce", "uni");  // waived with the reason at run time
      return out;
    }
    for (const char* mode : {"ce", "sm"}) {
      for (int s = 0; s < n; ++s) {
        for (int d = 0; d < n; ++d) {
          if (s != d) add(s, d, mode, "uni");
          if (s < d) add(s, d, mode, "bidir");
        }
      }
    }
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    const int count = require_devices();
    const auto src = static_cast<int>(param_int(params, "src"));
    const auto dst = static_cast<int>(param_int(params, "dst"));
    const std::string mode = param_string(params, "mode");
    const std::string direction = param_string(params, "direction");
    const std::int64_t size = param_int(params, "size_bytes");
    if (mode != "ce" && mode != "sm") throw core::InputError("", "mode", "ce or sm");
    if (direction != "uni" && direction != "bidir") throw core::InputError("", "direction", "uni or bidir");
    if (size < 16 || size % 16 != 0) throw core::InputError("", "size_bytes", "a positive multiple of 16");
    if (count < 2) throw core::Waived(fmt::format("needs at least 2 GPUs; found {}", count));
    if (src < 0 || dst < 0 || src >= count || dst >= count || src == dst) {
      throw core::InputError("", "src/dst", fmt::format("two different GPU indices below {}", count));
    }
    int can_fwd = 0, can_back = 0;
    HEADROOM_CUDA_CHECK(cudaDeviceCanAccessPeer(&can_fwd, src, dst));
    HEADROOM_CUDA_CHECK(cudaDeviceCanAccessPeer(&can_back, dst, src));
    if (!can_fwd || !can_back) throw core::Waived(fmt::format("no peer access between cuda:{} and cuda:{}", src, dst));
    enable_peer(src, dst);
    enable_peer(dst, src);
    const bool sm = mode == "sm", bidir = direction == "bidir";
    const auto bytes = static_cast<std::size_t>(size);
    const DeviceProps props = device_props(src);
    note_sensors(ctx, "before", props);

    Lane fwd = make_lane(src, dst, bytes);
    std::optional<Lane> back;
    if (bidir) back = make_lane(dst, src, bytes);
    fwd.stream.synchronize();
    if (back) back->stream.synchronize();

    // cudaEventRecord needs the event and the stream on the same device (CUDA Runtime API,
    // cudaEventRecord: "event and stream must be on the same device"; CUDA C++ Programming Guide,
    // "Stream and Event Behavior"), while cudaStreamWaitEvent may wait on another device's event.
    // So `join`, recorded on the back lane's stream, is created on that lane's device (dst).
    std::optional<Event> join;
    if (back) {
      DeviceGuard gb(back->src);
      join.emplace();
    }
    DeviceGuard g(src);
    Event fork;
    const auto seconds = sample_device(ctx, fwd.stream.get(), [&](std::int64_t) {
      if (back) {
        fork.record(fwd.stream.get());
        HEADROOM_CUDA_CHECK(cudaStreamWaitEvent(back->stream.get(), fork.get(), 0));
      }
      copy_on_lane(fwd, sm, bytes);
      if (back) {
        copy_on_lane(*back, sm, bytes);
        join->record(back->stream.get());
        HEADROOM_CUDA_CHECK(cudaStreamWaitEvent(fwd.stream.get(), join->get(), 0));
      }
    });
    // Every element written (no NaN left, counted on the device that holds it) and sampled
    // elements equal to the source pattern.
    std::int64_t unwritten = count_unwritten(fwd.to.get(), ElemType::kF64, size / 8, fwd.dst);
    bool verified = check_pattern_f64(fwd.to.as<double>(), size / 8, kSeed, fwd.stream.get());
    if (back) {
      unwritten += count_unwritten(back->to.get(), ElemType::kF64, size / 8, back->dst);
      DeviceGuard gb(back->src);
      verified = verified && check_pattern_f64(back->to.as<double>(), size / 8, kSeed, back->stream.get());
    }
    if (unwritten != 0) verified = false;

    // Latency: back-to-back 16-byte copies on the forward lane, event-timed, averaged.
    std::vector<double> latency = sample(ctx, [&] {
      Event a, b;
      a.record(fwd.stream.get());
      for (int i = 0; i < kLatencyCopies; ++i) copy_on_lane(fwd, sm, static_cast<std::size_t>(kLatencyBytes));
      b.record(fwd.stream.get());
      return elapsed_s(a, b) / kLatencyCopies;
    });
    note_sensors(ctx, "after", props);
    core::CaseResult r;
    r.device = fmt::format("cuda:{}->cuda:{}", src, dst);
    r.samples_s = seconds;
    r.metrics = peer_metrics(size, bidir, seconds, latency, ctx.policy().statistic);
    r.verified = verified;
    if (!verified) {
      r.message = fmt::format("RESULT WRONG: copied data differs ({} of {} elements unwritten)", unwritten,
                              (size / 8) * (bidir ? 2 : 1));
    }
    return r;
  }
};

}  // namespace

void add_peer_benchmarks(Registry& registry) {
  registry.add(std::make_unique<PeerBenchmark>());
}

}  // namespace headroom::bench::gpu
