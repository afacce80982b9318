// Inventory of the CUDA devices: what a regression after a driver upgrade is keyed on.
#include <fmt/format.h>

#include <fstream>
#include <optional>

#include "common.hpp"
#include "headroom/bench/backends.hpp"
#include "headroom/core/inventory.hpp"
#include "headroom/gpu/check.hpp"
#include "headroom/gpu/cublaslt_loader.hpp"
#include "headroom/gpu/plan.hpp"
#include "nvml.hpp"

namespace headroom::bench {

namespace {
std::optional<int> read_numa_node(const std::string& sysfs_name) {
  std::ifstream in("/sys/bus/pci/devices/" + sysfs_name + "/numa_node");
  int node = -1;
  if (in >> node && node >= 0) return node;
  return std::nullopt;  // -1: the platform does not say
}
}  // namespace

std::string cuda_absence_reason() {
  return gpu::device_absence_reason();
}

std::vector<core::DeviceInfo> collect_cuda_devices() {
  std::vector<core::DeviceInfo> out;
  const int count = gpu::device_count();
  if (count == 0) return out;
  int runtime = 0, driver = 0;
  (void)cudaRuntimeGetVersion(&runtime);
  (void)cudaDriverGetVersion(&driver);
  const auto nvml_driver = gpu::nvml_driver_version();
  // Null, not an exit, where cuBLASLt cannot be loaded: the GPUs are still inventoried and the
  // non-GEMM benchmarks run (the GEMM cases waive with the reason).
  std::optional<std::string> cublas;
  if (gpu::cublaslt_unavailable_reason().empty()) {
    const std::size_t lt = cublasLtGetVersion();  // major·10000 + minor·100 + patch
    cublas = fmt::format("{}.{}.{}", lt / 10000, (lt / 100) % 100, lt % 100);
  }
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp p{};
    HEADROOM_CUDA_CHECK(cudaGetDeviceProperties(&p, d));
    core::DeviceInfo info;
    info.index = d;
    info.name = p.name;
    unsigned char uuid[16];
    for (int i = 0; i < 16; ++i) uuid[i] = static_cast<unsigned char>(p.uuid.bytes[i]);
    info.uuid = gpu::format_gpu_uuid(uuid);
    char bus[32] = {};
    if (cudaDeviceGetPCIBusId(bus, sizeof bus, d) == cudaSuccess) info.pci_bus_id = gpu::sysfs_pci_name(bus);
    info.compute_capability = fmt::format("{}.{}", p.major, p.minor);
    info.sm_count = p.multiProcessorCount;
    info.memory_bytes = static_cast<std::int64_t>(p.totalGlobalMem);
    info.l2_bytes = p.l2CacheSize;
    info.memory_bus_width_bits = p.memoryBusWidth;
    info.ecc_enabled = p.ECCEnabled != 0;
    int khz = 0;
    // Peak clocks from the runtime; NVML's maximum clocks replace them below where it answers. Not
    // the current clocks: those follow the load (an idle card reads a few hundred MHz), so the
    // inventories of two runs on one machine would differ and a regression report would flag a
    // stack change that is not one. The current readings go into each GPU case's notes.
    if (cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, d) == cudaSuccess && khz > 0) info.clock_sm_mhz = khz / 1e3;
    if (cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, d) == cudaSuccess && khz > 0) {
      info.clock_mem_mhz = khz / 1e3;
    }
    if (info.pci_bus_id) {
      // Vendor / device id from sysfs: what acceptance matches a spec on (names vary by driver).
      const core::PciIds ids = core::read_pci_ids("/sys/bus/pci/devices/" + *info.pci_bus_id);
      info.pci_vendor_id = ids.vendor;
      info.pci_device_id = ids.device;
      info.numa_node = read_numa_node(*info.pci_bus_id);
      const gpu::GpuLimits l = gpu::read_limits(*info.pci_bus_id);
      if (l.max_clock_sm_mhz) info.clock_sm_mhz = l.max_clock_sm_mhz;
      if (l.max_clock_mem_mhz) info.clock_mem_mhz = l.max_clock_mem_mhz;
      info.power_limit_w = l.power_limit_w;
      // The link the device and its slot can reach, not the current one (idle links train down).
      info.pcie_gen = l.max_pcie_gen;
      info.pcie_width = l.max_pcie_width;
    }
    info.driver_version = nvml_driver ? *nvml_driver : "CUDA " + gpu::cuda_version_string(driver) + " driver API";
    info.cuda_runtime_version = gpu::cuda_version_string(runtime);
    info.cublas_version = cublas;
    out.push_back(std::move(info));
  }
  (void)cudaGetLastError();
  return out;
}

}  // namespace headroom::bench
