#include "headroom/nccl/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/stats.hpp"
#include "headroom/gpu/pattern.hpp"
#include "headroom/gpu/plan.hpp"

namespace headroom::bench::nccl {

const std::vector<core::Collective>& collectives() {
  static const std::vector<core::Collective> list = {core::Collective::kAllReduce, core::Collective::kAllGather,
                                                     core::Collective::kReduceScatter, core::Collective::kBroadcast,
                                                     core::Collective::kAllToAll};
  return list;
}

std::vector<std::int64_t> collective_sizes(const std::string& suite) {
  constexpr std::int64_t kGiB = 1LL << 30;
  if (suite == "quick") return gpu::geometric_sizes(8, kGiB, 8);
  if (suite == "standard") return gpu::geometric_sizes(8, 4 * kGiB, 4);
  if (suite == "full") return gpu::geometric_sizes(8, 8 * kGiB, 2);
  throw core::InputError("", "--suite", "one of quick, standard, full, got '" + suite + "'");
}

bool has_in_place(core::Collective c) {
  return c != core::Collective::kAllToAll;
}

CollectiveCounts collective_counts(core::Collective c, std::int64_t size_bytes, int elem_bytes, int ranks) {
  if (size_bytes < 1 || elem_bytes < 1 || ranks < 1) {
    throw core::InputError("", "collective", "size_bytes, element size and ranks >= 1");
  }
  const std::int64_t n = ranks;
  std::int64_t count = std::max<std::int64_t>(1, size_bytes / elem_bytes);
  CollectiveCounts out;
  switch (c) {
    case core::Collective::kAllReduce:
    case core::Collective::kBroadcast:
    case core::Collective::kReduce:
      out = {count, count, count, 0};
      break;
    case core::Collective::kAllGather:
      count = std::max(n, count / n * n);
      out = {count / n, count, count / n, 0};
      break;
    case core::Collective::kReduceScatter:
      count = std::max(n, count / n * n);
      out = {count, count / n, count / n, 0};
      break;
    case core::Collective::kAllToAll:
      count = std::max(n, count / n * n);
      out = {count, count, count / n, 0};
      break;
  }
  out.effective_bytes = count * elem_bytes;
  return out;
}

float expected_value(core::Collective c, int ranks, int rank, std::int64_t i, std::int64_t chunk) {
  using gpu::collective_value;
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  switch (c) {
    case core::Collective::kAllReduce: {
      float sum = 0;
      for (int q = 0; q < ranks; ++q) sum += collective_value(q, u(i));
      return sum;
    }
    case core::Collective::kAllGather:
      return collective_value(static_cast<int>(i / chunk), u(i % chunk));
    case core::Collective::kReduceScatter: {
      float sum = 0;
      for (int q = 0; q < ranks; ++q) sum += collective_value(q, u(rank * chunk + i));
      return sum;
    }
    case core::Collective::kBroadcast:
    case core::Collective::kReduce:
      return collective_value(0, u(i));
    case core::Collective::kAllToAll:
      // Block q of my receive buffer is block `rank` of rank q's send buffer.
      return collective_value(static_cast<int>(i / chunk), u(rank * chunk + i % chunk));
  }
  return 0;
}

std::string scope_from_hosts(const std::vector<std::string>& hostnames) {
  const std::set<std::string> distinct(hostnames.begin(), hostnames.end());
  return distinct.size() <= 1 ? "intra_node" : "inter_node";
}

std::string shared_gpu_reason(const std::vector<std::string>& bus_id_by_local_rank, const std::string& host) {
  for (std::size_t i = 0; i < bus_id_by_local_rank.size(); ++i) {
    for (std::size_t j = i + 1; j < bus_id_by_local_rank.size(); ++j) {
      if (bus_id_by_local_rank[i] != bus_id_by_local_rank[j]) continue;
      return fmt::format(
          "{} ranks on {} but local ranks {} and {} both drive GPU {}: NCCL needs one GPU per rank (run at "
          "most as many ranks per node as it has GPUs, e.g. mpirun --map-by ppr:<gpus>:node or srun "
          "--gpus-per-task=1)",
          bus_id_by_local_rank.size(), host, i, j, bus_id_by_local_rank[i]);
    }
  }
  return {};
}

std::vector<core::Metric> collective_metrics(core::Collective c, int ranks, std::int64_t effective_bytes,
                                             const std::vector<double>& seconds, core::Statistic statistic) {
  const double bytes = static_cast<double>(effective_bytes);
  const double factor = core::busbw_factor(c, ranks);
  std::vector<core::Metric> out;
  out.push_back(
      throughput_metric("algbw_bytes_per_s", "B/s", bytes, seconds, "size_bytes / time (nccl-tests algbw)", statistic));
  out.push_back(throughput_metric(
      "busbw_bytes_per_s", "B/s", bytes * factor, seconds,
      fmt::format("algbw × {:.4g} (nccl-tests busbw factor of {} for {} ranks)", factor, core::to_string(c), ranks),
      statistic));
  out.push_back(time_metric("time_s", seconds, "one collective, slowest rank, CUDA-event timed", statistic));
  return out;
}

std::vector<core::Metric> alpha_beta_metrics(core::Collective c, int ranks, const std::vector<double>& bytes,
                                             const std::vector<double>& seconds) {
  const core::AlphaBeta ab = core::fit_alpha_beta(bytes, seconds);
  auto derived = [](std::string name, std::string unit, core::Better better, double value, std::string note) {
    core::Metric m;
    m.name = std::move(name);
    m.unit = std::move(unit);
    m.better = better;
    if (std::isfinite(value)) m.value = value;  // null, never a made-up number, when β is unbounded
    m.provenance = "derived";
    m.note = std::move(note);
    return m;
  };
  const std::string over = fmt::format("fit of t = α + bytes/β over {} sizes (relative least squares)", bytes.size());
  std::vector<core::Metric> out;
  out.push_back(derived("alpha_s", "s", core::Better::kLower, ab.alpha_s, "latency α: " + over));
  out.push_back(derived("beta_bytes_per_s", "B/s", core::Better::kHigher, ab.beta_bytes_per_s,
                        "bandwidth β in algbw terms: " + over));
  out.push_back(derived("busbw_beta_bytes_per_s", "B/s", core::Better::kHigher,
                        ab.beta_bytes_per_s * core::busbw_factor(c, ranks), "β × busbw factor"));
  out.push_back(derived("r2", "", core::Better::kHigher, ab.r2, "coefficient of determination of the fit"));
  return out;
}

}  // namespace headroom::bench::nccl
