// `headroom report run|procurement|acceptance|regression|fleet ... --out FILE.html`: write a report
// without gating (exit 0 whatever the verdict; `accept` and `compare` are the gates).
#include <fmt/format.h>

#include <memory>
#include <optional>
#include <tuple>

#include "commands.hpp"
#include "headroom/core/atomic_file.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/results.hpp"
#include "headroom/report/acceptance.hpp"
#include "headroom/report/html.hpp"
#include "headroom/report/regression.hpp"
#include "resilience_flags.hpp"

#if HEADROOM_HAVE_PROCUREMENT
#include <cmath>

#include "headroom/core/units.hpp"
#include "headroom/plan/catalog.hpp"
#include "headroom/plan/workload.hpp"
#include "headroom/report/procurement.hpp"
#include "headroom/tco/model.hpp"
#endif

namespace headroom::cli {

namespace {
struct ReportArgs {
  std::vector<std::string> inputs;
  std::string spec;
  std::string spec_dir;
  std::string reference;
  std::string out;
  double alpha = 0.05;
  double min_effect = 0.03;
  double z = 3.5;
  bool force = false;
  bool allow_incomplete = false;  ///< acceptance / regression: as `accept` / `compare --allow-incomplete`
  bool allow_missing = false;     ///< regression: as `compare --allow-missing`
};

/// Before anything is read or written: --out is none of the report's inputs (a results file, a spec,
/// a reference, a file of a fleet directory) and can be written.
void check_report_output(const ReportArgs& a, std::vector<core::NamedPath> inputs) {
  core::check_distinct_outputs({{"--out", a.out}}, inputs);
  core::check_writable(a.out, a.force ? core::Overwrite::kAllow : core::Overwrite::kRefuse);
}

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
#if HEADROOM_HAVE_PROCUREMENT
/// Flags of `headroom report procurement`; workload flags spell as in `headroom plan`.
struct ProcurementArgs {
  std::string workload_file;
  std::string model;
  std::string phase = "train";
  std::vector<std::string> gpus_named;
  std::vector<std::string> profiles;
  std::vector<std::string> scenarios;
  std::string prices;
  std::string data_dir;
  std::string today;
  int gpus = 0;
  std::int64_t global_batch = 0, micro_batch = 1, seq_len = 0;
  double tokens = 0;
  std::string precision = "bf16";
  std::int64_t context = 0, output = 0, batch = 0;
  int tp = 1;
  double qps = 0, tpot_slo = 0, ttft_slo = 0;
  std::int64_t shared_prefix = 0;
  std::string adapter = "none";
  std::int64_t lora_rank = 16;
  std::string optimizer = "adam";
  std::string offload = "none";
  double host_memory_gib = 0;  ///< --host-memory: host RAM per node, GiB (0: not given)
  double max_days = 0, utilisation = 0, years = 0, goodput = 1.0;
  ResilienceFlags resilience;  ///< train: checkpoints and failures, as `plan train`
  bool no_search = false;
};

plan::Precision precision_flag(const std::string& s, const char* flag) {
  return parse_flag("command line", flag, s, plan::precision_from_string);
}

/// The workload from --workload FILE and/or flags (a flag overrides the file's value).
plan::Workload procurement_workload(const CLI::App* c, const ProcurementArgs& a, const plan::Catalog& cat) {
  // A field may map to a flag this command does not have (plan-only flags): not given, not an error.
  const auto given = [&](const char* flag) { return flag_given(c, flag); };
  const auto typed = [&](const char* flag) { return flag_text(c, flag); };
  const auto positive = [&](const char* flag, double v) {
    if (given(flag) && !(v > 0 && std::isfinite(v)))
      throw core::InputError("command line", flag, fmt::format("a positive, finite number, got {}", typed(flag)));
  };
  for (const auto& [flag, v] : {std::pair<const char*, double>{"--gpus", a.gpus}, {"--tokens", a.tokens},
                                {"--global-batch", static_cast<double>(a.global_batch)},
                                {"--micro-batch", static_cast<double>(a.micro_batch)},
                                {"--seq-len", static_cast<double>(a.seq_len)}, {"--context", static_cast<double>(a.context)},
                                {"--output", static_cast<double>(a.output)}, {"--tp", static_cast<double>(a.tp)},
                                {"--max-days", a.max_days}, {"--years", a.years}}) {
    positive(flag, v);
  }
  // The workload's own upper bounds, before any arithmetic on the sizes (the default global batch
  // divides 4 Mi tokens by --seq-len and rounds to a multiple of the GPUs; 99999999999999999999
  // reads as INT64_MAX).
  constexpr auto kGpus = static_cast<double>(plan::kWorkloadMaxGpus);
  constexpr auto kBatch = static_cast<double>(plan::kWorkloadMaxBatch);
  constexpr auto kTokens = static_cast<double>(plan::kWorkloadMaxTokens);
  for (const auto& [flag, v, hi] : {std::tuple<const char*, double, double>{"--gpus", a.gpus, kGpus},
                                    {"--tp", static_cast<double>(a.tp), kGpus},
                                    {"--global-batch", static_cast<double>(a.global_batch), kBatch},
                                    {"--micro-batch", static_cast<double>(a.micro_batch), kBatch},
                                    {"--seq-len", static_cast<double>(a.seq_len), kTokens},
                                    {"--context", static_cast<double>(a.context), kTokens},
                                    {"--output", static_cast<double>(a.output), kTokens}}) {
    if (given(flag) && v > hi)
      throw core::InputError("command line", flag, fmt::format("at most {:.0f}, got {}", hi, typed(flag)));
  }
  plan::Workload w;
  const std::string file = a.workload_file.empty() ? "command line" : a.workload_file;
  if (!a.workload_file.empty()) {
    w = plan::load_workload(a.workload_file, cat, /*check=*/false);  // validated below, after the flags
    if (given("--phase") && to_string(w.phase) != a.phase)
      throw core::InputError("command line", "--phase", "the workload file's phase '" + to_string(w.phase) + "'");
  } else {
    if (a.model.empty()) throw core::InputError("command line", "--model", "a model name (or --workload FILE)");
    if (a.phase != "train" && a.phase != "infer") throw core::InputError("command line", "--phase", "train or infer");
    w.phase = a.phase == "train" ? plan::Phase::kTrain : plan::Phase::kInfer;
  }
  // A setting of the other phase would be ignored without a word: refuse it.
  const bool train_phase = w.phase == plan::Phase::kTrain;
  for (const char* flag : {"--adapter", "--lora-rank", "--optimizer", "--offload", "--seq-len", "--global-batch",
                           "--micro-batch", "--tokens", "--max-days", "--goodput", "--host-memory"}) {
    if (!train_phase && given(flag))
      throw core::InputError("command line", flag, "--phase train (it is a training setting; this report is for serving)");
  }
  for (const char* flag : kResilienceFlagNames) {
    if (!train_phase && given(flag))
      throw core::InputError("command line", flag,
                             "--phase train (it is a training setting; this report is for serving)");
  }
  if (!train_phase && given("--gpus")) {
    throw core::InputError("command line", "--gpus",
                           "--phase train (the GPUs of a training job; serving plans one replica per option and sizes "
                           "the fleet from --qps or the scenario's fleet.gpus)");
  }
  // Training: the search chooses TP per option, so a fixed --tp is a layout, which needs --no-search.
  if (train_phase && given("--tp") && !a.no_search) {
    throw core::InputError("command line", "--tp",
                           "--no-search as well for training (the search chooses TP per option; with --no-search --tp "
                           "fixes the layout's TP and DP = GPUs / (TP × PP))");
  }
  for (const char* flag : {"--context", "--output", "--batch", "--qps", "--tpot-slo", "--ttft-slo", "--shared-prefix"}) {
    if (train_phase && given(flag))
      throw core::InputError("command line", flag, "--phase infer (it is a serving setting; this report is for training)");
  }
  if (!a.model.empty()) w.model = cat.model(a.model);
  if (w.name.empty()) w.name = w.model.id;
  const bool fresh = a.workload_file.empty();
  if (fresh || given("--tp")) w.par.tp = a.tp;
  if (w.phase == plan::Phase::kTrain) {
    if (given("--gpus")) w.gpus = a.gpus;
    if (w.gpus <= 0) w.gpus = w.par.world();
    if (fresh && !given("--gpus")) throw core::InputError("command line", "--gpus", "the number of GPUs to train on");
    if (fresh || given("--gpus")) {
      // The search picks the layout; the starting layout is pure data parallelism.
      w.par = plan::Parallelism{};
      w.par.dp = w.gpus;
    }
    if (given("--tp")) {
      // --no-search (checked above): the layout is TP × PP × CP × DP over the job's GPUs.
      w.par.tp = a.tp;
      const int model_parallel = w.par.tp * w.par.pp * w.par.cp;
      if (w.gpus % model_parallel != 0) {
        throw core::InputError("command line", "--tp",
                               fmt::format("a TP that, times PP {} and CP {}, divides the {} GPUs, got {}", w.par.pp,
                                           w.par.cp, w.gpus, a.tp));
      }
      w.par.dp = w.gpus / model_parallel;
    }
    auto& t = w.train;
    if (fresh || given("--seq-len")) t.seq_len = a.seq_len > 0 ? a.seq_len : std::min<std::int64_t>(w.model.max_seq_len, 4096);
    if (fresh || given("--micro-batch")) t.micro_batch = a.micro_batch;
    if (given("--global-batch")) t.global_batch = a.global_batch;
    if (t.global_batch <= 0) {
      // ≈ 4 Mi tokens per step, as `headroom plan` defaults, rounded up to a multiple of the GPUs.
      const std::int64_t seqs = ((std::int64_t{1} << 22) + t.seq_len - 1) / t.seq_len;
      t.global_batch = (seqs + w.gpus - 1) / w.gpus * w.gpus;
    }
    if (given("--tokens")) t.tokens = a.tokens;
    if (fresh || given("--precision")) t.precision = precision_flag(a.precision, "--precision");
    if (fresh || given("--adapter")) {
      t.adapter.method = parse_flag("command line", "--adapter", a.adapter, plan::adapter_method_from_string);
    }
    if (fresh || given("--optimizer")) {
      t.optimizer = parse_flag("command line", "--optimizer", a.optimizer, plan::optimizer_from_string);
    }
    if (fresh || given("--offload")) {
      t.offload = parse_flag("command line", "--offload", a.offload, plan::offload_from_string);
    }
    // The search tries ZeRO 1-3 for an offloaded optimizer (it needs one); a workload file's ZeRO 0
    // only matters with --no-search, where validation names $.train.zero_stage.
    if (t.offload == plan::Offload::kOptimizer && t.zero_stage == 0) {
      if (a.no_search)
        throw core::InputError(file, "$.train.zero_stage",
                               "1, 2 or 3 with --offload optimizer and --no-search (set it in the workload file)");
      t.zero_stage = 1;
    }
    if (given("--lora-rank")) {
      if (!t.adapter.enabled())
        throw core::InputError("command line", "--lora-rank", "--adapter lora or qlora as well");
      t.adapter.rank = a.lora_rank;
    }
    apply_resilience_flags(c, a.resilience, fresh, "command line", t.resilience);
    if (fresh) {
      t.recompute = plan::Recompute::kSelective;
      t.zero_stage = 1;
    }
    if (!(t.tokens > 0)) throw core::InputError(file, given("--tokens") ? "--tokens" : "$.train.tokens",
                                                "a training token budget > 0 (e.g. --tokens 1e12)");
  } else {
    auto& i = w.infer;
    if (fresh || given("--context")) i.context_len = a.context;
    if (fresh || given("--output")) i.output_len = a.output;
    if (fresh || given("--batch")) i.batch = a.batch;
    if (fresh || given("--qps")) i.qps = a.qps;
    if (fresh || given("--tpot-slo")) i.tpot_slo_s = a.tpot_slo;
    if (fresh || given("--ttft-slo")) i.ttft_slo_s = a.ttft_slo;
    if (fresh || given("--shared-prefix")) i.shared_prefix_tokens = a.shared_prefix;
    if (fresh || given("--precision")) i.weight_precision = precision_flag(a.precision, "--precision");
    if (fresh && (i.context_len <= 0 || i.output_len <= 0))
      throw core::InputError("command line", "--context", "--context and --output token counts for --phase infer");
    w.gpus = 0;
  }
  try {
    plan::validate(w, file);
  } catch (const core::InputError& e) {
    // A value that came from a flag is reported under that flag (and its workload field), as `plan` does.
    const std::string_view flag = flag_for_field(e.json_path());
    if (!flag.empty() && (fresh || given(std::string(flag).c_str())))
      throw core::InputError("", fmt::format("{} ({})", flag, e.json_path()), e.expected());
    throw;
  }
  return w;
}

int run_procurement(const CLI::App* c, const ProcurementArgs& a, const ReportArgs& out) {
  std::vector<std::pair<std::string, std::string>> inputs{{"--workload", a.workload_file}, {"--prices", a.prices}};
  for (const auto& f : a.scenarios) inputs.push_back({"--scenario", f});
  for (const auto& f : a.profiles) inputs.push_back({"--profile", f});
  check_output_outside_catalog("--out", out.out, a.data_dir, inputs, out.force);
  report::ProcurementInput in;
  in.data_dir = a.data_dir.empty() ? plan::default_data_dir() : std::filesystem::path(a.data_dir);
  const plan::Catalog cat = plan::Catalog::load(in.data_dir);
  in.workload = procurement_workload(c, a, cat);
  for (const auto& g : a.gpus_named) {
    const auto& p = cat.gpu(g);
    in.options.push_back({p.name, p, "catalog (data/hardware)"});
  }
  for (const auto& f : a.profiles) {
    auto p = plan::load_profile(f);
    in.options.push_back({p.name.empty() ? f : p.name + " (" + f + ")", p, f});
  }
  if (in.options.empty()) throw core::InputError("command line", "--gpu", "at least one --gpu NAME or --profile FILE");
  if (!(a.goodput > 0 && a.goodput <= 1)) throw core::InputError("command line", "--goodput", "a fraction in (0, 1]");
  in.assumptions.goodput = a.goodput;
  if (c->count("--host-memory") > 0) {
    // As `plan train|search --host-memory`: the same range, and only where it is checked.
    if (!(a.host_memory_gib > 0 && a.host_memory_gib <= 1e5))
      throw core::InputError("command line", "--host-memory",
                             fmt::format("GiB of host RAM per node in (0, 100000], got {}", a.host_memory_gib));
    if (in.workload.train.offload != plan::Offload::kOptimizer)
      throw core::InputError("command line", "--host-memory",
                             "--offload optimizer with it (host RAM is checked only for an offloaded optimizer)");
    in.host_memory_bytes = a.host_memory_gib * core::kGiB;
  }
  in.search = !a.no_search;
  in.infer_layout_fixed = c->count("--tp") > 0 ||
                          (!a.workload_file.empty() && (in.workload.par.tp > 1 || in.workload.par.pp > 1));
  if (a.max_days > 0) in.max_time_to_train_s = a.max_days * 86400.0;
  in.scenario_files = a.scenarios;
  in.prices_file = a.prices;
  if (c->count("--utilisation") > 0) {
    // The TCO model's floor (every per-useful-GPU-hour figure divides by the busy fraction).
    if (!(a.utilisation >= plan::tco::kMinUtilisation && a.utilisation <= 1))
      throw core::InputError("command line", "--utilisation",
                             fmt::format("a busy fraction in [{:g}, 1], got {:g}", plan::tco::kMinUtilisation, a.utilisation));
    in.utilisation = a.utilisation;
  }
  if (c->count("--years") > 0) {
    // The same range as a scenario's fleet.years (the TCO input table's ceiling).
    for (const auto& f : plan::tco::input_fields()) {
      if (f.section == "fleet" && f.name == "years" && !plan::tco::within(a.years, f))
        throw core::InputError("command line", "--years", fmt::format("{}, got {}", plan::tco::bound_text(f), a.years));
    }
    in.years = a.years;
  }
  in.today = plan::tco::today_utc();
  if (!a.today.empty()) {
    const auto d = plan::tco::parse_date(a.today);
    if (!d) throw core::InputError("command line", "--today", "a date YYYY-MM-DD, got '" + a.today + "'");
    in.today = *d;
  }
  in.command_line = command_line();
  in.generated_at = core::utc_now_iso8601();
  const auto rep = report::build_procurement(in);
  write_report(out, report::render_procurement(rep));
  fmt::print("{}\n", rep.recommendation.paragraph);
  return 0;
}
#endif

}  // namespace

void add_report_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd =
      app.add_subcommand("report", "Write a self-contained HTML report (run, procurement, acceptance, regression, fleet)");
  cmd->require_subcommand(1);

#if HEADROOM_HAVE_PROCUREMENT
  auto pa = std::make_shared<ProcurementArgs>();
  auto* pro = add_kind(cmd, "procurement",
                       "GPU options for a workload: fit, time-to-train or serving capacity, TCO, roofline, "
                       "recommendation",
                       args);
  pro->add_option("--workload", pa->workload_file, "workload.json (schema headroom.workload); flags override it")
      ->check(CLI::ExistingFile);
  pro->add_option("--model", pa->model, "model from the catalog (data/models), e.g. llama-3-70b");
  pro->add_option("--phase", pa->phase, "train (default) or infer, with --model");
  pro->add_option("--gpu", pa->gpus_named, "GPU option from the catalog (repeatable), e.g. --gpu H100 --gpu H200");
  pro->add_option("--profile", pa->profiles, "GPU option from a profile.json, e.g. measured (repeatable)")
      ->check(CLI::ExistingFile);
  pro->add_option("--scenario", pa->scenarios,
                  "TCO scenario: one for every option, or one per option (--gpu options first, then --profile)")
      ->check(CLI::ExistingFile);
  pro->add_option("--prices", pa->prices, "price catalog (default: the scenario's)")->check(CLI::ExistingFile);
  pro->add_option("--data-dir", pa->data_dir, "catalog directory (default: $HEADROOM_DATA_DIR or the installed data/)");
  pro->add_option("--gpus", pa->gpus, "train: total GPUs of the job (the search splits them)");
  pro->add_option("--tokens", pa->tokens, "train: token budget (e.g. 1e12)");
  pro->add_option("--global-batch", pa->global_batch, "train: sequences per step (default ≈ 4 Mi tokens)");
  pro->add_option("--micro-batch", pa->micro_batch, "train: starting micro-batch (the search varies it)");
  pro->add_option("--seq-len", pa->seq_len, "train: tokens per sequence");
  pro->add_option("--precision", pa->precision, "train: matmul precision; infer: weight precision (default bf16)");
  pro->add_option("--adapter", pa->adapter,
                  "train: fine-tune with adapters on every linear layer, base frozen: lora, qlora or none (default)");
  pro->add_option("--lora-rank", pa->lora_rank, "train: adapter rank with --adapter (default 16)");
  pro->add_option("--optimizer", pa->optimizer,
                  "train: optimizer states: adam (fp32 moments, default), adam-bf16, adam-8bit (bitsandbytes), lion");
  pro->add_option("--offload", pa->offload,
                  "train: optimizer (ZeRO-Offload: master weights, optimizer states and update on the host, checked "
                  "against a profile's host_memory_bytes when it has one, or --host-memory) or none (default)");
  pro->add_option("--host-memory", pa->host_memory_gib,
                  "train, with --offload optimizer: host RAM per node in GiB for every option, in place of each "
                  "profile's own (default: the profile's, known in a measured profile, unknown in the catalog's: "
                  "not checked)");
  pro->add_option("--max-days", pa->max_days, "train: time-to-train target, days");
  pro->add_flag("--no-search", pa->no_search,
                "keep the workload's parallelism instead of searching it per option (train: the layout; infer: the "
                "replica's TP × PP, also kept when --tp or the workload file sets it)");
  pro->add_option("--context", pa->context, "infer: prompt tokens per request");
  pro->add_option("--output", pa->output, "infer: generated tokens per request");
  pro->add_option("--batch", pa->batch, "infer: concurrent requests (default: as many as fit / meet the SLO)");
  pro->add_option("--tp", pa->tp,
                  "infer: tensor parallel size of a replica (default: the best TP × PP per option); train, with "
                  "--no-search: the layout's TP (DP = GPUs / TP)");
  pro->add_option("--qps", pa->qps, "infer: offered requests per second");
  pro->add_option("--tpot-slo", pa->tpot_slo, "infer: time-per-output-token SLO, seconds");
  pro->add_option("--ttft-slo", pa->ttft_slo, "infer: time-to-first-token SLO, seconds");
  pro->add_option("--shared-prefix", pa->shared_prefix,
                  "infer: prompt tokens every request shares (system prompt), kept once in the prefix cache");
  pro->add_option("--goodput", pa->goodput,
                  "share of wall time making progress (default 1.0; with --checkpoint-every or --mtbf, only what "
                  "those leave out)");
  add_resilience_flags(pro, pa->resilience);
  pro->add_option("--utilisation", pa->utilisation, "overrides the scenarios' fleet utilisation, [0.001, 1]");
  pro->add_option("--years", pa->years, "overrides the scenarios' horizon, years");
  pro->add_option("--today", pa->today, "date for the price-age warnings, YYYY-MM-DD (default: today, UTC)");
  pro->callback([&action, pro, pa, args] { action = [pro, pa, args] { return run_procurement(pro, *pa, *args); }; });
#endif

