#include "headroom/report/acceptance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "headroom/core/detail/strict_json.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"

namespace headroom::report {

namespace fs = std::filesystem;
using core::detail::Range;
using core::detail::Reader;

std::string unit_for_metric(const std::string& metric) {
  return core::unit_for_metric_name(metric);
}

fs::path default_acceptance_dir() {
  if (const char* env = std::getenv("HEADROOM_DATA_DIR"); env != nullptr && *env != '\0') {
    return fs::path(env) / "acceptance";
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "headroom" / "data" / "acceptance";
    if (fs::is_directory(installed, ec)) return installed;
  }
  return fs::path(HEADROOM_SOURCE_DATA_DIR) / "acceptance";
}

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::kPass: return "pass";
    case Verdict::kFail: return "fail";
    case Verdict::kSkipped: return "skipped";
  }
  return "fail";
}

// ---------------------------------------------------------------------------------------------
// Loading

namespace {
/// "10de:2330": 4 + 4 lower-case hex digits, as lspci -nn prints a vendor:device pair.
bool is_vendor_device(const std::string& id) {
  if (id.size() != 9 || id[4] != ':') return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 4) continue;
    const char c = id[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void only_keys(const Reader& r, const std::set<std::string>& allowed) {
  for (auto it = r.value().begin(); it != r.value().end(); ++it) {
    if (!allowed.count(it.key())) {
      std::string list;
      for (const auto& k : allowed) list += (list.empty() ? "" : ", ") + k;
      r.fail_at(it.key(), "a known key (one of " + list + "); this one is unknown");
    }
  }
}

core::ParamValue param_value(const Reader& r, const std::string& key) {
  const auto& v = r.at(key).value();
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<std::int64_t>();
  if (v.is_number_float()) return v.get<double>();
  if (v.is_string()) return v.get<std::string>();
  r.fail_at(key, "a number, string or boolean parameter value");
}

/// The size parameter `pick: largest` orders a benchmark's instances by when the check names none:
/// the names `headroom bench` writes (microbench/*): STREAM's arrays, the storage request size, and
/// size_bytes for the rest (collectives, HBM, PCIe, cache sweep, checkpoint).
std::string default_size_param(const std::string& case_name) {
  if (case_name.starts_with("cpu.stream.")) return "array_bytes";
  if (case_name == "storage.seq_read" || case_name == "storage.seq_write" || case_name == "storage.rand_read") {
    return "block_bytes";
  }
  if (case_name == "storage.small_files") return "file_bytes";
  return "size_bytes";
}

Check read_check(const Reader& r) {
  r.expect_object();
  only_keys(r, {"id", "title", "case", "metric", "unit", "where", "pick", "param", "bound", "threshold", "per_device",
                "uniformity_tolerance", "required", "derivation", "source"});
  // The optional fields read a null as absent; the schema allows null for none of them, and a spec
  // with "pick": null or "of_case": null is a broken spec, not a hardware failure to report.
  r.refuse_null({"title", "where", "pick", "param", "bound", "per_device", "uniformity_tolerance", "required"});
  Check c;
  c.id = r.string("id");
  if (c.id.empty()) r.fail_at("id", "a non-empty id");
  c.title = r.string_or("title", c.id);
  c.case_name = r.string("case");
  if (!core::is_case_name(c.case_name)) {
    r.fail_at("case", "a benchmark case name such as cpu.gemm.fp64 (lower-case letters, digits, '_' and '.'), got '" +
                          c.case_name + "'");
  }
  c.metric = r.string("metric");
  c.unit = r.string("unit");
  const std::string implied = unit_for_metric(c.metric);
  if (implied.empty()) {
    r.fail_at("metric", "a metric name with a unit suffix (_flop_per_s, _bytes_per_s, iops, _s), got '" + c.metric + "'");
  }
  // Integer GEMMs (cuda.gemm.int8) record their flop_per_s in OP/s: integer operations, not FLOPs.
  const auto unit_fits = [&](const std::string& metric_unit) {
    return c.unit == metric_unit || (metric_unit == "FLOP/s" && c.unit == "OP/s");
  };
  if (!unit_fits(implied)) {
    r.fail_at("unit", "'" + implied + "' (the unit metric '" + c.metric + "' is recorded in" +
                          (implied == "FLOP/s" ? "; 'OP/s' for an integer GEMM" : "") + "), got '" + c.unit + "'");
  }
  if (auto w = r.maybe("where")) {
    w->expect_object();
    for (auto it = w->value().begin(); it != w->value().end(); ++it) {
      c.where.push_back({it.key(), param_value(*w, it.key())});
    }
  }
  const std::string pick = r.choice_or("pick", {"peak", "largest"}, "peak");
  c.pick = pick == "peak" ? Pick::kPeak : Pick::kLargest;
  c.pick_param = r.string_or("param", default_size_param(c.case_name));
  const std::string bound = r.choice_or("bound", {"min", "max"}, c.unit == "s" ? "max" : "min");
  c.at_most = bound == "max";
  const Reader t = r.at("threshold");
  t.expect_object();
  only_keys(t, {"value", "fraction", "of", "of_case", "of_metric", "from", "reference"});
  t.refuse_null({"value", "fraction", "of", "of_case", "of_metric", "from", "reference"});
  if (t.has("value")) {
    if (t.has("fraction") || t.has("of") || t.has("of_case")) {
      t.fail("either 'value' or 'fraction' with 'of' / 'of_case', not both");
    }
    c.threshold.value = t.number("value", Range::kPositive);
  } else {
    c.threshold.fraction = t.number("fraction", Range::kPositive);
    if (c.threshold.fraction > 2) t.fail_at("fraction", "a fraction of the reference <= 2");
    if (t.has("of") == t.has("of_case")) t.fail("exactly one of 'of' (a reference value) or 'of_case'");
    if (t.has("of")) c.threshold.of_value = t.number("of", Range::kPositive);
    c.threshold.of_case = t.string_or("of_case", "");
    if (t.has("of_case") && !core::is_case_name(c.threshold.of_case)) {
      t.fail_at("of_case", "a benchmark case name such as cuda.gemm.bf16, got '" + c.threshold.of_case + "'");
    }
    c.threshold.of_metric = t.string_or("of_metric", c.metric);
    if (!c.threshold.of_case.empty() && !unit_fits(unit_for_metric(c.threshold.of_metric))) {
      t.fail_at("of_metric", "a metric in the check's unit " + c.unit);
    }
    if (t.choice_or("from", {"results", "reference"}, "results") == "reference") {
      if (c.threshold.of_case.empty()) t.fail_at("from", "'reference' only together with 'of_case'");
      c.threshold.from_reference = true;
    }
  }
  c.threshold.reference = t.string_or("reference", "");
  if (c.threshold.reference.empty() && !c.threshold.value) t.fail_at("reference", "a description of the reference");
  c.per_device = r.boolean_or("per_device", false);
  if (r.has("uniformity_tolerance")) {
    c.uniformity_tolerance = r.number("uniformity_tolerance", Range::kFraction);
    if (!c.per_device) r.fail_at("uniformity_tolerance", "only together with \"per_device\": true");
  }
  c.required = r.boolean_or("required", true);
  c.derivation = r.string("derivation");
  c.source = r.string("source");
  if (c.derivation.empty()) r.fail_at("derivation", "how the threshold was derived (non-empty)");
  if (c.source.empty()) r.fail_at("source", "where the reference comes from, with its date (non-empty)");
  return c;
}
}  // namespace

Spec spec_from_json(const std::string& text, const std::string& file) {
  const auto doc = core::detail::parse_json_text(text, file);
  const Reader r(doc, file);
  r.expect_object();
  r.expect_schema(kAcceptanceSchema, kAcceptanceMajor);
  only_keys(r, {"schema", "schema_version", "name", "description", "match", "checks"});
  Spec s;
  s.file = file;
  s.name = r.string("name");
  if (s.name.empty()) r.fail_at("name", "a non-empty name");
  r.refuse_null({"description"});
  s.description = r.string_or("description", "");
  const Reader m = r.at("match");
  m.expect_object();
  only_keys(m, {"gpu_names", "host_only", "pci_device_ids", "pci_ids_source"});
  s.host_only = m.boolean_or("host_only", false);
  if (auto names = m.maybe("gpu_names")) {
    for (std::size_t i = 0; i < names->size(); ++i) s.gpu_names.push_back(names->index(i).as_string());
  }
  if (s.host_only == !s.gpu_names.empty()) m.fail("either \"host_only\": true or a non-empty \"gpu_names\" list");
  if (auto ids = m.maybe("pci_device_ids")) {
    if (s.host_only) m.fail_at("pci_device_ids", "no PCI ids in the host-only spec");
    for (std::size_t i = 0; i < ids->size(); ++i) {
      std::string id = ids->index(i).as_string();
      if (!is_vendor_device(id)) {
        ids->index(i).fail("a PCI id as lspci -nn prints it, \"vvvv:dddd\" in lower-case hex (e.g. \"10de:2330\"), got '" +
                           id + "'");
      }
      if (std::find(s.pci_device_ids.begin(), s.pci_device_ids.end(), id) != s.pci_device_ids.end()) {
        ids->index(i).fail("a PCI id listed once ('" + id + "' repeats)");
      }
      s.pci_device_ids.push_back(std::move(id));
    }
  }
  s.pci_ids_source = m.string_or("pci_ids_source", "");
  if (!s.pci_device_ids.empty() && s.pci_ids_source.empty()) {
    m.fail_at("pci_ids_source", "where the PCI ids come from (pci.ids version and date), since pci_device_ids lists ids");
  }
  const Reader checks = r.at("checks");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    Check c = read_check(checks.index(i));
    if (!ids.insert(c.id).second) checks.index(i).fail_at("id", "a unique id ('" + c.id + "' repeats)");
    s.checks.push_back(std::move(c));
  }
  if (s.checks.empty()) checks.fail("at least one check");
  return s;
}

