#include "headroom/gpu/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "headroom/bench/sampling.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"
#include "headroom/gpu/pattern.hpp"

namespace headroom::bench::gpu {

const std::vector<PrecisionInfo>& precisions() {
  // Tolerances (relative Frobenius error of ~256 spot-checked entries against fp64 on the same
  // rounded inputs, uniform [-1, 1) data): fp32 accumulation over k <= 16384 lands near 1e-6; tf32
  // rounds the inputs to 10 mantissa bits inside the tensor cores (about 4e-4, so fp32's 1e-4
  // catches tf32 silently used for fp32); fp16 and bf16 outputs round to 11 and 8 bits (RMS about
  // 3e-4 and 2e-3); fp8 adds Hopper's reduced-precision accumulation to bf16 output rounding;
  // int8 accumulates exactly in int32.
  static const std::vector<PrecisionInfo> table = {
      {Precision::kFp64, "fp64", 8, 8, 75, 1e-12, "FLOP/s", "A, B, C fp64; compute fp64"},
      {Precision::kFp32, "fp32", 4, 4, 75, 1e-4, "FLOP/s", "A, B, C fp32; compute fp32 (no tf32)"},
      {Precision::kTf32, "tf32", 4, 4, 80, 2e-3, "FLOP/s", "A, B, C fp32; compute fp32 with tf32 tensor cores"},
      {Precision::kFp16, "fp16", 2, 2, 75, 2e-3, "FLOP/s", "A, B, C fp16; compute fp32"},
      {Precision::kBf16, "bf16", 2, 2, 80, 1e-2, "FLOP/s", "A, B, C bf16; compute fp32"},
      {Precision::kFp8, "fp8", 1, 2, 89, 2e-2, "FLOP/s", "A, B fp8 e4m3 (scale 1); C bf16; compute fp32"},
      {Precision::kInt8, "int8", 1, 4, 75, 0.0, "OP/s", "A, B int8; C int32; compute int32"},
  };
  return table;
}

const PrecisionInfo& precision_info(Precision p) {
  for (const auto& info : precisions()) {
    if (info.precision == p) return info;
  }
  throw core::InputError("", "precision", "a known GEMM precision");
}

Precision precision_from_string(const std::string& name) {
  for (const auto& info : precisions()) {
    if (info.name == name) return info.precision;
  }
  throw core::InputError("", "precision", "one of fp64, fp32, tf32, fp16, bf16, fp8, int8, got '" + name + "'");
}

std::string precision_unsupported_reason(Precision p, int cc_major, int cc_minor) {
  const PrecisionInfo& info = precision_info(p);
  const int cc = cc_major * 10 + cc_minor;
  if (cc >= info.min_cc) return {};
  const std::string what = p == Precision::kFp8 ? "fp8 e4m3 tensor-core GEMM" : info.name + " GEMM";
  return fmt::format("{} needs compute capability {}.{} or newer; this GPU has {}.{}", what, info.min_cc / 10,
                     info.min_cc % 10, cc_major, cc_minor);
}

std::vector<GemmShape> gemm_shapes(const std::string& suite) {
  // LLM shapes: m = 8192 tokens per micro-batch; n × k = output × input features of Llama 3 8B
  // (hidden 4096, FFN 14336, 8 KV heads of 128: QKV out 6144) and Llama 3 70B (hidden 8192,
  // FFN 28672), from the models' published config.json (meta-llama, 2024-04).
  const std::vector<GemmShape> llm_quick = {{8192, 4096, 14336, "llama3_8b.mlp_down"}};
  const std::vector<GemmShape> llm_all = {
      {8192, 6144, 4096, "llama3_8b.qkv"},      {8192, 4096, 4096, "llama3_8b.attn_out"},
      {8192, 14336, 4096, "llama3_8b.mlp_up"},  {8192, 4096, 14336, "llama3_8b.mlp_down"},
      {8192, 28672, 8192, "llama3_70b.mlp_up"}, {8192, 8192, 28672, "llama3_70b.mlp_down"},
  };
  std::vector<std::int64_t> square;
  std::vector<GemmShape> out;
  if (suite == "quick") {
    square = {4096, 8192};
    for (auto s : square) out.push_back({s, s, s, "square"});
    out.insert(out.end(), llm_quick.begin(), llm_quick.end());
  } else if (suite == "standard" || suite == "full") {
    square = geometric_sizes(1024, 16384, 2);
    if (suite == "full") {
      for (std::int64_t extra : {3072, 6144, 12288}) square.push_back(extra);
      std::sort(square.begin(), square.end());
    }
    for (auto s : square) out.push_back({s, s, s, "square"});
    out.insert(out.end(), llm_all.begin(), llm_all.end());
  } else {
    throw core::InputError("", "--suite", "one of quick, standard, full, got '" + suite + "'");
  }
  return out;
}

double gemm_set_bytes(const GemmShape& s, Precision p) {
  const auto& info = precision_info(p);
  const double m = static_cast<double>(s.m), n = static_cast<double>(s.n), k = static_cast<double>(s.k);
  return (m * k + k * n) * info.input_bytes + m * n * info.output_bytes;
}

TnLayout tn_layout(const GemmShape& s) {
  return {{s.k, s.m, s.k}, {s.k, s.n, s.k}, {s.m, s.n, s.m}};
}

std::string gemm_alignment_reason(const GemmShape& s, Precision p) {
  // cuBLAS documentation, cublasLtMatmul(): FP8 kernels need "A transposed and B non-transposed"
  // and every matrix dimension meeting the Tensor Core Usage alignment (16-byte pointers, sizes
  // and leading dimensions); INT8 IMMA in column order also needs TN and leading dimensions
  // multiple of 4, implied here. https://docs.nvidia.com/cuda/cublas/#cublasltmatmul and
  // https://docs.nvidia.com/cuda/cublas/#tensor-core-usage (as of CUDA 13.0).
  if (p == Precision::kFp32) return {};
  const auto& info = precision_info(p);
  const TnLayout l = tn_layout(s);
  const std::int64_t a_bytes = l.a.ld * info.input_bytes;  // = k · input bytes (B: the same)
  const std::int64_t c_bytes = l.c.ld * info.output_bytes;  // = m · output bytes
  std::string why;
  if (a_bytes % 16 != 0) why = fmt::format("k = {} gives {} bytes per column of A and B", s.k, a_bytes);
  if (c_bytes % 16 != 0) {
    why += fmt::format("{}m = {} gives {} bytes per column of C", why.empty() ? "" : "; ", s.m, c_bytes);
  }
  if (why.empty()) return {};
  return fmt::format("{} GEMM in the TN layout needs columns of A, B and C that are multiples of 16 bytes "
                     "(tensor-core alignment); {}",
                     info.name, why);
}

std::string gemm_range_reason(const GemmShape& s, Precision p) {
  if (p != Precision::kInt8) return {};
  // |a·b| <= 128 · 128 for int8 operands in [-128, 127]; k of them summed.
  const double max_abs = 128.0 * 128.0 * static_cast<double>(s.k);
  const double poison = -static_cast<double>(kInt32Poison);
  if (max_abs < poison) return {};
  return fmt::format("int8 GEMM with k = {} can reach |C| = {:.0f}, beyond int32's range or its poison value {} "
                     "that marks unwritten entries: k must be at most {}",
                     s.k, max_abs, kInt32Poison, static_cast<std::int64_t>((poison - 1) / (128.0 * 128.0)));
}

int rotation_sets(double set_bytes, double l2_bytes, double budget_bytes) {
  if (!(set_bytes > 0)) throw core::InputError("", "set_bytes", "a positive operand-set size");
  if (set_bytes > budget_bytes) return 0;
  const double wanted = std::max(1.0, std::ceil(2.0 * std::max(l2_bytes, 0.0) / set_bytes));
  const double fitting = std::floor(budget_bytes / set_bytes);
  return static_cast<int>(std::min(wanted, fitting));
}

std::int64_t calibrate_inner(double one_call_s, double min_sample_s, std::int64_t max_inner) {
  if (max_inner < 1) max_inner = 1;
  if (!(one_call_s > 0) || !(min_sample_s > 0)) return 1;
  const double want = std::ceil(min_sample_s / one_call_s);
  if (want >= static_cast<double>(max_inner)) return max_inner;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(want));
}

