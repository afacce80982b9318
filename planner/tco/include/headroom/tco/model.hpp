#pragma once
/// The TCO model on plain numbers (no files, no catalog, no planner types): on-prem capex with
/// straight-line depreciation and an optional cost of capital, power, colocation, staff,
/// maintenance and residual value, against cloud options billed per GPU-hour. All money in USD,
/// energy in kWh, power in kW, time in months of 730 h (8760 h / 12).
#include <optional>
#include <string>
#include <vector>

namespace headroom::plan::tco {

inline constexpr double kHoursPerYear = 8760.0;
inline constexpr double kHoursPerMonth = kHoursPerYear / 12.0;  // 730 h
/// Smallest utilisation (busy fraction) the model accepts: costs per useful GPU-hour divide by it.
inline constexpr double kMinUtilisation = 1e-3;

// ---- formulas (each has a known-answer test) ----

/// Capital recovery factor: the constant annual payment per dollar borrowed at rate r for n years,
/// CRF = r(1+r)^n / ((1+r)^n − 1); the limit 1/n at r = 0.
double capital_recovery_factor(double rate_per_year, double years);
/// Annual capital charge of capex C with residual value R at the end of n years at rate r:
/// A = (C − R/(1+r)^n) · CRF(r, n). At r = 0 this is straight-line depreciation (C − R)/n.
double annual_capital_charge_usd(double capex_usd, double residual_usd, double rate_per_year, double years);
/// Fraction of billed time that is redone after spot interruptions: with λ interruptions per hour,
/// a checkpoint every τ hours and a restart cost of t_r hours, each interruption loses on average
/// τ/2 (half a checkpoint interval) + t_r hours, so ρ = λ · (τ/2 + t_r).
double spot_rerun_fraction(double interruptions_per_day, double checkpoint_interval_h, double restart_overhead_h);
/// Facility energy per month: nodes · draw_kw · utilisation · PUE · 730 h.
double energy_kwh_per_month(double nodes, double node_power_kw, double utilisation, double pue);
/// USD per million tokens from USD per GPU-hour and tokens/s per GPU: usd_per_h / (tps · 3600) · 1e6.
double usd_per_million_tokens(double usd_per_gpu_hour, double tokens_per_s_per_gpu);

// ---- inputs ----

struct FleetInputs {
  double gpus = 0;  ///< GPUs in the fleet (and rented in the cloud)
  double gpus_per_node = 8;
  double utilisation = 1.0;            ///< busy fraction of wall time, [kMinUtilisation, 1]
  double years = 3;                    ///< horizon = depreciation period, > 0
  double node_power_kw = 0;            ///< IT draw of a busy node (measured or TDP-based), kW
  double provisioned_kw_per_node = 0;  ///< IT power billed by the colocation, kW per node
};

struct OnPremInputs {
  double node_usd = 0;          ///< price of one node
  double nic_usd_per_node = 0;  ///< when not included in node_usd
  double switches = 0;          ///< count
  double switch_usd = 0;
  double storage_tb = 0;  ///< TB = 1e12 bytes
  double storage_usd_per_tb = 0;
  double installation_usd = 0;
  double pue = 1.0;               ///< >= 1
  double tariff_usd_per_kwh = 0;  ///< 0: power not billed separately
  double colocation_usd_per_kw_month = 0;
  double staff_usd_per_year = 0;
  double maintenance_fraction_per_year = 0;  ///< of capex, per year
  double residual_fraction = 0;              ///< of capex, realised at the end of the horizon
  double cost_of_capital_per_year = 0;       ///< 0: plain straight-line depreciation
};

struct CloudInputs {
  std::string label;  ///< e.g. "aws-p5.48xlarge reserved_3yr"
  double usd_per_gpu_hour = 0;
  bool always_on = false;  ///< true: billed 730 h/month whatever the utilisation
  /// A reservation's term in months (12 for reserved_1yr, 36 for reserved_3yr; 0: no commitment).
  /// A commitment is paid for whole terms: a horizon shorter than the term (or not a multiple of
  /// it) still pays ceil(horizon / term) terms of GPU-hours.
  double commitment_months = 0;
  double storage_tb = 0;
  double storage_usd_per_tb_month = 0;
  double egress_tb_per_month = 0;
  double egress_usd_per_gb = 0;
  double interruptions_per_day = 0;  ///< spot interruptions
  double checkpoint_interval_h = 0;
  double restart_overhead_h = 0;
  std::optional<double> pue;  ///< for the energy estimate only; nullopt: not estimated
};

struct WorkloadInputs {
  std::optional<double> train_gpu_hours;       ///< useful GPU-hours of one training run (planner)
  std::optional<double> tokens_per_s_per_gpu;  ///< served tokens/s per GPU (planner / measured)
};

struct ModelInputs {
  FleetInputs fleet;
  std::optional<OnPremInputs> onprem;  ///< nullopt: cloud options only
  std::vector<CloudInputs> cloud;
  WorkloadInputs workload;
  std::optional<double> grid_kg_co2e_per_kwh;
};

/// Checks ranges; throws core::InputError whose path names the field ("$.onprem.pue",
/// "$.cloud[1].usd_per_gpu_hour") and what was expected.
void validate(const ModelInputs& in);

// ---- outputs ----

struct OnPremResult {
  double nodes = 0;
  double capex_usd = 0;
  double residual_usd = 0;
  double annual_capital_charge_usd = 0;
  double financing_usd = 0;  ///< capital charge over the horizon − (capex − residual)
  double power_usd_per_month = 0;
  double colocation_usd_per_month = 0;
  double staff_usd_per_month = 0;
  double maintenance_usd_per_month = 0;
  double opex_usd_per_month = 0;
  double total_usd = 0;         ///< capital charge · years + opex · months
  double useful_gpu_hours = 0;  ///< gpus · 8760 · years · utilisation
  double usd_per_gpu_hour = 0;  ///< total / useful GPU-hours
  double energy_kwh = 0;        ///< facility energy over the horizon
  std::optional<double> emissions_kg_co2e;
  std::vector<double> cumulative_usd;  ///< month 0..months (cash: capex at month 0)
};

struct TornadoBar {
  std::string input;  ///< field path, e.g. "onprem.node_usd"
  double base_value = 0;
  double low_value = 0;     ///< −20 % (clamped to the valid range)
  double high_value = 0;    ///< +20 % (clamped)
  double ratio_at_low = 0;  ///< on-prem / cloud total at low_value
  double ratio_at_high = 0;
  double swing = 0;      ///< |ratio_at_high − ratio_at_low|
  bool clamped = false;  ///< a ±20 % value left the valid range and was clamped
};

struct CloudResult {
  std::string label;
  double rerun_fraction = 0;  ///< ρ, spot re-run share of billed time
  double billed_gpu_hours_per_month = 0;
  double gpu_usd_per_month = 0;
  double storage_usd_per_month = 0;
  double egress_usd_per_month = 0;
  double total_usd_per_month = 0;
  /// Months of GPU-hours billed: the horizon, or ceil(horizon / term) · term under a commitment.
  double billed_months = 0;
  double total_usd = 0;  ///< GPU charges · billed_months + (storage + egress) · horizon months
  double usd_per_gpu_hour = 0;  ///< total / useful GPU-hours
  std::optional<double> energy_kwh;
  std::optional<double> emissions_kg_co2e;
  std::vector<double> cumulative_usd;  ///< month 0..months
  // Against on-prem (absent without an on-prem side):
  std::optional<double> ratio_onprem_to_cloud;
  std::optional<double> break_even_month;  ///< solved; nullopt when outside (0, months]
  std::string break_even_month_note;
  std::optional<double> break_even_utilisation;  ///< solved; nullopt when outside (0, 1]
  std::string break_even_utilisation_note;
  std::vector<TornadoBar> tornado;  ///< sorted by swing, largest first
};

struct OptionCost {
  std::string option;  ///< "on-prem" or a cloud label
  std::optional<double> train_run_usd;
  std::optional<double> train_run_energy_kwh;
  std::optional<double> train_run_emissions_kg_co2e;
  std::optional<double> usd_per_million_tokens;
};

struct TcoResult {
  double months = 0;
  std::optional<OnPremResult> onprem;
  std::vector<CloudResult> cloud;
  std::vector<OptionCost> per_option;  ///< training-run and per-token costs, one per option
  std::vector<std::string> notes;      ///< inputs not counted, clamps in the tornado
};

/// Evaluates everything except the tornado (validate() first).
TcoResult evaluate(const ModelInputs& in);
/// Evaluates and adds the ±fraction tornado for each cloud option (default ±20 %).
TcoResult evaluate_with_sensitivity(const ModelInputs& in, double fraction = 0.2);

}  // namespace headroom::plan::tco

