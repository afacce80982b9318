#include "nvml.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <mutex>

namespace headroom::bench::gpu {

namespace {

// The handful of NVML entry points used, declared from NVML's documented C API (nvmlReturn_t is
// an int enum with NVML_SUCCESS = 0; nvmlDevice_t an opaque pointer).
using NvmlDevice = void*;
constexpr int kNvmlSuccess = 0;
constexpr int kNvmlClockSm = 1;
constexpr int kNvmlClockMem = 2;
constexpr int kNvmlTemperatureGpu = 0;

struct NvmlApi {
  int (*init)() = nullptr;
  int (*by_pci)(const char*, NvmlDevice*) = nullptr;
  int (*clock)(NvmlDevice, int, unsigned*) = nullptr;
  int (*max_clock)(NvmlDevice, int, unsigned*) = nullptr;
  int (*temperature)(NvmlDevice, int, unsigned*) = nullptr;
  int (*power_limit)(NvmlDevice, unsigned*) = nullptr;
  int (*pcie_gen)(NvmlDevice, unsigned*) = nullptr;
  int (*pcie_width)(NvmlDevice, unsigned*) = nullptr;
  int (*max_pcie_gen)(NvmlDevice, unsigned*) = nullptr;
  int (*max_pcie_width)(NvmlDevice, unsigned*) = nullptr;
  int (*driver_version)(char*, unsigned) = nullptr;
  std::string error;
};

template <typename F>
void bind(void* lib, const char* name, F& fn) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
}

const NvmlApi& api() {
  static NvmlApi a;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      a.error = "NVML not available (libnvidia-ml.so.1 not found)";
      return;
    }
    bind(lib, "nvmlInit_v2", a.init);
    bind(lib, "nvmlDeviceGetHandleByPciBusId_v2", a.by_pci);
    bind(lib, "nvmlDeviceGetClockInfo", a.clock);
    bind(lib, "nvmlDeviceGetTemperature", a.temperature);
    bind(lib, "nvmlDeviceGetPowerManagementLimit", a.power_limit);
    bind(lib, "nvmlDeviceGetCurrPcieLinkGeneration", a.pcie_gen);
    bind(lib, "nvmlDeviceGetCurrPcieLinkWidth", a.pcie_width);
    bind(lib, "nvmlDeviceGetMaxClockInfo", a.max_clock);
    bind(lib, "nvmlDeviceGetMaxPcieLinkGeneration", a.max_pcie_gen);
    bind(lib, "nvmlDeviceGetMaxPcieLinkWidth", a.max_pcie_width);
    bind(lib, "nvmlSystemGetDriverVersion", a.driver_version);
    if (a.init == nullptr || a.by_pci == nullptr) {
      a.error = "NVML not usable (nvmlInit_v2 / nvmlDeviceGetHandleByPciBusId_v2 missing)";
    } else if (const int rc = a.init(); rc != kNvmlSuccess) {
      a.error = fmt::format("NVML not usable (nvmlInit_v2 returned {})", rc);
    }
  });
  return a;
}

}  // namespace

std::string nvml_unavailable_reason() {
  return api().error;
}

std::optional<std::string> nvml_driver_version() {
  const auto& a = api();
  if (!a.error.empty() || a.driver_version == nullptr) return std::nullopt;
  char buf[96] = {};
  if (a.driver_version(buf, sizeof buf) != kNvmlSuccess) return std::nullopt;
  return std::string(buf);
}

namespace {
/// NVML's handle of the GPU at `pci_bus_id`; null when NVML is unusable or does not know the GPU.
NvmlDevice open_device(const NvmlApi& a, const std::string& pci_bus_id) {
  NvmlDevice dev = nullptr;
  if (!a.error.empty() || a.by_pci(pci_bus_id.c_str(), &dev) != kNvmlSuccess) return nullptr;
  return dev;
}
}  // namespace

GpuSensors read_sensors(const std::string& pci_bus_id) {
  GpuSensors s;
  const auto& a = api();
  NvmlDevice dev = open_device(a, pci_bus_id);
  if (dev == nullptr) return s;
  unsigned v = 0;
  if (a.clock != nullptr && a.clock(dev, kNvmlClockSm, &v) == kNvmlSuccess) s.clock_sm_mhz = v;
  if (a.clock != nullptr && a.clock(dev, kNvmlClockMem, &v) == kNvmlSuccess) s.clock_mem_mhz = v;
  if (a.temperature != nullptr && a.temperature(dev, kNvmlTemperatureGpu, &v) == kNvmlSuccess) s.temperature_c = v;
  if (a.power_limit != nullptr && a.power_limit(dev, &v) == kNvmlSuccess) s.power_limit_w = v / 1000.0;  // mW
  if (a.pcie_gen != nullptr && a.pcie_gen(dev, &v) == kNvmlSuccess) s.pcie_gen = static_cast<int>(v);
  if (a.pcie_width != nullptr && a.pcie_width(dev, &v) == kNvmlSuccess) s.pcie_width = static_cast<int>(v);
  return s;
}

GpuLimits read_limits(const std::string& pci_bus_id) {
  GpuLimits l;
  const auto& a = api();
  NvmlDevice dev = open_device(a, pci_bus_id);
  if (dev == nullptr) return l;
  unsigned v = 0;
  if (a.max_clock != nullptr && a.max_clock(dev, kNvmlClockSm, &v) == kNvmlSuccess) l.max_clock_sm_mhz = v;
  if (a.max_clock != nullptr && a.max_clock(dev, kNvmlClockMem, &v) == kNvmlSuccess) l.max_clock_mem_mhz = v;
  if (a.power_limit != nullptr && a.power_limit(dev, &v) == kNvmlSuccess) l.power_limit_w = v / 1000.0;  // mW
  if (a.max_pcie_gen != nullptr && a.max_pcie_gen(dev, &v) == kNvmlSuccess) l.max_pcie_gen = static_cast<int>(v);
  if (a.max_pcie_width != nullptr && a.max_pcie_width(dev, &v) == kNvmlSuccess) l.max_pcie_width = static_cast<int>(v);
  return l;
}

std::string describe_sensors(const GpuSensors& s) {
  if (!s.clock_sm_mhz && !s.clock_mem_mhz && !s.temperature_c) {
    const std::string why = nvml_unavailable_reason();
    return "clocks/temperature not sampled: " + (why.empty() ? std::string("NVML gave no readings") : why);
  }
  std::string out;
  auto add = [&out](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (s.clock_sm_mhz) add(fmt::format("sm {:.0f} MHz", *s.clock_sm_mhz));
  if (s.clock_mem_mhz) add(fmt::format("mem {:.0f} MHz", *s.clock_mem_mhz));
  if (s.temperature_c) add(fmt::format("{:.0f} °C", *s.temperature_c));
  if (s.pcie_gen && s.pcie_width) add(fmt::format("PCIe Gen{} x{}", *s.pcie_gen, *s.pcie_width));
  return out;
}

}  // namespace headroom::bench::gpu