ErrorCheck check_relative_error(std::span<const double> got, std::span<const double> ref, double tolerance) {
  if (got.size() != ref.size() || got.empty()) {
    throw core::InputError("", "spot_check", "equally long, non-empty result and reference lists");
  }
  ErrorCheck c;
  double diff2 = 0, ref2 = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!std::isfinite(got[i]) || !std::isfinite(ref[i])) c.finite = false;
    const double d = got[i] - ref[i];
    diff2 += d * d;
    ref2 += ref[i] * ref[i];
  }
  c.rel_error = ref2 > 0 ? std::sqrt(diff2 / ref2) : std::sqrt(diff2);
  if (!c.finite) c.rel_error = std::numeric_limits<double>::quiet_NaN();
  c.passed = c.finite && c.rel_error <= tolerance;
  return c;
}

std::vector<Entry> spot_check_entries(std::int64_t m, std::int64_t n, int count, std::uint64_t seed) {
  if (m < 1 || n < 1 || count < 1) throw core::InputError("", "spot_check", "m, n and count >= 1");
  std::vector<Entry> out;
  out.reserve(static_cast<std::size_t>(count));
  // The four corners first (they catch transposed or offset indexing), then splitmix64 positions.
  const Entry corners[] = {{0, 0}, {m - 1, n - 1}, {0, n - 1}, {m - 1, 0}};
  for (const auto& c : corners) {
    if (static_cast<int>(out.size()) < count) out.push_back(c);
  }
  std::uint64_t state = seed;
  auto next = [&state] {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  while (static_cast<int>(out.size()) < count) {
    out.push_back({static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(m)),
                   static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n))});
  }
  return out;
}

