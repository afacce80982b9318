#include "headroom/core/results.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <random>
#include <string_view>
#include <tuple>

#include "headroom/core/detail/strict_json.hpp"
#include "headroom/core/errors.hpp"

namespace headroom::core {

using nlohmann::json;
using detail::Range;
using detail::Reader;

bool filter_matches(const std::string& glob, const std::string& name) {
  return ::fnmatch(glob.c_str(), name.c_str(), 0) == 0;
}

std::string to_string(const ParamValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) return x;
        else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>) return fmt::format("{:g}", x);
        else return std::to_string(x);
      },
      v);
}

std::string params_key(const Params& p) {
  std::string out;
  for (const auto& x : p) {
    if (!out.empty()) out += ',';
    out += x.name + '=' + to_string(x.value);
  }
  return out;
}

const ParamValue* find_param(const Params& p, const std::string& name) {
  for (const auto& x : p) {
    if (x.name == name) return &x.value;
  }
  return nullptr;
}

std::string to_string(Status s) {
  switch (s) {
    case Status::kPassed: return "passed";
    case Status::kWaived: return "waived";
    case Status::kError: return "error";
  }
  return "error";
}

Status status_from_string(const std::string& s) {
  if (s == "passed") return Status::kPassed;
  if (s == "waived") return Status::kWaived;
  if (s == "error") return Status::kError;
  throw InputError("", "status", "one of passed, waived, error, got '" + s + "'");
}

std::string to_string(Better b) { return b == Better::kHigher ? "higher" : "lower"; }