Spec load_spec(const fs::path& path) {
  const auto doc = core::detail::read_json_file(path.string());
  return spec_from_json(doc.dump(), path.string());
}

std::vector<Spec> load_specs(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw core::InputError(dir.string(), "", "a directory of acceptance specs");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Spec> out;
  std::map<std::string, std::string> owner;  // PCI id -> file that lists it
  for (const auto& f : files) {
    out.push_back(load_spec(f));
    for (const auto& id : out.back().pci_device_ids) {
      const auto [it, fresh] = owner.emplace(id, f.string());
      if (!fresh) {
        throw core::InputError(f.string(), "$.match.pci_device_ids",
                               "PCI ids unique across the specs in " + dir.string() + " ('" + id + "' is also in " +
                                   it->second + ")");
      }
    }
  }
  return out;
}

namespace {
std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}
}  // namespace

std::optional<std::string> pci_vendor_device(const core::DeviceInfo& device) {
  if (!device.pci_vendor_id || !device.pci_device_id) return std::nullopt;
  // The loader guarantees the sysfs form "0x" + 4 hex digits.
  return device.pci_vendor_id->substr(2) + ":" + device.pci_device_id->substr(2);
}

SpecChoice choose_spec(const std::vector<Spec>& specs, const core::Results& results, const std::string& dir) {
  if (results.devices.empty()) {
    for (const auto& s : specs) {
      if (s.host_only) return {&s, "no GPUs: the host-only spec"};
    }
    throw core::InputError(dir, "", "a host-only acceptance spec (\"match\": {\"host_only\": true})");
  }
  const auto& gpu = results.devices.front();
  const auto id = pci_vendor_device(gpu);
  // One spec judges every GPU of the node: a node that mixes models (by PCI id where both GPUs
  // have one, else by name) would have some judged by another SKU's floors, so it is refused here.
  for (const auto& other : results.devices) {
    const auto other_id = pci_vendor_device(other);
    const bool differ = id && other_id ? *id != *other_id : gpu.name != other.name;
    if (differ) {
      throw core::InputError(
          dir, "",
          fmt::format("GPUs of one model for automatic spec selection, got GPU 0 '{}'{} and GPU {} '{}'{} "
                      "(pass --spec FILE to judge every GPU by one spec)",
                      gpu.name, id ? " (" + *id + ")" : std::string(), other.index, other.name,
                      other_id ? " (" + *other_id + ")" : std::string()));
    }
  }
  const std::string name = lower(gpu.name);
  const Spec* by_name = nullptr;
  for (const auto& s : specs) {
    for (const auto& g : s.gpu_names) {
      if (by_name == nullptr && name.find(lower(g)) != std::string::npos) by_name = &s;
    }
  }
  if (id) {
    for (const auto& s : specs) {
      if (std::find(s.pci_device_ids.begin(), s.pci_device_ids.end(), *id) != s.pci_device_ids.end()) {
        return {&s, "PCI id " + *id + " of GPU 0"};
      }
    }
    // The hardware's id outranks its name (names change with drivers and virtualisation): a spec
    // that lists its SKU's ids, none of them this one, is for another SKU even if the name matches.
    if (by_name != nullptr && !by_name->pci_device_ids.empty()) {
      std::string listed;
      for (const auto& i : by_name->pci_device_ids) listed += (listed.empty() ? "" : ", ") + i;
      throw core::InputError(dir, "",
                             "an acceptance spec for GPU 0 '" + gpu.name + "' with PCI id " + *id + ": spec '" +
                                 by_name->name + "' (" + by_name->file + ") matches the name but lists PCI id(s) " +
                                 listed + ", so the name match is not used (pass --spec FILE)");
    }
    if (by_name != nullptr) return {by_name, "name '" + gpu.name + "' of GPU 0 (PCI id " + *id + "; the spec lists no ids)"};
  } else if (by_name != nullptr) {
    return {by_name, "name '" + gpu.name + "' of GPU 0 (the results carry no PCI id)"};
  }
  throw core::InputError(dir, "", "an acceptance spec whose pci_device_ids or gpu_names match '" + gpu.name + "'" +
                                      (id ? " (PCI id " + *id + ")" : std::string()) + " (or pass --spec FILE)");
}

