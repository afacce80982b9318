// The procurement report's HTML (self-contained: inline CSS and SVG, no script).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "headroom/core/units.hpp"
#include "headroom/report/html.hpp"
#include "headroom/report/procurement.hpp"
#include "headroom/report/svg.hpp"
#include "count_text.hpp"
#include "html_parts.hpp"

namespace headroom::report {

using namespace detail;

namespace {

const char* const kStackColors[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"};

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / core::kGiB); }
std::string days_text(double s) { return fmt::format("{:.1f} days", s / 86400.0); }
std::string usd(double v) {
  if (std::fabs(v) >= 1e6) return fmt::format("${:.3g} M", v / 1e6);
  if (std::fabs(v) >= 1e4) return fmt::format("${:.3g} k", v / 1e3);
  return fmt::format("${:.3g}", v);
}
std::string usd_tick(double v) { return usd(v); }
std::string month_tick(double v) { return fmt::format("{:g}", v); }
std::string e(const std::string& s) { return html_escape(s); }

/// Horizontal stacked bars: one row per option, one segment per memory part, a capacity mark.
std::string fit_chart(const ProcurementReport& rep) {
  const int w = 760, label_w = 200, right = 24, top = 34, row = 30;
  std::vector<const ProcurementOption*> rows;
  for (const auto& o : rep.options) {
    if (o.figures.error.empty()) rows.push_back(&o);
  }
  if (rows.empty()) return "";
  double hi = 0;
  for (const auto* o : rows) hi = std::max({hi, o->figures.memory_bytes, o->figures.capacity_bytes});
  hi *= 1.08;
  const double x0 = label_w, x1 = w - right;
  const auto map = [&](double v) { return x0 + v / hi * (x1 - x0); };
  const int legend_y = top + row * static_cast<int>(rows.size()) + 28;
  const int h = legend_y + 24;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
      "aria-label=\"Memory per GPU against capacity\" class=\"chart\">\n"
      "<text x=\"8\" y=\"18\" class=\"chart-title\">Memory per GPU against capacity</text>\n",
      w, h);
  for (double t = 0; t <= hi; t += std::max(1.0, std::ceil(hi / core::kGiB / 6 / 10) * 10) * core::kGiB) {
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"grid\"/><text x=\"{0:.1f}\" "
                       "y=\"{3}\" class=\"tick\" text-anchor=\"middle\">{4:.0f}</text>\n",
                       map(t), top - 4, top + row * static_cast<int>(rows.size()), legend_y - 12, t / core::kGiB);
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& o = *rows[i];
    const double y = top + static_cast<double>(i) * row;
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>", x0 - 6, y + row * 0.6,
                       e(o.figures.label));
    double at = 0;
    for (std::size_t k = 0; k < o.memory_parts.size(); ++k) {
      const auto& [name, bytes] = o.memory_parts[k];
      if (bytes <= 0) continue;
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{}: {}</title></rect>",
                         map(at), y + 4, std::max(map(at + bytes) - map(at), 0.5), row - 8,
                         kStackColors[k % (sizeof kStackColors / sizeof kStackColors[0])], e(o.figures.label + " " + name),
                         gib(bytes));
      at += bytes;
    }
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" class=\"marker\"/>",
                       map(o.figures.capacity_bytes), y + 1, y + row - 1);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\">{}</text>\n",
                       std::min(map(std::max(at, o.figures.capacity_bytes)) + 4, x1 - 60.0), y + row * 0.6,
                       o.figures.fits ? "fits" : "DOES NOT FIT");
  }
  // Legend from the first row's parts (every row has the same parts).
  double lx = 8;
  for (std::size_t k = 0; k < rows.front()->memory_parts.size(); ++k) {
    const std::string& name = rows.front()->memory_parts[k].first;
    svg += fmt::format("<rect x=\"{:.0f}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.0f}\" y=\"{}\" "
                       "class=\"legend\">{}</text>",
                       lx, legend_y, kStackColors[k % (sizeof kStackColors / sizeof kStackColors[0])], lx + 14,
                       legend_y + 9, e(name));
    lx += 28 + 7.0 * static_cast<double>(name.size());
  }
  svg += fmt::format("<line x1=\"{0:.0f}\" y1=\"{1}\" x2=\"{0:.0f}\" y2=\"{2}\" class=\"marker\"/><text x=\"{3:.0f}\" "
                     "y=\"{4}\" class=\"legend\">capacity</text>\n",
                     lx + 5, legend_y - 1, legend_y + 11, lx + 14, legend_y + 9);
  svg += "</svg>";
  return "<figure>" + svg + "<figcaption>Stacked per GPU (GiB) of the plan shown in the table; the dashed line is " +
         std::string(rep.input.workload.phase == plan::Phase::kTrain
                         ? "the device memory."
                         : "the memory the engine may use (capacity × gpu_memory_utilization).") +
         "</figcaption></figure>\n";
}

