// `headroom report acceptance|regression|fleet ... --out FILE.html`: write a report without gating
// (exit 0 whatever the verdict; `accept` and `compare` are the gates).
#include <fmt/format.h>

#include <memory>
#include <optional>

#include "commands.hpp"
#include "headroom/core/atomic_file.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/report/acceptance.hpp"
#include "headroom/report/html.hpp"
#include "headroom/report/regression.hpp"

namespace headroom::cli {

namespace {
struct ReportArgs {
  std::vector<std::string> inputs;
  std::string spec;
  std::string reference;
  std::string out;
  double alpha = 0.05;
  double min_effect = 0.03;
  double z = 3.5;
  bool force = false;
};

void write_report(const ReportArgs& a, const std::string& html) {
  core::write_file_atomic(a.out, html, a.force ? core::Overwrite::kAllow : core::Overwrite::kRefuse);
  fmt::print("report   {}\n", a.out);
}

CLI::App* add_kind(CLI::App* report, const std::string& name, const std::string& help,
                   const std::shared_ptr<ReportArgs>& args) {
  auto* sub = report->add_subcommand(name, help);
  sub->add_option("--out", args->out, "Output HTML file")->required();
  sub->add_flag("--force", args->force, "Replace an existing --out file");
  return sub;
}
}  // namespace

void add_report_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Write a self-contained HTML report (acceptance, regression, fleet)");
  cmd->require_subcommand(1);

  auto* acc = add_kind(cmd, "acceptance", "Acceptance report of RESULTS against a spec", args);
  acc->add_option("RESULTS", args->inputs, "results.json")->required()->expected(1);
  acc->add_option("--spec", args->spec, "Acceptance spec (default: matched by GPU name in data/acceptance)");
  acc->add_option("--reference", args->reference, "Known-good results.json for \"from\": \"reference\" thresholds");
  acc->callback([&action, args] {
    action = [args] {
      core::check_writable(args->out, args->force ? core::Overwrite::kAllow : core::Overwrite::kRefuse);
      const auto results = core::load_results(args->inputs.at(0));
      std::optional<core::Results> reference;
      if (!args->reference.empty()) reference = core::load_results(args->reference);
      std::vector<report::Spec> specs;
      if (!args->spec.empty()) specs.push_back(report::load_spec(args->spec));
      else specs = report::load_specs(report::default_acceptance_dir());
      const auto& spec = args->spec.empty() ? report::select_spec(specs, results, "data/acceptance") : specs.front();
      const auto rep = report::evaluate(spec, results, reference ? &*reference : nullptr);
      write_report(*args, report::render_acceptance(rep, results));
      return 0;
    };
  });

  auto* reg = add_kind(cmd, "regression", "Regression report of CURRENT against BASELINE", args);
  reg->add_option("BASELINE CURRENT", args->inputs, "Two results.json files")->required()->expected(2);
  reg->add_option("--alpha", args->alpha, "Significance level of the Mann-Whitney U test (default 0.05)");
  reg->add_option("--min-effect", args->min_effect, "Smallest relative median change that counts (default 0.03)");
  reg->callback([&action, args] {
    action = [args] {
      core::check_writable(args->out, args->force ? core::Overwrite::kAllow : core::Overwrite::kRefuse);
      const auto base = core::load_results(args->inputs.at(0));
      const auto cur = core::load_results(args->inputs.at(1));
      report::CompareOptions o;
      o.alpha = args->alpha;
      o.min_effect = args->min_effect;
      auto cmp = report::compare(base, cur, o);
      cmp.baseline_label = args->inputs[0];
      cmp.current_label = args->inputs[1];
      write_report(*args, report::render_regression(cmp, base, cur));
      return 0;
    };
  });

  auto* fleet = add_kind(cmd, "fleet", "Fleet report over a directory of results files from many nodes", args);
  fleet->add_option("DIR", args->inputs, "Directory of results.json files")->required()->expected(1);
  fleet->add_option("--z", args->z, "Robust z-score beyond which a node is an outlier (default 3.5)");
  fleet->add_option("--min-effect", args->min_effect, "Smallest relative deviation that counts (default 0.03)");
  fleet->callback([&action, args] {
    action = [args] {
      core::check_writable(args->out, args->force ? core::Overwrite::kAllow : core::Overwrite::kRefuse);
      const auto in = report::load_fleet_dir(args->inputs.at(0));
      report::FleetOptions o;
      o.z_threshold = args->z;
      o.min_effect = args->min_effect;
      write_report(*args, report::render_fleet(report::fleet_compare(in.runs, in.labels, o)));
      return 0;
    };
  });
}

}  // namespace headroom::cli
