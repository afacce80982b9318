// `headroom plan train|infer|search`: capacity planning from a workload (file or flags) and a
// hardware profile (catalog GPU or profile.json). Tables by default; --json prints plan.json only.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string_view>
#include <tuple>
#include <utility>

#include "commands.hpp"
#include "headroom/core/atomic_file.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/plan/catalog.hpp"
#include "headroom/plan/checkpoint.hpp"
#include "headroom/plan/plan_json.hpp"
#include "headroom/plan/search.hpp"
#include "resilience_flags.hpp"

namespace headroom::cli {

namespace {

struct PlanArgs {
  std::string workload_file;
  std::string gpu;
  std::string profile_file;
  std::string data_dir;
  std::string out;
  bool json = false;
  bool force = false;
  bool list = false;
  bool infer_search = false;  ///< plan infer --search: try every replica layout
  // Workload flags (override the file when given).
  std::string model;
  int gpus = 0;
  int tp = 1, pp = 1, dp = 0, cp = 1, ep = 1, vpp = 1;
  int first_stage_layers = 0, last_stage_layers = 0;
  bool sp = false;
  std::string rank_order = "tp-cp-ep-dp-pp";
  std::int64_t global_batch = 0, micro_batch = 1, seq_len = 0;
  double tokens = 0;
  int zero = 0;
  std::string recompute = "none";
  bool no_flash = false;
  std::string precision = "bf16";
  double dp_overlap = 0, tp_overlap = 0;
  double host_memory_gib = 0;
  std::string optimizer = "adam";
  std::string offload = "none";
  std::string adapter = "none";
  std::int64_t lora_rank = 16;
  std::string lora_targets = "all-linear";
  std::int64_t context = 0, output = 0, batch = 0;
  double qps = 0, tpot_slo = 0, ttft_slo = 0, mem_util = 0.9;
  std::string weight_precision = "bf16", kv_precision, compute_precision = "bf16";
  std::int64_t weight_group = 0;
  std::string quantized_weights = "linear";
  std::int64_t kv_block = 16;
  std::int64_t shared_prefix = 0;
  std::int64_t prefill_chunk = 0, max_seqs = 0;  ///< 0: vLLM's defaults for the GPU
  double max_utilisation = 0.8;
  std::string sliding_window_pages = "full";
  // Assumption overrides.
  double goodput = 1.0, pue = 1.0;
  ResilienceFlags resilience;  ///< checkpoints and failures (training)
  // Search limits and toggles, bound to the library's struct so the CLI defaults are its defaults.
  plan::SearchOptions search;
};

void add_common(CLI::App* c, PlanArgs& a) {
  c->add_option("--workload", a.workload_file, "workload.json (schema headroom.workload)");
  c->add_option("--gpu", a.gpu, "GPU from the catalog (data/hardware), e.g. H100, a100-sxm4-80gb");
  c->add_option("--profile", a.profile_file, "profile.json (from `headroom profile` or data/hardware)");
  c->add_option("--data-dir", a.data_dir, "catalog directory (default: $HEADROOM_DATA_DIR or the installed data/)");
  c->add_flag("--json", a.json, "print plan.json to stdout (nothing else)");
  c->add_option("--out", a.out, "also write plan.json to this file");
  c->add_flag("--force", a.force, "replace an existing --out file");
  c->add_option("--model", a.model, "model from the catalog (data/models), e.g. llama-3-8b");
  c->add_option("--gpus", a.gpus, "total GPUs (train: tp·pp·dp·cp; infer: replicas × tp·pp)");
}

/// Hidden from `plan search --help` (the search chooses these); given, they are refused by name.
constexpr const char* kSearchChosenFlags[] = {"--tp",  "--pp", "--dp",          "--cp",
                                               "--ep",  "--vpp", "--sp",         "--micro-batch",
                                               "--first-stage-layers", "--last-stage-layers"};

void add_parallelism_flags(CLI::App* c, PlanArgs& a, bool train) {
  c->add_option("--tp", a.tp, "tensor parallel size");
  c->add_option("--pp", a.pp, "pipeline parallel size");
  if (!train) return;
  c->add_option("--dp", a.dp, "data parallel size (default: gpus / (tp·pp·cp))");
  c->add_option("--cp", a.cp, "context parallel size (divides --seq-len; K/V ring between CP ranks)");
  c->add_option("--ep", a.ep, "expert parallel size (MoE only; divides the expert count and dp·cp)");
  c->add_option("--vpp", a.vpp, "interleaved pipeline chunks per stage (needs pp > 1; pp·vpp divides layers)");
  c->add_option("--first-stage-layers", a.first_stage_layers,
                "layers on the first pipeline stage (default: an even share; the other stages split the rest)");
  c->add_option("--last-stage-layers", a.last_stage_layers,
                "layers on the last pipeline stage (default: an even share; Llama 3 405B: 7 and 7 of 126 on 16)");
  c->add_flag("--sp", a.sp, "Megatron sequence parallelism");
  c->add_option("--micro-batch", a.micro_batch, "sequences per micro-batch");
}

void add_train_flags(CLI::App* c, PlanArgs& a, bool search) {
  // Training only: an inference plan reports no energy and no time-to-train (`plan infer` refuses them
  // as unknown options rather than accepting and ignoring them).
  c->add_option("--goodput", a.goodput,
                "share of wall time making progress (default 1.0); with --checkpoint-every or --mtbf, only what those "
                "leave out (evaluation, data stalls): checkpoints and failures are then costed separately");
  add_resilience_flags(c, a.resilience);
  c->add_option("--pue", a.pue, "facility PUE applied to energy (default 1.0: GPU boards only)");
  c->add_option("--global-batch", a.global_batch, "sequences per optimizer step");
  c->add_option("--seq-len", a.seq_len, "tokens per sequence");
  c->add_option("--tokens", a.tokens, "training token budget (e.g. 2e12)");
  c->add_option("--zero", a.zero,
                search ? "fix the ZeRO stage (0-3) instead of trying 0, 1, 2 and 3"
                       : "ZeRO stage 0-3 (1 = Megatron distributed optimizer)");
  c->add_option("--recompute", a.recompute,
                search ? "fix recompute (none | selective | full) instead of trying each" : "none | selective | full");
  c->add_flag("--no-flash-attention", a.no_flash, "attention without a fused kernel (stores s² scores)");
  c->add_option("--precision", a.precision, "matmul precision: bf16, fp16, fp8, tf32, fp32");
  c->add_option("--dp-overlap", a.dp_overlap, "share of DP communication hidden behind backward [0,1]");
  c->add_option("--tp-overlap", a.tp_overlap, "share of TP communication hidden behind GEMMs [0,1]");
  c->add_option("--optimizer", a.optimizer,
                "optimizer states: adam (fp32 moments, default), adam-bf16 (bf16 moments), adam-8bit "
                "(bitsandbytes block-wise), lion (one fp32 momentum); adamw-* name the same states");
  c->add_option("--offload", a.offload,
                "optimizer: fp32 master weights, optimizer states and the update on the host (ZeRO-Offload; needs "
                "--zero 1-3); none (default)");
  c->add_option("--rank-order", a.rank_order,
                search ? "fix how ranks fill the nodes instead of trying both: tp-cp-ep-dp-pp (pipeline outermost, "
                         "Megatron-Core's default) or tp-cp-ep-pp-dp (data parallel outermost, Llama 3)"
                       : "how ranks fill the nodes, innermost first: tp-cp-ep-dp-pp (pipeline outermost, Megatron-Core's "
                         "default) or tp-cp-ep-pp-dp (data parallel outermost, Llama 3, --use-tp-pp-dp-mapping)");
  c->add_option("--host-memory", a.host_memory_gib,
                "host RAM per node in GiB, which an offloaded optimizer is checked against (default: the profile's, "
                "known in a measured profile)");
  c->add_option("--adapter", a.adapter,
                "fine-tune with adapters, base model frozen: lora, qlora (4-bit NF4 base), or none (full training)");
  c->add_option("--lora-rank", a.lora_rank, "adapter rank r (default 16)");
  c->add_option("--lora-targets", a.lora_targets,
                "comma-separated projections to adapt: q,k,v,o,gate,up,down, fused qkv / gate_up, or all-linear "
                "(default)");
}

void add_search_flags(CLI::App* c, PlanArgs& a) {
  plan::SearchOptions& o = a.search;
  c->add_option("--max-tp", o.max_tp, "largest TP tried (default: GPUs per node)");
  c->add_option("--max-pp", o.max_pp, "largest PP tried")->capture_default_str();
  c->add_option("--max-cp", o.max_cp, "largest context-parallel size tried (1: no CP)")->capture_default_str();
  c->add_option("--max-ep", o.max_ep, "largest expert-parallel size tried for MoE (default: no limit)");
  c->add_option("--max-vpp", o.max_vpp, "most interleaved chunks per stage tried (1: no interleaving)")
      ->capture_default_str();
  c->add_option("--max-micro-batch", o.max_micro_batch, "largest micro-batch tried (powers of two)")
      ->capture_default_str();
  c->add_option("--keep", o.keep, "fitting configurations listed, fastest first")->capture_default_str();
  // The per-configuration choices exist only to be refused with a pointer to the limit above.
  add_parallelism_flags(c, a, true);
  for (const char* flag : kSearchChosenFlags) c->get_option(flag)->group("");
}

void add_infer_flags(CLI::App* c, PlanArgs& a) {
  c->add_flag("--search", a.infer_search,
              "try every replica layout (TP × PP) and plan the one needing the fewest GPUs for --qps (else the most "
              "tokens/s per GPU) that fits and meets the SLOs");
  c->add_option("--max-tp", a.search.max_tp, "with --search: largest TP tried (default: GPUs per node)");
  c->add_option("--max-pp", a.search.max_pp,
                "with --search: largest PP tried (every PP up to it that divides the layers; default 8)");
  c->add_option("--context", a.context, "prompt tokens per request");
  c->add_option("--output", a.output, "generated tokens per request");
  c->add_option("--batch", a.batch, "concurrent requests (default: as many as fit / meet the SLO)");
  c->add_option("--qps", a.qps, "offered requests per second");
  c->add_option("--tpot-slo", a.tpot_slo, "time-per-output-token SLO, seconds (0: none)");
  c->add_option("--ttft-slo", a.ttft_slo, "time-to-first-token SLO, seconds (0: none)");
  c->add_option("--weight-precision", a.weight_precision,
                "weights: bf16, fp16, fp32, fp8, int8, int4 (AWQ / GPTQ groups), fp4 (NVFP4 / MXFP4 blocks)");
  c->add_option("--weight-group-size", a.weight_group,
                "elements per scale of int4 / fp4 weights (default: 128 for int4, 16 for fp4 = NVFP4; 32 = MXFP4)");
  c->add_option("--quantized-weights", a.quantized_weights,
                "which weights --weight-precision applies to below 16 bits: linear (every linear layer, default) or "
                "experts (MoE routed experts only, as gpt-oss's MXFP4 checkpoints); the rest stays 16-bit")
      ->check(CLI::IsMember({"linear", "experts"}));
  c->add_option("--kv-precision", a.kv_precision, "KV-cache precision (default bf16; fp32 with --weight-precision fp32)");
  c->add_option("--compute-precision", a.compute_precision,
                "GEMM precision (default bf16: weight-only quantisation dequantises to it; fp8 for W8A8 FP8 "
                "checkpoints, int8 for W8A8 INT8)");
  c->add_option("--kv-block-tokens", a.kv_block,
                "tokens per paged KV-cache block; requests hold whole blocks (default 16, vLLM's; 1: no rounding)");
  c->add_option("--gpu-memory-utilization", a.mem_util, "share of device memory the engine may use (default 0.9)");
  c->add_option("--prefill-chunk", a.prefill_chunk,
                "tokens one engine step computes, decode tokens and the prompt chunk together (vLLM "
                "--max-num-batched-tokens; default vLLM's for the GPU: 8192 with >= 70 GiB, not A100; else 2048)");
  c->add_option("--max-seqs", a.max_seqs,
                "most requests running at once; caps the batch (vLLM --max-num-seqs; default vLLM's for the GPU: "
                "1024 with >= 70 GiB, not A100; else 256)");
  c->add_option("--max-utilisation", a.max_utilisation,
                "highest load per replica when sizing for --qps, a fraction in (0, 1] (default 0.8)");
  c->add_option("--sliding-window-pages", a.sliding_window_pages,
                "KV pages of sliding-window layers: full (as long as the request: vLLM's default KV cache manager, "
                "default) or window (the window only: TensorRT-LLM, vLLM's hybrid KV cache manager)")
      ->check(CLI::IsMember({"full", "window"}));
  c->add_option("--shared-prefix", a.shared_prefix,
                "prompt tokens every request shares (system prompt): kept once in the prefix cache, not recomputed "
                "(default 0)");
}

plan::Precision parse_precision(const std::string& s, const std::string& flag) {
  return parse_flag("", flag, s, plan::precision_from_string);
}

/// Tokens per optimizer step when --global-batch is not given: 4 Mi tokens, the order of the
/// published large-model batches (Llama 2: 4M tokens; GPT-3 175B: 3.2M; Narayanan's 1T: 6.3M), so
/// that the default is a plan someone would run and DP communication is amortised as in practice.
constexpr std::int64_t kDefaultTokensPerStep = std::int64_t{1} << 22;

/// Sequences for ~kDefaultTokensPerStep, rounded up to a multiple of micro-batch · DP.
std::int64_t default_global_batch(std::int64_t seq_len, std::int64_t multiple) {
  const std::int64_t seqs =
      std::max<std::int64_t>(1, (kDefaultTokensPerStep + seq_len - 1) / std::max<std::int64_t>(1, seq_len));
  const std::int64_t m = std::max<std::int64_t>(1, multiple);
  return (seqs + m - 1) / m * m;
}

/// The workload field each plan flag sets (flag_for_field reads it the other way).
constexpr std::pair<std::string_view, std::string_view> kFieldFlags[] = {
    {"$.gpus", "--gpus"},
    {"$.parallelism.tp", "--tp"},
    {"$.parallelism.pp", "--pp"},
    {"$.parallelism.dp", "--dp"},
    {"$.parallelism.cp", "--cp"},
    {"$.parallelism.ep", "--ep"},
    {"$.parallelism.vpp", "--vpp"},
    {"$.parallelism.first_stage_layers", "--first-stage-layers"},
    {"$.parallelism.last_stage_layers", "--last-stage-layers"},
    {"$.parallelism.rank_order", "--rank-order"},
    {"$.train.global_batch", "--global-batch"},
    {"$.train.micro_batch", "--micro-batch"},
    {"$.train.seq_len", "--seq-len"},
    {"$.train.tokens", "--tokens"},
    {"$.train.zero_stage", "--zero"},
    {"$.train.precision", "--precision"},
    {"$.train.dp_comm_overlap", "--dp-overlap"},
    {"$.train.tp_comm_overlap", "--tp-overlap"},
    {"$.train.optimizer", "--optimizer"},
    {"$.train.offload", "--offload"},
    {"$.train.adapter.method", "--adapter"},
    {"$.train.adapter.rank", "--lora-rank"},
    {"$.train.adapter.targets", "--lora-targets"},
    {"$.infer.context_len", "--context"},
    {"$.infer.output_len", "--output"},
    {"$.infer.batch", "--batch"},
    {"$.infer.qps", "--qps"},
    {"$.infer.tpot_slo_s", "--tpot-slo"},
    {"$.infer.ttft_slo_s", "--ttft-slo"},
    {"$.infer.gpu_memory_utilization", "--gpu-memory-utilization"},
    {"$.infer.weight_group_size", "--weight-group-size"},
    {"$.infer.quantized_weights", "--quantized-weights"},
    {"$.infer.kv_block_tokens", "--kv-block-tokens"},
    {"$.infer.shared_prefix_tokens", "--shared-prefix"},
    {"$.infer.prefill_chunk_tokens", "--prefill-chunk"},
    {"$.infer.max_num_seqs", "--max-seqs"},
    {"$.infer.max_utilisation", "--max-utilisation"},
    {"$.infer.sliding_window_full_pages", "--sliding-window-pages"},
    {"$.infer.kv_precision", "--kv-precision"},
    {"$.infer.weight_precision", "--weight-precision"},
    {"$.infer.compute_precision", "--compute-precision"},
};

std::string_view field_for_flag(std::string_view flag) {
  for (const auto& [field, f] : kFieldFlags)
    if (f == flag) return field;
  return {};
}

plan::Workload build_workload(const CLI::App* c, const PlanArgs& a, plan::Phase phase, const plan::Catalog& cat) {
  plan::Workload w;
  const bool from_file = !a.workload_file.empty();
  if (from_file) {
    w = plan::load_workload(a.workload_file, cat, /*check=*/false);  // validated below, after the flags
  } else {
    if (a.model.empty()) throw core::InputError("", "--model", "a model name (or --workload FILE)");
    w.phase = phase;
  }
  const std::string file = from_file ? a.workload_file : "command line";
  const auto given = [&](const char* flag) { return flag_given(c, flag); };
  // Sizes given as flags must be positive: a zero or negative value is a typo, never "use the default".
  // The upper bounds are the workload's own (1e6 GPUs, 2^26 sequences, 2^24 tokens), checked here
  // before any arithmetic on them: 99999999999999999999 reads as INT64_MAX, and the default batch
  // (4 Mi tokens / seq-len, times micro-batch · DP) would overflow on it. Messages echo what was typed.
  const auto typed = [&](const char* flag) { return flag_text(c, flag); };
  // Named as workload validation names a flag's field: "--seq-len ($.train.seq_len)".
  const auto named = [](const char* flag) {
    const std::string_view path = field_for_flag(flag);
    return path.empty() ? std::string(flag) : fmt::format("{} ({})", flag, path);
  };
  const auto positive = [&](const char* flag, std::int64_t v, std::int64_t hi) {
    if (given(flag) && (v < 1 || v > hi)) {
      throw core::InputError("", named(flag), fmt::format("an integer in [1, {}], got {}", hi, typed(flag)));
    }
  };
  constexpr std::int64_t kMaxGpus = plan::kWorkloadMaxGpus, kMaxBatch = plan::kWorkloadMaxBatch,
                         kMaxTokens = plan::kWorkloadMaxTokens;
  positive("--gpus", a.gpus, kMaxGpus);
  positive("--tp", a.tp, kMaxGpus);
  positive("--pp", a.pp, kMaxGpus);
  if (phase == plan::Phase::kTrain) {
    positive("--dp", a.dp, kMaxGpus);
    positive("--cp", a.cp, kMaxGpus);
    positive("--ep", a.ep, kMaxGpus);
    positive("--vpp", a.vpp, kMaxGpus);
    positive("--global-batch", a.global_batch, kMaxBatch);
    positive("--micro-batch", a.micro_batch, kMaxBatch);
    positive("--seq-len", a.seq_len, kMaxTokens);
  } else {
    positive("--context", a.context, kMaxTokens);
    positive("--output", a.output, kMaxTokens);
    if (given("--batch") && (a.batch < 0 || a.batch > kMaxBatch)) {
      throw core::InputError(
          "", named("--batch"),
          fmt::format("0 (as many as fit) or an integer up to {}, got {}", kMaxBatch, typed("--batch")));
    }
  }
  if (!a.model.empty()) w.model = cat.model(a.model);
  if (from_file && w.phase != phase) {
    throw core::InputError(
        file, "$.phase",
        fmt::format("\"{}\" for `headroom plan {}`, got \"{}\"", to_string(phase), c->get_name(), to_string(w.phase)));
  }
  w.phase = phase;
  if (w.name.empty()) w.name = w.model.id;
  if (!from_file || given("--tp")) w.par.tp = a.tp;
  if (!from_file || given("--pp")) w.par.pp = a.pp;
  if (given("--gpus")) w.gpus = a.gpus;
  if (phase == plan::Phase::kTrain) {
    if (!from_file || given("--cp")) w.par.cp = a.cp;
    if (!from_file || given("--ep")) w.par.ep = a.ep;
    if (!from_file || given("--vpp")) w.par.vpp = a.vpp;
    if (!from_file || given("--sp")) w.par.sequence_parallel = a.sp;
    if (!from_file || given("--first-stage-layers")) w.par.first_stage_layers = a.first_stage_layers;
    if (!from_file || given("--last-stage-layers")) w.par.last_stage_layers = a.last_stage_layers;
    if (!from_file || given("--rank-order"))
      w.par.rank_order = parse_flag("", "--rank-order", a.rank_order, plan::rank_order_from_string);
    if (given("--dp")) {
      w.par.dp = a.dp;
      if (given("--gpus") && w.par.world() != a.gpus) {
        throw core::InputError("", "--gpus",
                               fmt::format("tp·pp·dp·cp = {}·{}·{}·{} = {} GPUs (--dp is given), got {}", w.par.tp,
                                           w.par.pp, w.par.dp, w.par.cp, w.par.world(), a.gpus));
      }
      if (!given("--gpus")) w.gpus = w.par.world();  // the flag's layout sets the count, not the file's
    } else if (!from_file || given("--gpus") || given("--tp") || given("--pp") || given("--cp")) {
      const int per = w.par.tp * w.par.pp * w.par.cp;
      const int gpus = w.gpus > 0 ? w.gpus : per;
      if (gpus % per != 0) {
        // A TP that does not divide the heads (or a PP the layers, a CP the sequence) is the real
        // problem more often than the GPU count: name it first.
        plan::Workload probe = w;
        probe.par.dp = 1;
        probe.par.ep = 1;
        probe.par.vpp = 1;
        probe.gpus = 0;
        // The batch and sequence are set below: give the probe the ones the plan will have (CP must
        // divide the sequence) and a batch that passes.
        if (probe.train.seq_len <= 0)
          probe.train.seq_len = a.seq_len > 0 ? a.seq_len : std::min<std::int64_t>(w.model.max_seq_len, 4096);
        probe.train.global_batch = 1;
        probe.train.micro_batch = 1;
        try {
          plan::validate(probe, file);
        } catch (const core::InputError& e) {
          const std::string_view path = e.json_path();
          const std::string_view flag = flag_for_field(path);
          if ((path == "$.parallelism.tp" || path == "$.parallelism.pp" || path == "$.parallelism.cp") &&
              given(std::string(flag).c_str()))
            throw core::InputError("", fmt::format("{} ({})", flag, path), e.expected());
        }
        throw core::InputError(file, "--gpus", fmt::format("a multiple of tp·pp·cp ({}), got {}", per, gpus));
      }
      w.par.dp = gpus / per;
    }
    // A workload file's gpus that disagrees with its layout is refused by validate() below, not replaced.
    if (w.gpus <= 0) w.gpus = w.par.world();
    auto& t = w.train;
    if (!from_file || given("--global-batch")) t.global_batch = a.global_batch;
    if (!from_file || given("--micro-batch")) t.micro_batch = a.micro_batch;
    if (!from_file || given("--seq-len"))
      t.seq_len = a.seq_len > 0 ? a.seq_len : std::min<std::int64_t>(w.model.max_seq_len, 4096);
    if (!from_file && t.global_batch == 0) t.global_batch = default_global_batch(t.seq_len, t.micro_batch * w.par.dp);
    if (!from_file || given("--tokens")) t.tokens = a.tokens;
    if (!from_file || given("--zero")) t.zero_stage = a.zero;
    if (!from_file || given("--recompute")) t.recompute = parse_flag("", "--recompute", a.recompute, plan::recompute_from_string);
    if (!from_file || given("--no-flash-attention")) t.flash_attention = !a.no_flash;
    if (!from_file || given("--precision")) t.precision = parse_precision(a.precision, "--precision");
    if (!from_file || given("--dp-overlap")) t.dp_comm_overlap = a.dp_overlap;
    if (!from_file || given("--tp-overlap")) t.tp_comm_overlap = a.tp_overlap;
    apply_resilience_flags(c, a.resilience, !from_file, "", t.resilience);
    if (!from_file || given("--optimizer")) t.optimizer = parse_flag("", "--optimizer", a.optimizer, plan::optimizer_from_string);
    if (!from_file || given("--offload")) t.offload = parse_flag("", "--offload", a.offload, plan::offload_from_string);
    if (!from_file || given("--adapter")) {
      t.adapter.method = parse_flag("", "--adapter", a.adapter, plan::adapter_method_from_string);
    }
    if ((given("--lora-rank") || given("--lora-targets")) && !t.adapter.enabled()) {
      throw core::InputError("", given("--lora-rank") ? "--lora-rank" : "--lora-targets",
                             "--adapter lora or qlora as well (without adapters every weight is trained)");
    }
    if (!from_file || given("--lora-rank")) t.adapter.rank = a.lora_rank;
    if (!from_file || given("--lora-targets")) {
      std::vector<std::string> names;
      std::string_view rest = a.lora_targets;
      while (true) {
        const std::size_t comma = rest.find(',');
        names.emplace_back(rest.substr(0, comma));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      try {
        t.adapter.targets = plan::adapter_targets_from_names(names, w.model);
      } catch (const std::invalid_argument& e) {
        throw core::InputError("", "--lora-targets", e.what());
      }
    }
  } else {
    auto& i = w.infer;
    if (!from_file || given("--context")) i.context_len = a.context;
    if (!from_file || given("--output")) i.output_len = a.output;
    if (!from_file || given("--batch")) i.batch = a.batch;
    if (!from_file || given("--qps")) i.qps = a.qps;
    if (!from_file || given("--tpot-slo")) i.tpot_slo_s = a.tpot_slo;
    if (!from_file || given("--ttft-slo")) i.ttft_slo_s = a.ttft_slo;
    if (!from_file || given("--weight-precision"))
      i.weight_precision = parse_precision(a.weight_precision, "--weight-precision");
    // 0 in a workload file means "the format's default"; on the command line only a real group size.
    if (given("--weight-group-size") && a.weight_group < 1) {
      throw core::InputError("", "--weight-group-size",
                             fmt::format("a positive integer (elements per scale of int4 / fp4 weights: 128 for "
                                         "AWQ / GPTQ int4, 16 for NVFP4, 32 for MXFP4), got {}",
                                         a.weight_group));
    }
    if (!from_file || given("--weight-group-size")) i.weight_group_size = a.weight_group;
    if (!from_file || given("--quantized-weights")) i.quantize_experts_only = a.quantized_weights == "experts";
    if (!from_file || given("--kv-block-tokens")) i.kv_block_tokens = a.kv_block;
    if (!from_file || given("--shared-prefix")) i.shared_prefix_tokens = a.shared_prefix;
    // 0 in a workload file means "vLLM's default for the GPU"; on the command line only a real value.
    for (const auto& [flag, v] : {std::pair<const char*, std::int64_t>{"--prefill-chunk", a.prefill_chunk},
                                  std::pair<const char*, std::int64_t>{"--max-seqs", a.max_seqs}}) {
      if (given(flag) && v < 1)
        throw core::InputError("", flag, fmt::format("a positive integer (leave it out for vLLM's default), got {}", v));
    }
    if (!from_file || given("--prefill-chunk")) i.prefill_chunk_tokens = a.prefill_chunk;
    if (!from_file || given("--max-seqs")) i.max_num_seqs = a.max_seqs;
    if (!from_file || given("--max-utilisation")) i.max_utilisation = a.max_utilisation;
    if (!from_file || given("--sliding-window-pages")) i.sliding_window_full_pages = a.sliding_window_pages == "full";
    if (!a.kv_precision.empty()) {
      i.kv_precision = parse_precision(a.kv_precision, "--kv-precision");
    } else if (!from_file) {
      // As a workload file without kv_precision (and vLLM's kv_cache_dtype "auto"): the model's dtype.
      i.kv_precision = i.weight_precision == plan::Precision::kFp32 ? plan::Precision::kFp32 : plan::Precision::kBf16;
    }
    if (!from_file || given("--compute-precision"))
      i.compute_precision = parse_precision(a.compute_precision, "--compute-precision");
    if (!from_file || given("--gpu-memory-utilization")) i.gpu_memory_utilization = a.mem_util;
  }
  try {
    if (c->get_name() == std::string("search")) {
      // The search chooses the layout (and skips the DP sizes the batch does not divide): check the
      // rest of the workload on a single-GPU layout, keep w.gpus as the count to search over.
      plan::Workload probe = w;
      probe.par = plan::Parallelism{};
      probe.gpus = 1;
      // Without --zero the search tries the stages itself (1-3 with an offloaded optimizer).
      if (!given("--zero") && probe.train.zero_stage == 0) probe.train.zero_stage = 1;
      plan::validate(probe, file);
    } else {
      plan::validate(w, file);
    }
  } catch (const core::InputError& e) {
    // A value that came from a flag is reported under that flag (and its workload field).
    const std::string_view flag = flag_for_field(e.json_path());
    if (!flag.empty() && (!from_file || given(std::string(flag).c_str())))
      throw core::InputError("", fmt::format("{} ({})", flag, e.json_path()), e.expected());
    throw;
  }
  return w;
}

struct Hardware {
  plan::HardwareProfile profile;
  std::string source;
};

Hardware pick_hardware(const PlanArgs& a, const plan::Catalog& cat) {
  if (!a.profile_file.empty() && !a.gpu.empty())
    throw core::InputError("", "--gpu", "either --gpu or --profile, not both");
  if (!a.profile_file.empty()) return {plan::load_profile(a.profile_file), a.profile_file};
  if (a.gpu.empty()) throw core::InputError("", "--gpu", "a GPU name (or --profile FILE)");
  return {cat.gpu(a.gpu), "catalog (data/hardware)"};
}

/// The rates of the chosen hardware. A value the plan needs that is null in a --profile FILE is
/// reported under that file (not the profile's id) with the ways to fill it.
plan::Rates rates_of(const PlanArgs& a, const Hardware& hw, plan::Precision prec, const plan::Assumptions& as) {
  try {
    return plan::resolve_rates(hw.profile, prec, as);
  } catch (const core::InputError& e) {
    if (a.profile_file.empty() || e.file() != hw.profile.id) throw;
    const bool derived = hw.profile.notes.starts_with("derived by `headroom profile`");
    throw core::InputError(
        a.profile_file, e.json_path(),
        fmt::format("a known value (it is null in profile {}{}); {}or plan with --gpu GPU instead of --profile",
                    hw.profile.id, derived ? ": the results it was derived from did not measure it" : "",
                    derived ? fmt::format("re-run `headroom profile RESULTS --base GPU --out {} --force` to fill what was not "
                                          "measured from a GPU's datasheet, ",
                                          a.profile_file)
                            : "give it a value in the file (provenance override), "));
  }
}

void emit(const PlanArgs& a, const std::string& json, const std::string& table) {
  if (!a.out.empty())
    core::write_file_atomic(a.out, json + "\n", a.force ? core::Overwrite::kAllow : core::Overwrite::kRefuse);
  if (a.json) {
    fmt::print("{}\n", json);
  } else {
    fmt::print("{}", table);
    if (!a.out.empty()) fmt::print(stderr, "headroom: wrote {}\n", a.out);
  }
}

/// `plan search` chooses the parallelism itself: refuse a fixed TP/PP/... (naming the limit flag to
/// use instead) and limits below 1, which would silently search nothing.
void check_search_flags(const CLI::App* c, const PlanArgs& a) {
  for (const char* flag : kSearchChosenFlags) {
    if (c->count(flag) == 0) continue;
    const std::string_view f(flag);
    const std::string limit = f == "--dp" ? "(DP is what the GPUs leave; set --gpus)"
                              : f == "--sp" ? "(the search tries SP on and off)"
                              : f.find("stage-layers") != std::string_view::npos
                                  ? "(the search uses even stages, or one layer fewer on the first and the last "
                                    "when that makes a PP fit the layers)"
                                  : fmt::format("(the search tries each; limit it with --max-{})", f.substr(2));
    throw core::InputError("", flag, fmt::format("no {} with `headroom plan search` {}", flag, limit));
  }
  // Upper bounds: the workload's own limit on a parallel size (1e6 GPUs) and on a batch (2^26);
  // --keep bounds the configurations the search reserves room for and prints.
  const plan::SearchOptions& o = a.search;
  constexpr std::int64_t kMaxSize = 1'000'000;
  const std::tuple<const char*, std::int64_t, std::int64_t> limits[] = {
      {"--max-tp", o.max_tp, kMaxSize},
      {"--max-pp", o.max_pp, kMaxSize},
      {"--max-cp", o.max_cp, kMaxSize},
      {"--max-ep", o.max_ep, kMaxSize},
      {"--max-vpp", o.max_vpp, kMaxSize},
      {"--max-micro-batch", o.max_micro_batch, std::int64_t{1} << 26},
      {"--keep", static_cast<std::int64_t>(o.keep), 1000},
  };
  for (const auto& [flag, v, hi] : limits) {
    if (c->count(flag) > 0 && (v < 1 || v > hi))
      throw core::InputError("", flag, fmt::format("an integer in [1, {}], got {}", hi, v));
  }
}

int run_plan(const CLI::App* c, const PlanArgs& a, const std::string& mode) {
  const plan::Catalog cat =
      plan::Catalog::load(a.data_dir.empty() ? plan::default_data_dir() : std::filesystem::path(a.data_dir));
  if (!a.out.empty()) {
    check_output_outside_catalog("--out", a.out, a.data_dir, {{"--workload", a.workload_file}, {"--profile", a.profile_file}},
                                 a.force);
  }
  const plan::Phase phase = mode == "infer" ? plan::Phase::kInfer : plan::Phase::kTrain;
  if (mode == "infer") {
    // --search chooses the replica layout; a fixed one or a GPU count would contradict it.
    for (const char* flag : {"--tp", "--pp", "--gpus"}) {
      if (a.infer_search && c->count(flag) > 0)
        throw core::InputError("", flag,
                               fmt::format("no {} with --search (it tries every layout and reports the GPUs the QPS needs)",
                                           flag));
    }
    for (const char* flag : {"--max-tp", "--max-pp"}) {
      if (c->count(flag) == 0) continue;
      if (!a.infer_search) throw core::InputError("", flag, "--search as well (it limits the layouts the search tries)");
      const int v = std::string(flag) == "--max-tp" ? a.search.max_tp : a.search.max_pp;
      if (v < 1 || v > 1024) throw core::InputError("", flag, fmt::format("an integer in [1, 1024], got {}", v));
    }
  }
  if (mode == "search") {
    if (a.gpus <= 0 && a.workload_file.empty())
      throw core::InputError("", "--gpus", "a positive GPU count to search over");
    check_search_flags(c, a);
  }
  plan::Workload w = build_workload(c, a, phase, cat);
  if (mode == "search" && c->count("--max-ep") > 0 && !w.model.is_moe()) {
    throw core::InputError("", "--max-ep", fmt::format("a MoE model ({} has no experts to split)", w.model.id));
  }
  Hardware hw = pick_hardware(a, cat);
  if (const CLI::Option* hm = c->get_option_no_throw("--host-memory"); hm != nullptr && hm->count() > 0) {
    if (!(a.host_memory_gib > 0 && a.host_memory_gib <= 1e5))
      throw core::InputError("", "--host-memory", fmt::format("GiB of host RAM per node in (0, 100000], got {}", a.host_memory_gib));
    if (w.train.offload != plan::Offload::kOptimizer)
      throw core::InputError("", "--host-memory",
                             "--offload optimizer with it (host RAM is checked only for an offloaded optimizer)");
    hw.profile.host_memory_bytes.value = a.host_memory_gib * 1073741824.0;
    hw.profile.host_memory_bytes.provenance = plan::Provenance::kOverride;
    hw.profile.host_memory_bytes.source = "--host-memory";
  }
  plan::Assumptions as;
  if (!(a.goodput > 0 && a.goodput <= 1)) throw core::InputError("", "--goodput", "a fraction in (0, 1]");
  if (!(a.pue >= 1 && a.pue <= 5)) throw core::InputError("", "--pue", "a number in [1, 5]");
  as.goodput = a.goodput;
  as.pue = a.pue;
  const plan::Precision prec = phase == plan::Phase::kTrain ? w.train.precision : w.infer.compute_precision;
  if (!hw.profile.peak(prec).known()) {
    // The GPU has no such tensor-core rate (fp8 before Hopper, fp4 before Blackwell): name the setting
    // that asked for it and what the GPU offers, not only the profile's null field.
    const char* flag = phase == plan::Phase::kTrain ? "--precision" : "--compute-precision";
    const char* field = phase == plan::Phase::kTrain ? "$.train.precision" : "$.infer.compute_precision";
    std::vector<std::string> has;
    for (int i = 0; i < plan::kPrecisionCount; ++i) {
      if (hw.profile.peak_flop_per_s[i].known()) has.push_back(plan::to_string(static_cast<plan::Precision>(i)));
    }
    const bool from_flag = c->count(flag) > 0 || a.workload_file.empty();
    // A profile with no peak at all is another problem (a measured profile without --base): rates_of
    // below names its file and the fix.
    if (!has.empty()) {
      throw core::InputError(from_flag ? "" : a.workload_file, from_flag ? flag : field,
                             fmt::format("a precision {} has a peak for ({}), got {} (the profile's "
                                         "peak_flop_per_s.{} is null{})",
                                         hw.profile.name, fmt::format("{}", fmt::join(has, ", ")),
                                         plan::to_string(prec), plan::to_string(prec),
                                         a.profile_file.empty()
                                             ? std::string()
                                             : fmt::format(" in {}; a profile made by `headroom profile` without "
                                                           "--base holds only what was measured: re-run it with "
                                                           "--base GPU to fill the rest from a datasheet",
                                                           a.profile_file)));
    }
  }
  plan::PlanContext ctx{command_line(), hw.profile.id, hw.profile.name, hw.source, rates_of(a, hw, prec, as), as};
  if (phase == plan::Phase::kTrain && a.workload_file.empty() && c->count("--global-batch") == 0) {
    ctx.rates.notes.push_back(fmt::format(
        "global batch not given: {} sequences × {} tokens = {:.3g} M tokens per step (default ≈ 4 Mi tokens, the order "
        "of "
        "Llama 2's 4M-token and GPT-3's 3.2M-token batches; pass --global-batch to change)",
        w.train.global_batch, w.train.seq_len, static_cast<double>(w.train.global_batch * w.train.seq_len) / 1e6));
  }
  if (phase == plan::Phase::kInfer) {
    // vLLM's defaults depend on the GPU: checked here, where it is known, as vLLM checks them.
    const plan::EngineLimits lim = plan::engine_limits(w.infer, ctx.rates);
    const bool batch_flag = c->count("--batch") > 0 || a.workload_file.empty();
    if (w.infer.batch > lim.max_seqs) {
      throw core::InputError(batch_flag ? "" : a.workload_file, batch_flag ? "--batch" : "$.infer.batch",
                             fmt::format("at most {} requests, the engine's max_num_seqs{}, got {} (raise --max-seqs)",
                                         lim.max_seqs, lim.max_seqs_default ? " (vLLM's default on this GPU)" : "",
                                         w.infer.batch));
    }
    if (lim.step_tokens < lim.max_seqs) {
      // (Both given is refused by validate(); here one of them is vLLM's default.)
      if (!lim.step_tokens_default) {
        throw core::InputError("", "--prefill-chunk",
                               fmt::format("at least max_num_seqs ({}, vLLM's default on this GPU; lower --max-seqs): "
                                           "every running request decodes one token per step, got {}",
                                           lim.max_seqs, lim.step_tokens));
      }
      throw core::InputError("", "--max-seqs",
                             fmt::format("at most the step budget ({} tokens, vLLM's default on this GPU; raise "
                                         "--prefill-chunk): every running request decodes one token per step, got {}",
                                         lim.step_tokens, lim.max_seqs));
    }
  }
  const plan::ParamCounts pc = plan::count_params(w.model);
  if (phase == plan::Phase::kTrain) {
    // Checkpoints and failures: the storage rates (flags over the profile), refused before any
    // evaluation when one they need is unknown or the job could never finish.
    plan::apply_resilience_overrides(w.train.resilience, ctx.rates);
    plan::check_resilience(w, pc, ctx.rates,
                           mode == "search" ? (c->count("--gpus") > 0 ? a.gpus : w.gpus) : w.par.world(),
                           a.profile_file.empty() ? hw.profile.id : a.profile_file);
  }
  if (mode == "train") {
    const auto r = plan::evaluate_train(w, pc, ctx.rates, as);
    emit(a, plan::train_plan_to_json(w, pc, r, ctx), plan::train_plan_table(w, pc, r, ctx));
    return 0;
  }
  if (mode == "infer" && a.infer_search) {
    const int max_tp = c->count("--max-tp") > 0 ? a.search.max_tp : 0;  // 0: the GPUs per node
    const int max_pp = c->count("--max-pp") > 0 ? a.search.max_pp : 8;
    if (w.par.tp != 1 || w.par.pp != 1 || w.gpus > 0) {
      ctx.rates.notes.push_back(fmt::format(
          "--search replaced the workload's layout (TP {} · PP {}{}) by the layouts it tries", w.par.tp, w.par.pp,
          w.gpus > 0 ? fmt::format(", {} GPUs", w.gpus) : std::string()));
    }
    const auto s = plan::search_infer(w, pc, ctx.rates, as, max_tp, max_pp);
    const auto r = plan::evaluate_infer(s.best, pc, ctx.rates, as);
    const auto sweep = plan::infer_batch_sweep(s.best, pc, ctx.rates, as);
    emit(a, plan::infer_search_to_json(s, pc, r, sweep, ctx), plan::infer_search_table(s, pc, r, sweep, ctx));
    return 0;
  }
  if (mode == "infer") {
    const auto r = plan::evaluate_infer(w, pc, ctx.rates, as);
    const auto sweep = plan::infer_batch_sweep(w, pc, ctx.rates, as);
    emit(a, plan::infer_plan_to_json(w, pc, r, sweep, ctx), plan::infer_plan_table(w, pc, r, sweep, ctx));
    return 0;
  }
  plan::SearchOptions o = a.search;
  o.gpus = c->count("--gpus") > 0 ? a.gpus : w.gpus;
  // --zero / --recompute given on the command line fix that dimension instead of searching it.
  o.try_zero = c->count("--zero") == 0;
  o.try_recompute = c->count("--recompute") == 0;
  o.try_rank_orders = c->count("--rank-order") == 0;
  if (!a.workload_file.empty()) {
    // What the search chooses replaces the file's values: say so when the file set any of them.
    const plan::Parallelism& p = w.par;
    std::vector<std::string> replaced;
    if (p.tp != 1 || p.pp != 1 || p.cp != 1 || p.ep != 1 || p.vpp != 1 || p.sequence_parallel)
      replaced.push_back(fmt::format("layout TP {} · PP {} · CP {} · EP {} · VPP {}", p.tp, p.pp, p.cp, p.ep, p.vpp));
    if (w.train.micro_batch != 1) replaced.push_back(fmt::format("micro-batch {}", w.train.micro_batch));
    if (o.try_zero && w.train.zero_stage != 0) replaced.push_back(fmt::format("ZeRO stage {}", w.train.zero_stage));
    if (o.try_recompute && w.train.recompute != plan::Recompute::kNone)
      replaced.push_back("recompute " + plan::to_string(w.train.recompute));
    if (o.try_rank_orders && p.rank_order != plan::RankOrder::kPipelineOuter)
      replaced.push_back("rank order " + plan::to_string(p.rank_order));
    if (!replaced.empty()) {
      ctx.rates.notes.push_back(fmt::format(
          "the search replaced the workload file's {} by the choices it tries (fix ZeRO, recompute or the rank order "
          "with --zero / --recompute / --rank-order)",
          fmt::join(replaced, ", ")));
    }
  }
  const auto r = plan::search_train(w, pc, ctx.rates, as, o);
  if (r.evaluated == 0) {
    throw core::InputError(
        "", "--gpus",
        fmt::format("a GPU count with at least one valid layout for {} and this batch: no TP ≤ {} (dividing the "
                    "heads) × PP ≤ {} (dividing the layers) × CP ≤ {} × DP making {} GPUs has a DP that divides the "
                    "global batch ({} sequences) with a micro-batch ≤ {}",
                    w.model.id, o.max_tp > 0 ? o.max_tp : static_cast<int>(ctx.rates.gpus_per_node), o.max_pp,
                    o.max_cp, o.gpus, w.train.global_batch, o.max_micro_batch));
  }
  // What the search ruled out (a fixed --zero 2 / 3 with --offload optimizer leaves no pipeline) is
  // listed with the assumptions, so it shows whether or not memory binds.
  for (const auto& n : r.notes) {
    ctx.rates.notes.push_back(
        fmt::format("{} (--zero {}); --zero 1, or leaving --zero out, lets the search try them", n, w.train.zero_stage));
  }
  emit(a, plan::search_plan_to_json(w, pc, r, ctx), plan::search_plan_table(w, pc, r, ctx));
  return 0;
}

int list_catalog(const PlanArgs& a) {
  const plan::Catalog cat =
      plan::Catalog::load(a.data_dir.empty() ? plan::default_data_dir() : std::filesystem::path(a.data_dir));
  fmt::print("GPUs (--gpu):\n");
  for (const auto& g : cat.gpus) fmt::print("  {:<18} {:<32} aliases: {}\n", g.id, g.name, fmt::join(g.aliases, ", "));
  fmt::print("\nModels (--model):\n");
  for (const auto& m : cat.models) {
    fmt::print("  {:<22} {:<40} {:>9.2f} B params\n", m.id, m.name, plan::count_params(m).total / 1e9);
  }
  return 0;
}

}  // namespace

void check_output_outside_catalog(const std::string& option, const std::string& out, const std::string& data_dir,
                                  const std::vector<std::pair<std::string, std::string>>& inputs, bool force) {
  namespace fs = std::filesystem;
  const fs::path data = data_dir.empty() ? plan::default_data_dir() : fs::path(data_dir);
  std::error_code ec;
  const fs::path parent = fs::weakly_canonical(fs::absolute(fs::path(out)).parent_path(), ec);
  for (const char* sub : {"hardware", "models"}) {
    const fs::path dir = fs::weakly_canonical(data / sub, ec);
    if (!ec && parent == dir) {
      throw core::InputError(out, option,
                             fmt::format("a path outside the catalog's {} (every plan reads each file there; "
                                         "{} is the catalog in use)",
                                         (data / sub).string(), data.string()));
    }
  }
  std::vector<core::NamedPath> named;
  for (const auto& [opt, path] : inputs) named.push_back({opt, path});
  core::check_distinct_outputs({{option, out}}, named);
  core::check_writable(out, force ? core::Overwrite::kAllow : core::Overwrite::kRefuse);
}

void add_plan_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* plan_cmd = app.add_subcommand("plan", "Plan training or inference on a GPU: memory, time, MFU, capacity");
  plan_cmd->add_flag("--list", args->list, "list the GPUs and models in the catalog");
  plan_cmd->add_option("--data-dir", args->data_dir, "catalog directory");
  plan_cmd->callback([plan_cmd, args, &action] {
    if (args->list) {
      action = [args] { return list_catalog(*args); };
    } else if (plan_cmd->get_subcommands().empty()) {
      // As `headroom report` without a kind: bad input, exit 2, with the usage.
      fmt::print(stderr, "{}", plan_cmd->help());
      throw CLI::RequiredError("A subcommand (train, infer or search) or --list");
    }
  });
  const auto sub = [&](const char* name, const char* help) {
    CLI::App* c = plan_cmd->add_subcommand(name, help);
    add_common(c, *args);
    return c;
  };
  CLI::App* train = sub("train", "Memory per GPU, step time, MFU and time-to-train of a training job");
  add_parallelism_flags(train, *args, true);
  add_train_flags(train, *args, false);
  train->callback([train, args, &action] { action = [train, args] { return run_plan(train, *args, "train"); }; });
  CLI::App* infer = sub("infer", "Weights + KV-cache memory, TTFT / TPOT roofline, tokens/s and GPUs for a QPS");
  add_parallelism_flags(infer, *args, false);
  add_infer_flags(infer, *args);
  infer->callback([infer, args, &action] { action = [infer, args] { return run_plan(infer, *args, "infer"); }; });
  CLI::App* search = sub("search",
                         "Search TP × PP × DP × CP × EP (MoE) × VPP × SP × micro-batch × recompute × ZeRO 0-3 for the "
                         "fastest plan that fits");
  add_train_flags(search, *args, true);
  add_search_flags(search, *args);
  search->callback([search, args, &action] { action = [search, args] { return run_plan(search, *args, "search"); }; });
}

std::string_view flag_for_field(std::string_view json_path) {
  for (const auto& [field, flag] : kFieldFlags)
    if (field == json_path) return flag;
  return {};
}

}  // namespace headroom::cli
