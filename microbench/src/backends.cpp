#include "headroom/bench/backends.hpp"

namespace headroom::bench {

void register_all(Registry& registry, const BackendOptions& options) {
  register_cpu(registry);
#ifdef HEADROOM_HAVE_CUDA
  register_cuda(registry);
#endif
#ifdef HEADROOM_HAVE_NCCL
  register_nccl(registry);
#endif
  register_storage(registry, options);
#ifdef HEADROOM_HAVE_MPI
  register_mpi(registry, options);
#endif
}

#ifndef HEADROOM_HAVE_CUDA
std::vector<core::DeviceInfo> collect_devices() { return {}; }
std::string gpu_absence_reason() { return "built without CUDA: GPU benchmarks are not available in this binary"; }
#else
std::vector<core::DeviceInfo> collect_devices() {
  auto devices = collect_cuda_devices();
#ifdef HEADROOM_HAVE_NCCL
  for (auto& d : devices) d.nccl_version = nccl_version();
#endif
  return devices;
}
std::string gpu_absence_reason() { return cuda_absence_reason(); }
#endif

std::vector<BuildFeature> build_features() {
  std::vector<BuildFeature> out;
#ifdef HEADROOM_HAVE_CUDA
  out.push_back({"CUDA", true, "cuBLAS/cuBLASLt GEMM, HBM, PCIe, peer benchmarks"});
#else
  out.push_back({"CUDA", false, "built without the CUDA toolkit: GPU benchmarks are not available"});
#endif
#ifdef HEADROOM_HAVE_NCCL
  out.push_back({"NCCL", true, "NCCL collectives"});
#else
  out.push_back({"NCCL", false, "built without NCCL"});
#endif
#ifdef HEADROOM_HAVE_MPI
  out.push_back({"MPI", true, "multi-process runs and MPI collectives"});
#else
  out.push_back({"MPI", false, "built without MPI: single-process runs only"});
#endif
#ifdef HEADROOM_HAVE_IOURING
  out.push_back({"io_uring", true, "random-read IOPS through io_uring"});
#else
  out.push_back({"io_uring", false, "built without liburing: storage uses psync"});
#endif
#ifdef HEADROOM_HAVE_BLAS
  out.push_back({"BLAS", true, "CPU GEMM through OpenBLAS (cpu.gemm impl=blas) beside Eigen's kernel"});
#else
  out.push_back({"BLAS", false, "built without OpenBLAS: cpu.gemm measures Eigen's own kernel only"});
#endif
  return out;
}

}  // namespace headroom::bench