std::string summary_table(const ProcurementReport& rep) {
  const bool train = rep.input.workload.phase == plan::Phase::kTrain;
  std::string h = "<table class=\"cmp\"><thead><tr><th>Option</th><th>Fits</th><th>Memory / GPU</th><th>Plan</th>";
  h += train ? "<th>Time to train</th><th>GPU-hours</th><th>MFU</th>"
             : "<th>Tokens/s per GPU</th><th>TTFT (under load)</th><th>TPOT</th><th>Max concurrent</th>";
  h += "<th>Cost</th><th>Target</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < rep.options.size(); ++i) {
    const auto& o = rep.options[i];
    const auto& f = o.figures;
    const bool chosen = static_cast<int>(i) == rep.recommendation.chosen;
    if (!f.error.empty()) {
      h += "<tr class=\"fail\"><td>" + e(f.label) + "</td><td colspan=\"" + (train ? "8" : "9") +
           "\">could not be planned: " + e(f.error) + "</td></tr>\n";
      continue;
    }
    // An offloaded optimizer: the host memory per node the plan needs, under the GPU's figure.
    const std::string host =
        f.host_bytes_per_node > 0
            ? fmt::format("<br><span class=\"note\">host: {} per node{}</span>", gib(f.host_bytes_per_node),
                          f.host_capacity_bytes > 0 ? " of " + gib(f.host_capacity_bytes) + " usable"
                                                    : std::string(" (host memory unknown: not checked)"))
            : std::string();
    h += fmt::format("<tr class=\"{}\"><td>{}{}</td><td>{}</td><td class=\"num\">{} of {}{}</td><td>{}</td>",
                     chosen ? "pass" : (f.fits ? "" : "fail"), e(f.label), chosen ? " <b>(recommended)</b>" : "",
                     f.fits ? "yes" : "no", gib(f.memory_bytes), gib(f.capacity_bytes), host, e(o.parallelism));
    if (train) {
      h += fmt::format("<td class=\"num\">{}</td><td class=\"num\">{:.0f}</td><td class=\"num\">{:.1f} %</td>",
                       days_text(f.time_to_train_s), o.gpu_hours, 100 * o.mfu);
    } else {
      h += fmt::format("<td class=\"num\">{:.0f}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                       "<td class=\"num\">{:.0f}</td>",
                       f.tokens_per_s_per_gpu, e(core::format_seconds(o.ttft_s)), e(core::format_seconds(o.tpot_s)),
                       o.max_concurrent_requests);
    }
    const std::string cost =
        f.cost_usd ? (train ? usd(*f.cost_usd) : usd(*f.cost_usd) + " / M tokens") + "<br><span class=\"note\">" +
                         e(f.cost_basis) + "</span>"
                   : (o.tco_error.empty() ? "—" : "<span class=\"note\">" + e(o.tco_error) + "</span>");
    // No target to meet: no time target (training) or no latency SLO (serving).
    const bool has_target = train ? rep.input.max_time_to_train_s.has_value()
                                  : rep.input.workload.infer.tpot_slo_s > 0 || rep.input.workload.infer.ttft_slo_s > 0;
    h += "<td>" + cost + "</td><td>" + (!f.fits || !has_target ? "—" : f.meets_target ? "met" : "missed") + "</td></tr>\n";
  }
  return h + "</tbody></table>\n";
}

