// headroom tco: on-prem versus cloud cost, energy and carbon, and the ±20 % sensitivity tornado.
// Inputs come from --scenario FILE, from flags, or from both (flags override the file). The flags
// are generated from the model's input table, so every scenario field has one.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "headroom/core/atomic_file.hpp"
#include "headroom/core/detail/strict_json.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/plan/catalog.hpp"
#include "headroom/tco/render.hpp"
#include "headroom/tco/scenario.hpp"

namespace headroom::cli {
namespace {

namespace tco = plan::tco;

/// "--cloud-usd-per-gpu-hour" for the cloud field usd_per_gpu_hour, "--node-usd" for onprem.node_usd.
std::string flag_for(const tco::InputField& f) {
  std::string name = (f.section == "cloud" ? "cloud_" : "") + f.name;
  for (auto& ch : name) {
    if (ch == '_') ch = '-';
  }
  return "--" + name;
}

struct TcoArgs {
  std::string scenario;
  std::string prices;
  std::string data_dir;  // "": plan::default_data_dir(), as `headroom plan` finds its catalogs
  std::string out;
  std::string today;
  bool json = false;
  bool force = false;
  std::vector<std::string> offers;
  std::vector<std::string> pricings;
  std::string billing;
  std::string pick;
  std::map<std::string, double> numbers;  // flag -> value, filled by CLI11
  std::map<std::string, CLI::Option*> options;
};

nlohmann::json build_document(const TcoArgs& a, std::map<std::string, std::string>& flag_of_path) {
  using nlohmann::json;
  json doc = a.scenario.empty()
                 ? json{{"schema", tco::kScenarioSchema},
                        {"schema_version", fmt::format("{}.{}", tco::kScenarioMajor, tco::kScenarioMinor)},
                        {"name", "command-line"},
                        {"fleet", json::object()}}
                 : core::detail::read_json_file(a.scenario);
  if (!doc.is_object()) return doc;  // parse_scenario reports it
  if (!a.offers.empty()) {
    if (!a.pricings.empty() && a.pricings.size() != 1 && a.pricings.size() != a.offers.size()) {
      throw core::InputError("command line", "--pricing", "one --pricing for all offers or one per --offer");
    }
    doc["cloud"] = json::array();
    for (std::size_t i = 0; i < a.offers.size(); ++i) {
      json c{{"offer", a.offers[i]},
             {"pricing", a.pricings.empty() ? "on_demand" : a.pricings[a.pricings.size() == 1 ? 0 : i]}};
      if (!a.billing.empty()) c["billing"] = a.billing;
      if (!a.pick.empty()) c["pick"] = a.pick;
      doc["cloud"].push_back(c);
      flag_of_path[fmt::format("$.cloud[{}].offer", i)] = "--offer";
      flag_of_path[fmt::format("$.cloud[{}].pricing", i)] = "--pricing";
      flag_of_path[fmt::format("$.cloud[{}].billing", i)] = "--billing";
      flag_of_path[fmt::format("$.cloud[{}].pick", i)] = "--pick";
    }
  } else if (!a.pricings.empty() || !a.billing.empty() || !a.pick.empty()) {
    throw core::InputError("command line", "--offer", "at least one --offer with --pricing/--billing/--pick");
  }
  for (const auto& f : tco::input_fields()) {
    const std::string flag = flag_for(f);
    auto opt = a.options.find(flag);
    if (opt == a.options.end() || opt->second->count() == 0) continue;
    const double v = a.numbers.at(flag);
    // JSON has no NaN or infinity (nlohmann would write null, read back as "not given").
    if (!std::isfinite(v))
      throw core::InputError("command line", flag, fmt::format("{}, got {}", tco::bound_text(f), v));
    if (f.section == "cloud") {
      if (!doc.contains("cloud") || doc["cloud"].empty()) {
        throw core::InputError("command line", flag, "a cloud option to apply to (--offer or a scenario with cloud)");
      }
      for (std::size_t i = 0; i < doc["cloud"].size(); ++i) {
        doc["cloud"][i][f.name] = v;
        flag_of_path[fmt::format("$.cloud[{}].{}", i, f.name)] = flag;
      }
    } else {
      if (!doc.contains(f.section) || doc[f.section].is_null()) doc[f.section] = json::object();
      doc[f.section][f.name] = v;
      flag_of_path["$." + f.section + "." + f.name] = flag;
    }
  }
  return doc;
}

int run(const TcoArgs& a) {
  const auto overwrite = a.force ? core::Overwrite::kAllow : core::Overwrite::kRefuse;
  if (!a.out.empty()) {
    core::check_distinct_outputs({{"--out", a.out}}, {{"--scenario", a.scenario}, {"--prices", a.prices}});
    core::check_writable(a.out, overwrite);
  }
  std::chrono::sys_days today = tco::today_utc();
  if (!a.today.empty()) {
    auto d = tco::parse_date(a.today);
    if (!d) throw core::InputError("command line", "--today", "a date YYYY-MM-DD, got '" + a.today + "'");
    today = *d;
  }

  const std::filesystem::path data_dir =
      a.data_dir.empty() ? plan::default_data_dir() : std::filesystem::path(a.data_dir);
  std::map<std::string, std::string> flag_of_path;
  const std::string label = a.scenario.empty() ? "command line" : a.scenario;
  tco::Scenario scenario;
  tco::PriceCatalog catalog;
  tco::TcoReport report;
  try {
    const auto doc = build_document(a, flag_of_path);
    scenario = tco::parse_scenario(doc.dump(), label);
    catalog = tco::load_price_catalog(a.prices.empty() ? tco::scenario_catalog_path(scenario, data_dir) : a.prices);
    report = tco::run_tco(scenario, catalog, today);
  } catch (const core::InputError& e) {
    // A value that came from a flag is reported against the flag, not the JSON path.
    for (const auto& [path, flag] : flag_of_path) {
      if (e.file() == label && (e.json_path() == path || e.json_path().rfind(path + ".", 0) == 0)) {
        throw core::InputError("command line", flag, e.expected());
      }
    }
    throw;
  }

  // The price catalog the scenario names is an input too (checked now that it is known).
  if (!a.out.empty() && a.prices.empty()) {
    core::check_distinct_outputs({{"--out", a.out}},
                                 {{"the scenario's price catalog", tco::scenario_catalog_path(scenario, data_dir)}});
  }
  for (const auto& w : report.warnings) fmt::print(stderr, "headroom: warning: {}\n", w);
  const std::string json_text = tco::report_to_json(report);
  if (!a.out.empty()) core::write_file_atomic(a.out, json_text, overwrite);
  fmt::print("{}", a.json ? json_text : tco::report_to_table(report));
  return 0;
}

}  // namespace

void add_tco_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("tco", "On-prem versus cloud cost, energy and carbon, break-even and sensitivity");
  auto args = std::make_shared<TcoArgs>();
  cmd->add_option("--scenario", args->scenario, "Scenario file (data/scenarios/*.json); flags override its values")
      ->check(CLI::ExistingFile);
  cmd->add_option("--prices", args->prices,
                  "Price catalog (default: the scenario's 'prices', else prices/catalog.json of the data directory)");
  cmd->add_option("--data-dir", args->data_dir,
                  "Data directory whose prices/catalog.json is the default catalog (default: $HEADROOM_DATA_DIR or "
                  "the installed data/)");
  cmd->add_flag("--json", args->json, "Print the result document (schema headroom.tco) to stdout instead of the table");
  cmd->add_option("--out", args->out, "Also write the result document to FILE");
  cmd->add_flag("--force", args->force, "Replace an existing --out file");
  cmd->add_option("--today", args->today, "Date for the price-age warnings, YYYY-MM-DD (default: today, UTC)");
  cmd->add_option("--offer", args->offers, "Cloud offer id from the catalog (repeatable; replaces the scenario's)");
  cmd->add_option("--pricing", args->pricings,
                  "on_demand, reserved_1yr, reserved_3yr, spot or capacity_block (one for all, or one per --offer)");
  cmd->add_option("--billing", args->billing, "per_use or always_on (default: always_on for reservations)");
  cmd->add_option("--pick", args->pick, "low or high, for an offer whose price is a range");
  for (const auto& f : plan::tco::input_fields()) {
    const std::string flag = flag_for(f);
    args->numbers[flag] = 0.0;
    args->options[flag] = cmd->add_option(flag, args->numbers[flag], f.section + "." + f.name + ": " + f.help);
  }
  cmd->callback([&action, args] {
    if (args->scenario.empty() && args->options.at("--gpus")->count() == 0) {
      throw CLI::ValidationError("--scenario", "give --scenario FILE or the fleet flags (--gpus, --utilisation, ...)");
    }
    action = [args] { return run(*args); };
  });
}

}  // namespace headroom::cli