bool is_pci_id(const std::string& s) {
  return s.size() == 6 && s[0] == '0' && s[1] == 'x' &&
         std::all_of(s.begin() + 2, s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

RunPolicy policy_for_suite(const std::string& suite) {
  RunPolicy p;
  p.suite = suite;
  if (suite == "quick") {
    p.warmup = 1;
    p.repetitions = 9;
    p.min_time_s = 0.01;
    p.max_case_s = 5;
    p.rounds = 3;
  } else if (suite == "standard") {
    p.warmup = 2;
    p.repetitions = 15;
    p.min_time_s = 0.05;
    p.max_case_s = 30;
    p.rounds = 3;
  } else if (suite == "full") {
    p.warmup = 3;
    p.repetitions = 30;
    p.min_time_s = 0.1;
    p.max_case_s = 120;
    p.rounds = 5;
  } else {
    throw InputError("", "--suite", "one of quick, standard, full, got '" + suite + "'");
  }
  return p;
}

const Metric* CaseResult::metric(const std::string& metric_name) const {
  for (const auto& m : metrics) {
    if (m.name == metric_name) return &m;
  }
  return nullptr;
}

void finalize_metric(Metric& m, Statistic statistic) {
  if (m.samples.empty()) return;
  m.summary = summarize(m.samples);
  m.value = pick(*m.summary, statistic);
}

std::string utc_now_iso8601() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string random_id() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> dist;
  return fmt::format("{:016x}", dist(rd));
}

// ---------------------------------------------------------------------------------------------
// writing

namespace {
template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json summary_json(const Summary& s) {
  return json{{"n", s.n},       {"median", s.median}, {"mean", s.mean}, {"min", s.min}, {"max", s.max},
              {"p5", s.p5},     {"p95", s.p95},       {"stdev", s.stdev}, {"cv", s.cv}};
}

json param_json(const ParamValue& v) {
  return std::visit([](const auto& x) { return json(x); }, v);
}

json host_json(const HostInventory& h) {
  return json{{"hostname", h.hostname},
              {"cpu_model", h.cpu_model},
              {"cpu_vendor", h.cpu_vendor},
              {"sockets", opt(h.sockets)},
              {"cores", opt(h.cores)},
              {"threads", opt(h.threads)},
              {"cpu_max_mhz", opt(h.cpu_max_mhz)},
              {"l1d_bytes", opt(h.l1d_bytes)},
              {"l2_bytes", opt(h.l2_bytes)},
              {"l3_bytes", opt(h.l3_bytes)},
              {"numa_nodes", opt(h.numa_nodes)},
              {"memory_bytes", opt(h.memory_bytes)},
              {"cpu_flags", h.cpu_flags},
              {"os", h.os},
              {"kernel", h.kernel},
              {"compiler", h.compiler},
              {"headroom_version", h.headroom_version},
              {"virtualized", h.virtualized},
              {"ranks", h.ranks}};
}

json device_json(const DeviceInfo& d) {
  return json{{"index", d.index},
              {"name", d.name},
              {"uuid", opt(d.uuid)},
              {"pci_bus_id", opt(d.pci_bus_id)},
              {"pci_vendor_id", opt(d.pci_vendor_id)},
              {"pci_device_id", opt(d.pci_device_id)},
              {"compute_capability", opt(d.compute_capability)},
              {"sm_count", opt(d.sm_count)},
              {"memory_bytes", opt(d.memory_bytes)},
              {"l2_bytes", opt(d.l2_bytes)},
              {"clock_sm_mhz", opt(d.clock_sm_mhz)},
              {"clock_mem_mhz", opt(d.clock_mem_mhz)},
              {"memory_bus_width_bits", opt(d.memory_bus_width_bits)},
              {"ecc_enabled", opt(d.ecc_enabled)},
              {"numa_node", opt(d.numa_node)},
              {"pcie_gen", opt(d.pcie_gen)},
              {"pcie_width", opt(d.pcie_width)},
              {"power_limit_w", opt(d.power_limit_w)},
              {"driver_version", opt(d.driver_version)},
              {"cuda_runtime_version", opt(d.cuda_runtime_version)},
              {"cublas_version", opt(d.cublas_version)},
              {"nccl_version", opt(d.nccl_version)},
              {"host_rank", opt(d.host_rank)}};
}

json activity_json(const std::optional<Activity>& a) {
  if (!a) return nullptr;
  return {{"wall_s", a->wall_s},
          {"cpus", a->cpus},
          {"other_busy_cpus", a->other_busy_cpus},
          {"steal_cpus", a->steal_cpus},
          {"load_average_start", a->load_average_start ? json(*a->load_average_start) : json(nullptr)}};
}

json policy_json(const RunPolicy& p) {
  return json{{"suite", p.suite},
              {"warmup", p.warmup},
              {"repetitions", p.repetitions},
              {"min_time_s", p.min_time_s},
              {"max_case_s", p.max_case_s},
              {"statistic", to_string(p.statistic)},
              {"rotate_buffers", p.rotate_buffers},
              {"rounds", p.rounds}};
}

json case_json(const CaseResult& c) {
  json params = json::object();
  for (const auto& p : c.params) params[p.name] = param_json(p.value);
  json metrics = json::array();
  for (const auto& m : c.metrics) {
    metrics.push_back(json{{"name", m.name},
                           {"unit", m.unit},
                           {"better", to_string(m.better)},
                           {"value", opt(m.value)},
                           {"samples", m.samples},
                           {"summary", m.summary ? summary_json(*m.summary) : json(nullptr)},
                           {"provenance", m.provenance},
                           {"note", m.note}});
  }
  json param_order = json::array();
  for (const auto& p : c.params) param_order.push_back(p.name);
  return json{{"name", c.name},
              {"status", to_string(c.status)},
              {"message", c.message},
              {"device", c.device},
              {"params", params},
              {"param_order", param_order},
              {"verified", opt(c.verified)},
              {"samples_s", c.samples_s},
              {"wall_s", c.wall_s},
              {"metrics", metrics}};
}
}  // namespace

std::string results_to_json(const Results& r, int indent) {
  json hosts = json::array();
  for (const auto& h : r.hosts) hosts.push_back(host_json(h));
  json devices = json::array();
  for (const auto& d : r.devices) devices.push_back(device_json(d));
  json cases = json::array();
  for (const auto& c : r.cases) cases.push_back(case_json(c));
  json doc{{"schema", kResultsSchema},
           {"schema_version", fmt::format("{}.{}", kResultsMajor, kResultsMinor)},
           {"run",
            {{"id", r.run.id},
             {"started_at", r.run.started_at},
             {"finished_at", r.run.finished_at},
             {"tool_version", r.run.tool_version},
             {"command_line", r.run.command_line},
             {"policy", policy_json(r.run.policy)},
             {"filter", r.run.filter},
             {"world_size", r.run.world_size},
             {"incomplete", r.run.incomplete},
             {"incomplete_reason", r.run.incomplete_reason},
             {"notes", r.run.notes},
             {"activity", activity_json(r.run.activity)}}},
           {"host", host_json(r.host)},
           {"hosts", hosts},
           {"devices", devices},
           {"cases", cases}};
  return doc.dump(indent) + "\n";
}

// ---------------------------------------------------------------------------------------------
// reading

// The name patterns of results.schema.json, so that the loader is at least as strict as the schema.
namespace {
bool is_name_word(std::string_view w) {  // ^[a-z0-9_]+$
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
  });
}

}  // namespace

