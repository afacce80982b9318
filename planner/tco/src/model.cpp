#include "headroom/tco/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "headroom/core/errors.hpp"

namespace headroom::plan::tco {

double capital_recovery_factor(double rate_per_year, double years) {
  if (rate_per_year == 0.0) return 1.0 / years;
  // (1+r)^n − 1 via expm1/log1p: the plain difference loses all digits for small r.
  const double growth_minus_one = std::expm1(years * std::log1p(rate_per_year));
  return rate_per_year * (1.0 + growth_minus_one) / growth_minus_one;
}

double annual_capital_charge_usd(double capex_usd, double residual_usd, double rate_per_year, double years) {
  // The residual is received at the end, so only its present value offsets the capex.
  const double residual_present_usd = residual_usd / std::pow(1.0 + rate_per_year, years);
  return (capex_usd - residual_present_usd) * capital_recovery_factor(rate_per_year, years);
}

double spot_rerun_fraction(double interruptions_per_day, double checkpoint_interval_h, double restart_overhead_h) {
  const double interruptions_per_h = interruptions_per_day / 24.0;
  return interruptions_per_h * (checkpoint_interval_h / 2.0 + restart_overhead_h);
}

double energy_kwh_per_month(double nodes, double node_power_kw, double utilisation, double pue) {
  return nodes * node_power_kw * utilisation * pue * kHoursPerMonth;
}

double usd_per_million_tokens(double usd_per_gpu_hour, double tokens_per_s_per_gpu) {
  return usd_per_gpu_hour / (tokens_per_s_per_gpu * 3600.0) * 1e6;
}

// ---- the input table ----

std::string bound_text(const InputField& f) {
  switch (f.bound) {
    case Bound::kNonNegative:
      return fmt::format("a number in [0, {:g}]", f.max);
    case Bound::kPositive:
      return fmt::format("a number in (0, {:g}]", f.max);
    case Bound::kFraction:
      return fmt::format("a number in [0, {:g}]", std::min(f.max, 1.0));
    case Bound::kOpenFraction:
      return fmt::format("a number in (0, {:g}]", std::min(f.max, 1.0));
    case Bound::kUtilisation:
      return fmt::format("a busy fraction in [{:g}, {:g}] (below 0.1 % every per-useful-GPU-hour figure diverges)",
                         kMinUtilisation, std::min(f.max, 1.0));
    case Bound::kAtLeastOne:
      return fmt::format("a number in [1, {:g}]", f.max);
    case Bound::kCount:
      return fmt::format("an integer in [1, {:g}]", f.max);
  }
  return "a number";
}

bool within(double v, const InputField& f) {
  if (!std::isfinite(v) || v > f.max) return false;
  switch (f.bound) {
    case Bound::kNonNegative:
      return v >= 0;
    case Bound::kPositive:
      return v > 0;
    case Bound::kFraction:
      return v >= 0 && v <= 1;
    case Bound::kOpenFraction:
      return v > 0 && v <= 1;
    case Bound::kUtilisation:
      return v >= kMinUtilisation && v <= 1;
    case Bound::kAtLeastOne:
      return v >= 1;
    case Bound::kCount:
      return v >= 1 && std::floor(v) == v;
  }
  return false;
}

namespace {
double* opt_ref(std::optional<double>& v, bool create) {
  if (create && !v) v = 0.0;
  return v ? &*v : nullptr;
}
double* onprem_ref(ModelInputs& in, double OnPremInputs::*member) {
  return in.onprem ? &((*in.onprem).*member) : nullptr;
}
double* cloud_ref(ModelInputs& in, std::size_t i, double CloudInputs::*member) {
  return i < in.cloud.size() ? &(in.cloud[i].*member) : nullptr;
}
}  // namespace

const std::vector<InputField>& input_fields() {
  // Sanity ceilings (InputField::max): an order of magnitude or more beyond any real fleet, so they
  // only catch typos and overflow. Counts: 1e6 GPUs, switches (the largest clusters hold ~1e5 GPUs);
  // 1024 GPUs per node (a rack-scale NVL576 domain is 576); 50 years; 1000 kW per node (a GB200
  // NVL72 rack draws ~120 kW); 1e9 USD per priced item (node, switch, TB); 1e12 USD for totals
  // (installation, staff per year); PUE 10; 10 USD per kWh; 1e6 TB of storage; 1e4 USD per GPU-hour.
  constexpr double kMaxCount = 1e6;
  constexpr double kMaxItemUsd = 1e9;
  constexpr double kMaxTotalUsd = 1e12;
  constexpr double kMaxTb = 1e6;
  constexpr double kMaxPue = 10;
  constexpr double kMaxHours = 1e5;  // checkpoint interval, restart overhead (> 11 years)
  // Captureless lambdas convert to the plain function pointer in InputField.
#define HR_FLEET(name, bound, max, varied, help)                                                                \
  InputField {                                                                                                  \
    "fleet", #name, bound, max, varied, help, [](ModelInputs& in, std::size_t, bool) { return &in.fleet.name; } \
  }
#define HR_ONPREM(name, bound, max, varied, help)                                              \
  InputField {                                                                                 \
    "onprem", #name, bound, max, varied, help,                                                 \
        [](ModelInputs& in, std::size_t, bool) { return onprem_ref(in, &OnPremInputs::name); } \
  }
#define HR_CLOUD(name, bound, max, varied, help)                                                  \
  InputField {                                                                                    \
    "cloud", #name, bound, max, varied, help,                                                     \
        [](ModelInputs& in, std::size_t i, bool) { return cloud_ref(in, i, &CloudInputs::name); } \
  }
  static const std::vector<InputField> fields{
      HR_FLEET(gpus, Bound::kCount, kMaxCount, false, "GPUs in the fleet (count)"),
      HR_FLEET(gpus_per_node, Bound::kCount, 1024, false, "GPUs per node (count)"),
      HR_FLEET(utilisation, Bound::kUtilisation, 1, true, "busy fraction of wall time, [0.001, 1]"),
      HR_FLEET(years, Bound::kPositive, 50, true, "horizon and depreciation period (years)"),
      HR_FLEET(node_power_kw, Bound::kNonNegative, 1000, true, "IT power of a busy node (kW)"),
      HR_FLEET(provisioned_kw_per_node, Bound::kNonNegative, 1000, true,
               "IT power billed by the colocation (kW per node)"),
      HR_ONPREM(node_usd, Bound::kNonNegative, kMaxItemUsd, true, "price of one node (USD)"),
      HR_ONPREM(nic_usd_per_node, Bound::kNonNegative, kMaxItemUsd, true,
                "NICs per node when not in the node price (USD)"),
      HR_ONPREM(switches, Bound::kNonNegative, kMaxCount, false, "network switches (count)"),
      HR_ONPREM(switch_usd, Bound::kNonNegative, kMaxItemUsd, true, "price of one switch (USD)"),
      HR_ONPREM(storage_tb, Bound::kNonNegative, kMaxTb, false, "on-prem storage (TB = 1e12 bytes)"),
      HR_ONPREM(storage_usd_per_tb, Bound::kNonNegative, kMaxItemUsd, true, "storage price (USD per TB)"),
      HR_ONPREM(installation_usd, Bound::kNonNegative, kMaxTotalUsd, true, "installation (USD, once)"),
      HR_ONPREM(pue, Bound::kAtLeastOne, kMaxPue, true, "power usage effectiveness (>= 1)"),
      HR_ONPREM(tariff_usd_per_kwh, Bound::kNonNegative, 10, true, "electricity tariff (USD per kWh)"),
      HR_ONPREM(colocation_usd_per_kw_month, Bound::kNonNegative, kMaxItemUsd, true,
                "colocation (USD per provisioned kW-month)"),
      HR_ONPREM(staff_usd_per_year, Bound::kNonNegative, kMaxTotalUsd, true, "staff cost (USD per year)"),
      HR_ONPREM(maintenance_fraction_per_year, Bound::kFraction, 1, true,
                "maintenance/support (fraction of capex per year)"),
      HR_ONPREM(residual_fraction, Bound::kFraction, 1, true, "residual value at the end (fraction of capex)"),
      HR_ONPREM(cost_of_capital_per_year, Bound::kFraction, 1, true, "cost of capital (fraction per year, 0 = none)"),
      HR_CLOUD(usd_per_gpu_hour, Bound::kPositive, 1e4, true, "cloud price (USD per GPU-hour)"),
      HR_CLOUD(storage_tb, Bound::kNonNegative, kMaxTb, false, "cloud storage (TB)"),
      HR_CLOUD(storage_usd_per_tb_month, Bound::kNonNegative, kMaxItemUsd, true,
               "cloud storage price (USD per TB-month)"),
      HR_CLOUD(egress_tb_per_month, Bound::kNonNegative, kMaxTb, true, "egress (TB per month)"),
      HR_CLOUD(egress_usd_per_gb, Bound::kNonNegative, kMaxItemUsd, true, "egress price (USD per GB)"),
      HR_CLOUD(interruptions_per_day, Bound::kNonNegative, 1440, true, "spot interruptions per day"),
      HR_CLOUD(checkpoint_interval_h, Bound::kNonNegative, kMaxHours, true, "checkpoint interval (hours)"),
      HR_CLOUD(restart_overhead_h, Bound::kNonNegative, kMaxHours, true, "restart cost per interruption (hours)"),
      InputField{"cloud", "pue", Bound::kAtLeastOne, kMaxPue, false, "cloud PUE for the energy estimate (>= 1)",
                 [](ModelInputs& in, std::size_t i, bool create) {
                   return i < in.cloud.size() ? opt_ref(in.cloud[i].pue, create) : nullptr;
                 }},
      // 1e12 GPU-hours: 1e6 GPUs busy for over a century.
      InputField{
          "workload", "train_gpu_hours", Bound::kPositive, 1e12, false, "useful GPU-hours of one training run",
          [](ModelInputs& in, std::size_t, bool create) { return opt_ref(in.workload.train_gpu_hours, create); }},
      InputField{
          "workload", "tokens_per_s_per_gpu", Bound::kPositive, 1e9, false, "served tokens/s per GPU",
          [](ModelInputs& in, std::size_t, bool create) { return opt_ref(in.workload.tokens_per_s_per_gpu, create); }},
      // Coal-fired generation emits about 1 kg CO2e per kWh.
      InputField{"energy", "grid_kg_co2e_per_kwh", Bound::kNonNegative, 10, false, "grid intensity (kg CO2e per kWh)",
                 [](ModelInputs& in, std::size_t, bool create) { return opt_ref(in.grid_kg_co2e_per_kwh, create); }},
  };
#undef HR_FLEET
#undef HR_ONPREM
#undef HR_CLOUD
  return fields;
}

namespace {
std::string field_path(const InputField& f, std::size_t cloud_index) {
  if (f.section == "cloud") return fmt::format("$.cloud[{}].{}", cloud_index, f.name);
  return fmt::format("$.{}.{}", f.section, f.name);
}

std::string num(double v) {
  return fmt::format("{}", v);
}
}  // namespace

void validate(const ModelInputs& in_const) {
  ModelInputs in = in_const;  // input_fields() hands out mutable pointers; nothing is changed here
  for (const auto& f : input_fields()) {
    const std::size_t copies = f.section == "cloud" ? in.cloud.size() : 1;
    for (std::size_t i = 0; i < copies; ++i) {
      const double* v = f.ref(in, i, false);
      if (v && !within(*v, f)) {
        throw core::InputError("", field_path(f, i), fmt::format("{}, got {}", bound_text(f), num(*v)));
      }
    }
  }
  // (The busy fraction's floor, Bound::kUtilisation, is checked with the fields above: every
  // per-useful-GPU-hour figure divides by it; 1e-300 printed a 300-digit USD/GPU-h, 5e-324 inf.)
  for (std::size_t i = 0; i < in.cloud.size(); ++i) {
    const auto& c = in.cloud[i];
    const double rerun = spot_rerun_fraction(c.interruptions_per_day, c.checkpoint_interval_h, c.restart_overhead_h);
    if (rerun >= 1.0) {
      throw core::InputError("", fmt::format("$.cloud[{}].interruptions_per_day", i),
                             fmt::format("interruptions/day / 24 x (checkpoint interval / 2 + restart) < 1 "
                                         "(otherwise no work ever completes), got {:.3f}",
                                         rerun));
    }
    if (c.always_on && in.fleet.utilisation / (1.0 - rerun) > 1.0) {
      throw core::InputError("", fmt::format("$.cloud[{}].billing", i),
                             "'per_use' here: utilisation / (1 - spot re-run fraction) exceeds the always-on hours");
    }
  }
}

namespace {

OnPremResult evaluate_onprem(const FleetInputs& fleet, const OnPremInputs& op, std::optional<double> grid) {
  OnPremResult r;
  const double months = fleet.years * 12.0;
  r.nodes = std::ceil(fleet.gpus / fleet.gpus_per_node);
  r.capex_usd = r.nodes * (op.node_usd + op.nic_usd_per_node) + op.switches * op.switch_usd +
                op.storage_tb * op.storage_usd_per_tb + op.installation_usd;
  r.residual_usd = op.residual_fraction * r.capex_usd;
  r.annual_capital_charge_usd =
      annual_capital_charge_usd(r.capex_usd, r.residual_usd, op.cost_of_capital_per_year, fleet.years);
  // Without a cost of capital there is no financing: 0 exactly, not the round-off of charge × years
  // − (capex − residual) (−9.3e-10 USD for 22 nodes of 3 GPUs over 3 years, printed "-0").
  r.financing_usd = op.cost_of_capital_per_year == 0
                        ? 0.0
                        : r.annual_capital_charge_usd * fleet.years - (r.capex_usd - r.residual_usd);

  const double energy_month = energy_kwh_per_month(r.nodes, fleet.node_power_kw, fleet.utilisation, op.pue);
  r.power_usd_per_month = energy_month * op.tariff_usd_per_kwh;
  // Colocation bills the provisioned power whether or not it is drawn.
  r.colocation_usd_per_month = r.nodes * fleet.provisioned_kw_per_node * op.colocation_usd_per_kw_month;
  r.staff_usd_per_month = op.staff_usd_per_year / 12.0;
  r.maintenance_usd_per_month = op.maintenance_fraction_per_year * r.capex_usd / 12.0;
  r.opex_usd_per_month =
      r.power_usd_per_month + r.colocation_usd_per_month + r.staff_usd_per_month + r.maintenance_usd_per_month;
  r.total_usd = r.annual_capital_charge_usd * fleet.years + r.opex_usd_per_month * months;
  r.useful_gpu_hours = fleet.gpus * kHoursPerYear * fleet.years * fleet.utilisation;
  r.usd_per_gpu_hour = r.total_usd / r.useful_gpu_hours;
  r.energy_kwh = energy_month * months;
  if (grid) r.emissions_kg_co2e = r.energy_kwh * *grid;

  // Cash view: capex at month 0, opex and the financing cost spread evenly, residual at the end.
  const auto whole_months = static_cast<std::size_t>(std::ceil(months));
  const double per_month = r.opex_usd_per_month + r.financing_usd / months;
  r.cumulative_usd.reserve(whole_months + 1);
  for (std::size_t m = 0; m <= whole_months; ++m) {
    const double t = std::min(static_cast<double>(m), months);
    r.cumulative_usd.push_back(r.capex_usd + per_month * t - (m == whole_months ? r.residual_usd : 0.0));
  }
  return r;
}

struct CloudLinear {
  double fixed_usd = 0;     ///< over the horizon: storage + egress (+ GPUs when always on)
  double per_util_usd = 0;  ///< over the horizon, per unit of utilisation (per-use GPUs)
};

/// Months of GPU charges over a horizon of `months`: the horizon itself, or whole terms of a
/// commitment (a 3-year reservation costs 36 months even when the horizon is 12). The 1e-9
/// tolerance keeps 36.000000000001 months (years × 12 in floating point) at one term.
double billed_months(double months, const CloudInputs& c) {
  if (c.commitment_months <= 0) return months;
  const double terms = std::max(1.0, std::ceil(months / c.commitment_months - 1e-9));
  return terms * c.commitment_months;
}

/// The cloud total over the horizon as t0 + t1·u (u = utilisation), for the break-even utilisation.
CloudLinear cloud_linear(const FleetInputs& fleet, const CloudInputs& c, double rerun, double months) {
  CloudLinear l;
  const double storage = c.storage_tb * c.storage_usd_per_tb_month;
  const double egress = c.egress_tb_per_month * 1000.0 * c.egress_usd_per_gb;  // 1 TB = 1000 GB
  const double all_hours_usd = fleet.gpus * kHoursPerMonth * c.usd_per_gpu_hour;
  const double gpu_months = billed_months(months, c);
  l.fixed_usd = (storage + egress) * months + (c.always_on ? all_hours_usd * gpu_months : 0.0);
  l.per_util_usd = c.always_on ? 0.0 : all_hours_usd / (1.0 - rerun) * gpu_months;
  return l;
}

CloudResult evaluate_cloud(const FleetInputs& fleet, const CloudInputs& c, std::optional<double> grid) {
  CloudResult r;
  r.label = c.label;
  const double months = fleet.years * 12.0;
  r.rerun_fraction = spot_rerun_fraction(c.interruptions_per_day, c.checkpoint_interval_h, c.restart_overhead_h);
  const double busy_gpu_hours_per_month = fleet.gpus * kHoursPerMonth * fleet.utilisation / (1.0 - r.rerun_fraction);
  r.billed_gpu_hours_per_month = c.always_on ? fleet.gpus * kHoursPerMonth : busy_gpu_hours_per_month;
  r.gpu_usd_per_month = r.billed_gpu_hours_per_month * c.usd_per_gpu_hour;
  r.storage_usd_per_month = c.storage_tb * c.storage_usd_per_tb_month;
  r.egress_usd_per_month = c.egress_tb_per_month * 1000.0 * c.egress_usd_per_gb;
  r.total_usd_per_month = r.gpu_usd_per_month + r.storage_usd_per_month + r.egress_usd_per_month;
  r.billed_months = billed_months(months, c);
  r.total_usd = r.gpu_usd_per_month * r.billed_months + (r.storage_usd_per_month + r.egress_usd_per_month) * months;
  r.usd_per_gpu_hour = r.total_usd / (fleet.gpus * kHoursPerYear * fleet.years * fleet.utilisation);
  if (c.pue) {
    // Busy GPUs draw their share of a busy node; idle draw is not counted (as on-prem).
    r.energy_kwh = busy_gpu_hours_per_month * months * fleet.node_power_kw / fleet.gpus_per_node * *c.pue;
    if (grid) r.emissions_kg_co2e = *r.energy_kwh * *grid;
  }
  const auto whole_months = static_cast<std::size_t>(std::ceil(months));
  for (std::size_t m = 0; m <= whole_months; ++m) {
    r.cumulative_usd.push_back(r.total_usd_per_month * std::min(static_cast<double>(m), months));
  }
  // The months of a commitment's term beyond the horizon are owed all the same: at its end.
  r.cumulative_usd.back() = r.total_usd;
  return r;
}

void compare(const ModelInputs& in, const OnPremResult& op, CloudResult& c, const CloudInputs& ci) {
  const double months = in.fleet.years * 12.0;
  c.ratio_onprem_to_cloud = c.total_usd > 0 ? std::optional<double>(op.total_usd / c.total_usd) : std::nullopt;

  // Break-even month: capex + m·(opex + financing/months) = m·cloud_per_month, solved for m.
  const double onprem_slope = op.opex_usd_per_month + op.financing_usd / months;
  const double gap = c.total_usd_per_month - onprem_slope;
  const double m = gap > 0 ? op.capex_usd / gap : 0.0;  // month-by-month catch-up (gap > 0 only)
  if (gap > 0 && m <= months) {
    c.break_even_month = m;
  } else if (c.billed_months > months * (1 + 1e-9) && op.total_usd <= c.total_usd) {
    // A commitment's remaining term falls due at the horizon's end (the cumulative curve's last
    // step): on-prem, behind month by month (or never ahead month by month), is ahead there.
    c.break_even_month = months;
    c.break_even_month_note = fmt::format(
        "on-prem catches up at the end of the {:.3g}-month horizon, when the commitment's remaining {:.3g} months "
        "of GPU-hours fall due ({})",
        months, c.billed_months - months,
        gap > 0 ? fmt::format("month by month it would take {:.1f} months", m)
                : std::string("month by month the cloud costs no more"));
  } else if (gap <= 0) {
    c.break_even_month_note = "cloud costs no more per month than running on-prem: on-prem never catches up";
  } else {
    c.break_even_month_note =
        fmt::format("on-prem would catch up after {:.1f} months, beyond the {:.3g}-month horizon", m, months);
  }

  // Break-even utilisation: both totals are linear in u, so solve a0 + a1·u = c0 + c1·u exactly.
  const auto& o = *in.onprem;
  const double a1 = energy_kwh_per_month(op.nodes, in.fleet.node_power_kw, 1.0, o.pue) * o.tariff_usd_per_kwh * months;
  const double a0 = op.total_usd - a1 * in.fleet.utilisation;
  const CloudLinear l = cloud_linear(in.fleet, ci, c.rerun_fraction, months);
  const double c0 = l.fixed_usd;
  const double c1 = l.per_util_usd;
  const std::optional<double> u = a1 != c1 ? std::optional<double>((c0 - a0) / (a1 - c1)) : std::nullopt;
  if (u && *u > 0 && *u <= 1) {
    c.break_even_utilisation = *u;
  } else {
    // No root in (0, 1]: the sign of the difference there is the sign at u = 1.
    c.break_even_utilisation_note = a0 + a1 < c0 + c1 ? "on-prem is cheaper at every utilisation in (0, 1]"
                                                      : "cloud is cheaper at every utilisation in (0, 1]";
  }
}

}  // namespace

TcoResult evaluate(const ModelInputs& in) {
  TcoResult r;
  r.months = in.fleet.years * 12.0;
  if (in.onprem) r.onprem = evaluate_onprem(in.fleet, *in.onprem, in.grid_kg_co2e_per_kwh);
  for (const auto& ci : in.cloud) {
    r.cloud.push_back(evaluate_cloud(in.fleet, ci, in.grid_kg_co2e_per_kwh));
    if (r.onprem) compare(in, *r.onprem, r.cloud.back(), ci);
    const CloudResult& c = r.cloud.back();
    if (c.billed_months > r.months * (1 + 1e-9)) {
      r.notes.push_back(fmt::format(
          "{}: a {:.0f}-month commitment is paid for whole terms: {:.0f} months of GPU-hours billed for a {:.3g}-month "
          "horizon ({:.0f} USD of it beyond the horizon, counted in the total)",
          c.label, ci.commitment_months, c.billed_months, r.months, c.gpu_usd_per_month * (c.billed_months - r.months)));
    }
  }

  const auto option = [&](const std::string& name, double usd_per_gpu_hour, std::optional<double> kwh_per_gpu_hour) {
    OptionCost oc;
    oc.option = name;
    if (in.workload.train_gpu_hours) {
      oc.train_run_usd = *in.workload.train_gpu_hours * usd_per_gpu_hour;
      if (kwh_per_gpu_hour) {
        oc.train_run_energy_kwh = *in.workload.train_gpu_hours * *kwh_per_gpu_hour;
        if (in.grid_kg_co2e_per_kwh)
          oc.train_run_emissions_kg_co2e = *oc.train_run_energy_kwh * *in.grid_kg_co2e_per_kwh;
      }
    }
    if (in.workload.tokens_per_s_per_gpu) {
      oc.usd_per_million_tokens = usd_per_million_tokens(usd_per_gpu_hour, *in.workload.tokens_per_s_per_gpu);
    }
    r.per_option.push_back(oc);
  };
  const double kw_per_gpu = in.fleet.node_power_kw / in.fleet.gpus_per_node;
  if (r.onprem) option("on-prem", r.onprem->usd_per_gpu_hour, kw_per_gpu * in.onprem->pue);
  for (std::size_t i = 0; i < r.cloud.size(); ++i) {
    const auto& ci = in.cloud[i];
    // Spot re-runs burn energy too: kWh per useful GPU-hour grows by 1/(1 − ρ).
    std::optional<double> kwh;
    if (ci.pue) kwh = kw_per_gpu * *ci.pue / (1.0 - r.cloud[i].rerun_fraction);
    option(r.cloud[i].label, r.cloud[i].usd_per_gpu_hour, kwh);
  }
  return r;
}

TcoResult evaluate_with_sensitivity(const ModelInputs& in, double fraction) {
  TcoResult r = evaluate(in);
  if (!r.onprem) return r;
  for (std::size_t ci = 0; ci < in.cloud.size(); ++ci) {
    std::vector<TornadoBar> bars;
    for (const auto& f : input_fields()) {
      if (!f.varied) continue;
      // On-prem and fleet inputs, plus this option's own cloud inputs.
      const std::size_t index = f.section == "cloud" ? ci : 0;
      ModelInputs probe = in;
      const double* base_ptr = f.ref(probe, index, false);
      if (!base_ptr || *base_ptr == 0.0) continue;  // ±20 % of nothing is nothing
      const double base = *base_ptr;
      TornadoBar bar;
      const auto ratio_at = [&](double v, double& used) {
        ModelInputs m = in;
        // Clamp into the valid range (utilisation <= 1, PUE >= 1, fractions <= 1, the ceilings).
        const double wanted = v;
        v = std::min(v, f.max);
        if (f.bound == Bound::kAtLeastOne) v = std::max(v, 1.0);
        if (f.bound == Bound::kUtilisation) v = std::max(v, kMinUtilisation);
        if (v != wanted) bar.clamped = true;
        used = v;
        *f.ref(m, index, false) = v;
        validate(m);  // e.g. +20 % on a checkpoint interval can push the spot re-run fraction to 1
        const TcoResult t = evaluate(m);
        return t.onprem->total_usd / t.cloud[ci].total_usd;
      };
      bar.input = f.section == "cloud" ? "cloud." + f.name : f.section + "." + f.name;
      bar.base_value = base;
      try {
        bar.ratio_at_low = ratio_at(base * (1.0 - fraction), bar.low_value);
        bar.ratio_at_high = ratio_at(base * (1.0 + fraction), bar.high_value);
      } catch (const core::InputError& e) {
        r.notes.push_back(fmt::format("tornado vs {}: {} not varied: ±{:.0f} % leaves the valid inputs ({})",
                                      r.cloud[ci].label, bar.input, fraction * 100, e.what()));
        continue;
      }
      bar.swing = std::fabs(bar.ratio_at_high - bar.ratio_at_low);
      bars.push_back(bar);
    }
    std::stable_sort(bars.begin(), bars.end(),
                     [](const TornadoBar& a, const TornadoBar& b) { return a.swing > b.swing; });
    r.cloud[ci].tornado = std::move(bars);
  }
  return r;
}

}  // namespace headroom::plan::tco
