// nccl.<collective>: one benchmark per collective over a shared harness (nccl-tests' layout):
// size sweep, in-place and out-of-place, event timing per iteration (slowest rank), algbw and
// busbw with nccl-tests' factors, results verified. nccl.<collective>.alpha_beta fits t = α + n/β
// over the sweep, per scope (intra_node, inter_node).
#include <fmt/format.h>

#include <algorithm>

#include "common.hpp"
#include "headroom/bench/backends.hpp"
#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/stats.hpp"
#include "headroom/gpu/check.hpp"
#include "headroom/gpu/kernels.cuh"
#include "headroom/gpu/plan.hpp"
#include "headroom/nccl/check.hpp"
#include "headroom/nccl/plan.hpp"
#include "world.hpp"

namespace headroom::bench::nccl {

namespace {

constexpr int kElemBytes = 4;  // fp32 (ncclFloat): sums of the small-integer pattern stay exact
constexpr int kVerifySamples = 4096;

struct RankBuffers {
  gpu::DeviceBuffer send, recv;
  float* send_ptr = nullptr;
  float* recv_ptr = nullptr;
};

struct Measurement {
  std::vector<double> seconds;  ///< per iteration, slowest rank
  bool verified = false;
  std::int64_t effective_bytes = 0;
};

void issue(core::Collective c, const CollectiveCounts& n, const RankBuffers& b, const LocalRank& lr) {
  const auto count = static_cast<std::size_t>(n.call_count);
  cudaStream_t s = lr.stream->get();
  switch (c) {
    case core::Collective::kAllReduce:
      HEADROOM_NCCL_CHECK(ncclAllReduce(b.send_ptr, b.recv_ptr, count, ncclFloat, ncclSum, lr.comm, s));
      break;
    case core::Collective::kAllGather:
      HEADROOM_NCCL_CHECK(ncclAllGather(b.send_ptr, b.recv_ptr, count, ncclFloat, lr.comm, s));
      break;
    case core::Collective::kReduceScatter:
      HEADROOM_NCCL_CHECK(ncclReduceScatter(b.send_ptr, b.recv_ptr, count, ncclFloat, ncclSum, lr.comm, s));
      break;
    case core::Collective::kBroadcast:
      HEADROOM_NCCL_CHECK(ncclBroadcast(b.send_ptr, b.recv_ptr, count, ncclFloat, 0, lr.comm, s));
      break;
    case core::Collective::kReduce:
      HEADROOM_NCCL_CHECK(ncclReduce(b.send_ptr, b.recv_ptr, count, ncclFloat, ncclSum, 0, lr.comm, s));
      break;
    case core::Collective::kAllToAll:
      HEADROOM_NCCL_CHECK(ncclAlltoAll(b.send_ptr, b.recv_ptr, count, ncclFloat, lr.comm, s));
      break;
  }
}

Measurement measure_unguarded(NcclWorld& world, core::Collective c, std::int64_t size_bytes, bool in_place,
                              RunContext& ctx);

/// Measures one collective at one size on every local rank; every process must call it with the
/// same arguments (decisions that could differ between ranks go through world.all / world.max).
/// A failed NCCL or CUDA call leaves the communicators in an unknown state: the world is marked
/// broken, so later cases fail at once (instead of hanging in a collective) and the communicators
/// are aborted rather than destroyed at exit.
Measurement measure(NcclWorld& world, core::Collective c, std::int64_t size_bytes, bool in_place, RunContext& ctx) {
  if (!world.broken().empty()) {
    throw core::EnvironmentError("NCCL communicators unusable after an earlier failure: " + world.broken());
  }
  try {
    return measure_unguarded(world, c, size_bytes, in_place, ctx);
  } catch (const gpu::ApiError& e) {
    // Running out of memory for this size's buffers leaves the communicators intact.
    if (e.api_error_name() != "cudaErrorMemoryAllocation") world.mark_broken(e.what());
    throw;
  }
}

Measurement measure_unguarded(NcclWorld& world, core::Collective c, std::int64_t size_bytes, bool in_place,
                              RunContext& ctx) {
  const CollectiveCounts n = collective_counts(c, size_bytes, kElemBytes, world.ranks());
  const double need = static_cast<double>((n.send_count + n.recv_count) * kElemBytes);
  bool fits = true;
  for (auto& lr : world.local()) {
    gpu::DeviceGuard g(lr.device);
    if (need > gpu::memory_budget_bytes(gpu::free_device_bytes())) fits = false;
  }
  if (!world.all(fits)) {
    throw core::Waived(fmt::format("needs {} of device memory per GPU", core::format_bytes(need)));
  }

  std::vector<RankBuffers> bufs(world.local().size());
  auto fill = [&] {  // the pattern every rank's input holds; refilled before the checked run
    for (std::size_t i = 0; i < bufs.size(); ++i) {
      const LocalRank& lr = world.local()[i];
      gpu::DeviceGuard g(lr.device);
      gpu::launch_fill_collective(bufs[i].send_ptr, n.send_count, lr.rank, 0, lr.stream->get());
    }
  };
  for (std::size_t i = 0; i < bufs.size(); ++i) {
    const LocalRank& lr = world.local()[i];
    gpu::DeviceGuard g(lr.device);
    RankBuffers& b = bufs[i];
    if (in_place && c == core::Collective::kReduceScatter) {
      // In place, the input is the large buffer and the output this rank's slice of it.
      b.recv = gpu::DeviceBuffer(static_cast<std::size_t>(n.send_count * kElemBytes));
      b.send_ptr = b.recv.as<float>();
      b.recv_ptr = b.send_ptr + lr.rank * n.recv_count;
      continue;
    }
    b.recv = gpu::DeviceBuffer(static_cast<std::size_t>(n.recv_count * kElemBytes));
    b.recv_ptr = b.recv.as<float>();
    if (!in_place) {
      b.send = gpu::DeviceBuffer(static_cast<std::size_t>(n.send_count * kElemBytes));
      b.send_ptr = b.send.as<float>();
    } else if (c == core::Collective::kAllGather) {
      b.send_ptr = b.recv_ptr + lr.rank * n.send_count;  // NCCL's in-place all-gather layout
    } else {
      b.send_ptr = b.recv_ptr;
    }
  }
  fill();

  auto run_once = [&] {
    HEADROOM_NCCL_CHECK(ncclGroupStart());
    for (std::size_t i = 0; i < bufs.size(); ++i) issue(c, n, bufs[i], world.local()[i]);
    HEADROOM_NCCL_CHECK(ncclGroupEnd());
  };
  std::vector<gpu::Event> starts, stops;
  for (auto& lr : world.local()) {
    gpu::DeviceGuard g(lr.device);
    starts.emplace_back();
    stops.emplace_back();
  }
  // Times `inner` back-to-back calls on every local rank; returns seconds per call of the slowest.
  auto timed = [&](std::int64_t inner) {
    for (std::size_t i = 0; i < bufs.size(); ++i) starts[i].record(world.local()[i].stream->get());
    for (std::int64_t k = 0; k < inner; ++k) run_once();
    for (std::size_t i = 0; i < bufs.size(); ++i) stops[i].record(world.local()[i].stream->get());
    double slowest = 0;
    for (std::size_t i = 0; i < bufs.size(); ++i) slowest = std::max(slowest, gpu::elapsed_s(starts[i], stops[i]));
    return world.max(slowest / static_cast<double>(inner));
  };

  const auto& policy = ctx.policy();
  // The first call at a size can include connection set-up (recent NCCL connects peers at the
  // first collective that needs them) and kernel loading, milliseconds to seconds: calibrating on
  // it would leave `inner` at 1 and time single µs-long calls. So one untimed call first, like
  // nccl-tests' warm-up iterations; every rank makes it, so the collectives stay matched.
  (void)timed(1);
  const double one = timed(1);
  const std::int64_t inner = gpu::calibrate_inner(one, std::max(policy.min_time_s, 1e-3), 1 << 16);
  for (int w = 0; w < policy.warmup; ++w) timed(inner);
  Measurement m;
  m.effective_bytes = n.effective_bytes;
  const double start = now_s();
  for (int r = 0; r < policy.repetitions; ++r) {
    m.seconds.push_back(timed(inner));
    // Every process stops at the same repetition (or they would deadlock in the next collective).
    if (!world.all(now_s() - start <= policy.max_case_s) && r + 1 < policy.repetitions) {
      ctx.note(fmt::format("stopped after {} of {} repetitions (max_case_s reached)", r + 1, policy.repetitions));
      break;
    }
  }

  // Verify: poison every receive buffer with NaN, then refill the inputs (in place they lie inside
  // the receive buffer and overwrite part of the poison), run once, count the output elements
  // left NaN and compare sampled ones. Poisoning in place too matters: an in-place all_gather's
  // other ranks' slices still hold the timed runs' correct result (or a freed buffer's), which
  // would pass a final run that never happened.
  for (std::size_t i = 0; i < bufs.size(); ++i) {
    const LocalRank& lr = world.local()[i];
    gpu::DeviceGuard g(lr.device);
    gpu::launch_poison(bufs[i].recv.as<float>(), static_cast<std::int64_t>(bufs[i].recv.bytes() / kElemBytes),
                       lr.stream->get());
  }
  fill();
  run_once();
  bool ok = true;
  for (std::size_t i = 0; i < bufs.size(); ++i) {
    const LocalRank& lr = world.local()[i];
    lr.stream->synchronize();
    if (gpu::count_unwritten(bufs[i].recv_ptr, gpu::ElemType::kF32, n.recv_count, lr.device) != 0) ok = false;
    gpu::DeviceGuard g(lr.device);
    const std::int64_t stride = gpu::sample_stride(n.recv_count, kVerifySamples);
    const std::int64_t rows = (n.recv_count + stride - 1) / stride;
    std::vector<float> got(static_cast<std::size_t>(rows));
    HEADROOM_CUDA_CHECK(cudaMemcpy2DAsync(got.data(), sizeof(float), bufs[i].recv_ptr,
                                          static_cast<std::size_t>(stride) * sizeof(float), sizeof(float),
                                          static_cast<std::size_t>(rows), cudaMemcpyDeviceToHost, lr.stream->get()));
    lr.stream->synchronize();
    const std::int64_t chunk = c == core::Collective::kAllGather       ? n.send_count
                               : c == core::Collective::kReduceScatter ? n.recv_count
                                                                       : n.call_count;
    for (std::int64_t j = 0; j < rows; ++j) {
      if (got[static_cast<std::size_t>(j)] != expected_value(c, world.ranks(), lr.rank, j * stride, chunk)) ok = false;
    }
  }
  m.verified = world.all(ok);
  return m;
}

class CollectiveBenchmark final : public Benchmark {
 public:
  CollectiveBenchmark(core::Collective c, std::shared_ptr<WorldHolder> world) : c_(c), world_(std::move(world)) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "nccl." + core::to_string(c_);
    i.backend = "nccl";
    i.description = "NCCL " + core::to_string(c_) + " of fp32 (sum where it reduces), nccl-tests' size convention";
    i.params = {{"size_bytes", "B", "largest buffer per rank (nccl-tests' size)"},
                {"ranks", "", "GPUs taking part"},
                {"in_place", "", "output buffer aliases the input"}};
    i.metrics = {{"algbw_bytes_per_s", "B/s", core::Better::kHigher, "size_bytes / time"},
                 {"busbw_bytes_per_s", "B/s", core::Better::kHigher, "algbw × nccl-tests busbw factor"},
                 {"time_s", "s", core::Better::kLower, "one collective, slowest rank"}};
    i.all_ranks = true;
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    const int ranks = planned_ranks();
    std::vector<std::int64_t> sizes = collective_sizes(suite);
    if (ranks < 2) sizes.resize(1);  // waived at run time with the reason
    std::vector<bool> modes = {false};
    if (suite != "quick" && has_in_place(c_) && ranks >= 2) modes.push_back(true);
    std::vector<core::Params> out;
    std::int64_t previous = -1;
    for (bool in_place : modes) {
      for (auto s : sizes) {
        // Report the size actually moved; tiny sizes collapse to one element per rank.
        const std::int64_t eff = collective_counts(c_, s, kElemBytes, std::max(ranks, 1)).effective_bytes;
        if (eff == previous) continue;
        previous = eff;
        out.push_back({{"size_bytes", eff}, {"ranks", std::int64_t{ranks}}, {"in_place", in_place}});
      }
      previous = -1;
    }
    return out;
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    gpu::require_devices();
    NcclWorld& world = world_->get();
    const std::int64_t size = param_int(params, "size_bytes");
    const bool in_place = param_bool(params, "in_place");
    if (param_int(params, "ranks") != world.ranks()) {
      throw core::InputError("", "ranks", fmt::format("{} (the ranks of this run)", world.ranks()));
    }
    if (in_place && !has_in_place(c_)) throw core::Waived("NCCL defines no in-place " + core::to_string(c_));
    const Measurement m = measure(world, c_, size, in_place, ctx);
    core::CaseResult r;
    r.device = world.multi_process() ? "all ranks" : "cuda:*";
    r.samples_s = m.seconds;
    r.metrics = collective_metrics(c_, world.ranks(), m.effective_bytes, m.seconds, ctx.policy().statistic);
    r.verified = m.verified;
    r.message = fmt::format("scope {}{}", planned_scope(), m.verified ? "" : "; RESULT WRONG: received values differ");
    if (!in_place && !m.seconds.empty()) {
      world.medians[{static_cast<int>(c_), m.effective_bytes}] = core::summarize(m.seconds).median;
    }
    return r;
  }

