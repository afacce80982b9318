// The shipped price catalog: values as the sources give them, round-trip, and bad-input errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "headroom/core/errors.hpp"
#include "headroom/tco/prices.hpp"

namespace tco = headroom::plan::tco;
using nlohmann::json;

namespace {
const std::string kCatalog = std::string(HEADROOM_SOURCE_DIR) + "/data/prices/catalog.json";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Applies `edit` to the shipped catalog and returns the error path of parsing it ("" if none).
template <typename Edit>
std::string error_after(Edit edit) {
  json doc = json::parse(read_text(kCatalog));
  edit(doc);
  try {
    tco::parse_price_catalog(doc.dump(), "edited.json");
  } catch (const headroom::core::InputError& e) {
    EXPECT_EQ(e.file(), "edited.json");
    return e.json_path();
  }
  return "";
}
}  // namespace

TEST(TcoPrices, ShippedCatalogValues) {
  const auto c = tco::load_price_catalog(kCatalog);
  const auto* p5 = c.find_offer("aws-p5.48xlarge");
  ASSERT_TRUE(p5);
  const auto& od = p5->prices.at(tco::PricingModel::kOnDemand);
  EXPECT_DOUBLE_EQ(od.per_gpu_hour(p5->gpus_per_instance).low, 6.88);
  EXPECT_EQ(*od.provenance.as_of, "2026-11-09");
  EXPECT_EQ(p5->prices.count(tco::PricingModel::kReserved1yr), 0u);  // not in the sources after the cut

  const auto* pre = c.find_offer("aws-p5.48xlarge-precut");
  ASSERT_TRUE(pre);
  EXPECT_DOUBLE_EQ(pre->prices.at(tco::PricingModel::kReserved3yr).per_gpu_hour(8).low, 5.40);
  EXPECT_EQ(*pre->prices.at(tco::PricingModel::kReserved1yr).provenance.as_of, "2023-07-27");
  // Spot is a per-instance range 21-30: per GPU 2.625-3.75.
  const auto spot = pre->prices.at(tco::PricingModel::kSpot).per_gpu_hour(8);
  EXPECT_DOUBLE_EQ(spot.low, 2.625);
  EXPECT_DOUBLE_EQ(spot.high, 3.75);

  // p5en gives only a per-instance price: 106.0 / 8.
  const auto* p5en = c.find_offer("aws-p5en.48xlarge");
  ASSERT_TRUE(p5en);
  EXPECT_DOUBLE_EQ(p5en->prices.at(tco::PricingModel::kOnDemand).per_gpu_hour(8).low, 13.25);

  const auto* lambda = c.find_offer("lambda-h100-sxm");
  ASSERT_TRUE(lambda);
  EXPECT_FALSE(lambda->gpus_per_instance);
  EXPECT_TRUE(lambda->prices.at(tco::PricingModel::kOnDemand).per_gpu_hour(std::nullopt).is_range());

  ASSERT_TRUE(c.find_item("hgx-h100-node-ib-thinkmate"));
  EXPECT_DOUBLE_EQ(c.find_item("hgx-h100-node-ib-thinkmate")->value.low, 317000.0);
  EXPECT_FALSE(c.find_item("dgx-h100-list")->provenance.as_of);  // the source gives no date
  EXPECT_EQ(c.find_item("dgx-h100-list")->provenance.confidence, tco::Confidence::kSecondary);
  EXPECT_DOUBLE_EQ(c.find_egress("AWS")->usd_per_gb, 0.09);

  // Every offer, price and item is sourced; at least the offers the issue names are present.
  for (const auto& o : c.offers) {
    for (const auto& [m, p] : o.prices) EXPECT_FALSE(p.provenance.source.empty()) << o.id;
  }
  for (const char* id : {"aws-p4d.24xlarge", "aws-p4de.24xlarge", "aws-p5e.48xlarge", "gcp-a3-highgpu-8g",
                         "gcp-a3-ultragpu-8g", "azure-nd96isr-h100-v5", "azure-nd96asr-a100-v4", "nebius-h100-sxm"}) {
    EXPECT_TRUE(c.find_offer(id)) << id;
  }
}

TEST(TcoPrices, RoundTrip) {
  const auto a = tco::load_price_catalog(kCatalog);
  const std::string text = tco::price_catalog_to_json(a);
  const auto b = tco::parse_price_catalog(text, "round-trip");
  EXPECT_EQ(tco::price_catalog_to_json(b), text);
  ASSERT_EQ(a.offers.size(), b.offers.size());
  ASSERT_EQ(a.items.size(), b.items.size());
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    EXPECT_EQ(a.items[i].id, b.items[i].id);
    EXPECT_EQ(a.items[i].value.low, b.items[i].value.low);
    EXPECT_EQ(a.items[i].value.high, b.items[i].value.high);
    EXPECT_EQ(a.items[i].provenance.as_of, b.items[i].provenance.as_of);
    EXPECT_EQ(a.items[i].provenance.source, b.items[i].provenance.source);
  }
  // Semantically the same document as the file (key order aside) for every cloud price.
  const json file = json::parse(read_text(kCatalog));
  const json again = json::parse(text);
  for (std::size_t i = 0; i < file["cloud_offers"].size(); ++i) {
    for (const auto& [model, price] : file["cloud_offers"][i]["prices"].items()) {
      if (price.is_null()) {
        EXPECT_TRUE(again["cloud_offers"][i]["prices"][model].is_null());
        continue;
      }
      for (const char* key : {"usd_per_gpu_hour", "usd_per_instance_hour", "as_of", "source"}) {
        if (price.contains(key)) {
          EXPECT_EQ(price[key], again["cloud_offers"][i]["prices"][model][key]) << key;
        }
      }
    }
  }
}

