#pragma once
/// The explicit list of backends. Each backend exposes one register_*() function; register_all()
/// calls those that were built (CUDA, NCCL, MPI and io_uring parts are optional).
#include <string>
#include <vector>

#include "headroom/bench/benchmark.hpp"

namespace headroom::bench {

/// Options that shape which cases backends register (e.g. where storage benchmarks write).
struct BackendOptions {
  std::string storage_dir;   ///< empty: a temporary directory on the working filesystem
};

void register_cpu(Registry& registry);
/// CUDA cases (cuda.*); only in builds with CUDA. Without a GPU or driver they are waived.
void register_cuda(Registry& registry);
/// NCCL collectives (nccl.*); only in builds with NCCL.
void register_nccl(Registry& registry);
/// CUDA devices with versions and clocks (microbench/cuda); NCCL version: nccl_version().
std::vector<core::DeviceInfo> collect_cuda_devices();
std::string cuda_absence_reason();
std::string nccl_version();
void register_all(Registry& registry, const BackendOptions& options);

/// Accelerators visible to this process (CUDA backend); empty when none or when built without CUDA.
std::vector<core::DeviceInfo> collect_devices();
/// Why collect_devices() is empty: "built without CUDA", "no CUDA device/driver found", ...
std::string gpu_absence_reason();

/// Which optional parts this binary was built with, e.g. {"CUDA", false, "not built: ..."}.
struct BuildFeature {
  std::string name;
  bool enabled;
  std::string detail;
};
std::vector<BuildFeature> build_features();

}  // namespace headroom::bench
