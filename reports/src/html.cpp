#include "headroom/report/html.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "headroom/core/units.hpp"
#include "headroom/report/svg.hpp"
#include "report_style.hpp"

namespace headroom::report {

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

namespace {
std::string bytes_tick(double v) { return core::format_bytes_binary(v); }
std::string rate_tick(double v) { return core::format_rate(v, "B/s"); }
std::string flops_tick(double v) { return core::format_rate(v, "FLOP/s"); }

std::string value_text(const core::Metric& m) {
  if (!m.value) return "null";
  return m.unit == "s" ? core::format_seconds(*m.value) : core::format_rate(*m.value, m.unit);
}

template <class T>
std::string opt_text(const std::optional<T>& v) {
  if (!v) return "unknown";
  return fmt::format("{}", *v);
}

std::string inventory_table(const core::Results& r) {
  const auto& h = r.host;
  std::string flags;
  for (const auto& f : h.cpu_flags) flags += f + " ";
  const auto bin = [](const std::optional<std::int64_t>& v) {
    return v ? core::format_bytes_binary(static_cast<double>(*v)) : std::string("unknown");
  };
  std::string out = "<table class=\"kv\">\n";
  const auto row = [&](const std::string& k, const std::string& v) {
    out += "<tr><th>" + html_escape(k) + "</th><td>" + html_escape(v) + "</td></tr>\n";
  };
  row("Host", h.hostname);
  row("CPU", fmt::format("{} — {} socket(s), {} cores, {} threads{}", h.cpu_model, opt_text(h.sockets),
                         opt_text(h.cores), opt_text(h.threads), h.virtualized ? " (virtualized)" : ""));
  row("Caches", "L1d " + bin(h.l1d_bytes) + ", L2 " + bin(h.l2_bytes) + ", L3 " + bin(h.l3_bytes));
  row("Memory", bin(h.memory_bytes) + " in " + opt_text(h.numa_nodes) + " NUMA node(s)");
  row("SIMD", flags);
  row("OS", h.os + " / " + h.kernel);
  row("Built with", h.compiler + ", headroom " + h.headroom_version);
  if (r.devices.empty()) row("GPUs", "none");
  for (const auto& d : r.devices) {
    row(fmt::format("GPU {}", d.index),
        d.name + (d.memory_bytes ? ", " + core::format_bytes_binary(static_cast<double>(*d.memory_bytes)) : "") +
            (d.driver_version ? ", driver " + *d.driver_version : ""));
  }
  out += "</table>\n";
  return out;
}

std::string cases_table(const core::Results& r) {
  std::string out =
      "<table class=\"cases\">\n<thead><tr><th>Case</th><th>Parameters</th><th>Status</th><th>Headline</th>"
      "<th>CV</th><th>Verified</th><th>Notes</th></tr></thead>\n<tbody>\n";
  for (const auto& c : r.cases) {
    const std::string status = core::to_string(c.status);
    std::string headline = "—", cv = "—";
    if (!c.metrics.empty()) {
      const auto& m = c.metrics.front();
      headline = m.name + " = " + value_text(m);
      if (m.provenance != "measured") headline += " (" + m.provenance + ")";
      if (m.summary && m.summary->n > 1) cv = fmt::format("{:.1f} %", 100 * m.summary->cv);
    }
    const std::string verified = c.verified ? (*c.verified ? "yes" : "NO") : "—";
    out += fmt::format(
        "<tr class=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "</tr>\n",
        status, html_escape(c.name), html_escape(core::params_key(c.params)), status, html_escape(headline), cv,
        verified, html_escape(c.message));
  }
  out += "</tbody></table>\n";
  return out;
}

/// Chart groups: every case name with at least two passed instances along a size parameter.
std::string charts(const core::Results& r) {
  struct Group {
    std::vector<Series> series;
    bool flops = false;
  };
  std::map<std::string, std::map<std::string, Series>> groups;  // family -> label -> series
  std::map<std::string, bool> is_flops;
  for (const auto& c : r.cases) {
    if (c.status != core::Status::kPassed) continue;
    const core::ParamValue* size = core::find_param(c.params, "size_bytes");
    const core::Metric* bw = c.metric("bytes_per_s");
    const core::Metric* fl = c.metric("flop_per_s");
    double x = 0;
    const core::Metric* m = nullptr;
    if (size != nullptr && bw != nullptr && bw->value) {
      x = std::visit([](const auto& v) -> double {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_arithmetic_v<T>) return static_cast<double>(v);
        else return 0.0;
      }, *size);
      m = bw;
    } else if (fl != nullptr && fl->value && fl->provenance == "measured") {
      const auto* mm = core::find_param(c.params, "m");
      const auto* nn = core::find_param(c.params, "n");
      const auto* kk = core::find_param(c.params, "k");
      if (mm && nn && kk && std::holds_alternative<std::int64_t>(*mm) && std::holds_alternative<std::int64_t>(*nn) &&
          std::holds_alternative<std::int64_t>(*kk)) {
        x = std::cbrt(static_cast<double>(std::get<std::int64_t>(*mm)) * static_cast<double>(std::get<std::int64_t>(*nn)) *
                      static_cast<double>(std::get<std::int64_t>(*kk)));
        m = fl;
      }
    }
    if (m == nullptr || x <= 0) continue;
    const auto dot = c.name.find('.', c.name.find('.') + 1);
    const std::string family = m == fl ? "gemm" : c.name.substr(0, dot);
    std::string label = c.name;
    for (const auto& p : c.params) {
      if (p.name != "size_bytes" && p.name != "m" && p.name != "n" && p.name != "k") {
        label += " " + p.name + "=" + core::to_string(p.value);
      }
    }
    auto& s = groups[family][label];
    s.label = label;
    s.x.push_back(x);
    s.y.push_back(*m->value);
    is_flops[family] = (m == fl);
  }
  std::string out;
  for (auto& [family, by_label] : groups) {
    std::vector<Series> series;
    for (auto& [label, s] : by_label) {
      if (s.x.size() >= 2) series.push_back(std::move(s));
    }
    if (series.empty()) continue;
    ChartOptions o;
    if (is_flops[family]) {
      o.title = "GEMM throughput vs size";
      o.x_label = "(M·N·K)^(1/3)";
      o.y_label = "FLOP/s (2·M·N·K per multiply)";
      o.format_y = flops_tick;
    } else {
      o.title = family + ": bandwidth vs size";
      o.x_label = "working set / transfer size";
      o.y_label = "bytes/s (as counted in each case's note)";
      o.format_x = bytes_tick;
      o.format_y = rate_tick;
    }
    out += line_chart(series, o);
  }
  return out;
}
}  // namespace

