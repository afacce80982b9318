// `headroom compare BASELINE CURRENT` (regression gate) and `headroom compare --fleet DIR` (outlier
// nodes). Exit 0 passed / no bad outlier, 1 otherwise.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

#include "commands.hpp"
#include "headroom/core/atomic_file.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"
#include "headroom/report/html.hpp"
#include "headroom/report/prometheus.hpp"
#include "headroom/report/regression.hpp"

namespace headroom::cli {

namespace {
struct CompareArgs {
  std::string baseline;
  std::string current;
  std::string fleet_dir;
  double alpha = 0.05;
  double min_effect = 0.03;
  double z = 3.5;
  std::string html;
  std::string prom;
  bool json = false;
  bool all = false;
  bool force = false;
  bool allow_incomplete = false;
  bool allow_missing = false;
};

std::string show(const std::optional<double>& v, const std::string& unit) {
  if (!v) return "—";
  return unit == "s" ? core::format_seconds(*v) : core::format_rate(*v, unit);
}

void print_comparison(const report::Comparison& c, bool all) {
  for (const auto& w : c.warnings) fmt::print("warning: {}\n", w);
  if (!c.inventory_changes.empty()) {
    fmt::print("stack changes:\n");
    for (const auto& i : c.inventory_changes) fmt::print("  {:<28} {} -> {}\n", i.field, i.baseline, i.current);
  }
  fmt::print("{:<44} {:<22} {:>12} {:>12} {:>9} {:>26} {:>9}  {}\n", "case / params / device", "metric", "baseline",
             "current", "delta", fmt::format("shift [{:g} % CI]", 100 * (1 - 2 * c.options.alpha)), "p", "change");
  for (const auto& m : c.metrics) {
    const bool noteworthy_untested = m.change == report::Change::kUntested && m.relative_delta &&
                                     std::fabs(*m.relative_delta) >= c.options.min_effect;
    if (!all && (m.change == report::Change::kUnchanged || m.change == report::Change::kNew ||
                 (m.change == report::Change::kUntested && !noteworthy_untested))) {
      continue;
    }
    const std::string where = m.case_name + (m.params.empty() ? "" : " " + m.params) +
                              (m.device == "host" ? "" : " " + m.device);
    std::string shift = "—";
    if (m.shift) {
      shift = fmt::format("{:+.2f}%", 100 * *m.shift);
      if (m.shift_low && m.shift_high) {
        shift += fmt::format(" [{:+.2f}, {:+.2f}]", 100 * *m.shift_low, 100 * *m.shift_high);
      }
    }
    fmt::print("{:<44} {:<22} {:>12} {:>12} {:>9} {:>26} {:>9}  {}{}\n", where, m.metric,
               show(m.baseline_median, m.unit), show(m.current_median, m.unit),
               m.relative_delta ? fmt::format("{:+.2f}%", 100 * *m.relative_delta) : "—", shift,
               m.p_value ? fmt::format("{:.3g}", *m.p_value) : "—", report::to_string(m.change),
               m.note.empty() ? "" : " (" + m.note + ")");
  }
  for (const auto& p : c.problems) fmt::print("check failed: {}\n", p);
  fmt::print(
      "{}: {} regression(s), {} broken, {} improvement(s) among {} metric(s) tested, {} listed (alpha {:g}, min effect "
      "{:g} %)\n",
      c.has_regression() ? "REGRESSION" : c.passed() ? "OK" : "FAILED", c.regressions, c.broken, c.improvements,
      c.tested, c.metrics.size(), c.options.alpha, 100 * c.options.min_effect);
}

/// `--prom` replaces its own earlier textfile (the node_exporter use: one file refreshed by every
/// run) but, without --force, no other existing file.
void refuse_foreign_textfile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(path, ec))) return;  // new, or refused later
  std::ifstream in(path, std::ios::binary);
  std::string head(report::kPrometheusHeader.size() + 1, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (!report::is_headroom_textfile(head)) {
    throw core::InputError(path, "--prom",
                           "a new file or a Prometheus textfile written by headroom (which is replaced); this file "
                           "exists and does not start with headroom's header line: pass --force to replace it");
  }
}