const Activity* busy_activity(const RunInfo& run) {
  return run.activity && run.world_size == 1 && is_busy(*run.activity) ? &*run.activity : nullptr;
}

std::string unit_for_metric_name(std::string_view metric) {
  if (metric.ends_with("flop_per_s")) return "FLOP/s";
  if (metric.ends_with("bytes_per_s")) return "B/s";
  if (metric == "iops" || metric.ends_with("_iops")) return "IO/s";
  if (metric.ends_with("files_per_s")) return "files/s";
  if (metric.ends_with("_hz")) return "Hz";
  if (metric.ends_with("_s")) return "s";
  if (metric.ends_with("_bytes")) return "B";
  return "";
}

bool is_case_name(std::string_view s) {                     // ^[a-z0-9_]+(\.[a-z0-9_]+)+$
  if (s.find('.') == std::string_view::npos) return false;  // two words at least
  for (std::size_t begin = 0;;) {
    const std::size_t dot = s.find('.', begin);
    if (!is_name_word(s.substr(begin, dot - begin))) return false;
    if (dot == std::string_view::npos) return true;
    begin = dot + 1;
  }
}

namespace {
std::optional<int> opt_int(const Reader& r, const std::string& key, std::int64_t min = 0) {
  auto v = r.integer_or_null(key, min, INT32_MAX);
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

std::vector<std::string> strings(const Reader& r, const std::string& key) {
  std::vector<std::string> out;
  if (r.is_null(key)) return out;
  Reader a = r.at(key);
  for (std::size_t i = 0; i < a.size(); ++i) out.push_back(a.index(i).as_string());
  return out;
}

HostInventory read_host(const Reader& r) {
  r.expect_object();
  // Null only where results.schema.json allows it (the nullable counts and sizes).
  r.refuse_null({"cpu_model", "cpu_vendor", "cpu_flags", "os", "kernel", "compiler", "headroom_version", "virtualized",
                 "ranks"});
  HostInventory h;
  h.hostname = r.string("hostname");
  h.cpu_model = r.string_or("cpu_model", "");
  h.cpu_vendor = r.string_or("cpu_vendor", "");
  h.sockets = opt_int(r, "sockets", 1);
  h.cores = opt_int(r, "cores", 1);
  h.threads = opt_int(r, "threads", 1);
  h.cpu_max_mhz = r.number_or_null("cpu_max_mhz", Range::kPositive);
  h.l1d_bytes = r.integer_or_null("l1d_bytes", 1);
  h.l2_bytes = r.integer_or_null("l2_bytes", 1);
  h.l3_bytes = r.integer_or_null("l3_bytes", 1);
  h.numa_nodes = opt_int(r, "numa_nodes", 1);
  h.memory_bytes = r.integer_or_null("memory_bytes", 1);
  h.cpu_flags = strings(r, "cpu_flags");
  h.os = r.string_or("os", "");
  h.kernel = r.string_or("kernel", "");
  h.compiler = r.string_or("compiler", "");
  h.headroom_version = r.string_or("headroom_version", "");
  h.virtualized = r.boolean_or("virtualized", false);
  if (!r.is_null("ranks")) {
    Reader a = r.at("ranks");
    for (std::size_t i = 0; i < a.size(); ++i) {
      const double v = a.index(i).as_number(Range::kNonNegative);
      if (v != std::floor(v)) a.index(i).fail("an integer rank");
      h.ranks.push_back(static_cast<int>(v));
    }
  }
  return h;
}

DeviceInfo read_device(const Reader& r) {
  r.expect_object();
  DeviceInfo d;
  d.index = static_cast<int>(r.integer("index", 0, 4096));
  d.name = r.string("name");
  d.uuid = r.string_or_null("uuid");
  d.pci_bus_id = r.string_or_null("pci_bus_id");
  for (auto [key, field] : {std::pair{"pci_vendor_id", &d.pci_vendor_id}, std::pair{"pci_device_id", &d.pci_device_id}}) {
    *field = r.string_or_null(key);  // absent in older files: null
    if (*field && !is_pci_id(**field)) r.fail_at(key, "a PCI id like \"0x10de\" (0x and 4 lower-case hex digits) or null");
  }
  d.compute_capability = r.string_or_null("compute_capability");
  d.sm_count = opt_int(r, "sm_count", 1);
  d.memory_bytes = r.integer_or_null("memory_bytes", 1);
  d.l2_bytes = r.integer_or_null("l2_bytes", 1);
  d.clock_sm_mhz = r.number_or_null("clock_sm_mhz", Range::kPositive);
  d.clock_mem_mhz = r.number_or_null("clock_mem_mhz", Range::kPositive);
  d.memory_bus_width_bits = opt_int(r, "memory_bus_width_bits", 1);
  if (!r.is_null("ecc_enabled")) d.ecc_enabled = r.boolean("ecc_enabled");
  d.numa_node = opt_int(r, "numa_node", -1);
  d.pcie_gen = opt_int(r, "pcie_gen", 1);
  d.pcie_width = opt_int(r, "pcie_width", 1);
  d.power_limit_w = r.number_or_null("power_limit_w", Range::kPositive);
  d.driver_version = r.string_or_null("driver_version");
  d.cuda_runtime_version = r.string_or_null("cuda_runtime_version");
  d.cublas_version = r.string_or_null("cublas_version");
  d.nccl_version = r.string_or_null("nccl_version");
  d.host_rank = opt_int(r, "host_rank", 0);
  return d;
}

Summary read_summary(const Reader& r) {
  r.expect_object();
  Summary s;
  s.n = static_cast<int>(r.integer("n", 1, INT32_MAX));
  s.median = r.number("median");
  s.mean = r.number("mean");
  s.min = r.number("min");
  s.max = r.number("max");
  s.p5 = r.number("p5");
  s.p95 = r.number("p95");
  s.stdev = r.number("stdev", Range::kNonNegative);
  s.cv = r.number("cv", Range::kNonNegative);
  if (!(s.min <= s.median && s.median <= s.max)) r.fail("min <= median <= max");
  return s;
}

/// Relative tolerance for a figure recomputed from the samples: JSON written with 17 significant
/// digits reads back exactly; another tool (a script summing in another order) is off by ulps.
constexpr double kRoundTrip = 1e-9;
bool agrees(double got, double want, double scale) {
  return std::fabs(got - want) <= kRoundTrip * std::max({std::fabs(got), std::fabs(want), scale});
}

/// A sampled metric's summary must be that of its samples and its value the policy's statistic of
/// them: a hand-edited headline value or summary would otherwise be believed by accept and compare.
/// Metrics without samples (derived, datasheet values) carry a value alone and are not checked.
void check_sampled_metric(const Reader& m, const Metric& out, Statistic statistic) {
  if (out.samples.empty()) return;
  const std::size_t n = out.samples.size();
  const auto s = m.maybe("summary");
  if (!s) m.fail_at("summary", fmt::format("a summary of the {} samples, got {}", n, m.has("summary") ? "null" : "none"));
  const Summary want = summarize(out.samples);
  const Summary& got = *out.summary;
  // Order statistics are samples (or between two): relative to themselves. A mean or stdev summed
  // from samples of both signs, or a stdev near 0, is judged on the samples' scale instead, so one
  // outlier sample does not widen the tolerance of the others.
  const double scale = std::max(std::fabs(want.min), std::fabs(want.max));
  const std::tuple<const char*, double, double, double> fields[] = {
      {"median", got.median, want.median, 0.0}, {"mean", got.mean, want.mean, scale},
      {"min", got.min, want.min, 0.0},          {"max", got.max, want.max, 0.0},
      {"p5", got.p5, want.p5, 0.0},             {"p95", got.p95, want.p95, 0.0},
      {"stdev", got.stdev, want.stdev, scale}};
  for (const auto& [field, gv, wv, field_scale] : fields) {
    const std::pair<double, double> v{gv, wv};
    if (!agrees(v.first, v.second, field_scale)) {
      s->fail_at(field, fmt::format("{:.17g}, the {} of the {} samples, got {:.17g}", v.second, field, n, v.first));
    }
  }
  if (!agrees(got.cv, want.cv, 1.0)) {  // dimensionless: an absolute 1e-9
    s->fail_at("cv", fmt::format("{:.17g}, the cv of the {} samples, got {:.17g}", want.cv, n, got.cv));
  }
  const double headline = pick(got, statistic);
  if (!out.value || !agrees(*out.value, headline, statistic == Statistic::kMean ? scale : 0.0)) {
    m.fail_at("value", fmt::format("{:.17g}, the {} of the {} samples (run.policy.statistic), got {}", headline,
                                   to_string(statistic), n, out.value ? fmt::format("{:.17g}", *out.value) : "null"));
  }
}

ParamValue read_param(const Reader& r) {
  const json& v = r.value();
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) return r.as_number();
  r.fail("a number, string or boolean parameter value");
}

CaseResult read_case(const Reader& r, Statistic statistic) {
  r.expect_object();
  r.refuse_null({"message", "device", "param_order", "wall_s"});
  CaseResult c;
  c.name = r.string("name");
  if (!is_case_name(c.name)) {
    r.fail_at("name", "a case name matching ^[a-z0-9_]+(\\.[a-z0-9_]+)+$ (dotted lower-case words such as "
                      "cpu.gemm.fp64), got '" + c.name + "'");
  }
  const std::string status = r.choice("status", {"passed", "waived", "error"});
  c.status = status_from_string(status);
  c.message = r.string_or("message", "");
  c.device = r.string_or("device", "host");
  Reader params = r.at("params");
  params.expect_object();
  std::vector<std::string> order = strings(r, "param_order");
  for (auto it = params.value().begin(); it != params.value().end(); ++it) {
    if (std::find(order.begin(), order.end(), it.key()) == order.end()) order.push_back(it.key());
  }
  for (const auto& name : order) {
    if (!params.has(name)) r.fail_at("param_order", "names present in params ('" + name + "' is not)");
    c.params.push_back(Param{name, read_param(params.at(name))});
  }
  if (!r.is_null("verified")) c.verified = r.boolean("verified");
  if (c.status == Status::kPassed && c.verified == std::optional<bool>(false)) {
    r.fail_at("verified", "true or absent for a passed case (a result that failed its check is an error)");
  }
  c.samples_s = r.numbers("samples_s", Range::kNonNegative);
  c.wall_s = r.number_or("wall_s", 0.0, Range::kNonNegative);
  Reader metrics = r.at("metrics");
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    Reader m = metrics.index(i);
    m.expect_object();
    m.refuse_null({"provenance", "note"});
    Metric out;
    out.name = m.string("name");
    if (!is_name_word(out.name)) {
      m.fail_at("name", "a metric name matching ^[a-z0-9_]+$ (lower-case snake_case such as flop_per_s), got '" +
                            out.name + "'");
    }
    for (const Metric& earlier : c.metrics) {
      if (earlier.name == out.name) {
        m.fail_at("name", fmt::format("each metric once in a case, got '{}' again", out.name));
      }
    }
    out.unit = m.string("unit");
    // A name with a unit suffix fixes the unit: acceptance specs and profiles rely on it, and a
    // file whose flop_per_s is in 'zzz' would otherwise have its spec blamed for the mismatch.
    if (const std::string implied = unit_for_metric_name(out.name);
        !implied.empty() && out.unit != implied && !(implied == "FLOP/s" && out.unit == "OP/s")) {
      m.fail_at("unit", fmt::format("'{}' for a metric named {}{}, got '{}'", implied, out.name,
                                    implied == "FLOP/s" ? " ('OP/s' for an integer GEMM)" : "", out.unit));
    }
    out.better = m.choice("better", {"higher", "lower"}) == "higher" ? Better::kHigher : Better::kLower;
    // A rate is better higher and a time lower: a flipped direction would make compare call every
    // regression of the metric an improvement.
    const bool rate = out.unit.size() > 2 && out.unit.ends_with("/s");
    if ((rate && out.better != Better::kHigher) || (out.unit == "s" && out.better != Better::kLower)) {
      m.fail_at("better", fmt::format("\"{}\" for a metric in {}, got \"{}\"", rate ? "higher" : "lower", out.unit,
                                      rate ? "lower" : "higher"));
    }
    out.value = m.number_or_null("value", Range::kNonNegative);
    out.samples = m.numbers("samples", Range::kNonNegative);
    // One sample per timed repetition at most (fewer by design: a value measured once per case or
    // per round); more samples than the case's repetitions cannot come from one run.
    if (!c.samples_s.empty() && out.samples.size() > c.samples_s.size()) {
      m.fail_at("samples", fmt::format("at most one sample per timed repetition ({}, the length of samples_s), got {}",
                                       c.samples_s.size(), out.samples.size()));
    }
    if (auto s = m.maybe("summary")) {
      out.summary = read_summary(*s);
      if (out.summary->n != static_cast<int>(out.samples.size())) {
        s->fail_at("n", fmt::format("the number of samples ({})", out.samples.size()));
      }
    }
    check_sampled_metric(m, out, statistic);
    out.provenance = m.choice_or("provenance", {"measured", "derived", "datasheet", "override"}, "measured");
    out.note = m.string_or("note", "");
    c.metrics.push_back(std::move(out));
  }
  if (c.status == Status::kPassed && c.metrics.empty()) r.fail_at("metrics", "at least one metric for a passed case");
  return c;
}

