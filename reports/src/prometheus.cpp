#include "headroom/report/prometheus.hpp"

#include <fmt/format.h>

#include <map>
#include <vector>

namespace headroom::report {

bool is_headroom_textfile(std::string_view text) {
  const auto starts = [&](std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; };
  return starts(std::string(kPrometheusHeader) + "\n") || starts("# HELP headroom_");
}

std::string prom_metric_name(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    const bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == ':';
    const bool digit = ch >= '0' && ch <= '9';
    out += (alpha || (digit && i > 0)) ? ch : '_';
  }
  if (out.empty()) out = "_";
  return out;
}

std::string prom_label_value(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += ch;
    }
  }
  return out;
}

namespace {
struct Family {
  std::string help;
  std::vector<std::string> samples;  ///< "name{labels} value" lines
};

std::string labels(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out = "{";
  for (std::size_t i = 0; i < kv.size(); ++i) {
    out += fmt::format("{}{}=\"{}\"", i ? "," : "", kv[i].first, prom_label_value(kv[i].second));
  }
  return out + "}";
}

/// HELP text escapes backslash and newline only.
std::string help_text(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\\') out += "\\\\";
    else if (ch == '\n') out += "\\n";
    else out += ch;
  }
  return out;
}

/// Go's strconv formatting is what Prometheus parses; %.17g round-trips every double.
std::string number(double v) { return fmt::format("{:.17g}", v); }
}  // namespace

std::string to_prometheus(const core::Results& current, const Comparison* comparison) {
  std::map<std::string, Family> families;  // sorted by name: stable output
  const std::string host = current.host.hostname;
  for (const auto& c : current.cases) {
    auto& passed = families["headroom_case_passed"];
    passed.help = "1 when the benchmark case passed, 0 when it was waived or failed";
    passed.samples.push_back("headroom_case_passed" +
                             labels({{"case", c.name}, {"params", core::params_key(c.params)}, {"device", c.device},
                                     {"host", host}, {"status", core::to_string(c.status)}}) +
                             " " + (c.status == core::Status::kPassed ? "1" : "0"));
    if (c.status != core::Status::kPassed) continue;
    for (const auto& m : c.metrics) {
      if (!m.value) continue;
      const std::string name = prom_metric_name("headroom_" + m.name);
      auto& f = families[name];
      f.help = fmt::format("headroom {} ({}, {} is better; {} over repetitions)", m.name, m.unit,
                           core::to_string(m.better), core::to_string(current.run.policy.statistic));
      f.samples.push_back(name + labels({{"case", c.name}, {"params", core::params_key(c.params)}, {"device", c.device},
                                         {"host", host}}) +
                          " " + number(*m.value));
    }
  }
  if (comparison != nullptr) {
    auto& delta = families["headroom_regression_relative_delta"];
    delta.help = "(current - baseline) / baseline of the median, per metric";
    auto& sig = families["headroom_regression_significant"];
    sig.help = "1 when the metric regressed: a one-sided Mann-Whitney U test shows, at level alpha, a change worse than "
                "the minimum effect";
    for (const auto& mc : comparison->metrics) {
      if (!mc.relative_delta) continue;
      const std::string l =
          labels({{"case", mc.case_name}, {"params", mc.params}, {"device", mc.device}, {"metric", mc.metric},
                  {"host", host}});
      delta.samples.push_back("headroom_regression_relative_delta" + l + " " + number(*mc.relative_delta));
      sig.samples.push_back("headroom_regression_significant" + l + " " +
                            (mc.change == Change::kRegression ? "1" : "0"));
    }
    // One sample per host: the regression count and the gate itself, which also fails with no
    // regression (nothing could be tested, an incomplete run, cases gone) that an alert on the
    // regression count alone would miss.
    const auto host_gauge = [&](const std::string& name, const std::string& help, std::size_t value) {
      auto& f = families[name];
      f.help = help;
      f.samples.push_back(name + labels({{"host", host}}) + " " + std::to_string(value));
    };
    host_gauge("headroom_regressions_total", "number of metrics that regressed significantly in the last comparison",
               comparison->regressions);
    host_gauge("headroom_comparison_passed", "1 when the last comparison passed (compare's exit 0), 0 when it failed",
               comparison->passed() ? 1 : 0);
    host_gauge("headroom_comparison_tested_metrics", "metrics the last comparison could judge", comparison->tested);
    host_gauge("headroom_comparison_problems",
               "reasons the last comparison failed besides regressions (nothing tested, incomplete run, cases gone)",
               comparison->problems.size());
  }
  std::string out = std::string(kPrometheusHeader) + "\n";
  for (const auto& [name, f] : families) {
    if (f.samples.empty()) continue;
    out += "# HELP " + name + " " + help_text(f.help) + "\n# TYPE " + name + " gauge\n";
    for (const auto& s : f.samples) out += s + "\n";
  }
  return out;
}

}  // namespace headroom::report
