#pragma once
/// workload.json, schema "headroom.workload" 1.x: what to plan. A model (by catalog name or
/// inline), the phase (train / infer), precision, batch and sequence, parallelism and memory
/// techniques; for inference the context, output length, QPS and latency SLO.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "headroom/plan/adapter.hpp"
#include "headroom/plan/model.hpp"
#include "headroom/plan/profile.hpp"

namespace headroom::plan {

inline constexpr const char* kWorkloadSchema = "headroom.workload";
inline constexpr int kWorkloadMajor = 1;

// Sanity limits of a workload (beyond them a value is a typo, not a plan), shared with the flags
// that set the same fields so that both refuse the same values before any arithmetic on them.
inline constexpr std::int64_t kWorkloadMaxGpus = 1'000'000;
inline constexpr std::int64_t kWorkloadMaxTokens = std::int64_t{1} << 24;  // a sequence, context or output
inline constexpr std::int64_t kWorkloadMaxBatch = std::int64_t{1} << 26;
// Checkpoint storage per node: 1 MB/s (below it a checkpoint of a small model takes hours: a unit
// slip; 1e-300 printed a 300-digit time to train) to 100 TB/s (the profile's limit on a link).
inline constexpr double kWorkloadMinStorageBytesPerS = 1e6;
inline constexpr double kWorkloadMaxStorageBytesPerS = 1e14;

enum class Phase { kTrain, kInfer };
enum class Recompute { kNone, kSelective, kFull };
std::string to_string(Phase p);
std::string to_string(Recompute r);
Recompute recompute_from_string(const std::string& s);  ///< "none" | "selective" | "full"

/// What the optimizer keeps per trained element besides the fp32 master weight. Adam (AdamW): two fp32
/// moments. adam-bf16: the moments in bf16 (DeepSeek-V3 §3.3.2; Megatron-Core's precision-aware
/// optimizer, --exp-avg-dtype / --exp-avg-sq-dtype bf16). adam-8bit: bitsandbytes' block-wise 8-bit
/// moments (Dettmers et al., arXiv 2110.02861), one byte each plus an fp32 absmax per 256-element block
/// and moment. lion: one fp32 momentum (Chen et al., arXiv 2302.06675).
enum class Optimizer { kAdam, kAdamBf16, kAdam8bit, kLion };
std::string to_string(Optimizer o);
/// "adam" | "adam-bf16" | "adam-8bit" | "lion"; "adamw", "adamw-bf16", "adamw-8bit" name the same states.
Optimizer optimizer_from_string(const std::string& s);
/// Where the optimizer lives. optimizer: ZeRO-Offload (Ren et al. 2021, arXiv 2101.06840; DeepSpeed
/// offload_optimizer device cpu): fp32 master weights, optimizer states and the update on the host; the
/// gradients go down over PCIe as backward produces them, the updated weights come back up.
enum class Offload { kNone, kOptimizer };
std::string to_string(Offload o);
Offload offload_from_string(const std::string& s);  ///< "none" | "optimizer"

/// The names to_string gives, in the order above (GUI choices).
inline constexpr const char* kOptimizerNames[] = {"adam", "adam-bf16", "adam-8bit", "lion"};
/// Bytes of optimizer state per trained element, the fp32 master weight not included.
double optimizer_state_bytes(Optimizer o) noexcept;
/// Elements per block of bitsandbytes' block-wise 8-bit optimizer states (one fp32 absmax each).
inline constexpr double kOptimizer8bitBlock = 256;

/// How consecutive ranks (and so the GPUs of a node) are assigned to the parallel dimensions,
/// innermost first; TP is always innermost and CP next to it. kPipelineOuter, "tp-cp-ep-dp-pp":
/// Megatron-Core's default order (NeMo's too; DeepSpeed's pipe-data-model topology also puts the
/// pipeline outermost), so a stage's data-parallel ranks are neighbours and the pipeline crosses
/// nodes. kDataOuter, "tp-cp-ep-pp-dp": Megatron's --use-tp-pp-dp-mapping and Llama 3's
/// [TP, CP, PP, DP] (arXiv 2407.21783 §3.3.2): a pipeline's stages are neighbours and data
/// parallelism is outermost. EP ranks sit next to TP in both (Megatron's expert groups).
enum class RankOrder { kPipelineOuter, kDataOuter };
std::string to_string(RankOrder o);
RankOrder rank_order_from_string(const std::string& s);  ///< "tp-cp-ep-dp-pp" | "tp-cp-ep-pp-dp"

/// How the job is split. world = tp · pp · dp · cp (ep subdivides dp for experts).
struct Parallelism {
  int tp = 1;   ///< tensor parallel
  int pp = 1;   ///< pipeline parallel
  int dp = 1;   ///< data parallel
  int cp = 1;   ///< context (sequence) parallel
  int ep = 1;   ///< expert parallel (MoE), divides dp·cp
  int vpp = 1;  ///< interleaved pipeline chunks per stage
  bool sequence_parallel = false;  ///< Megatron SP (shards LayerNorm/dropout activations over TP)
  /// Transformer layers on the first / last pipeline stage (Megatron-Core's
  /// --decoder-first-pipeline-num-layers / --decoder-last-pipeline-num-layers; Llama 3 405B keeps one
  /// layer fewer on each, arXiv 2407.21783 §3.3.2); 0: an even share. The other stages split the
  /// remaining layers evenly.
  int first_stage_layers = 0;
  int last_stage_layers = 0;
  RankOrder rank_order = RankOrder::kPipelineOuter;
  int world() const { return tp * pp * dp * cp; }
};

/// "TP 8 · PP 2 · DP 4" and, when above 1, " · CP n", " · EP n", " · VPP n": the layout as the plan
/// tables, the procurement report and the GUI show it.
std::string layout_text(const Parallelism& p);

/// Layers on the first, on each middle and on the last pipeline stage. With pp = 1 all three are the
/// whole model; with pp = 2 there is no middle stage (middle_stages = 0). `valid` is false when the
/// layers left for the stages without a fixed count do not split evenly (at least one each).
struct StageLayout {
  std::int64_t first = 0;
  std::int64_t middle = 0;
  std::int64_t last = 0;
  int middle_stages = 0;
  bool even = true;   ///< every stage holds num_layers / pp layers
  bool valid = true;
};
StageLayout stage_layout(std::int64_t num_layers, const Parallelism& p) noexcept;

/// How a checkpoint is written. kSync: training stops until the write is done. kAsync (PyTorch DCP
/// async_save, Megatron-Core --async-save): training stops only while each GPU copies its shard to host
/// memory; a background process writes it while training goes on.
enum class CheckpointMode { kSync, kAsync };
std::string to_string(CheckpointMode m);
CheckpointMode checkpoint_mode_from_string(const std::string& s);  ///< "sync" | "async"

/// Checkpoints and job interruptions (docs/planner.md, "Checkpoints and failures"). Everything 0 (the
/// default): neither is modelled and time-to-train is productive time / goodput, as before.
struct ResilienceSettings {
  /// Productive seconds between checkpoints; 0: none, or Young's interval when mtbf_s is given.
  double checkpoint_every_s = 0;
  CheckpointMode checkpoint_mode = CheckpointMode::kSync;
  /// Per-node storage write / read bandwidth in bytes/s overriding the profile's (0: the profile's).
  double checkpoint_write_bytes_per_s = 0;
  double checkpoint_read_bytes_per_s = 0;
  /// Mean time between interruptions of this job at its size, seconds (0: failures not modelled).
  double mtbf_s = 0;
  /// Time to detect a failure, reschedule and reinitialise before the checkpoint is read, seconds.
  /// 10 minutes when not given: an assumed figure, not a measurement (docs/planner.md); pass
  /// --restart-min (train.failures.restart_s) with your cluster's own.
  double restart_s = 600;
  bool checkpoints() const noexcept { return checkpoint_every_s > 0 || mtbf_s > 0; }
  bool failures() const noexcept { return mtbf_s > 0; }
};

struct TrainSettings {
  std::int64_t global_batch = 0;  ///< sequences per optimizer step
  std::int64_t micro_batch = 1;   ///< sequences per micro-batch
  std::int64_t seq_len = 0;
  double tokens = 0;              ///< training token budget (0: not given)
  int zero_stage = 0;             ///< 0 none, 1 optimizer (= Megatron distributed optimizer), 2 +grads, 3 +weights
  Recompute recompute = Recompute::kNone;
  bool flash_attention = true;    ///< fused attention: no s² score activations stored or moved
  Precision precision = Precision::kBf16;  ///< matmul precision (mixed precision with fp32 master)
  double grad_bytes = 4;          ///< bytes per gradient element (Megatron main grads fp32 = 4)
  Optimizer optimizer = Optimizer::kAdam;  ///< optimizer states per trained element (see Optimizer)
  Offload offload = Offload::kNone;        ///< optimizer states and update on the host (needs ZeRO >= 1)
  double dp_comm_overlap = 0;     ///< fraction of DP gradient communication hidden behind backward
  double tp_comm_overlap = 0;     ///< fraction of TP communication hidden behind GEMMs
  /// LoRA / QLoRA fine-tuning: base weights frozen, only the adapters trained (none: full training).
  AdapterSettings adapter;
  /// Checkpoint and failure costs added to time-to-train (none by default).
  ResilienceSettings resilience;
};

struct InferSettings {
  std::int64_t context_len = 0;    ///< prompt tokens per request
  std::int64_t output_len = 0;     ///< generated tokens per request
  std::int64_t batch = 0;          ///< concurrent requests (0: as many as fit / meet the SLO)
  double qps = 0;                  ///< offered requests per second (0: not given)
  double tpot_slo_s = 0;           ///< time-per-output-token SLO (0: none)
  double ttft_slo_s = 0;           ///< time-to-first-token SLO (0: none)
  Precision weight_precision = Precision::kBf16;
  /// Elements sharing one scale for int4 / fp4 weights (0: default_weight_group, 128 for int4, 16 for fp4).
  std::int64_t weight_group_size = 0;
  /// Which weights the weight precision applies to when it is below 16 bits: every linear layer of
  /// the transformer blocks (AWQ, GPTQ, llm-compressor W4A16, FP8 checkpoints), or only the routed
  /// experts of a MoE model (gpt-oss's MXFP4 checkpoints); everything else stays in 16-bit.
  bool quantize_experts_only = false;
  Precision kv_precision = Precision::kBf16;
  Precision compute_precision = Precision::kBf16;
  double gpu_memory_utilization = 0.9;  ///< share of device memory the engine may use (vLLM default)
  /// Sliding-window layers: true, each request holds full-length KV pages in them as in the other
  /// layers (vLLM's default KV cache manager, published case G24); false, pages of the window only
  /// (TensorRT-LLM's per-window pools, vLLM's hybrid KV cache manager). --sliding-window-pages.
  bool sliding_window_full_pages = true;
  /// Tokens one engine step may compute (vLLM's max_num_batched_tokens): the running requests' decode
  /// tokens and the prompt chunk share it, and it sizes the activation workspace. 0: vLLM's default
  /// for the GPU (engine_limits). --prefill-chunk.
  std::int64_t prefill_chunk_tokens = 0;
  /// Most requests the engine runs at once (vLLM's max_num_seqs); a batch chosen by the planner is
  /// capped at it and a given batch above it refused. 0: vLLM's default for the GPU. --max-seqs.
  std::int64_t max_num_seqs = 0;
  /// Highest share of a replica's capacity (requests/s at the planned batch) the QPS may load it to
  /// when the replicas for a QPS are counted: Poisson arrivals make the running batch fluctuate, and
  /// near 1 it exceeds the planned batch (and the SLO) a large share of the time. --max-utilisation.
  double max_utilisation = 0.8;
  /// Tokens per KV-cache block (paged attention): requests hold whole blocks. vLLM's default is 16
  /// (CacheConfig.DEFAULT_BLOCK_SIZE); 1 = no rounding.
  std::int64_t kv_block_tokens = 16;
  /// Prompt tokens every request shares at its start (a system prompt, few-shot examples) and the
  /// engine's prefix cache keeps (vLLM automatic prefix caching, SGLang RadixAttention): their whole
  /// KV blocks are stored once per replica and not recomputed. 0: no sharing.
  std::int64_t shared_prefix_tokens = 0;
};

struct Workload {
  std::string name;
  ModelConfig model;
  Phase phase = Phase::kTrain;
  Parallelism par;
  TrainSettings train;
  InferSettings infer;
  int gpus = 0;  ///< total GPUs (0: = par.world())
};

/// How a TP degree splits the model's heads, as the frameworks require: the attention heads (a model
/// without attention layers has none to split), the KV heads (divided, or dividing TP: replicated),
/// a hybrid model's Mamba heads and its B/C groups (training: Megatron-Core gives each rank whole
/// groups; inference: vLLM also keeps a single group whole on every rank). The first rule broken, or
/// kOk. validate() refuses the same layouts, naming the rule; the search and the GUI's fallback skip
/// them. No allocation (the search calls it).
enum class TpRule { kOk, kHeads, kKvHeads, kMambaHeads, kMambaGroups };
TpRule tp_rule(const ModelConfig& m, int tp, Phase phase) noexcept;

/// Checks every field; throws core::InputError naming `file` and the field ("$.parallelism.tp").
/// TP must divide heads (and KV heads, or KV heads divide TP), PP must divide layers, sizes are
/// positive and finite and below sanity limits.
void validate(const Workload& w, const std::string& file = "workload");

/// Parses a workload document. `model` may be a catalog id (resolved by `resolve_model`) or an
/// inline object.
struct Catalog;
/// Field types, ranges and names are checked while reading; with `check` the whole workload is then
/// validate()d. A caller that overrides fields afterwards (the CLI's flags) passes false and
/// validates the result itself, so a flag can repair what the file got wrong. Without a `dp`, a
/// training workload with `gpus` gets dp = gpus / (tp·pp·cp) when that divides.
Workload workload_from_json(const std::string& text, const std::string& file, const Catalog& catalog,
                            bool check = true);
Workload load_workload(const std::filesystem::path& path, const Catalog& catalog, bool check = true);

}  // namespace headroom::plan