std::string render_run_summary(const core::Results& r) {
  std::size_t passed = 0, waived = 0, errors = 0;
  for (const auto& c : r.cases) {
    (c.status == core::Status::kPassed ? passed : c.status == core::Status::kWaived ? waived : errors)++;
  }
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>headroom run — " + html_escape(r.host.hostname) + "</title>\n";
  html += std::string("<style>\n") + kReportCss + "</style>\n</head>\n<body>\n";
  html += "<header><h1>headroom: what this machine delivers</h1>\n";
  html += fmt::format("<p class=\"meta\">Run <code>{}</code>, {} → {}, suite <b>{}</b> ({} warm-up, {} repetitions, "
                      "{} reported), headroom {}.</p>\n",
                      html_escape(r.run.id), html_escape(r.run.started_at), html_escape(r.run.finished_at),
                      html_escape(r.run.policy.suite), r.run.policy.warmup, r.run.policy.repetitions,
                      html_escape(core::to_string(r.run.policy.statistic)), html_escape(r.run.tool_version));
  html += fmt::format("<p class=\"verdict\">{} passed · {} waived · {} error{}</p>\n", passed, waived, errors,
                      r.run.incomplete ? " · <b>INCOMPLETE: " + html_escape(r.run.incomplete_reason) + "</b>" : "");
  html += "</header>\n<section id=\"inventory\"><h2>Inventory</h2>\n" + inventory_table(r) + "</section>\n";
  if (!r.run.notes.empty()) {
    html += "<section id=\"notes\"><h2>Notes</h2><ul>\n";
    for (const auto& n : r.run.notes) html += "<li>" + html_escape(n) + "</li>\n";
    html += "</ul></section>\n";
  }
  const std::string chart_html = charts(r);
  if (!chart_html.empty()) html += "<section id=\"charts\"><h2>Charts</h2>\n" + chart_html + "</section>\n";
  html += "<section id=\"cases\"><h2>Cases</h2>\n" + cases_table(r) + "</section>\n";
  html += "<footer><p>Counting conventions: GB = 10<sup>9</sup> B, GiB = 2<sup>30</sup> B; GEMM FLOPs = 2·M·N·K; "
          "STREAM bytes as McCalpin defines them (no write-allocate). Every raw sample is in results.json.</p>"
          "</footer>\n</body>\n</html>\n";
  return html;
}

}  // namespace headroom::report