  auto* run = add_kind(cmd, "run", "The report `headroom run` writes (report.html), from a results.json", args);
  run->add_option("RESULTS", args->inputs, "results.json from `headroom run` or `headroom bench`")->required()->expected(1);
  run->callback([&action, args] {
    action = [args] {
      check_report_output(*args, {{"RESULTS", args->inputs.at(0)}});
      write_report(*args, report::render_run_summary(core::load_results(args->inputs.at(0))));
      return 0;
    };
  });

  auto* acc = add_kind(cmd, "acceptance", "Acceptance report of RESULTS against a spec", args);
  acc->add_option("RESULTS", args->inputs, "results.json")->required()->expected(1);
  acc->add_option("--spec", args->spec,
                  "Acceptance spec (default: matched by GPU 0's PCI id, else its name, in the shipped specs)");
  acc->add_option("--spec-dir", args->spec_dir, "Directory of specs to match from (default: data/acceptance)");
  acc->add_option("--reference", args->reference, "Known-good results.json for \"from\": \"reference\" thresholds");
  acc->add_flag("--allow-incomplete", args->allow_incomplete,
                "Judge an interrupted run on what it measured (as `accept --allow-incomplete`)");
  acc->callback([&action, args] {
    action = [args] {
      check_report_output(*args, {{"RESULTS", args->inputs.at(0)}, {"--spec", args->spec}, {"--reference", args->reference}});
      const auto results = core::load_results(args->inputs.at(0));
      std::optional<core::Results> reference;
      if (!args->reference.empty()) reference = core::load_results(args->reference);
      std::vector<report::Spec> specs;
      if (!args->spec.empty()) {
        specs.push_back(report::load_spec(args->spec));
      } else {
        specs = report::load_specs(args->spec_dir.empty() ? report::default_acceptance_dir()
                                                          : std::filesystem::path(args->spec_dir));
      }
      const auto& spec = args->spec.empty() ? report::select_spec(specs, results,
                                                                  args->spec_dir.empty() ? "data/acceptance"
                                                                                         : args->spec_dir)
                                            : specs.front();
      const auto rep = report::evaluate(spec, results, reference ? &*reference : nullptr, args->allow_incomplete);
      write_report(*args, report::render_acceptance(rep, results));
      return 0;
    };
  });

