#pragma once
/// Clocks, temperature, power limit and PCIe link from NVML, loaded at run time with
/// dlopen("libnvidia-ml.so.1"): there is no nvml.h in the toolkit, and linking NVML would stop the
/// binary from starting on machines without a driver. Every field NVML cannot give stays null.
#include <optional>
#include <string>

namespace headroom::bench::gpu {

struct GpuSensors {
  std::optional<double> clock_sm_mhz;
  std::optional<double> clock_mem_mhz;
  std::optional<double> temperature_c;
  std::optional<double> power_limit_w;
  std::optional<int> pcie_gen;
  std::optional<int> pcie_width;
  std::optional<double> power_w;  ///< nvmlDeviceGetPowerUsage: board draw now
  /// nvmlDeviceGetCurrentClocksEventReasons (ThrottleReasons before CUDA 12): why the clocks are
  /// below their maximum (bit mask, nvmlClocksEventReason*).
  std::optional<unsigned long long> clock_event_reasons;
};

/// What the GPU and its slot can do, independent of load: the inventory records these, because the
/// current readings change with activity (an idle H100 reads an SM clock of a few hundred MHz and
/// may train its PCIe link down to Gen1), and two inventories of one machine must compare equal.
struct GpuLimits {
  std::optional<double> max_clock_sm_mhz;   ///< nvmlDeviceGetMaxClockInfo(SM)
  std::optional<double> max_clock_mem_mhz;  ///< nvmlDeviceGetMaxClockInfo(MEM)
  std::optional<double> power_limit_w;      ///< nvmlDeviceGetPowerManagementLimit
  std::optional<int> max_pcie_gen;          ///< nvmlDeviceGetMaxPcieLinkGeneration: device and system
  std::optional<int> max_pcie_width;        ///< nvmlDeviceGetMaxPcieLinkWidth
};

/// Limits of the GPU at `pci_bus_id`; all null when NVML is unavailable.
GpuLimits read_limits(const std::string& pci_bus_id);

/// The driver version NVML reports ("550.54.15"); nullopt without NVML.
std::optional<std::string> nvml_driver_version();
/// Sensors of the GPU at `pci_bus_id`; all null when NVML is unavailable.
GpuSensors read_sensors(const std::string& pci_bus_id);
/// Empty when NVML loaded; otherwise why not (for a note in results).
std::string nvml_unavailable_reason();

/// The reasons in an nvmlClocksEventReason mask, in words ("power cap, thermal (hardware)"), idle
/// left out; empty when nothing but idleness holds the clocks back. Unknown bits are named in hex.
std::string clock_event_reasons_text(unsigned long long mask);

/// "sm 1980 MHz, mem 2619 MHz, 41 °C, 690 W, PCIe Gen5 x16, clocks held back by power cap" (fields
/// NVML gave; the last part only when something but idleness holds them back), or "clocks/temperature
/// not sampled: …". The current readings, for the notes of a case (sampled around its timing).
std::string describe_sensors(const GpuSensors& s);

}  // namespace headroom::bench::gpu
