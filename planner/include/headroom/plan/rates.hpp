#pragma once
/// The numbers the models use, resolved once from a HardwareProfile plus Assumptions, so that the
/// hot path (one plan evaluation, the search inner loop) reads plain doubles and never allocates.
#include <algorithm>
#include <string>
#include <vector>

#include "headroom/plan/profile.hpp"

namespace headroom::plan {

/// Modelling constants that are not properties of the hardware datasheet. Every one is written
/// into plan.json. Defaults are from published measurements (see docs/planner.md), never fitted
/// per validation case.
struct Assumptions {
  /// Achievable share of the datasheet dense peak for large GEMMs when the profile has no measured
  /// GEMM rate: cuBLAS BF16 8192³ on H100 SXM reached 797.8 of 989.5 TFLOP/s (0.806).
  double gemm_efficiency_of_datasheet = 0.80;
  /// Achievable share of datasheet memory bandwidth for streaming kernels (H100 D2D copy reached
  /// 2903 of 3350 GB/s = 0.87; DCGM proftester ≈ 0.76).
  double memory_efficiency_of_datasheet = 0.80;
  /// Achievable share of the datasheet NVLink per-direction rate as all-reduce busbw (8×A100 230 of
  /// 300 GB/s = 0.77; 8×H100 ≈ 370 of 450 without NVLS = 0.82).
  double collective_efficiency_of_datasheet = 0.80;
  double intra_node_alpha_s = 10e-6;   ///< per ring step latency inside a node
  double inter_node_alpha_s = 25e-6;   ///< per ring step latency across nodes
  /// Per-GPU network bandwidth (per direction) when the profile has none: one 200 Gb/s NIC per GPU.
  double fallback_inter_node_bytes_per_s = 25e9;
  double fallback_gpus_per_node = 8;
  /// Host memory bandwidth of a node when the profile has none (optimizer offload): a 2-socket DDR5-4800
  /// server (16 channels × 38.4 GB/s = 614 GB/s, a DGX H100's two Xeon 8480C) at the 0.8 achievable share.
  double fallback_host_memory_bytes_per_s = 0.8 * 614.4e9;
  /// Share of a node's host RAM an offloaded optimizer may take: the OS, the data loader, pinned
  /// staging buffers and the process itself keep the rest (assumed).
  double host_memory_usable_fraction = 0.9;
  /// Bytes moved by memory-bound (elementwise) kernels per byte of activation they produce: each
  /// tensor written once and read once.
  double elementwise_traffic_factor = 2.0;
  /// FP8 training (Transformer Engine delayed scaling on Hopper): HBM bytes moved per element a GEMM
  /// input is quantised from: read 2 B of bf16, write 1 B of FP8 and 1 B of its FP8 transpose (TE's
  /// fused cast-transpose; Hopper's FP8 GEMMs accept only the TN layout, so wgrad and dgrad need the
  /// transposed copy). Counted for the inputs of the FP8 GEMMs in forward, their output gradients in
  /// backward and their weights once per step.
  double fp8_cast_bytes_per_element = 4.0;
  /// CUDA context, cuBLAS / NCCL workspaces and allocator slack held on every GPU.
  double runtime_overhead_bytes = 1.5 * 1024.0 * 1024.0 * 1024.0;
  /// Share of wall-clock time spent making progress. Without a checkpoint / failure model it stands
  /// for everything lost (restarts, checkpoints, evaluation); with one (ResilienceSettings) only for
  /// what that model leaves out (evaluation, data-loader stalls, slow nodes).
  double goodput = 1.0;
  /// Average board power as a share of TDP while training / serving.
  double power_fraction_of_tdp = 1.0;
  /// Facility overhead applied to energy (1.0: GPU board energy only; TCO applies its own PUE).
  double pue = 1.0;
};

/// A profile's GEMM curve made ready for the hot path: rate against ln(FLOPs per call), sizes
/// ascending and distinct (shapes of equal FLOPs averaged). A GEMM between two measured sizes gets
/// the rate interpolated linearly in ln(FLOPs); outside the measured range, the nearest end's rate.
/// The key is the FLOPs of one call, 2·m·n·k: a skinny GEMM is assumed to run like the square one of
/// equal work (the cuda.gemm sweep measures both kinds; their rates at equal FLOPs are averaged).
struct GemmRateCurve {
  std::vector<double> log_flop;    ///< ln(2·m·n·k), ascending
  std::vector<double> flop_per_s;  ///< rate at each size
  bool empty() const noexcept { return log_flop.empty(); }
  /// Rate of one GEMM call of `flop_per_call` FLOPs; requires !empty().
  double at(double flop_per_call) const noexcept;
  static GemmRateCurve from(const GemmCurve& curve);
};

/// Resolved rates for one device (SI units). `*_source` strings say which fields were datasheet,
/// measured or assumed; they are filled by resolve_rates and only read when writing plan.json.
struct Rates {
  double memory_bytes = 0;
  /// The profile's id and name, lower-case, space-joined: inference engines pick scheduler defaults by
  /// GPU name as well as memory (vLLM's get_batch_defaults looks for "a100"; engine_limits).
  std::string device_name;
  double peak_flop_per_s = 0;        ///< dense datasheet peak of the chosen precision (MFU denominator)
  double gemm_flop_per_s = 0;        ///< achievable large-GEMM rate
  /// Achievable rate of the GEMMs an FP8 plan keeps in bf16 (attention core, output layer; see
  /// evaluate_train): the profile's bf16 GEMM rate. Equal to gemm_flop_per_s for every other
  /// precision; 0 (unset) is read as gemm_flop_per_s.
  double higher_precision_gemm_flop_per_s = 0;
  /// Rate by GEMM size for the chosen precision and for the bf16 GEMMs of an FP8 plan, when the
  /// profile has a measured sweep (profile.gemm_curves); empty: every GEMM runs at the flat rate above.
  GemmRateCurve gemm_curve;
  GemmRateCurve higher_precision_gemm_curve;
  double memory_bytes_per_s = 0;     ///< achievable HBM rate
  double intra_bus_bytes_per_s = 0;  ///< achievable all-reduce busbw inside a node (its GPU fabric)
  /// GPUs joined by that fabric (0: the whole node). A group inside the node but larger than this
  /// crosses PCIe between the fabric's islands and runs at pcie_bus_bytes_per_s.
  double nvlink_domain_gpus = 0;
  double pcie_bus_bytes_per_s = 0;   ///< achievable busbw over PCIe (0: unknown)
  /// Optimizer offload: achievable GPU↔host copy rate per direction (PCIe) and the node's host memory
  /// bandwidth, with how each was obtained (read only when a plan offloads).
  double host_link_bytes_per_s = 0;
  double host_memory_bytes_per_s = 0;
  std::string host_link_source;
  std::string host_memory_source;
  /// Host RAM per node an offloaded optimizer may use (usable fraction applied; 0: unknown, not checked).
  double host_memory_capacity_bytes = 0;
  std::string host_capacity_source;
  /// Busbw of a collective whose ranks span `group_gpus` consecutive GPUs of one node.
  double intra_bus_for(double group_gpus) const noexcept {
    if (nvlink_domain_gpus <= 0 || group_gpus <= nvlink_domain_gpus || pcie_bus_bytes_per_s <= 0)
      return intra_bus_bytes_per_s;
    return std::min(intra_bus_bytes_per_s, pcie_bus_bytes_per_s);
  }
  double inter_bus_bytes_per_s = 0;  ///< achievable busbw across nodes
  double intra_alpha_s = 0;
  double inter_alpha_s = 0;
  double gpus_per_node = 8;
  double tdp_w = 0;
  /// Storage per node (checkpoints, model loading), bytes/s, with how each was obtained; 0: unknown.
  /// Checkpoint writes: the profile's checkpoint_write_bytes_per_s, else its write_bytes_per_s; reads:
  /// its read_bytes_per_s. --checkpoint-write / --checkpoint-read replace them
  /// (apply_resilience_overrides). Not in `notes`: a plan lists them only where it uses them.
  double checkpoint_write_bytes_per_s = 0;
  std::string checkpoint_write_source;
  double storage_read_bytes_per_s = 0;
  std::string storage_read_source;
  std::vector<std::string> notes;    ///< how each rate was obtained (for plan.json assumptions)
};

/// Picks measured values where the profile has them, else datasheet × efficiency, else assumptions.
/// Throws core::InputError when something indispensable (memory, peak of `precision`, bandwidth)
/// is null, naming the profile field.
Rates resolve_rates(const HardwareProfile& profile, Precision precision, const Assumptions& a);

/// Time of a ring collective of `bytes` payload over `ranks` ranks on a link of bus bandwidth
/// `bus_bytes_per_s` and per-step latency `alpha_s` (nccl-tests busbw convention).
double allreduce_time_s(double bytes, int ranks, double bus_bytes_per_s, double alpha_s) noexcept;
double allgather_time_s(double bytes, int ranks, double bus_bytes_per_s, double alpha_s) noexcept;
/// A ring all-reduce inside one NVLink node on NCCL's latency-optimised LL protocol, by NCCL's own
/// tuning model (NVIDIA/nccl src/graph/tuning.cc, Ring/LL: 3.6 µs base + 0.47 µs per NVLink step,
/// a quarter of the bus bandwidth for all-reduce: LL's 8-byte stores carry 4 bytes of data plus a flag).
double ll_allreduce_time_s(double bytes, int ranks, double bus_bytes_per_s) noexcept;
/// What NCCL's tuner picks inside a node: the faster of the ring α-β model (large messages, Simple
/// protocol) and the LL model (small messages: decode-time TP all-reduces of a few KB).
double intra_node_allreduce_time_s(double bytes, int ranks, double bus_bytes_per_s, double alpha_s) noexcept;
/// A tensor-parallel all-reduce of `bytes` over `ranks` ranks: inside a node (ranks ≤ GPUs per node)
/// intra_node_allreduce_time_s on the NVLink rates, else the ring model on the network's.
double tp_allreduce_time_s(double bytes, int ranks, const Rates& r) noexcept;
/// Pairwise-exchange all-to-all (Thakur, Rabenseifner & Gropp 2005): each of `ranks` ranks holds
/// `bytes` destined evenly to all ranks (its own share included) and exchanges with the ranks − 1
/// others in turn, (ranks − 1)·α + bytes·(ranks − 1)/ranks / β. `local_ranks` of the ranks share a
/// node: the (local − 1)/ranks share crosses the intra-node fabric and the (ranks − local)/ranks
/// share the network, at the same time; α is the network's once the group spans nodes.
double alltoall_time_s(double bytes, int ranks, int local_ranks, double intra_bytes_per_s,
                       double inter_bytes_per_s, double intra_alpha_s, double inter_alpha_s) noexcept;

/// Per-rank bytes of one MoE dispatch (or combine) all-to-all under node-limited routing, split by
/// link: what leaves the rank over the network and what its NVLink carries.
struct MoeAlltoallBytes {
  double intra_bytes = 0;  ///< NVLink: copies to other GPUs of the own node + fan-out of copies received
  double inter_bytes = 0;  ///< network: one copy per remote target node
};

/// Nodes a token's routed experts lie on: min(top_k, max_nodes, nodes) under node-limited routing
/// (max_nodes > 0), top_k without a limit.
double node_limited_target_nodes(int top_k, int max_nodes, double nodes) noexcept;

/// Node-limited MoE dispatch (DeepSeek-V3 §2.1.2 and §3.2.2). `routed_bytes` = a rank's tokens × top_k
/// × hidden × bytes per element (all routed copies, as alltoall_time_s takes them); `ranks` EP ranks,
/// `local_ranks` of them per node, nodes = ceil(ranks / local). A token's experts lie on at most
/// sel = min(top_k, max_nodes, nodes) nodes chosen by affinity, its own node among them with
/// probability sel/nodes under balanced routing, so it crosses the network sel·(nodes − 1)/nodes times
/// on average (never more than the top_k·(ranks − local)/ranks copies of unlimited routing), once per
/// target node, to the GPU with its own in-node index. NVLink carries every routed copy whose expert
/// is on another GPU of the node it reaches: top_k·(local − 1)/local copies per token, direct or
/// forwarded. Both links run at once (§3.2.2: "fully overlapped").
MoeAlltoallBytes node_limited_alltoall_bytes(double routed_bytes, int top_k, int max_nodes, int ranks,
                                             int local_ranks) noexcept;
/// Time of one such all-to-all: the pairwise α-β form of alltoall_time_s ((ranks − 1)·α, network α
/// once the group spans nodes) with the byte split above. With max_nodes <= 0 or all ranks in one
/// node it is alltoall_time_s(routed_bytes, ...) exactly.
double node_limited_alltoall_time_s(double routed_bytes, int top_k, int max_nodes, int ranks, int local_ranks,
                                    double intra_bytes_per_s, double inter_bytes_per_s, double intra_alpha_s,
                                    double inter_alpha_s) noexcept;

}  // namespace headroom::plan
