#pragma once
/// scenario.json (schema "headroom.scenario" 1.x): fleet, on-prem costs, cloud options and
/// workload, where each number is a literal, a sourced literal, or a reference to a catalog item.
/// resolve() turns it into plain ModelInputs plus the list of prices used (for staleness warnings).
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "headroom/tco/model.hpp"
#include "headroom/tco/prices.hpp"

namespace headroom::plan::tco {

inline constexpr const char* kScenarioSchema = "headroom.scenario";
inline constexpr int kScenarioMajor = 1;
inline constexpr int kScenarioMinor = 0;

/// A number in a scenario: `null`, `12.5`, `{"value": 12.5, "source": "...", "as_of": "..."}` or
/// `{"item": "catalog-id", "pick": "value|low|high"}` (pick required for a range item).
struct NumberInput {
  enum class Kind { kNull, kLiteral, kSourced, kItem };
  Kind kind = Kind::kNull;
  double value = 0;                  ///< kLiteral, kSourced
  std::string source;                ///< kSourced
  std::optional<std::string> as_of;  ///< kSourced
  std::string item;                  ///< kItem
  std::string pick;                  ///< kItem: "" (single value), "low" or "high"

  /// A value that came from elsewhere (a planner result, a measurement), with where it came from.
  static NumberInput sourced(double v, std::string from) {
    NumberInput n;
    n.kind = Kind::kSourced;
    n.value = v;
    n.source = std::move(from);
    return n;
  }
};
using NumberMap = std::map<std::string, NumberInput>;

struct CloudOptionSpec {
  std::string offer;    ///< catalog offer id
  std::string pricing;  ///< on_demand, reserved_1yr, reserved_3yr, spot, capacity_block
  std::string billing;  ///< per_use, always_on, or "" (reserved: always_on, else per_use)
  std::string pick;     ///< "" or low/high when the offer's price is a range
  NumberMap numbers;    ///< usd_per_gpu_hour (override), storage_tb, ... (see input_fields)
};

struct Scenario {
  std::string file;  ///< for messages and to resolve `prices`
  std::string name;
  std::string description;
  std::optional<std::string> prices;  ///< catalog path, relative to the scenario file
  NumberMap fleet;
  std::optional<NumberMap> onprem;  ///< absent: cloud options only
  std::vector<CloudOptionSpec> cloud;
  NumberMap workload;
  NumberMap energy;
};

/// Reads a scenario; unknown keys, wrong types and out-of-range literals are core::InputError
/// naming the file and JSON path.
Scenario load_scenario(const std::string& path);
Scenario parse_scenario(const std::string& text, const std::string& file);
/// Serialises a scenario (round-trips through parse_scenario).
std::string scenario_to_json(const Scenario& scenario);
/// The catalog path a scenario asks for (relative to its file), or, when it names none,
/// default_price_catalog_path(data_dir).
std::string scenario_catalog_path(const Scenario& scenario, const std::filesystem::path& data_dir);

/// A catalog price or sourced figure that the resolved inputs use.
struct UsedPrice {
  std::string what;  ///< "onprem.node_usd <- hgx-h100-node-ib-thinkmate"
  Provenance provenance;
  bool is_price = true;  ///< false for non-price figures (power, PUE, grid): no staleness warning
};

struct ResolvedScenario {
  ModelInputs inputs;
  std::vector<UsedPrice> used;
  std::vector<std::string> notes;  ///< costs not counted because no price was given
};

/// Looks up offers and items and checks every value against input_fields(); errors name the
/// scenario file and path (and the catalog item where the value came from).
ResolvedScenario resolve(const Scenario& scenario, const PriceCatalog& catalog);

/// One line per used price older than one year on `today` (or undated).
std::vector<std::string> staleness_warnings(const std::vector<UsedPrice>& used, std::chrono::sys_days today);

}  // namespace headroom::plan::tco