Activity read_activity(const Reader& r) {
  r.expect_object();
  r.only_keys({"wall_s", "cpus", "other_busy_cpus", "steal_cpus", "load_average_start"});
  r.refuse_null({"wall_s", "cpus", "other_busy_cpus", "steal_cpus"});
  Activity a;
  a.wall_s = r.number("wall_s", Range::kNonNegative);
  a.cpus = static_cast<int>(r.integer("cpus", 1, 1 << 24));
  a.other_busy_cpus = r.number("other_busy_cpus", Range::kNonNegative);
  a.steal_cpus = r.number("steal_cpus", Range::kNonNegative);
  a.load_average_start = r.number_or_null("load_average_start", Range::kNonNegative);
  return a;
}

RunPolicy read_policy(const Reader& r) {
  r.expect_object();
  r.refuse_null({"rounds"});
  RunPolicy p;
  p.suite = r.string("suite");
  p.warmup = static_cast<int>(r.integer("warmup", 0, 1000000));
  p.repetitions = static_cast<int>(r.integer("repetitions", 1, 1000000));
  p.min_time_s = r.number("min_time_s", Range::kNonNegative);
  p.max_case_s = r.number("max_case_s", Range::kPositive);
  p.statistic = statistic_from_string(r.choice("statistic", {"median", "mean", "min", "max"}));
  p.rotate_buffers = r.boolean("rotate_buffers");
  p.rounds = static_cast<int>(r.integer_or("rounds", 1, 1, 1000));  // absent before schema 1.1
  return p;
}
}  // namespace

