#pragma once
/// The CPU side of the CUDA backend: precisions and their tolerances, size sweeps, byte and FLOP
/// counting, buffer rotation, error checks and result assembly. Plain C++ (no CUDA header), so it
/// is unit-tested on every machine, with or without a GPU.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "headroom/core/results.hpp"

namespace headroom::bench::gpu {

/// GEMM precisions, one case each: cuda.gemm.<name>.
enum class Precision { kFp64, kFp32, kTf32, kFp16, kBf16, kFp8, kInt8 };

struct PrecisionInfo {
  Precision precision;
  std::string name;  ///< case suffix: fp64, fp32, tf32, fp16, bf16, fp8, int8
  int input_bytes;   ///< bytes per element of A and B
  int output_bytes;  ///< bytes per element of C (= D)
  int min_cc;        ///< lowest compute capability as major*10+minor (fp8 e4m3: 89)
  /// Largest accepted ‖got − ref‖ / ‖ref‖ over the spot-checked entries, ref computed in fp64 from
  /// the same (already rounded) inputs: it covers accumulation order and output rounding only.
  double tolerance;
  std::string unit;   ///< FLOP/s, or OP/s for int8
  std::string types;  ///< the cuBLASLt types used, written into the case message
};

/// All precisions in case order.
const std::vector<PrecisionInfo>& precisions();
const PrecisionInfo& precision_info(Precision p);
/// Parses a case suffix ("bf16"); throws core::InputError for anything else.
Precision precision_from_string(const std::string& name);
/// Empty when a device of compute capability major.minor runs `p` on its tensor cores / FMA
/// units; otherwise the reason the case is waived.
std::string precision_unsupported_reason(Precision p, int cc_major, int cc_minor);

/// One GEMM problem C(m×n) = A(m×k)·B(k×n). label: "square" or the transformer layer it models.
struct GemmShape {
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::string label;
  bool operator==(const GemmShape&) const = default;
};
/// The GEMM sweep of a suite: square sizes (quick 4096 and 8192; standard 1024…16384 in ×2 steps;
/// full adds 3072, 6144, 12288) plus LLM-shaped problems (token count × hidden/FFN widths of
/// Llama-class layers). Throws core::InputError for an unknown suite.
std::vector<GemmShape> gemm_shapes(const std::string& suite);
/// Bytes of one operand set A + B + C for `p`.
double gemm_set_bytes(const GemmShape& s, Precision p);

/// One matrix as handed to cublasLtMatrixLayoutCreate: rows and columns as stored (before the
/// transpose op), column-major, leading dimension `ld` in elements.
struct MatrixLayout {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t ld = 0;
  bool operator==(const MatrixLayout&) const = default;
};
/// The column-major TN layout of every cuda.gemm case: A stored k×m (lda = k) and used transposed
/// (CUBLAS_OP_T), B stored k×n (ldb = k, CUBLAS_OP_N), C = D m×n (ldc = m). TN is what cuBLASLt
/// requires for FP8 on Ada/Hopper and for INT8 IMMA in the default (column) ordering; the spot
/// check (launch_gemm_spot_check) reads A and B with the same strides.
struct TnLayout {
  MatrixLayout a, b, c;
};
TnLayout tn_layout(const GemmShape& s);
/// Empty when `s` in the TN layout meets cuBLAS's tensor-core alignment for `p`: the contiguous
/// extents and leading dimensions k·input_bytes (A and B) and m·output_bytes (C) multiples of 16
/// bytes. FP8 kernels require it (cuBLASLt offers none otherwise); for tf32, fp16, bf16, int8 and
/// fp64 an unaligned shape would silently run a slower non-tensor-core kernel. fp32 (no tensor
/// cores) has no such rule. Otherwise the reason the case is waived.
std::string gemm_alignment_reason(const GemmShape& s, Precision p);

/// Empty when every entry of C for `s` in precision `p` fits its output type and stays apart from the
/// poison the check relies on; otherwise the reason the case is waived. Only int8 has a hard bound:
/// with operands in [-128, 127] an int32 entry reaches at most 128 · 128 · k = 2^14 · k, which must
/// stay below |kInt32Poison| = 2139062144 (pattern.hpp), so k <= 130557.
std::string gemm_range_reason(const GemmShape& s, Precision p);

/// How many operand sets to rotate through so that the working set is at least 2× the L2 cache
/// (so repeats cannot be served from L2), never fewer than 1, and never more than fit in
/// `budget_bytes`. Returns 0 when not even one set fits the budget.
int rotation_sets(double set_bytes, double l2_bytes, double budget_bytes);

/// Calls per timed sample so that one sample lasts at least `min_sample_s`, given the time of one
/// call; at least 1, at most `max_inner`.
std::int64_t calibrate_inner(double one_call_s, double min_sample_s, std::int64_t max_inner);

/// Outcome of comparing spot-checked results with their fp64 reference.
struct ErrorCheck {
  double rel_error = 0;  ///< ‖got − ref‖₂ / ‖ref‖₂ (absolute ‖got − ref‖₂ when ‖ref‖₂ is 0)
  bool finite = true;    ///< false when any value is NaN or infinite
  bool passed = false;   ///< finite and rel_error <= tolerance
};
/// Throws core::InputError when the spans differ in length or are empty.
ErrorCheck check_relative_error(std::span<const double> got, std::span<const double> ref, double tolerance);

/// Deterministic pseudo-random (i, j) positions of C to spot-check, spread over the whole matrix.
struct Entry {
  std::int64_t row = 0;
  std::int64_t col = 0;
};
std::vector<Entry> spot_check_entries(std::int64_t m, std::int64_t n, int count, std::uint64_t seed);

/// Stride between sampled elements when checking `count` of `n` elements spread evenly: n / count,
/// at least 1 (then fewer than `count` elements exist and all are checked).
std::int64_t sample_stride(std::int64_t n, int count);

/// Geometric size sweep lo, lo·factor, … up to and including hi (factor >= 2, 0 < lo <= hi).
std::vector<std::int64_t> geometric_sizes(std::int64_t lo, std::int64_t hi, std::int64_t factor);
/// HBM array sizes per suite (one array; copy moves 2 arrays, triad 3): quick 4 MiB…1 GiB ×4,
/// standard 1 MiB…4 GiB ×2, full 256 KiB…8 GiB ×2 (small sizes show where launch overhead ends;
/// the arrays are rotated past L2 at every size, see hbm_rotation_sets).
std::vector<std::int64_t> hbm_sizes(const std::string& suite);
/// PCIe transfer sizes per suite: quick 1 MiB…256 MiB ×16, standard 64 KiB…1 GiB ×4, full 4 KiB…1 GiB ×2.
std::vector<std::int64_t> pcie_sizes(const std::string& suite);

/// Byte counting of the HBM kernels for arrays of `size_bytes` each.
enum class HbmKernel { kCopy, kTriad };
/// Bytes read + written: copy 2 × size (read a, write b), triad 3 × size (read b and c, write a).
double hbm_traffic_bytes(HbmKernel k, std::int64_t size_bytes);
/// Array sets (2 arrays for copy, 3 for triad, each of `size_bytes`) to rotate through so that
/// repeats cannot be served from L2: rotation_sets of one set's bytes; 0 when one set does not fit.
int hbm_rotation_sets(HbmKernel k, std::int64_t size_bytes, double l2_bytes, double budget_bytes);
/// Payload: the bytes of the result array, size_bytes for both kernels.
double hbm_payload_bytes(HbmKernel k, std::int64_t size_bytes);

/// PCIe directions; bidir runs an h2d and a d2h transfer of size_bytes each at the same time.
enum class PcieDirection { kH2D, kD2H, kBidir };
std::string to_string(PcieDirection d);
/// Bytes crossing the link in one repetition: size for h2d/d2h, 2 × size for bidir.
double pcie_traffic_bytes(PcieDirection d, std::int64_t size_bytes);

/// Why there is no usable GPU, from cudaGetDeviceCount's return code, the error's name and the
/// count it wrote; empty when code is 0 (cudaSuccess) and count > 0. Every other case reads
/// "no CUDA device/driver found (...)".
std::string absence_reason(int cuda_error_code, const std::string& cuda_error_name, int device_count);

/// "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" from the 16 UUID bytes (the form nvidia-smi prints).
std::string format_gpu_uuid(std::span<const unsigned char, 16> bytes);
/// The lower-case PCI name sysfs uses: "0000:3B:00.0" -> "0000:3b:00.0".
std::string sysfs_pci_name(const std::string& bus_id);
/// "13.0" from a CUDA version integer (major·1000 + minor·10, e.g. 13000); empty for <= 0.
std::string cuda_version_string(int version);

/// Device memory a case may use: 80 % of what is free, leaving room for cuBLAS workspaces and
/// the CUDA context.
double memory_budget_bytes(double free_bytes);

// --- All GPUs at once (cuda.pcie.all.h2d | d2h | bidir) ------------------------------------------

/// Per-GPU transfer sizes of the all-GPUs-at-once cases: quick 256 MiB; standard 64 MiB, 256 MiB,
/// 1 GiB; full 16 MiB…1 GiB ×4. Each GPU moves this much per copy (bidir: in each direction).
std::vector<std::int64_t> pcie_all_sizes(const std::string& suite);
/// Empty when `gpus` visible GPUs can be measured at once (at least 2); otherwise why the case is
/// waived (one GPU at once is what cuda.pcie.h2d | d2h | bidir measure).
std::string pcie_all_waiver(int gpus);
/// Seconds of one round in which every GPU copied once, from each GPU's event-timed copy time
/// measured from a common start (the release of the start latch): the slowest GPU's. Throws
/// core::InputError when empty or when a time is not positive and finite.
double pcie_all_round_s(std::span<const double> per_gpu_s);
/// Bytes all GPUs move in one round: gpus × pcie_traffic_bytes(d, size_bytes).
double pcie_all_traffic_bytes(PcieDirection d, std::int64_t size_bytes, int gpus);
/// Bytes of pinned host memory (and of device memory on each GPU) a case needs per GPU: the host
/// source (h2d), the host destination (d2h) or both (bidir), size_bytes each.
double pcie_all_host_bytes_per_gpu(PcieDirection d, std::int64_t size_bytes);
/// Smallest transfer per GPU for which a start skew of `skew_s` between the GPUs stays below
/// `fraction` of the round: skew_s · bytes_per_s / fraction, for a GPU copying at `bytes_per_s`.
/// Throws core::InputError unless all three are positive.
double pcie_all_min_size_bytes(double skew_s, double bytes_per_s, double fraction);

/// NUMA node values of PcieLane: not readable, or a buffer whose sampled pages lie on several nodes.
inline constexpr int kNumaUnknown = -1;
inline constexpr int kNumaSeveral = -2;
/// One GPU's share of an all-GPUs-at-once case.
struct PcieLane {
  int device = 0;                       ///< CUDA device index
  double bytes_per_s = 0;               ///< its own rate: its bytes / its median event-timed copy time
  int gpu_numa_node = kNumaUnknown;     ///< sysfs numa_node of its PCI device
  int buffer_numa_node = kNumaUnknown;  ///< node of its pinned host buffer's pages (get_mempolicy)
};
/// The case message: how many GPUs, the size, each GPU's own rate with its NUMA nodes, the slowest
/// GPU's rate as a fraction of the fastest's, host buffers on another node than their GPU, and the
/// host-timed rate (launch-free start, wake-up included) against the event-timed one.
std::string describe_pcie_all(std::span<const PcieLane> lanes, std::int64_t size_bytes, double event_bytes_per_s,
                              double host_bytes_per_s);

// --- Result assembly: the metrics of a passed case from its per-repetition times (seconds). ----

/// flop_per_s (OP/s for int8) with 2·M·N·K per call, plus time_s per call.
std::vector<core::Metric> gemm_metrics(const GemmShape& s, Precision p, const std::vector<double>& seconds,
                                       core::Statistic statistic);
/// bytes_per_s (read + written) and payload_bytes_per_s.
std::vector<core::Metric> hbm_metrics(HbmKernel k, std::int64_t size_bytes, const std::vector<double>& seconds,
                                      core::Statistic statistic);
/// bytes_per_s over the link (bidir counts both directions).
std::vector<core::Metric> pcie_metrics(PcieDirection d, std::int64_t size_bytes, const std::vector<double>& seconds,
                                       core::Statistic statistic);
/// bytes_per_s: all GPUs' bytes (pcie_all_traffic_bytes) over the slowest GPU's event-timed time
/// per round; host_timed_bytes_per_s: the same bytes over the host clock from the latch's release
/// to the last GPU's completion (a lower bound: it adds the wake-up of the waiting host thread).
std::vector<core::Metric> pcie_all_metrics(PcieDirection d, std::int64_t size_bytes, int gpus,
                                           const std::vector<double>& seconds, const std::vector<double>& host_seconds,
                                           core::Statistic statistic);
/// bytes_per_s of a peer copy (bidirectional counts both directions) and latency_s, the time of
/// one 16-byte copy.
std::vector<core::Metric> peer_metrics(std::int64_t size_bytes, bool bidirectional, const std::vector<double>& seconds,
                                       const std::vector<double>& latency_seconds, core::Statistic statistic);

}  // namespace headroom::bench::gpu
