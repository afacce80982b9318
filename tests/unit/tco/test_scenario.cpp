// Scenarios: every shipped one loads, resolves and round-trips; catalog look-ups, stale-price
// warnings and bad input (field-named errors).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "headroom/core/errors.hpp"
#include "headroom/tco/render.hpp"
#include "headroom/tco/scenario.hpp"

namespace tco = headroom::plan::tco;
using nlohmann::json;

namespace {
const std::string kData = std::string(HEADROOM_SOURCE_DIR) + "/data";
const std::string kH100 = kData + "/scenarios/h100x64-onprem-vs-aws-p5.json";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const tco::PriceCatalog& catalog() {
  static const tco::PriceCatalog c = tco::load_price_catalog(kData + "/prices/catalog.json");
  return c;
}

/// Applies `edit` to the H100 scenario, parses and resolves it; returns "PATH: EXPECTED" or "".
template <typename Edit>
std::string error_after(Edit edit, const tco::PriceCatalog& cat = catalog()) {
  json doc = json::parse(read_text(kH100));
  edit(doc);
  try {
    tco::resolve(tco::parse_scenario(doc.dump(), "s.json"), cat);
  } catch (const headroom::core::InputError& e) {
    EXPECT_EQ(e.file(), "s.json");
    return e.json_path() + ": " + e.expected();
  }
  return "";
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}
}  // namespace

TEST(TcoScenario, EveryShippedScenarioLoadsResolvesAndRoundTrips) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kData + "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    ++count;
    SCOPED_TRACE(entry.path().string());
    const auto s = tco::load_scenario(entry.path().string());
    EXPECT_EQ(tco::load_price_catalog(tco::scenario_catalog_path(s, kData)).offers.size(), catalog().offers.size());
    const auto report = tco::run_tco(s, catalog(), *tco::parse_date("2026-11-22"));
    EXPECT_FALSE(report.result.cloud.empty());
    // Round trip: serialise, parse, serialise again: identical; resolves to the same inputs.
    const std::string text = tco::scenario_to_json(s);
    const auto back = tco::parse_scenario(text, entry.path().string());
    EXPECT_EQ(tco::scenario_to_json(back), text);
    const auto again = tco::run_tco(back, catalog(), *tco::parse_date("2026-11-22"));
    EXPECT_EQ(tco::report_to_json(again), tco::report_to_json(report));
    // And the serialised form is the file's content (key order aside).
    EXPECT_EQ(json::parse(text), json::parse(read_text(entry.path().string())));
  }
  EXPECT_GE(count, 3);
}

TEST(TcoScenario, H100ScenarioResolvesCatalogPrices) {
  const auto r = tco::resolve(tco::load_scenario(kH100), catalog());
  const auto& in = r.inputs;
  ASSERT_TRUE(in.onprem);
  EXPECT_DOUBLE_EQ(in.onprem->node_usd, 317000.0);
  EXPECT_DOUBLE_EQ(in.onprem->switch_usd, 50000.0);
  EXPECT_DOUBLE_EQ(in.onprem->pue, 1.5);                            // enterprise colo, low end
  EXPECT_DOUBLE_EQ(in.onprem->colocation_usd_per_kw_month, 250.0);  // high end
  EXPECT_DOUBLE_EQ(in.onprem->maintenance_fraction_per_year, 0.20);
  EXPECT_DOUBLE_EQ(in.fleet.node_power_kw, 6.2);
  EXPECT_DOUBLE_EQ(in.fleet.provisioned_kw_per_node, 10.2);
  ASSERT_EQ(in.cloud.size(), 4u);
  EXPECT_DOUBLE_EQ(in.cloud[0].usd_per_gpu_hour, 6.88);
  EXPECT_FALSE(in.cloud[0].always_on);
  EXPECT_DOUBLE_EQ(in.cloud[1].usd_per_gpu_hour, 7.20);
  EXPECT_TRUE(in.cloud[1].always_on);  // reservations default to always on
  EXPECT_DOUBLE_EQ(in.cloud[2].usd_per_gpu_hour, 5.40);
  EXPECT_DOUBLE_EQ(in.cloud[3].usd_per_gpu_hour, 4.916);
  EXPECT_DOUBLE_EQ(*in.grid_kg_co2e_per_kwh, 0.385);
  EXPECT_DOUBLE_EQ(*in.workload.train_gpu_hours, 100000.0);
  // The missing tariff and staff cost are reported as not counted.
  bool tariff_note = false;
  for (const auto& n : r.notes) tariff_note |= starts_with(n, "onprem.tariff_usd_per_kwh");
  EXPECT_TRUE(tariff_note);

  const auto t = tco::evaluate(in);
  EXPECT_DOUBLE_EQ(t.onprem->capex_usd, 8 * 317000.0 + 50000.0);
  EXPECT_DOUBLE_EQ(t.onprem->colocation_usd_per_month, 8 * 10.2 * 250.0);
}

