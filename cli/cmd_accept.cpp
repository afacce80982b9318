// `headroom accept RESULTS`: gate new hardware on a per-SKU acceptance spec. Exit 0 accepted, 1 not.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "headroom/core/atomic_file.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"
#include "headroom/report/acceptance.hpp"
#include "headroom/report/html.hpp"

namespace headroom::cli {

namespace {
struct AcceptArgs {
  std::string results;
  std::string spec;
  std::string spec_dir;
  std::string reference;
  std::string junit;
  std::string html;
  bool json = false;
  bool force = false;
  bool allow_incomplete = false;
};

std::string show(const std::optional<double>& v, const std::string& unit) {
  if (!v) return "—";
  return unit == "s" ? core::format_seconds(*v) : core::format_rate(*v, unit);
}
}  // namespace

void add_accept_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<AcceptArgs>();
  auto* cmd = app.add_subcommand("accept", "Check a results file against an acceptance spec (exit 0 pass, 1 fail)");
  cmd->add_option("RESULTS", args->results, "results.json to check")->required();
  auto* spec_option =
      cmd->add_option("--spec", args->spec,
                      "Acceptance spec (default: matched by GPU 0's PCI id, else its name, in the shipped specs)");
  auto* spec_dir_option =
      cmd->add_option("--spec-dir", args->spec_dir, "Directory of specs to match from (default: data/acceptance)");
  spec_option->excludes(spec_dir_option);  // a --spec is used as given: a --spec-dir beside it would be ignored
  cmd->add_option("--reference", args->reference, "Known-good results.json for thresholds with \"from\": \"reference\"");
  cmd->add_option("--junit", args->junit, "Also write JUnit XML here (for CI)");
  cmd->add_option("--html", args->html, "Also write the HTML acceptance report here");
  cmd->add_flag("--json", args->json, "Print the verdicts as JSON on stdout instead of a table");
  cmd->add_flag("--force", args->force, "Replace existing --junit / --html files");
  cmd->add_flag("--allow-incomplete", args->allow_incomplete,
                "Judge an incomplete (interrupted) run on what it measured instead of rejecting it");
  cmd->callback([&action, args] {
    action = [args] {
      const auto overwrite = args->force ? core::Overwrite::kAllow : core::Overwrite::kRefuse;
      core::check_distinct_outputs({{"--junit", args->junit}, {"--html", args->html}},
                                   {{"RESULTS", args->results}, {"--spec", args->spec}, {"--reference", args->reference}});
      if (!args->junit.empty()) core::check_writable(args->junit, overwrite);
      if (!args->html.empty()) core::check_writable(args->html, overwrite);
      if (!args->reference.empty()) {
        std::error_code ec;
        if (std::filesystem::equivalent(args->reference, args->results, ec)) {
          throw core::InputError("", "--reference",
                                 "a known-good results file other than the one under test (against itself every "
                                 "check passes), got '" +
                                     args->reference + "'");
        }
      }
      const core::Results results = core::load_results(args->results);
      std::optional<core::Results> reference;
      if (!args->reference.empty()) reference = core::load_results(args->reference);
      std::vector<report::Spec> specs;
      if (!args->spec.empty()) {
        specs.push_back(report::load_spec(args->spec));
      } else {
        const auto dir = args->spec_dir.empty() ? report::default_acceptance_dir() : std::filesystem::path(args->spec_dir);
        specs = report::load_specs(dir);
      }
      const report::SpecChoice choice =
          args->spec.empty()
              ? report::choose_spec(specs, results, args->spec_dir.empty() ? "data/acceptance" : args->spec_dir)
              : report::SpecChoice{&specs.front(), "--spec"};
      const report::Spec& spec = *choice.spec;
      const auto rep = report::evaluate(spec, results, reference ? &*reference : nullptr, args->allow_incomplete);

      if (!args->junit.empty()) core::write_file_atomic(args->junit, report::to_junit_xml(rep, results), overwrite);
      if (!args->html.empty()) core::write_file_atomic(args->html, report::render_acceptance(rep, results), overwrite);
      if (args->json) {
        fmt::print("{}", report::acceptance_to_json(rep));
      } else {
        fmt::print("acceptance of {} ({}) against '{}' ({}), chosen by {}\n", results.host.hostname, args->results,
                   spec.name, spec.file, choice.reason);
        fmt::print("{:<34} {:<10} {:<8} {:>14} {:>14}  {}\n", "check", "subject", "verdict", "measured", "threshold",
                   "detail");
        for (const auto& row : rep.rows) {
          const std::string unit = row.check ? row.check->unit : "";
          fmt::print("{:<34} {:<10} {:<8} {:>14} {:>14}  {}\n", row.id, row.subject, report::to_string(row.verdict),
                     show(row.measured, unit), show(row.threshold, unit), row.message);
        }
        for (const auto& w : rep.warnings) fmt::print("warning: {}\n", w);
        fmt::print("{}: {} passed, {} failed, {} skipped{}{}\n", rep.accepted() ? "ACCEPTED" : "REJECTED", rep.passed,
                   rep.failed, rep.skipped, rep.incomplete ? " (incomplete run)" : "",
                   rep.passed == 0 && rep.failed == 0 ? " (nothing was checked: every check was skipped)" : "");
      }
      return static_cast<int>(rep.accepted() ? core::ExitCode::kOk : core::ExitCode::kCheckFailed);
    };
  });
}

}  // namespace headroom::cli
