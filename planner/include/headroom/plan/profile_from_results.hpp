#pragma once
/// `headroom profile`: a HardwareProfile from a results.json (core::Results). Uses whatever cases
/// are present; a quantity nobody measured stays null, or keeps the datasheet value of `base`.
#include "headroom/core/results.hpp"
#include "headroom/plan/profile.hpp"

namespace headroom::plan {

/// `results_file` is recorded as the source of every measured quantity. `base` (may be null) is a
/// datasheet profile whose values fill what was not measured; without it an unknown value is null
/// with provenance `measured` and a source saying it was not measured. Host MPI all-reduce
/// (mpi.all_reduce) fills `collectives` only in a profile of the host alone: a profile that
/// describes a GPU (`base`, devices in the inventory, or passed cuda.* cases) takes NCCL's or none,
/// and its notes say why.
///
/// The node: `gpus_per_node_override` (> 0, `headroom profile --gpus-per-node`) when given, else the
/// GPUs the run saw on its first host, unless `base` knows a larger node (one GPU of a VM measured,
/// an 8-GPU HGX node planned): then the datasheet's. The host's node-level figures (host memory
/// and its bandwidth, storage, all-GPU PCIe) describe the planned node only when the run's host has
/// that many GPUs; otherwise they stay the datasheet's (null where it has none) and the notes say so.
HardwareProfile profile_from_results(const core::Results& results, const std::string& results_file,
                                     const HardwareProfile* base, int gpus_per_node_override = 0);

}  // namespace headroom::plan
