#pragma once
/// The GUI workspace, saved as schema "headroom.gui_workspace" 1.2: the workload form, the GPU
/// options compared, the cost settings and the results files shown on the Measurements page.
/// Plain data without Qt so that it can be tested and benchmarked on its own.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "headroom/plan/catalog.hpp"
#include "headroom/plan/profile.hpp"
#include "headroom/plan/workload.hpp"

namespace headroom::gui {

inline constexpr const char* kWorkspaceSchema = "headroom.gui_workspace";
inline constexpr int kWorkspaceMajor = 1;
/// 1.1: host_memory_gib, rank_order; 1.2: workload.checkpoint (checkpoints and failures).
inline constexpr int kWorkspaceMinor = 2;

/// Largest host RAM per node the form takes, GiB (the bound of `--host-memory`).
inline constexpr double kMaxHostMemoryGib = 1e5;

/// Bounds of the checkpoint group, the planner's for a workload file (planner/src/workload.cpp): an
/// interval up to ~3 years, an MTBF up to ~30 years, a restart up to ~4 months, 100 TB/s per node.
inline constexpr double kMaxCheckpointEveryS = 1e8;
inline constexpr double kMaxMtbfS = 1e9;
inline constexpr double kMaxRestartS = 1e7;
inline constexpr double kMaxStorageBytesPerS = 1e14;

enum class OptionKind { kDatasheet, kMeasured };
std::string to_string(OptionKind k);

/// One GPU option in the comparison: a catalog datasheet profile or one imported from a file.
struct GpuOption {
  std::string label;              ///< shown in legends and tables
  OptionKind kind = OptionKind::kDatasheet;
  std::string file;               ///< kMeasured: the profile.json / results.json it was imported from
  plan::HardwareProfile profile;
  bool enabled = true;            ///< unchecked options stay in the list but are not computed
};

/// Training: the "Checkpoints & failures" group (docs/planner.md, "Checkpoints and failures"), in SI
/// units as the planner's workload file (train.checkpoint / train.failures). Off by default, so that a
/// plan is what it was without the group; the values are kept while it is off.
struct CheckpointForm {
  bool enabled = false;
  /// Productive seconds between checkpoints; 0: Young's optimum, which needs mtbf_s. 30 min is only
  /// the form's starting value (the CLI has no default interval).
  double every_s = 1800;
  plan::CheckpointMode mode = plan::CheckpointMode::kSync;
  double write_bytes_per_s = 0;  ///< per node; 0: each option's profile (a datasheet has none)
  double read_bytes_per_s = 0;   ///< per node, to load the checkpoint after a failure; 0: the profile's
  double mtbf_s = 0;             ///< mean time between interruptions of the job; 0: failures not modelled
  double restart_s = 600;        ///< detect, reschedule, reinitialise (the planner's assumed 10 min)
};

/// The workload form. Sizes are counts (sequences, tokens, GPUs); times in seconds.
struct WorkloadForm {
  std::string model_id = "llama-3-70b";  ///< catalog id; empty: `custom` is used
  plan::ModelConfig custom;              ///< the custom architecture (used when model_id is empty)
  plan::Phase phase = plan::Phase::kTrain;
  plan::Precision precision = plan::Precision::kBf16;  ///< train matmuls / inference weights+compute
  int gpus = 64;                         ///< total GPUs of the job
  bool search = true;                    ///< train: search TP/PP/micro-batch/recompute/ZeRO
  int tp = 8;
  int pp = 1;
  std::int64_t micro_batch = 1;          ///< sequences
  std::int64_t global_batch = 512;       ///< sequences per optimizer step
  std::int64_t seq_len = 8192;           ///< tokens per sequence
  double tokens = 1e12;                  ///< training token budget
  int zero_stage = 1;
  plan::Recompute recompute = plan::Recompute::kSelective;
  plan::AdapterMethod adapter = plan::AdapterMethod::kNone;  ///< train: LoRA / QLoRA fine-tuning (all linear layers)
  std::int64_t adapter_rank = 16;        ///< train: adapter rank r
  plan::Optimizer optimizer = plan::Optimizer::kAdam;  ///< train: optimizer states
  plan::Offload offload = plan::Offload::kNone;        ///< train: optimizer in host memory (ZeRO >= 1)
  /// Train with the optimizer offloaded: host RAM per node, GiB, for every option in place of each
  /// profile's own (as `report procurement --host-memory`). 0: each profile's own (a measured profile
  /// knows it; a datasheet profile does not, so host memory is not checked).
  double host_memory_gib = 0;
  /// Train with a fixed layout: how ranks fill the nodes (the search tries both orders).
  plan::RankOrder rank_order = plan::RankOrder::kPipelineOuter;
  CheckpointForm checkpoint;             ///< train: checkpoints and failures (off by default)
  std::int64_t context_len = 2048;       ///< inference prompt tokens
  std::int64_t output_len = 512;         ///< inference generated tokens
  std::int64_t batch = 0;                ///< concurrent requests (0: as many as fit)
  double qps = 0;                        ///< offered requests per second (0: none)
  double tpot_slo_s = 0;                 ///< 0: no SLO
  double ttft_slo_s = 0;                 ///< 0: no SLO (checked against TTFT under load)
  std::int64_t shared_prefix_tokens = 0;  ///< prompt tokens every request shares (prefix cache)
};

/// The Cost page's settings: a scenario (data/scenarios/*.json or any file) whose training
/// GPU-hours are replaced by the planner's figure for one option.
struct CostForm {
  std::string scenario = "h100x64-onprem-vs-aws-p5";  ///< scenario name in data/scenarios or a path
  std::string option_label;              ///< option whose GPU-hours feed the scenario ("": first)
  double utilisation = 0;                ///< 0: the scenario's value; else (0, 1]
  double years = 0;                      ///< 0: the scenario's value; else > 0
};

struct Workspace {
  WorkloadForm workload;
  std::vector<GpuOption> options;
  CostForm cost;
  std::string results_a;                 ///< results.json shown on the Measurements page ("" none)
  std::string results_b;                 ///< a second results.json overlaid on A (before/after)
};

/// The first-start workspace: Llama-3-70B pre-training on 64 GPUs with the search on, compared on
/// H100 SXM, H200, A100 80GB and L40S datasheet profiles.
Workspace default_workspace(const plan::Catalog& catalog);

/// The catalog model of the form, or its custom architecture.
const plan::ModelConfig& form_model(const WorkloadForm& form, const plan::Catalog& catalog);

/// The planner workload the form describes, validated (plan::validate). With `search` on the
/// parallelism fields are not checked (the search picks them). Throws core::InputError whose
/// json_path names the field ("$.parallelism.tp", "$.train.global_batch", "$.gpus"). Training with the
/// checkpoint group on: train.resilience from it (the read rate and restart only with an MTBF, where
/// they act), paths "$.train.checkpoint.*" / "$.train.failures.*" as the planner's workload file.
plan::Workload to_workload(const WorkloadForm& form, const plan::Catalog& catalog);

/// The planner's settings the checkpoint group describes (the defaults, nothing modelled, when it is
/// off or the phase is inference). Not validated: to_workload does that.
plan::ResilienceSettings resilience_settings(const WorkloadForm& form);

/// The profile `option` is planned with under `form`: its own, or with the form's host RAM per node
/// (host_memory_gib > 0, training with the optimizer offloaded) as an override.
plan::HardwareProfile planned_profile(const GpuOption& option, const WorkloadForm& form);

/// Serialises a workspace (measured profiles are embedded, datasheet options by catalog id).
std::string workspace_to_json(const Workspace& ws);
/// Strict parse: unknown keys, wrong types, an unknown major version or an unknown catalog id are
/// core::InputError naming `file` and the JSON path.
Workspace workspace_from_json(const std::string& text, const std::string& file, const plan::Catalog& catalog);
Workspace load_workspace(const std::filesystem::path& path, const plan::Catalog& catalog);

/// Imports a GPU option from a profile.json or a results.json (told apart by their `schema`).
/// A results file becomes a profile with plan::profile_from_results, the datasheet profile whose
/// name matches the first device filling what was not measured. Throws core::InputError.
GpuOption import_option(const std::filesystem::path& path, const plan::Catalog& catalog);

/// A measured profile shipped with the data (`data_dir/measured/*.profile.json`), for the GPU picker.
struct MeasuredEntry {
  std::string label;  ///< "NVIDIA H100 SXM5 80GB (measured, 2026-11-23)"
  std::filesystem::path path;
};
/// The shipped measured profiles, by file name; none when the directory is absent. A file that does
/// not read as a profile is left out and its error (naming the file) appended to `problems`: an
/// optional extra of the data directory must not keep the app from starting.
std::vector<MeasuredEntry> shipped_measured_profiles(const std::filesystem::path& data_dir,
                                                     std::vector<std::string>* problems = nullptr);

/// What a dropped / opened file is, from its `schema` member; throws core::InputError when it is
/// not JSON or not one of headroom.results / headroom.profile / headroom.gui_workspace.
enum class FileKind { kResults, kProfile, kWorkspace };
FileKind sniff_file(const std::filesystem::path& path);

}  // namespace headroom::gui
