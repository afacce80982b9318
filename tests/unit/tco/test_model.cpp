// The hand-worked example of docs/methodology.md ("TCO" section) reproduced number by number, plus
// break-even, tornado and validation behaviour of the model on plain numbers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "hand_example.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/tco/model.hpp"

namespace tco = headroom::plan::tco;

TEST(TcoModel, HandWorkedExampleOnPrem) {
  const auto r = tco::evaluate(hand_example());
  ASSERT_TRUE(r.onprem);
  const auto& o = *r.onprem;
  EXPECT_DOUBLE_EQ(r.months, 24.0);
  EXPECT_DOUBLE_EQ(o.nodes, 2.0);
  EXPECT_DOUBLE_EQ(o.capex_usd, 430000.0);     // 2 · 200000 + 20000 + 10000
  EXPECT_DOUBLE_EQ(o.residual_usd, 43000.0);   // 10 % of capex
  const double annual = 227285.0 + 5.0 / 7.0;  // (430000 − 43000/1.21) · 0.121/0.21
  EXPECT_NEAR(o.annual_capital_charge_usd, annual, 1e-6);
  EXPECT_NEAR(o.financing_usd, 2 * annual - 387000.0, 1e-6);
  EXPECT_DOUBLE_EQ(o.power_usd_per_month, 456.25);       // 4562.5 kWh · $0.10
  EXPECT_DOUBLE_EQ(o.colocation_usd_per_month, 1600.0);  // 2 nodes · 8 kW · $100
  EXPECT_DOUBLE_EQ(o.staff_usd_per_month, 1000.0);
  EXPECT_DOUBLE_EQ(o.maintenance_usd_per_month, 2150.0);  // 6 % · 430000 / 12
  EXPECT_DOUBLE_EQ(o.opex_usd_per_month, 5206.25);
  EXPECT_NEAR(o.total_usd, 2 * annual + 24 * 5206.25, 1e-6);                   // 579521.43
  EXPECT_DOUBLE_EQ(o.useful_gpu_hours, 140160.0);                              // 16 · 8760 · 2 · 0.5
  EXPECT_NEAR(o.usd_per_gpu_hour, (2 * annual + 124950.0) / 140160.0, 1e-12);  // 4.1347
  EXPECT_DOUBLE_EQ(o.energy_kwh, 109500.0);
  ASSERT_TRUE(o.emissions_kg_co2e);
  EXPECT_DOUBLE_EQ(*o.emissions_kg_co2e, 43800.0);
  // Cash curve: capex at month 0, residual back at the end; the end equals the total.
  ASSERT_EQ(o.cumulative_usd.size(), 25u);
  EXPECT_DOUBLE_EQ(o.cumulative_usd[0], 430000.0);
  EXPECT_NEAR(o.cumulative_usd[12], 430000.0 + 12 * (5206.25 + (2 * annual - 387000.0) / 24), 1e-6);
  EXPECT_NEAR(o.cumulative_usd[24], o.total_usd, 1e-6);
}

TEST(TcoModel, NoCostOfCapitalIsNoFinancing) {
  // 7,024,000 USD of capex over 3 years at 0 %: the capital charge × 3 comes back 9.3e-10 USD short of
  // the capex in doubles, which printed as "financing -0 USD". Without a cost of capital it is 0.
  auto in = hand_example();
  in.fleet.gpus = 8;
  in.fleet.gpus_per_node = 8;
  in.fleet.years = 3;
  in.onprem->node_usd = 6994000;  // + 20000 switch + 10000 installation
  in.onprem->residual_fraction = 0;
  in.onprem->cost_of_capital_per_year = 0;
  const auto r = tco::evaluate(in);
  ASSERT_TRUE(r.onprem);
  EXPECT_DOUBLE_EQ(r.onprem->capex_usd, 7024000.0);
  EXPECT_EQ(r.onprem->financing_usd, 0.0);
  EXPECT_FALSE(std::signbit(r.onprem->financing_usd));
}