TEST(TcoPrices, BadInputNamesThePath) {
  EXPECT_EQ(error_after([](json& d) { d["cloud_offers"][0]["prices"]["on_demand"]["usd_per_gpu_hour"] = -6.88; }),
            "$.cloud_offers[0].prices.on_demand.usd_per_gpu_hour");
  // Per-GPU and per-instance figures that disagree by more than 1 %.
  EXPECT_EQ(error_after([](json& d) { d["cloud_offers"][0]["prices"]["on_demand"]["usd_per_gpu_hour"] = 7.5; }),
            "$.cloud_offers[0].prices.on_demand.usd_per_gpu_hour");
  EXPECT_EQ(error_after([](json& d) { d["cloud_offers"][0]["prices"]["on_demand"]["as_of"] = "June 2025"; }),
            "$.cloud_offers[0].prices.on_demand.as_of");
  EXPECT_EQ(error_after([](json& d) { d["cloud_offers"][0]["prices"]["on_demand"].erase("as_of"); }),
            "$.cloud_offers[0].prices.on_demand.as_of");
  EXPECT_EQ(error_after([](json& d) { d["cloud_offers"][0]["prices"]["on_demand"]["source"] = ""; }),
            "$.cloud_offers[0].prices.on_demand.source");
  EXPECT_EQ(error_after([](json& d) { d["cloud_offers"][0]["prices"]["reserved_5yr"] = nullptr; }),
            "$.cloud_offers[0].prices.reserved_5yr");
  EXPECT_EQ(error_after([](json& d) { d["cloud_offers"][1]["id"] = d["cloud_offers"][0]["id"]; }),
            "$.cloud_offers[1].id");
  EXPECT_EQ(error_after([](json& d) { d["items"][0]["value"] = json::array({3, 2}); }), "$.items[0].value");
  EXPECT_EQ(error_after([](json& d) {
              d["items"][0]["as_of"] = nullptr;
              d["items"][0].erase("note");
            }),
            "$.items[0].note");
  EXPECT_EQ(error_after([](json& d) { d["currency"] = "EUR"; }), "$.currency");
  EXPECT_EQ(error_after([](json& d) { d["schema_version"] = "2.0"; }), "$.schema_version");
  // Unknown keys are refused where the schema says additionalProperties false (a misspelt price
  // would otherwise be left out without a word), and an item's kind is one of the schema's.
  EXPECT_EQ(error_after([](json& d) { d["zz_typo"] = 1; }), "$.zz_typo");
  EXPECT_EQ(error_after([](json& d) { d["cloud_offers"][0]["on_demnad"] = 1; }), "$.cloud_offers[0].on_demnad");
  EXPECT_EQ(error_after([](json& d) { d["cloud_offers"][0]["prices"]["on_demand"]["usd_per_gpu_hr"] = 1; }),
            "$.cloud_offers[0].prices.on_demand.usd_per_gpu_hr");
  EXPECT_EQ(error_after([](json& d) { d["items"][0]["valeu"] = 1; }), "$.items[0].valeu");
  EXPECT_EQ(error_after([](json& d) { d["egress"][0]["usd_per_tb"] = 1; }), "$.egress[0].usd_per_tb");
  EXPECT_EQ(error_after([](json& d) { d["items"][0]["kind"] = "servers"; }), "$.items[0].kind");
}

TEST(TcoPrices, MatchesItsJsonSchemaRequiredFields) {
  // The serialised catalog carries every field prices.schema.json requires, at each level.
  const json schema = json::parse(read_text(std::string(HEADROOM_SOURCE_DIR) + "/data/schemas/prices.schema.json"));
  const json doc = json::parse(tco::price_catalog_to_json(tco::load_price_catalog(kCatalog)));
  for (const auto& key : schema["required"]) EXPECT_TRUE(doc.contains(key.get<std::string>())) << key;
  const json& offer_schema = schema["$defs"]["cloud_offer"];
  for (const auto& offer : doc["cloud_offers"]) {
    for (const auto& key : offer_schema["required"]) EXPECT_TRUE(offer.contains(key.get<std::string>())) << key;
  }
  for (const auto& item : doc["items"]) {
    for (const auto& key : schema["$defs"]["item"]["required"]) EXPECT_TRUE(item.contains(key.get<std::string>()));
  }
}
