#include "workspace.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "headroom/core/detail/strict_json.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/results.hpp"
#include "headroom/core/units.hpp"
#include "headroom/plan/profile_from_results.hpp"

namespace headroom::gui {

namespace {

using core::detail::Range;
using core::detail::Reader;
using nlohmann::json;

// A saved workspace is edited by hand sometimes: a misspelt key must not be silently ignored.
void only_keys(const Reader& r, std::initializer_list<const char*> allowed) {
  r.expect_object();
  for (const auto& item : r.value().items()) {
    const bool known = std::any_of(allowed.begin(), allowed.end(), [&](const char* k) { return item.key() == k; });
    if (!known) {
      std::string names;
      for (const char* k : allowed) names += std::string(names.empty() ? "" : ", ") + k;
      r.fail_at(item.key(), "no such key (known: " + names + ")");
    }
  }
}

std::string read_text(const std::filesystem::path& path) {
  return core::detail::read_json_text(path.string());
}

plan::Precision precision_at(const Reader& r, const std::string& key) {
  const std::string name = r.string(key);
  try {
    return plan::precision_from_string(name);
  } catch (const core::InputError& e) {
    r.fail_at(key, e.what());
  }
}

const char* kPhases[] = {"train", "infer"};

}  // namespace

std::string to_string(OptionKind k) { return k == OptionKind::kDatasheet ? "datasheet" : "measured"; }

Workspace default_workspace(const plan::Catalog& catalog) {
  Workspace ws;
  const std::pair<const char*, const char*> defaults[] = {
      {"h100-sxm5-80gb", "H100 SXM"}, {"h200-sxm-141gb", "H200"}, {"a100-sxm4-80gb", "A100 80GB"}, {"l40s", "L40S"}};
  for (const auto& [id, label] : defaults) {
    if (const plan::HardwareProfile* p = catalog.find_gpu(id)) ws.options.push_back({label, OptionKind::kDatasheet, "", *p, true});
  }
  if (const plan::ModelConfig* m = catalog.find_model(ws.workload.model_id)) ws.workload.custom = *m;
  ws.cost.option_label = ws.options.empty() ? "" : ws.options.front().label;
  return ws;
}

const plan::ModelConfig& form_model(const WorkloadForm& form, const plan::Catalog& catalog) {
  if (form.model_id.empty()) return form.custom;
  try {
    return catalog.model(form.model_id);
  } catch (const core::InputError& e) {
    throw core::InputError("workload form", "$.model", e.what());
  }
}

plan::Workload to_workload(const WorkloadForm& f, const plan::Catalog& catalog) {
  const std::string file = "workload form";
  plan::Workload w;
  w.model = form_model(f, catalog);
  w.name = w.model.id.empty() ? "custom" : w.model.id;
  w.phase = f.phase;
  if (f.gpus < 1) throw core::InputError(file, "$.gpus", fmt::format("a positive GPU count, got {}", f.gpus));
  if (f.phase == plan::Phase::kTrain) {
    if (f.search) {
      // The search chooses TP, PP, DP and the micro-batch; validate the rest on one GPU.
      w.gpus = 0;
      w.train.micro_batch = 1;
    } else {
      if (f.tp < 1 || f.pp < 1) throw core::InputError(file, f.tp < 1 ? "$.parallelism.tp" : "$.parallelism.pp", "a positive integer");
      // TP / PP against the architecture first: "3 does not divide 64 heads" is the useful message,
      // not "64 GPUs is not a multiple of 3".
      w.par.tp = f.tp;
      w.par.pp = f.pp;
      w.train.global_batch = 1;
      w.train.seq_len = f.seq_len;
      w.train.precision = f.precision;
      plan::validate(w, file);
      if (f.gpus % (f.tp * f.pp) != 0) {
        throw core::InputError(file, "$.gpus", fmt::format("a multiple of tp·pp ({}·{} = {}), got {}", f.tp, f.pp, f.tp * f.pp, f.gpus));
      }
      w.par.tp = f.tp;
      w.par.pp = f.pp;
      w.par.dp = f.gpus / (f.tp * f.pp);
      w.gpus = f.gpus;
      w.train.micro_batch = f.micro_batch;
    }
    w.train.global_batch = f.global_batch;
    w.train.seq_len = f.seq_len;
    w.train.tokens = f.tokens;
    w.train.zero_stage = f.zero_stage;
    w.train.recompute = f.recompute;
    w.train.precision = f.precision;
    w.train.adapter.method = f.adapter;
    w.train.adapter.rank = f.adapter_rank;
    w.train.optimizer = f.optimizer;
    w.train.offload = f.offload;
    w.par.rank_order = f.rank_order;
    if (f.checkpoint.enabled && f.checkpoint.every_s <= 0 && f.checkpoint.mtbf_s <= 0) {
      // The group is on but models nothing: say what it needs rather than planning without it.
      throw core::InputError(file, "$.train.checkpoint.every_s",
                             "an interval in minutes, or an MTBF (failures) for Young's optimal interval");
    }
    w.train.resilience = resilience_settings(f);
    plan::validate(w, file);
    w.gpus = f.gpus;
  } else {
    w.par.tp = f.tp;
    w.par.pp = f.pp;
    w.gpus = f.gpus;
    auto& i = w.infer;
    i.context_len = f.context_len;
    i.output_len = f.output_len;
    i.batch = f.batch;
    i.qps = f.qps;
    i.tpot_slo_s = f.tpot_slo_s;
    i.ttft_slo_s = f.ttft_slo_s;
    i.shared_prefix_tokens = f.shared_prefix_tokens;
    i.weight_precision = f.precision;
    // Integer / 4-bit weights are dequantised and multiplied in bf16 by the common engines.
    const bool float_math = f.precision == plan::Precision::kFp16 || f.precision == plan::Precision::kBf16 ||
                            f.precision == plan::Precision::kFp8 || f.precision == plan::Precision::kFp32 ||
                            f.precision == plan::Precision::kTf32;
    i.compute_precision = float_math ? f.precision : plan::Precision::kBf16;
    // The KV cache in the model's dtype, as the CLI and a workload file default (fp8 checkpoints: fp8).
    i.kv_precision = f.precision == plan::Precision::kFp8    ? plan::Precision::kFp8
                     : f.precision == plan::Precision::kFp32 ? plan::Precision::kFp32
                                                             : plan::Precision::kBf16;
    plan::validate(w, file);
  }
  return w;
}

plan::ResilienceSettings resilience_settings(const WorkloadForm& f) {
  plan::ResilienceSettings s;
  const CheckpointForm& c = f.checkpoint;
  if (f.phase != plan::Phase::kTrain || !c.enabled) return s;
  s.checkpoint_every_s = c.every_s;
  s.checkpoint_mode = c.mode;
  s.checkpoint_write_bytes_per_s = c.write_bytes_per_s;
  s.mtbf_s = c.mtbf_s;
  // The read rate and the restart act only after a failure: without an MTBF their fields are
  // disabled in the form and left out here (the planner refuses a read rate with nothing to act on).
  if (c.mtbf_s > 0) {
    s.checkpoint_read_bytes_per_s = c.read_bytes_per_s;
    s.restart_s = c.restart_s;
  }
  return s;
}

plan::HardwareProfile planned_profile(const GpuOption& option, const WorkloadForm& form) {
  plan::HardwareProfile p = option.profile;
  if (form.phase == plan::Phase::kTrain && form.offload == plan::Offload::kOptimizer && form.host_memory_gib > 0) {
    p.host_memory_bytes.value = form.host_memory_gib * core::kGiB;
    p.host_memory_bytes.provenance = plan::Provenance::kOverride;
    p.host_memory_bytes.source = "workload form: host RAM per node";
    p.host_memory_bytes.as_of.clear();
  }
  return p;
}

std::string workspace_to_json(const Workspace& ws) {
  const WorkloadForm& f = ws.workload;
  json wl = json::object();
  if (f.model_id.empty()) {
    wl["model"] = json::parse(plan::model_to_json(f.custom));
  } else {
    wl["model"] = f.model_id;
  }
  wl["phase"] = plan::to_string(f.phase);
  wl["precision"] = plan::to_string(f.precision);
  wl["gpus"] = f.gpus;
  wl["search"] = f.search;
  wl["tp"] = f.tp;
  wl["pp"] = f.pp;
  wl["micro_batch"] = f.micro_batch;
  wl["global_batch"] = f.global_batch;
  wl["seq_len"] = f.seq_len;
  wl["tokens"] = f.tokens;
  wl["zero_stage"] = f.zero_stage;
  wl["recompute"] = plan::to_string(f.recompute);
  wl["context_len"] = f.context_len;
  wl["output_len"] = f.output_len;
  wl["batch"] = f.batch;
  wl["qps"] = f.qps;
  wl["tpot_slo_s"] = f.tpot_slo_s;
  wl["adapter"] = plan::to_string(f.adapter);
  wl["adapter_rank"] = f.adapter_rank;
  wl["optimizer"] = plan::to_string(f.optimizer);
  wl["offload"] = plan::to_string(f.offload);
  wl["host_memory_gib"] = f.host_memory_gib;
  wl["rank_order"] = plan::to_string(f.rank_order);
  wl["checkpoint"] = {{"enabled", f.checkpoint.enabled},
                      {"every_s", f.checkpoint.every_s},
                      {"mode", plan::to_string(f.checkpoint.mode)},
                      {"write_bytes_per_s", f.checkpoint.write_bytes_per_s},
                      {"read_bytes_per_s", f.checkpoint.read_bytes_per_s},
                      {"mtbf_s", f.checkpoint.mtbf_s},
                      {"restart_s", f.checkpoint.restart_s}};
  wl["ttft_slo_s"] = f.ttft_slo_s;
  wl["shared_prefix_tokens"] = f.shared_prefix_tokens;

  json options = json::array();
  for (const GpuOption& o : ws.options) {
    json j = {{"kind", to_string(o.kind)}, {"label", o.label}, {"enabled", o.enabled}};
    if (o.kind == OptionKind::kDatasheet) {
      j["id"] = o.profile.id;
    } else {
      j["file"] = o.file;
      j["profile"] = json::parse(plan::profile_to_json(o.profile));
    }
    options.push_back(std::move(j));
  }
  json doc = {{"schema", kWorkspaceSchema},
              {"schema_version", fmt::format("{}.{}", kWorkspaceMajor, kWorkspaceMinor)},
              {"workload", std::move(wl)},
              {"options", std::move(options)},
              {"cost",
               {{"scenario", ws.cost.scenario},
                {"option", ws.cost.option_label},
                {"utilisation", ws.cost.utilisation},
                {"years", ws.cost.years}}},
              {"measurements", {{"a", ws.results_a}, {"b", ws.results_b}}}};
  return doc.dump(2) + "\n";
}

Workspace workspace_from_json(const std::string& text, const std::string& file, const plan::Catalog& catalog) {
  const json doc = core::detail::parse_json_text(text, file);
  const Reader root(doc, file);
  root.expect_schema(kWorkspaceSchema, kWorkspaceMajor);
  only_keys(root, {"schema", "schema_version", "workload", "options", "cost", "measurements"});
  Workspace ws;

  const Reader wl = root.at("workload");
  only_keys(wl, {"model", "phase", "precision", "gpus", "search", "tp", "pp", "micro_batch", "global_batch", "seq_len",
                 "tokens", "zero_stage", "recompute", "context_len", "output_len", "batch", "qps", "tpot_slo_s",
                 "adapter", "adapter_rank", "ttft_slo_s", "shared_prefix_tokens", "optimizer", "offload",
                 "host_memory_gib", "rank_order", "checkpoint"});
  WorkloadForm& f = ws.workload;
  const Reader model = wl.at("model");
  if (model.value().is_string()) {
    f.model_id = model.as_string();
    const plan::ModelConfig* m = catalog.find_model(f.model_id);
    if (!m) model.fail("a model id from the catalog (data/models), got '" + f.model_id + "'");
    f.model_id = m->id;
    f.custom = *m;
  } else if (model.value().is_object()) {
    f.model_id.clear();
    f.custom = plan::model_from_json(model.value().dump(), file + " ($.workload.model)");
  } else {
    model.fail("a catalog model id or an inline model object");
  }
  f.phase = wl.choice("phase", {kPhases[0], kPhases[1]}) == "train" ? plan::Phase::kTrain : plan::Phase::kInfer;
  f.precision = precision_at(wl, "precision");
  f.gpus = static_cast<int>(wl.integer("gpus", 1, 1'000'000));
  f.search = wl.boolean("search");
  f.tp = static_cast<int>(wl.integer("tp", 1, 1024));
  f.pp = static_cast<int>(wl.integer("pp", 1, 1024));
  f.micro_batch = wl.integer("micro_batch", 1);
  f.global_batch = wl.integer("global_batch", 1);
  f.seq_len = wl.integer("seq_len", 1);
  f.tokens = wl.number("tokens", Range::kNonNegative);
  f.zero_stage = static_cast<int>(wl.integer("zero_stage", 0, 3));
  const std::string recompute = wl.choice("recompute", {"none", "selective", "full"});
  f.recompute = plan::recompute_from_string(recompute);
  f.context_len = wl.integer("context_len", 1);
  f.output_len = wl.integer("output_len", 1);
  f.batch = wl.integer("batch", 0);
  f.qps = wl.number("qps", Range::kNonNegative);
  f.tpot_slo_s = wl.number("tpot_slo_s", Range::kNonNegative);
  // Added after the first workspaces were saved: optional, with the defaults a workspace had then.
  f.adapter = plan::adapter_method_from_string(wl.choice_or("adapter", {"none", "lora", "qlora"}, "none"));
  f.adapter_rank = wl.integer_or("adapter_rank", 16, 1, 65536);
  f.ttft_slo_s = wl.number_or("ttft_slo_s", 0, Range::kNonNegative);
  f.shared_prefix_tokens = wl.integer_or("shared_prefix_tokens", 0, 0);
  f.optimizer = plan::optimizer_from_string(wl.choice_or(
      "optimizer", std::vector<std::string>(std::begin(plan::kOptimizerNames), std::end(plan::kOptimizerNames)), "adam"));
  f.offload = plan::offload_from_string(wl.choice_or("offload", {"none", "optimizer"}, "none"));
  // The bound of `plan --host-memory` and `report procurement --host-memory`; 0 is "the profile's".
  f.host_memory_gib = wl.number_or("host_memory_gib", 0, Range::kNonNegative);
  // Whole GiB, as the form's field holds them (a fraction would be rounded away on the next save, and 0.4
  // would become 0, "the profile's").
  if (f.host_memory_gib > kMaxHostMemoryGib || std::floor(f.host_memory_gib) != f.host_memory_gib)
    wl.fail_at("host_memory_gib",
               fmt::format("a whole number of GiB of host RAM per node in [0, {:g}] (0: the profile's), got {}",
                           kMaxHostMemoryGib, f.host_memory_gib));
  f.rank_order = plan::rank_order_from_string(wl.choice_or(
      "rank_order", {plan::to_string(plan::RankOrder::kPipelineOuter), plan::to_string(plan::RankOrder::kDataOuter)},
      plan::to_string(plan::RankOrder::kPipelineOuter)));

  // 1.2: checkpoints and failures. A workspace saved before has none: the group is off.
  if (const auto ck = wl.maybe("checkpoint")) {
    only_keys(*ck, {"enabled", "every_s", "mode", "write_bytes_per_s", "read_bytes_per_s", "mtbf_s", "restart_s"});
    CheckpointForm& c = f.checkpoint;
    c.enabled = ck->boolean("enabled");
    // 0 is "not given" in each (Young's interval, the profile's rate, no failures), as in the form.
    const auto bounded = [&](const char* key, double max, const char* what) {
      const double v = ck->number(key, Range::kNonNegative);
      if (v > max) ck->fail_at(key, fmt::format("{} in [0, {:g}], got {:g}", what, max, v));
      return v;
    };
    c.every_s = bounded("every_s", kMaxCheckpointEveryS, "productive seconds between checkpoints (0: Young's)");
    c.mode = plan::checkpoint_mode_from_string(ck->choice("mode", {"sync", "async"}));
    c.write_bytes_per_s = bounded("write_bytes_per_s", kMaxStorageBytesPerS, "bytes/s per node (0: the profile's)");
    c.read_bytes_per_s = bounded("read_bytes_per_s", kMaxStorageBytesPerS, "bytes/s per node (0: the profile's)");
    c.mtbf_s = bounded("mtbf_s", kMaxMtbfS, "seconds between interruptions (0: no failures)");
    c.restart_s = bounded("restart_s", kMaxRestartS, "seconds to restart after a failure");
  }

  const Reader options = root.at("options");
  for (std::size_t i = 0; i < options.size(); ++i) {
    const Reader o = options.index(i);
    GpuOption opt;
    const std::string kind = o.choice("kind", {"datasheet", "measured"});
    opt.label = o.string("label");
    if (opt.label.empty()) o.fail_at("label", "a non-empty label");
    opt.enabled = o.boolean("enabled");
    if (kind == "datasheet") {
      only_keys(o, {"kind", "label", "enabled", "id"});
      opt.kind = OptionKind::kDatasheet;
      const std::string id = o.string("id");
      const plan::HardwareProfile* p = catalog.find_gpu(id);
      if (!p) o.fail_at("id", "a GPU id from the catalog (data/hardware), got '" + id + "'");
      opt.profile = *p;
    } else {
      only_keys(o, {"kind", "label", "enabled", "file", "profile"});
      opt.kind = OptionKind::kMeasured;
      opt.file = o.string("file");
      const Reader p = o.at("profile");
      p.expect_object();
      opt.profile = plan::profile_from_json(p.value().dump(), file + " (" + p.path() + ")");
    }
    for (const GpuOption& seen : ws.options) {
      if (seen.label == opt.label) o.fail_at("label", "a label not used by another option ('" + opt.label + "' repeats)");
    }
    ws.options.push_back(std::move(opt));
  }

  const Reader cost = root.at("cost");
  only_keys(cost, {"scenario", "option", "utilisation", "years"});
  ws.cost.scenario = cost.string("scenario");
  ws.cost.option_label = cost.string("option");
  ws.cost.utilisation = cost.number("utilisation", Range::kFraction);
  ws.cost.years = cost.number("years", Range::kNonNegative);

  const Reader meas = root.at("measurements");
  only_keys(meas, {"a", "b"});
  ws.results_a = meas.string("a");
  ws.results_b = meas.string("b");
  return ws;
}

Workspace load_workspace(const std::filesystem::path& path, const plan::Catalog& catalog) {
  return workspace_from_json(read_text(path), path.string(), catalog);
}

FileKind sniff_file(const std::filesystem::path& path) {
  const std::string text = read_text(path);
  const json doc = core::detail::parse_json_text(text, path.string());
  const Reader root(doc, path.string());
  root.expect_object();
  const std::string schema = root.string("schema");
  if (schema == core::kResultsSchema) return FileKind::kResults;
  if (schema == plan::kProfileSchema) return FileKind::kProfile;
  if (schema == kWorkspaceSchema) return FileKind::kWorkspace;
  root.fail_at("schema", fmt::format("one of {}, {} or {}, got '{}'", core::kResultsSchema, plan::kProfileSchema,
                                     kWorkspaceSchema, schema));
}

GpuOption import_option(const std::filesystem::path& path, const plan::Catalog& catalog) {
  GpuOption opt;
  opt.kind = OptionKind::kMeasured;
  opt.file = path.string();
  if (sniff_file(path) == FileKind::kProfile) {
    opt.profile = plan::load_profile(path);
  } else {
    const core::Results results = core::load_results(path);
    const plan::HardwareProfile* base = nullptr;
    if (!results.devices.empty()) base = catalog.find_gpu(results.devices.front().name);
    opt.profile = plan::profile_from_results(results, path.string(), base);
    // Without a GPU the profile has no peak or device memory: refuse it here with the reason
    // rather than showing an option that every page would report as unusable.
    if (!opt.profile.memory_bytes.known()) {
      throw core::InputError(path.string(), "$.devices",
                             "a results file with a GPU (device memory unknown: it has no devices and no matching "
                             "datasheet; use it on the Measurements page instead)");
    }
  }
  opt.label = (opt.profile.name.empty() ? opt.profile.id : opt.profile.name) + " (measured)";
  return opt;
}

std::vector<MeasuredEntry> shipped_measured_profiles(const std::filesystem::path& data_dir,
                                                     std::vector<std::string>* problems) {
  std::vector<MeasuredEntry> out;
  const std::filesystem::path dir = data_dir / "measured";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    std::error_code file_ec;
    if (e.is_regular_file(file_ec) && name.size() > 13 && name.ends_with(".profile.json")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    plan::HardwareProfile p;
    try {
      p = plan::load_profile(f);
    } catch (const std::exception& e) {
      if (problems != nullptr) problems->push_back(e.what());
      continue;
    }
    // The date of the run: any measured quantity's as_of (every one of a profile carries its run's).
    std::string date;
    for (const plan::Quantity* q :
         {&p.memory_bandwidth_bytes_per_s, &p.memory_bytes, &p.peak(plan::Precision::kBf16)}) {
      if (q->provenance == plan::Provenance::kMeasured && !q->as_of.empty()) {
        date = q->as_of;
        break;
      }
    }
    std::string label = p.name;
    if (!date.empty()) {
      const std::string suffix = " (measured)";
      if (label.ends_with(suffix)) label.resize(label.size() - suffix.size());
      label += " (measured, " + date + ")";
    }
    out.push_back({label, f});
  }
  return out;
}

}  // namespace headroom::gui
