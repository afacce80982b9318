#include "headroom/core/inventory.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "headroom_version.hpp"

namespace headroom::core {

namespace fs = std::filesystem;

namespace {
std::string read_first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\n\"");
  const auto e = s.find_last_not_of(" \t\n\"");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// "48K" / "1024K" / "32M" as sysfs prints cache sizes.
std::optional<std::int64_t> parse_cache_size(const std::string& s) {
  if (s.empty()) return std::nullopt;
  try {
    std::size_t pos = 0;
    const long long v = std::stoll(s, &pos);
    const std::string unit = s.substr(pos);
    if (unit == "K") return v * 1024;
    if (unit == "M") return v * 1024 * 1024;
    if (unit == "G") return v * 1024LL * 1024 * 1024;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

void read_caches(HostInventory& h) {
  const fs::path base = "/sys/devices/system/cpu/cpu0/cache";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    if (entry.path().filename().string().rfind("index", 0) != 0) continue;
    const std::string level = read_first_line(entry.path() / "level");
    const std::string type = read_first_line(entry.path() / "type");
    const auto size = parse_cache_size(read_first_line(entry.path() / "size"));
    if (!size) continue;
    if (level == "1" && (type == "Data" || type == "Unified")) h.l1d_bytes = size;
    if (level == "2") h.l2_bytes = size;
    if (level == "3") h.l3_bytes = size;
  }
}

void read_cpuinfo(HostInventory& h) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  std::set<std::string> physical_ids;
  std::set<std::pair<std::string, std::string>> cores;
  std::string phys = "0";
  int processors = 0;
  std::string flags;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon));
    const std::string value = trim(line.substr(colon + 1));
    if (key == "processor") ++processors;
    else if (key == "model name" && h.cpu_model.empty()) h.cpu_model = value;
    else if (key == "vendor_id" && h.cpu_vendor.empty()) h.cpu_vendor = value;
    else if (key == "physical id") {
      phys = value;
      physical_ids.insert(value);
    } else if (key == "core id") cores.insert({phys, value});
    else if (key == "flags" && flags.empty()) flags = value;
  }
  if (!physical_ids.empty()) h.sockets = static_cast<int>(physical_ids.size());
  if (!cores.empty()) h.cores = static_cast<int>(cores.size());
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  h.threads = online > 0 ? static_cast<int>(online) : processors;
  static const std::set<std::string> interesting = {
      "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni",
      "avx512_bf16", "avx512_fp16", "amx_bf16", "amx_int8", "amx_tile", "hypervisor", "asimd", "sve"};
  std::istringstream fs_(flags);
  std::string f;
  while (fs_ >> f) {
    if (interesting.count(f)) h.cpu_flags.push_back(f);
  }
  h.virtualized = std::find(h.cpu_flags.begin(), h.cpu_flags.end(), "hypervisor") != h.cpu_flags.end();
  const std::string maxfreq = read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
  if (!maxfreq.empty()) {
    try {
      h.cpu_max_mhz = std::stod(maxfreq) / 1000.0;
    } catch (...) {
    }
  }
  if (!h.cpu_max_mhz) {
    std::ifstream again("/proc/cpuinfo");
    while (std::getline(again, line)) {
      if (line.rfind("cpu MHz", 0) == 0) {
        try {
          h.cpu_max_mhz = std::stod(trim(line.substr(line.find(':') + 1)));
        } catch (...) {
        }
        break;
      }
    }
  }
}

void read_memory(HostInventory& h) {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  long long kb = 0;
  while (in >> key >> kb) {
    std::getline(in, unit);
    if (key == "MemTotal:") {
      h.memory_bytes = kb * 1024;
      break;
    }
  }
}

void read_numa(HostInventory& h) {
  int nodes = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/sys/devices/system/node", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("node", 0) == 0 && name.size() > 4 && std::isdigit(static_cast<unsigned char>(name[4]))) ++nodes;
  }
  if (nodes > 0) h.numa_nodes = nodes;
}

void read_os(HostInventory& h) {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) h.os = trim(line.substr(12));
  }
  utsname u{};
  if (::uname(&u) == 0) {
    h.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
    if (h.os.empty()) h.os = u.sysname;
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) h.hostname = host;
}
}  // namespace

PciIds read_pci_ids(const fs::path& sysfs_device_dir) {
  const auto one = [&](const char* file) -> std::optional<std::string> {
    std::string v = trim(read_first_line(sysfs_device_dir / file));
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!is_pci_id(v)) return std::nullopt;  // missing file, permission, or not "0x" + 4 hex digits
    return v;
  };
  return {one("vendor"), one("device")};
}

std::string headroom_version() {
  std::string v = HEADROOM_VERSION_STRING;
  const std::string git = HEADROOM_GIT_DESCRIBE;
  if (!git.empty()) v += " (git " + git + ")";
  return v;
}

std::string compiler_description() {
#if defined(__clang__)
  return "Clang " __clang_version__;
#elif defined(__GNUC__)
  return "GCC " __VERSION__;
#else
  return "unknown compiler";
#endif
}

HostInventory collect_host_inventory() {
  HostInventory h;
  read_os(h);
  read_cpuinfo(h);
  read_caches(h);
  read_memory(h);
  read_numa(h);
  h.compiler = compiler_description();
  h.headroom_version = headroom_version();
  return h;
}

}  // namespace headroom::core