std::int64_t sample_stride(std::int64_t n, int count) {
  if (n < 1 || count < 1) throw core::InputError("", "sample", "n and count >= 1");
  return std::max<std::int64_t>(1, n / count);
}

std::vector<std::int64_t> geometric_sizes(std::int64_t lo, std::int64_t hi, std::int64_t factor) {
  if (lo < 1 || hi < lo || factor < 2) {
    throw core::InputError("", "sizes", fmt::format("0 < lo <= hi and factor >= 2, got {}, {}, {}", lo, hi, factor));
  }
  std::vector<std::int64_t> out;
  for (std::int64_t s = lo; s <= hi; s *= factor) {
    out.push_back(s);
    if (s > hi / factor) break;
  }
  return out;
}

std::vector<std::int64_t> hbm_sizes(const std::string& suite) {
  constexpr std::int64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
  if (suite == "quick") return geometric_sizes(4 * kMiB, kGiB, 4);
  if (suite == "standard") return geometric_sizes(kMiB, 4 * kGiB, 2);
  if (suite == "full") return geometric_sizes(256 * kKiB, 8 * kGiB, 2);
  throw core::InputError("", "--suite", "one of quick, standard, full, got '" + suite + "'");
}

std::vector<std::int64_t> pcie_sizes(const std::string& suite) {
  constexpr std::int64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
  if (suite == "quick") return geometric_sizes(kMiB, 256 * kMiB, 16);
  if (suite == "standard") return geometric_sizes(64 * kKiB, kGiB, 4);
  if (suite == "full") return geometric_sizes(4 * kKiB, kGiB, 2);
  throw core::InputError("", "--suite", "one of quick, standard, full, got '" + suite + "'");
}

double hbm_traffic_bytes(HbmKernel k, std::int64_t size_bytes) {
  const double size = static_cast<double>(size_bytes);
  return k == HbmKernel::kCopy ? core::copy_traffic_bytes(size) : 3.0 * size;
}

int hbm_rotation_sets(HbmKernel k, std::int64_t size_bytes, double l2_bytes, double budget_bytes) {
  const double arrays = k == HbmKernel::kCopy ? 2.0 : 3.0;
  return rotation_sets(arrays * static_cast<double>(size_bytes), l2_bytes, budget_bytes);
}

double hbm_payload_bytes(HbmKernel k, std::int64_t size_bytes) {
  (void)k;
  return static_cast<double>(size_bytes);
}

std::string to_string(PcieDirection d) {
  switch (d) {
    case PcieDirection::kH2D:
      return "h2d";
    case PcieDirection::kD2H:
      return "d2h";
    case PcieDirection::kBidir:
      return "bidir";
  }
  return "unknown";
}

double pcie_traffic_bytes(PcieDirection d, std::int64_t size_bytes) {
  const double size = static_cast<double>(size_bytes);
  return d == PcieDirection::kBidir ? 2.0 * size : size;
}

