#pragma once
/// profile.json, schema "headroom.profile" 1.x: what one accelerator (and the links around it) can
/// deliver. The same type holds datasheet profiles (data/hardware/*.json) and profiles derived from
/// measurements (`headroom profile results.json`). Every number is a Quantity that says where it
/// came from; a value nobody knows is null, never 0.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace headroom::plan {

inline constexpr const char* kProfileSchema = "headroom.profile";
inline constexpr int kProfileMajor = 1;
/// 1.1 added gemm_curves; 1.2 provenance "not_measured"; 1.3 pcie.node_h2d_bytes_per_s and
/// pcie.node_d2h_bytes_per_s (optional: 1.0–1.2 files load with them null).
inline constexpr int kProfileMinor = 3;

/// Where a quantity comes from. kNotMeasured: null in a profile derived from results, because no
/// passed case measured it and no datasheet (--base) gives it; never carries a value.
enum class Provenance { kDatasheet, kMeasured, kOverride, kNotMeasured };
std::string to_string(Provenance p);
Provenance provenance_from_string(const std::string& s);  ///< throws core::InputError

/// One number with its origin. `value` is in the SI unit named by the field that holds it.
struct Quantity {
  std::optional<double> value;
  Provenance provenance = Provenance::kDatasheet;
  std::string source;  ///< URL, document or results file (+ case name) it came from
  std::string as_of;   ///< YYYY-MM-DD
  bool known() const { return value.has_value(); }
  double value_or(double fallback) const { return value ? *value : fallback; }
};

/// Numeric precisions with a dense peak rate in a profile (dense = without 2:4 sparsity).
enum class Precision { kFp64, kFp64Tensor, kFp32, kTf32, kFp16, kBf16, kFp8, kInt8, kFp4, kInt4, kCount };
inline constexpr int kPrecisionCount = static_cast<int>(Precision::kCount);
std::string to_string(Precision p);  ///< "fp64", "fp64_tensor", "fp32", "tf32", "fp16", "bf16", ...
/// Parses a precision name; throws core::InputError listing the valid names.
Precision precision_from_string(const std::string& s);
/// Bytes of one element stored in `p` (fp64 8, fp32/tf32 4, fp16/bf16 2, fp8/int8 1, fp4/int4 0.5).
double precision_bytes(Precision p);

/// Elements sharing one scale in the quantised weight formats when a workload gives no group size:
/// int4 128 (the AWQ / GPTQ default group of input features), fp4 16 (NVFP4's block); 0 for the
/// others (per-channel or per-tensor scales).
std::int64_t default_weight_group(Precision p);
/// Bytes of one stored weight element including its share of the group or block scales (`group` 0:
/// default_weight_group). int4, the AWQ / GPTQ layout: 4-bit values, an fp16 scale and a 4-bit zero
/// point per group: 0.5 + 2.5/group. fp4: 4-bit E2M1 values and one 8-bit scale per block, NVFP4's
/// E4M3 (blocks of 16: 4.5 bits) or MXFP4's E8M0 (blocks of 32: 4.25 bits): 0.5 + 1/group. Every
/// other precision: precision_bytes (fp8 / int8 per-channel or per-tensor scales add < 0.1 %).
double weight_bytes_per_element(Precision p, std::int64_t group);

/// α-β model of one collective scope: time(bytes) = alpha_s + bytes / bus_bytes_per_s (busbw terms).
struct CollectiveFit {
  Quantity alpha_s;           ///< per-step latency, seconds
  Quantity bus_bytes_per_s;   ///< asymptotic bus bandwidth (nccl-tests busbw convention)
  Quantity ranks;             ///< ranks of the measurement it was fitted on
};

/// One measured GEMM: C (m × n) = A (m × k) · B (k × n), at `flop_per_s` (2·m·n·k per call).
struct GemmPoint {
  std::int64_t m = 0, n = 0, k = 0;
  double flop_per_s = 0;
  double flop() const { return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k); }
};

/// GEMM rate against size for one precision (schema 1.1, optional): the sweep a measured run made,
/// so that the planner times each GEMM at the rate of its size instead of the best one. Empty when
/// not known. One provenance, source and date for the whole sweep.
struct GemmCurve {
  std::vector<GemmPoint> points;
  Provenance provenance = Provenance::kMeasured;
  std::string source;
  std::string as_of;
  bool empty() const { return points.empty(); }
};

struct HardwareProfile {
  std::string id;                    ///< stable id, e.g. "h100-sxm5-80gb"
  std::string name;                  ///< display name
  std::string vendor;
  std::vector<std::string> aliases;  ///< names accepted by --gpu (case-insensitive)
  std::string notes;

  Quantity memory_bytes;             ///< device memory capacity usable by applications
  Quantity memory_bandwidth_bytes_per_s;
  Quantity peak_flop_per_s[kPrecisionCount];  ///< dense peak per precision (int8: OP/s)
  Quantity tdp_w;
  Quantity nvlink_bytes_per_s;       ///< GPU-to-GPU fabric, bidirectional total per GPU
  /// GPUs one GPU reaches over that fabric, itself included: 2 for cards joined in pairs by NVLink
  /// bridges (H100 PCIe); unknown (null): every GPU of the node (NVSwitch, Infinity Fabric mesh).
  Quantity nvlink_domain_gpus;
  Quantity pcie_gen;
  Quantity pcie_lanes;
  Quantity pcie_bytes_per_s;         ///< per direction
  /// Host->device and device->host bytes per second of the whole node with every GPU copying at
  /// once (schema 1.3, optional; measured by cuda.pcie.all.h2d / d2h): the GPUs share PCIe
  /// switches, root ports and host memory, so this is below gpus_per_node × pcie_bytes_per_s.
  /// Null in datasheet profiles (no vendor publishes it) and in profiles older than 1.3.
  Quantity pcie_node_h2d_bytes_per_s;
  Quantity pcie_node_d2h_bytes_per_s;
  Quantity inter_node_bytes_per_s;   ///< network injection bandwidth per GPU, per direction
  Quantity gpus_per_node;            ///< GPUs sharing one NVLink domain / node
  Quantity host_memory_bandwidth_bytes_per_s;
  Quantity host_memory_bytes;        ///< host RAM per node (a property of the server, not the GPU)
  CollectiveFit intra_node;          ///< all-reduce α-β inside the node
  CollectiveFit inter_node;          ///< all-reduce α-β across nodes
  Quantity storage_read_bytes_per_s;
  Quantity storage_write_bytes_per_s;
  Quantity checkpoint_write_bytes_per_s;
  GemmCurve gemm_curves[kPrecisionCount];  ///< rate by GEMM size per precision (empty: unknown)

  const Quantity& peak(Precision p) const { return peak_flop_per_s[static_cast<int>(p)]; }
  Quantity& peak(Precision p) { return peak_flop_per_s[static_cast<int>(p)]; }
  const GemmCurve& gemm_curve(Precision p) const { return gemm_curves[static_cast<int>(p)]; }
  GemmCurve& gemm_curve(Precision p) { return gemm_curves[static_cast<int>(p)]; }
};

std::string profile_to_json(const HardwareProfile& p, int indent = 2);
/// Strict parse; errors name `file` and the JSON path.
HardwareProfile profile_from_json(const std::string& text, const std::string& file);
HardwareProfile load_profile(const std::filesystem::path& path);

}  // namespace headroom::plan