std::string time_section(const ProcurementReport& rep) {
  const bool train = rep.input.workload.phase == plan::Phase::kTrain;
  std::vector<Bar> bars;
  for (const auto& o : rep.options) {
    if (!o.figures.error.empty()) continue;
    const double v = train ? o.figures.time_to_train_s / 86400.0 : o.figures.tokens_per_s_per_gpu;
    bars.push_back({o.figures.label, v, !o.figures.fits ? "bad" : (o.figures.meets_target ? "good" : "ref")});
  }
  BarOptions bo;
  bo.title = train ? "Time to train (best parallelism found by the search)" : "Generated tokens/s per GPU";
  bo.value_label = train ? "days, including goodput" : "tokens/s per GPU at the planned batch";
  bo.format_value = train ? +[](double v) { return fmt::format("{:.1f} d", v); }
                          : +[](double v) { return fmt::format("{:.0f}", v); };
  if (train && rep.input.max_time_to_train_s) bo.markers = {{"target", *rep.input.max_time_to_train_s / 86400.0}};
  std::string h = bars.empty() ? "" : bar_chart(bars, bo);
  h += "<table class=\"cmp\"><thead><tr><th>Option</th><th>Plan</th>";
  h += train ? "<th>Step</th><th>Tokens/s (job)</th><th>Tokens/s per GPU</th><th>GPU energy</th><th>Search</th>"
             : "<th>Batch</th><th>Tokens/s (replica)</th><th>GPUs per replica</th><th>GPUs for the QPS</th>";
  h += "<th>Note</th></tr></thead><tbody>\n";
  for (const auto& o : rep.options) {
    if (!o.figures.error.empty()) continue;
    h += "<tr><td>" + e(o.figures.label) + "</td><td>" + e(o.parallelism) + "</td>";
    if (train) {
      h += fmt::format("<td class=\"num\">{}</td><td class=\"num\">{:.3g}</td><td class=\"num\">{:.0f}</td>"
                       "<td class=\"num\">{:.3g} MWh</td><td class=\"num\">{} fit of {}</td>",
                       e(core::format_seconds(o.step_s)), o.tokens_per_s, o.figures.tokens_per_s_per_gpu,
                       o.energy_kwh / 1e3, o.fitting, o.evaluated);
    } else {
      h += fmt::format("<td class=\"num\">{:.0f}</td><td class=\"num\">{:.0f}</td><td class=\"num\">{}</td>"
                       "<td class=\"num\">{}</td>",
                       o.batch, o.tokens_per_s, o.figures.gpus,
                       o.gpus_for_qps > 0 ? fmt::format("{:.0f}", std::ceil(o.gpus_for_qps)) : "—");
    }
    h += "<td class=\"note\">" + e(o.note) + "</td></tr>\n";
  }
  h += "</tbody></table>\n";
  if (!train) {
    // The latency / throughput trade-off of each option: one point per batch.
    std::vector<Series> series;
    for (const auto& o : rep.options) {
      if (!o.figures.error.empty() || o.batch_sweep.empty()) continue;
      Series s;
      s.label = o.figures.label;
      for (const auto& b : o.batch_sweep) {
        s.x.push_back(b.tokens_per_s_per_gpu);
        s.y.push_back(b.tpot_s * 1e3);
      }
      series.push_back(std::move(s));
    }
    if (!series.empty()) {
      ChartOptions co;
      co.title = "Latency against throughput (one point per batch: 1, 2, 4, … and the most that fit)";
      co.x_label = "generated tokens/s per GPU";
      co.y_label = "time per output token, ms";
      co.log_x = true;
      co.log_y = true;
      const double slo = rep.input.workload.infer.tpot_slo_s;
      co.caption = "Each option's steady-state time per output token (decode steps at mid-output context, a share "
                   "of them also running a joining request's prompt chunk) from batch 1 to the most concurrent "
                   "requests its KV cache holds." +
                   (slo > 0 ? " TPOT SLO: " + core::format_seconds(slo) + "." : std::string());
      h += line_chart(series, co);
    }
  }
  return h;
}

