#include "headroom/plan/profile_from_results.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <string_view>

#include "headroom/core/errors.hpp"
#include "headroom/plan/catalog.hpp"

namespace headroom::plan {

namespace {

std::string date_of(const std::string& iso) { return iso.size() >= 10 ? iso.substr(0, 10) : iso; }

double param_number(const core::CaseResult& c, const std::string& name, double fallback) {
  const core::ParamValue* v = core::find_param(c.params, name);
  if (!v) return fallback;
  if (const auto* i = std::get_if<std::int64_t>(v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(v)) return *d;
  return fallback;
}

struct Builder {
  const core::Results& results;
  std::string file;
  std::string as_of;

  Quantity measured(double value, const std::string& what) const {
    Quantity q;
    q.value = value;
    q.provenance = Provenance::kMeasured;
    q.source = fmt::format("{}: {}", file, what);
    q.as_of = as_of;
    return q;
  }

  /// Highest value of `metric` over passed cases named `name` (the best size of a sweep).
  std::optional<std::pair<double, std::string>> best(const std::string& name, const std::string& metric) const {
    std::optional<std::pair<double, std::string>> out;
    for (const auto& c : results.cases) {
      if (c.name != name || c.status != core::Status::kPassed) continue;
      const core::Metric* m = c.metric(metric);
      if (!m || !m->value || !std::isfinite(*m->value)) continue;
      if (!out || *m->value > out->first) out = std::make_pair(*m->value, fmt::format("{} [{}] {}", name, core::params_key(c.params), metric));
    }
    return out;
  }

  /// Every passed case named `name` with its GEMM shape (params m, n, k) and `flop_per_s`, ordered by
  /// FLOPs per call; empty unless at least two sizes were measured (one point says no more than
  /// the peak does).
  GemmCurve gemm_curve(const std::string& name) const {
    GemmCurve curve;
    for (const auto& c : results.cases) {
      if (c.name != name || c.status != core::Status::kPassed) continue;
      const core::Metric* rate = c.metric("flop_per_s");
      const double m = param_number(c, "m", 0), n = param_number(c, "n", 0), k = param_number(c, "k", 0);
      if (!rate || !rate->value || !std::isfinite(*rate->value) || *rate->value <= 0 || m < 1 || n < 1 || k < 1) continue;
      curve.points.push_back({static_cast<std::int64_t>(m), static_cast<std::int64_t>(n), static_cast<std::int64_t>(k),
                              *rate->value});
    }
    std::stable_sort(curve.points.begin(), curve.points.end(),
                     [](const GemmPoint& a, const GemmPoint& b) { return a.flop() < b.flop(); });
    const bool sizes = curve.points.size() >= 2 && curve.points.front().flop() < curve.points.back().flop();
    if (!sizes) return {};
    curve.provenance = Provenance::kMeasured;
    curve.source = fmt::format("{}: {} flop_per_s of {} passed shapes (params m, n, k)", file, name, curve.points.size());
    curve.as_of = as_of;
    return curve;
  }

  /// Whether a passed case's name starts with `prefix` (e.g. "cuda.").
  bool any_passed(std::string_view prefix) const {
    return std::any_of(results.cases.begin(), results.cases.end(), [&](const core::CaseResult& c) {
      return c.status == core::Status::kPassed && std::string_view(c.name).starts_with(prefix);
    });
  }

  /// α-β fit of an all-reduce sweep (`family`: nccl.all_reduce or mpi.all_reduce): busbw = the
  /// largest measured busbw; α from the smallest message's time spread over the 2(n−1) ring steps.
  std::optional<CollectiveFit> allreduce_fit(const char* family) const {
    double best_bus = 0, small_bytes = INFINITY, small_time = 0, ranks = 0;
    std::string what;
    for (const auto& c : results.cases) {
      if (c.name != family || c.status != core::Status::kPassed) continue;
      const core::Metric* bus = c.metric("busbw_bytes_per_s");
      const core::Metric* time = c.metric("time_s");
      const double size = param_number(c, "size_bytes", 0);
      const double n = param_number(c, "ranks", 0);
      if (bus && bus->value && *bus->value > best_bus) {
        best_bus = *bus->value;
        ranks = n;
        what = fmt::format("{} [{}] busbw", family, core::params_key(c.params));
      }
      if (time && time->value && size > 0 && size < small_bytes) {
        small_bytes = size;
        small_time = *time->value;
      }
    }
    if (best_bus <= 0) return std::nullopt;
    CollectiveFit f;
    f.bus_bytes_per_s = measured(best_bus, what);
    if (ranks > 1) {
      f.ranks = measured(ranks, what);
      if (std::isfinite(small_bytes)) {
        const double steps = 2.0 * (ranks - 1.0);
        const double alpha = std::max(0.0, (small_time - small_bytes * steps / ranks / best_bus) / steps);
        f.alpha_s = measured(alpha, fmt::format("{} smallest message ({:.0f} B) time / 2(n−1)", family, small_bytes));
      }
    }
    return f;
  }
};

/// A readable id from a device or CPU name: lower case, trademark marks dropped, every run of other
/// characters one '-': "Intel(R) Xeon(R) Platinum 8480+" -> "intel-xeon-platinum-8480"; "host"
/// when nothing is left.
std::string id_slug(std::string name) {
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* mark : {"(r)", "(tm)", "(c)"}) {
    for (auto at = name.find(mark); at != std::string::npos; at = name.find(mark)) name.erase(at, std::strlen(mark));
  }
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "host" : out;
}

/// Calls f(quantity) for every quantity of `p`.
template <class F>
void for_each_quantity(HardwareProfile& p, F f) {
  for (Quantity* q : {&p.memory_bytes, &p.memory_bandwidth_bytes_per_s, &p.tdp_w, &p.nvlink_bytes_per_s, &p.pcie_gen,
                      &p.pcie_lanes, &p.pcie_bytes_per_s, &p.pcie_node_h2d_bytes_per_s,
                      &p.pcie_node_d2h_bytes_per_s, &p.inter_node_bytes_per_s, &p.gpus_per_node,
                      &p.host_memory_bandwidth_bytes_per_s, &p.intra_node.alpha_s, &p.intra_node.bus_bytes_per_s,
                      &p.intra_node.ranks, &p.inter_node.alpha_s, &p.inter_node.bus_bytes_per_s, &p.inter_node.ranks,
                      &p.storage_read_bytes_per_s, &p.storage_write_bytes_per_s, &p.checkpoint_write_bytes_per_s}) {
    f(*q);
  }
  for (Quantity& q : p.peak_flop_per_s) f(q);
}

}  // namespace

HardwareProfile profile_from_results(const core::Results& results, const std::string& results_file,
                                     const HardwareProfile* base, int gpus_per_node_override) {
  // A profile describes one GPU model: a node with H100s and A100s would be named after the first
  // and count every GPU in gpus_per_node, while its GEMM peaks are the best over both models.
  for (std::size_t i = 1; i < results.devices.size(); ++i) {
    if (results.devices[i].name != results.devices.front().name) {
      throw core::InputError(
          results_file, fmt::format("$.devices[{}].name", i),
          fmt::format("one GPU model in a run to profile ('{}', as $.devices[0]), got '{}': a profile describes one "
                      "GPU model; benchmark each model in a run of its own (CUDA_VISIBLE_DEVICES) and profile that",
                      results.devices.front().name, results.devices[i].name));
    }
  }
  HardwareProfile p = base ? *base : HardwareProfile{};
  Builder b{results, results_file, date_of(results.run.started_at)};
  const std::string device = results.devices.empty() ? results.host.cpu_model : results.devices.front().name;
  p.id = (base ? base->id : id_slug(device)) + "-measured";
  if (p.name.empty() || !base) p.name = device.empty() ? "measured host" : device;
  p.name += " (measured)";
  p.aliases.clear();
  p.notes = fmt::format("derived by `headroom profile` from {} (run {}, {}); {}", results_file, results.run.id,
                        results.run.started_at,
                        base ? "values not measured keep the datasheet of " + base->id : "values not measured are null");

  int on_host = 0;  // GPUs on the run's first host
  if (!results.devices.empty()) {
    const core::DeviceInfo& d = results.devices.front();
    if (d.memory_bytes) p.memory_bytes = b.measured(static_cast<double>(*d.memory_bytes), "devices[0].memory_bytes (inventory)");
    if (d.power_limit_w) p.tdp_w = b.measured(*d.power_limit_w, "devices[0].power_limit_w (inventory)");
    if (d.pcie_gen) p.pcie_gen = b.measured(*d.pcie_gen, "devices[0].pcie_gen (inventory)");
    if (d.pcie_width) p.pcie_lanes = b.measured(*d.pcie_width, "devices[0].pcie_width (inventory)");
    for (const auto& dev : results.devices) on_host += dev.host_rank.value_or(0) == d.host_rank.value_or(0) ? 1 : 0;
  }
  // The node the plans run on. A run that saw fewer GPUs than the base's node (one GPU of a cloud
  // VM, say) measured the GPU, not the node: counting it as a 1-GPU node would put every TP / PP /
  // DP group of a plan on the network, so the datasheet's node stays, and the notes say so.
  const double base_node = base != nullptr ? base->gpus_per_node.value_or(0) : 0;
  if (gpus_per_node_override > 0) {
    p.gpus_per_node = {static_cast<double>(gpus_per_node_override), Provenance::kOverride,
                       "headroom profile --gpus-per-node", b.as_of};
    p.notes += fmt::format("; {} GPUs per node from --gpus-per-node", gpus_per_node_override);
  } else if (on_host > 0 && on_host < base_node) {
    p.notes += fmt::format(
        "; the run saw {} GPU{} on its host, fewer than a node of the datasheet's {:g}: the node "
        "size (and so which groups stay on the node's NVLink) is the datasheet's (benchmark a whole "
        "node, or give --gpus-per-node)",
        on_host, on_host == 1 ? "" : "s", base_node);
  } else if (on_host > 0) {
    p.gpus_per_node = b.measured(on_host, "devices on the first host (inventory)");
  }
  // The host's own figures describe a node of the plan only when the host is one (same GPU count).
  const bool host_is_node = on_host == 0 || !p.gpus_per_node.known() || *p.gpus_per_node.value == on_host;
  if (!host_is_node) {
    p.notes += fmt::format(
        "; host memory, its bandwidth, storage and all-GPU PCIe were measured on a host with {} GPU{}, "
        "not a node of {:g}: they stay the datasheet's",
        on_host, on_host == 1 ? "" : "s", *p.gpus_per_node.value);
  }
  for (int i = 0; i < kPrecisionCount; ++i) {
    const auto prec = static_cast<Precision>(i);
    if (auto v = b.best("cuda.gemm." + to_string(prec), "flop_per_s")) {
      p.peak(prec) = b.measured(v->first, v->second);
      p.gemm_curve(prec) = b.gemm_curve("cuda.gemm." + to_string(prec));
    }
  }
  if (auto v = b.best("cuda.hbm.copy", "bytes_per_s")) p.memory_bandwidth_bytes_per_s = b.measured(v->first, v->second + " (read + written)");
  if (host_is_node) {
    if (auto v = b.best("cpu.stream.triad", "bytes_per_s"))
      p.host_memory_bandwidth_bytes_per_s = b.measured(v->first, v->second);
    if (results.host.memory_bytes && *results.host.memory_bytes > 0)
      p.host_memory_bytes =
          b.measured(static_cast<double>(*results.host.memory_bytes), "host.memory_bytes (inventory)");
  }
  {
    const auto h2d = b.best("cuda.pcie.h2d", "bytes_per_s");
    const auto d2h = b.best("cuda.pcie.d2h", "bytes_per_s");
    if (h2d && d2h) {
      const bool h = h2d->first <= d2h->first;
      p.pcie_bytes_per_s = b.measured(h ? h2d->first : d2h->first, (h ? h2d->second : d2h->second) + " (slower direction)");
    } else if (h2d || d2h) {
      const auto& one = h2d ? *h2d : *d2h;
      p.pcie_bytes_per_s = b.measured(one.first, one.second);
    }
  }
  // The node's aggregate: every GPU copying at once (cuda.pcie.all.*; its params name how many),
  // per direction, each the best size of its sweep like the per-GPU figure above.
  if (auto v = b.best("cuda.pcie.all.h2d", "bytes_per_s"); v && host_is_node) {
    p.pcie_node_h2d_bytes_per_s = b.measured(v->first, v->second + " (all GPUs at once)");
  }
  if (auto v = b.best("cuda.pcie.all.d2h", "bytes_per_s"); v && host_is_node) {
    p.pcie_node_d2h_bytes_per_s = b.measured(v->first, v->second + " (all GPUs at once)");
  }
  // Collectives: NCCL's, else host MPI's, but only in a profile of the host alone. MPI all-reduce
  // over host memory says nothing about a GPU's NVLink/PCIe collectives, and the schema has no
  // field for host collectives, so a GPU profile (--base, GPUs in the inventory, cuda.* or nccl.*
  // cases) leaves them out and says so in its notes.
  const bool describes_gpu =
      base != nullptr || !results.devices.empty() || b.any_passed("cuda.") || b.any_passed("nccl.");
  if (!describes_gpu) {
    p.notes += "; no GPU in these results (no device in the inventory, no passed cuda.* or nccl.* case): a profile of "
               "the host whose GPU figures are null, which `headroom plan` needs (`headroom profile --base GPU` fills "
               "them)";
  }
  std::optional<CollectiveFit> fit = b.allreduce_fit("nccl.all_reduce");
  if (!fit) {
    if (auto mpi = b.allreduce_fit("mpi.all_reduce")) {
      if (!describes_gpu) {
        fit = mpi;
      } else {
        p.notes += fmt::format(
            "; mpi.all_reduce (host MPI, busbw {:.4g} GB/s) is not used for collectives: host-side MPI is not the "
            "GPU's collective path and a profile has no field for host collectives (measure nccl.all_reduce)",
            *mpi->bus_bytes_per_s.value / 1e9);
      }
    }
  }
  if (fit) {
    const bool multi_host = results.hosts.size() > 1;
    (multi_host ? p.inter_node : p.intra_node) = *fit;
  }
  if (host_is_node) {
    if (auto v = b.best("storage.seq_read", "bytes_per_s"))
      p.storage_read_bytes_per_s = b.measured(v->first, v->second);
    if (auto v = b.best("storage.seq_write", "bytes_per_s"))
      p.storage_write_bytes_per_s = b.measured(v->first, v->second);
    if (auto v = b.best("storage.checkpoint", "write_bytes_per_s")) {
      p.checkpoint_write_bytes_per_s = b.measured(v->first, v->second);
    }
  }
  // An unknown value that no datasheet explains (no --base, or a base without a source for it)
  // says that this results file did not measure it ("not_measured"), instead of a "datasheet"
  // provenance with no source or a "measured" one with no value.
  const std::string why =
      base ? fmt::format("not measured: no passed case in {} gives it, and the datasheet of {} has no value",
                         results_file, base->id)
           : fmt::format("not measured: no passed case in {} gives it, and no datasheet was given (`headroom "
                         "profile --base GPU`)",
                         results_file);
  for_each_quantity(p, [&](Quantity& q) {
    if (q.known() || (base && !q.source.empty())) return;
    q.provenance = Provenance::kNotMeasured;
    q.source = why;
    q.as_of = b.as_of;
  });
  return p;
}

}  // namespace headroom::plan
