#include "headroom/report/export.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace headroom::report {

using nlohmann::ordered_json;

namespace {
std::string gbench_name(const core::CaseResult& c) {
  std::string name = c.name;
  for (const auto& p : c.params) name += "/" + p.name + ":" + core::to_string(p.value);
  // The same case on cuda:0..7 would otherwise be eight benchmarks of one name, which compare.py
  // pairs up wrongly; host cases keep the names earlier exports gave them.
  if (c.device != "host") name += "/device:" + c.device;
  return name;
}

/// A metric has a value per repetition when it has one sample per timed repetition of its case
/// (storage.small_files' create_files_per_s, one pass per case, has one sample for nine repetitions).
bool per_repetition(const core::Metric& m, const core::CaseResult& c) {
  return !c.samples_s.empty() && m.samples.size() == c.samples_s.size();
}

/// The counters of repetition `rep`: the per-repetition metrics' samples.
ordered_json repetition_counters(const core::CaseResult& c, std::size_t rep) {
  ordered_json out = ordered_json::object();
  for (const auto& m : c.metrics) {
    if (per_repetition(m, c)) out[m.name] = m.samples[rep];
  }
  return out;
}

/// The counters of aggregate `agg` (mean, median, stddev): that statistic of each metric's samples.
/// A metric without samples (a derived value) is its own mean and median; a standard deviation
/// needs two samples.
ordered_json aggregate_counters(const core::CaseResult& c, const std::string& agg) {
  ordered_json out = ordered_json::object();
  for (const auto& m : c.metrics) {
    if (m.samples.empty()) {
      if (m.value && agg != "stddev") out[m.name] = *m.value;
      continue;
    }
    const core::Summary s = core::summarize(m.samples);
    if (agg == "mean") out[m.name] = s.mean;
    else if (agg == "median") out[m.name] = s.median;
    else if (s.n >= 2) out[m.name] = s.stdev;
  }
  return out;
}

/// A derived case's values (null ones left out: a counter is a number).
ordered_json value_counters(const core::CaseResult& c) {
  ordered_json out = ordered_json::object();
  for (const auto& m : c.metrics) {
    if (m.value) out[m.name] = *m.value;
  }
  return out;
}
}  // namespace

