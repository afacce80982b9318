#pragma once
/// Units and counting conventions. Values are kept in SI base units (bytes, seconds, FLOP) with the
/// unit in the name: `_bytes`, `_s`, `_bytes_per_s`, `_flop_per_s`. GB = 1e9 bytes; GiB = 2^30 bytes
/// is used only for capacities and always named `_gib`. Conversion happens only when presenting.
#include <cstdint>
#include <string>

namespace headroom::core {

inline constexpr double kKB = 1e3;
inline constexpr double kMB = 1e6;
inline constexpr double kGB = 1e9;
inline constexpr double kTB = 1e12;
inline constexpr double kKiB = 1024.0;
inline constexpr double kMiB = 1024.0 * 1024.0;
inline constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
inline constexpr double kTera = 1e12;
inline constexpr double kGiga = 1e9;

/// FLOPs of C = A·B with A m×k and B k×n: 2·m·n·k (one multiply and one add per term).
constexpr double gemm_flop(std::int64_t m, std::int64_t n, std::int64_t k) {
  return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
}

/// Bytes moved by a copy of `payload_bytes`: read once + written once = 2 × payload.
constexpr double copy_traffic_bytes(double payload_bytes) { return 2.0 * payload_bytes; }

/// STREAM byte counting (McCalpin): copy and scale move 2 arrays, add and triad 3 arrays, each of
/// n elements of `elem_bytes`; write-allocate traffic is not counted.
enum class StreamKernel { kCopy, kScale, kAdd, kTriad };
constexpr double stream_bytes(StreamKernel kernel, std::int64_t n, std::int64_t elem_bytes) {
  const double arrays = (kernel == StreamKernel::kCopy || kernel == StreamKernel::kScale) ? 2.0 : 3.0;
  return arrays * static_cast<double>(n) * static_cast<double>(elem_bytes);
}
/// FLOPs of one STREAM pass: copy 0, scale 1, add 1, triad 2 per element.
constexpr double stream_flop(StreamKernel kernel, std::int64_t n) {
  switch (kernel) {
    case StreamKernel::kCopy: return 0.0;
    case StreamKernel::kScale:
    case StreamKernel::kAdd: return static_cast<double>(n);
    case StreamKernel::kTriad: return 2.0 * static_cast<double>(n);
  }
  return 0.0;
}

/// nccl-tests bus-bandwidth factors for n ranks: busbw = algbw × factor.
/// all-reduce 2(n−1)/n; all-gather and reduce-scatter (n−1)/n; broadcast and reduce 1;
/// all-to-all (n−1)/n. n = 1 gives 0 for the ring collectives (nothing crosses a link).
enum class Collective { kAllReduce, kAllGather, kReduceScatter, kBroadcast, kReduce, kAllToAll };
double busbw_factor(Collective c, int ranks);
std::string to_string(Collective c);
/// Parses "all_reduce", "all_gather", "reduce_scatter", "broadcast", "reduce", "all_to_all".
Collective collective_from_string(const std::string& s);

/// Human formatting for presentation only: "1.23 GB/s", "456 MB", "3.4 TFLOP/s", "12.5 ms".
std::string format_bytes(double bytes);           ///< decimal units (GB = 1e9)
std::string format_bytes_binary(double bytes);    ///< binary units (GiB = 2^30), for capacities
std::string format_rate(double value, const std::string& unit);  ///< SI prefix + unit
std::string format_seconds(double seconds);

/// Parses a size such as "4096", "64K", "64KiB", "1M", "1.5GB", "2GiB" into bytes. K/M/G/T alone are
/// binary (as in fio and dd); "KB"/"MB"/"GB" are decimal. Throws InputError naming `what`.
std::int64_t parse_size(const std::string& text, const std::string& what);

}  // namespace headroom::core
