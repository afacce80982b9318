// Known-answer tests for every TCO formula, each worked by hand in the comment beside it.
#include <gtest/gtest.h>

#include <cmath>

#include "headroom/tco/model.hpp"
#include "headroom/tco/prices.hpp"

namespace tco = headroom::plan::tco;

TEST(TcoFormulas, CapitalRecoveryFactorZeroRateIsStraightLine) {
  EXPECT_DOUBLE_EQ(tco::capital_recovery_factor(0.0, 4.0), 0.25);
}

TEST(TcoFormulas, CapitalRecoveryFactorKnownAnswers) {
  // r = 10 %, n = 2: 0.1 · 1.21 / 0.21 = 0.576190476...
  EXPECT_NEAR(tco::capital_recovery_factor(0.10, 2.0), 0.121 / 0.21, 1e-14);
  // r = 5 %, n = 3: 0.05 · 1.157625 / 0.157625 = 0.367208564...
  EXPECT_NEAR(tco::capital_recovery_factor(0.05, 3.0), 0.05 * 1.157625 / 0.157625, 1e-14);
  // Tends to 1/n as r -> 0.
  EXPECT_NEAR(tco::capital_recovery_factor(1e-9, 3.0), 1.0 / 3.0, 1e-8);
  EXPECT_NEAR(tco::capital_recovery_factor(1e-12, 3.0), 1.0 / 3.0, 1e-11);
}

TEST(TcoFormulas, AnnualCapitalCharge) {
  // r = 0: (C − R)/n = (100000 − 10000)/3 = 30000.
  EXPECT_DOUBLE_EQ(tco::annual_capital_charge_usd(100000, 10000, 0.0, 3.0), 30000.0);
  // r = 10 %, n = 2, C = 430000, R = 43000: (430000 − 43000/1.21) · 0.121/0.21 = 227285.714285...
  EXPECT_NEAR(tco::annual_capital_charge_usd(430000, 43000, 0.10, 2.0), 227285.0 + 5.0 / 7.0, 1e-6);
  // An annuity repays the loan: payments discounted at r sum to C − R/(1+r)^n.
  const double a = tco::annual_capital_charge_usd(1000, 0, 0.07, 5.0);
  double present = 0;
  for (int year = 1; year <= 5; ++year) present += a / std::pow(1.07, year);
  EXPECT_NEAR(present, 1000.0, 1e-9);
}

TEST(TcoFormulas, SpotRerunFraction) {
  // 1 interruption/day, checkpoint every 2 h, no restart cost: (1/24) · 1 h = 1/24.
  EXPECT_DOUBLE_EQ(tco::spot_rerun_fraction(1.0, 2.0, 0.0), 1.0 / 24.0);
  // 2/day, 1 h checkpoints, 15 min restart: (2/24) · (0.5 + 0.25) = 0.0625.
  EXPECT_DOUBLE_EQ(tco::spot_rerun_fraction(2.0, 1.0, 0.25), 0.0625);
  EXPECT_DOUBLE_EQ(tco::spot_rerun_fraction(0.0, 4.0, 1.0), 0.0);
}

TEST(TcoFormulas, EnergyPerMonth) {
  // 2 nodes · 5 kW · 0.5 · 1.25 · 730 h = 4562.5 kWh.
  EXPECT_DOUBLE_EQ(tco::energy_kwh_per_month(2, 5.0, 0.5, 1.25), 4562.5);
  EXPECT_DOUBLE_EQ(tco::kHoursPerMonth, 730.0);
}

TEST(TcoFormulas, UsdPerMillionTokens) {
  // $3.60/GPU-h at 1000 tokens/s = 3.6e6 tokens per hour -> $1.00 per million tokens.
  EXPECT_DOUBLE_EQ(tco::usd_per_million_tokens(3.6, 1000.0), 1.0);
  EXPECT_DOUBLE_EQ(tco::usd_per_million_tokens(2.0, 2500.0), 2.0 / 9.0);
}

TEST(TcoFormulas, Dates) {
  auto d = tco::parse_date("2024-02-29");
  ASSERT_TRUE(d);
  EXPECT_EQ(tco::format_date(*d), "2024-02-29");
  EXPECT_FALSE(tco::parse_date("2023-02-29"));
  EXPECT_FALSE(tco::parse_date("2023-13-01"));
  EXPECT_FALSE(tco::parse_date("2023-1-01"));
  EXPECT_FALSE(tco::parse_date("June 2025"));
}

TEST(TcoFormulas, StalenessIsOneCalendarYear) {
  const auto today = *tco::parse_date("2026-11-22");
  EXPECT_FALSE(tco::is_stale("2025-11-22", today));  // exactly one year: not yet older
  EXPECT_TRUE(tco::is_stale("2025-11-21", today));
  EXPECT_FALSE(tco::is_stale("2026-11-09", today));
  EXPECT_TRUE(tco::is_stale(std::nullopt, today));  // undated counts as stale
  // 29 Feb + 1 year -> 1 Mar.
  EXPECT_FALSE(tco::is_stale("2024-02-29", *tco::parse_date("2025-03-01")));
  EXPECT_TRUE(tco::is_stale("2024-02-29", *tco::parse_date("2025-03-02")));
}