std::vector<std::int64_t> pcie_all_sizes(const std::string& suite) {
  constexpr std::int64_t kMiB = 1024 * 1024, kGiB = kMiB * 1024;
  // Large sizes only: the start skew between GPUs must stay small against a round (see
  // pcie_all_min_size_bytes and docs/methodology.md), and what the figure is for (a checkpoint
  // copy-out, an optimizer offload, a model load) moves GBs per GPU.
  if (suite == "quick") return {256 * kMiB};
  if (suite == "standard") return geometric_sizes(64 * kMiB, kGiB, 4);
  if (suite == "full") return geometric_sizes(16 * kMiB, kGiB, 4);
  throw core::InputError("", "--suite", "one of quick, standard, full, got '" + suite + "'");
}

std::string pcie_all_waiver(int gpus) {
  if (gpus >= 2) return {};
  return fmt::format("needs at least 2 GPUs to copy from all at once; found {} (cuda.pcie.h2d | d2h | bidir measure "
                     "one GPU)",
                     gpus);
}

double pcie_all_round_s(std::span<const double> per_gpu_s) {
  if (per_gpu_s.empty()) throw core::InputError("", "per_gpu_s", "one copy time per GPU, got none");
  double slowest = 0;
  for (double s : per_gpu_s) {
    if (!(s > 0) || !std::isfinite(s)) throw core::InputError("", "per_gpu_s", fmt::format("positive times, got {}", s));
    slowest = std::max(slowest, s);
  }
  return slowest;
}

double pcie_all_traffic_bytes(PcieDirection d, std::int64_t size_bytes, int gpus) {
  return static_cast<double>(gpus) * pcie_traffic_bytes(d, size_bytes);
}

double pcie_all_host_bytes_per_gpu(PcieDirection d, std::int64_t size_bytes) {
  return pcie_traffic_bytes(d, size_bytes);
}

double pcie_all_min_size_bytes(double skew_s, double bytes_per_s, double fraction) {
  if (!(skew_s > 0) || !(bytes_per_s > 0) || !(fraction > 0)) {
    throw core::InputError("", "skew", "a positive skew, rate and fraction");
  }
  return skew_s * bytes_per_s / fraction;
}

namespace {
std::string numa_text(int node) {
  if (node == kNumaSeveral) return "several nodes";
  if (node < 0) return "node ?";
  return fmt::format("node {}", node);
}
}  // namespace

std::string describe_pcie_all(std::span<const PcieLane> lanes, std::int64_t size_bytes, double event_bytes_per_s,
                              double host_bytes_per_s) {
  std::string out = fmt::format("{} GPUs at once, {} per GPU and direction, pinned host memory; per GPU:", lanes.size(),
                                core::format_bytes_binary(static_cast<double>(size_bytes)));
  double fastest = 0, slowest = std::numeric_limits<double>::infinity();
  int elsewhere = 0, known = 0;
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const PcieLane& l = lanes[i];
    out += fmt::format("{} cuda:{} {:.1f} GB/s (GPU {}, buffer {})", i == 0 ? " " : "; ", l.device, l.bytes_per_s / 1e9,
                       numa_text(l.gpu_numa_node), numa_text(l.buffer_numa_node));
    fastest = std::max(fastest, l.bytes_per_s);
    slowest = std::min(slowest, l.bytes_per_s);
    if (l.gpu_numa_node >= 0 && l.buffer_numa_node != kNumaUnknown) {
      ++known;
      if (l.buffer_numa_node != l.gpu_numa_node) ++elsewhere;
    }
  }
  if (!lanes.empty() && fastest > 0) out += fmt::format("; slowest GPU at {:.2f} of the fastest", slowest / fastest);
  if (elsewhere > 0) {
    out += fmt::format("; {} of {} host buffers not on their GPU's NUMA node (the host thread is not pinned; "
                       "`numactl --cpunodebind`/`--membind` shows one node's case)",
                       elsewhere, known);
  }
  if (event_bytes_per_s > 0 && host_bytes_per_s > 0) {
    out += fmt::format("; host-timed {:.1f} GB/s, {:.1f} % below the event-timed figure (host wake-up + start skew)",
                       host_bytes_per_s / 1e9, 100.0 * (1.0 - host_bytes_per_s / event_bytes_per_s));
  }
  return out;
}

std::string absence_reason(int cuda_error_code, const std::string& cuda_error_name, int device_count) {
  if (cuda_error_code == 0 && device_count > 0) return {};
  if (cuda_error_code == 0) return "no CUDA device/driver found (the driver reports 0 devices)";
  return fmt::format("no CUDA device/driver found (cudaGetDeviceCount: {}, code {})", cuda_error_name, cuda_error_code);
}