const Spec& select_spec(const std::vector<Spec>& specs, const core::Results& results, const std::string& dir) {
  return *choose_spec(specs, results, dir).spec;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

namespace {
std::optional<double> as_number(const core::ParamValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

bool param_equal(const core::ParamValue& a, const core::ParamValue& b) {
  const auto x = as_number(a), y = as_number(b);
  if (x && y) return *x == *y;
  return a == b;
}

bool matches(const core::CaseResult& c, const std::string& name, const core::Params& where) {
  if (c.name != name) return false;
  for (const auto& w : where) {
    const auto* v = core::find_param(c.params, w.name);
    if (v == nullptr || !param_equal(*v, w.value)) return false;
  }
  return true;
}

struct Picked {
  std::optional<double> value;
  std::string instance;  ///< params of the picked instance
  std::string why_not;   ///< when no value: what was found instead
};

/// The gated value among the passed instances of `name` on `device` ("" = any device).
Picked pick_value(const core::Results& r, const std::string& name, const std::string& metric, const core::Params& where,
                  Pick pick, const std::string& pick_param, const std::string& device) {
  Picked out;
  std::optional<double> best_key;
  std::size_t not_passed = 0;
  std::string not_passed_msg;
  for (const auto& c : r.cases) {
    if (!matches(c, name, where) || (!device.empty() && c.device != device)) continue;
    if (c.status != core::Status::kPassed) {
      ++not_passed;
      if (not_passed_msg.empty()) not_passed_msg = core::to_string(c.status) + ": " + c.message;
      continue;
    }
    const core::Metric* m = c.metric(metric);
    if (m == nullptr || !m->value) continue;
    const double v = *m->value;
    const bool higher = m->better == core::Better::kHigher;
    const auto better = [&](double a, double b) { return higher ? a > b : a < b; };
    if (pick == Pick::kPeak) {
      if (!out.value || better(v, *out.value)) {
        out.value = v;
        out.instance = core::params_key(c.params);
      }
    } else {
      const auto* p = core::find_param(c.params, pick_param);
      const auto key = p ? as_number(*p) : std::nullopt;
      if (!key) continue;
      if (!best_key || *key > *best_key || (*key == *best_key && better(v, *out.value))) {
        best_key = key;
        out.value = v;
        out.instance = core::params_key(c.params);
      }
    }
  }
  if (!out.value) {
    out.why_not = not_passed > 0 ? fmt::format("not measured ({} instance(s) {})", not_passed, not_passed_msg)
                                 : "not measured (no passed '" + name + "' case with metric " + metric +
                                       (pick == Pick::kLargest ? " and parameter " + pick_param : "") + ")";
  }
  return out;
}

std::string fmt_value(double v, const std::string& unit) {
  return unit == "s" ? core::format_seconds(v) : core::format_rate(v, unit);
}

std::set<std::string> devices_of(const core::Results& r, const std::string& name) {
  std::set<std::string> out;
  for (const auto& c : r.cases) {
    if (c.name == name) out.insert(c.device);
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}
}  // namespace

AcceptanceReport evaluate(const Spec& spec, const core::Results& results, const core::Results* reference,
                          bool allow_incomplete) {
  AcceptanceReport rep;
  rep.spec_name = spec.name;
  rep.spec_file = spec.file;
  rep.incomplete = results.run.incomplete;
  if (results.run.incomplete) {
    CheckResult row;
    row.id = "run.complete";
    row.subject = "run";
    row.verdict = allow_incomplete ? Verdict::kSkipped : Verdict::kFail;
    row.message = "the run is incomplete (" + results.run.incomplete_reason + "): the cases it did not reach were not " +
                  (allow_incomplete ? "checked; allowed by --allow-incomplete"
                                    : "checked; pass --allow-incomplete to judge what was measured");
    rep.rows.push_back(std::move(row));
  }
  // A busy machine fails checks the hardware would pass; passing checks stand (the hardware met the
  // threshold even with a share of it).
  if (const core::Activity* busy = core::busy_activity(results.run)) {
    rep.warnings.push_back(core::busy_note(*busy) + "; a failed CPU or memory check may be the load, not the hardware");
  }
  for (const auto& check : spec.checks) {
    // The threshold, possibly per device when it refers to another case.
    const auto threshold_for = [&](const std::string& device, std::string& why) -> std::optional<double> {
      const auto& t = check.threshold;
      if (t.value) return t.value;
      if (t.of_value) return t.fraction * *t.of_value;
      const std::string& ref_case = t.of_case;
      const core::Results* src = &results;
      if (t.from_reference) {
        if (reference == nullptr) {
          throw core::InputError(spec.file, "checks." + check.id + ".threshold",
                                 "a reference results file (--reference FILE) for 'from': 'reference'");
        }
        src = reference;
      }
      auto p = pick_value(*src, ref_case, t.of_metric, {}, Pick::kPeak, "", device);
      if (!p.value && !device.empty()) p = pick_value(*src, ref_case, t.of_metric, {}, Pick::kPeak, "", "");
      if (!p.value) {
        why = "reference " + ref_case + " " + p.why_not;
        return std::nullopt;
      }
      return t.fraction * *p.value;
    };

    std::vector<std::string> devices;
    if (check.per_device) {
      for (const auto& d : devices_of(results, check.case_name)) devices.push_back(d);
    }
    if (devices.empty()) devices.push_back("");
    std::vector<std::pair<std::string, double>> per_device_values;
    for (const auto& device : devices) {
      CheckResult row;
      row.check = &check;
      row.subject = device.empty() ? (check.case_name.rfind("cuda.", 0) == 0 || check.case_name.rfind("nccl.", 0) == 0
                                          ? "node"
                                          : "host")
                                   : device;
      row.id = check.per_device && !device.empty() ? check.id + "[" + device + "]" : check.id;
      const auto p = pick_value(results, check.case_name, check.metric, check.where, check.pick, check.pick_param, device);
      std::string why;
      row.threshold = threshold_for(device, why);
      row.measured = p.value;
      row.picked = p.instance;
      if (p.value) {
        const auto* c = [&]() -> const core::Metric* {
          for (const auto& cr : results.cases) {
            if (matches(cr, check.case_name, check.where) && cr.status == core::Status::kPassed) {
              if (const auto* m = cr.metric(check.metric)) return m;
            }
          }
          return nullptr;
        }();
        if (c != nullptr && c->unit != check.unit) {
          throw core::InputError(spec.file, "checks." + check.id + ".unit",
                                 "the unit the results record for " + check.metric + " ('" + c->unit + "'), got '" +
                                     check.unit + "'");
        }
      }
      if (!p.value || !row.threshold) {
        row.verdict = check.required ? Verdict::kFail : Verdict::kSkipped;
        row.message = !p.value ? p.why_not : why;
        if (!check.required) row.message += "; optional check";
      } else {
        const bool ok = check.at_most ? *p.value <= *row.threshold : *p.value >= *row.threshold;
        row.verdict = ok ? Verdict::kPass : Verdict::kFail;
        const double ratio = *p.value / *row.threshold;
        row.message = fmt::format("{} {} {}{} ({:.1f} % of threshold{})", fmt_value(*p.value, check.unit),
                                  ok ? (check.at_most ? "<=" : ">=") : (check.at_most ? ">" : "<"),
                                  fmt_value(*row.threshold, check.unit),
                                  check.threshold.value ? "" : " = " + fmt::format("{:g}", check.threshold.fraction) +
                                                                   " × " + check.threshold.reference,
                                  100 * ratio, p.instance.empty() ? "" : "; at " + p.instance);
        if (!device.empty()) per_device_values.emplace_back(device, *p.value);
      }
      rep.rows.push_back(std::move(row));
    }
    if (check.uniformity_tolerance && per_device_values.size() >= 2) {
      std::vector<double> values;
      for (const auto& [d, v] : per_device_values) values.push_back(v);
      const double med = median(values);
      const double tol = *check.uniformity_tolerance;
      const double limit = check.at_most ? (1 + tol) * med : (1 - tol) * med;
      CheckResult row;
      row.check = &check;
      row.id = check.id + ".uniformity";
      row.subject = fmt::format("{} devices", per_device_values.size());
      row.threshold = limit;
      std::string offenders;
      double worst = med;
      for (const auto& [d, v] : per_device_values) {
        const bool bad = check.at_most ? v > limit : v < limit;
        if (bad) offenders += fmt::format("{}{} {}", offenders.empty() ? "" : ", ", d, fmt_value(v, check.unit));
        worst = check.at_most ? std::max(worst, v) : std::min(worst, v);
      }
      row.measured = worst;
      row.verdict = offenders.empty() ? Verdict::kPass : Verdict::kFail;
      row.message = fmt::format("node median {}; every device must be {} {} ({:g} % tolerance){}",
                                fmt_value(med, check.unit), check.at_most ? "<=" : ">=", fmt_value(limit, check.unit),
                                100 * tol, offenders.empty() ? "" : "; outside: " + offenders);
      rep.rows.push_back(std::move(row));
    }
  }
  for (const auto& row : rep.rows) {
    (row.verdict == Verdict::kPass ? rep.passed : row.verdict == Verdict::kFail ? rep.failed : rep.skipped)++;
  }
  return rep;
}

// ---------------------------------------------------------------------------------------------
// JUnit XML

namespace {
/// U+FFFD REPLACEMENT CHARACTER in UTF-8: what stands in for a byte sequence that is not UTF-8 or a
/// code point that XML 1.0 cannot carry.
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

/// The code point of the UTF-8 sequence at s[i] and its length in bytes; code point -1 (length 1)
/// when the bytes there are not well-formed UTF-8 (a stray continuation byte, a truncated sequence,
/// an overlong form, a surrogate or a value past U+10FFFF).
std::pair<long, std::size_t> decode_utf8(const std::string& s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t len = 0;
  long cp = 0;
  long min_cp = 0;  // the smallest code point of this length: below it the form is overlong
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min_cp = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min_cp = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min_cp = 0x10000;
  } else {
    return {-1, 1};
  }
  if (i + len > s.size()) return {-1, 1};
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {-1, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {-1, 1};
  return {cp, len};
}

/// XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
bool is_xml_char(long cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}
}  // namespace

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto [cp, len] = decode_utf8(s, i);
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // References, so that an attribute value keeps them (a parser turns a literal one into a space).
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        // XML 1.0 cannot carry other C0 controls, surrogates, U+FFFE or U+FFFF, not even as references;
        // DEL is legal but a control character too. Each becomes U+FFFD, as does a byte that is not UTF-8.
        if (!is_xml_char(cp) || cp == 0x7F) {
          out += kReplacement;
        } else {
          out.append(s, i, len);
        }
    }
    i += len;
  }
  return out;
}