std::string cost_section(const ProcurementReport& rep) {
  const bool train = rep.input.workload.phase == plan::Phase::kTrain;
  std::string h;
  std::vector<Bar> bars;
  for (const auto& o : rep.options) {
    if (o.figures.cost_usd) bars.push_back({o.figures.label, *o.figures.cost_usd, o.figures.meets_target ? "" : "ref"});
  }
  if (!bars.empty()) {
    BarOptions bo;
    bo.title = train ? "Cost of the training run, cheapest way to buy or rent each option"
                     : "USD per million generated tokens, cheapest way to buy or rent each option";
    bo.value_label = train ? "USD (planner GPU-hours × USD per useful GPU-hour)" : "USD per million tokens";
    bo.format_value = usd_tick;
    h += bar_chart(bars, bo);
  }
  // The horizon (totals, break-even, curves) once per scenario and fleet size: options priced by the
  // same scenario on the same GPU count share it. Then the per-option cost matrix.
  std::set<std::pair<std::string, double>> shown;
  for (const auto& o : rep.options) {
    if (!o.tco) {
      if (!o.tco_error.empty()) h += "<p class=\"warnings\">" + e(o.figures.label + ": " + o.tco_error) + "</p>\n";
      continue;
    }
    const auto& r = o.tco->result;
    const double fleet = o.tco->resolved.inputs.fleet.gpus;
    if (!shown.emplace(o.scenario_file, fleet).second) continue;
    h += fmt::format("<h3>Scenario {}: {} over {}</h3>\n", e(o.tco->scenario_name), count_text(fleet, "GPU"),
                     count_text(r.months, "month"));
    h += "<table class=\"cmp\"><thead><tr><th>Way to pay</th><th>Total over the horizon</th><th>USD per useful "
         "GPU-hour</th><th>Break-even month</th><th>Break-even utilisation</th></tr></thead><tbody>\n";
    if (r.onprem) {
      h += fmt::format("<tr><td>on-prem ({})</td><td class=\"num\">{}</td><td class=\"num\">{:.2f}</td>"
                       "<td>—</td><td>—</td></tr>\n",
                       count_text(r.onprem->nodes, "node"), usd(r.onprem->total_usd), r.onprem->usd_per_gpu_hour);
    }
    for (const auto& c : r.cloud) {
      const std::string be_m = c.break_even_month ? fmt::format("{:.1f}", *c.break_even_month)
                                                  : (c.break_even_month_note.empty() ? "—" : c.break_even_month_note);
      const std::string be_u = c.break_even_utilisation ? fmt::format("{:.2f}", *c.break_even_utilisation)
                                                        : (c.break_even_utilisation_note.empty()
                                                               ? "—"
                                                               : c.break_even_utilisation_note);
      h += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:.2f}</td><td class=\"note\">{}</td>"
                       "<td class=\"note\">{}</td></tr>\n",
                       e(c.label), usd(c.total_usd), c.usd_per_gpu_hour, e(be_m), e(be_u));
    }
    h += "</tbody></table>\n";
    std::vector<Series> series;
    const auto curve = [&](const std::string& label, const std::vector<double>& cum) {
      Series s;
      s.label = label;
      for (std::size_t m = 0; m < cum.size(); ++m) {
        s.x.push_back(static_cast<double>(m));
        s.y.push_back(cum[m]);
      }
      series.push_back(std::move(s));
    };
    if (r.onprem) curve("on-prem", r.onprem->cumulative_usd);
    for (const auto& c : r.cloud) curve(c.label, c.cumulative_usd);
    ChartOptions co;
    co.title = fmt::format("Cumulative cost, {} (on-prem: capex at month 0)", count_text(fleet, "GPU"));
    co.x_label = "month";
    co.y_label = "USD, cumulative";
    co.log_x = false;
    co.format_x = month_tick;
    co.format_y = usd_tick;
    h += line_chart(series, co);
  }
  // Matrix: GPU option × way to pay.
  std::vector<std::string> ways;
  for (const auto& o : rep.options) {
    if (!o.tco) continue;
    for (const auto& c : o.tco->result.per_option) {
      if (std::find(ways.begin(), ways.end(), c.option) == ways.end()) ways.push_back(c.option);
    }
  }
  if (!ways.empty()) {
    h += std::string("<h3>") + (train ? "Cost of the training run" : "USD per million generated tokens") +
         " by option and way to pay</h3>\n<table class=\"cmp\"><thead><tr><th>Option</th>";
    for (const auto& wlab : ways) h += "<th>" + e(wlab) + "</th>";
    h += "</tr></thead><tbody>\n";
    for (const auto& o : rep.options) {
      if (!o.tco) continue;
      h += "<tr><td>" + e(o.figures.label) + "</td>";
      for (const auto& wlab : ways) {
        std::string cell = "—";
        for (const auto& c : o.tco->result.per_option) {
          const auto v = train ? c.train_run_usd : c.usd_per_million_tokens;
          if (c.option == wlab && v) cell = usd(*v);
        }
        const bool best = o.figures.cost_basis == wlab;
        h += std::string("<td class=\"num\">") + (best ? "<b>" + cell + "</b>" : cell) + "</td>";
      }
      h += "</tr>\n";
    }
    h += "</tbody></table>\n<p class=\"note\">Bold: the cheapest way for each option, the figure the recommendation "
         "uses. " +
         std::string(train ? "Training run = planner GPU-hours × the way's USD per useful GPU-hour."
                           : "USD per million tokens = USD per useful GPU-hour ÷ (planner tokens/s per GPU × 3600) × 10⁶.") +
         "</p>\n";
  }
  return h;
}

