// `headroom profile RESULTS`: summarise a results.json into a profile.json (schema
// headroom.profile) that `headroom plan --profile` reads. Values not measured are null, or the
// datasheet values of --base GPU.
#include <fmt/format.h>

#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "headroom/core/atomic_file.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/results.hpp"
#include "headroom/plan/catalog.hpp"
#include "headroom/plan/profile_from_results.hpp"

namespace headroom::cli {

namespace {
struct ProfileArgs {
  std::string results;
  std::string out;
  std::string base;
  std::string data_dir;
  int gpus_per_node = 0;  ///< 0: what the run saw (or the --base datasheet's node when it saw fewer)
  bool force = false;
};

std::string show(const plan::Quantity& q, double scale, const char* unit) {
  if (!q.known()) return "null";
  return fmt::format("{:.4g}{}{} ({})", *q.value / scale, *unit ? " " : "", unit, plan::to_string(q.provenance));
}
/// `headroom plan` needs memory capacity, memory bandwidth and a peak rate; a run on a host
/// without a GPU measures none of them, so say so before the planner refuses the profile.
void warn_if_no_gpu_figures(const plan::HardwareProfile& p, const std::string& results_file) {
  std::vector<std::string> missing;
  if (!p.memory_bytes.known()) missing.emplace_back("memory_bytes");
  if (!p.memory_bandwidth_bytes_per_s.known()) missing.emplace_back("memory_bandwidth_bytes_per_s");
  bool any_peak = false;
  for (const auto& q : p.peak_flop_per_s) any_peak = any_peak || q.known();
  if (!any_peak) missing.emplace_back("peak_flop_per_s");
  if (missing.empty()) return;
  fmt::print(stderr,
             "headroom: warning: {} holds no GPU figure for {} (they come from a GPU in the inventory and passed "
             "cuda.* cases), so the profile has them null and `headroom plan --profile` cannot use it; pass --base GPU "
             "(e.g. --base H100) to fill what was not measured from that GPU's datasheet\n",
             results_file, fmt::join(missing, ", "));
}
/// --base names the datasheet that fills what was not measured. A measured GPU of another model
/// (an H100 run with --base A100-80GB) would mix two GPUs in one profile named after the base, so it
/// is refused (exit 2) naming --base and both GPUs; a run with no GPU at all gives the datasheet
/// with the host's measurements, which is said on stderr. The measured device is first looked up in
/// the catalog by its driver name (the aliases hold them: "NVIDIA H100 PCIe",
/// "NVIDIA A100-SXM4-40GB"); a device the catalog does not know is checked by the base's model, the
/// first part of its id with a digit in it ("h100", "l4"), as a whole word of the device name.
void check_base_is_the_measured_gpu(const core::Results& results, const plan::HardwareProfile& base,
                                 const plan::Catalog& catalog, const std::string& results_file) {
  if (results.devices.empty()) {
    fmt::print(stderr,
               "headroom: warning: {} lists no GPU: the profile is {}'s datasheet with the host's measurements "
               "(no GPU figure was measured; its host memory bandwidth and RAM{} are this machine's, which optimizer "
               "offload plans use)\n",
               results_file, base.name,
               results.host.memory_bytes ? fmt::format(" ({:.1f} GiB)", static_cast<double>(*results.host.memory_bytes) / 1073741824.0)
                                         : std::string());
    return;
  }
  std::string token;
  std::string_view id = base.id;
  while (!id.empty()) {
    const std::size_t dash = id.find('-');
    const std::string_view part = id.substr(0, dash);
    if (part.find_first_of("0123456789") != std::string_view::npos) {
      token = std::string(part);
      break;
    }
    if (dash == std::string_view::npos) break;
    id.remove_prefix(dash + 1);
  }
  const auto names_model = [&](const std::string& device) {
    if (token.empty()) return true;
    // The token as a word: "l4" is not in "NVIDIA L40S", "h100" is in "NVIDIA H100 80GB HBM3".
    std::string lower;
    for (char ch : device) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (std::size_t at = lower.find(token); at != std::string::npos; at = lower.find(token, at + 1)) {
      const bool left = at == 0 || !std::isalnum(static_cast<unsigned char>(lower[at - 1]));
      const std::size_t end = at + token.size();
      const bool right = end == lower.size() || !std::isalnum(static_cast<unsigned char>(lower[end]));
      if (left && right) return true;
    }
    return false;
  };
  for (const auto& d : results.devices) {
    const plan::HardwareProfile* known = catalog.find_gpu(d.name);
    if (known != nullptr ? known->id != base.id : !names_model(d.name)) {
      throw core::InputError(
          "", "--base",
          fmt::format("the GPU that ran: {} measured '{}' (device {}), but --base is '{}' ({}); a profile mixing one "
                      "GPU's measurements with another GPU's datasheet values describes neither. Pass the --base of "
                      "the GPU that ran{}",
                      results_file, d.name, d.index, base.name, base.id,
                      known != nullptr ? fmt::format(" (--base {})", known->id) : std::string()));
    }
  }
}
}  // namespace

void add_profile_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ProfileArgs>();
  CLI::App* cmd = app.add_subcommand("profile", "Summarise a results.json into a hardware profile for `headroom plan`");
  cmd->add_option("RESULTS", args->results, "results.json from `headroom bench` or `headroom run`")->required();
  cmd->add_option("--out", args->out, "write profile.json here (default: stdout)");
  cmd->add_option("--base", args->base, "catalog GPU whose datasheet values fill what was not measured");
  cmd->add_option("--data-dir", args->data_dir, "catalog directory");
  cmd->add_option("--gpus-per-node", args->gpus_per_node,
                  "GPUs per node of the cluster to plan (default: the GPUs the run saw on its host, or the --base "
                  "datasheet's node when it saw fewer, e.g. one GPU of a VM)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--force", args->force, "replace an existing --out file");
  cmd->callback([args, &action] {
    action = [args] {
      const auto overwrite = args->force ? core::Overwrite::kAllow : core::Overwrite::kRefuse;
      if (!args->out.empty()) {
        // A profile written into the catalog's hardware/ would replace or join the datasheets.
        check_output_outside_catalog("--out", args->out, args->data_dir, {{"RESULTS", args->results}}, args->force);
      }
      const core::Results results = core::load_results(args->results);
      std::unique_ptr<plan::Catalog> cat;
      const plan::HardwareProfile* base = nullptr;
      if (!args->base.empty()) {
        cat = std::make_unique<plan::Catalog>(
            plan::Catalog::load(args->data_dir.empty() ? plan::default_data_dir() : std::filesystem::path(args->data_dir)));
        base = &cat->gpu(args->base);
        check_base_is_the_measured_gpu(results, *base, *cat, args->results);
      }
      const plan::HardwareProfile p = plan::profile_from_results(results, args->results, base, args->gpus_per_node);
      if (!base) warn_if_no_gpu_figures(p, args->results);
      if (results.run.incomplete) {
        fmt::print(stderr, "headroom: warning: {} is an interrupted run ({}): the profile holds what it measured, and "
                           "datasheet or null values for the cases it did not reach\n",
                   args->results, results.run.incomplete_reason);
      }
      
      const std::string text = plan::profile_to_json(p) + "\n";
      // What `plan --profile` will read back: the same strict checks (plausible per-GPU values, dates,
      // sources) before anything is written, naming the results file.
      (void)plan::profile_from_json(text, args->results + " (the profile derived from it)");
      if (args->out.empty()) {
        fmt::print("{}", text);
        return 0;
      }
      core::write_file_atomic(args->out, text, overwrite);
      fmt::print(stderr, "headroom: wrote {} ({})\n", args->out, p.name);
      fmt::print(stderr, "  memory      {}\n", show(p.memory_bytes, 1e9, "GB"));
      fmt::print(stderr, "  bandwidth   {}\n", show(p.memory_bandwidth_bytes_per_s, 1e9, "GB/s"));
      fmt::print(stderr, "  bf16 peak   {}\n", show(p.peak(plan::Precision::kBf16), 1e12, "TFLOP/s"));
      fmt::print(stderr, "  fp32 peak   {}\n", show(p.peak(plan::Precision::kFp32), 1e12, "TFLOP/s"));
      fmt::print(stderr, "  GPUs/node   {}\n", show(p.gpus_per_node, 1, ""));
      for (int i = 0; i < plan::kPrecisionCount; ++i) {
        const plan::GemmCurve& c = p.gemm_curves[i];
        if (c.empty()) continue;
        const auto prec = static_cast<plan::Precision>(i);
        fmt::print(stderr,
                   "  {} GEMM curve: {} sizes, {:.4g} {} at the smallest, {:.4g} at the largest (the planner times "
                   "each GEMM by its size)\n",
                   plan::to_string(prec), c.points.size(), c.points.front().flop_per_s / 1e12,
                   prec == plan::Precision::kInt8 ? "TOP/s" : "TFLOP/s", c.points.back().flop_per_s / 1e12);
      }
      return 0;
    };
  });
}

}  // namespace headroom::cli