TEST(TcoScenario, StalePricesWarnRelativeToToday) {
  const auto s = tco::load_scenario(kH100);
  const auto report = tco::run_tco(s, catalog(), *tco::parse_date("2026-11-22"));
  auto has = [&](const std::string& text) {
    for (const auto& w : report.warnings) {
      if (w.find(text) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("reserved_1yr (as of 2023-07-27, 1214 days before 2026-11-22"));
  EXPECT_TRUE(has("hgx-h100-node-ib-thinkmate (as of 2024-08-01"));
  EXPECT_TRUE(has("undated price: onprem.colocation_usd_per_kw_month"));
  EXPECT_FALSE(has("aws-p5.48xlarge on_demand"));  // 2026-11-09: recent
  EXPECT_FALSE(has("node-power"));                 // not a price
  // A year earlier the Aug-2024 prices were still fresh.
  const auto earlier = tco::run_tco(s, catalog(), *tco::parse_date("2025-07-01"));
  for (const auto& w : earlier.warnings) EXPECT_EQ(w.find("thinkmate"), std::string::npos) << w;
  // ...but the on-demand price retrieved 2026-11-09 lies after that today: its age is unknown.
  bool future = false;
  for (const auto& w : earlier.warnings) {
    future |= w.rfind("price dated after today: cloud[0] aws-p5.48xlarge on_demand (as of 2026-11-09, today 2025-07-01",
                      0) == 0;
  }
  EXPECT_TRUE(future);
}

TEST(TcoScenario, BadInputIsFieldNamed) {
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["cloud"][0]["offer"] = "aws-p9"; }),
                          "$.cloud[0].offer: an offer id of the catalog"));
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["onprem"]["node_usd"] = -5; }),
                          "$.onprem.node_usd: a number in [0, 1e+09], got -5"));
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["cloud"][0]["usd_per_gpu_hour"] = -1; }),
                          "$.cloud[0].usd_per_gpu_hour: a number in (0, 10000]"));
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["fleet"]["utilisation"] = 1.5; }),
                          "$.fleet.utilisation: a busy fraction in [0.001, 1]"));
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["fleet"]["years"] = 0; }), "$.fleet.years: a number in (0, 50]"));
  // Sanity ceilings: absurd magnitudes are refused with the field and its range, literal or sourced.
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["fleet"]["gpus"] = 1e30; }),
                          "$.fleet.gpus: an integer in [1, 1e+06], got 1e+30"));
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["fleet"]["years"] = 1e308; }),
                          "$.fleet.years: a number in (0, 50], got 1e+308"));
  EXPECT_TRUE(starts_with(error_after([](json& d) {
                            d["onprem"]["switch_usd"] = json{{"value", 2e9}, {"source", "typo"}};
                          }),
                          "$.onprem.switch_usd.value: a number in [0, 1e+09], got 2000000000"));
  EXPECT_TRUE(
      starts_with(error_after([](json& d) { d["fleet"]["utilization"] = 0.5; }), "$.fleet.utilization: a known field"));
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["fleet"].erase("gpus"); }), "$.fleet.gpus: a required field"));
  // A pricing model the sources do not give for the offer.
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["cloud"][0]["pricing"] = "spot"; }),
                          "$.cloud[0].pricing: a pricing model the catalog gives for offer 'aws-p5.48xlarge'"));
  EXPECT_TRUE(
      starts_with(error_after([](json& d) { d["cloud"][0]["pricing"] = "cheap"; }), "$.cloud[0].pricing: one of"));
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["cloud"][1]["billing"] = "per_use"; }),
                          "$.cloud[1].billing: 'always_on' for a reservation"));
  // A range without pick; a catalog item of the wrong unit; an unknown item.
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["onprem"]["colocation_usd_per_kw_month"].erase("pick"); }),
                          "$.onprem.colocation_usd_per_kw_month.pick: 'low' or 'high'"));
  EXPECT_TRUE(starts_with(error_after([](json& d) {
                            d["onprem"]["node_usd"] = json{{"item", "ib-switch-400g-64p-fs"}};
                          }),
                          "$.onprem.node_usd.item: an item with unit usd_per_node"));
  EXPECT_TRUE(starts_with(error_after([](json& d) {
                            d["onprem"]["node_usd"] = json{{"item", "dgx-b300"}};
                          }),
                          "$.onprem.node_usd.item: an item id of the catalog"));
  EXPECT_TRUE(starts_with(error_after([](json& d) { d["cloud"][0]["offer"] = "lambda-h100-sxm"; }),
                          "$.cloud[0].pick: 'low' or 'high'"));
}