std::string to_gbench_json(const core::Results& r) {
  ordered_json caches = ordered_json::array();
  const auto add_cache = [&](int level, const std::optional<std::int64_t>& size, const char* type) {
    if (size) caches.push_back({{"type", type}, {"level", level}, {"size", *size}, {"num_sharing", 1}});
  };
  add_cache(1, r.host.l1d_bytes, "Data");
  add_cache(2, r.host.l2_bytes, "Unified");
  add_cache(3, r.host.l3_bytes, "Unified");
  ordered_json context{{"date", r.run.started_at},
                       {"host_name", r.host.hostname},
                       {"executable", "headroom"},
                       {"num_cpus", r.host.threads.value_or(0)},
                       {"mhz_per_cpu", static_cast<int>(r.host.cpu_max_mhz.value_or(0))},
                       {"cpu_scaling_enabled", false},
                       {"caches", caches},
                       {"load_avg", ordered_json::array()},
                       {"library_build_type", "release"},
                       {"headroom_version", r.run.tool_version},
                       {"headroom_suite", r.run.policy.suite},
                       {"headroom_incomplete", r.run.incomplete}};
  if (r.run.incomplete) context["headroom_incomplete_reason"] = r.run.incomplete_reason;
  ordered_json benchmarks = ordered_json::array();
  int family = 0;
  for (const auto& c : r.cases) {
    const std::string name = gbench_name(c);
    if (c.status != core::Status::kPassed) {
      benchmarks.push_back({{"name", name},
                            {"family_index", family},
                            {"per_family_instance_index", 0},
                            {"run_name", name},
                            {"run_type", "iteration"},
                            {"repetitions", 0},
                            {"repetition_index", 0},
                            {"threads", 1},
                            {"iterations", 0},
                            {"real_time", 0},
                            {"cpu_time", 0},
                            {"time_unit", "ns"},
                            {"error_occurred", true},
                            {"error_message", core::to_string(c.status) + ": " + c.message}});
      ++family;
      continue;
    }
    if (c.samples_s.empty()) {
      // A derived case (cpu.peak.*, *.alpha_beta): no timed repetitions, so one entry with a fixed
      // nominal time of 1 ns: never a 0 that would read as an error or break compare.py's geometric
      // mean, and the same in every export, so its time column shows no change (the few µs deriving
      // takes would be noise). Its values are the counters.
      ordered_json e{{"name", name},
                     {"family_index", family},
                     {"per_family_instance_index", 0},
                     {"run_name", name},
                     {"run_type", "iteration"},
                     {"repetitions", 1},
                     {"repetition_index", 0},
                     {"threads", 1},
                     {"iterations", 1},
                     {"real_time", 1.0},
                     {"cpu_time", 1.0},
                     {"time_unit", "ns"},
                     {"label", "derived: nominal 1 ns time; compare the counters"}};
      e.update(value_counters(c));
      benchmarks.push_back(std::move(e));
      ++family;
      continue;
    }
    const auto n = c.samples_s.size();
    for (std::size_t i = 0; i < n; ++i) {
      ordered_json e{{"name", name},
                     {"family_index", family},
                     {"per_family_instance_index", 0},
                     {"run_name", name},
                     {"run_type", "iteration"},
                     {"repetitions", n},
                     {"repetition_index", i},
                     {"threads", 1},
                     {"iterations", 1},
                     {"real_time", c.samples_s[i] * 1e9},
                     {"cpu_time", c.samples_s[i] * 1e9},
                     {"time_unit", "ns"}};
      e.update(repetition_counters(c, i));
      benchmarks.push_back(std::move(e));
    }
    const auto s = core::summarize(c.samples_s);
    const std::pair<const char*, double> aggregates[] = {{"mean", s.mean}, {"median", s.median}, {"stddev", s.stdev}};
    for (const auto& [agg, value] : aggregates) {
      ordered_json e{{"name", name + "_" + agg},
                     {"family_index", family},
                     {"per_family_instance_index", 0},
                     {"run_name", name},
                     {"run_type", "aggregate"},
                     {"repetitions", n},
                     {"threads", 1},
                     {"aggregate_name", agg},
                     {"aggregate_unit", "time"},
                     {"iterations", n},
                     {"real_time", value * 1e9},
                     {"cpu_time", value * 1e9},
                     {"time_unit", "ns"}};
      e.update(aggregate_counters(c, agg));
      benchmarks.push_back(std::move(e));
    }
    ++family;
  }
  ordered_json doc{{"context", context}, {"benchmarks", benchmarks}};
  return doc.dump(2) + "\n";
}

namespace {
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string num(const std::optional<double>& v) { return v ? fmt::format("{:.9g}", *v) : ""; }
}  // namespace

std::string to_csv(const core::Results& r) {
  std::string out =
      "case,params,device,status,metric,unit,better,value,n,median,min,max,p5,p95,stdev,cv,provenance,verified,message,"
      "incomplete\n";
  // The run's flag on every row (not a comment line, which CSV readers take for a row or a header).
  const std::string incomplete = r.run.incomplete ? "true" : "false";
  for (const auto& c : r.cases) {
    const std::string verified = c.verified ? (*c.verified ? "true" : "false") : "";
    const std::string head = csv_field(c.name) + "," + csv_field(core::params_key(c.params)) + "," +
                             csv_field(c.device) + "," + core::to_string(c.status) + ",";
    const std::string tail = verified + "," + csv_field(c.message) + "," + incomplete + "\n";
    if (c.metrics.empty()) {
      out += head + ",,,,,,,,,,,,," + tail;
      continue;
    }
    for (const auto& m : c.metrics) {
      out += head + csv_field(m.name) + "," + csv_field(m.unit) + "," + core::to_string(m.better) + "," +
             num(m.value) + ",";
      if (m.summary) {
        const auto& s = *m.summary;
        out += fmt::format("{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},", s.n, s.median, s.min, s.max, s.p5,
                           s.p95, s.stdev, s.cv);
      } else {
        out += ",,,,,,,,";
      }
      out += csv_field(m.provenance) + "," + tail;
    }
  }
  return out;
}

}  // namespace headroom::report
