#pragma once
/// The price catalog (data/prices/*.json, schema "headroom.prices" 1.x): dated, sourced cloud offers
/// (USD per GPU-hour per pricing model), egress prices and on-prem anchors (server, switch, power,
/// PUE, colocation, grid intensity). A price the sources do not give is absent, never guessed.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace headroom::plan::tco {

inline constexpr const char* kPricesSchema = "headroom.prices";
inline constexpr int kPricesMajor = 1;
inline constexpr int kPricesMinor = 0;

/// A single figure or a [low, high] range as the source states it (low == high for a single figure).
struct Amount {
  double low = 0.0;
  double high = 0.0;
  bool is_range() const { return low != high; }
  static Amount single(double v) { return Amount{v, v}; }
};

enum class Confidence { kPrimary, kSecondary };

/// Where a figure comes from: as_of is "YYYY-MM-DD" (nullopt when the source gives no date).
struct Provenance {
  std::optional<std::string> as_of;
  std::string source;
  Confidence confidence = Confidence::kPrimary;
  std::string note;
};

enum class PricingModel { kOnDemand, kReserved1yr, kReserved3yr, kSpot, kCapacityBlock };
/// "on_demand", "reserved_1yr", "reserved_3yr", "spot", "capacity_block".
std::string to_string(PricingModel m);
/// Inverse of to_string; nullopt for an unknown name.
std::optional<PricingModel> pricing_model_from_string(const std::string& s);
const std::vector<PricingModel>& all_pricing_models();

/// One price of a cloud offer, in USD per GPU-hour and/or per instance-hour as the source gives it.
struct CloudPrice {
  std::optional<Amount> usd_per_gpu_hour;       ///< as written in the catalog
  std::optional<Amount> usd_per_instance_hour;  ///< as written in the catalog
  Provenance provenance;
  /// USD per GPU-hour: the catalog's per-GPU figure, else per-instance / GPUs per instance.
  Amount per_gpu_hour(std::optional<int> gpus_per_instance) const;
};

struct CloudOffer {
  std::string id;  ///< stable name used by scenarios, e.g. "aws-p5.48xlarge"
  std::string provider;
  std::string instance;
  std::string gpu;
  std::optional<int> gpus_per_instance;  ///< nullopt for offers rented per GPU
  std::optional<std::string> region;
  std::string note;
  std::map<PricingModel, CloudPrice> prices;  ///< only the models the sources give
};

struct EgressPrice {
  std::string provider;
  double usd_per_gb = 0.0;  ///< GB = 1e9 bytes
  Provenance provenance;
};

/// An on-prem anchor or other sourced figure (server price, switch price, power, PUE, colocation).
struct CatalogItem {
  std::string id;
  std::string kind;  ///< server, network, gpu, power, pue, grid, colocation, maintenance
  std::string unit;  ///< e.g. usd_per_node, kw_per_node, usd_per_kw_month, kg_co2e_per_kwh
  Amount value;
  std::string description;
  Provenance provenance;
};

struct PriceCatalog {
  std::string file;  ///< where it was read from (for messages); empty when built in code
  std::string currency = "USD";
  std::string description;
  std::vector<CloudOffer> offers;
  std::vector<EgressPrice> egress;
  std::vector<CatalogItem> items;

  const CloudOffer* find_offer(const std::string& id) const;
  const CatalogItem* find_item(const std::string& id) const;
  const EgressPrice* find_egress(const std::string& provider) const;
};

/// Reads and validates a catalog: schema/version, non-negative prices, valid dates, unique ids,
/// per-GPU and per-instance figures consistent within 1 %. Throws core::InputError naming the file,
/// the JSON path and what was expected.
PriceCatalog load_price_catalog(const std::string& path);
/// Same from text (`file` names it in messages).
PriceCatalog parse_price_catalog(const std::string& text, const std::string& file);
/// Serialises a catalog (round-trips through parse_price_catalog).
std::string price_catalog_to_json(const PriceCatalog& catalog);

/// The catalog shipped with headroom in a data directory: `data_dir`/prices/catalog.json. The caller
/// chooses the directory the way the planner's catalogs are found (--data-dir, else
/// plan::default_data_dir(): $HEADROOM_DATA_DIR, the installed data/, the source tree).
std::string default_price_catalog_path(const std::filesystem::path& data_dir);

/// Parses "YYYY-MM-DD" (a valid calendar date); nullopt otherwise.
std::optional<std::chrono::sys_days> parse_date(const std::string& iso);
/// Today's date (UTC) from the system clock.
std::chrono::sys_days today_utc();
std::string format_date(std::chrono::sys_days d);
/// True when a price dated `as_of` is more than one year old on `today` (undated counts as stale).
bool is_stale(const std::optional<std::string>& as_of, std::chrono::sys_days today);

}  // namespace headroom::plan::tco