TEST(TcoModel, HandWorkedExampleCloudAndComparison) {
  const auto r = tco::evaluate(hand_example());
  ASSERT_EQ(r.cloud.size(), 1u);
  const auto& c = r.cloud[0];
  EXPECT_DOUBLE_EQ(c.rerun_fraction, 0.0);
  EXPECT_DOUBLE_EQ(c.billed_gpu_hours_per_month, 5840.0);  // 16 · 730 · 0.5
  EXPECT_DOUBLE_EQ(c.gpu_usd_per_month, 14600.0);
  EXPECT_DOUBLE_EQ(c.storage_usd_per_month, 200.0);
  EXPECT_DOUBLE_EQ(c.egress_usd_per_month, 50.0);  // 1 TB = 1000 GB · $0.05
  EXPECT_DOUBLE_EQ(c.total_usd_per_month, 14850.0);
  EXPECT_DOUBLE_EQ(c.total_usd, 356400.0);
  EXPECT_NEAR(c.usd_per_gpu_hour, 356400.0 / 140160.0, 1e-12);
  EXPECT_DOUBLE_EQ(c.cumulative_usd[12], 178200.0);
  const double annual = 227285.0 + 5.0 / 7.0;
  ASSERT_TRUE(c.ratio_onprem_to_cloud);
  EXPECT_NEAR(*c.ratio_onprem_to_cloud, (2 * annual + 124950.0) / 356400.0, 1e-12);  // 1.626
  // Break-even month 430000 / (14850 − 5206.25 − 67571.43/24) = 62.97: beyond the 24 months.
  EXPECT_FALSE(c.break_even_month);
  EXPECT_NE(c.break_even_month_note.find("63.0 months"), std::string::npos) << c.break_even_month_note;
  // Break-even utilisation: (568571.43 − 6000) / (700800 − 21900) = 0.8287.
  ASSERT_TRUE(c.break_even_utilisation);
  EXPECT_NEAR(*c.break_even_utilisation, (2 * annual + 124950.0 - 10950.0 - 6000.0) / 678900.0, 1e-12);
}

TEST(TcoModel, HandWorkedExamplePerWorkload) {
  const auto r = tco::evaluate(hand_example());
  ASSERT_EQ(r.per_option.size(), 2u);
  const double onprem_rate = r.onprem->usd_per_gpu_hour;
  EXPECT_EQ(r.per_option[0].option, "on-prem");
  EXPECT_NEAR(*r.per_option[0].train_run_usd, 10000 * onprem_rate, 1e-9);  // 41347.13
  EXPECT_DOUBLE_EQ(*r.per_option[0].train_run_energy_kwh, 7812.5);         // 10000 · 5/8 kW · 1.25
  EXPECT_DOUBLE_EQ(*r.per_option[0].train_run_emissions_kg_co2e, 3125.0);
  EXPECT_NEAR(*r.per_option[0].usd_per_million_tokens, onprem_rate / 3.6, 1e-12);  // 1.1485
  EXPECT_NEAR(*r.per_option[1].train_run_usd, 10000 * 356400.0 / 140160.0, 1e-9);  // 25428.08
  EXPECT_FALSE(r.per_option[1].train_run_energy_kwh);                              // no cloud PUE given
  EXPECT_NEAR(*r.per_option[1].usd_per_million_tokens, 356400.0 / 140160.0 / 3.6, 1e-12);
}

TEST(TcoModel, BreakEvenUtilisationEqualisesTotals) {
  auto in = hand_example();
  const double u = *tco::evaluate(in).cloud[0].break_even_utilisation;
  in.fleet.utilisation = u;
  const auto r = tco::evaluate(in);
  EXPECT_NEAR(r.onprem->total_usd, r.cloud[0].total_usd, 1e-6 * r.cloud[0].total_usd);
  // Just above it on-prem is cheaper, just below cloud is.
  in.fleet.utilisation = u + 0.01;
  auto above = tco::evaluate(in);
  EXPECT_LT(above.onprem->total_usd, above.cloud[0].total_usd);
}

TEST(TcoModel, BreakEvenMonthWithinHorizonIsWhereCurvesCross) {
  auto in = hand_example();
  in.cloud[0].always_on = true;
  in.cloud[0].usd_per_gpu_hour = 8.0;  // 16 · 730 · 8 + 250 = 93690 per month
  const auto r = tco::evaluate(in);
  const auto& c = r.cloud[0];
  ASSERT_TRUE(c.break_even_month);
  const double slope = r.onprem->opex_usd_per_month + r.onprem->financing_usd / 24.0;
  EXPECT_NEAR(*c.break_even_month, 430000.0 / (93690.0 - slope), 1e-9);  // 4.85 months
  const auto m = static_cast<std::size_t>(*c.break_even_month);
  EXPECT_GT(r.onprem->cumulative_usd[m], c.cumulative_usd[m]);
  EXPECT_LT(r.onprem->cumulative_usd[m + 1], c.cumulative_usd[m + 1]);
  // Always-on cloud costs the same at any utilisation; on-prem only gains power with it.
  EXPECT_FALSE(c.break_even_utilisation);
  EXPECT_EQ(c.break_even_utilisation_note, "on-prem is cheaper at every utilisation in (0, 1]");
}

