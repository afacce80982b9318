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
  std::string storage_size;  ///< --storage-size ("4GiB"): data and checkpoint file size; empty: suite default
  std::string block_size;    ///< --block-size: the only block size of the storage sweeps; empty: sweep
  std::string queue_depth;   ///< --queue-depth: the only queue depth of the storage sweeps; empty: sweep
  std::string min_bytes;     ///< --min-bytes: smallest MPI message; empty: the suite's
  std::string max_bytes;     ///< --max-bytes: largest MPI message; empty: the suite's
  std::string storage_file;  ///< --storage-file: existing file the storage read cases only read; empty: scratch
};

void register_cpu(Registry& registry);
/// Storage cases (storage.*). Bad storage flags are a core::InputError naming the flag.
void register_storage(Registry& registry, const BackendOptions& options);
/// Before a run: when `filter` selects storage cases of `suite`, checks that the storage directory
/// exists (else core::InputError), is writable and has room for what they write (else
/// core::EnvironmentError). Creates nothing.
void check_storage_ready(const BackendOptions& options, const std::string& suite, const std::string& filter);
/// MPI collectives (mpi.*); only in builds with MPI. A bad or inverted --min-bytes/--max-bytes is a
/// core::InputError.
void register_mpi(Registry& registry, const BackendOptions& options);
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
