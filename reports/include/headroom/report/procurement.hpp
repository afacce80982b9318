#pragma once
/// Procurement report: one workload planned on several GPU options (datasheet or measured
/// profiles) with the real planner (fit, time-to-train by parallelism search, or serving capacity),
/// costed with the TCO library (GPU-hours from the planner), a roofline, every assumption and
/// source, and a recommendation computed from those numbers.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "headroom/plan/infer.hpp"
#include "headroom/plan/profile.hpp"
#include "headroom/plan/rates.hpp"
#include "headroom/plan/workload.hpp"
#include "headroom/tco/render.hpp"

namespace headroom::report {

// ---- the recommendation (pure: plain numbers in, one paragraph out) ----

/// What the recommendation weighs for one GPU option. SI units; a figure that does not apply is 0.
struct OptionFigures {
  std::string label;
  std::string error;           ///< non-empty: the planner could not plan this option (the reason)
  bool fits = false;           ///< the best plan fits in device memory
  bool meets_target = true;    ///< training: within the time target; inference: meets the latency SLO
  int gpus = 0;                ///< GPUs the plan uses (inference: one replica)
  double memory_bytes = 0;     ///< per GPU, of the plan shown
  double capacity_bytes = 0;   ///< per GPU
  /// Training with an offloaded optimizer: host RAM the plan needs per node and the node's usable
  /// RAM (0: unknown or no offload).
  double host_bytes_per_node = 0;
  double host_capacity_bytes = 0;
  double time_to_train_s = 0;  ///< training
  double tokens_per_s_per_gpu = 0;
  /// Training: USD of one training run; inference: USD per million generated tokens. nullopt: no
  /// cost figure (no scenario, or the scenario gives none).
  std::optional<double> cost_usd;
  std::string cost_basis;  ///< which TCO option gave cost_usd, e.g. "aws-p5.48xlarge on_demand"
};

struct Recommendation {
  int chosen = -1;     ///< index into the options; -1: none can be recommended
  int runner_up = -1;  ///< the next best candidate, -1 when there is none
  /// "cost" (cheapest candidate), "speed" (no cost figures: fastest candidate), "closest" (nothing
  /// meets the target: the fastest that fits) or "none" (nothing fits).
  std::string basis;
  std::string paragraph;  ///< plain text (escaped by the renderer)
};

/// Candidates are the options that were planned, fit and meet the target. Among them the cheapest
/// wins when every candidate has a cost, else the fastest (shortest time-to-train; inference: most
/// tokens/s per GPU). The paragraph states the margin to the runner-up and why every other option
/// was excluded, with the numbers. `latency_slo`: inference has a TPOT or TTFT SLO (without one the
/// paragraph does not claim that options meet it).
Recommendation recommend(const std::vector<OptionFigures>& options, plan::Phase phase,
                         std::optional<double> max_time_to_train_s, bool latency_slo = true);

// ---- building the report ----

struct ProcurementOptionInput {
  std::string label;   ///< shown everywhere (e.g. the profile's name)
  plan::HardwareProfile profile;
  std::string source;  ///< "catalog (data/hardware)" or the profile / results file
};

struct ProcurementInput {
  plan::Workload workload;  ///< validated; training: workload.gpus is the GPU count searched
  std::vector<ProcurementOptionInput> options;
  plan::Assumptions assumptions;
  /// Training: search the parallelism per option. Inference: search the replica layout TP × PP per
  /// option (search_infer) unless the workload fixes it (`infer_layout_fixed`).
  bool search = true;
  bool infer_layout_fixed = false;
  int max_tp = 0;                           ///< search: 0 = GPUs per node
  std::optional<double> max_time_to_train_s;  ///< training target (nullopt: none)
  /// Training with an offloaded optimizer: host RAM per node, bytes, for every option (`--host-memory`),
  /// in place of each profile's own host_memory_bytes (a measured profile's included: the options are
  /// compared on one host design). nullopt: each profile's own (unknown in catalog profiles: not checked).
  std::optional<double> host_memory_bytes;
  /// Scenario files: none (no cost), one (applied to every option) or one per option, in order.
  std::vector<std::string> scenario_files;
  std::string prices_file;                  ///< "" = the scenario's catalog
  /// Data directory: a scenario that names no price catalog uses its prices/catalog.json.
  std::filesystem::path data_dir;
  std::optional<double> utilisation;        ///< overrides the scenarios' fleet.utilisation
  std::optional<double> years;              ///< overrides the scenarios' fleet.years
  std::chrono::sys_days today{};            ///< for price-age warnings
  std::string command_line;
  std::string generated_at;                 ///< ISO-8601, written into the page
};

/// A point of the roofline: one operation of the workload.
struct RooflineOp {
  std::string name;
  double flop = 0;
  double bytes = 0;
};

/// One sourced figure of a profile, for the sources table.
struct SourcedFigure {
  std::string field;
  std::string value;  ///< formatted with its unit
  std::string provenance;
  std::string source;
  std::string as_of;
};

struct ProcurementOption {
  ProcurementOptionInput input;
  OptionFigures figures;
  std::string parallelism;  ///< "TP 8 · PP 2 · DP 4 · mb 1 · selective · ZeRO-1"
  std::string note;         ///< e.g. why nothing fits, the search's winner explanation
  std::vector<std::pair<std::string, double>> memory_parts;  ///< bytes per GPU, stacked in the fit chart
  // Training:
  double step_s = 0, mfu = 0, gpu_hours = 0, energy_kwh = 0, tokens_per_s = 0;
  std::uint64_t evaluated = 0, fitting = 0;
  // Inference:
  double ttft_s = 0, tpot_s = 0, max_concurrent_requests = 0, gpus_for_qps = 0, batch = 0;
  std::vector<plan::BatchPoint> batch_sweep;  ///< inference: TPOT and tokens/s per GPU against the batch
  // Roofline (achievable rates the planner uses, and the datasheet peak):
  double roof_flop_per_s = 0, roof_bytes_per_s = 0, peak_flop_per_s = 0;
  std::vector<RooflineOp> ops;
  std::vector<std::string> assumptions;  ///< the planner's assumption lines for this option
  std::vector<SourcedFigure> sources;
  // Cost:
  std::string scenario_file;
  std::string tco_error;
  std::optional<plan::tco::TcoReport> tco;
};

struct ProcurementReport {
  ProcurementInput input;
  std::string model_name;
  std::vector<ProcurementOption> options;
  Recommendation recommendation;
  std::vector<std::string> notes;  ///< report-level notes (e.g. one scenario priced every option)
};

/// Plans and costs every option. A bad option (a profile without the workload's precision) is
/// recorded in its figures.error; a bad scenario file is core::InputError (naming file and path).
ProcurementReport build_procurement(const ProcurementInput& input);

/// Self-contained HTML: summary and recommendation, fit, time-to-train or serving capacity, cost
/// and break-even, roofline, assumptions and sources. No script; every string escaped.
std::string render_procurement(const ProcurementReport& report);

}  // namespace headroom::report