std::string roofline_section(const ProcurementReport& rep) {
  std::vector<const ProcurementOption*> opts;
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto& o : rep.options) {
    if (!o.figures.error.empty() || o.roof_bytes_per_s <= 0) continue;
    opts.push_back(&o);
    const double ridge = o.roof_flop_per_s / o.roof_bytes_per_s;
    lo = std::min(lo, ridge);
    hi = std::max(hi, ridge);
    for (const auto& op : o.ops) {
      if (op.bytes <= 0 || op.flop <= 0) continue;
      lo = std::min(lo, op.flop / op.bytes);
      hi = std::max(hi, op.flop / op.bytes);
    }
  }
  if (opts.empty()) return "<p>No option could be planned.</p>\n";
  lo /= 4;
  hi *= 4;
  std::vector<Series> series;
  for (std::size_t i = 0; i < opts.size(); ++i) {
    const auto& o = *opts[i];
    Series s;
    s.label = o.figures.label;
    s.color = static_cast<int>(i);
    for (double x : {lo, o.roof_flop_per_s / o.roof_bytes_per_s, hi}) {
      s.x.push_back(x);
      s.y.push_back(std::min(o.roof_flop_per_s, x * o.roof_bytes_per_s));
    }
    series.push_back(std::move(s));
  }
  // One point series per operation: where it sits on each option's roof.
  std::map<std::string, Series> ops;
  std::vector<std::string> order;
  for (const auto* o : opts) {
    for (const auto& op : o->ops) {
      if (op.bytes <= 0 || op.flop <= 0) continue;
      auto [it, fresh] = ops.try_emplace(op.name);
      if (fresh) order.push_back(op.name);
      const double x = op.flop / op.bytes;
      it->second.label = op.name;
      it->second.points_only = true;
      it->second.x.push_back(x);
      it->second.y.push_back(std::min(o->roof_flop_per_s, x * o->roof_bytes_per_s));
    }
  }
  for (std::size_t j = 0; j < order.size(); ++j) {
    Series s = ops[order[j]];
    s.color = static_cast<int>(opts.size() + j);
    series.push_back(std::move(s));
  }
  ChartOptions co;
  co.title = "Roofline (achievable GEMM rate and memory bandwidth the planner uses)";
  co.x_label = "arithmetic intensity, FLOP per byte of device memory traffic";
  co.y_label = "attainable FLOP/s";
  co.log_x = true;
  co.log_y = true;
  co.format_y = flops_tick;
  co.height_px = 420;
  std::string h = line_chart(series, co);
  h += "<table class=\"cmp\"><thead><tr><th>Operation</th><th>FLOPs</th><th>Bytes moved</th><th>FLOP/byte</th>";
  for (const auto* o : opts) h += "<th>" + e(o->figures.label) + "</th>";
  h += "</tr></thead><tbody>\n";
  for (const auto& name : order) {
    const RooflineOp* first = nullptr;
    for (const auto& op : opts.front()->ops) {
      if (op.name == name) first = &op;
    }
    if (first == nullptr) continue;
    const double x = first->flop / first->bytes;
    h += fmt::format("<tr><td>{}</td><td class=\"num\">{:.3g}</td><td class=\"num\">{}</td><td class=\"num\">{:.1f}</td>",
                     e(name), first->flop, e(core::format_bytes_binary(first->bytes)), x);
    for (const auto* o : opts) {
      const bool mem = x * o->roof_bytes_per_s < o->roof_flop_per_s;
      h += "<td class=\"num\">" + e(core::format_rate(std::min(o->roof_flop_per_s, x * o->roof_bytes_per_s), "FLOP/s")) +
           (mem ? " (memory-bound)" : " (compute-bound)") + "</td>";
    }
    h += "</tr>\n";
  }
  h += "</tbody></table>\n<p class=\"note\">Shapes of the first option's plan; the roofs are the achievable rates "
       "(measured where the profile has them, else datasheet × the efficiency assumptions below).</p>\n";
  return h;
}