 private:
  core::Collective c_;
  std::shared_ptr<WorldHolder> world_;
};

/// nccl.<collective>.alpha_beta: α-β fit over the out-of-place sweep of the suite. Sizes already
/// measured by nccl.<collective> in this run are reused; the others are measured here.
class AlphaBetaBenchmark final : public Benchmark {
 public:
  AlphaBetaBenchmark(core::Collective c, std::shared_ptr<WorldHolder> world) : c_(c), world_(std::move(world)) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "nccl." + core::to_string(c_) + ".alpha_beta";
    i.backend = "nccl";
    i.description = "α-β model t = α + size/β of NCCL " + core::to_string(c_) + " for the planner";
    i.params = {{"ranks", "", "GPUs taking part"}, {"scope", "", "intra_node or inter_node"}};
    i.metrics = {{"alpha_s", "s", core::Better::kLower, "latency term"},
                 {"beta_bytes_per_s", "B/s", core::Better::kHigher, "bandwidth term (algbw)"},
                 {"busbw_beta_bytes_per_s", "B/s", core::Better::kHigher, "β × busbw factor"},
                 {"r2", "", core::Better::kHigher, "fit quality"}};
    i.all_ranks = true;
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    (void)suite;
    const int ranks = planned_ranks();
    return {{{"ranks", std::int64_t{ranks}}, {"scope", planned_scope()}}};
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    gpu::require_devices();
    (void)params;
    NcclWorld& world = world_->get();
    std::vector<double> bytes, seconds;
    std::int64_t previous = -1;
    int measured_here = 0;
    for (auto s : collective_sizes(ctx.policy().suite)) {
      const std::int64_t eff = collective_counts(c_, s, kElemBytes, world.ranks()).effective_bytes;
      if (eff == previous) continue;
      previous = eff;
      const auto key = std::make_pair(static_cast<int>(c_), eff);
      auto it = world.medians.find(key);
      if (it == world.medians.end()) {
        try {
          const Measurement m = measure(world, c_, eff, false, ctx);
          world.medians[key] = core::summarize(m.seconds).median;
          ++measured_here;
        } catch (const core::Waived&) {
          continue;  // a size that does not fit is left out of the fit
        }
        it = world.medians.find(key);
      }
      bytes.push_back(static_cast<double>(eff));
      seconds.push_back(it->second);
    }
    if (bytes.size() < 2) throw core::Waived("fewer than two message sizes could be measured");
    core::CaseResult r;
    r.device = world.multi_process() ? "all ranks" : "cuda:*";
    r.metrics = alpha_beta_metrics(c_, world.ranks(), bytes, seconds);
    r.message =
        fmt::format("scope {}; {} sizes ({} reused from nccl.{}, {} measured here)", planned_scope(), bytes.size(),
                    bytes.size() - static_cast<std::size_t>(measured_here), core::to_string(c_), measured_here);
    return r;
  }

 private:
  core::Collective c_;
  std::shared_ptr<WorldHolder> world_;
};

}  // namespace

}  // namespace headroom::bench::nccl

namespace headroom::bench {

void register_nccl(Registry& registry) {
  auto world = std::make_shared<nccl::WorldHolder>();
  for (auto c : nccl::collectives()) registry.add(std::make_unique<nccl::CollectiveBenchmark>(c, world));
  for (auto c : nccl::collectives()) registry.add(std::make_unique<nccl::AlphaBetaBenchmark>(c, world));
}

}  // namespace headroom::bench
