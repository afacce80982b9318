// cpu.peak.fp64 / cpu.peak.fp32: the theoretical FLOP/s ceiling, derived (not measured) as
// cores × clock × SIMD lanes × FMA units × 2 FLOP per FMA, with the source of every factor.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cpu_benchmarks.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/inventory.hpp"

namespace headroom::bench::cpu {
bool has_cpu_flag(const std::vector<std::string>& flags, const std::string& flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

namespace {

// FMA pipes per core at the widest SIMD width. These are per-microarchitecture facts the kernel
// does not expose, so they are assumptions, stated in the result. Sources: Intel 64 and IA-32
// Architectures Optimization Reference Manual (Skylake-SP and later server cores: two 512-bit FMA
// units on Xeon Gold/Platinum; some Silver/Bronze and client parts have one); AMD Software
// Optimization Guides for family 17h/19h/1Ah (Zen 2/3: two 256-bit FMA pipes; Zen 4 runs 512-bit
// instructions as two 256-bit halves, i.e. one 512-bit FMA per cycle; Zen 5 server/desktop: two
// 512-bit FMA pipes). Arm Neoverse cores: two 128-bit FMA pipes (N1 and V1 NEON).
std::pair<int, std::string> fma_units_for(const PeakInputs& in, int simd_bits) {
  const bool amd = in.vendor == "AuthenticAMD" || in.vendor == "HygonGenuine";
  const bool intel = in.vendor == "GenuineIntel";
  if (simd_bits == 512 && amd && in.cpu_family && *in.cpu_family == 0x19) {
    return {1, "1 FMA per cycle at 512 bits: AMD family 19h (Zen 4) splits 512-bit operations into two 256-bit halves"};
  }
  if (simd_bits == 512 && amd) return {2, "2 × 512-bit FMA pipes assumed: AMD family 1Ah (Zen 5) server/desktop core"};
  if (simd_bits == 512 && intel) {
    return {2,
            "2 × 512-bit FMA units assumed: Intel Xeon Scalable Gold/Platinum core (Silver/Bronze and some "
            "client parts have 1, which halves this peak)"};
  }
  if (simd_bits == 256 && amd && in.cpu_family && *in.cpu_family == 0x17) {
    return {2,
            "2 × 256-bit FMA pipes assumed: AMD family 17h Zen 2 (Zen 1 splits 256-bit ops, which halves this peak)"};
  }
  if (intel || amd)
    return {2, fmt::format("2 FMA units at {} bits assumed (Intel Haswell and later, AMD Zen 2 and later)", simd_bits)};
  return {2, fmt::format("2 FMA pipes at {} bits assumed (typical of current server cores)", simd_bits)};
}

}  // namespace

PeakInputs peak_inputs_from_host() {
  const core::HostInventory host = core::collect_host_inventory();
  PeakInputs in;
  in.cores = host.cores;
  in.clock_mhz = host.cpu_max_mhz;
  in.vendor = host.cpu_vendor;
  in.flags = host.cpu_flags;
  std::error_code ec;
  in.clock_source = std::filesystem::exists("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", ec)
                        ? "maximum clock from sysfs cpufreq/cpuinfo_max_freq"
                        : "\"cpu MHz\" of /proc/cpuinfo (no cpufreq in sysfs: under a hypervisor this is the "
                          "nominal/TSC clock, turbo may exceed it)";
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("cpu family", 0) == 0) {
      const auto colon = line.find(':');
      try {
        if (colon != std::string::npos) in.cpu_family = std::stoi(line.substr(colon + 1));
      } catch (...) {
      }
      break;
    }
  }
  return in;
}

