#pragma once
/// The CPU side of the NCCL backend: size sweeps, element counts per collective (nccl-tests'
/// conventions), expected values for verification, scope, and result assembly. Plain C++ (no NCCL
/// or CUDA header), unit-tested on every machine.
#include <cstdint>
#include <string>
#include <vector>

#include "headroom/core/results.hpp"
#include "headroom/core/units.hpp"

namespace headroom::bench::nccl {

/// The collectives measured, in case order: nccl.all_reduce … nccl.all_to_all.
const std::vector<core::Collective>& collectives();

/// Message sizes of a suite: quick 8 B…1 GiB ×8, standard 8 B…4 GiB ×4, full 8 B…8 GiB ×2.
std::vector<std::int64_t> collective_sizes(const std::string& suite);

/// Element counts of one call for a message of `size_bytes`, as nccl-tests counts it: size_bytes
/// is the largest buffer of a rank (all_gather's output, reduce_scatter's input, the whole buffer
/// of all_reduce / broadcast / all_to_all). Sizes are rounded down to whole elements and, where
/// the buffer is split among ranks, to a multiple of `ranks` elements (at least one per rank).
struct CollectiveCounts {
  std::int64_t send_count = 0;       ///< elements in each rank's send buffer
  std::int64_t recv_count = 0;       ///< elements in each rank's receive buffer
  std::int64_t call_count = 0;       ///< the count argument of the NCCL call
  std::int64_t effective_bytes = 0;  ///< the size actually moved and reported (algbw numerator)
};
CollectiveCounts collective_counts(core::Collective c, std::int64_t size_bytes, int elem_bytes, int ranks);

/// Whether NCCL defines an in-place form (all_to_all: no).
bool has_in_place(core::Collective c);

/// Expected value of element `i` of rank `rank`'s receive buffer after the collective, when rank
/// q's send element j held collective_value(q, j) (pattern.hpp) and broadcast's root is 0.
/// `chunk` is the per-rank element count (send_count of all_gather, recv_count of reduce_scatter,
/// call_count of all_to_all; ignored otherwise).
float expected_value(core::Collective c, int ranks, int rank, std::int64_t i, std::int64_t chunk);

/// "intra_node" when every rank runs on one host name, else "inter_node".
std::string scope_from_hosts(const std::vector<std::string>& hostnames);

/// Empty when the ranks of one node (indexed by node-local rank) each drive their own GPU; else why
/// not, naming the first two local ranks that landed on the same GPU (PCI bus id) on `host`. Two
/// ranks on one GPU make ncclCommInitRank fail with a bare "invalid usage" (duplicate GPU).
std::string shared_gpu_reason(const std::vector<std::string>& bus_id_by_local_rank, const std::string& host);

/// algbw_bytes_per_s = effective_bytes / t, busbw_bytes_per_s = algbw × core::busbw_factor, and
/// time_s; `seconds` holds one value per iteration (the slowest rank's).
std::vector<core::Metric> collective_metrics(core::Collective c, int ranks, std::int64_t effective_bytes,
                                             const std::vector<double>& seconds, core::Statistic statistic);

/// The α-β model t = α + bytes / β fitted by core::fit_alpha_beta over (bytes, median seconds):
/// metrics alpha_s, beta_bytes_per_s (of algbw: bytes as reported), r2 and busbw_beta_bytes_per_s
/// (β × busbw factor), each with provenance "derived".
std::vector<core::Metric> alpha_beta_metrics(core::Collective c, int ranks, const std::vector<double>& bytes,
                                             const std::vector<double>& seconds);

}  // namespace headroom::bench::nccl
