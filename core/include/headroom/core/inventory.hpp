#pragma once
/// What machine this is: read from /proc, /sys and uname(2). Fields that cannot be read are null.
#include "headroom/core/results.hpp"

namespace headroom::core {

/// Inventory of the host this process runs on.
HostInventory collect_host_inventory();

/// headroom's version string, e.g. "0.1.0 (git 1a2b3c4)".
std::string headroom_version();
/// Compiler that built headroom, e.g. "GCC 12.2.0".
std::string compiler_description();

}  // namespace headroom::core