std::string to_junit_xml(const AcceptanceReport& report, const core::Results& results) {
  // A spec whose every check was skipped is not accepted: one failing test case says why, so a CI
  // that reads only the JUnit file does not show green either.
  const bool nothing_checked = report.passed == 0 && report.failed == 0;
  const std::size_t tests = report.rows.size() + (nothing_checked ? 1 : 0);
  const std::size_t failures = report.failed + (nothing_checked ? 1 : 0);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"headroom accept\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n",
                     tests, failures, report.skipped);
  out += fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" timestamp=\"{}\" "
      "hostname=\"{}\">\n",
      xml_escape("acceptance: " + report.spec_name), tests, failures, report.skipped,
      xml_escape(results.run.finished_at), xml_escape(results.host.hostname));
  out += "    <properties>\n";
  const auto prop = [&](const std::string& k, const std::string& v) {
    out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape(k), xml_escape(v));
  };
  prop("spec", report.spec_file);
  prop("run_id", results.run.id);
  prop("suite", results.run.policy.suite);
  for (const auto& d : results.devices) prop(fmt::format("gpu{}", d.index), d.name);
  for (std::size_t i = 0; i < report.warnings.size(); ++i) prop(fmt::format("warning{}", i), report.warnings[i]);
  out += "    </properties>\n";
  for (const auto& row : report.rows) {
    const std::string classname = "headroom.accept." + (row.check ? row.check->case_name : std::string("run"));
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\">\n", xml_escape(classname),
                       xml_escape(row.id + " (" + row.subject + ")"));
    if (row.verdict == Verdict::kFail) {
      out += fmt::format("      <failure message=\"{}\" type=\"threshold\">{}</failure>\n", xml_escape(row.message),
                         xml_escape(row.check ? row.check->derivation + " Source: " + row.check->source : ""));
    } else if (row.verdict == Verdict::kSkipped) {
      out += fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(row.message));
    } else {
      out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(row.message));
    }
    out += "    </testcase>\n";
  }
  if (nothing_checked) {
    out += "    <testcase classname=\"headroom.accept.run\" name=\"nothing checked\" time=\"0\">\n"
           "      <failure message=\"every check was skipped: the run has none of the spec's cases\" "
           "type=\"nothing-checked\"/>\n    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace headroom::report
