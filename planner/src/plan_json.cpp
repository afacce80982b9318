#include "headroom/plan/plan_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "headroom/core/results.hpp"
#include "headroom/core/units.hpp"
#include "json_util.hpp"

namespace headroom::plan {

using detail::num;
using nlohmann::json;

PlanSummary summarize(const TrainResult& r) noexcept {
  // Nothing from a plan that does not fit (gpu_hours and energy are already 0 without a token budget
  // or a TDP).
  if (!r.memory.fits) return PlanSummary{0.0, 0.0, 0.0, r.gpus};
  return PlanSummary{r.time.gpu_hours, r.time.energy_kwh, r.time.tokens_per_s_per_gpu, r.gpus};
}
PlanSummary summarize(const InferResult& r) noexcept {
  const InferTime& t = r.time;
  const double gpus = t.gpus_for_qps > 0 ? t.gpus_for_qps : t.fleet_gpus > 0 ? t.fleet_gpus : r.gpus_per_replica;
  // Throughput only from a plan that can serve (fits and meets its SLOs), like the GPUs for the QPS.
  const bool serves = r.memory.fits && t.meets_slo;
  return PlanSummary{0.0, 0.0, serves ? t.tokens_per_s_per_gpu : 0.0, static_cast<std::int64_t>(gpus)};
}

namespace {
/// The optimizer's states as the assumptions list names them.
std::string optimizer_description(Optimizer o) {
  switch (o) {
    case Optimizer::kAdam: return "Adam moments in fp32 (8 bytes per trained element)";
    case Optimizer::kAdamBf16: return "Adam moments in bf16 (4 bytes per trained element; DeepSeek-V3, Megatron-Core "
                                      "precision-aware optimizer)";
    case Optimizer::kAdam8bit:
      return fmt::format("8-bit Adam moments, block-wise (bitsandbytes: 1 byte each plus an fp32 absmax per {:g} "
                         "elements, {:.4g} bytes per trained element; tensors under 4096 elements, which it keeps in "
                         "32 bits, are counted at 8 bits too)",
                         kOptimizer8bitBlock, optimizer_state_bytes(o));
    case Optimizer::kLion: return "the Lion optimizer's one fp32 momentum (4 bytes per trained element)";
  }
  return "";
}
}  // namespace

/// How a hybrid model's layers divide: "36 of 40 layers replace attention by a Mamba-2 mixer (each
/// keeps its MLP)", or Nemotron-H's separate layers.
static std::string hybrid_layers_text(const ModelConfig& m) {
  if (m.mamba_separate) {
    return fmt::format(
        "{} Mamba-2, {} attention and {} MLP layers of their own (Nemotron-H; one norm and one TP "
        "collective each)",
        m.mamba_layers, m.attention_layers(), m.mlp_layers());
  }
  return fmt::format("{} of {} layers replace attention by a Mamba-2 mixer (each keeps its MLP)", m.mamba_layers,
                     m.num_layers);
}

std::vector<std::string> assumption_lines(const Workload& w, const PlanContext& ctx) {
  const Assumptions& a = ctx.assumptions;
  std::vector<std::string> out = ctx.rates.notes;
  out.push_back(fmt::format("runtime overhead per GPU (CUDA context, library workspaces, allocator slack): {:.3g} GiB",
                            a.runtime_overhead_bytes / core::kGiB));
  // Beyond the trained context a RoPE / ALiBi model still runs (context extension), but that is the
  // user's claim, not the planner's: say so (learned positions are refused by validate()).
  const std::int64_t tokens = w.phase == Phase::kTrain ? w.train.seq_len : w.infer.context_len + w.infer.output_len;
  if (w.model.max_seq_len > 0 && tokens > w.model.max_seq_len) {
    out.push_back(fmt::format("WARNING: {} tokens per sequence exceed {}'s trained context of {}: planned as if the "
                              "model runs at that length (RoPE scaling / context extension); quality is not modelled",
                              tokens, w.model.id, w.model.max_seq_len));
  }
  if (w.phase == Phase::kTrain) {
    const TrainSettings& t = w.train;
    out.push_back(
        w.par.pp == 1
            ? std::string("memory: one pipeline stage holds the whole model")
            : "memory per GPU is that of the pipeline stage that needs the most: the first (input embedding, the "
              "most micro-batches in flight), the middle ones (the first stands for them all when their layers "
              "are alike; the one that needs the most is shown) and the last (output layer, fp32 logits of one "
              "micro-batch) are evaluated, each with its own layers");
    if (w.par.world() > ctx.rates.gpus_per_node && (w.par.dp * w.par.cp > 1 || w.par.pp > 1)) {
      const RankPlacement place = rank_placement(w.par, ctx.rates.gpus_per_node);
      out.push_back(fmt::format(
          "ranks {} ({}): the data-parallel group has at least {:g} of its {} ranks in each node it spans{}{}",
          to_string(w.par.rank_order),
          w.par.rank_order == RankOrder::kPipelineOuter ? "pipeline outermost, Megatron-Core's default"
                                                        : "data parallel outermost, as Llama 3 and Megatron's "
                                                          "--use-tp-pp-dp-mapping",
          place.dp_ranks_per_node, w.par.dp * w.par.cp,
          place.dp_intra ? " (all on NVLink)" : ", sharing their NICs across nodes",
          w.par.pp > 1 ? (place.pp_intra ? "; pipeline sends stay in the node" : "; pipeline sends cross nodes")
                       : ""));
    }
    if (w.par.pp > 1) {
      const StageLayout lay = stage_layout(w.model.num_layers, w.par);
      out.push_back(
          lay.even
              ? fmt::format("pipeline stages: {} layers each; the last also runs the output layer", lay.first)
              : fmt::format("pipeline stages: first {} layers, {} middle stage{} of {}, last {} (the last also runs "
                            "the output layer); the slowest stage sets the pace and the others add to the bubble",
                            lay.first, lay.middle_stages, lay.middle_stages == 1 ? "" : "s", lay.middle, lay.last));
    }
    // What the weights are stored in, as the memory model counts them (train.cpp): fp32 for fp32 and
    // tf32 (a matmul mode, not a storage type), bf16 under FP8 (TE keeps bf16 weights and makes
    // FP8 copies for its GEMMs), else the precision itself. fp32 master copies only below 4 bytes.
    const bool fp32_storage = t.precision == Precision::kFp32 || t.precision == Precision::kTf32;
    const std::string stored = fp32_storage                       ? "fp32 weights"
                               : t.precision == Precision::kFp8 ? "bf16 weights (the FP8 GEMMs use FP8 copies)"
                                                                 : to_string(t.precision) + " weights";
    const std::string grads =
        t.offload == Offload::kOptimizer
            ? (t.zero_stage >= 2 ? std::string("gradients streamed to the host") : "gradients in the model's dtype")
            : fmt::format("{:g}-byte gradients", t.grad_bytes);
    out.push_back(fmt::format("{}: {}, {}, {}{} (ZeRO stage {})", fp32_storage ? "full precision" : "mixed precision",
                              stored, grads, fp32_storage ? "" : "fp32 master weights and ",
                              optimizer_description(t.optimizer), t.zero_stage));
    if (t.offload == Offload::kOptimizer) {
      out.push_back(fmt::format(
          "optimizer offload (ZeRO-Offload, DeepSpeed offload_optimizer cpu): an fp32 copy of the weights, the "
          "optimizer states and fp32 gradients of each GPU's shard in host memory (with ZeRO 2 / 3 and several "
          "micro-batches also an accumulation buffer), not in the GPU's total; the GPU keeps its weights and, with "
          "ZeRO 1, gradients in the model's dtype; gradients go down fp32 with ZeRO 1 / 2 (once with ZeRO 1, every "
          "micro-batch with ZeRO 2 / 3, whose running sum also comes up and goes down again), hidden behind backward "
          "only as far as --dp-overlap says (DeepSpeed's overlap_comm is off by default); the host updates them at "
          "its memory bandwidth shared by the job's GPUs on the node ({}), and the new weights come back up ({}); "
          "the host memory of the job's GPUs on a node is checked against the node's ({}); GPUs sharing a PCIe "
          "switch uplink are not modelled, nor NVMe offload or delayed parameter updates",
          ctx.rates.host_memory_source, ctx.rates.host_link_source, ctx.rates.host_capacity_source));
    }
    if (t.zero_stage == 3 && w.par.dp * w.par.cp > 1) {  // as the memory model (train.cpp): nothing to gather on one rank
      out.push_back("ZeRO 3: besides its shard each GPU holds the gathered unit in use and the prefetched one whole "
                    "(the largest of a layer, the word embedding and the output layer, split over TP; routed experts "
                    "only when sharded, QLoRA's frozen weights in 4 bits), as FSDP's default prefetch does");
    }
    if (t.adapter.enabled()) {
      const AdapterCounts ac = count_adapters(w.model, t.adapter, 1, 1);
      const ParamCounts pc = count_params(w.model);
      std::string targets;
      for (const std::string& n : adapter_target_names(t.adapter.targets)) targets += (targets.empty() ? "" : ", ") + n;
      out.push_back(fmt::format(
          "{} fine-tuning: base model frozen; rank-{} adapters on {} of every transformer block ({:.4g}M trainable "
          "parameters, {:.3g} % of {:.4g}B) carry the gradients, fp32 master weights and optimizer states; frozen "
          "linear and output layers run forward and input-gradient GEMMs only (no weight gradients), so model "
          "FLOPs (the MFU numerator) are 2× their forward plus 3× the attention core and the adapters; adapters "
          "run in bf16 at the slower of their FLOPs and their memory traffic (rank-r GEMMs are bandwidth-bound); "
          "the inputs of frozen projections without an adapter are still counted as stored (an upper bound); "
          "adapter dropout not modelled",
          t.adapter.method == AdapterMethod::kQlora ? "QLoRA" : "LoRA", t.adapter.rank, targets, ac.total / 1e6,
          100.0 * ac.total / pc.total, pc.total / 1e9));
      if (t.adapter.method == AdapterMethod::kQlora) {
        out.push_back(fmt::format(
            "QLoRA: frozen linear weights of the blocks ({:.4g}B) in NF4 with double-quantised scales, {:.4g} bits "
            "each (QLoRA §3); embeddings, output layer and norms in {}; each frozen weight is dequantised to {} "
            "before every GEMM that reads it (forward, input gradient, recomputed forward: read 4.127 bits, write "
            "2 bytes) into a buffer the size of the largest matrix (in the runtime overhead)",
            pc.linear_total / 1e9, kQloraBytesPerWeight * 8.0, to_string(t.precision), to_string(t.precision)));
      }
    }
    out.push_back(
        fmt::format("activations: Korthikanti et al. per-layer terms, recompute {}, sequence parallel {}, flash "
                    "attention {}, dropout {}",
                    to_string(t.recompute), w.par.sequence_parallel ? "on" : "off", t.flash_attention ? "on" : "off",
                    w.model.dropout ? "on" : "off"));
    if (w.model.is_hybrid()) {
      out.push_back(fmt::format(
          "hybrid Mamba-2 ({}; Megatron-Core's MambaMixer): in_proj and out_proj as linear GEMMs (FP8 "
          "under FP8), the conv taps and per-head vectors as weights; the SSD scan (heads·head_dim·(chunk + "
          "4·state) + 2·groups·chunk·state FLOPs per token, chunk {}) with the attention core, backward 2× forward; "
          "a Mamba layer stores in_proj's output, the scan output, the gated norm's input and its output (the "
          "conv and the chunk states are recomputed in backward), split over TP; per-layer figures averaged over "
          "the layer kinds (a stage's exact mix not modelled); TP divides the groups; no CP, no adapters",
          hybrid_layers_text(w.model), w.model.mamba_chunk));
    }
    out.push_back(
        "1F1B pipeline schedule: stage i holds min(pp − i, micro-batches) micro-batches (the first pp); "
        "interleaved (Megatron): 2·(pp − i − 1) + (vpp − 1)·pp + 1 chunks of 1/vpp stage, pp·(1 + (pp−1)/(pp·vpp)) "
        "micro-batches on the first; step = micro-batches × slowest stage + (sum of the other stages) / vpp");
    out.push_back(t.adapter.enabled()
                      ? "FLOPs: Megatron convention for the forward (2 per MAC, full s² attention, logits included); "
                        "the passes of frozen and adapted layers as in the fine-tuning line"
                      : "FLOPs: Megatron convention (2 per MAC, full s² attention, backward = 2× forward, logits included)");
    if (t.flash_attention) {
      out.push_back(
          "fused (flash) attention: the causally masked blocks are skipped, and the backward recomputes QKᵀ before "
          "its four gradient products (FlashAttention-2: 5 products against the forward's 2); both are timed and "
          "counted in the executed FLOPs, not in the Megatron model / hardware FLOPs");
    }
    out.push_back(
        fmt::format("memory-bound kernels move {:g}× the bytes of the activations they produce per pass (3 passes: "
                    "forward + 2× backward)",
                    a.elementwise_traffic_factor));
    if (t.precision == Precision::kFp8) {
      out.push_back(
          "FP8 (Transformer Engine fp8_autocast as in Megatron-Core / NeMo, delayed scaling): QKV, attention output "
          "projection, FC1 and FC2 GEMMs at the FP8 rate; attention core (fp8_dpa off, TE's default) and output "
          "layer (Megatron ColumnParallelLinear, outside TE) at the bf16 rate; activations, TP / PP / CP messages "
          "and gradients stay bf16");
      out.push_back(fmt::format(
          "FP8 casts: {:g} B of memory traffic per quantised element (read bf16, write FP8 and its FP8 transpose: "
          "Hopper FP8 GEMMs are TN-only) for each FP8 GEMM input in forward (again with full recompute), each "
          "output gradient in backward, and each weight once per step (TE caches FP8 weights across "
          "micro-batches); amax reductions (a few KB per micro-batch) not modelled",
          a.fp8_cast_bytes_per_element));
    }
    if (w.model.is_moe() && w.par.ep > 1) {
      const double nodes = std::ceil(w.par.ep / ep_ranks_per_node(w.par, ctx.rates.gpus_per_node));
      if (w.model.max_nodes_per_token > 0 && nodes > 1) {
        const double sel = node_limited_target_nodes(static_cast<int>(w.model.experts_per_token),
                                                     static_cast<int>(w.model.max_nodes_per_token), nodes);
        out.push_back(fmt::format(
            "EP all-to-all, node-limited routing (DeepSeek-V3 §2.1.2, §3.2.2): EP {} spans {:g} nodes; a token's "
            "experts lie on min(top-k {}, M {}, nodes {:g}) = {:g} nodes, so it crosses the network {:g} × ({:g} − "
            "1)/{:g} = {:.3g} times on average (once per remote target node, not once per routed expert) and is "
            "fanned out to its experts' GPUs over NVLink",
            w.par.ep, nodes, w.model.experts_per_token, w.model.max_nodes_per_token, nodes, sel, sel, nodes, nodes,
            sel * (nodes - 1.0) / nodes));
      } else {
        out.push_back(fmt::format("EP all-to-all: pairwise exchange of every routed copy (top-k {}), {}",
                                  w.model.experts_per_token,
                                  nodes > 1 ? "no node limit: each copy bound for another node crosses the network"
                                            : "all EP ranks inside one node (NVLink only)"));
      }
    }
    out.push_back(fmt::format("TP communication overlap {:g}, DP communication overlap {:g}", t.tp_comm_overlap,
                              t.dp_comm_overlap));
    const ResilienceSettings& rs = t.resilience;
    if (rs.checkpoints()) {
      const bool peft = t.adapter.enabled();
      out.push_back(fmt::format(
          "checkpoints: {:g} bytes per trained element ({}{}{}; gradients are not saved; Megatron-Core's distributed "
          "optimizer saves \"param\", \"exp_avg\" and \"exp_avg_sq\" in fp32 beside the model's weights){}; "
          "written by all nodes at once, each at {} (Megatron-Core's fully parallel save and PyTorch DCP spread the "
          "shards over all ranks); a shared filesystem's aggregate limit is not modelled: the per-node figure is "
          "what one node measured alone",
          checkpoint_bytes_per_element(t),
          t.precision == Precision::kFp32 || t.precision == Precision::kTf32 ? "fp32 weights" : "bf16 weights",
          t.precision == Precision::kFp32 || t.precision == Precision::kTf32 ? "" : ", fp32 master weights",
          fmt::format(", {}", optimizer_description(t.optimizer)),
          peft ? "; with adapters only the adapters and their optimizer states (the frozen base is the pretrained "
                 "checkpoint already on storage, not re-saved)"
               : "",
          ctx.rates.checkpoint_write_source.empty() ? std::string("an unknown rate")
                                                    : ctx.rates.checkpoint_write_source));
      out.push_back(
          rs.checkpoint_mode == CheckpointMode::kAsync
              ? fmt::format("asynchronous checkpoints (PyTorch DCP async_save, Megatron-Core --async-save): training "
                            "stalls while each GPU copies its shard (checkpoint bytes / GPUs) to host memory over {}; "
                            "a background write then has until the next checkpoint to finish, and what it overruns "
                            "stalls training too; the host memory of the staging copy is not checked",
                            ctx.rates.host_link_source)
              : std::string("synchronous checkpoints: training stalls for the whole write"));
      if (rs.failures()) {
        out.push_back(fmt::format(
            "failures: one interruption every {:.4g} h (MTBF for this job size) costs half a checkpoint interval of "
            "lost progress on average, a restart of {:g} min ({}) and reading the checkpoint back{} at {}; time = "
            "(productive / goodput + checkpoints × stall) / (1 − cost per failure / MTBF), expected failures = "
            "time / MTBF (solved self-consistently: re-run work can fail again); Young's interval √(2 × stall × "
            "MTBF){}",
            rs.mtbf_s / 3600.0, rs.restart_s / 60.0,
            rs.restart_s == ResilienceSettings{}.restart_s ? "assumed when not given: --restart-min" : "given",
            peft ? " with the frozen base weights" : "",
            ctx.rates.storage_read_source.empty() ? std::string("an unknown rate") : ctx.rates.storage_read_source,
            rs.checkpoint_every_s > 0 ? " is shown beside the given interval" : " is the interval used (none given)"));
      } else {
        out.push_back("failures not modelled (give --mtbf HOURS for this job size)");
      }
      out.push_back(fmt::format(
          "goodput {:g}: the share of wall time making progress apart from checkpoints and failures, which are "
          "modelled above (evaluation, data-loader stalls, slow nodes); checkpoint stalls and failures count at "
          "full power in energy",
          a.goodput));
    } else {
      out.push_back(fmt::format("goodput {:g} (share of wall time making progress)", a.goodput));
    }
    out.push_back(
        fmt::format("energy = GPU-hours × TDP × {:g} × PUE {:g} (GPU boards only{}; host and network excluded)",
                    a.power_fraction_of_tdp, a.pue, a.pue > 1.0 ? ", the facility's overhead through the PUE" : ", cooling excluded: PUE 1"));
  } else {
    const InferSettings& i = w.infer;
    out.push_back(fmt::format("engine may use {:g} of device memory; KV cache in {}, weights in {}, GEMMs at the {} rate{}",
                              i.gpu_memory_utilization, to_string(i.kv_precision), to_string(i.weight_precision),
                              to_string(i.compute_precision),
                              i.compute_precision == Precision::kBf16 && precision_bytes(i.weight_precision) < 2.0
                                  ? " (weights dequantised to bf16; --compute-precision fp8 / int8 for W8A8 checkpoints)"
                                  : ""));
    if (precision_bytes(i.weight_precision) < 2.0) {
      const std::int64_t g = i.weight_group_size > 0 ? i.weight_group_size : default_weight_group(i.weight_precision);
      const std::string scales =
          i.weight_precision == Precision::kInt4   ? fmt::format(", an fp16 scale and a 4-bit zero point per group of {} (AWQ / GPTQ layout)", g)
          : i.weight_precision == Precision::kFp4 ? fmt::format(", one 8-bit scale per block of {} (NVFP4: 16, MXFP4: 32)", g)
                                                   : std::string(" (per-channel or per-tensor scales not counted)");
      const ParamCounts pc = count_params(w.model);
      const double quantized = i.quantize_experts_only ? pc.linear_experts : pc.linear_total;
      out.push_back(fmt::format(
          "weight-only quantisation: {} ({:.4g}B of {:.4g}B parameters) at {:.4g} bytes per weight{}; {} stay in 16-bit",
          i.quantize_experts_only ? "the routed experts" : "the transformer blocks' linear layers", quantized / 1e9,
          pc.total / 1e9, weight_bytes_per_element(i.weight_precision, i.weight_group_size), scales,
          i.quantize_experts_only ? "attention, embeddings, output layer, norms, biases and routers"
                                  : "embeddings, output layer, norms, biases and MoE routers"));
    }
    out.push_back(fmt::format("paged KV cache in blocks of {} tokens: a request holds ceil(tokens / {}) blocks",
                              i.kv_block_tokens, i.kv_block_tokens));
    const std::int64_t cached = cached_prefix_tokens(i);
    if (i.shared_prefix_tokens > 0 && cached == 0) {
      out.push_back(fmt::format(
          "shared prompt prefix of {} tokens: shorter than one KV block of {} tokens, so nothing is shared (prefix "
          "caches share whole blocks); every request computes and holds its whole prompt",
          i.shared_prefix_tokens, i.kv_block_tokens));
    } else if (i.shared_prefix_tokens > 0) {
      out.push_back(fmt::format(
          "shared prompt prefix of {} tokens in the prefix cache (vLLM automatic prefix caching, SGLang "
          "RadixAttention): its {} tokens in whole blocks are stored once per replica and not recomputed; each "
          "request computes its other {} prompt tokens (attending to the whole prompt), holds blocks for them and "
          "its output, and reads the prefix's KV in every decode step (no shared-prefix / cascade attention "
          "kernel assumed)",
          i.shared_prefix_tokens, cached, i.context_len - cached));
    }
    if (w.model.sliding_window > 0) {
      out.push_back(i.sliding_window_full_pages
                        ? "sliding-window layers hold full-length KV pages per request, as the other layers "
                          "(--sliding-window-pages full, the default: vLLM's KV cache manager; published case G24)"
                        : "sliding-window layers hold KV pages for at most the window's tokens per request "
                          "(--sliding-window-pages window: TensorRT-LLM's per-window pools, vLLM's hybrid KV "
                          "cache manager)");
    }
    const EngineLimits lim = engine_limits(i, ctx.rates);
    const std::string why =
        lim.large_tier ? "this GPU has at least 70 GiB and is not an A100"
                       : (ctx.rates.memory_bytes >= 70.0 * 1073741824.0 ? "vLLM keeps A100s on the small defaults"
                                                                         : "this GPU has less than 70 GiB");
    const auto origin = [&](bool dflt, const char* flag) {
      return dflt ? fmt::format("vLLM's default ({})", why) : fmt::format("{}", flag);
    };
    out.push_back(fmt::format(
        "engine scheduler: at most {} tokens per step (max_num_batched_tokens: {}) and {} requests at once "
        "(max_num_seqs: {}); vLLM v0.10's OpenAI-server defaults (EngineArgs.get_batch_defaults) are 8192 / 1024 "
        "on a GPU with at least 70 GiB whose name lacks \"a100\", else 2048 / 256; the batch is capped at "
        "max_num_seqs",
        lim.step_tokens, origin(lim.step_tokens_default, "--prefill-chunk"), lim.max_seqs,
        origin(lim.max_seqs_default, "--max-seqs")));
    out.push_back(
        "steady state with continuous batching and chunked prefill mixed into decode (vLLM V1's default): every "
        "request stays n steps, so B/n join per step; a step computes the batch's B decode tokens (a "
        "micro-batch's ⌈B/PP⌉ with PP; at mid-output context) first, so a prompt runs as K = ⌈prompt tokens / "
        "c⌉ chunks of c = min(step tokens − B, the prompt tokens it computes), the last with the remainder; a "
        "share (B/n)·K of the steps carries a chunk and the rest decode alone; TPOT = the mean step, output "
        "tokens/s = B / TPOT, requests/s = B / (n · TPOT) (Little's law), so throughput includes prefill; TTFT "
        "under load = the prompt's K steps one after another (n/B steps of B/n prompts when prompts need more "
        "than a step each), queueing before the first chunk not counted; the TTFT SLO is checked against it");
    if (i.qps > 0) {
      out.push_back(fmt::format(
          "replicas for the QPS: each loaded to at most {:g} of the requests/s it sustains at the planned batch "
          "(--max-utilisation; with Poisson arrivals the running batch fluctuates around QPS · n · TPOT per "
          "replica and at a load near 1 exceeds the planned batch, and so the SLO, much of the time; 0.8 is the "
          "default headroom)",
          i.max_utilisation));
    }
    out.push_back(
        "a pass = its GEMM phase (weights read, GEMM FLOPs) + its attention phase (KV read, attention FLOPs), each "
        "max(FLOPs / GEMM rate, bytes / memory bandwidth)");
    if (w.par.pp > 1) {
      out.push_back(fmt::format(
          "pipeline: {} micro-batches of ⌈B/{}⌉ requests (at least 1) in flight, one per stage (vLLM's virtual "
          "engines); the steady state is the largest micro-batch's, whose step passes through all {} stages and "
          "{} boundary send{} of its hidden states (split over TP; over the network where a boundary crosses "
          "nodes), at the pace of the last stage, which also runs the output layer; memory per GPU is the larger "
          "end stage's (the first holds the input embedding, the last the output layer); a prompt alone crosses "
          "the stages one after another",
          w.par.pp, w.par.pp, w.par.pp, w.par.pp - 1, w.par.pp == 2 ? "" : "s"));
    }
    out.push_back(
        "prefill: causal attention (half of the s² products; sliding-window layers at most the window); `prompt "
        "alone` TTFT is one prompt with the GPUs to itself, the lower bound of TTFT under load");
    if (w.model.sliding_window > 0) {
      out.push_back("sliding-window layers attend to (and read the KV of) at most the window's tokens");
    }
    if (w.model.is_moe()) {
      out.push_back(fmt::format(
          "MoE: a pass over T tokens reads the routed experts as far as the tokens touch them, 1 − (1 − {}/{})^T "
          "(uniform routing), every other weight in full",
          w.model.experts_per_token, w.model.num_experts));
    }
    if (w.model.is_hybrid()) {
      const ModelConfig& hm = w.model;
      out.push_back(fmt::format(
          "hybrid Mamba-2: {} (no KV cache in Mamba layers): each request "
          "keeps a fixed state per such layer, (conv {} − 1)·(inner/TP + 2·B/C groups·state) + heads/TP·{}·{} "
          "elements in the activation dtype, read and written every decode step; prompts run the SSD scan in "
          "chunks of {} tokens (Dao & Gu 2024: heads·head_dim·(chunk + 4·state) + 2·groups·chunk·state FLOPs per "
          "token and layer) at the attention-core rate; decode updates and reads the state (5·heads·head_dim·state "
          "FLOPs per token and layer); {}; with PP {}, and the stage that needs the most per request sizes the cache "
          "(a pass is timed at the stages' mean); engines' state-page alignment (vLLM's hybrid allocator) not "
          "modelled",
          hybrid_layers_text(hm), hm.mamba_conv, hm.mamba_head_dim, hm.mamba_state, hm.mamba_chunk,
          hm.mamba_groups == 1 ? "its single B/C group is kept whole on every TP rank" : "B/C groups split over TP",
          hm.mamba_separate ? "a stage holds at most ⌈A/PP⌉ of the A attention and ⌈M/PP⌉ of the M Mamba layers"
                            : "a stage holds ⌈A/PP⌉ or ⌊A/PP⌋ of the A attention layers (spread over the depth) and "
                              "the rest of its L/PP layers Mamba"));
    }
    if (w.model.kv_lora_rank > 0) {
      out.push_back(
          "MLA: the compressed KV latent (and the shared RoPE key) is replicated on every TP rank; decode attends "
          "over it in the absorbed form (2·heads·(2·kv_lora_rank + rope) FLOPs per position and layer), prompts in "
          "the expanded per-head form");
    }
    const std::int64_t computed = i.context_len - cached;
    out.push_back(fmt::format(
        "activation workspace: one step of min({}, {}) = {} tokens + fp32 logits of the rows sampled per "
        "step (the planned batch; a micro-batch's ⌈B/PP⌉ with PP), counted in the most requests that fit",
        lim.step_tokens,
        computed == i.context_len ? std::string("context")
                                  : fmt::format("the {} prompt tokens after the cached prefix", computed),
        std::min(lim.step_tokens, std::max<std::int64_t>(computed, 1))));
  }
  return out;
}

namespace {

json header(const std::string& kind, const Workload& w, const PlanContext& ctx) {
  json j;
  j["schema"] = kPlanSchema;
  j["schema_version"] = fmt::format("{}.{}", kPlanMajor, kPlanMinor);
  j["kind"] = kind;
  j["created_at"] = core::utc_now_iso8601();
  j["command_line"] = ctx.command_line;
  j["workload"] = {{"name", w.name}, {"phase", to_string(w.phase)}};
  j["profile"] = {{"id", ctx.profile_id}, {"name", ctx.profile_name}, {"source", ctx.profile_source}};
  j["rates"] = {{"memory_bytes", ctx.rates.memory_bytes},
                {"peak_flop_per_s", ctx.rates.peak_flop_per_s},
                {"gemm_flop_per_s", ctx.rates.gemm_flop_per_s},
                {"higher_precision_gemm_flop_per_s", ctx.rates.higher_precision_gemm_flop_per_s},
                {"memory_bytes_per_s", ctx.rates.memory_bytes_per_s},
                {"intra_node_bus_bytes_per_s", ctx.rates.intra_bus_bytes_per_s},
                {"nvlink_domain_gpus", ctx.rates.nvlink_domain_gpus > 0 ? json(ctx.rates.nvlink_domain_gpus) : json(nullptr)},
                {"inter_node_bus_bytes_per_s", ctx.rates.inter_bus_bytes_per_s},
                {"gpus_per_node", ctx.rates.gpus_per_node},
                {"tdp_w", ctx.rates.tdp_w > 0 ? json(ctx.rates.tdp_w) : json(nullptr)}};
  return j;
}

json model_json(const ModelConfig& m, const ParamCounts& pc) {
  return {{"id", m.id},
          {"name", m.name},
          {"num_layers", m.num_layers},
          {"hidden_size", m.hidden_size},
          {"num_heads", m.num_heads},
          {"num_kv_heads", m.num_kv_heads},
          {"head_dim", m.head_dim},
          {"ffn_hidden_size", m.ffn_hidden_size},
          {"vocab_size", m.vocab_size},
          {"params",
           {{"total", pc.total},
            {"active", pc.active},
            {"embedding", pc.embedding},
            {"output", pc.output},
            {"non_embedding", pc.non_embedding},
            {"per_layer", pc.per_layer}}}};
}

json par_json(const Parallelism& p) {
  return {{"tp", p.tp},
          {"pp", p.pp},
          {"dp", p.dp},
          {"cp", p.cp},
          {"ep", p.ep},
          {"vpp", p.vpp},
          {"sequence_parallel", p.sequence_parallel},
          {"first_stage_layers", p.first_stage_layers},
          {"last_stage_layers", p.last_stage_layers},
          {"rank_order", to_string(p.rank_order)}};
}

json train_settings_json(const TrainSettings& t) {
  json j = {{"global_batch", t.global_batch},
          {"micro_batch", t.micro_batch},
          {"seq_len", t.seq_len},
          {"tokens", t.tokens},
          {"zero_stage", t.zero_stage},
          {"recompute", to_string(t.recompute)},
          {"flash_attention", t.flash_attention},
          {"precision", to_string(t.precision)},
          {"grad_bytes", t.grad_bytes},
          {"optimizer", to_string(t.optimizer)},
          {"offload", to_string(t.offload)},
          {"dp_comm_overlap", t.dp_comm_overlap},
          {"tp_comm_overlap", t.tp_comm_overlap}};
  // In the workload's own form, so that a plan's train block reads back as a workload.
  if (t.adapter.enabled()) {
    j["adapter"] = {{"method", to_string(t.adapter.method)},
                    {"rank", t.adapter.rank},
                    {"targets", adapter_target_names(t.adapter.targets)}};
  }
  const ResilienceSettings& rs = t.resilience;
  if (rs.checkpoints()) {
    json ck = {{"mode", to_string(rs.checkpoint_mode)}};
    if (rs.checkpoint_every_s > 0) ck["every_s"] = rs.checkpoint_every_s;
    if (rs.checkpoint_write_bytes_per_s > 0) ck["write_bytes_per_s"] = rs.checkpoint_write_bytes_per_s;
    if (rs.checkpoint_read_bytes_per_s > 0) ck["read_bytes_per_s"] = rs.checkpoint_read_bytes_per_s;
    j["checkpoint"] = std::move(ck);
  }
  if (rs.failures()) j["failures"] = {{"mtbf_s", rs.mtbf_s}, {"restart_s", rs.restart_s}};
  return j;
}

/// plan.json's `summary`: summarize()'s figures, null where it has none (0: no token budget, no TDP,
/// an inference plan's training figures, or a plan that does not fit or serve; result keeps the
/// what-if).
json summary_json(const PlanSummary& s) {
  const auto known = [](double v) { return v > 0 ? num(v) : json(nullptr); };
  return {{"gpu_hours", known(s.gpu_hours)},
          {"energy_kwh", known(s.energy_kwh)},
          {"tokens_per_s_per_gpu", known(s.tokens_per_s_per_gpu)},
          {"gpus", s.gpus}};
}

/// result.checkpoints: CheckpointCost and the run's checkpoint and failure totals (null without a
/// token budget; failures null without an MTBF).
json checkpoints_json(const TrainResult& r, const Rates& rates) {
  const CheckpointCost& c = r.checkpoint;
  const RunTime& run = r.time.run;
  const bool have_run = r.time.steps > 0;
  const auto share = [&](double s) { return have_run && run.time_s > 0 ? num(s / run.time_s) : json(nullptr); };
  json j = {{"mode", to_string(c.mode)},
            {"trained_elements", c.trained_elements},
            {"bytes_per_element", c.bytes_per_element},
            {"bytes", c.bytes},
            {"nodes", c.nodes},
            {"shard_bytes_per_gpu", c.shard_bytes_per_gpu},
            {"write_bytes_per_s_per_node", c.write_bytes_per_s},
            {"write_source", rates.checkpoint_write_source},
            {"write_s", num(c.write_s)},
            {"copy_s", c.mode == CheckpointMode::kAsync ? num(c.copy_s) : json(nullptr)},
            {"copy_source", c.mode == CheckpointMode::kAsync ? json(rates.host_link_source) : json(nullptr)},
            {"stall_s", num(c.stall_s)},
            {"write_within_interval", c.write_within_interval},
            {"interval_s", num(c.interval_s)},
            {"interval_from_young", c.interval_from_young},
            {"young_interval_s", c.mtbf_s > 0 ? num(c.young_interval_s) : json(nullptr)},
            {"productive_s", have_run ? num(run.productive_s) : json(nullptr)},
            {"count", have_run ? num(run.checkpoints) : json(nullptr)},
            {"overhead_s", have_run ? num(run.checkpoint_s) : json(nullptr)},
            {"overhead_share_of_wall", share(run.checkpoint_s)}};
  if (c.mtbf_s > 0) {
    j["failures"] = {{"mtbf_s", c.mtbf_s},
                     {"restart_s", c.restart_s},
                     {"read_bytes_per_s_per_node", c.read_bytes_per_s},
                     {"read_source", rates.storage_read_source},
                     {"load_bytes", c.load_bytes},
                     {"load_s", num(c.load_s)},
                     {"lost_work_s", num(c.lost_work_s)},
                     {"cost_per_failure_s", num(c.cost_per_failure_s)},
                     {"expected", have_run ? num(run.expected_failures) : json(nullptr)},
                     {"overhead_s", have_run ? num(run.failure_s) : json(nullptr)},
                     {"overhead_share_of_wall", share(run.failure_s)}};
  } else {
    j["failures"] = nullptr;
  }
  return j;
}

json train_result_json(const TrainResult& r, const Rates& rates) {
  const double tdp_w = rates.tdp_w;
  const TrainMemory& m = r.memory;
  const TrainTime& t = r.time;
  json j;
  j["gpus"] = r.gpus;
  j["memory_per_gpu"] = {{"stage", m.stage},
                         {"stage_layers", m.stage_layers},
                         {"params_on_gpu", m.params_on_gpu},
                         {"trainable_params_on_gpu", m.trainable_params_on_gpu},
                         {"weights_bytes", m.weights_bytes},
                         {"gradients_bytes", m.gradients_bytes},
                         {"master_weights_bytes", m.master_bytes},
                         {"optimizer_bytes", m.optimizer_bytes},
                         {"host_bytes", m.host_bytes},
                         {"host_bytes_per_node", m.host_bytes_per_node},
                         {"host_capacity_bytes", m.host_capacity_bytes > 0 ? json(m.host_capacity_bytes) : json(nullptr)},
                         {"host_fits", m.host_fits},
                         {"activations_bytes", m.activations_bytes},
                         {"activations_per_layer_bytes", m.activations_per_layer_bytes},
                         {"embedding_activations_bytes", m.embedding_activations_bytes},
                         {"overhead_bytes", m.overhead_bytes},
                         {"total_bytes", m.total_bytes},
                         {"capacity_bytes", m.capacity_bytes},
                         {"margin_bytes", m.margin_bytes},
                         {"fits", m.fits}};
  json stages = json::array();
  for (int i = 0; i < r.stage_count; ++i) {
    const StageMemory& sm = r.stages[static_cast<std::size_t>(i)];
    stages.push_back({{"stage", sm.stage}, {"layers", sm.layers}, {"total_bytes", sm.total_bytes}});
  }
  j["memory_by_stage"] = std::move(stages);
  j["step"] = {{"micro_batches", t.micro_batches},
               {"slowest_stage", t.slowest_stage},
               {"compute_s", num(t.compute_s)},
               {"elementwise_s", num(t.elementwise_s)},
               {"recompute_s", num(t.recompute_s)},
               {"tp_comm_exposed_s", num(t.tp_comm_s)},
               {"pp_comm_exposed_s", num(t.pp_comm_s)},
               {"cp_comm_exposed_s", num(t.cp_comm_s)},
               {"ep_comm_exposed_s", num(t.ep_comm_s)},
               {"dp_comm_exposed_s", num(t.dp_comm_s)},
               {"bubble_s", num(t.bubble_s)},
               {"optimizer_s", num(t.optimizer_s)},
               {"adapter_s", num(t.adapter_s)},
               {"dequant_s", num(t.dequant_s)},
               {"step_s", num(t.step_s)},
               {"tokens_per_step", t.tokens_per_step},
               {"model_flop_per_step", t.model_flop_per_step},
               {"hardware_flop_per_step", t.hardware_flop_per_step},
               {"executed_flop_per_step", t.executed_flop_per_step},
               {"gemm_flop_per_s",
                {{"linear", num(t.gemm_linear_flop_per_s)},
                 {"attention_core", num(t.gemm_attention_flop_per_s)},
                 {"output_layer", num(t.gemm_output_flop_per_s)}}}};
  j["throughput"] = {{"mfu", num(t.mfu)},
                     {"hfu", num(t.hfu)},
                     {"achieved_flop_per_s_per_gpu", num(t.achieved_flop_per_s_per_gpu)},
                     {"executed_flop_per_s_per_gpu", num(t.executed_flop_per_s_per_gpu)},
                     {"tokens_per_s", num(t.tokens_per_s)},
                     {"tokens_per_s_per_gpu", num(t.tokens_per_s_per_gpu)}};
  const bool have_run = t.steps > 0;
  j["run"] = {{"steps", have_run ? num(t.steps) : json(nullptr)},
              {"time_to_train_s", have_run ? num(t.time_to_train_s) : json(nullptr)},
              {"time_to_train_days", have_run ? num(t.time_to_train_s / 86400.0) : json(nullptr)},
              {"gpu_hours", have_run ? num(t.gpu_hours) : json(nullptr)},
              {"energy_kwh", have_run && tdp_w > 0 ? num(t.energy_kwh) : json(nullptr)}};
  if (r.checkpoint.enabled) j["checkpoints"] = checkpoints_json(r, rates);
  return j;
}

std::string gib(double bytes) {
  return fmt::format("{:.2f} GiB", bytes / core::kGiB);
}

std::string assumptions_text(const Workload& w, const PlanContext& ctx) {
  std::string s = "\nAssumptions:\n";
  for (const auto& l : assumption_lines(w, ctx)) s += "  - " + l + "\n";
  return s;
}

std::string train_tables(const TrainResult& r) {
  const TrainMemory& m = r.memory;
  const TrainTime& t = r.time;
  std::string s;
  if (r.stage_count > 1) {
    const bool last = m.stage == r.stages[static_cast<std::size_t>(r.stage_count - 1)].stage;
    s += fmt::format("Memory per GPU (pipeline stage {}, the {}: {:g} layers{}; the one that needs the most)\n",
                     m.stage, m.stage == 0 ? "first" : last ? "last" : "middle one", m.stage_layers,
                     m.stage == 0 ? " + input embedding" : last ? " + output layer" : "");
    std::string others;
    for (int i = 0; i < r.stage_count; ++i) {
      const StageMemory& sm = r.stages[static_cast<std::size_t>(i)];
      if (sm.stage == m.stage) continue;
      others += fmt::format("{}stage {}: {}", others.empty() ? "" : ", ", sm.stage, gib(sm.total_bytes));
    }
    if (!others.empty()) s += fmt::format("  ({})\n", others);
  } else {
    s += "Memory per GPU\n";
  }
  s += fmt::format("  {:<28}{:>14}\n", "weights", gib(m.weights_bytes));
  s += fmt::format("  {:<28}{:>14}\n", "gradients", gib(m.gradients_bytes));
  s += fmt::format("  {:<28}{:>14}\n", "master weights (fp32)", gib(m.master_bytes));
  s += fmt::format("  {:<28}{:>14}\n", "optimizer states", gib(m.optimizer_bytes));
  s += fmt::format("  {:<28}{:>14}\n", "activations", gib(m.activations_bytes));
  s += fmt::format("  {:<28}{:>14}\n", "runtime overhead", gib(m.overhead_bytes));
  s += fmt::format("  {:<28}{:>14}\n", "total", gib(m.total_bytes));
  s += fmt::format("  {:<28}{:>14}\n", "capacity", gib(m.capacity_bytes));
  s += fmt::format("  {:<28}{:>14}   {}\n", "margin", gib(m.margin_bytes), m.margin_bytes >= 0 ? "FITS" : "DOES NOT FIT");
  if (m.host_bytes > 0) {
    s += fmt::format("  {:<28}{:>14}   (fp32 weights, optimizer states, fp32 gradients{} of a GPU's shard)\n",
                     "host memory, offloaded", gib(m.host_bytes),
                     m.gradients_bytes == 0 && r.time.micro_batches > 1 ? ", accumulation buffer" : "");
    s += m.host_capacity_bytes > 0
             ? fmt::format("  {:<28}{:>14}   of {} usable: {}\n", "host memory per node", gib(m.host_bytes_per_node),
                           gib(m.host_capacity_bytes), m.host_fits ? "FITS" : "DOES NOT FIT")
             : fmt::format("  {:<28}{:>14}   (the node's capacity is unknown: not checked)\n", "host memory per node",
                           gib(m.host_bytes_per_node));
  }
  s += r.stage_count > 1 ? fmt::format("\nStep time (the pace: pipeline stage {})\n", t.slowest_stage) : "\nStep time\n";
  const auto row = [&](const char* name, double v) {
    s += fmt::format("  {:<28}{:>14}{:>8.1f} %\n", name, core::format_seconds(v),
                     t.step_s > 0 ? 100.0 * v / t.step_s : 0.0);
  };
  row("GEMM + attention", t.compute_s);
  if (t.adapter_s > 0) row("  of which LoRA adapters", t.adapter_s);
  row("memory-bound kernels", t.elementwise_s);
  if (t.dequant_s > 0) row("  of which 4-bit dequant", t.dequant_s);
  row("recompute (in the two above)", t.recompute_s);
  row("TP communication", t.tp_comm_s);
  row("PP communication", t.pp_comm_s);
  if (t.cp_comm_s > 0) row("CP communication", t.cp_comm_s);
  if (t.ep_comm_s > 0) row("EP all-to-all", t.ep_comm_s);
  row("pipeline bubble", t.bubble_s);
  row("DP communication", t.dp_comm_s);
  row("optimizer", t.optimizer_s);
  row("step", t.step_s);
  s += fmt::format("\n  {:<28}{:>14.1f} %\n", "MFU", 100.0 * t.mfu);
  s += fmt::format("  {:<28}{:>14.1f} %\n", "HFU", 100.0 * t.hfu);
  s += fmt::format("  {:<28}{:>14}   (Megatron count: full s² attention)\n", "achieved per GPU",
                   core::format_rate(t.achieved_flop_per_s_per_gpu, "FLOP/s"));
  if (t.executed_flop_per_step < t.hardware_flop_per_step) {
    s += fmt::format("  {:<28}{:>14}   (masked attention blocks skipped, fused backward's QKᵀ recompute added)\n",
                     "executed per GPU", core::format_rate(t.executed_flop_per_s_per_gpu, "FLOP/s"));
  }
  if (t.mfu > 1.0 || t.hfu > 1.0) {
    s += "  MFU / HFU above 100 %: they count the full s² attention (Megatron / PaLM convention), of which a\n"
         "  causal fused kernel executes about half; at this sequence length attention dominates. The executed\n"
         "  rate above is what the GPU does.\n";
  }
  s += fmt::format("  {:<28}{:>14}   attention core {}, output layer {}\n", "GEMM rate, linear layers",
                   core::format_rate(t.gemm_linear_flop_per_s, "FLOP/s"),
                   core::format_rate(t.gemm_attention_flop_per_s, "FLOP/s"),
                   core::format_rate(t.gemm_output_flop_per_s, "FLOP/s"));
  s += fmt::format("  {:<28}{:>14.0f}\n", "tokens/s per GPU", t.tokens_per_s_per_gpu);
  if (t.steps > 0) {
    s += fmt::format("  {:<28}{:>14.0f}\n", "steps", t.steps);
    s += fmt::format("  {:<28}{:>14.1f} days\n", "time to train", t.time_to_train_s / 86400.0);
    s += fmt::format("  {:<28}{:>14.0f}\n", "GPU-hours", t.gpu_hours);
    if (t.energy_kwh > 0) s += fmt::format("  {:<28}{:>14.0f} kWh\n", "GPU energy", t.energy_kwh);
  }
  return s;
}

/// A checkpoint-scale duration: seconds below 2 minutes, minutes below 2 hours, hours above.
std::string duration_text(double s) {
  if (s < 120.0) return fmt::format("{:.3g} s", s);
  if (s < 7200.0) return fmt::format("{:.3g} min", s / 60.0);
  return fmt::format("{:.3g} h", s / 3600.0);
}

/// The "Checkpoints and failures" block of a training plan (empty when neither is modelled).
std::string checkpoint_tables(const TrainResult& r) {
  const CheckpointCost& c = r.checkpoint;
  if (!c.enabled) return "";
  const RunTime& run = r.time.run;
  const bool have_run = r.time.steps > 0;
  const bool async = c.mode == CheckpointMode::kAsync;
  const auto pct = [&](double v) { return run.time_s > 0 ? 100.0 * v / run.time_s : 0.0; };
  std::string s = "\nCheckpoints and failures\n";
  s += fmt::format("  {:<28}{:>14}   ({:g} B × {:.4g} B trained elements)\n", "checkpoint size",
                   fmt::format("{:.1f} GB", c.bytes / 1e9), c.bytes_per_element, c.trained_elements / 1e9);
  s += fmt::format("  {:<28}{:>14}   ({:g} node{} × {:.3g} GB/s in parallel)\n", "write", duration_text(c.write_s),
                   c.nodes, c.nodes == 1 ? "" : "s", c.write_bytes_per_s / 1e9);
  s += async ? fmt::format("  {:<28}{:>14}   (async: copy of {:.3g} GB per GPU to host memory{})\n",
                           "stall per checkpoint", duration_text(c.stall_s), c.shard_bytes_per_gpu / 1e9,
                           c.write_within_interval ? "" : " + the write's overrun")
             : fmt::format("  {:<28}{:>14}   (sync: the write)\n", "stall per checkpoint", duration_text(c.stall_s));
  if (c.interval_s > 0) {
    s += fmt::format("  {:<28}{:>14}   ({})\n", "interval", duration_text(c.interval_s),
                     c.interval_raised_to_write
                         ? fmt::format("Young's {} raised to the write time", duration_text(c.young_interval_s))
                     : c.interval_from_young ? std::string("Young's optimum: not given, chosen")
                     : c.mtbf_s > 0          ? fmt::format("Young's optimum: {}", duration_text(c.young_interval_s))
                                             : std::string("given"));
  }
  if (!c.write_within_interval) {
    s += fmt::format(
        "  WARNING: the background write ({}) does not finish within the interval ({}): training "
        "waits {} more at each checkpoint\n",
        duration_text(c.write_s), duration_text(c.interval_s), duration_text(c.write_s - c.interval_s));
  }
  if (have_run) {
    s += fmt::format("  {:<28}{:>14.0f}\n", "checkpoints", run.checkpoints);
    s += fmt::format("  {:<28}{:>14}{:>8.2f} % of wall time\n", "checkpoint overhead",
                     fmt::format("{:.2f} h", run.checkpoint_s / 3600.0), pct(run.checkpoint_s));
  }
  if (c.mtbf_s > 0) {
    s += fmt::format("  {:<28}{:>14}   (lost work {} + restart {} + load {})\n", "cost per failure",
                     duration_text(c.cost_per_failure_s), duration_text(c.lost_work_s), duration_text(c.restart_s),
                     duration_text(c.load_s));
    if (have_run) {
      s += fmt::format("  {:<28}{:>14.1f}   (MTBF {:.3g} h)\n", "expected failures", run.expected_failures,
                       c.mtbf_s / 3600.0);
      s += fmt::format("  {:<28}{:>14}{:>8.2f} % of wall time\n", "failure overhead",
                       fmt::format("{:.2f} h", run.failure_s / 3600.0), pct(run.failure_s));
    }
  }
  return s;
}

std::string par_text(const Parallelism& p, const TrainSettings& t) {
  return fmt::format("{}{}, micro-batch {}, recompute {}, ZeRO {}{}", layout_text(p), p.sequence_parallel ? " + SP" : "",
                     t.micro_batch, to_string(t.recompute), t.zero_stage,
                     p.rank_order == RankOrder::kDataOuter ? ", ranks tp-cp-ep-pp-dp (DP outermost)" : "");
}

}  // namespace

std::string train_plan_to_json(const Workload& w, const ParamCounts& pc, const TrainResult& r, const PlanContext& ctx,
                               int indent) {
  json j = header("train", w, ctx);
  j["model"] = model_json(w.model, pc);
  j["parallelism"] = par_json(w.par);
  j["train"] = train_settings_json(w.train);
  j["result"] = train_result_json(r, ctx.rates);
  j["summary"] = summary_json(summarize(r));
  j["assumptions"] = assumption_lines(w, ctx);
  return j.dump(indent);
}

std::string infer_plan_to_json(const Workload& w, const ParamCounts& pc, const InferResult& r,
                               const std::vector<BatchPoint>& sweep, const PlanContext& ctx, int indent) {
  json j = header("infer", w, ctx);
  j["model"] = model_json(w.model, pc);
  j["parallelism"] = par_json(w.par);
  const InferSettings& i = w.infer;
  j["infer"] = {{"context_len", i.context_len},
                {"output_len", i.output_len},
                {"batch", i.batch},
                {"qps", i.qps},
                {"tpot_slo_s", i.tpot_slo_s},
                {"ttft_slo_s", i.ttft_slo_s},
                {"weight_precision", to_string(i.weight_precision)},
                {"quantized_weights", i.quantize_experts_only ? "experts" : "linear"},
                {"kv_block_tokens", i.kv_block_tokens},
                {"shared_prefix_tokens", i.shared_prefix_tokens},
                {"kv_precision", to_string(i.kv_precision)},
                {"compute_precision", to_string(i.compute_precision)},
                {"gpu_memory_utilization", i.gpu_memory_utilization},
                {"sliding_window_full_pages", i.sliding_window_full_pages},
                // The engine limits as used (vLLM's defaults resolved for this GPU).
                {"prefill_chunk_tokens", r.time.limits.step_tokens},
                {"max_num_seqs", r.time.limits.max_seqs},
                {"max_utilisation", i.max_utilisation}};
  // The infer block reads back as a workload's: the group size only where the format has groups.
  if (default_weight_group(i.weight_precision) > 0) {
    j["infer"]["weight_group_size"] =
        i.weight_group_size > 0 ? i.weight_group_size : default_weight_group(i.weight_precision);
  }
  const InferMemory& m = r.memory;
  const InferTime& t = r.time;
  const auto point = [](const RooflinePoint& p) {
    return json{{"flop", p.flop},
                {"bytes", p.bytes},
                {"intensity_flop_per_byte", p.intensity_flop_per_byte},
                {"attainable_flop_per_s", p.attainable_flop_per_s},
                {"time_s", p.time_s},
                {"memory_bound", p.memory_bound}};
  };
  j["result"] = {{"gpus_per_replica", r.gpus_per_replica},
                 {"memory_per_gpu",
                  {{"weights_bytes", m.weights_bytes},
                   {"weight_bytes_per_element", weight_bytes_per_element(i.weight_precision, i.weight_group_size)},
                   {"kv_bytes_per_token", m.kv_bytes_per_token},
                   {"kv_bytes_per_token_model", m.kv_bytes_per_token_model},
                   {"state_bytes_per_request", m.state_bytes_per_request},
                   {"window_kv_bytes_per_request", m.window_kv_bytes_per_request},
                   {"replicated_weight_bytes", m.replicated_weight_bytes},
                   {"shared_prefix_tokens", m.shared_prefix_tokens},
                   {"shared_prefix_kv_bytes", m.shared_prefix_kv_bytes},
                   {"workspace_bytes", m.workspace_bytes},
                   {"overhead_bytes", m.overhead_bytes},
                   {"budget_bytes", m.budget_bytes},
                   {"kv_budget_bytes", m.kv_budget_bytes},
                   {"max_kv_tokens", m.max_kv_tokens},
                   {"max_concurrent_requests", m.max_concurrent_requests},
                   {"total_bytes", m.total_bytes},
                   {"capacity_bytes", m.capacity_bytes},
                   {"fits", m.fits}}},
                 {"time",
                  {{"batch", t.batch},
                   {"micro_batch", t.micro_batch},
                   {"ttft_s", num(t.ttft_s)},
                   {"ttft_under_load_s", num(t.ttft_under_load_s)},
                   {"tpot_s", num(t.tpot_s)},
                   {"max_batch", t.max_batch},
                   {"budget_batch", t.budget_batch},
                   {"max_num_seqs", t.limits.max_seqs},
                   {"step_tokens", t.limits.step_tokens},
                   {"prompt_chunk_tokens", t.prompt_chunk_tokens},
                   {"prompt_steps", t.prompt_steps},
                   {"decode_step_s", num(t.decode_step_s)},
                   {"prompt_step_share", num(t.prompt_step_share)},
                   {"prompt_step_s", num(t.prompt_step_s)},
                   {"tokens_per_s", num(t.tokens_per_s)},
                   {"tokens_per_s_per_gpu", num(t.tokens_per_s_per_gpu)},
                   {"requests_per_s", num(t.requests_per_s)},
                   {"replicas_for_qps", t.replicas_for_qps > 0 ? num(t.replicas_for_qps) : json(nullptr)},
                   {"gpus_for_qps", t.gpus_for_qps > 0 ? num(t.gpus_for_qps) : json(nullptr)},
                   {"utilisation", t.replicas_for_qps > 0 ? num(t.utilisation) : json(nullptr)},
                   {"fleet_replicas", t.fleet_replicas > 0 ? num(t.fleet_replicas) : json(nullptr)},
                   {"fleet_requests_per_s", t.fleet_replicas > 0 ? num(t.fleet_requests_per_s) : json(nullptr)},
                   {"meets_slo", t.meets_slo}}},
                 {"roofline",
                  {{"ridge_flop_per_byte", ctx.rates.gemm_flop_per_s / ctx.rates.memory_bytes_per_s},
                   {"prefill", point(t.prefill)},
                   {"decode", point(t.decode)},
                   {"step", point(t.step)}}}};
  json points = json::array();
  for (const BatchPoint& b : sweep) {
    points.push_back({{"batch", b.batch},
                     {"ttft_s", num(b.ttft_s)},
                     {"ttft_under_load_s", num(b.ttft_under_load_s)},
                     {"tpot_s", num(b.tpot_s)},
                     {"tokens_per_s_per_gpu", num(b.tokens_per_s_per_gpu)},
                     {"decode_memory_bound", b.decode_memory_bound},
                     {"meets_slo", b.meets_slo}});
  }
  j["result"]["batch_sweep"] = points;
  const ColdStart cs = cold_start(r, ctx.rates);
  j["result"]["cold_start"] = {
      {"weights_bytes_per_node", cs.bytes_per_node},
      {"read_bytes_per_s_per_node", cs.read_bytes_per_s > 0 ? json(cs.read_bytes_per_s) : json(nullptr)},
      {"read_source", cs.read_bytes_per_s > 0 ? json(ctx.rates.storage_read_source) : json(nullptr)},
      {"time_s", cs.time_s > 0 ? num(cs.time_s) : json(nullptr)}};
  j["summary"] = summary_json(summarize(r));
  j["assumptions"] = assumption_lines(w, ctx);
  return j.dump(indent);
}

std::string search_plan_to_json(const Workload& w, const ParamCounts& pc, const SearchResult& r, const PlanContext& ctx,
                                int indent) {
  json j = header("search", w, ctx);
  j["model"] = model_json(w.model, pc);
  j["evaluated"] = r.evaluated;
  j["fitting"] = r.fitting;
  json cands = json::array();
  for (const auto& c : r.best) {
    cands.push_back({{"parallelism", par_json(c.workload.par)},
                     {"train", train_settings_json(c.workload.train)},
                     {"result", train_result_json(c.result, ctx.rates)}});
  }
  j["candidates"] = cands;
  const WinnerExplanation e = explain_winner(r);
  if (e.available) {
    json terms = json::array();
    for (const auto& t : e.terms) {
      terms.push_back(
          {{"term", t.name}, {"winner_s", t.winner_s}, {"runner_up_s", t.runner_up_s}, {"saved_s", t.saved_s}});
    }
    j["explanation"] = {{"summary", e.summary},
                        {"differences", e.differences},
                        {"terms", terms},
                        {"binding", e.binding.empty() ? json(nullptr) : json(e.binding)}};
  } else if (!e.binding.empty()) {
    // No runner-up to compare (none or one fits), but memory binds: the text's "Binding constraint".
    j["explanation"] = {{"summary", nullptr}, {"differences", json::array()}, {"terms", json::array()},
                        {"binding", e.binding}};
  } else {
    j["explanation"] = nullptr;
  }
  // The winner's summary, as a plan of it would have (nulls when nothing fits).
  j["summary"] = summary_json(r.best.empty() ? PlanSummary{0.0, 0.0, 0.0, w.gpus} : summarize(r.best.front().result));
  j["assumptions"] = r.best.empty() ? assumption_lines(w, ctx) : assumption_lines(r.best.front().workload, ctx);
  return j.dump(indent);
}

std::string train_plan_table(const Workload& w, const ParamCounts& pc, const TrainResult& r, const PlanContext& ctx) {
  std::string s = fmt::format("Training plan: {} ({:.3f} B parameters) on {} × {}\n", w.model.name, pc.total / 1e9,
                              r.gpus, ctx.profile_name);
  s += fmt::format("  {}\n  global batch {} × {} tokens\n\n", par_text(w.par, w.train), w.train.global_batch,
                   w.train.seq_len);
  s += train_tables(r);
  s += checkpoint_tables(r);
  return s + assumptions_text(w, ctx);
}

std::string infer_plan_table(const Workload& w, const ParamCounts& pc, const InferResult& r,
                             const std::vector<BatchPoint>& sweep, const PlanContext& ctx) {
  const InferMemory& m = r.memory;
  const InferTime& t = r.time;
  std::string s = fmt::format("Inference plan: {} ({:.3f} B parameters) on {} × {} (TP {} · PP {})\n", w.model.name,
                              pc.total / 1e9, r.gpus_per_replica, ctx.profile_name, w.par.tp, w.par.pp);
  s += fmt::format("  context {} + output {} tokens\n\nMemory per GPU\n", w.infer.context_len, w.infer.output_len);
  s += fmt::format("  {:<30}{:>14}\n", "weights", gib(m.weights_bytes));
  s += fmt::format("  {:<30}{:>14}\n", "workspace", gib(m.workspace_bytes));
  s += fmt::format("  {:<30}{:>14}\n", "runtime overhead", gib(m.overhead_bytes));
  s += fmt::format("  {:<30}{:>14}\n", "KV budget", gib(m.kv_budget_bytes));
  s += fmt::format("  {:<30}{:>14.0f} B\n", "KV per token (this GPU)", m.kv_bytes_per_token);
  s += fmt::format("  {:<30}{:>14.0f}{}\n", "KV tokens that fit", m.max_kv_tokens,
                   m.state_bytes_per_request > 0 ? "   (the KV budget alone; each request also holds its state)" : "");
  if (m.window_kv_bytes_per_request > 0) {
    // With window pages the sliding-window layers' KV is per request, not per token of the context.
    s += fmt::format(
        "  {:<30}{:>14}   (sliding-window layers, at most {} tokens each; the line above is the "
        "full-attention layers')\n",
        "window KV per request", gib(m.window_kv_bytes_per_request), w.model.sliding_window);
  }
  if (m.state_bytes_per_request > 0) {
    s += fmt::format("  {:<30}{:>14}   ({} Mamba layers' conv + SSM state, any length)\n", "state per request",
                     gib(m.state_bytes_per_request), w.model.mamba_layers);
  }
  if (m.shared_prefix_tokens > 0) {
    s += fmt::format("  {:<30}{:>14}   ({:.0f} tokens, held once)\n", "shared prefix KV", gib(m.shared_prefix_kv_bytes),
                     m.shared_prefix_tokens);
  }
  s += fmt::format("  {:<30}{:>14.0f}   {}\n", "concurrent requests", m.max_concurrent_requests,
                   m.fits ? "FITS" : "DOES NOT FIT");
  s += fmt::format("  {:<30}{:>14}   ({} tokens per step; {})\n", "engine max_num_seqs", t.limits.max_seqs,
                   t.limits.step_tokens,
                   t.limits.max_seqs_default && t.limits.step_tokens_default ? "vLLM's defaults for this GPU"
                   : t.limits.max_seqs_default    ? "max_num_seqs vLLM's default for this GPU, step budget as given"
                   : t.limits.step_tokens_default ? "max_num_seqs as given, step budget vLLM's default for this GPU"
                                                  : "as given");
  s += fmt::format(
      "  {:<30}{:>14.0f}   (the least of: {:.0f} fit, max_num_seqs {}, {:.0f} the step budget sustains "
      "with this prompt / output mix)\n",
      "largest running batch", t.max_batch, m.max_concurrent_requests, t.limits.max_seqs, t.budget_batch);
  s += fmt::format("\nThroughput at batch {:.0f}\n", t.batch);
  s += fmt::format("  {:<30}{:>14}   ({})\n", "TTFT under load", core::format_seconds(t.ttft_under_load_s),
                   t.prompt_step_share >= 1.0
                       ? std::string("prompts in every step with the batch's decode")
                       : fmt::format("{:.0f} step{} of up to {:.0f} prompt tokens with the batch's decode",
                                     t.prompt_steps, t.prompt_steps == 1 ? "" : "s", t.prompt_chunk_tokens));
  s += fmt::format("  {:<30}{:>14}{}\n", "  prompt alone", core::format_seconds(t.ttft_s),
                   t.prefill.memory_bound ? "  (memory-bound)" : "  (compute-bound)");
  s += fmt::format("  {:<30}{:>14}   (the mean step)\n", "TPOT (steady state)", core::format_seconds(t.tpot_s));
  s += fmt::format("  {:<30}{:>14}{}\n", "  decode step alone", core::format_seconds(t.decode_step_s),
                   t.decode.memory_bound ? "  (memory-bound)" : "  (compute-bound)");
  s += fmt::format("  {:<30}{:>14}{}, {:.3g} % of the steps\n", "  step with prompt tokens",
                   core::format_seconds(t.prompt_step_s), t.step.memory_bound ? "  (memory-bound)" : "  (compute-bound)",
                   100.0 * t.prompt_step_share);
  s += fmt::format("  {:<30}{:>14.0f}\n", "output tokens/s per replica", t.tokens_per_s);
  s += fmt::format("  {:<30}{:>14.0f}\n", "output tokens/s per GPU", t.tokens_per_s_per_gpu);
  s += fmt::format("  {:<30}{:>14.2f}\n", "requests/s per replica", t.requests_per_s);
  // Capacity only from a plan that can serve (evaluate_infer leaves it 0 otherwise): say why not.
  const char* unservable = !r.memory.fits ? "   (does not fit)" : !t.meets_slo ? "   (SLO missed at every batch)" : "";
  if (w.infer.qps > 0) {
    s += t.gpus_for_qps > 0 ? fmt::format("  {:<30}{:>14.0f}   ({:.0f} replicas for {:g} requests/s, each at "
                                          "{:.1f} % load; at most {:g} %)\n",
                                          "GPUs for the QPS", t.gpus_for_qps, t.replicas_for_qps, w.infer.qps,
                                          100.0 * t.utilisation, 100.0 * w.infer.max_utilisation)
                            : fmt::format("  {:<30}{:>14}{}\n", "GPUs for the QPS", "-", unservable);
  }
  if (w.gpus > r.gpus_per_replica) {
    s += t.fleet_replicas > 0
             ? fmt::format("  {:<30}{:>14.2f}   ({:.0f} replicas of {}{})\n", fmt::format("requests/s on {} GPUs", w.gpus),
                           t.fleet_requests_per_s, t.fleet_replicas, r.gpus_per_replica,
                           w.infer.qps > t.fleet_requests_per_s
                               ? fmt::format("; too few for {:g} requests/s: {:.0f} GPUs needed", w.infer.qps,
                                             t.gpus_for_qps)
                               : std::string())
             : fmt::format("  {:<30}{:>14}{}\n", fmt::format("requests/s on {} GPUs", w.gpus), "-", unservable);
  }
  if (w.infer.tpot_slo_s > 0 || w.infer.ttft_slo_s > 0)
    s += fmt::format("  {:<30}{:>14}\n", "meets SLO", t.meets_slo ? "yes" : "NO");
  s += fmt::format("  {:<30}{:>14.1f} FLOP/B (ridge {:.1f})\n", "decode intensity", t.decode.intensity_flop_per_byte,
                   ctx.rates.gemm_flop_per_s / ctx.rates.memory_bytes_per_s);
  const ColdStart cs = cold_start(r, ctx.rates);
  s += cs.time_s > 0 ? fmt::format(
                           "  {:<30}{:>14}   ({:.3g} GB of one replica's weights per node at {:.3g} GB/s; engine "
                           "start-up not counted; replicas sharing a node read theirs too unless the page cache "
                           "serves them)\n",
                           "cold start (weights load)", core::format_seconds(cs.time_s), cs.bytes_per_node / 1e9,
                           cs.read_bytes_per_s / 1e9)
                     : fmt::format(
                           "  {:<30}{:>14}   ({:.3g} GB of one replica's weights per node; the profile's "
                           "storage.read_bytes_per_s is null)\n",
                           "cold start (weights load)", "unknown", cs.bytes_per_node / 1e9);
  if (!sweep.empty()) {
    s += "\nLatency and throughput against the batch\n";
    s += fmt::format("  {:>8} {:>12} {:>12} {:>16}  {}\n", "batch", "TTFT (load)", "TPOT", "tok/s per GPU",
                     "decode alone");
    for (const BatchPoint& b : sweep) {
      s += fmt::format("  {:>8.0f} {:>12} {:>12} {:>16.0f}  {}{}\n", b.batch, core::format_seconds(b.ttft_under_load_s),
                       core::format_seconds(b.tpot_s), b.tokens_per_s_per_gpu,
                       b.decode_memory_bound ? "memory-bound" : "compute-bound",
                       (w.infer.tpot_slo_s > 0 || w.infer.ttft_slo_s > 0) && !b.meets_slo ? ", misses the SLO" : "");
    }
  }
  return s + assumptions_text(w, ctx);
}

std::string search_plan_table(const Workload& w, const ParamCounts& pc, const SearchResult& r, const PlanContext& ctx) {
  std::string s = fmt::format("Parallelism search: {} ({:.3f} B parameters), {} configurations evaluated, {} fit\n\n",
                              w.model.name, pc.total / 1e9, r.evaluated, r.fitting);
  s += fmt::format("  {:>3} {:>4} {:>4} {:>3} {:>3} {:>3} {:>5} {:>4} {:>3} {:>10} {:>6} {:>5} {:>10} {:>7} {:>11}\n",
                   "TP", "PP", "DP", "CP", "EP", "VPP", "SP", "MB", "Z", "recompute", "outer", "GiB", "step", "MFU %",
                   "tok/s/GPU");
  for (const auto& c : r.best) {
    const auto& p = c.workload.par;
    const auto& t = c.workload.train;
    s += fmt::format(
        "  {:>3} {:>4} {:>4} {:>3} {:>3} {:>3} {:>5} {:>4} {:>3} {:>10} {:>6} {:>5.1f} {:>10} {:>7.1f} {:>11.0f}\n",
        p.tp, p.pp, p.dp, p.cp, p.ep, p.vpp, p.sequence_parallel ? "yes" : "no", t.micro_batch, t.zero_stage,
        to_string(t.recompute), p.rank_order == RankOrder::kDataOuter ? "DP" : "PP",
        c.result.memory.total_bytes / core::kGiB, core::format_seconds(c.result.time.step_s),
        100.0 * c.result.time.mfu, c.result.time.tokens_per_s_per_gpu);
  }
  if (r.best.empty()) s += "  no configuration fits in memory\n";
  const WinnerExplanation e = explain_winner(r);
  if (!e.available && !e.binding.empty()) s += fmt::format("\nBinding constraint: {}.\n", e.binding);
  if (e.available) {
    s += fmt::format("\nWhy the winner: {}.\n", e.summary);
    for (const auto& t : e.terms) {
      if (t.saved_s == 0) continue;
      s += fmt::format("  {:<28}{:>12} vs {:>12}  ({:+.3g} s)\n", t.name, core::format_seconds(t.winner_s),
                       core::format_seconds(t.runner_up_s), -t.saved_s);
    }
  }
  if (!r.best.empty() && r.best.front().result.checkpoint.enabled) {
    const TrainTime& t = r.best.front().result.time;
    s += "\nRanked by time-to-train with checkpoints and failures";
    s += t.steps > 0 ? fmt::format(": the winner trains in {:.1f} days, {:.0f} GPU-hours\n",
                                   t.time_to_train_s / 86400.0, t.gpu_hours)
                     : std::string(" (no --tokens: by step time)\n");
    s += checkpoint_tables(r.best.front().result);
  }
  return s + assumptions_text(r.best.empty() ? w : r.best.front().workload, ctx);
}

namespace {
std::string ranking_text(const Workload& w) {
  return w.infer.qps > 0 ? "fewest GPUs for the QPS, then fewest GPUs per replica, then most output tokens/s per GPU"
                         : "most output tokens/s per GPU, then fewest GPUs per replica";
}
}  // namespace

std::string infer_search_to_json(const InferSearchResult& s, const ParamCounts& params, const InferResult& r,
                                 const std::vector<BatchPoint>& sweep, const PlanContext& ctx, int indent) {
  json j = json::parse(infer_plan_to_json(s.best, params, r, sweep, ctx, -1));
  json cands = json::array();
  for (const InferCandidate& c : s.candidates) {
    const InferTime& t = c.result.time;
    cands.push_back({{"tp", c.tp},
                     {"pp", c.pp},
                     {"gpus_per_replica", c.result.gpus_per_replica},
                     {"fits", c.result.memory.fits},
                     {"meets_slo", t.meets_slo},
                     {"batch", t.batch},
                     {"ttft_under_load_s", num(t.ttft_under_load_s)},
                     {"tpot_s", num(t.tpot_s)},
                     {"tokens_per_s_per_gpu", num(t.tokens_per_s_per_gpu)},
                     {"gpus_for_qps", t.gpus_for_qps > 0 ? num(t.gpus_for_qps) : json(nullptr)}});
  }
  j["search"] = {{"evaluated", s.candidates.size()},
                 {"usable", s.usable()},
                 {"ranking", ranking_text(s.best)},
                 {"candidates", std::move(cands)}};
  return j.dump(indent);
}

std::string infer_search_table(const InferSearchResult& s, const ParamCounts& params, const InferResult& r,
                               const std::vector<BatchPoint>& sweep, const PlanContext& ctx) {
  const bool qps = s.best.infer.qps > 0;
  std::string t = fmt::format("Replica layouts: {} evaluated, ranked by {} (usable: fits and meets the SLOs)\n\n",
                              s.candidates.size(), ranking_text(s.best));
  t += fmt::format("  {:>4} {:>4} {:>6} {:>7} {:>12} {:>10} {:>14} {:>10}  {}\n", "TP", "PP", "GPUs", "batch",
                   "TTFT (load)", "TPOT", "tok/s per GPU", qps ? "GPUs/QPS" : "", "");
  const std::size_t shown = std::min<std::size_t>(s.candidates.size(), 12);
  for (std::size_t i = 0; i < shown; ++i) {
    const InferCandidate& c = s.candidates[i];
    const InferTime& x = c.result.time;
    const bool fits = c.result.memory.fits;
    t += fmt::format("  {:>4} {:>4} {:>6} {:>7.0f} {:>12} {:>10} {:>14} {:>10}  {}\n", c.tp, c.pp,
                     c.result.gpus_per_replica, x.batch, core::format_seconds(x.ttft_under_load_s),
                     core::format_seconds(x.tpot_s), fits ? fmt::format("{:.0f}", x.tokens_per_s_per_gpu) : "-",
                     x.gpus_for_qps > 0 ? fmt::format("{:.0f}", x.gpus_for_qps) : std::string(qps ? "-" : ""),
                     !c.result.memory.fits ? "does not fit" : !x.meets_slo ? "misses the SLO" : "");
  }
  if (shown < s.candidates.size()) t += fmt::format("  ({} more in --json)\n", s.candidates.size() - shown);
  if (s.candidates.empty() || !s.candidates.front().usable) {
    t += "\nNo layout fits and meets the SLOs; the plan below is the best of those that do not.\n";
  }
  t += "\n";
  return t + infer_plan_table(s.best, params, r, sweep, ctx);
}

}  // namespace headroom::plan
