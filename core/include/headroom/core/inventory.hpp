#pragma once
/// What machine this is: read from /proc, /sys and uname(2). Fields that cannot be read are null.
#include <filesystem>
#include <optional>
#include <string>

#include "headroom/core/results.hpp"

namespace headroom::core {

/// Inventory of the host this process runs on.
HostInventory collect_host_inventory();

/// PCI vendor and device id of one PCI function, in sysfs form ("0x10de", "0x2330").
struct PciIds {
  std::optional<std::string> vendor;  ///< null when unreadable or not a PCI id
  std::optional<std::string> device;
};
/// Reads the `vendor` and `device` files of a sysfs PCI device directory, e.g.
/// /sys/bus/pci/devices/0000:3b:00.0 (the form cudaDeviceGetPCIBusId gives, lower-cased).
PciIds read_pci_ids(const std::filesystem::path& sysfs_device_dir);

/// headroom's version string, e.g. "0.1.0 (git 1a2b3c4)".
std::string headroom_version();
/// Compiler that built headroom, e.g. "GCC 12.2.0".
std::string compiler_description();

}  // namespace headroom::core