std::string assumptions_section(const ProcurementReport& rep) {
  std::string h;
  // Assumptions common to every planned option once, the rest per option.
  std::map<std::string, int> count;
  int planned = 0;
  for (const auto& o : rep.options) {
    if (!o.figures.error.empty()) continue;
    ++planned;
    std::set<std::string> seen(o.assumptions.begin(), o.assumptions.end());
    for (const auto& a : seen) ++count[a];
  }
  h += "<h3>Planner assumptions (every option)</h3><ul>\n";
  std::set<std::string> listed;
  for (const auto& o : rep.options) {
    for (const auto& a : o.assumptions) {
      if (count[a] == planned && listed.insert(a).second) h += "<li>" + e(a) + "</li>\n";
    }
  }
  h += "</ul>\n";
  for (const auto& o : rep.options) {
    std::string own;
    for (const auto& a : o.assumptions) {
      if (count[a] != planned) own += "<li>" + e(a) + "</li>\n";
    }
    if (!own.empty()) h += "<h3>" + e(o.figures.label) + " only</h3><ul>\n" + own + "</ul>\n";
  }
  h += "<h3>Hardware figures and their sources</h3>\n<table class=\"cmp sources\"><thead><tr><th>Option</th>"
       "<th>Figure</th><th>Value</th><th>Provenance</th><th>Source</th><th>As of</th></tr></thead><tbody>\n";
  for (const auto& o : rep.options) {
    for (const auto& s : o.sources) {
      h += "<tr><td>" + e(o.figures.label) + "</td><td>" + e(s.field) + "</td><td class=\"num\">" + e(s.value) +
           "</td><td>" + e(s.provenance) + "</td><td class=\"src\">" + e(s.source) + "</td><td>" + e(s.as_of) +
           "</td></tr>\n";
    }
  }
  h += "</tbody></table>\n";
  // Prices and TCO notes, once per scenario.
  std::set<std::string> scenarios_done;
  for (const auto& o : rep.options) {
    if (!o.tco || !scenarios_done.insert(o.scenario_file).second) continue;
    const auto& t = *o.tco;
    h += "<h3>Prices and cost inputs: scenario " + e(t.scenario_name) + "</h3>\n<p class=\"note\">Scenario <code>" +
         e(o.scenario_file) + "</code>, price catalog <code>" + e(t.catalog_file) + "</code>.</p>\n";
    h += "<table class=\"cmp sources\"><thead><tr><th>Input</th><th>Source</th><th>As of</th><th>Confidence</th>"
         "</tr></thead><tbody>\n";
    for (const auto& u : t.resolved.used) {
      h += "<tr><td>" + e(u.what) + "</td><td class=\"src\">" + e(u.provenance.source) +
           (u.provenance.note.empty() ? "" : " <span class=\"note\">" + e(u.provenance.note) + "</span>") +
           "</td><td>" + e(u.provenance.as_of.value_or("undated")) + "</td><td>" +
           (u.provenance.confidence == plan::tco::Confidence::kPrimary ? "primary" : "secondary") + "</td></tr>\n";
    }
    h += "</tbody></table>\n";
    std::vector<std::string> notes = t.resolved.notes;
    notes.insert(notes.end(), t.result.notes.begin(), t.result.notes.end());
    notes.insert(notes.end(), t.warnings.begin(), t.warnings.end());
    if (!notes.empty()) {
      h += "<ul class=\"note\">\n";
      for (const auto& n : notes) h += "<li>" + e(n) + "</li>\n";
      h += "</ul>\n";
    }
  }
  return h;
}

}  // namespace

