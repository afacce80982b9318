#pragma once
// Private helpers shared by the planner's JSON readers and writers.
#include <nlohmann/json.hpp>

#include "headroom/core/detail/strict_json.hpp"
#include "headroom/plan/profile.hpp"

namespace headroom::plan::detail {
nlohmann::json quantity_to_json(const Quantity& q);
/// Absent -> unknown quantity; present -> object with value (number or null), provenance, source, as_of.
/// A {value, provenance, source, as_of} member. `max` bounds a known value: beyond it a per-GPU figure
/// is a typo or a broken measurement, not hardware (refused naming the field).
Quantity quantity_from(const core::detail::Reader& parent, const std::string& key, core::detail::Range range,
                       double max = std::numeric_limits<double>::infinity());
/// JSON number or null for non-finite values.
inline nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
}  // namespace headroom::plan::detail
