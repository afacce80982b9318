#pragma once
// Pieces shared by every HTML report (private to headroom_report).
#include <string>

#include "headroom/core/results.hpp"

namespace headroom::report::detail {

std::string bytes_tick(double v);    ///< 64 KiB
std::string rate_tick(double v);     ///< 1.2 GB/s
std::string flops_tick(double v);    ///< 3.4 TFLOP/s
std::string percent_tick(double v);  ///< +1.5 % from a fraction
/// A value in its unit for people: seconds as ms/µs, rates with SI prefixes.
std::string value_text(double v, const std::string& unit);
/// <!DOCTYPE> through the opening <header> with its <h1>; the caller closes </header>.
std::string page_head(const std::string& title, const std::string& h1);
std::string page_foot();
/// Host and GPU inventory as a key-value table.
std::string inventory_table(const core::Results& r);
/// Line charts for every size sweep (bandwidth or busbw vs size) and GEMM FLOP/s vs size.
std::string charts(const core::Results& r);

}  // namespace headroom::report::detail
