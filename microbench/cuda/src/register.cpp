// The CUDA backend's explicit list of benchmarks (one line per family).
#include "headroom/bench/backends.hpp"

namespace headroom::bench {

namespace gpu {
void add_gemm_benchmarks(Registry& registry);
void add_hbm_benchmarks(Registry& registry);
void add_pcie_benchmarks(Registry& registry);
void add_pcie_all_benchmarks(Registry& registry);
void add_peer_benchmarks(Registry& registry);
}  // namespace gpu

void register_cuda(Registry& registry) {
  gpu::add_gemm_benchmarks(registry);
  gpu::add_hbm_benchmarks(registry);
  gpu::add_pcie_benchmarks(registry);
  gpu::add_pcie_all_benchmarks(registry);
  gpu::add_peer_benchmarks(registry);
}

}  // namespace headroom::bench
