#pragma once
/// Presentation of a TCO result: the JSON document (schema "headroom.tco" 1.x) and the human table.
#include <chrono>
#include <string>
#include <vector>

#include "headroom/tco/model.hpp"
#include "headroom/tco/scenario.hpp"

namespace headroom::plan::tco {

inline constexpr const char* kTcoResultSchema = "headroom.tco";

/// Everything one `headroom tco` run reports.
struct TcoReport {
  std::string scenario_name;
  std::string catalog_file;
  std::chrono::sys_days today{};
  ResolvedScenario resolved;
  TcoResult result;
  std::vector<std::string> warnings;  ///< stale prices etc.
};

/// Resolves, evaluates (with the ±20 % tornado) and collects warnings.
TcoReport run_tco(const Scenario& scenario, const PriceCatalog& catalog, std::chrono::sys_days today);

std::string report_to_json(const TcoReport& report);
std::string report_to_table(const TcoReport& report);

}  // namespace headroom::plan::tco
