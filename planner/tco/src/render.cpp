#include "headroom/tco/render.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace headroom::plan::tco {

using nlohmann::json;

TcoReport run_tco(const Scenario& scenario, const PriceCatalog& catalog, std::chrono::sys_days today) {
  TcoReport r;
  r.scenario_name = scenario.name;
  r.catalog_file = catalog.file;
  r.today = today;
  r.resolved = resolve(scenario, catalog);
  r.result = evaluate_with_sensitivity(r.resolved.inputs);
  r.warnings = staleness_warnings(r.resolved.used, today);
  return r;
}

namespace {

json opt(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

json inputs_json(const ModelInputs& in_const) {
  ModelInputs in = in_const;  // input_fields() hands out mutable pointers; nothing is changed
  json j{{"fleet", json::object()}, {"workload", json::object()}, {"energy", json::object()}};
  j["onprem"] = in.onprem ? json::object() : json(nullptr);
  j["cloud"] = json::array();
  for (std::size_t i = 0; i < in.cloud.size(); ++i) {
    j["cloud"].push_back(
        json{{"label", in.cloud[i].label}, {"billing", in.cloud[i].always_on ? "always_on" : "per_use"}});
  }
  for (const auto& f : input_fields()) {
    if (f.section == "cloud") {
      for (std::size_t i = 0; i < in.cloud.size(); ++i) {
        const double* v = f.ref(in, i, false);
        j["cloud"][i][f.name] = v ? json(*v) : json(nullptr);
      }
    } else if (f.section != "onprem" || in.onprem) {
      const double* v = f.ref(in, 0, false);
      j[f.section][f.name] = v ? json(*v) : json(nullptr);
    }
  }
  return j;
}

json tornado_json(const std::vector<TornadoBar>& bars) {
  json a = json::array();
  for (const auto& b : bars) {
    a.push_back(json{{"input", b.input},
                     {"base_value", b.base_value},
                     {"low_value", b.low_value},
                     {"high_value", b.high_value},
                     {"ratio_at_low", b.ratio_at_low},
                     {"ratio_at_high", b.ratio_at_high},
                     {"swing", b.swing},
                     {"clamped", b.clamped}});
  }
  return a;
}

/// "1,234,567" (whole dollars) for the table.
std::string money(double usd) {
  const auto whole = static_cast<long long>(std::llround(std::fabs(usd)));
  std::string digits = std::to_string(whole);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (usd < 0 && whole > 0 ? "-" : "") + out;  // a negative amount that rounds to 0 prints "0", not "-0"
}

std::string maybe_fmt(const std::optional<double>& v, const char* format) {
  return v ? fmt::format(fmt::runtime(format), *v) : std::string("-");
}

}  // namespace

std::string report_to_json(const TcoReport& r) {
  const TcoResult& t = r.result;
  json doc;
  doc["schema"] = kTcoResultSchema;
  doc["schema_version"] = "1.0";
  doc["scenario"] = r.scenario_name;
  doc["catalog"] = r.catalog_file;
  doc["today"] = format_date(r.today);
  doc["currency"] = "USD";
  doc["assumptions"] = {
      {"hours_per_month", kHoursPerMonth},
      {"months", t.months},
      {"capital_charge", "A = (C - R/(1+r)^n) * r(1+r)^n/((1+r)^n - 1); r = 0: (C - R)/n"},
      {"energy", "kWh/month = nodes * node_power_kw * utilisation * PUE * 730"},
      {"spot_rerun", "rho = interruptions/h * (checkpoint_interval/2 + restart); billed = useful / (1 - rho)"},
      {"break_even_month", "capex + m * (opex/month + financing/months) = m * cloud/month, solved for m; a commitment "
                           "whose remaining term falls due at the horizon's end breaks even there when on-prem is "
                           "cheaper in total"},
      {"commitment", "reserved_1yr / reserved_3yr: GPU charges for ceil(months / term) * term months (12 or 36)"},
      {"break_even_utilisation", "linear totals in u solved exactly"}};
  doc["inputs"] = inputs_json(r.resolved.inputs);
  doc["prices_used"] = json::array();
  for (const auto& u : r.resolved.used) {
    doc["prices_used"].push_back(
        json{{"what", u.what},
             {"as_of", u.provenance.as_of ? json(*u.provenance.as_of) : json(nullptr)},
             {"source", u.provenance.source},
             {"confidence", u.provenance.confidence == Confidence::kSecondary ? "secondary" : "primary"},
             {"is_price", u.is_price}});
  }
  if (t.onprem) {
    const auto& o = *t.onprem;
    doc["onprem"] = {{"nodes", o.nodes},
                     {"capex_usd", o.capex_usd},
                     {"residual_usd", o.residual_usd},
                     {"annual_capital_charge_usd", o.annual_capital_charge_usd},
                     {"financing_usd", o.financing_usd},
                     {"power_usd_per_month", o.power_usd_per_month},
                     {"colocation_usd_per_month", o.colocation_usd_per_month},
                     {"staff_usd_per_month", o.staff_usd_per_month},
                     {"maintenance_usd_per_month", o.maintenance_usd_per_month},
                     {"opex_usd_per_month", o.opex_usd_per_month},
                     {"total_usd", o.total_usd},
                     {"useful_gpu_hours", o.useful_gpu_hours},
                     {"usd_per_gpu_hour", o.usd_per_gpu_hour},
                     {"energy_kwh", o.energy_kwh},
                     {"emissions_kg_co2e", opt(o.emissions_kg_co2e)},
                     {"cumulative_usd", o.cumulative_usd}};
  } else {
    doc["onprem"] = nullptr;
  }
  doc["cloud"] = json::array();
  for (const auto& c : t.cloud) {
    doc["cloud"].push_back(json{{"label", c.label},
                                {"rerun_fraction", c.rerun_fraction},
                                {"billed_gpu_hours_per_month", c.billed_gpu_hours_per_month},
                                {"billed_months", c.billed_months},
                                {"gpu_usd_per_month", c.gpu_usd_per_month},
                                {"storage_usd_per_month", c.storage_usd_per_month},
                                {"egress_usd_per_month", c.egress_usd_per_month},
                                {"total_usd_per_month", c.total_usd_per_month},
                                {"total_usd", c.total_usd},
                                {"usd_per_gpu_hour", c.usd_per_gpu_hour},
                                {"energy_kwh", opt(c.energy_kwh)},
                                {"emissions_kg_co2e", opt(c.emissions_kg_co2e)},
                                {"ratio_onprem_to_cloud", opt(c.ratio_onprem_to_cloud)},
                                {"break_even_month", opt(c.break_even_month)},
                                {"break_even_month_note", c.break_even_month_note},
                                {"break_even_utilisation", opt(c.break_even_utilisation)},
                                {"break_even_utilisation_note", c.break_even_utilisation_note},
                                {"cumulative_usd", c.cumulative_usd},
                                {"tornado", tornado_json(c.tornado)}});
  }
  doc["per_option"] = json::array();
  for (const auto& p : t.per_option) {
    doc["per_option"].push_back(json{{"option", p.option},
                                     {"train_run_usd", opt(p.train_run_usd)},
                                     {"train_run_energy_kwh", opt(p.train_run_energy_kwh)},
                                     {"train_run_emissions_kg_co2e", opt(p.train_run_emissions_kg_co2e)},
                                     {"usd_per_million_tokens", opt(p.usd_per_million_tokens)}});
  }
  doc["warnings"] = r.warnings;
  std::vector<std::string> notes = r.resolved.notes;
  notes.insert(notes.end(), t.notes.begin(), t.notes.end());
  doc["notes"] = notes;
  return doc.dump(2) + "\n";
}

std::string report_to_table(const TcoReport& r) {
  const TcoResult& t = r.result;
  const ModelInputs& in = r.resolved.inputs;
  std::string out;
  const auto line = [&out](const std::string& s) { out += s + "\n"; };
  line(fmt::format("TCO scenario {}  (prices: {}; today {})", r.scenario_name, r.catalog_file, format_date(r.today)));
  line(fmt::format(
      "fleet: {:.0f} GPUs ({:.0f} per node), utilisation {:.0f} %, horizon {:.4g} year(s) = {:.4g} months of 730 h",
      in.fleet.gpus, in.fleet.gpus_per_node, in.fleet.utilisation * 100, in.fleet.years, t.months));
  line("");
  line(fmt::format("{:<44} {:>14} {:>12} {:>10} {:>9} {:>11} {:>10}", "option", "total USD", "USD/month", "USD/GPU-h",
                   "on-prem/", "break-even", "break-even"));
  line(fmt::format("{:<44} {:>14} {:>12} {:>10} {:>9} {:>11} {:>10}", "", "", "", "(useful)", "cloud", "month",
                   "util."));
  if (t.onprem) {
    const auto& o = *t.onprem;
    line(fmt::format("{:<44} {:>14} {:>12} {:>10.3f} {:>9} {:>11} {:>10}", "on-prem", money(o.total_usd),
                     money(o.total_usd / t.months), o.usd_per_gpu_hour, "", "", ""));
  }
  for (const auto& c : t.cloud) {
    line(fmt::format("{:<44} {:>14} {:>12} {:>10.3f} {:>9} {:>11} {:>10}", c.label, money(c.total_usd),
                     money(c.total_usd_per_month), c.usd_per_gpu_hour, maybe_fmt(c.ratio_onprem_to_cloud, "{:.3f}"),
                     maybe_fmt(c.break_even_month, "{:.1f}"),
                     c.break_even_utilisation ? fmt::format("{:.1f} %", *c.break_even_utilisation * 100) : "-"));
  }
  if (t.onprem) {
    const auto& o = *t.onprem;
    line("");
    line(fmt::format(
        "on-prem: {:.0f} nodes, capex {} USD, residual {} USD, capital charge {} USD/year (financing {} USD)", o.nodes,
        money(o.capex_usd), money(o.residual_usd), money(o.annual_capital_charge_usd), money(o.financing_usd)));
    line(fmt::format("         opex {} USD/month = power {} + colocation {} + staff {} + maintenance {}",
                     money(o.opex_usd_per_month), money(o.power_usd_per_month), money(o.colocation_usd_per_month),
                     money(o.staff_usd_per_month), money(o.maintenance_usd_per_month)));
    line(fmt::format("         energy {} kWh over the horizon{}", money(o.energy_kwh),
                     o.emissions_kg_co2e ? fmt::format(", {} kg CO2e", money(*o.emissions_kg_co2e)) : ""));
    for (const auto& c : t.cloud) {
      if (!c.break_even_month_note.empty())
        line(fmt::format("  {}: break-even month: {}", c.label, c.break_even_month_note));
      if (!c.break_even_utilisation_note.empty()) {
        line(fmt::format("  {}: break-even utilisation: {}", c.label, c.break_even_utilisation_note));
      }
    }
  }

  if (in.workload.train_gpu_hours || in.workload.tokens_per_s_per_gpu) {
    line("");
    line(fmt::format("{:<44} {:>16} {:>14} {:>14} {:>12}", "per workload", "training run USD", "run kWh", "run kg CO2e",
                     "USD/M tok"));
    for (const auto& p : t.per_option) {
      line(fmt::format("{:<44} {:>16} {:>14} {:>14} {:>12}", p.option, p.train_run_usd ? money(*p.train_run_usd) : "-",
                       p.train_run_energy_kwh ? money(*p.train_run_energy_kwh) : "-",
                       p.train_run_emissions_kg_co2e ? money(*p.train_run_emissions_kg_co2e) : "-",
                       maybe_fmt(p.usd_per_million_tokens, "{:.4f}")));
    }
    line(fmt::format("  (training run: {} useful GPU-hours; serving: {} tokens/s per GPU)",
                     maybe_fmt(in.workload.train_gpu_hours, "{:.6g}"),
                     maybe_fmt(in.workload.tokens_per_s_per_gpu, "{:.6g}")));
  }

  // Cumulative cost at yearly points (and month 6) for each option.
  line("");
  std::string head = fmt::format("{:<44}", "cumulative USD at month");
  std::vector<std::size_t> months;
  const std::size_t last = t.onprem ? t.onprem->cumulative_usd.size() - 1
                                    : (t.cloud.empty() ? 0 : t.cloud.front().cumulative_usd.size() - 1);
  for (std::size_t m = 0; m <= last; m += (m < 12 ? 6 : 12)) months.push_back(m);
  if (months.back() != last) months.push_back(last);
  for (auto m : months) head += fmt::format(" {:>13}", m);
  line(head);
  const auto curve = [&](const std::string& name, const std::vector<double>& c) {
    std::string row = fmt::format("{:<44}", name);
    for (auto m : months) row += fmt::format(" {:>13}", money(c[m]));
    line(row);
  };
  if (t.onprem) curve("on-prem (capex at month 0)", t.onprem->cumulative_usd);
  for (const auto& c : t.cloud) curve(c.label, c.cumulative_usd);

  for (const auto& c : t.cloud) {
    if (c.tornado.empty()) continue;
    line("");
    line(fmt::format("sensitivity of on-prem/cloud = {:.3f} vs {} (each input -20 % / +20 %, largest swing first)",
                     c.ratio_onprem_to_cloud.value_or(0), c.label));
    line(fmt::format("  {:<40} {:>14} {:>12} {:>12} {:>8}", "input", "base", "ratio -20%", "ratio +20%", "swing"));
    for (const auto& b : c.tornado) {
      line(fmt::format("  {:<40} {:>14.6g} {:>12.3f} {:>12.3f} {:>8.3f}{}", b.input, b.base_value, b.ratio_at_low,
                       b.ratio_at_high, b.swing, b.clamped ? "  (clamped to the valid range)" : ""));
    }
  }

  std::vector<std::string> notes = r.resolved.notes;
  notes.insert(notes.end(), t.notes.begin(), t.notes.end());
  if (!notes.empty()) {
    line("");
    line("not counted / notes:");
    for (const auto& n : notes) line("  " + n);
  }
  // Warnings go to stderr (and into the JSON document), not into the table.
  return out;
}

}  // namespace headroom::plan::tco
