#include "headroom/tco/scenario.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <set>

#include "headroom/core/detail/strict_json.hpp"
#include "headroom/core/errors.hpp"

namespace headroom::plan::tco {

using core::detail::Reader;
using nlohmann::json;

namespace {

const std::vector<std::string> kSections{"fleet", "onprem", "workload", "energy"};

/// Catalog units a field accepts when it refers to an item (guards against node_usd <- a switch).
const std::map<std::string, std::string>& expected_units() {
  static const std::map<std::string, std::string> units{
      {"fleet.node_power_kw", "kw_per_node"},
      {"fleet.provisioned_kw_per_node", "kw_per_node"},
      {"onprem.node_usd", "usd_per_node"},
      {"onprem.switch_usd", "usd_per_switch"},
      {"onprem.pue", "ratio"},
      {"onprem.colocation_usd_per_kw_month", "usd_per_kw_month"},
      {"onprem.maintenance_fraction_per_year", "fraction_of_capex_per_year"},
      {"cloud.pue", "ratio"},
      {"energy.grid_kg_co2e_per_kwh", "kg_co2e_per_kwh"},
  };
  return units;
}

const InputField* find_field(const std::string& section, const std::string& name) {
  for (const auto& f : input_fields()) {
    if (f.section == section && f.name == name) return &f;
  }
  return nullptr;
}

std::string field_names(const std::string& section, const std::vector<std::string>& extra = {}) {
  std::string out;
  for (const auto& e : extra) out += (out.empty() ? "" : ", ") + e;
  for (const auto& f : input_fields()) {
    if (f.section == section) out += (out.empty() ? "" : ", ") + f.name;
  }
  return out;
}

NumberInput read_number(const Reader& r, const InputField& f) {
  NumberInput n;
  const json& v = r.value();
  if (v.is_null()) return n;
  if (v.is_number()) {
    n.kind = NumberInput::Kind::kLiteral;
    n.value = r.as_number();
    if (!within(n.value, f)) r.fail(fmt::format("{}, got {}", bound_text(f), v.dump()));
    return n;
  }
  if (v.is_object() && v.contains("item")) {
    for (const auto& [key, _] : v.items()) {
      if (key != "item" && key != "pick") r.fail_at(key, "only 'item' and 'pick' in a catalog reference");
    }
    n.kind = NumberInput::Kind::kItem;
    n.item = r.string("item");
    n.pick = r.choice_or("pick", {"value", "low", "high"}, "");
    if (n.pick == "value") n.pick.clear();
    return n;
  }
  if (v.is_object() && v.contains("value")) {
    for (const auto& [key, _] : v.items()) {
      if (key != "value" && key != "source" && key != "as_of") r.fail_at(key, "only 'value', 'source' and 'as_of'");
    }
    n.kind = NumberInput::Kind::kSourced;
    n.value = r.number("value");
    if (!within(n.value, f)) r.fail_at("value", fmt::format("{}, got {}", bound_text(f), n.value));
    n.source = r.string("source");
    n.as_of = r.string_or_null("as_of");
    if (n.as_of && !parse_date(*n.as_of)) r.fail_at("as_of", "a date YYYY-MM-DD, got '" + *n.as_of + "'");
    return n;
  }
  r.fail(fmt::format("{}, null, {{\"value\": N, \"source\": \"...\"}} or {{\"item\": \"catalog id\"}} ({})",
                     bound_text(f), f.help));
}

NumberMap read_section(const Reader& r, const std::string& section, const std::set<std::string>& skip = {}) {
  r.expect_object();
  NumberMap out;
  for (const auto& [key, _] : r.value().items()) {
    if (skip.count(key)) continue;
    const InputField* f = find_field(section, key);
    if (!f) r.fail_at(key, "a known field (one of " + field_names(section, {skip.begin(), skip.end()}) + ")");
    out[key] = read_number(r.at(key), *f);
  }
  return out;
}

json number_json(const NumberInput& n) {
  switch (n.kind) {
    case NumberInput::Kind::kNull:
      return nullptr;
    case NumberInput::Kind::kLiteral:
      return n.value;
    case NumberInput::Kind::kSourced: {
      json j{{"value", n.value}, {"source", n.source}};
      if (n.as_of) j["as_of"] = *n.as_of;
      return j;
    }
    case NumberInput::Kind::kItem: {
      json j{{"item", n.item}};
      if (!n.pick.empty()) j["pick"] = n.pick;
      return j;
    }
  }
  return nullptr;
}

json section_json(const NumberMap& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = number_json(v);
  return j;
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& file) {
  const json doc = core::detail::parse_json_text(text, file);
  const Reader root(doc, file);
  root.expect_schema(kScenarioSchema, kScenarioMajor);
  static const std::set<std::string> top{"schema", "schema_version", "name",  "description", "prices",
                                         "fleet",  "onprem",         "cloud", "workload",    "energy"};
  for (const auto& [key, _] : doc.items()) {
    if (!top.count(key))
      root.fail_at(key,
                   "a known field (schema, schema_version, name, description, prices, fleet, "
                   "onprem, cloud, workload, energy)");
  }
  Scenario s;
  s.file = file;
  s.name = root.string("name");
  s.description = root.string_or("description", "");
  s.prices = root.string_or_null("prices");
  s.fleet = read_section(root.at("fleet"), "fleet");
  if (auto op = root.maybe("onprem")) s.onprem = read_section(*op, "onprem");
  if (auto w = root.maybe("workload")) s.workload = read_section(*w, "workload");
  if (auto e = root.maybe("energy")) s.energy = read_section(*e, "energy");
  if (auto cloud = root.maybe("cloud")) {
    for (std::size_t i = 0; i < cloud->size(); ++i) {
      const Reader c = cloud->index(i);
      CloudOptionSpec spec;
      spec.offer = c.string("offer");
      spec.pricing = c.choice("pricing", {"on_demand", "reserved_1yr", "reserved_3yr", "spot", "capacity_block"});
      spec.billing = c.choice_or("billing", {"per_use", "always_on"}, "");
      spec.pick = c.choice_or("pick", {"low", "high"}, "");
      spec.numbers = read_section(c, "cloud", {"offer", "pricing", "billing", "pick"});
      s.cloud.push_back(std::move(spec));
    }
  }
  if (!s.onprem && s.cloud.empty()) root.fail("at least one of 'onprem' and 'cloud' (nothing to cost)");
  return s;
}

Scenario load_scenario(const std::string& path) {
  const json doc = core::detail::read_json_file(path);
  return parse_scenario(doc.dump(), path);
}

std::string scenario_to_json(const Scenario& s) {
  json doc;
  doc["schema"] = kScenarioSchema;
  doc["schema_version"] = fmt::format("{}.{}", kScenarioMajor, kScenarioMinor);
  doc["name"] = s.name;
  if (!s.description.empty()) doc["description"] = s.description;
  if (s.prices) doc["prices"] = *s.prices;
  doc["fleet"] = section_json(s.fleet);
  if (s.onprem) doc["onprem"] = section_json(*s.onprem);
  if (!s.cloud.empty()) {
    doc["cloud"] = json::array();
    for (const auto& c : s.cloud) {
      json j = section_json(c.numbers);
      j["offer"] = c.offer;
      j["pricing"] = c.pricing;
      if (!c.billing.empty()) j["billing"] = c.billing;
      if (!c.pick.empty()) j["pick"] = c.pick;
      doc["cloud"].push_back(j);
    }
  }
  if (!s.workload.empty()) doc["workload"] = section_json(s.workload);
  if (!s.energy.empty()) doc["energy"] = section_json(s.energy);
  return doc.dump(2) + "\n";
}

std::string scenario_catalog_path(const Scenario& s, const std::filesystem::path& data_dir) {
  if (!s.prices) return default_price_catalog_path(data_dir);
  const std::filesystem::path p(*s.prices);
  if (p.is_absolute() || s.file.empty()) return p.string();
  return (std::filesystem::path(s.file).parent_path() / p).lexically_normal().string();
}

namespace {

bool is_price_unit(const std::string& unit) {
  return unit.rfind("usd", 0) == 0 || unit == "fraction_of_capex_per_year";
}

class Resolver {
 public:
  Resolver(const Scenario& s, const PriceCatalog& c, ResolvedScenario& out) : s_(s), c_(c), out_(out) {}