int run_fleet(const CompareArgs& a, core::Overwrite overwrite) {
  const auto in = report::load_fleet_dir(a.fleet_dir);
  report::FleetOptions o;
  o.z_threshold = a.z;
  o.min_effect = a.min_effect;
  o.allow_incomplete = a.allow_incomplete;
  const auto fleet = report::fleet_compare(in.runs, in.labels, o);
  if (!a.html.empty()) core::write_file_atomic(a.html, report::render_fleet(fleet), overwrite);
  if (a.json) {
    fmt::print("{}", report::fleet_to_json(fleet));
  } else {
    for (const auto& w : fleet.warnings) fmt::print("warning: {}\n", w);
    fmt::print("{} nodes, {} metrics\n", fleet.nodes.size(), fleet.metrics.size());
    for (const auto& m : fleet.metrics) {
      for (const auto& n : m.nodes) {
        if (!n.outlier) continue;
        fmt::print("{} {:<24} {} {} {}: {} vs fleet median {} (robust z {:+.1f})\n", n.worse ? "BAD " : "good",
                   n.node, m.case_name, m.params, m.metric, show(n.value, m.unit), show(m.median, m.unit), n.robust_z);
      }
    }
    for (const auto& p : fleet.problems) fmt::print("check failed: {}\n", p);
    fmt::print("{}: {} bad outlier value(s)\n",
               fleet.has_bad_outlier() ? "OUTLIERS" : fleet.passed() ? "OK" : "FAILED", fleet.bad_outliers);
  }
  return static_cast<int>(fleet.passed() ? core::ExitCode::kOk : core::ExitCode::kCheckFailed);
}
}  // namespace

