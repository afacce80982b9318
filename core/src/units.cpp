#include "headroom/core/units.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <limits>

#include "headroom/core/errors.hpp"

namespace headroom::core {

double busbw_factor(Collective c, int ranks) {
  if (ranks < 1) throw InputError("", "ranks", "a rank count >= 1");
  const double n = ranks;
  switch (c) {
    case Collective::kAllReduce: return 2.0 * (n - 1.0) / n;
    case Collective::kAllGather:
    case Collective::kReduceScatter:
    case Collective::kAllToAll: return (n - 1.0) / n;
    case Collective::kBroadcast:
    case Collective::kReduce: return 1.0;
  }
  return 1.0;
}

std::string to_string(Collective c) {
  switch (c) {
    case Collective::kAllReduce: return "all_reduce";
    case Collective::kAllGather: return "all_gather";
    case Collective::kReduceScatter: return "reduce_scatter";
    case Collective::kBroadcast: return "broadcast";
    case Collective::kReduce: return "reduce";
    case Collective::kAllToAll: return "all_to_all";
  }
  return "unknown";
}

Collective collective_from_string(const std::string& s) {
  for (auto c : {Collective::kAllReduce, Collective::kAllGather, Collective::kReduceScatter,
                 Collective::kBroadcast, Collective::kReduce, Collective::kAllToAll}) {
    if (to_string(c) == s) return c;
  }
  throw InputError("", "collective",
                   "one of all_reduce, all_gather, reduce_scatter, broadcast, reduce, all_to_all, got '" + s + "'");
}

namespace {
std::string scaled(double v, double base, const char* const* prefixes, int count, const std::string& unit) {
  if (!std::isfinite(v)) return "n/a";
  int i = 0;
  double a = std::fabs(v);
  while (a >= base && i < count - 1) {
    a /= base;
    v /= base;
    ++i;
  }
  const int decimals = a >= 100 ? 0 : (a >= 10 ? 1 : 2);
  return fmt::format("{:.{}f} {}{}", v, decimals, prefixes[i], unit);
}
}  // namespace

std::string format_bytes(double bytes) {
  static const char* const p[] = {"", "k", "M", "G", "T", "P"};
  return scaled(bytes, 1000.0, p, 6, "B");
}

std::string format_bytes_binary(double bytes) {
  static const char* const p[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
  return scaled(bytes, 1024.0, p, 6, "B");
}

std::string format_rate(double value, const std::string& unit) {
  static const char* const p[] = {"", "k", "M", "G", "T", "P", "E"};
  return scaled(value, 1000.0, p, 7, unit);
}

std::string format_seconds(double s) {
  if (!std::isfinite(s)) return "n/a";
  if (s >= 1.0) return fmt::format("{:.3g} s", s);
  if (s >= 1e-3) return fmt::format("{:.3g} ms", s * 1e3);
  if (s >= 1e-6) return fmt::format("{:.3g} us", s * 1e6);
  return fmt::format("{:.3g} ns", s * 1e9);
}

std::int64_t parse_size(const std::string& text, const std::string& what) {
  const auto fail = [&] {
    throw InputError("", what, "a size such as 4096, 64K, 1MiB or 2GB, got '" + text + "'");
  };
  std::size_t pos = 0;
  double number = 0;
  try {
    number = std::stod(text, &pos);
  } catch (...) {
    fail();
  }
  if (!std::isfinite(number) || number < 0) fail();
  std::string suffix;
  for (std::size_t i = pos; i < text.size(); ++i) {
    suffix += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
  }
  double mult = 1;
  if (suffix.empty() || suffix == "B") mult = 1;
  else if (suffix == "K" || suffix == "KIB") mult = kKiB;
  else if (suffix == "M" || suffix == "MIB") mult = kMiB;
  else if (suffix == "G" || suffix == "GIB") mult = kGiB;
  else if (suffix == "T" || suffix == "TIB") mult = kGiB * 1024.0;
  else if (suffix == "KB") mult = kKB;
  else if (suffix == "MB") mult = kMB;
  else if (suffix == "GB") mult = kGB;
  else if (suffix == "TB") mult = kTB;
  else fail();
  const double bytes = number * mult;
  if (bytes > static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2) || bytes != std::floor(bytes)) fail();
  return static_cast<std::int64_t>(bytes);
}

}  // namespace headroom::core