TEST(TcoScenario, CatalogValueOutOfRangeNamesItsOrigin) {
  tco::PriceCatalog cat = catalog();
  for (auto& item : cat.items) {
    if (item.id == "dgx-h100-support") item.value = tco::Amount::single(1.5);  // 150 % per year
  }
  const std::string err = error_after([](json&) {}, cat);
  EXPECT_TRUE(starts_with(err, "$.onprem.maintenance_fraction_per_year: a number in [0, 1], got 1.5")) << err;
  EXPECT_NE(err.find("from catalog item 'dgx-h100-support'"), std::string::npos) << err;
}

TEST(TcoScenario, SourcedLiteralsAndNoOnPrem) {
  const auto s = tco::load_scenario(kData + "/scenarios/a100x64-cloud-offers.json");
  EXPECT_FALSE(s.onprem);
  const auto r = tco::resolve(s, catalog());
  EXPECT_DOUBLE_EQ(r.inputs.fleet.node_power_kw, 3.2);
  EXPECT_DOUBLE_EQ(r.inputs.cloud[0].usd_per_gpu_hour, 2.74);
  EXPECT_DOUBLE_EQ(*r.inputs.cloud[0].pue, 1.10);
  const auto t = tco::evaluate(r.inputs);
  // Energy for the option with a PUE: 64 · 730 · 0.7 · 12 busy GPU-hours · 0.4 kW · 1.1.
  ASSERT_TRUE(t.cloud[0].energy_kwh);
  EXPECT_NEAR(*t.cloud[0].energy_kwh, 64 * 730 * 0.7 * 12 * 0.4 * 1.1, 1e-6);
  EXPECT_FALSE(t.cloud[1].energy_kwh);
}

