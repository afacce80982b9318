// Machine-readable outputs of accept / compare / compare --fleet (stdout with --json).
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "headroom/report/acceptance.hpp"
#include "headroom/report/regression.hpp"

namespace headroom::report {

using nlohmann::ordered_json;

namespace {
template <class T>
ordered_json opt(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}
}  // namespace

std::string acceptance_to_json(const AcceptanceReport& report) {
  ordered_json rows = ordered_json::array();
  for (const auto& r : report.rows) {
    rows.push_back({{"id", r.id},
                    {"case", r.check ? r.check->case_name : ""},
                    {"metric", r.check ? r.check->metric : ""},
                    {"unit", r.check ? r.check->unit : ""},
                    {"subject", r.subject},
                    {"verdict", to_string(r.verdict)},
                    {"measured", opt(r.measured)},
                    {"threshold", opt(r.threshold)},
                    {"bound", r.check && r.check->at_most ? "max" : "min"},
                    {"picked", r.picked},
                    {"message", r.message}});
  }
  const ordered_json doc{{"schema", "headroom.acceptance_result"},
                         {"schema_version", "1.2"},  // 1.2: warnings
                         {"spec", report.spec_name},
                         {"spec_file", report.spec_file},
                         {"accepted", report.accepted()},
                         {"incomplete", report.incomplete},
                         {"warnings", report.warnings},
                         {"passed", report.passed},
                         {"failed", report.failed},
                         {"skipped", report.skipped},
                         {"checks", rows}};
  return doc.dump(2) + "\n";
}

std::string comparison_to_json(const Comparison& c) {
  ordered_json inv = ordered_json::array();
  for (const auto& i : c.inventory_changes) inv.push_back({{"field", i.field}, {"baseline", i.baseline}, {"current", i.current}});
  ordered_json metrics = ordered_json::array();
  for (const auto& m : c.metrics) {
    metrics.push_back({{"case", m.case_name},
                       {"params", m.params},
                       {"device", m.device},
                       {"metric", m.metric},
                       {"unit", m.unit},
                       {"better", core::to_string(m.better)},
                       {"baseline_median", opt(m.baseline_median)},
                       {"current_median", opt(m.current_median)},
                       {"relative_delta", opt(m.relative_delta)},
                       {"p_value", opt(m.p_value)},
                       {"p_worse", opt(m.p_worse)},
                       {"p_better", opt(m.p_better)},
                       {"p_difference", opt(m.p_difference)},
                       {"shift", opt(m.shift)},
                       {"shift_low", opt(m.shift_low)},
                       {"shift_high", opt(m.shift_high)},
                       {"exact", m.exact},
                       {"n_baseline", m.n_baseline},
                       {"n_current", m.n_current},
                       {"change", to_string(m.change)},
                       {"note", m.note}});
  }
  const ordered_json doc{{"schema", "headroom.comparison"},
                         {"schema_version", "1.2"},
                         {"baseline", c.baseline_label},
                         {"current", c.current_label},
                         {"alpha", c.options.alpha},
                         {"min_effect", c.options.min_effect},
                         {"confidence", 1.0 - 2.0 * c.options.alpha},
                         {"passed", c.passed()},
                         {"tested", c.tested},
                         {"regressions", c.regressions},
                         {"broken", c.broken},
                         {"improvements", c.improvements},
                         {"baseline_incomplete", c.baseline_incomplete},
                         {"current_incomplete", c.current_incomplete},
                         {"problems", c.problems},
                         {"warnings", c.warnings},
                         {"inventory_changes", inv},
                         {"metrics", metrics}};
  return doc.dump(2) + "\n";
}

std::string fleet_to_json(const Fleet& f) {
  ordered_json metrics = ordered_json::array();
  for (const auto& m : f.metrics) {
    ordered_json nodes = ordered_json::array();
    for (const auto& n : m.nodes) {
      nodes.push_back({{"node", n.node}, {"value", n.value}, {"robust_z", n.robust_z}, {"outlier", n.outlier},
                       {"worse", n.worse}});
    }
    metrics.push_back({{"case", m.case_name},
                       {"params", m.params},
                       {"device", m.device},
                       {"metric", m.metric},
                       {"unit", m.unit},
                       {"better", core::to_string(m.better)},
                       {"median", m.median},
                       {"mad", m.mad},
                       {"min", m.min},
                       {"max", m.max},
                       {"bad_outliers", m.bad_outliers},
                       {"nodes", nodes}});
  }
  const ordered_json doc{{"schema", "headroom.fleet"},
                         {"schema_version", "1.0"},
                         {"z_threshold", f.options.z_threshold},
                         {"min_effect", f.options.min_effect},
                         {"nodes", f.nodes},
                         {"bad_outliers", f.bad_outliers},
                         {"passed", f.passed()},
                         {"problems", f.problems},
                         {"warnings", f.warnings},
                         {"metrics", metrics}};
  return doc.dump(2) + "\n";
}

}  // namespace headroom::report