namespace headroom::plan::tco {

/// Lower end of the valid range of one numeric input.
enum class Bound {
  kNonNegative,
  kPositive,
  kFraction /* [0,1] */,
  kOpenFraction /* (0,1] */,
  kUtilisation /* [kMinUtilisation, 1] */,
  kAtLeastOne,
  kCount
};

/// One numeric input of the model. This table is the single list that drives scenario parsing,
/// validation, the CLI flags and the tornado.
struct InputField {
  std::string section;  ///< "fleet", "onprem", "cloud", "workload", "energy"
  std::string name;     ///< key inside the section, e.g. "node_usd"
  Bound bound;
  /// Largest accepted value (inclusive), in the field's unit: a sanity ceiling far beyond any real
  /// fleet that keeps every total finite (1e30 GPUs or 1e308 years are typos, not scenarios).
  double max;
  bool varied;       ///< part of the ±20 % tornado
  std::string help;  ///< one line with the unit
  /// The value inside `in` (cloud fields: of option `cloud_index`); nullptr when absent. With
  /// `create` an absent optional value is first set to 0 (the section itself must exist).
  double* (*ref)(ModelInputs& in, std::size_t cloud_index, bool create);
};
const std::vector<InputField>& input_fields();
/// The field's valid range in words: "a number in [0, 1e+09]", "an integer in [1, 1e+06]", ...
std::string bound_text(const InputField& f);
/// Finite and within the field's range.
bool within(double v, const InputField& f);

}  // namespace headroom::plan::tco