  /// Resolves one number; nullopt for null/absent. `path` is the JSON path in the scenario.
  std::optional<double> value(const NumberMap& m, const std::string& section, const std::string& name,
                              const std::string& path) {
    auto it = m.find(name);
    if (it == m.end() || it->second.kind == NumberInput::Kind::kNull) return std::nullopt;
    const NumberInput& n = it->second;
    const std::string field = section + "." + name;
    if (n.kind == NumberInput::Kind::kLiteral) return n.value;
    if (n.kind == NumberInput::Kind::kSourced) {
      out_.used.push_back({field + " <- " + n.source, Provenance{n.as_of, n.source, Confidence::kPrimary, ""},
                           name.find("usd") != std::string::npos});
      origin_[path] = "stated with source '" + n.source + "'";
      return n.value;
    }
    const CatalogItem* item = c_.find_item(n.item);
    if (!item) {
      std::string ids;
      for (const auto& i : c_.items) ids += (ids.empty() ? "" : ", ") + i.id;
      throw core::InputError(s_.file, path + ".item",
                             fmt::format("an item id of the catalog {} (one of {}), got '{}'", c_.file, ids, n.item));
    }
    if (auto u = expected_units().find(field); u != expected_units().end() && u->second != item->unit) {
      throw core::InputError(
          s_.file, path + ".item",
          fmt::format("an item with unit {}, got '{}' with unit {}", u->second, item->id, item->unit));
    }
    if (item->value.is_range() && n.pick.empty()) {
      throw core::InputError(
          s_.file, path + ".pick",
          fmt::format("'low' or 'high': item '{}' is the range [{}, {}]", item->id, item->value.low, item->value.high));
    }
    const double v = n.pick == "high" ? item->value.high : item->value.low;
    out_.used.push_back({fmt::format("{} <- {}{}", field, item->id, n.pick.empty() ? "" : " (" + n.pick + ")"),
                         item->provenance, is_price_unit(item->unit)});
    origin_[path] = "from catalog item '" + item->id + "'";
    return v;
  }