TEST(TcoModel, SpotRerunRaisesBilledHours) {
  auto in = hand_example();
  in.cloud[0].interruptions_per_day = 2;
  in.cloud[0].checkpoint_interval_h = 1;
  in.cloud[0].restart_overhead_h = 0.25;
  const auto r = tco::evaluate(in);
  EXPECT_DOUBLE_EQ(r.cloud[0].rerun_fraction, 0.0625);
  EXPECT_NEAR(r.cloud[0].billed_gpu_hours_per_month, 5840.0 / 0.9375, 1e-9);
}

TEST(TcoModel, TornadoIsSortedAndKnownForThePrice) {
  auto in = hand_example();
  in.cloud[0].storage_tb = 0;
  in.cloud[0].egress_tb_per_month = 0;  // cloud total ∝ price: ratio scales by 1/0.8 and 1/1.2
  const auto r = tco::evaluate_with_sensitivity(in);
  const auto& bars = r.cloud[0].tornado;
  ASSERT_FALSE(bars.empty());
  EXPECT_TRUE(std::is_sorted(bars.begin(), bars.end(),
                             [](const tco::TornadoBar& a, const tco::TornadoBar& b) { return a.swing > b.swing; }));
  const double ratio = *r.cloud[0].ratio_onprem_to_cloud;
  auto price = std::find_if(bars.begin(), bars.end(), [](auto& b) { return b.input == "cloud.usd_per_gpu_hour"; });
  ASSERT_NE(price, bars.end());
  EXPECT_NEAR(price->ratio_at_low, ratio / 0.8, 1e-12);
  EXPECT_NEAR(price->ratio_at_high, ratio / 1.2, 1e-12);
  EXPECT_NEAR(price->swing, ratio / 0.8 - ratio / 1.2, 1e-12);
  // Zero-valued inputs are not varied; PUE 1.25 · 0.8 = 1.0 stays valid, utilisation 0.6 too.
  EXPECT_EQ(std::count_if(bars.begin(), bars.end(), [](auto& b) { return b.input == "onprem.nic_usd_per_node"; }), 0);
}

TEST(TcoModel, TornadoClampsToValidRange) {
  auto in = hand_example();
  in.fleet.utilisation = 0.9;
  in.onprem->pue = 1.1;
  const auto r = tco::evaluate_with_sensitivity(in);
  for (const auto& b : r.cloud[0].tornado) {
    if (b.input == "fleet.utilisation") {
      EXPECT_DOUBLE_EQ(b.high_value, 1.0);
      EXPECT_TRUE(b.clamped);
    }
    if (b.input == "onprem.pue") {
      EXPECT_DOUBLE_EQ(b.low_value, 1.0);
      EXPECT_TRUE(b.clamped);
    }
    if (b.input == "onprem.node_usd") {
      EXPECT_FALSE(b.clamped);
      EXPECT_DOUBLE_EQ(b.low_value, 160000.0);
    }
  }
}

TEST(TcoModel, CloudOnlyHasNoComparison) {
  auto in = hand_example();
  in.onprem.reset();
  const auto r = tco::evaluate_with_sensitivity(in);
  EXPECT_FALSE(r.onprem);
  EXPECT_FALSE(r.cloud[0].ratio_onprem_to_cloud);
  EXPECT_TRUE(r.cloud[0].tornado.empty());
  EXPECT_DOUBLE_EQ(r.cloud[0].total_usd, 356400.0);
}

namespace {
std::string error_path(const tco::ModelInputs& in) {
  try {
    tco::validate(in);
  } catch (const headroom::core::InputError& e) {
    return e.json_path();
  }
  return "";
}
}  // namespace

TEST(TcoModel, ValidationNamesTheField) {
  EXPECT_EQ(error_path(hand_example()), "");
  auto in = hand_example();
  in.cloud[0].usd_per_gpu_hour = -1;
  EXPECT_EQ(error_path(in), "$.cloud[0].usd_per_gpu_hour");
  in = hand_example();
  in.fleet.utilisation = 1.2;
  EXPECT_EQ(error_path(in), "$.fleet.utilisation");
  in = hand_example();
  in.fleet.years = 0;
  EXPECT_EQ(error_path(in), "$.fleet.years");
  in = hand_example();
  in.onprem->pue = 0.9;
  EXPECT_EQ(error_path(in), "$.onprem.pue");
  in = hand_example();
  in.fleet.gpus = 10.5;
  EXPECT_EQ(error_path(in), "$.fleet.gpus");
  in = hand_example();
  in.cloud[0].interruptions_per_day = 24;
  in.cloud[0].checkpoint_interval_h = 2;  // ρ = 1: nothing ever finishes
  EXPECT_EQ(error_path(in), "$.cloud[0].interruptions_per_day");
}