std::string case_identity(const CaseResult& c) {
  Params sorted = c.params;
  std::sort(sorted.begin(), sorted.end(), [](const Param& a, const Param& b) { return a.name < b.name; });
  return c.name + '\n' + params_key(sorted) + '\n' + c.device;
}

namespace {
Results results_from_value(const json& doc, const std::string& file) {
  Reader root(doc, file);
  root.expect_schema(kResultsSchema, kResultsMajor);
  Results out;
  Reader run = root.at("run");
  run.expect_object();
  run.refuse_null({"finished_at", "command_line", "filter", "world_size", "incomplete", "incomplete_reason", "notes"});
  root.refuse_null({"hosts"});
  out.run.id = run.string("id");
  out.run.started_at = run.string("started_at");
  out.run.finished_at = run.string_or("finished_at", "");
  out.run.tool_version = run.string("tool_version");
  out.run.command_line = run.string_or("command_line", "");
  out.run.policy = read_policy(run.at("policy"));
  out.run.filter = run.string_or("filter", "*");
  out.run.world_size = static_cast<int>(run.integer_or("world_size", 1, 1, 1 << 24));
  out.run.incomplete = run.boolean_or("incomplete", false);
  out.run.incomplete_reason = run.string_or("incomplete_reason", "");
  out.run.notes = strings(run, "notes");
  if (auto a = run.maybe("activity")) out.run.activity = read_activity(*a);
  out.host = read_host(root.at("host"));
  if (!root.is_null("hosts")) {
    Reader hosts = root.at("hosts");
    for (std::size_t i = 0; i < hosts.size(); ++i) out.hosts.push_back(read_host(hosts.index(i)));
  }
  Reader devices = root.at("devices");
  for (std::size_t i = 0; i < devices.size(); ++i) out.devices.push_back(read_device(devices.index(i)));
  Reader cases = root.at("cases");
  std::map<std::string, std::size_t> first_at;  // case identity -> index of its first occurrence
  for (std::size_t i = 0; i < cases.size(); ++i) {
    out.cases.push_back(read_case(cases.index(i), out.run.policy.statistic));
    const CaseResult& c = out.cases.back();
    const auto [it, inserted] = first_at.emplace(case_identity(c), i);
    if (!inserted) {
      const std::string params = params_key(c.params);
      cases.index(i).fail(fmt::format("each case once (name, params and device identify it), got {}{} on {} again "
                                      "(first at $.cases[{}])",
                                      c.name, params.empty() ? "" : " " + params, c.device, it->second));
    }
    // A GPU case that ran needs its GPU in devices[]: the profile and acceptance read the device's
    // name and memory from there (a file with cuda.* results and no devices made a "CPU" profile
    // with HBM figures). "cuda:N" names device N; "cuda:*", "cuda:0-7", "cuda:0->cuda:1" need one.
    if (c.status == Status::kPassed && c.device.starts_with("cuda:")) {
      const std::string_view rest = std::string_view(c.device).substr(5);
      const bool one =
          !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      const bool listed = one ? std::any_of(out.devices.begin(), out.devices.end(),
                                            [&](const DeviceInfo& d) { return std::to_string(d.index) == rest; })
                              : !out.devices.empty();
      if (!listed) {
        cases.index(i).fail_at("device",
                               fmt::format("a GPU listed in $.devices (this passed case ran on {}, and $.devices "
                                           "{})",
                                           c.device, out.devices.empty() ? "is empty" : "has no such index"));
      }
    }
  }
  return out;
}
}  // namespace

Results results_from_json(const std::string& text, const std::string& file) {
  return results_from_value(detail::parse_json_text(text, file), file);
}

Results load_results(const std::filesystem::path& path) {
  return results_from_value(detail::read_json_file(path.string()), path.string());
}

void save_results(const std::filesystem::path& path, const Results& r, Overwrite overwrite) {
  write_file_atomic(path, results_to_json(r), overwrite);
}

}  // namespace headroom::core