  auto* reg = add_kind(cmd, "regression", "Regression report of CURRENT against BASELINE", args);
  reg->add_option("BASELINE CURRENT", args->inputs, "Two results.json files")->required()->expected(2);
  reg->add_option("--alpha", args->alpha,
                  "Level of each one-sided margin test, as in `headroom compare` (default 0.05)");
  reg->add_option("--min-effect", args->min_effect,
                  "Margin: only a change the data show to exceed this fraction counts (default 0.03)");
  reg->add_flag("--allow-incomplete", args->allow_incomplete,
                "An interrupted CURRENT passes on what it measured (as `compare --allow-incomplete`)");
  reg->add_flag("--allow-missing", args->allow_missing,
                "Cases gone from CURRENT do not fail the check (as `compare --allow-missing`)");
  reg->callback([&action, args] {
    action = [args] {
      check_report_output(*args, {{"BASELINE", args->inputs.at(0)}, {"CURRENT", args->inputs.at(1)}});
      report::CompareOptions o;
      o.alpha = args->alpha;
      o.min_effect = args->min_effect;
      o.allow_incomplete = args->allow_incomplete;
      o.allow_missing = args->allow_missing;
      const auto f = report::compare_files(args->inputs.at(0), args->inputs.at(1), o);
      write_report(*args, report::render_regression(f.comparison, f.baseline, f.current));
      return 0;
    };
  });

  auto* fleet = add_kind(cmd, "fleet", "Fleet report over a directory of results files from many nodes", args);
  fleet->add_option("DIR", args->inputs, "Directory of results.json files")->required()->expected(1);
  fleet->add_option("--z", args->z, "Robust z-score beyond which a node is an outlier (default 3.5)");
  fleet->add_option("--min-effect", args->min_effect, "Smallest relative deviation that counts (default 0.03)");
  fleet->callback([&action, args] {
    action = [args] {
      check_report_output(*args, core::files_in(args->inputs.at(0), "DIR"));
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
