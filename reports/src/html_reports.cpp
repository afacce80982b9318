// Acceptance, regression and fleet HTML reports (self-contained: inline CSS and SVG, no script).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "headroom/core/units.hpp"
#include "headroom/report/html.hpp"
#include "headroom/report/svg.hpp"
#include "html_parts.hpp"

namespace headroom::report {

using namespace detail;

namespace {
std::string num_cell(const std::optional<double>& v, const std::string& unit) {
  return "<td class=\"num\">" + (v ? html_escape(value_text(*v, unit)) : std::string("—")) + "</td>";
}

std::string run_meta(const core::Results& r, const std::string& what) {
  return fmt::format("<p class=\"meta\">{}: run <code>{}</code> on <b>{}</b>, {} → {}, suite <b>{}</b> ({} repetitions, "
                     "{} reported), headroom {}.</p>\n",
                     html_escape(what), html_escape(r.run.id), html_escape(r.host.hostname),
                     html_escape(r.run.started_at), html_escape(r.run.finished_at), html_escape(r.run.policy.suite),
                     r.run.policy.repetitions, html_escape(core::to_string(r.run.policy.statistic)),
                     html_escape(r.run.tool_version));
}

/// Peak GEMM FLOP/s per precision (cpu.gemm.* and cuda.gemm.*), best instance of each case name.
std::string gemm_bars(const core::Results& r) {
  std::map<std::string, double> peak;
  for (const auto& c : r.cases) {
    if (c.status != core::Status::kPassed || c.name.find(".gemm.") == std::string::npos) continue;
    const auto* m = c.metric("flop_per_s");
    if (m == nullptr || !m->value) continue;
    const std::string label = c.name + (c.device == "host" ? "" : " " + c.device);
    peak[label] = std::max(peak[label], *m->value);
  }
  if (peak.empty()) return "";
  std::vector<Bar> bars;
  for (const auto& [label, v] : peak) bars.push_back({label, v, ""});
  BarOptions o;
  o.title = "GEMM throughput per precision (peak over sizes)";
  o.value_label = "FLOP/s, 2·M·N·K per multiply";
  o.format_value = flops_tick;
  return bar_chart(bars, o);
}

std::string warnings_box(const std::vector<std::string>& warnings, const std::string& title = "Warnings") {
  if (warnings.empty()) return "";
  std::string out = "<div class=\"warnings\"><b>" + html_escape(title) + "</b><ul>\n";
  for (const auto& w : warnings) out += "<li>" + html_escape(w) + "</li>\n";
  return out + "</ul></div>\n";
}
}  // namespace

// ---------------------------------------------------------------------------------------------

std::string render_acceptance(const AcceptanceReport& rep, const core::Results& r) {
  std::string html = page_head("headroom acceptance — " + r.host.hostname, "Acceptance: " + r.host.hostname);
  html += run_meta(r, "Results");
  html += fmt::format("<p class=\"meta\">Spec <b>{}</b> (<code>{}</code>).</p>\n", html_escape(rep.spec_name),
                      html_escape(rep.spec_file));
  html += fmt::format("<p class=\"banner {}\">{}: {} passed · {} failed · {} skipped{}</p>\n",
                      rep.accepted() ? "pass" : "fail", rep.accepted() ? "ACCEPTED" : "REJECTED", rep.passed,
                      rep.failed, rep.skipped,
                      rep.passed == 0 && rep.failed == 0 ? " (nothing was checked: every check was skipped)" : "");
  if (r.run.incomplete) {
    html += "<div class=\"warnings\">Incomplete run: " + html_escape(r.run.incomplete_reason) + "</div>\n";
  }
  for (const auto& w : rep.warnings) html += "<div class=\"warnings\">Warning: " + html_escape(w) + "</div>\n";
  html += "</header>\n<section id=\"verdicts\"><h2>Checks</h2>\n";
  html += "<table class=\"checks\">\n<thead><tr><th>Check</th><th>Subject</th><th>Verdict</th><th>Measured</th>"
          "<th>Threshold</th><th>Detail</th></tr></thead>\n<tbody>\n";
  for (const auto& row : rep.rows) {
    const std::string unit = row.check ? row.check->unit : "";
    html += fmt::format("<tr class=\"{}\"><td><code>{}</code><br>{}</td><td>{}</td><td><b>{}</b></td>{}{}<td>{}</td></tr>\n",
                        to_string(row.verdict), html_escape(row.id),
                        html_escape(row.check ? row.check->title : std::string()), html_escape(row.subject),
                        to_string(row.verdict), num_cell(row.measured, unit), num_cell(row.threshold, unit),
                        html_escape(row.message));
  }
  html += "</tbody></table>\n</section>\n";

  // Measured against threshold, as a fraction of the threshold: one bar per row with a value.
  std::vector<Bar> bars;
  for (const auto& row : rep.rows) {
    if (!row.measured || !row.threshold || *row.threshold <= 0) continue;
    const bool at_most = row.check && row.check->at_most;
    const double ratio = at_most ? *row.threshold / *row.measured : *row.measured / *row.threshold;
    bars.push_back({row.id, ratio, row.verdict == Verdict::kPass ? "good" : "bad"});
  }
  std::string chart_html;
  if (!bars.empty()) {
    BarOptions o;
    o.title = "Margin over each threshold (1.0 = exactly at the threshold)";
    o.value_label = "measured / threshold (threshold / measured for lower-is-better)";
    o.format_value = [](double v) { return fmt::format("{:.2f}×", v); };
    o.markers = {{"threshold", 1.0}};
    chart_html += bar_chart(bars, o);
  }
  chart_html += gemm_bars(r);
  chart_html += charts(r);
  if (chart_html.empty()) {
    chart_html = "<p>Nothing to chart: no check has both a measured value and a threshold, and the run has no GEMM "
                 "or size-sweep results.</p>\n";
  }
  html += "<section id=\"charts\"><h2>Charts</h2>\n" + chart_html + "</section>\n";

  html += "<section id=\"derivations\"><h2>How each threshold was derived</h2>\n<table class=\"kv\">\n";
  const Check* last = nullptr;
  for (const auto& row : rep.rows) {
    if (row.check == nullptr || row.check == last) continue;
    last = row.check;
    html += fmt::format("<tr><th><code>{}</code></th><td>{} <i>Source:</i> {}</td></tr>\n", html_escape(last->id),
                        html_escape(last->derivation), html_escape(last->source));
  }
  html += "</table>\n</section>\n";
  html += "<section id=\"inventory\"><h2>Inventory</h2>\n" + inventory_table(r) + "</section>\n";
  html += page_foot();
  return html;
}

// ---------------------------------------------------------------------------------------------

namespace {
/// Baseline-vs-current line charts for every size sweep present in both runs.
std::string sweep_overlays(const core::Results& base, const core::Results& cur) {
  std::map<std::string, std::map<std::string, Series>> groups;
  const auto add = [&](const core::Results& r, const std::string& which) {
    for (const auto& c : r.cases) {
      if (c.status != core::Status::kPassed) continue;
      const auto* size = core::find_param(c.params, "size_bytes");
      if (size == nullptr || !std::holds_alternative<std::int64_t>(*size)) continue;
      const core::Metric* m = c.metric("busbw_bytes_per_s");
      if (m == nullptr) m = c.metric("bytes_per_s");
      if (m == nullptr || !m->value) continue;
      std::string label = which + " " + c.name;
      for (const auto& p : c.params) {
        if (p.name != "size_bytes") label += " " + p.name + "=" + core::to_string(p.value);
      }
      if (c.device != "host") label += " " + c.device;
      auto& s = groups[c.name][label];
      s.label = label;
      s.x.push_back(static_cast<double>(std::get<std::int64_t>(*size)));
      s.y.push_back(*m->value);
    }
  };
  add(base, "baseline");
  add(cur, "current");
  std::string out;
  for (auto& [family, by_label] : groups) {
    std::vector<Series> series;
    bool has_base = false, has_cur = false;
    for (auto& [label, s] : by_label) {
      if (s.x.size() < 2) continue;
      (label.rfind("baseline", 0) == 0 ? has_base : has_cur) = true;
      series.push_back(std::move(s));
    }
    if (!has_base || !has_cur || series.size() > 8) continue;
    ChartOptions o;
    o.title = family + ": baseline vs current";
    o.x_label = "size";
    o.y_label = "bytes/s";
    o.format_x = bytes_tick;
    o.x_powers_of_two = true;
    o.format_y = rate_tick;
    out += line_chart(series, o);
  }
  return out;
}

/// Hodges–Lehmann shift with its confidence interval: "−3.1 % [−4.0, −2.2]".
std::string shift_cell(const MetricComparison& m) {
  if (!m.shift) return "—";
  std::string out = fmt::format("{:+.2f} %", 100 * *m.shift);
  // The interval on its own line: on one line the 12-column table outgrew the page.
  if (m.shift_low && m.shift_high) {
    out += fmt::format("<br><span class=\"note\">[{:+.2f}, {:+.2f}]</span>", 100 * *m.shift_low, 100 * *m.shift_high);
  }
  return out;
}

std::string comparison_row(const MetricComparison& m) {
  const std::string delta = m.relative_delta ? fmt::format("{:+.2f} %", 100 * *m.relative_delta) : "—";
  const std::string p = m.p_value ? fmt::format("{:.3g}{}", *m.p_value, m.exact ? "" : " ≈") : "—";
  return fmt::format(
      "<tr class=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td>{}{}<td class=\"num\">{}</td>"
      "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} / {}</td><td>{}</td><td>{}</td></tr>\n",
      to_string(m.change), html_escape(m.case_name), html_escape(spaced(m.params)), html_escape(m.device),
      html_escape(m.metric + " (" + core::to_string(m.better) + " is better)"), num_cell(m.baseline_median, m.unit),
      num_cell(m.current_median, m.unit), delta, shift_cell(m), p, m.n_baseline, m.n_current, to_string(m.change),
      html_escape(m.note));
}

// Twelve columns fit the page only with fixed widths and wrapping inside the text cells.
const char* kComparisonHead =
    "<colgroup><col style=\"width:14%\"><col style=\"width:14%\"><col style=\"width:5%\"><col style=\"width:10%\">"
    "<col style=\"width:8%\"><col style=\"width:8%\"><col style=\"width:7%\"><col style=\"width:9%\">"
    "<col style=\"width:7%\"><col style=\"width:5%\"><col style=\"width:8%\"><col style=\"width:5%\"></colgroup>"
    "<thead><tr><th>Case</th><th>Parameters</th><th>Device</th><th>Metric</th><th>Baseline median</th>"
    "<th>Current median</th><th>Δ median</th><th>Shift [CI] (Hodges–Lehmann)</th><th>p (margin test)</th><th>n</th>"
    "<th>Change</th><th>Note</th></tr></thead>\n";
}  // namespace

std::string render_regression(const Comparison& cmp, const core::Results& base, const core::Results& cur) {
  std::string html = page_head("headroom regression — " + cur.host.hostname, "Regression check: " + cur.host.hostname);
  html += run_meta(base, "Baseline " + cmp.baseline_label);
  html += run_meta(cur, "Current " + cmp.current_label);
  html += fmt::format(
      "<p class=\"banner {}\">{}: {} regression(s) · {} broken · {} improvement(s) · {} metric(s) tested, {} "
      "listed</p>\n",
      cmp.passed() ? "pass" : "fail",
      cmp.has_regression() ? "REGRESSION" : cmp.passed() ? "NO REGRESSION" : "CHECK FAILED", cmp.regressions,
      cmp.broken, cmp.improvements, cmp.tested, cmp.metrics.size());
  html += warnings_box(cmp.problems, "Why the check failed");
  html += fmt::format("<p class=\"meta\">A regression is a change the data show to be worse than the {:g} % "
                      "margin: a one-sided Mann-Whitney U test of the current samples against the baseline samples "
                      "scaled by the margin, p &lt; {:g}. Equivalently (exactly so without ties), the whole {:g} % confidence interval of the "
                      "Hodges–Lehmann shift lies beyond the margin in the metric's worse direction.</p>\n",
                      100 * cmp.options.min_effect, cmp.options.alpha, 100 * (1 - 2 * cmp.options.alpha));
  html += warnings_box(cmp.warnings);
  html += "</header>\n<section id=\"stack\"><h2>What changed in the stack</h2>\n";
  if (cmp.inventory_changes.empty()) {
    html += "<p>No inventory differences (driver, CUDA, NCCL, kernel, CPU, memory, headroom version).</p>\n";
  } else {
    html += "<table class=\"kv\"><thead><tr><th>Field</th><th>Baseline</th><th>Current</th></tr></thead><tbody>\n";
    for (const auto& c : cmp.inventory_changes) {
      html += "<tr><th>" + html_escape(c.field) + "</th><td>" + html_escape(c.baseline) + "</td><td>" +
              html_escape(c.current) + "</td></tr>\n";
    }
    html += "</tbody></table>\n";
  }
  html += "</section>\n<section id=\"significant\"><h2>Significant changes, largest effect first</h2>\n";
  std::vector<Bar> bars;
  std::string rows;
  for (const auto& m : cmp.metrics) {
    if (m.change != Change::kRegression && m.change != Change::kImprovement && m.change != Change::kMissing) continue;
    rows += comparison_row(m);
    if (m.relative_delta && bars.size() < 40) {
      bars.push_back({m.case_name + (m.params.empty() ? "" : " " + m.params) + " " + m.metric, *m.relative_delta,
                      m.change == Change::kRegression ? "bad" : "good"});
    }
  }
  if (rows.empty()) {
    html += "<p>None.</p>\n";
  } else {
    html += std::string("<table class=\"cmp regress\">\n") + kComparisonHead + "<tbody>\n" + rows + "</tbody></table>\n";
  }
  if (!bars.empty()) {
    BarOptions o;
    o.title = "Relative change of the median (current vs baseline)";
    o.value_label = "Δ median, % (sign as measured; colour shows worse/better)";
    o.format_value = percent_tick;
    html += bar_chart(bars, o);
  }
  html += "</section>\n";
  const std::string overlays = sweep_overlays(base, cur);
  if (!overlays.empty()) html += "<section id=\"charts\"><h2>Charts: baseline vs current</h2>\n" + overlays + "</section>\n";
  html += "<section id=\"all\"><h2>Every compared metric</h2>\n<table class=\"cmp regress\">\n";
  html += kComparisonHead;
  html += "<tbody>\n";
  for (const auto& m : cmp.metrics) html += comparison_row(m);
  html += "</tbody></table>\n</section>\n";
  html += "<section id=\"inventory\"><h2>Inventory (current)</h2>\n" + inventory_table(cur) + "</section>\n";
  html += page_foot();
  return html;
}

// ---------------------------------------------------------------------------------------------

std::string render_fleet(const Fleet& fleet) {
  std::string html = page_head(fmt::format("headroom fleet — {} nodes", fleet.nodes.size()),
                               fmt::format("Fleet comparison: {} nodes", fleet.nodes.size()));
  // The banner is the gate's verdict (Fleet::passed): outliers, and the problems that fail the check
  // without them (nothing compared, an incomplete node run).
  html += fmt::format("<p class=\"banner {}\">{}: {} bad outlier value(s) across {} metric(s){}</p>\n",
                      fleet.passed() ? "pass" : "fail", fleet.passed() ? "PASSED" : "CHECK FAILED", fleet.bad_outliers,
                      fleet.metrics.size(),
                      fleet.problems.empty() ? std::string()
                                             : fmt::format("; {} problem(s), listed below", fleet.problems.size()));
  for (const std::string& p : fleet.problems) html += "<p class=\"banner fail\">" + html_escape(p) + "</p>\n";
  html += fmt::format("<p class=\"meta\">An outlier has |robust z| &gt; {:g} (z = (value − median) / (1.4826·MAD)) "
                      "and differs from the fleet median by at least {:g} %; it is bad when it lies in the metric's "
                      "worse direction.</p>\n",
                      fleet.options.z_threshold, 100 * fleet.options.min_effect);
  html += warnings_box(fleet.warnings);
  html += "</header>\n<section id=\"outliers\"><h2>Outliers</h2>\n";
  std::string rows;
  for (const auto& m : fleet.metrics) {
    for (const auto& n : m.nodes) {
      if (!n.outlier) continue;
      rows += fmt::format("<tr class=\"{}\"><td>{}</td><td><code>{}</code> {}</td><td>{}</td>{}{}<td class=\"num\">{:+.1f}</td></tr>\n",
                          n.worse ? "regression" : "improvement", html_escape(n.node), html_escape(m.case_name),
                          html_escape(spaced(m.params) + " " + m.device), html_escape(m.metric), num_cell(n.value, m.unit),
                          num_cell(m.median, m.unit), n.robust_z);
    }
  }
  html += rows.empty() ? "<p>None.</p>\n"
                       : "<table><thead><tr><th>Node</th><th>Case</th><th>Metric</th><th>Node value</th>"
                         "<th>Fleet median</th><th>robust z</th></tr></thead><tbody>\n" +
                             rows + "</tbody></table>\n";
  // One bar chart per metric with a bad outlier: every node's value.
  std::size_t charts_drawn = 0;
  for (const auto& m : fleet.metrics) {
    if (m.bad_outliers == 0 || charts_drawn >= 12) continue;
    ++charts_drawn;
    std::vector<Bar> bars;
    for (const auto& n : m.nodes) bars.push_back({n.node, n.value, n.outlier && n.worse ? "bad" : ""});
    BarOptions o;
    o.title = m.case_name + " " + m.params + " " + m.metric + " per node";
    o.value_label = m.unit;
    o.markers = {{"median", m.median}};
    if (m.unit == "B/s") o.format_value = rate_tick;
    else if (m.unit == "FLOP/s") o.format_value = flops_tick;
    html += bar_chart(bars, o);
  }
  html += "</section>\n<section id=\"distribution\"><h2>Distribution per metric</h2>\n<table>\n"
          "<thead><tr><th>Case</th><th>Device</th><th>Metric</th><th>Nodes</th><th>Min</th><th>Median</th>"
          "<th>Max</th><th>MAD / median</th><th>Bad outliers</th></tr></thead><tbody>\n";
  for (const auto& m : fleet.metrics) {
    html += fmt::format("<tr class=\"{}\"><td><code>{}</code> {}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>{}{}{}"
                        "<td class=\"num\">{:.2f} %</td><td class=\"num\">{}</td></tr>\n",
                        m.bad_outliers ? "regression" : "", html_escape(m.case_name), html_escape(spaced(m.params)),
                        html_escape(m.device), html_escape(m.metric), m.nodes.size(), num_cell(m.min, m.unit),
                        num_cell(m.median, m.unit), num_cell(m.max, m.unit),
                        m.median != 0 ? 100 * m.mad / std::fabs(m.median) : 0.0, m.bad_outliers);
  }
  html += "</tbody></table>\n</section>\n<section id=\"nodes\"><h2>Nodes</h2><ul>\n";
  for (const auto& n : fleet.nodes) html += "<li>" + html_escape(n) + "</li>\n";
  html += "</ul></section>\n" + page_foot();
  return html;
}

}  // namespace headroom::report