void add_compare_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand(
      "compare", "Regression check of CURRENT against BASELINE, or outlier nodes with --fleet DIR (exit 1 when found)");
  cmd->add_option("BASELINE", args->baseline, "results.json of the reference run");
  cmd->add_option("CURRENT", args->current, "results.json of the run to check");
  cmd->add_option("--fleet", args->fleet_dir, "Directory of results.json files from many nodes: find outlier nodes");
  cmd->add_option("--alpha", args->alpha,
                  "Level of each one-sided margin test, in (0, 0.5) (default 0.05; the shift CI is 1 - 2*alpha)");
  cmd->add_option("--min-effect", args->min_effect,
                  "Margin: only a change the data show to exceed this fraction counts (default 0.03 = 3 %)");
  cmd->add_option("--z", args->z, "Fleet mode: robust z-score beyond which a node is an outlier (default 3.5)");
  cmd->add_option("--html", args->html, "Also write the HTML report here");
  cmd->add_option("--prom", args->prom,
                  "Also write a Prometheus textfile (node_exporter textfile collector) of CURRENT's headline metrics "
                  "and the regression verdicts; replaced atomically when it is headroom's own earlier textfile "
                  "(any other existing file needs --force)");
  cmd->add_flag("--json", args->json, "Print the comparison as JSON on stdout");
  cmd->add_flag("--all", args->all, "List unchanged metrics too");
  cmd->add_flag("--force", args->force, "Replace an existing --html file, or a --prom file headroom did not write");
  cmd->add_flag("--allow-incomplete", args->allow_incomplete,
                "Let an incomplete (interrupted) CURRENT run (with --fleet: node run) pass; it is still reported");
  cmd->add_flag("--allow-missing", args->allow_missing,
                "Cases that passed in BASELINE and are absent or waived in CURRENT (a GPU or rank count gone, a "
                "benchmark not run), and metrics of a passed case absent or null in CURRENT, do not fail the "
                "check; they are still listed");
  cmd->footer(
      "Decision rule (per case, parameters, device and metric, on the raw repetition samples):\n"
      "  A metric REGRESSED when the data show, at level alpha, a change WORSE than the margin m\n"
      "  (--min-effect): a one-sided Mann-Whitney U test of CURRENT against BASELINE scaled by (1 - m)\n"
      "  for higher-is-better metrics (by (1 + m) for lower-is-better ones) gives p < alpha. It IMPROVED\n"
      "  when the mirror test (scale 1 + m, resp. 1 - m) does. A shift that is merely significantly\n"
      "  different from zero with a point estimate just past the margin is not enough: a change the\n"
      "  noise cannot separate from the margin is not flagged. Equivalently (without ties), the\n"
      "  whole (1 - 2*alpha) confidence interval of the Hodges-Lehmann shift lies beyond the margin;\n"
      "  the 'shift' column shows that estimate and interval, 'p' the one-sided p of the direction\n"
      "  the data point.\n"
      "  Fewer than 9 repetitions on a side: a warning (with n = 3 per side nothing can be flagged).\n"
      "  A positive baseline whose current samples are all <= 0 (a collapse) is a regression.\n"
      "  Passed before and 'error' now counts as broken. Stack changes (driver, CUDA, NCCL, kernel...)\n"
      "  are listed first. The check also fails when no metric could be tested (nothing in common, or\n"
      "  the current run waived everything), when CURRENT is an incomplete (interrupted) run, unless\n"
      "  --allow-incomplete, and when a case that passed before is waived now or absent from a run of\n"
      "  the same suite and filter (a GPU or rank count gone), or a metric of a case that passed in both\n"
      "  is absent or null now, unless --allow-missing.\n"
      "  --fleet fails on a bad outlier, when no metric was measured on 3 nodes or more, and on an\n"
      "  incomplete node run unless --allow-incomplete; one run in two files is bad input.\n"
      "  Exit 0 passed, 1 regression, broken or check failed, 2 bad input.\n"
      "  Details: docs/methodology.md, section Regression.");
  cmd->callback([&action, args] {
    action = [args] {
      const auto overwrite = args->force ? core::Overwrite::kAllow : core::Overwrite::kRefuse;
      // Each of the two one-sided tests has level alpha and the shift interval is 1 - 2*alpha: from
      // 0.5 on that interval is empty and a test would flag pure noise.
      if (!(args->alpha > 0 && args->alpha < 0.5)) {
        throw core::InputError("", "--alpha", fmt::format("a level in (0, 0.5), got {:g}", args->alpha));
      }
      // Same file as an input first: "exists, pass --force" would be the wrong advice for it.
      if (args->fleet_dir.empty()) {
        core::check_distinct_outputs({{"--html", args->html}, {"--prom", args->prom}},
                                     {{"BASELINE", args->baseline}, {"CURRENT", args->current}});
      } else {
        core::check_distinct_outputs({{"--html", args->html}}, core::files_in(args->fleet_dir, "--fleet DIR"));
      }
      if (!args->html.empty()) core::check_writable(args->html, overwrite);
      if (!args->fleet_dir.empty()) {
        if (!args->baseline.empty()) {
          throw core::InputError("", "--fleet", "either --fleet DIR or BASELINE CURRENT, not both");
        }
        if (!args->prom.empty()) throw core::InputError("", "--prom", "BASELINE CURRENT (not available with --fleet)");
        return run_fleet(*args, overwrite);
      }
      if (args->current.empty()) throw core::InputError("", "BASELINE CURRENT", "two results files (or --fleet DIR)");
      if (!args->prom.empty()) {
        // A textfile collector file is refreshed on every run: headroom's own is replaced (atomically).
        if (!args->force) refuse_foreign_textfile(args->prom);
        core::check_writable(args->prom, core::Overwrite::kAllow);
      }
      report::CompareOptions o;
      o.alpha = args->alpha;
      o.min_effect = args->min_effect;
      o.allow_incomplete = args->allow_incomplete;
      o.allow_missing = args->allow_missing;
      const report::FileComparison f = report::compare_files(args->baseline, args->current, o);
      const core::Results& base = f.baseline;
      const core::Results& cur = f.current;
      const report::Comparison& cmp = f.comparison;
      if (!args->html.empty()) core::write_file_atomic(args->html, report::render_regression(cmp, base, cur), overwrite);
      if (!args->prom.empty()) core::write_file_atomic(args->prom, report::to_prometheus(cur, &cmp), core::Overwrite::kAllow);
      if (args->json) {
        fmt::print("{}", report::comparison_to_json(cmp));
      } else {
        print_comparison(cmp, args->all);
      }
      return static_cast<int>(cmp.passed() ? core::ExitCode::kOk : core::ExitCode::kCheckFailed);
    };
  });
}

}  // namespace headroom::cli
