#include "headroom/tco/prices.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "headroom/core/detail/strict_json.hpp"
#include "headroom/core/errors.hpp"

namespace headroom::plan::tco {

using core::detail::Range;
using core::detail::Reader;
using nlohmann::json;

std::string to_string(PricingModel m) {
  switch (m) {
    case PricingModel::kOnDemand:
      return "on_demand";
    case PricingModel::kReserved1yr:
      return "reserved_1yr";
    case PricingModel::kReserved3yr:
      return "reserved_3yr";
    case PricingModel::kSpot:
      return "spot";
    case PricingModel::kCapacityBlock:
      return "capacity_block";
  }
  return "unknown";
}

const std::vector<PricingModel>& all_pricing_models() {
  static const std::vector<PricingModel> models{PricingModel::kOnDemand, PricingModel::kReserved1yr,
                                                PricingModel::kReserved3yr, PricingModel::kSpot,
                                                PricingModel::kCapacityBlock};
  return models;
}

std::optional<PricingModel> pricing_model_from_string(const std::string& s) {
  for (auto m : all_pricing_models()) {
    if (to_string(m) == s) return m;
  }
  return std::nullopt;
}

Amount CloudPrice::per_gpu_hour(std::optional<int> gpus_per_instance) const {
  if (usd_per_gpu_hour) return *usd_per_gpu_hour;
  const double n = static_cast<double>(gpus_per_instance.value_or(1));
  return Amount{usd_per_instance_hour->low / n, usd_per_instance_hour->high / n};
}

const CloudOffer* PriceCatalog::find_offer(const std::string& id) const {
  for (const auto& o : offers) {
    if (o.id == id) return &o;
  }
  return nullptr;
}
const CatalogItem* PriceCatalog::find_item(const std::string& id) const {
  for (const auto& i : items) {
    if (i.id == id) return &i;
  }
  return nullptr;
}
const EgressPrice* PriceCatalog::find_egress(const std::string& provider) const {
  for (const auto& e : egress) {
    if (e.provider == provider) return &e;
  }
  return nullptr;
}

// ---- dates ----

std::optional<std::chrono::sys_days> parse_date(const std::string& iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (iso[i] < '0' || iso[i] > '9') return std::nullopt;
  }
  const int y = std::stoi(iso.substr(0, 4));
  const auto m = static_cast<unsigned>(std::stoi(iso.substr(5, 2)));
  const auto d = static_cast<unsigned>(std::stoi(iso.substr(8, 2)));
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

std::chrono::sys_days today_utc() {
  return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
}

std::string format_date(std::chrono::sys_days d) {
  const std::chrono::year_month_day ymd{d};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

bool is_stale(const std::optional<std::string>& as_of, std::chrono::sys_days today) {
  if (!as_of) return true;
  const auto d = parse_date(*as_of);
  if (!d) return true;
  // "Older than one year": the same calendar date a year later has passed (29 Feb -> 1 Mar).
  const std::chrono::year_month_day ymd{*d};
  const auto anniversary = ymd + std::chrono::years{1};
  const std::chrono::sys_days limit =
      anniversary.ok()
          ? std::chrono::sys_days{anniversary}
          : std::chrono::sys_days{anniversary.year() / anniversary.month() / std::chrono::last} + std::chrono::days{1};
  return today > limit;
}

// ---- reading ----

namespace {

Amount read_amount(const Reader& r, const std::string& key) {
  const Reader v = r.at(key);
  if (v.value().is_array()) {
    if (v.size() != 2) v.fail("a number or a range [low, high] of two numbers");
    const double lo = v.index(0).as_number(Range::kNonNegative);
    const double hi = v.index(1).as_number(Range::kNonNegative);
    if (!(lo < hi)) v.fail(fmt::format("a range [low, high] with low < high, got [{}, {}]", lo, hi));
    return Amount{lo, hi};
  }
  return Amount::single(v.as_number(Range::kNonNegative));
}

Provenance read_provenance(const Reader& r) {
  Provenance p;
  // as_of must be present; null is allowed only when the source gives no date and the note says so.
  if (!r.has("as_of")) r.fail_at("as_of", "a required field (a date YYYY-MM-DD, or null when the source gives none)");
  p.as_of = r.string_or_null("as_of");
  if (p.as_of && !parse_date(*p.as_of)) r.fail_at("as_of", "a date YYYY-MM-DD or null, got '" + *p.as_of + "'");
  p.source = r.string("source");
  if (p.source.empty()) r.fail_at("source", "a non-empty source");
  p.confidence = r.choice_or("confidence", {"primary", "secondary"}, "primary") == "secondary" ? Confidence::kSecondary
                                                                                               : Confidence::kPrimary;
  p.note = r.string_or("note", "");
  if (!p.as_of && p.note.empty()) r.fail_at("note", "a note saying why as_of is null");
  return p;
}

json amount_json(const Amount& a) {
  return a.is_range() ? json::array({a.low, a.high}) : json(a.low);
}

json provenance_json(const Provenance& p) {
  json j;
  j["as_of"] = p.as_of ? json(*p.as_of) : json(nullptr);
  j["source"] = p.source;
  if (p.confidence == Confidence::kSecondary) j["confidence"] = "secondary";
  if (!p.note.empty()) j["note"] = p.note;
  return j;
}

CloudPrice read_cloud_price(const Reader& r, std::optional<int> gpus_per_instance) {
  r.expect_object();
  r.only_keys({"usd_per_gpu_hour", "usd_per_instance_hour", "as_of", "source", "confidence", "note"});
  CloudPrice p;
  if (!r.is_null("usd_per_gpu_hour")) p.usd_per_gpu_hour = read_amount(r, "usd_per_gpu_hour");
  if (!r.is_null("usd_per_instance_hour")) {
    if (!gpus_per_instance) r.fail_at("usd_per_instance_hour", "no per-instance price for an offer rented per GPU");
    p.usd_per_instance_hour = read_amount(r, "usd_per_instance_hour");
  }
  if (!p.usd_per_gpu_hour && !p.usd_per_instance_hour) {
    r.fail("usd_per_gpu_hour and/or usd_per_instance_hour (use null for the whole price when it is unknown)");
  }
  if (p.usd_per_gpu_hour && p.usd_per_instance_hour) {
    // The sources round per-GPU figures; a mismatch beyond 1 % is a transcription error.
    const double derived = p.usd_per_instance_hour->low / *gpus_per_instance;
    if (std::fabs(derived - p.usd_per_gpu_hour->low) > 0.01 * derived) {
      r.fail_at("usd_per_gpu_hour",
                fmt::format("usd_per_instance_hour / gpus_per_instance = {:.4f} (within 1 %), got {}", derived,
                            p.usd_per_gpu_hour->low));
    }
  }
  p.provenance = read_provenance(r);
  return p;
}

}  // namespace

PriceCatalog parse_price_catalog(const std::string& text, const std::string& file) {
  const json doc = core::detail::parse_json_text(text, file);
  const Reader root(doc, file);
  root.expect_schema(kPricesSchema, kPricesMajor);
  // Unknown keys are refused as the schema does (additionalProperties: false): a misspelt
  // "on_demnad" or "usd_per_gpu_hr" would otherwise leave a price out without a word.
  root.only_keys({"schema", "schema_version", "currency", "description", "cloud_offers", "egress", "items"});
  PriceCatalog c;
  c.file = file;
  c.currency = root.string("currency");
  if (c.currency != "USD")
    root.fail_at("currency", "'USD' (the only currency headroom models), got '" + c.currency + "'");
  c.description = root.string_or("description", "");

  std::set<std::string> ids;
  const Reader offers = root.at("cloud_offers");
  for (std::size_t i = 0; i < offers.size(); ++i) {
    const Reader o = offers.index(i);
    o.only_keys({"id", "provider", "instance", "gpu", "gpus_per_instance", "region", "note", "prices"});
    CloudOffer offer;
    offer.id = o.string("id");
    if (offer.id.empty() || !ids.insert(offer.id).second)
      o.fail_at("id", "a non-empty id unique in the catalog, got '" + offer.id + "'");
    offer.provider = o.string("provider");
    offer.instance = o.string("instance");
    offer.gpu = o.string("gpu");
    if (auto n = o.integer_or_null("gpus_per_instance", 1, 1024)) offer.gpus_per_instance = static_cast<int>(*n);
    offer.region = o.string_or_null("region");
    offer.note = o.string_or("note", "");
    const Reader prices = o.at("prices");
    prices.expect_object();
    for (const auto& [key, value] : prices.value().items()) {
      if (!pricing_model_from_string(key)) {
        prices.fail_at(key, "a pricing model (on_demand, reserved_1yr, reserved_3yr, spot, capacity_block)");
      }
    }
    for (auto m : all_pricing_models()) {
      if (auto p = prices.maybe(to_string(m))) offer.prices[m] = read_cloud_price(*p, offer.gpus_per_instance);
    }
    c.offers.push_back(std::move(offer));
  }

  if (auto egress = root.maybe("egress")) {
    for (std::size_t i = 0; i < egress->size(); ++i) {
      const Reader e = egress->index(i);
      e.only_keys({"provider", "usd_per_gb", "as_of", "source", "confidence", "note"});
      EgressPrice p;
      p.provider = e.string("provider");
      p.usd_per_gb = e.number("usd_per_gb", Range::kNonNegative);
      p.provenance = read_provenance(e);
      c.egress.push_back(std::move(p));
    }
  }

  const Reader items = root.at("items");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Reader it = items.index(i);
    it.only_keys({"id", "kind", "unit", "value", "description", "as_of", "source", "confidence", "note"});
    CatalogItem item;
    item.id = it.string("id");
    if (item.id.empty() || !ids.insert(item.id).second)
      it.fail_at("id", "a non-empty id unique in the catalog, got '" + item.id + "'");
    item.kind =
        it.choice("kind", {"server", "network", "gpu", "power", "pue", "grid", "colocation", "maintenance", "storage"});
    item.unit = it.string("unit");
    item.value = read_amount(it, "value");
    item.description = it.string_or("description", "");
    item.provenance = read_provenance(it);
    c.items.push_back(std::move(item));
  }
  return c;
}

PriceCatalog load_price_catalog(const std::string& path) {
  const json doc = core::detail::read_json_file(path);
  return parse_price_catalog(doc.dump(), path);
}

std::string price_catalog_to_json(const PriceCatalog& c) {
  json doc;
  doc["schema"] = kPricesSchema;
  doc["schema_version"] = fmt::format("{}.{}", kPricesMajor, kPricesMinor);
  doc["currency"] = c.currency;
  if (!c.description.empty()) doc["description"] = c.description;
  doc["cloud_offers"] = json::array();
  for (const auto& o : c.offers) {
    json jo;
    jo["id"] = o.id;
    jo["provider"] = o.provider;
    jo["instance"] = o.instance;
    jo["gpu"] = o.gpu;
    jo["gpus_per_instance"] = o.gpus_per_instance ? json(*o.gpus_per_instance) : json(nullptr);
    jo["region"] = o.region ? json(*o.region) : json(nullptr);
    jo["note"] = o.note;
    json prices = json::object();
    for (auto m : all_pricing_models()) {
      auto it = o.prices.find(m);
      if (it == o.prices.end()) {
        prices[to_string(m)] = nullptr;
        continue;
      }
      json p = provenance_json(it->second.provenance);
      if (it->second.usd_per_gpu_hour) p["usd_per_gpu_hour"] = amount_json(*it->second.usd_per_gpu_hour);
      if (it->second.usd_per_instance_hour) p["usd_per_instance_hour"] = amount_json(*it->second.usd_per_instance_hour);
      prices[to_string(m)] = p;
    }
    jo["prices"] = prices;
    doc["cloud_offers"].push_back(jo);
  }
  doc["egress"] = json::array();
  for (const auto& e : c.egress) {
    json je = provenance_json(e.provenance);
    je["provider"] = e.provider;
    je["usd_per_gb"] = e.usd_per_gb;
    doc["egress"].push_back(je);
  }
  doc["items"] = json::array();
  for (const auto& i : c.items) {
    json ji = provenance_json(i.provenance);
    ji["id"] = i.id;
    ji["kind"] = i.kind;
    ji["unit"] = i.unit;
    ji["value"] = amount_json(i.value);
    ji["description"] = i.description;
    doc["items"].push_back(ji);
  }
  return doc.dump(2) + "\n";
}

std::string default_price_catalog_path(const std::filesystem::path& data_dir) {
  return (data_dir / "prices" / "catalog.json").string();
}

}  // namespace headroom::plan::tco