TEST(TcoModel, TornadoSkipsAPerturbationThatLeavesTheValidInputs) {
  auto in = hand_example();
  in.cloud[0].interruptions_per_day = 10;
  in.cloud[0].checkpoint_interval_h = 4.4;  // ρ = 10/24 · 2.2 = 0.917; +20 % on τ gives ρ = 1.1
  const auto r = tco::evaluate_with_sensitivity(in);
  for (const auto& b : r.cloud[0].tornado) EXPECT_NE(b.input, "cloud.checkpoint_interval_h");
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes.back().find("cloud.checkpoint_interval_h not varied"), std::string::npos) << r.notes.back();
}

TEST(TcoModel, CommittedTermIsPaidInWholeTerms) {
  // A 3-year reservation costs 36 months of GPU-hours whatever the horizon: 12 months of horizon
  // still pay 36, 48 months pay two terms (72); storage and egress follow the horizon.
  auto in = hand_example();
  in.cloud[0].always_on = true;
  in.cloud[0].commitment_months = 36;
  const double gpu_per_month = 16 * 730 * 2.50;  // always on: 29200 USD
  for (const auto& [years, billed] : {std::pair{1.0, 36.0}, std::pair{3.0, 36.0}, std::pair{4.0, 72.0},
                                      std::pair{0.01, 36.0}}) {
    in.fleet.years = years;
    const auto r = tco::evaluate(in);
    const auto& c = r.cloud[0];
    EXPECT_DOUBLE_EQ(c.billed_months, billed) << years;
    EXPECT_NEAR(c.total_usd, gpu_per_month * billed + 250.0 * years * 12, 1e-6) << years;
    EXPECT_NEAR(c.cumulative_usd.back(), c.total_usd, 1e-6) << years;
    // Break-even utilisation equalises the totals with the committed months in them.
    if (c.break_even_utilisation) {
      auto at = in;
      at.fleet.utilisation = *c.break_even_utilisation;
      const auto t = tco::evaluate(at);
      EXPECT_NEAR(t.onprem->total_usd / t.cloud[0].total_usd, 1.0, 1e-9) << years;
    }
    const bool noted = std::any_of(r.notes.begin(), r.notes.end(), [](const std::string& n) {
      return n.find("cloud: a 36-month commitment is paid for whole terms") != std::string::npos;
    });
    EXPECT_EQ(noted, billed > years * 12) << years;
    // The break-even month agrees with the totals: when on-prem costs less over the horizon but the
    // month-by-month catch-up lies beyond it, on-prem is ahead at the horizon's end, when the rest of
    // the term falls due (review: it said "beyond the horizon" while the totals said on-prem was cheaper).
    if (c.billed_months > r.months && r.onprem->total_usd <= c.total_usd) {
      ASSERT_TRUE(c.break_even_month.has_value()) << years << ": " << c.break_even_month_note;
      EXPECT_LE(*c.break_even_month, r.months + 1e-9) << years;
    }
    if (c.break_even_month) {
      EXPECT_LE(*c.break_even_month, r.months + 1e-9) << years;
    }
  }
  // Without a commitment the horizon is billed.
  in.cloud[0].commitment_months = 0;
  in.fleet.years = 1;
  EXPECT_DOUBLE_EQ(tco::evaluate(in).cloud[0].billed_months, 12.0);
}

TEST(TcoModel, UtilisationHasAFloor) {
  auto in = hand_example();
  for (const double u : {1e-300, 5e-324, 0.0009}) {
    in.fleet.utilisation = u;
    try {
      tco::validate(in);
      ADD_FAILURE() << u;
    } catch (const headroom::core::InputError& e) {
      EXPECT_EQ(e.json_path(), "$.fleet.utilisation") << u;
      EXPECT_NE(e.expected().find("a busy fraction in [0.001, 1]"), std::string::npos) << e.expected();
    }
  }
  in.fleet.utilisation = 0.001;
  EXPECT_NO_THROW(tco::validate(in));
}