std::string render_procurement(const ProcurementReport& rep) {
  const auto& w = rep.input.workload;
  const bool train = w.phase == plan::Phase::kTrain;
  std::string html = page_head("headroom procurement — " + rep.model_name,
                               "Procurement: " + rep.model_name + (train ? " training" : " serving"));
  if (train) {
    html += fmt::format("<p class=\"meta\">Training {} on {}: {:.3g} tokens, global batch {} × {} tokens, {}{}.",
                        e(rep.model_name), count_text(w.gpus > 0 ? w.gpus : w.par.world(), "GPU"), w.train.tokens,
                        w.train.global_batch,
                        w.train.seq_len, e(plan::to_string(w.train.precision)),
                        rep.input.search ? ", parallelism searched per option" : "");
    if (w.train.adapter.enabled()) {
      const auto names = plan::adapter_target_names(w.train.adapter.targets);
      html += fmt::format(" {} fine-tuning: rank-{} adapters on {}, base frozen.",
                          w.train.adapter.method == plan::AdapterMethod::kQlora ? "QLoRA (4-bit base)" : "LoRA",
                          w.train.adapter.rank,
                          w.train.adapter.targets == 0 ? std::string("every linear layer")
                                                       : e(fmt::format("{}", fmt::join(names, ", "))));
    }
    if (w.train.optimizer != plan::Optimizer::kAdam)
      html += " Optimizer: " + e(plan::to_string(w.train.optimizer)) + ".";
    if (w.train.offload == plan::Offload::kOptimizer) {
      html += " Optimizer offloaded to host memory (ZeRO-Offload: master weights, optimizer states and the update "
              "on the CPU): each option's host memory per node is in the table below.";
      if (rep.input.host_memory_bytes) {
        html += fmt::format(" Host RAM: {} per node for every option (--host-memory), in place of the profiles' own.",
                            gib(*rep.input.host_memory_bytes));
      }
    }
    if (rep.input.max_time_to_train_s) html += " Target: " + days_text(*rep.input.max_time_to_train_s) + ".";
  } else {
    html += fmt::format("<p class=\"meta\">Serving {}: context {} + output {} tokens, weights {}, {}", e(rep.model_name),
                        w.infer.context_len, w.infer.output_len, e(plan::to_string(w.infer.weight_precision)),
                        rep.input.search && !rep.input.infer_layout_fixed
                            ? std::string("replica layout (TP × PP) searched per option")
                            : fmt::format("TP {} · PP {}", w.par.tp, w.par.pp));
    if (w.infer.qps > 0) html += fmt::format(", {:g} requests/s offered", w.infer.qps);
    if (w.infer.tpot_slo_s > 0) html += ", TPOT SLO " + e(core::format_seconds(w.infer.tpot_slo_s));
    if (w.infer.ttft_slo_s > 0) html += ", TTFT SLO " + e(core::format_seconds(w.infer.ttft_slo_s));
    if (w.infer.shared_prefix_tokens > 0)
      html += fmt::format(", a shared prompt prefix of {} tokens in the prefix cache", w.infer.shared_prefix_tokens);
    html += ".";
  }
  html += "</p>\n<p class=\"meta\">Generated " + e(rep.input.generated_at) + " by <code>" + e(rep.input.command_line) +
          "</code>.</p>\n";
  html += "</header>\n<section id=\"recommendation\"><h2>Recommendation</h2>\n";
  html += fmt::format("<p class=\"banner {}\">{}</p>\n", rep.recommendation.chosen >= 0 ? "pass" : "fail",
                      rep.recommendation.chosen >= 0
                          ? e(rep.options[static_cast<std::size_t>(rep.recommendation.chosen)].figures.label)
                          : std::string("No option recommended"));
  html += "<p class=\"recommendation\">" + e(rep.recommendation.paragraph) + "</p>\n";
  for (const auto& n : rep.notes) html += "<p class=\"note\">" + e(n) + "</p>\n";
  html += summary_table(rep) + "</section>\n";
  html += "<section id=\"fit\"><h2>Fit: memory per GPU</h2>\n" + fit_chart(rep) + "</section>\n";
  html += std::string("<section id=\"time\"><h2>") + (train ? "Time to train" : "Serving capacity") + "</h2>\n" +
          time_section(rep) + "</section>\n";
  html += "<section id=\"cost\"><h2>Cost over the horizon and break-even</h2>\n";
  html += rep.input.scenario_files.empty() ? "<p>No TCO scenario was given (<code>--scenario FILE</code>): cost is not "
                                             "computed and did not enter the recommendation.</p>\n"
                                           : cost_section(rep);
  html += "</section>\n<section id=\"roofline\"><h2>Roofline</h2>\n" + roofline_section(rep) + "</section>\n";
  html += "<section id=\"assumptions\"><h2>Assumptions and sources</h2>\n" + assumptions_section(rep) + "</section>\n";
  html += page_foot();
  return html;
}

}  // namespace headroom::report
