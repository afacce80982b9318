#include "headroom/plan/rates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "headroom/core/errors.hpp"

namespace headroom::plan {

namespace {
std::string describe_curve(const GemmCurve& c, const GemmRateCurve& rc) {
  return fmt::format("{} sizes from {:.4g} to {:.4g} GFLOP per call at {:.4g}–{:.4g} TFLOP/s ({}: {}{})",
                     rc.log_flop.size(), std::exp(rc.log_flop.front()) / 1e9, std::exp(rc.log_flop.back()) / 1e9,
                     *std::min_element(rc.flop_per_s.begin(), rc.flop_per_s.end()) / 1e12,
                     *std::max_element(rc.flop_per_s.begin(), rc.flop_per_s.end()) / 1e12, to_string(c.provenance),
                     c.source, c.as_of.empty() ? "" : ", " + c.as_of);
}

std::string describe(const Quantity& q) {
  return fmt::format("{} ({}{})", to_string(q.provenance), q.source.empty() ? "no source" : q.source,
                     q.as_of.empty() ? "" : ", " + q.as_of);
}
}  // namespace

Rates resolve_rates(const HardwareProfile& p, Precision precision, const Assumptions& a) {
  Rates r;
  const auto need = [&](const Quantity& q, const std::string& field) {
    if (!q.known()) {
      throw core::InputError(p.id, "$." + field,
                             "a known value (it is null in this profile; pass a datasheet base or an override)");
    }
    return *q.value;
  };
  r.memory_bytes = need(p.memory_bytes, "memory_bytes");
  r.device_name = p.id + " " + p.name;
  for (char& ch : r.device_name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  r.notes.push_back(fmt::format("memory capacity {:.4g} GB: {}", r.memory_bytes / 1e9, describe(p.memory_bytes)));

  const Quantity& peak = p.peak(precision);
  r.peak_flop_per_s = need(peak, "peak_flop_per_s." + to_string(precision));
  if (peak.provenance == Provenance::kMeasured) {
    r.gemm_flop_per_s = r.peak_flop_per_s;
    r.notes.push_back(fmt::format("{} GEMM rate {:.4g} TFLOP/s measured ({}); MFU is relative to this measured rate",
                                  to_string(precision), r.gemm_flop_per_s / 1e12, peak.source));
  } else {
    r.gemm_flop_per_s = r.peak_flop_per_s * a.gemm_efficiency_of_datasheet;
    r.notes.push_back(fmt::format("{} dense peak {:.4g} TFLOP/s: {}; achievable GEMM rate = peak × {:.3g}",
                                  to_string(precision), r.peak_flop_per_s / 1e12, describe(peak),
                                  a.gemm_efficiency_of_datasheet));
  }

  const GemmCurve& curve = p.gemm_curve(precision);
  if (!curve.empty()) {
    r.gemm_curve = GemmRateCurve::from(curve);
    r.notes.push_back(fmt::format(
        "{} GEMMs timed by size: measured curve of {}; each GEMM at the rate of its FLOPs per call (interpolated in "
        "ln FLOPs, clamped to the end points outside the measured range)",
        to_string(precision), describe_curve(curve, r.gemm_curve)));
  }

  r.higher_precision_gemm_flop_per_s = r.gemm_flop_per_s;
  r.higher_precision_gemm_curve = r.gemm_curve;
  if (precision_bytes(precision) < 2.0) {
    // Under fp8_autocast only Transformer Engine's Linear / LayerNormLinear / LayerNormMLP GEMMs run in
    // FP8; the attention core (fp8_dpa defaults to off) and Megatron's output layer stay in bf16. W8A8
    // and W4A4 serving engines likewise keep attention and lm_head in 16 bits.
    const Quantity& bf16 = p.peak(Precision::kBf16);
    if (bf16.known()) {
      const bool measured = bf16.provenance == Provenance::kMeasured;
      r.higher_precision_gemm_flop_per_s = measured ? *bf16.value : *bf16.value * a.gemm_efficiency_of_datasheet;
      const GemmCurve& bf16_curve = p.gemm_curve(Precision::kBf16);
      r.higher_precision_gemm_curve = bf16_curve.empty() ? GemmRateCurve{} : GemmRateCurve::from(bf16_curve);
      if (!bf16_curve.empty()) {
        r.notes.push_back(fmt::format("{} plan: its bf16 GEMMs timed by size on the bf16 measured curve of {}",
                                      to_string(precision), describe_curve(bf16_curve, r.higher_precision_gemm_curve)));
      }
      r.notes.push_back(fmt::format(
          "{} plan: attention core and output layer run in bf16 at {:.4g} TFLOP/s (bf16 {}: {}{})", to_string(precision),
          r.higher_precision_gemm_flop_per_s / 1e12, measured ? "GEMM rate measured" : "dense peak", describe(bf16),
          measured ? std::string() : fmt::format(" × {:.3g}", a.gemm_efficiency_of_datasheet)));
    } else {
      r.notes.push_back(fmt::format(
          "{} plan: the profile has no bf16 peak, so the attention core and output layer are timed at the {} GEMM "
          "rate (optimistic)",
          to_string(precision), to_string(precision)));
    }
  }

  const Quantity& bw = p.memory_bandwidth_bytes_per_s;
  const double bw_value = need(bw, "memory_bandwidth_bytes_per_s");
  r.memory_bytes_per_s =
      bw.provenance == Provenance::kMeasured ? bw_value : bw_value * a.memory_efficiency_of_datasheet;
  r.notes.push_back(fmt::format("memory bandwidth {:.4g} GB/s: {}{}", bw_value / 1e9, describe(bw),
                                bw.provenance == Provenance::kMeasured
                                    ? std::string()
                                    : fmt::format("; achievable = × {:.3g}", a.memory_efficiency_of_datasheet)));

  r.gpus_per_node = p.gpus_per_node.value_or(a.fallback_gpus_per_node);
  if (!p.gpus_per_node.known()) {
    r.notes.push_back(fmt::format("GPUs per node unknown in the profile: assumed {:g}", a.fallback_gpus_per_node));
  }

  // Inside a node: measured all-reduce fit, else NVLink per direction, else PCIe, × collective efficiency.
  r.intra_alpha_s = p.intra_node.alpha_s.value_or(a.intra_node_alpha_s);
  if (p.intra_node.bus_bytes_per_s.known()) {
    r.intra_bus_bytes_per_s = *p.intra_node.bus_bytes_per_s.value;
    r.notes.push_back(fmt::format("intra-node busbw {:.4g} GB/s: {}", r.intra_bus_bytes_per_s / 1e9,
                                  describe(p.intra_node.bus_bytes_per_s)));
  } else if (p.nvlink_bytes_per_s.known()) {
    r.intra_bus_bytes_per_s = *p.nvlink_bytes_per_s.value / 2.0 * a.collective_efficiency_of_datasheet;
    r.notes.push_back(fmt::format("intra-node busbw = NVLink {:.4g} GB/s bidirectional / 2 × {:.3g} ({})",
                                  *p.nvlink_bytes_per_s.value / 1e9, a.collective_efficiency_of_datasheet,
                                  describe(p.nvlink_bytes_per_s)));
  } else if (p.pcie_bytes_per_s.known()) {
    r.intra_bus_bytes_per_s = *p.pcie_bytes_per_s.value * a.collective_efficiency_of_datasheet;
    r.notes.push_back(fmt::format("no GPU fabric: intra-node busbw = PCIe {:.4g} GB/s × {:.3g} ({})",
                                  *p.pcie_bytes_per_s.value / 1e9, a.collective_efficiency_of_datasheet,
                                  describe(p.pcie_bytes_per_s)));
  } else {
    r.intra_bus_bytes_per_s = a.fallback_inter_node_bytes_per_s * a.collective_efficiency_of_datasheet;
    r.notes.push_back(fmt::format("no link bandwidth in the profile: intra-node busbw assumed {:.4g} GB/s",
                                  r.intra_bus_bytes_per_s / 1e9));
  }
  // NVLink islands smaller than the node (bridged pairs): groups beyond one cross PCIe. A measured
  // all-reduce on no more ranks than an island is the island's rate; one over more ranks already
  // includes the PCIe hops and stands for the whole node.
  const bool measured_intra = p.intra_node.bus_bytes_per_s.known();
  const double measured_ranks = p.intra_node.ranks.value_or(0);
  if (p.nvlink_domain_gpus.known() && p.nvlink_bytes_per_s.known() &&
      (!measured_intra || (measured_ranks > 0 && measured_ranks <= *p.nvlink_domain_gpus.value))) {
    r.nvlink_domain_gpus = *p.nvlink_domain_gpus.value;
    if (p.pcie_bytes_per_s.known()) r.pcie_bus_bytes_per_s = *p.pcie_bytes_per_s.value * a.collective_efficiency_of_datasheet;
    r.notes.push_back(fmt::format(
        "NVLink joins {:g} GPUs ({}){}: a TP, PP, CP, EP or DP group of more GPUs inside a node crosses PCIe at "
        "{:.4g} GB/s busbw",
        r.nvlink_domain_gpus, describe(p.nvlink_domain_gpus),
        measured_intra ? fmt::format("; the measured all-reduce ran on {:g} of them", measured_ranks) : std::string(),
        (r.pcie_bus_bytes_per_s > 0 ? r.pcie_bus_bytes_per_s : r.intra_bus_bytes_per_s) / 1e9));
  } else if (p.nvlink_domain_gpus.known() && measured_intra) {
    r.notes.push_back(fmt::format(
        "NVLink joins {:g} GPUs, but the measured all-reduce {}: its busbw is used for every group inside the node",
        *p.nvlink_domain_gpus.value,
        measured_ranks > 0 ? fmt::format("ran on {:g} ranks, across PCIe", measured_ranks)
                           : std::string("does not say on how many ranks it ran")));
  }
  if (!p.intra_node.alpha_s.known()) {
    r.notes.push_back(
        fmt::format("intra-node collective latency α = {:g} µs per ring step (assumed)", a.intra_node_alpha_s * 1e6));
  }

  r.inter_alpha_s = p.inter_node.alpha_s.value_or(a.inter_node_alpha_s);
  if (p.inter_node.bus_bytes_per_s.known()) {
    r.inter_bus_bytes_per_s = *p.inter_node.bus_bytes_per_s.value;
    r.notes.push_back(fmt::format("inter-node busbw {:.4g} GB/s: {}", r.inter_bus_bytes_per_s / 1e9,
                                  describe(p.inter_node.bus_bytes_per_s)));
  } else if (p.inter_node_bytes_per_s.known()) {
    r.inter_bus_bytes_per_s = *p.inter_node_bytes_per_s.value * a.collective_efficiency_of_datasheet;
    r.notes.push_back(fmt::format("inter-node busbw = network {:.4g} GB/s per GPU × {:.3g} ({})",
                                  *p.inter_node_bytes_per_s.value / 1e9, a.collective_efficiency_of_datasheet,
                                  describe(p.inter_node_bytes_per_s)));
  } else {
    r.inter_bus_bytes_per_s = a.fallback_inter_node_bytes_per_s * a.collective_efficiency_of_datasheet;
    r.notes.push_back(fmt::format("network bandwidth unknown in the profile: assumed {:.4g} GB/s per GPU × {:.3g}",
                                  a.fallback_inter_node_bytes_per_s / 1e9, a.collective_efficiency_of_datasheet));
  }
  if (!p.inter_node.alpha_s.known()) {
    r.notes.push_back(
        fmt::format("inter-node collective latency α = {:g} µs per ring step (assumed)", a.inter_node_alpha_s * 1e6));
  }
  // Optimizer offload: gradients down and weights up over PCIe, the update in host memory.
  if (p.pcie_bytes_per_s.known()) {
    const bool m = p.pcie_bytes_per_s.provenance == Provenance::kMeasured;
    r.host_link_bytes_per_s = *p.pcie_bytes_per_s.value * (m ? 1.0 : a.memory_efficiency_of_datasheet);
    r.host_link_source = fmt::format("PCIe {:.4g} GB/s per direction{} ({})", *p.pcie_bytes_per_s.value / 1e9,
                                     m ? "" : fmt::format(" × {:.3g}", a.memory_efficiency_of_datasheet),
                                     describe(p.pcie_bytes_per_s));
  } else {
    r.host_link_bytes_per_s = 32e9 * a.memory_efficiency_of_datasheet;
    r.host_link_source = fmt::format("PCIe unknown in the profile: Gen4 x16, 32 GB/s per direction × {:.3g} (assumed)",
                                     a.memory_efficiency_of_datasheet);
  }
  // Offload and checkpoint copies run on every GPU of a node at once, which share PCIe switches,
  // root ports and host memory: a measured node rate (cuda.pcie.all.*, every GPU copying at once)
  // caps each GPU's share at node rate / GPUs per node. The slower direction is taken: offload moves
  // both ways, a checkpoint copy device to host.
  {
    double node = 0;
    std::string node_source;
    for (const Quantity* q : {&p.pcie_node_h2d_bytes_per_s, &p.pcie_node_d2h_bytes_per_s}) {
      if (q->known() && (node == 0 || *q->value < node)) {
        node = *q->value;
        node_source = describe(*q);
      }
    }
    if (node > 0 && r.gpus_per_node >= 1 && node / r.gpus_per_node < r.host_link_bytes_per_s) {
      r.host_link_bytes_per_s = node / r.gpus_per_node;
      r.host_link_source = fmt::format(
          "PCIe {:.4g} GB/s per GPU with every GPU of the node copying at once ({:.4g} GB/s per node / {:g} "
          "GPUs; {})",
          r.host_link_bytes_per_s / 1e9, node / 1e9, r.gpus_per_node, node_source);
    }
  }
  if (p.host_memory_bandwidth_bytes_per_s.known()) {
    const bool m = p.host_memory_bandwidth_bytes_per_s.provenance == Provenance::kMeasured;
    r.host_memory_bytes_per_s =
        *p.host_memory_bandwidth_bytes_per_s.value * (m ? 1.0 : a.memory_efficiency_of_datasheet);
    r.host_memory_source = fmt::format("host memory {:.4g} GB/s per node{} ({})",
                                       *p.host_memory_bandwidth_bytes_per_s.value / 1e9,
                                       m ? "" : fmt::format(" × {:.3g}", a.memory_efficiency_of_datasheet),
                                       describe(p.host_memory_bandwidth_bytes_per_s));
  } else {
    r.host_memory_bytes_per_s = a.fallback_host_memory_bytes_per_s;
    r.host_memory_source = fmt::format(
        "host memory bandwidth unknown in the profile: {:.4g} GB/s per node assumed (a 2-socket DDR5-4800 server, "
        "16 × 38.4 GB/s, × 0.8; measure it with `headroom bench --filter cpu.stream.triad` and `headroom profile`)",
        r.host_memory_bytes_per_s / 1e9);
  }
  if (p.host_memory_bytes.known()) {
    r.host_memory_capacity_bytes = *p.host_memory_bytes.value * a.host_memory_usable_fraction;
    r.host_capacity_source = fmt::format("host memory {:.4g} GiB per node × {:.3g} usable ({})",
                                         *p.host_memory_bytes.value / 1073741824.0, a.host_memory_usable_fraction,
                                         describe(p.host_memory_bytes));
  } else {
    r.host_capacity_source =
        "host memory per node unknown in the profile: not checked (a measured profile has it from the inventory; "
        "set it with the profile's host_memory_bytes or `plan train|search --host-memory GIB`)";
  }
  r.tdp_w = p.tdp_w.value_or(0.0);
  // Storage, per node: a checkpoint write measured as such (storage.checkpoint), else plain sequential
  // writes (storage.seq_write); sequential reads for loading a checkpoint or a model's weights.
  const Quantity& write =
      p.checkpoint_write_bytes_per_s.known() ? p.checkpoint_write_bytes_per_s : p.storage_write_bytes_per_s;
  if (write.known()) {
    r.checkpoint_write_bytes_per_s = *write.value;
    r.checkpoint_write_source =
        fmt::format("{} {:.4g} GB/s per node: {}",
                    &write == &p.checkpoint_write_bytes_per_s ? "storage.checkpoint_write_bytes_per_s"
                                                              : "storage.write_bytes_per_s",
                    *write.value / 1e9, describe(write));
  }
  if (p.storage_read_bytes_per_s.known()) {
    r.storage_read_bytes_per_s = *p.storage_read_bytes_per_s.value;
    r.storage_read_source = fmt::format("storage.read_bytes_per_s {:.4g} GB/s per node: {}",
                                        r.storage_read_bytes_per_s / 1e9, describe(p.storage_read_bytes_per_s));
  }
  if (!p.tdp_w.known()) r.notes.push_back("TDP unknown: energy is reported as null");
  return r;
}

GemmRateCurve GemmRateCurve::from(const GemmCurve& curve) {
  std::vector<std::pair<double, double>> pts;  // (FLOPs per call, rate)
  pts.reserve(curve.points.size());
  for (const auto& p : curve.points) pts.emplace_back(p.flop(), p.flop_per_s);
  std::sort(pts.begin(), pts.end());
  GemmRateCurve out;
  for (std::size_t i = 0; i < pts.size();) {
    // Shapes of equal work (within 1e-9) become one point at their mean rate.
    std::size_t j = i;
    double sum = 0;
    for (; j < pts.size() && pts[j].first <= pts[i].first * (1.0 + 1e-9); ++j) sum += pts[j].second;
    out.log_flop.push_back(std::log(pts[i].first));
    out.flop_per_s.push_back(sum / static_cast<double>(j - i));
    i = j;
  }
  return out;
}

double GemmRateCurve::at(double flop_per_call) const noexcept {
  if (!(flop_per_call > 0)) return flop_per_s.front();
  const double x = std::log(flop_per_call);
  if (x <= log_flop.front()) return flop_per_s.front();
  if (x >= log_flop.back()) return flop_per_s.back();
  const auto hi = static_cast<std::size_t>(std::upper_bound(log_flop.begin(), log_flop.end(), x) - log_flop.begin());
  const std::size_t lo = hi - 1;
  const double t = (x - log_flop[lo]) / (log_flop[hi] - log_flop[lo]);
  return flop_per_s[lo] + t * (flop_per_s[hi] - flop_per_s[lo]);
}

double allreduce_time_s(double bytes, int ranks, double bus_bytes_per_s, double alpha_s) noexcept {
  if (ranks <= 1 || bytes <= 0) return 0.0;
  const double n = ranks;
  // busbw = algbw · 2(n−1)/n  ⇒  time = bytes · 2(n−1)/n / busbw; a ring takes 2(n−1) latency steps.
  return 2.0 * (n - 1.0) * alpha_s + bytes * 2.0 * (n - 1.0) / n / bus_bytes_per_s;
}

double ll_allreduce_time_s(double bytes, int ranks, double bus_bytes_per_s) noexcept {
  if (ranks <= 1 || bytes <= 0) return 0.0;
  const double n = ranks;
  constexpr double kBase = 3.6e-6, kPerStep = 0.47e-6, kBandwidthShare = 0.25;
  return kBase + 2.0 * (n - 1.0) * kPerStep + bytes * 2.0 * (n - 1.0) / n / (kBandwidthShare * bus_bytes_per_s);
}

double intra_node_allreduce_time_s(double bytes, int ranks, double bus_bytes_per_s, double alpha_s) noexcept {
  return std::min(allreduce_time_s(bytes, ranks, bus_bytes_per_s, alpha_s),
                  ll_allreduce_time_s(bytes, ranks, bus_bytes_per_s));
}

double tp_allreduce_time_s(double bytes, int ranks, const Rates& r) noexcept {
  return ranks <= r.gpus_per_node ? intra_node_allreduce_time_s(bytes, ranks, r.intra_bus_for(ranks), r.intra_alpha_s)
                                  : allreduce_time_s(bytes, ranks, r.inter_bus_bytes_per_s, r.inter_alpha_s);
}

double allgather_time_s(double bytes, int ranks, double bus_bytes_per_s, double alpha_s) noexcept {
  if (ranks <= 1 || bytes <= 0) return 0.0;
  const double n = ranks;
  return (n - 1.0) * alpha_s + bytes * (n - 1.0) / n / bus_bytes_per_s;
}

double alltoall_time_s(double bytes, int ranks, int local_ranks, double intra_bytes_per_s, double inter_bytes_per_s,
                       double intra_alpha_s, double inter_alpha_s) noexcept {
  if (ranks <= 1 || bytes <= 0) return 0.0;
  const double n = ranks;
  const double local = std::clamp<double>(local_ranks, 1.0, n);
  const double intra_s = bytes * (local - 1.0) / n / intra_bytes_per_s;
  const double inter_s = local < n ? bytes * (n - local) / n / inter_bytes_per_s : 0.0;
  const double alpha = local < n ? inter_alpha_s : intra_alpha_s;
  return (n - 1.0) * alpha + std::max(intra_s, inter_s);
}

double node_limited_target_nodes(int top_k, int max_nodes, double nodes) noexcept {
  const double k = top_k;
  return max_nodes > 0 ? std::min({k, static_cast<double>(max_nodes), nodes}) : k;
}

MoeAlltoallBytes node_limited_alltoall_bytes(double routed_bytes, int top_k, int max_nodes, int ranks,
                                             int local_ranks) noexcept {
  MoeAlltoallBytes b;
  if (ranks <= 1 || routed_bytes <= 0 || top_k <= 0) return b;
  const double n = ranks;
  const double local = std::clamp<double>(local_ranks, 1.0, n);
  const double k = top_k;
  const double nodes = std::ceil(n / local);
  const double copy_bytes = routed_bytes / k;  // one copy of the rank's tokens
  // Unlimited routing sends k·(n − local)/n copies per token over the network; node-limited sends one
  // per remote target node, sel·(nodes − 1)/nodes on average.
  const double sel = node_limited_target_nodes(top_k, max_nodes, nodes);
  const double unlimited_remote = k * (n - local) / n;
  b.inter_bytes = copy_bytes * std::min(unlimited_remote, sel * (nodes - 1.0) / nodes);
  // Own-node copies to other GPUs, k·(local − 1)/n, plus the received remote copies forwarded to another
  // GPU, k·(n − local)/n·(local − 1)/local: k·(local − 1)/local in all.
  b.intra_bytes = copy_bytes * k * (local - 1.0) / local;
  return b;
}

double node_limited_alltoall_time_s(double routed_bytes, int top_k, int max_nodes, int ranks, int local_ranks,
                                    double intra_bytes_per_s, double inter_bytes_per_s, double intra_alpha_s,
                                    double inter_alpha_s) noexcept {
  if (max_nodes <= 0 || local_ranks >= ranks) {
    return alltoall_time_s(routed_bytes, ranks, local_ranks, intra_bytes_per_s, inter_bytes_per_s, intra_alpha_s,
                           inter_alpha_s);
  }
  if (ranks <= 1 || routed_bytes <= 0) return 0.0;
  const MoeAlltoallBytes b = node_limited_alltoall_bytes(routed_bytes, top_k, max_nodes, ranks, local_ranks);
  const double n = ranks;
  return (n - 1.0) * inter_alpha_s + std::max(b.intra_bytes / intra_bytes_per_s, b.inter_bytes / inter_bytes_per_s);
}

}  // namespace headroom::plan