TEST(TcoScenario, EgressFromTheCatalogAndSpotReruns) {
  // cloud[0] (AWS on-demand) with 10 TB/month of egress and no price: the catalog's AWS internet
  // egress price (0.09 USD/GB, first tier) is used and listed: 10 TB · 1000 GB/TB · 0.09 = 900 USD/month.
  json doc = json::parse(read_text(kH100));
  doc["cloud"][0]["egress_tb_per_month"] = 10;
  doc["cloud"][0]["storage_tb"] = 50;  // a size without a price: said, not counted
  // Spot on the pre-cut p5 (a range of 21-30 USD per 8-GPU instance-hour; low: 21 / 8 = 2.625 per
  // GPU-hour), 2 interruptions a day, a checkpoint every 4 h, 1 h to restart: re-run fraction
  // 2/24 · (4/2 + 1) = 0.25, so 64 GPUs · 730 h · 0.8 busy / (1 - 0.25) = 49,834.67 billed GPU-hours a
  // month, 130,816 USD.
  doc["cloud"].push_back(json{{"offer", "aws-p5.48xlarge-precut"},
                              {"pricing", "spot"},
                              {"pick", "low"},
                              {"interruptions_per_day", 2},
                              {"checkpoint_interval_h", 4},
                              {"restart_overhead_h", 1}});
  // The same spot offer without interruptions: said to count no re-runs.
  doc["cloud"].push_back(json{{"offer", "aws-p5.48xlarge-precut"}, {"pricing", "spot"}, {"pick", "high"}});
  const auto r = tco::resolve(tco::parse_scenario(doc.dump(), "s.json"), catalog());
  ASSERT_EQ(r.inputs.cloud.size(), 6u);
  EXPECT_DOUBLE_EQ(r.inputs.cloud[0].egress_usd_per_gb, 0.09);
  bool egress_listed = false;
  for (const auto& u : r.used) egress_listed |= u.what == "cloud[0] egress AWS";
  EXPECT_TRUE(egress_listed);
  const auto has_note = [&](const std::string& text) {
    return std::find(r.notes.begin(), r.notes.end(), text) != r.notes.end();
  };
  EXPECT_TRUE(has_note("cloud[0].storage_usd_per_tb_month: storage size given without a price: not counted"));
  EXPECT_FALSE(has_note("cloud[4]: spot without interruptions_per_day: no re-run overhead counted"));
  EXPECT_TRUE(has_note("cloud[5]: spot without interruptions_per_day: no re-run overhead counted"));
  EXPECT_DOUBLE_EQ(r.inputs.cloud[4].usd_per_gpu_hour, 2.625);
  EXPECT_DOUBLE_EQ(r.inputs.cloud[5].usd_per_gpu_hour, 30.0 / 8);

  const auto t = tco::evaluate(r.inputs);
  EXPECT_NEAR(t.cloud[0].egress_usd_per_month, 900.0, 1e-9);
  EXPECT_DOUBLE_EQ(t.cloud[0].storage_usd_per_month, 0.0);
  EXPECT_NEAR(t.cloud[4].rerun_fraction, 0.25, 1e-12);
  EXPECT_NEAR(t.cloud[4].billed_gpu_hours_per_month, 64 * 730 * 0.8 / 0.75, 1e-6);
  EXPECT_NEAR(t.cloud[4].gpu_usd_per_month, 130816.0, 1e-6);
  EXPECT_DOUBLE_EQ(t.cloud[5].rerun_fraction, 0.0);

  // A provider without an egress price in the catalog: the field to give is named.
  EXPECT_TRUE(starts_with(error_after([](json& d) {
                            d["cloud"][0] = json{{"offer", "runpod-h100-sxm-community"},
                                                 {"pricing", "on_demand"},
                                                 {"egress_tb_per_month", 1}};
                          }),
                          "$.cloud[0].egress_usd_per_gb: a price: the catalog has no egress price for provider 'RunPod'"));
  // Billed always on while re-runs push the busy hours past the month: per_use is what fits.
  EXPECT_TRUE(starts_with(error_after([](json& d) {
                            d["cloud"][0] = json{{"offer", "aws-p5.48xlarge-precut"},
                                                 {"pricing", "spot"},
                                                 {"pick", "low"},
                                                 {"billing", "always_on"},
                                                 {"interruptions_per_day", 2},
                                                 {"checkpoint_interval_h", 4},
                                                 {"restart_overhead_h", 1}};
                          }),
                          "$.cloud[0].billing: 'per_use' here: utilisation / (1 - spot re-run fraction) exceeds"));
}