  void note(const std::string& text) { out_.notes.push_back(text); }
  const std::map<std::string, std::string>& origins() const { return origin_; }
  void set_origin(const std::string& path, const std::string& text) { origin_[path] = text; }

 private:
  const Scenario& s_;
  const PriceCatalog& c_;
  ResolvedScenario& out_;
  std::map<std::string, std::string> origin_;
};

}  // namespace

ResolvedScenario resolve(const Scenario& s, const PriceCatalog& catalog) {
  ResolvedScenario out;
  Resolver res(s, catalog, out);
  ModelInputs& in = out.inputs;
  if (s.onprem) in.onprem.emplace();
  for (std::size_t i = 0; i < s.cloud.size(); ++i) in.cloud.emplace_back();

  const auto require = [&](const std::string& section, const std::string& name, const NumberMap& m) {
    auto it = m.find(name);
    if (it == m.end() || it->second.kind == NumberInput::Kind::kNull) {
      throw core::InputError(s.file, "$." + section + "." + name,
                             "a required field (" + find_field(section, name)->help + ")");
    }
  };
  require("fleet", "gpus", s.fleet);
  require("fleet", "utilisation", s.fleet);
  require("fleet", "years", s.fleet);
  require("fleet", "node_power_kw", s.fleet);
  if (s.onprem) {
    require("onprem", "node_usd", *s.onprem);
    require("onprem", "pue", *s.onprem);
  }

  // Fleet, on-prem, workload and energy: each present number goes into its field.
  const auto fill = [&](const std::string& section, const NumberMap& m) {
    for (const auto& f : input_fields()) {
      if (f.section != section) continue;
      const std::string path = "$." + section + "." + f.name;
      // + 0.0 turns a -0 into 0, so no "-0.0" reaches the result document.
      if (auto v = res.value(m, section, f.name, path)) *f.ref(in, 0, true) = *v + 0.0;
    }
  };
  fill("fleet", s.fleet);
  if (s.fleet.count("provisioned_kw_per_node") == 0 ||
      s.fleet.at("provisioned_kw_per_node").kind == NumberInput::Kind::kNull) {
    in.fleet.provisioned_kw_per_node = in.fleet.node_power_kw;
  }
  if (s.onprem) {
    fill("onprem", *s.onprem);
    const auto unpriced = [&](const std::string& name, const std::string& why) {
      auto it = s.onprem->find(name);
      if (it == s.onprem->end() || it->second.kind == NumberInput::Kind::kNull) res.note("onprem." + name + ": " + why);
    };
    unpriced("tariff_usd_per_kwh",
             "no electricity tariff given: energy is not billed separately (for example, included "
             "in the colocation price)");
    unpriced("colocation_usd_per_kw_month", "no colocation/facility price given: not counted");
    unpriced("staff_usd_per_year", "no staff cost given: not counted");
    unpriced("installation_usd", "no installation cost given: not counted");
    if (in.onprem->storage_tb > 0) unpriced("storage_usd_per_tb", "storage size given without a price: not counted");
    if (in.onprem->switches > 0) unpriced("switch_usd", "switches given without a price: not counted");
  }
  fill("workload", s.workload);
  fill("energy", s.energy);

  for (std::size_t i = 0; i < s.cloud.size(); ++i) {
    const CloudOptionSpec& spec = s.cloud[i];
    const std::string base = fmt::format("$.cloud[{}]", i);
    CloudInputs& ci = in.cloud[i];
    const CloudOffer* offer = catalog.find_offer(spec.offer);
    if (!offer) {
      std::string ids;
      for (const auto& o : catalog.offers) ids += (ids.empty() ? "" : ", ") + o.id;
      throw core::InputError(
          s.file, base + ".offer",
          fmt::format("an offer id of the catalog {} (one of {}), got '{}'", catalog.file, ids, spec.offer));
    }
    const PricingModel model = *pricing_model_from_string(spec.pricing);
    const bool reserved = model == PricingModel::kReserved1yr || model == PricingModel::kReserved3yr;
    const std::string billing = spec.billing.empty() ? (reserved ? "always_on" : "per_use") : spec.billing;
    if (reserved && billing != "always_on") {
      throw core::InputError(s.file, base + ".billing",
                             "'always_on' for a reservation (it is paid whether used or not)");
    }
    ci.always_on = billing == "always_on";
    // A reservation is a commitment to pay for its whole term, however short the horizon.
    if (model == PricingModel::kReserved1yr) ci.commitment_months = 12;
    if (model == PricingModel::kReserved3yr) ci.commitment_months = 36;
    ci.label = spec.offer + " " + spec.pricing + (spec.pick.empty() ? "" : " (" + spec.pick + ")");

    for (const auto& f : input_fields()) {
      if (f.section != "cloud") continue;
      const std::string path = base + "." + f.name;
      if (auto v = res.value(spec.numbers, "cloud", f.name, path)) *f.ref(in, i, true) = *v + 0.0;
    }
    const bool price_given =
        spec.numbers.count("usd_per_gpu_hour") && spec.numbers.at("usd_per_gpu_hour").kind != NumberInput::Kind::kNull;
    if (!price_given) {
      auto p = offer->prices.find(model);
      if (p == offer->prices.end()) {
        std::string given;
        for (const auto& [m, _] : offer->prices) given += (given.empty() ? "" : ", ") + to_string(m);
        throw core::InputError(s.file, base + ".pricing",
                               fmt::format("a pricing model the catalog gives for offer '{}' ({}), got '{}' (no such "
                                           "price in the sources; give usd_per_gpu_hour with its source instead)",
                                           offer->id, given.empty() ? "none" : given, spec.pricing));
      }
      const Amount a = p->second.per_gpu_hour(offer->gpus_per_instance);
      if (a.is_range() && spec.pick.empty()) {
        throw core::InputError(
            s.file, base + ".pick",
            fmt::format("'low' or 'high': the {} price of '{}' is the range [{:.4g}, {:.4g}] USD per "
                        "GPU-hour",
                        spec.pricing, offer->id, a.low, a.high));
      }
      ci.usd_per_gpu_hour = spec.pick == "high" ? a.high : a.low;
      out.used.push_back({fmt::format("cloud[{}] {} {}", i, offer->id, spec.pricing), p->second.provenance, true});
      res.set_origin(base + ".usd_per_gpu_hour", "from catalog offer '" + offer->id + "' " + spec.pricing);
    }
    const auto given = [&](const std::string& name) {
      auto it = spec.numbers.find(name);
      return it != spec.numbers.end() && it->second.kind != NumberInput::Kind::kNull;
    };
    if (ci.egress_tb_per_month > 0 && !given("egress_usd_per_gb")) {
      const EgressPrice* e = catalog.find_egress(offer->provider);
      if (!e) {
        throw core::InputError(s.file, base + ".egress_usd_per_gb",
                               "a price: the catalog has no egress price for provider '" + offer->provider + "'");
      }
      ci.egress_usd_per_gb = e->usd_per_gb;
      out.used.push_back({fmt::format("cloud[{}] egress {}", i, offer->provider), e->provenance, true});
    }
    if (ci.storage_tb > 0 && !given("storage_usd_per_tb_month")) {
      res.note(fmt::format("cloud[{}].storage_usd_per_tb_month: storage size given without a price: not counted", i));
    }
    if (model == PricingModel::kSpot && !given("interruptions_per_day")) {
      res.note(fmt::format("cloud[{}]: spot without interruptions_per_day: no re-run overhead counted", i));
    }
  }

  try {
    validate(in);
  } catch (const core::InputError& e) {
    auto o = res.origins().find(e.json_path());
    throw core::InputError(s.file, e.json_path(),
                           e.expected() + (o == res.origins().end() ? "" : " (value " + o->second + ")"));
  }
  return out;
}

std::vector<std::string> staleness_warnings(const std::vector<UsedPrice>& used, std::chrono::sys_days today) {
  std::vector<std::string> out;
  for (const auto& u : used) {
    if (!u.is_price) continue;
    // A date after today is a typo (2099) or a --today in the past: either way the price's age is unknown.
    if (u.provenance.as_of && *parse_date(*u.provenance.as_of) > today) {
      out.push_back(fmt::format("price dated after today: {} (as of {}, today {}; source: {})", u.what,
                                *u.provenance.as_of, format_date(today), u.provenance.source));
      continue;
    }
    if (!is_stale(u.provenance.as_of, today)) continue;
    if (!u.provenance.as_of) {
      out.push_back(
          fmt::format("undated price: {} (source: {}; the source gives no date)", u.what, u.provenance.source));
      continue;
    }
    const auto age = today - *parse_date(*u.provenance.as_of);
    out.push_back(fmt::format("price older than one year: {} (as of {}, {} days before {}; source: {})", u.what,
                              *u.provenance.as_of, age.count(), format_date(today), u.provenance.source));
  }
  return out;
}

}  // namespace headroom::plan::tco