std::string format_gpu_uuid(std::span<const unsigned char, 16> b) {
  std::string hex;
  for (unsigned char c : b) hex += fmt::format("{:02x}", c);
  return fmt::format("GPU-{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4), hex.substr(16, 4),
                     hex.substr(20, 12));
}

std::string sysfs_pci_name(const std::string& bus_id) {
  std::string out = bus_id;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string cuda_version_string(int version) {
  if (version <= 0) return {};
  return fmt::format("{}.{}", version / 1000, (version % 1000) / 10);
}

double memory_budget_bytes(double free_bytes) {
  return free_bytes > 0 ? 0.8 * free_bytes : 0.0;
}

std::vector<core::Metric> gemm_metrics(const GemmShape& s, Precision p, const std::vector<double>& seconds,
                                       core::Statistic statistic) {
  const auto& info = precision_info(p);
  const std::string name = "flop_per_s";
  std::vector<core::Metric> out;
  out.push_back(throughput_metric(
      name, info.unit, core::gemm_flop(s.m, s.n, s.k), seconds,
      p == Precision::kInt8 ? "2·M·N·K integer multiply-adds counted as 2 ops per call" : "2·M·N·K FLOP per call",
      statistic));
  out.push_back(time_metric("time_s", seconds, "one GEMM call, CUDA-event timed", statistic));
  return out;
}

std::vector<core::Metric> hbm_metrics(HbmKernel k, std::int64_t size_bytes, const std::vector<double>& seconds,
                                      core::Statistic statistic) {
  std::vector<core::Metric> out;
  out.push_back(throughput_metric("bytes_per_s", "B/s", hbm_traffic_bytes(k, size_bytes), seconds,
                                  k == HbmKernel::kCopy ? "bytes read + written: 2 × size_bytes"
                                                        : "bytes read + written: 3 × size_bytes (a = b + s·c)",
                                  statistic));
  out.push_back(throughput_metric("payload_bytes_per_s", "B/s", hbm_payload_bytes(k, size_bytes), seconds,
                                  "payload: size_bytes of result written per call", statistic));
  return out;
}

std::vector<core::Metric> pcie_metrics(PcieDirection d, std::int64_t size_bytes, const std::vector<double>& seconds,
                                       core::Statistic statistic) {
  return {throughput_metric("bytes_per_s", "B/s", pcie_traffic_bytes(d, size_bytes), seconds,
                            d == PcieDirection::kBidir ? "bytes over the link, both directions: 2 × size_bytes"
                                                       : "bytes over the link: size_bytes",
                            statistic)};
}

std::vector<core::Metric> pcie_all_metrics(PcieDirection d, std::int64_t size_bytes, int gpus,
                                           const std::vector<double>& seconds, const std::vector<double>& host_seconds,
                                           core::Statistic statistic) {
  const double bytes = pcie_all_traffic_bytes(d, size_bytes, gpus);
  const std::string what = d == PcieDirection::kBidir ? "bytes over all GPUs' links, both directions: 2 × size_bytes × gpus"
                                                      : "bytes over all GPUs' links: size_bytes × gpus";
  std::vector<core::Metric> out;
  out.push_back(throughput_metric("bytes_per_s", "B/s", bytes, seconds,
                                  what + ", per slowest GPU's event time from the common start", statistic));
  out.push_back(throughput_metric("host_timed_bytes_per_s", "B/s", bytes, host_seconds,
                                  what + ", per host time from the start latch's release to the last completion",
                                  statistic));
  return out;
}

std::vector<core::Metric> peer_metrics(std::int64_t size_bytes, bool bidirectional, const std::vector<double>& seconds,
                                       const std::vector<double>& latency_seconds, core::Statistic statistic) {
  const double bytes = static_cast<double>(size_bytes) * (bidirectional ? 2.0 : 1.0);
  std::vector<core::Metric> out;
  out.push_back(throughput_metric(
      "bytes_per_s", "B/s", bytes, seconds,
      bidirectional ? "bytes over the link, both directions: 2 × size_bytes" : "bytes over the link: size_bytes",
      statistic));
  out.push_back(time_metric("latency_s", latency_seconds, "time of one 16-byte copy, averaged over back-to-back copies",
                            statistic));
  return out;
}

}  // namespace headroom::bench::gpu
