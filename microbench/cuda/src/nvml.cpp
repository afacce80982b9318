#include "nvml.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <mutex>
#include <utility>

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
  int (*power_usage)(NvmlDevice, unsigned*) = nullptr;
  int (*clock_reasons)(NvmlDevice, unsigned long long*) = nullptr;
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
    bind(lib, "nvmlDeviceGetPowerUsage", a.power_usage);
    bind(lib, "nvmlDeviceGetCurrentClocksEventReasons", a.clock_reasons);
    if (a.clock_reasons == nullptr) bind(lib, "nvmlDeviceGetCurrentClocksThrottleReasons", a.clock_reasons);
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

/// What `fn(dev, args..., &value)` reads, or nullopt when the entry point is missing or fails.
template <typename Fn, typename... Args>
std::optional<unsigned> ask(Fn fn, NvmlDevice dev, Args... args) {
  unsigned v = 0;
  if (fn == nullptr || fn(dev, args..., &v) != kNvmlSuccess) return std::nullopt;
  return v;
}
std::optional<double> as_double(std::optional<unsigned> v, double scale = 1.0) {
  return v ? std::optional<double>(*v * scale) : std::nullopt;
}
std::optional<int> as_int(std::optional<unsigned> v) {
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}
}  // namespace

GpuSensors read_sensors(const std::string& pci_bus_id) {
  GpuSensors s;
  const auto& a = api();
  NvmlDevice dev = open_device(a, pci_bus_id);
  if (dev == nullptr) return s;
  s.clock_sm_mhz = as_double(ask(a.clock, dev, kNvmlClockSm));
  s.clock_mem_mhz = as_double(ask(a.clock, dev, kNvmlClockMem));
  s.temperature_c = as_double(ask(a.temperature, dev, kNvmlTemperatureGpu));
  s.power_limit_w = as_double(ask(a.power_limit, dev), 1e-3);  // mW
  s.pcie_gen = as_int(ask(a.pcie_gen, dev));
  s.pcie_width = as_int(ask(a.pcie_width, dev));
  s.power_w = as_double(ask(a.power_usage, dev), 1e-3);  // mW
  unsigned long long reasons = 0;
  if (a.clock_reasons != nullptr && a.clock_reasons(dev, &reasons) == kNvmlSuccess) s.clock_event_reasons = reasons;
  return s;
}

GpuLimits read_limits(const std::string& pci_bus_id) {
  GpuLimits l;
  const auto& a = api();
  NvmlDevice dev = open_device(a, pci_bus_id);
  if (dev == nullptr) return l;
  l.max_clock_sm_mhz = as_double(ask(a.max_clock, dev, kNvmlClockSm));
  l.max_clock_mem_mhz = as_double(ask(a.max_clock, dev, kNvmlClockMem));
  l.power_limit_w = as_double(ask(a.power_limit, dev), 1e-3);  // mW
  l.max_pcie_gen = as_int(ask(a.max_pcie_gen, dev));
  l.max_pcie_width = as_int(ask(a.max_pcie_width, dev));
  return l;
}

std::string clock_event_reasons_text(unsigned long long mask) {
  // nvml.h's nvmlClocksEventReason* bits (the same values as the older nvmlClocksThrottleReason*).
  static const std::pair<unsigned long long, const char*> kReasons[] = {
      {0x2ULL, "applications clocks setting"}, {0x4ULL, "power cap"},
      {0x8ULL, "hardware slowdown"},           {0x10ULL, "sync boost"},
      {0x20ULL, "thermal (software)"},         {0x40ULL, "thermal (hardware)"},
      {0x80ULL, "power brake (hardware)"},     {0x100ULL, "display clock setting"}};
  std::string out;
  auto add = [&out](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  unsigned long long known = 0x1ULL;  // idle: not a limit on a loaded GPU
  for (const auto& [bit, name] : kReasons) {
    known |= bit;
    if ((mask & bit) != 0) add(name);
  }
  if ((mask & ~known) != 0) add(fmt::format("reason bits {:#x}", mask & ~known));
  return out;
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
  if (s.power_w) add(fmt::format("{:.0f} W", *s.power_w));
  if (s.pcie_gen && s.pcie_width) add(fmt::format("PCIe Gen{} x{}", *s.pcie_gen, *s.pcie_width));
  if (s.clock_event_reasons) {
    if (const std::string why = clock_event_reasons_text(*s.clock_event_reasons); !why.empty()) {
      add("clocks held back by " + why);
    }
  }
  return out;
}

}  // namespace headroom::bench::gpu
