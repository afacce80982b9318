#pragma once
// "1 GPU", "8 GPUs", "22 nodes": a count and its noun, in the singular for exactly one. Every count
// the procurement report prints (text and HTML) goes through here.
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <string_view>

namespace headroom::report::detail {

/// `n` with `singular` (n == 1) or `plural` (default: singular + "s"). A whole n prints without
/// decimals (1e6 GPUs as "1000000 GPUs", not "1e+06"); a fractional one as {:g}.
inline std::string count_text(double n, std::string_view singular, std::string_view plural = {}) {
  const std::string number =
      std::floor(n) == n && std::fabs(n) < 1e15 ? fmt::format("{:.0f}", n) : fmt::format("{:g}", n);
  if (n == 1) return fmt::format("{} {}", number, singular);
  return plural.empty() ? fmt::format("{} {}s", number, singular) : fmt::format("{} {}", number, plural);
}

}  // namespace headroom::report::detail