PeakDerivation derive_peak(const PeakInputs& in, Precision precision) {
  if (!in.cores || *in.cores <= 0) throw core::Waived("peak not derivable: the physical core count is unknown");
  if (!in.clock_mhz || !(*in.clock_mhz > 0)) throw core::Waived("peak not derivable: the CPU clock is unknown");
  PeakDerivation d;
  d.cores = *in.cores;
  d.clock_hz = *in.clock_mhz * 1e6;
  d.sources.push_back(
      fmt::format("cores = {} physical cores (core ids of /proc/cpuinfo; SMT siblings add no FMA units)", d.cores));
  d.sources.push_back(fmt::format("clock = {:.0f} MHz, {}", *in.clock_mhz, in.clock_source));
  bool fma = has_cpu_flag(in.flags, "fma") || has_cpu_flag(in.flags, "avx512f");
  if (has_cpu_flag(in.flags, "avx512f")) {
    d.simd_bits = 512;
    d.sources.push_back("SIMD width 512 bits: CPU flag avx512f");
  } else if (has_cpu_flag(in.flags, "avx2") || has_cpu_flag(in.flags, "avx")) {
    d.simd_bits = 256;
    d.sources.push_back(
        fmt::format("SIMD width 256 bits: CPU flag {}", has_cpu_flag(in.flags, "avx2") ? "avx2" : "avx"));
  } else if (has_cpu_flag(in.flags, "asimd")) {
    d.simd_bits = 128;
    fma = true;  // Armv8 Advanced SIMD always has FMLA
    d.sources.push_back("SIMD width 128 bits: CPU flag asimd (Armv8 NEON; SVE length not read)");
  } else if (has_cpu_flag(in.flags, "sse4_2")) {
    d.simd_bits = 128;
    d.sources.push_back("SIMD width 128 bits: CPU flag sse4_2");
  } else {
    throw core::Waived("peak not derivable: no known SIMD flag (avx512f, avx2, avx, asimd, sse4_2) in the inventory");
  }
  const int element_bits = precision == Precision::kFp64 ? 64 : 32;
  d.lanes = d.simd_bits / element_bits;
  d.sources.push_back(
      fmt::format("lanes = {} / {} = {} {} elements", d.simd_bits, element_bits, d.lanes, to_string(precision)));
  if (fma) {
    auto [units, why] = fma_units_for(in, d.simd_bits);
    d.fma_units = units;
    d.flop_per_fma = 2;
    d.sources.push_back("FMA units = " + why);
    d.sources.push_back("2 FLOP per FMA lane (multiply + add)");
  } else {
    // No FMA: one multiply port and one add port per cycle, one FLOP each.
    d.fma_units = 1;
    d.flop_per_fma = 2;
    d.sources.push_back("no FMA flag: assumed one multiply and one add port per core (counted as 1 unit × 2 FLOP)");
  }
  d.flop_per_s = d.cores * d.clock_hz * d.lanes * d.fma_units * d.flop_per_fma;
  return d;
}

namespace {

class PeakBenchmark final : public Benchmark {
 public:
  explicit PeakBenchmark(Precision precision) : precision_(precision) {}

  BenchmarkInfo info() const override {
    BenchmarkInfo i;
    i.name = "cpu.peak." + to_string(precision_);
    i.backend = "cpu";
    i.description = fmt::format(
        "theoretical {} FLOP/s = cores × clock × SIMD lanes × FMA units × 2 (derived from "
        "the inventory, not measured)",
        to_string(precision_));
    i.params = {{"cores", "", "physical cores"},
                {"clock_mhz", "MHz", "clock used (sysfs max, else /proc/cpuinfo)"},
                {"simd_bits", "bits", "widest SIMD width from the CPU flags"},
                {"lanes", "", "simd_bits / element bits"},
                {"fma_units", "", "FMA pipes per core (assumed per microarchitecture)"}};
    i.metrics = {{"flop_per_s", "FLOP/s", core::Better::kHigher, "cores × clock × lanes × FMA units × 2"}};
    return i;
  }

  std::vector<core::Params> instances(const std::string& suite) const override {
    (void)suite;
    try {
      const PeakDerivation d = derive_peak(peak_inputs_from_host(), precision_);
      return {{{"cores", static_cast<std::int64_t>(d.cores)},
               {"clock_mhz", d.clock_hz / 1e6},
               {"simd_bits", static_cast<std::int64_t>(d.simd_bits)},
               {"lanes", static_cast<std::int64_t>(d.lanes)},
               {"fma_units", static_cast<std::int64_t>(d.fma_units)}}};
    } catch (const core::Waived&) {
      return {core::Params{}};  // run() derives again and records why it is waived
    }
  }

  core::CaseResult run(const core::Params& params, RunContext& ctx) override {
    (void)params;
    const PeakDerivation d = derive_peak(peak_inputs_from_host(), precision_);
    core::CaseResult r;
    core::Metric m;
    m.name = "flop_per_s";
    m.unit = "FLOP/s";
    m.value = d.flop_per_s;
    m.provenance = "derived";
    m.note = fmt::format("{} × {:.0f} MHz × {} lanes × {} FMA units × {} FLOP", d.cores, d.clock_hz / 1e6, d.lanes,
                         d.fma_units, d.flop_per_fma);
    r.metrics.push_back(std::move(m));
    for (const auto& s : d.sources) ctx.note(s);
    return r;
  }

 private:
  Precision precision_;
};

}  // namespace

std::unique_ptr<Benchmark> make_peak_benchmark(Precision precision) {
  return std::make_unique<PeakBenchmark>(precision);
}

}  // namespace headroom::bench::cpu
