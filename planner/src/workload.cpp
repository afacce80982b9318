#include "headroom/plan/workload.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "headroom/core/detail/strict_json.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/plan/catalog.hpp"
#include "model_json.hpp"

namespace headroom::plan {

using core::detail::Range;
using core::detail::Reader;
using nlohmann::json;

std::string to_string(Phase p) { return p == Phase::kTrain ? "train" : "infer"; }
std::string to_string(Recompute r) {
  switch (r) {
    case Recompute::kNone: return "none";
    case Recompute::kSelective: return "selective";
    case Recompute::kFull: return "full";
  }
  return "none";
}
Recompute recompute_from_string(const std::string& s) {
  if (s == "none") return Recompute::kNone;
  if (s == "selective") return Recompute::kSelective;
  if (s == "full") return Recompute::kFull;
  throw core::InputError("recompute 'none', 'selective' or 'full', got '" + s + "'");
}

std::string to_string(Optimizer o) {
  switch (o) {
    case Optimizer::kAdam: return "adam";
    case Optimizer::kAdamBf16: return "adam-bf16";
    case Optimizer::kAdam8bit: return "adam-8bit";
    case Optimizer::kLion: return "lion";
  }
  return "adam";
}
Optimizer optimizer_from_string(const std::string& s) {
  // AdamW (decoupled weight decay) keeps the same states as Adam: both names are accepted.
  if (s == "adam" || s == "adamw") return Optimizer::kAdam;
  if (s == "adam-bf16" || s == "adamw-bf16") return Optimizer::kAdamBf16;
  if (s == "adam-8bit" || s == "adamw-8bit") return Optimizer::kAdam8bit;
  if (s == "lion") return Optimizer::kLion;
  throw core::InputError("optimizer 'adam', 'adam-bf16', 'adam-8bit' or 'lion' (adamw, adamw-bf16 and adamw-8bit "
                         "name the same states), got '" + s + "'");
}
std::string to_string(Offload o) { return o == Offload::kOptimizer ? "optimizer" : "none"; }
Offload offload_from_string(const std::string& s) {
  if (s == "none") return Offload::kNone;
  if (s == "optimizer") return Offload::kOptimizer;
  throw core::InputError("offload 'none' or 'optimizer', got '" + s + "'");
}

std::string to_string(CheckpointMode m) {
  return m == CheckpointMode::kAsync ? "async" : "sync";
}
CheckpointMode checkpoint_mode_from_string(const std::string& s) {
  if (s == "sync") return CheckpointMode::kSync;
  if (s == "async") return CheckpointMode::kAsync;
  throw core::InputError("checkpoint mode 'sync' or 'async', got '" + s + "'");
}

std::string to_string(RankOrder o) { return o == RankOrder::kDataOuter ? "tp-cp-ep-pp-dp" : "tp-cp-ep-dp-pp"; }
RankOrder rank_order_from_string(const std::string& s) {
  if (s == "tp-cp-ep-dp-pp") return RankOrder::kPipelineOuter;
  if (s == "tp-cp-ep-pp-dp") return RankOrder::kDataOuter;
  throw core::InputError("rank order 'tp-cp-ep-dp-pp' (pipeline outermost, Megatron-Core's default) or "
                         "'tp-cp-ep-pp-dp' (data parallel outermost, Llama 3), got '" + s + "'");
}

std::string layout_text(const Parallelism& p) {
  std::string s = fmt::format("TP {} · PP {} · DP {}", p.tp, p.pp, p.dp);
  if (p.cp > 1) s += fmt::format(" · CP {}", p.cp);
  if (p.ep > 1) s += fmt::format(" · EP {}", p.ep);
  if (p.vpp > 1) s += fmt::format(" · VPP {}", p.vpp);
  return s;
}

double optimizer_state_bytes(Optimizer o) noexcept {
  switch (o) {
    case Optimizer::kAdam: return 2 * 4.0;
    case Optimizer::kAdamBf16: return 2 * 2.0;
    case Optimizer::kAdam8bit: return 2 * (1.0 + 4.0 / kOptimizer8bitBlock);
    case Optimizer::kLion: return 4.0;
  }
  return 8.0;
}

StageLayout stage_layout(std::int64_t num_layers, const Parallelism& p) noexcept {
  StageLayout s;
  if (p.pp <= 1) {
    s.first = s.middle = s.last = num_layers;
    s.valid = num_layers >= 1;
    return s;
  }
  s.middle_stages = p.pp - 2;
  std::int64_t rest = num_layers;
  std::int64_t open = p.pp;  // stages without a fixed layer count
  if (p.first_stage_layers > 0) {
    rest -= p.first_stage_layers;
    --open;
  }
  if (p.last_stage_layers > 0) {
    rest -= p.last_stage_layers;
    --open;
  }
  const std::int64_t share = open > 0 ? rest / open : 0;
  s.valid = open > 0 ? rest >= open && rest % open == 0 : rest == 0;
  s.first = p.first_stage_layers > 0 ? p.first_stage_layers : share;
  s.last = p.last_stage_layers > 0 ? p.last_stage_layers : share;
  s.middle = p.pp > 2 ? share : 0;
  s.even = s.valid && s.first == s.last && (p.pp == 2 || s.middle == s.first);
  return s;
}

namespace {
// Sanity limits: beyond these a value is a typo, not a plan.
constexpr std::int64_t kMaxGpus = kWorkloadMaxGpus;
constexpr std::int64_t kMaxSeq = kWorkloadMaxTokens;  // 16.7M tokens
constexpr std::int64_t kMaxBatch = kWorkloadMaxBatch;
constexpr std::int64_t kMaxWeightGroup = 65536;
constexpr std::int64_t kMaxKvBlock = 65536;
constexpr std::int64_t kMaxAdapterRank = 65536;
constexpr double kMaxTokens = 1e16;
// Checkpoints and failures: intervals up to ~3 years, an MTBF up to ~30 years, a restart up to 4 months,
// storage per node within kWorkloadMin/MaxStorageBytesPerS.
constexpr double kMaxCheckpointEveryS = 1e8;
constexpr double kMaxMtbfS = 1e9;
constexpr double kMaxRestartS = 1e7;
constexpr double kMaxStorageBytesPerS = kWorkloadMaxStorageBytesPerS;
constexpr double kMinStorageBytesPerS = kWorkloadMinStorageBytesPerS;

[[noreturn]] void bad(const std::string& file, const std::string& path, const std::string& expected) {
  throw core::InputError(file, path, expected);
}

void check_model(const ModelConfig& m, const std::string& file) {
  const auto pos = [&](std::int64_t v, const char* f) {
    if (v <= 0) bad(file, fmt::format("$.model.{}", f), fmt::format("a positive integer, got {}", v));
  };
  pos(m.num_layers, "num_layers");
  pos(m.hidden_size, "hidden_size");
  pos(m.num_heads, "num_heads");
  pos(m.num_kv_heads, "num_kv_heads");
  pos(m.head_dim, "head_dim");
  pos(m.ffn_hidden_size, "ffn_hidden_size");
  pos(m.vocab_size, "vocab_size");
  if (m.num_heads % m.num_kv_heads != 0) {
    bad(file, "$.model.num_kv_heads", fmt::format("a divisor of num_heads ({}), got {}", m.num_heads, m.num_kv_heads));
  }
  // A model built in code (the GUI's custom model) skips the model file's reader: the same hybrid
  // rules, and the positive sizes the reader's ranges enforce.
  if (m.is_hybrid()) {
    pos(m.mamba_heads, "mamba.num_heads");
    pos(m.mamba_head_dim, "mamba.head_dim");
    pos(m.mamba_state, "mamba.state_size");
    pos(m.mamba_groups, "mamba.groups");
    pos(m.mamba_conv, "mamba.conv_kernel");
    pos(m.mamba_chunk, "mamba.chunk_size");
  }
  if (auto problem = hybrid_model_problem(m)) bad(file, "$.model." + problem->field, problem->expected);
}
}  // namespace

TpRule tp_rule(const ModelConfig& m, int tp, Phase phase) noexcept {
  if (tp < 1) return TpRule::kHeads;
  if (m.attention_layers() > 0 && m.num_heads % tp != 0) return TpRule::kHeads;
  if (m.attention_layers() > 0 && m.num_kv_heads % tp != 0 && tp % m.num_kv_heads != 0) return TpRule::kKvHeads;
  if (m.is_hybrid() && m.mamba_heads % tp != 0) return TpRule::kMambaHeads;
  if (m.is_hybrid() && m.mamba_groups % tp != 0 && (phase == Phase::kTrain || m.mamba_groups != 1)) {
    return TpRule::kMambaGroups;
  }
  return TpRule::kOk;
}

void validate(const Workload& w, const std::string& file) {
  const ModelConfig& m = w.model;
  check_model(m, file);
  const Parallelism& p = w.par;
  const auto range = [&](int v, const char* field, int hi) {
    if (v < 1 || v > hi) bad(file, fmt::format("$.parallelism.{}", field), fmt::format("an integer in [1, {}], got {}", hi, v));
  };
  range(p.tp, "tp", 1024);
  range(p.pp, "pp", 1024);
  range(p.dp, "dp", static_cast<int>(kMaxGpus));
  range(p.cp, "cp", 1024);
  range(p.ep, "ep", 4096);
  range(p.vpp, "vpp", 128);
  if (static_cast<std::int64_t>(p.tp) * p.pp * p.dp * p.cp > kMaxGpus) {
    bad(file, "$.parallelism", fmt::format("tp·pp·dp·cp at most {} GPUs", kMaxGpus));
  }
  // The heads TP splits (tp_rule): refused here with the rule's numbers. A hybrid model's groups are
  // checked by the inference rule (a single group is kept whole on every rank) here, by Megatron-Core's
  // with the training settings below.
  switch (tp_rule(m, p.tp, Phase::kInfer)) {
    case TpRule::kOk:
      break;
    case TpRule::kHeads:
      bad(file, "$.parallelism.tp", fmt::format("a divisor of the model's num_heads ({}), got {}", m.num_heads, p.tp));
    case TpRule::kKvHeads:
      bad(file, "$.parallelism.tp",
          fmt::format("a divisor or a multiple of num_kv_heads ({}), got {}", m.num_kv_heads, p.tp));
    case TpRule::kMambaHeads:
      bad(file, "$.parallelism.tp",
          fmt::format("a divisor of the model's Mamba heads (mamba.num_heads {}), got {}", m.mamba_heads, p.tp));
    case TpRule::kMambaGroups:
      bad(file, "$.parallelism.tp",
          fmt::format("a divisor of the model's Mamba groups (mamba.groups {}; only a single group is replicated "
                      "over TP ranks), got {}",
                      m.mamba_groups, p.tp));
  }
  const auto stage_range = [&](int v, const char* field) {
    if (v < 0 || v >= m.num_layers) {
      bad(file, fmt::format("$.parallelism.{}", field),
          fmt::format("a layer count in [0, {}) (0: an even share), got {}", m.num_layers, v));
    }
    if (v > 0 && p.pp == 1) bad(file, fmt::format("$.parallelism.{}", field), "0 when pp is 1 (a single stage holds every layer)");
    if (v > 0 && w.phase == Phase::kInfer) {
      bad(file, fmt::format("$.parallelism.{}", field), "0 for inference plans (their pipeline stages are even)");
    }
  };
  stage_range(p.first_stage_layers, "first_stage_layers");
  stage_range(p.last_stage_layers, "last_stage_layers");
  if (p.first_stage_layers == 0 && p.last_stage_layers == 0) {
    if (m.num_layers % (static_cast<std::int64_t>(p.pp) * p.vpp) != 0) {
      bad(file, p.vpp > 1 ? "$.parallelism.vpp" : "$.parallelism.pp",
          w.phase == Phase::kInfer
              ? fmt::format("pp dividing num_layers ({}) (inference stages are even), got {}", m.num_layers, p.pp)
              : fmt::format("pp·vpp ({}·{}) dividing num_layers ({}), or first_stage_layers / last_stage_layers set",
                            p.pp, p.vpp, m.num_layers));
    }
  } else {
    const StageLayout s = stage_layout(m.num_layers, p);
    const char* field = p.last_stage_layers > 0 ? "$.parallelism.last_stage_layers" : "$.parallelism.first_stage_layers";
    const int fixed = (p.first_stage_layers > 0 ? 1 : 0) + (p.last_stage_layers > 0 ? 1 : 0);
    if (!s.valid) {
      bad(file, field,
          p.pp == fixed
              ? fmt::format("first_stage_layers + last_stage_layers = num_layers ({}) with pp 2", m.num_layers)
              : fmt::format("a count that leaves the other {} stages an even share of at least one layer each "
                            "(num_layers {} − first {} − last {} = {} layers)",
                            p.pp - fixed, m.num_layers, p.first_stage_layers, p.last_stage_layers,
                            m.num_layers - p.first_stage_layers - p.last_stage_layers));
    }
    // Interleaving splits each stage into vpp chunks: the middle stages' layers evenly; the first and
    // last stages' chunks may differ, or hold only the input embedding or the output layer (Llama 3
    // counts those as a layer's slot; Megatron-Core's pipeline layouts allow such chunks).
    if (p.vpp > 1 && s.middle_stages > 0 && s.middle % p.vpp != 0) {
      bad(file, "$.parallelism.vpp",
          fmt::format("a divisor of the middle stages' layers ({}), got {}", s.middle, p.vpp));
    }
  }
  if (p.vpp > 1 && p.pp == 1) bad(file, "$.parallelism.vpp", "1 when pp is 1 (interleaving needs a pipeline)");
  if (p.ep > 1) {
    if (!m.is_moe()) bad(file, "$.parallelism.ep", "1 for a dense model (expert parallelism needs MoE)");
    if (m.num_experts % p.ep != 0) {
      bad(file, "$.parallelism.ep", fmt::format("a divisor of num_experts ({}), got {}", m.num_experts, p.ep));
    }
    if ((static_cast<std::int64_t>(p.dp) * p.cp) % p.ep != 0) {
      bad(file, "$.parallelism.ep", fmt::format("a divisor of dp·cp ({}), got {}", p.dp * p.cp, p.ep));
    }
  }
  if (w.gpus < 0 || w.gpus > kMaxGpus) bad(file, "$.gpus", fmt::format("an integer in [1, {}]", kMaxGpus));

  if (w.phase == Phase::kTrain) {
    const TrainSettings& t = w.train;
    if (m.is_hybrid()) {
      // Megatron-Core's MambaMixer gives every TP rank whole groups of B and C (it asserts
      // ngroups % tp == 0); context parallelism over Mamba layers (an all-to-all to head sharding) and
      // adapters on Mamba projections are not modelled.
      if (tp_rule(m, p.tp, Phase::kTrain) == TpRule::kMambaGroups) {
        bad(file, "$.parallelism.tp",
            fmt::format("a divisor of the model's Mamba groups (mamba.groups {}) for training (Megatron-Core's "
                        "MambaMixer gives each TP rank whole groups), got {}",
                        m.mamba_groups, p.tp));
      }
      if (p.cp > 1) {
        bad(file, "$.parallelism.cp",
            fmt::format(
                "1 for a hybrid Mamba model ({}): context parallelism over Mamba layers is not modelled, got {}", m.id,
                p.cp));
      }
      if (t.adapter.enabled()) {
        bad(file, "$.train.adapter",
            fmt::format("absent for a hybrid Mamba model ({}): adapters on Mamba projections are not modelled", m.id));
      }
    }
    if (w.gpus > 0 && w.gpus != p.world()) {
      bad(file, "$.gpus", fmt::format("tp·pp·dp·cp = {} GPUs, got {}", p.world(), w.gpus));
    }
    if (t.seq_len < 1 || t.seq_len > kMaxSeq) bad(file, "$.train.seq_len", fmt::format("an integer in [1, {}], got {}", kMaxSeq, t.seq_len));
    if (m.position == PositionKind::kLearned && t.seq_len > m.max_seq_len) {
      bad(file, "$.train.seq_len", fmt::format("at most the model's learned positions ({}), got {}", m.max_seq_len, t.seq_len));
    }
    if (t.seq_len % p.cp != 0) bad(file, "$.parallelism.cp", fmt::format("a divisor of seq_len ({})", t.seq_len));
    if (t.micro_batch < 1 || t.micro_batch > kMaxBatch) bad(file, "$.train.micro_batch", fmt::format("an integer in [1, {}], got {}", kMaxBatch, t.micro_batch));
    if (t.global_batch < 1 || t.global_batch > kMaxBatch) bad(file, "$.train.global_batch", fmt::format("an integer in [1, {}], got {}", kMaxBatch, t.global_batch));
    if (t.global_batch % (t.micro_batch * p.dp) != 0) {
      bad(file, "$.train.global_batch",
          fmt::format("a multiple of micro_batch·dp ({}·{} = {}), got {}", t.micro_batch, p.dp, t.micro_batch * p.dp, t.global_batch));
    }
    // Megatron's interleaved schedule runs micro-batches in groups of pp: with vpp > 1 their
    // count per step must be a multiple of pp (the search applies the same rule).
    if (p.vpp > 1 && (t.global_batch / (t.micro_batch * p.dp)) % p.pp != 0) {
      bad(file, "$.parallelism.vpp",
          fmt::format("1 unless the micro-batches per step (global_batch / (micro_batch·dp) = {}) are a "
                      "multiple of pp ({})",
                      t.global_batch / (t.micro_batch * p.dp), p.pp));
    }
    if (!std::isfinite(t.tokens) || t.tokens < 0 || t.tokens > kMaxTokens) {
      bad(file, "$.train.tokens", fmt::format("a finite token count in [0, {:g}]", kMaxTokens));
    }
    if (t.zero_stage < 0 || t.zero_stage > 3) bad(file, "$.train.zero_stage", fmt::format("0, 1, 2 or 3, got {}", t.zero_stage));
    if (t.grad_bytes != 2 && t.grad_bytes != 4) bad(file, "$.train.grad_bytes", "2 (bf16/fp16) or 4 (fp32)");
    if (t.offload == Offload::kOptimizer && t.zero_stage < 1) {
      bad(file, "$.train.offload",
          "ZeRO stage 1, 2 or 3 (--zero, $.train.zero_stage) with the optimizer offloaded (DeepSpeed offloads a "
          "ZeRO optimizer), got 0");
    }
    if (t.offload == Offload::kOptimizer && t.optimizer == Optimizer::kAdam8bit) {
      bad(file, "$.train.optimizer",
          "an optimizer the host can run with the optimizer offloaded (adam, adam-bf16 or lion: DeepSpeed's CPU Adam "
          "and CPU Lion); bitsandbytes' 8-bit kernels run on the GPU only");
    }
    if (t.offload == Offload::kOptimizer && p.pp > 1 && t.zero_stage >= 2) {
      bad(file, "$.train.zero_stage",
          fmt::format("1 with the optimizer offloaded and pipeline parallelism (DeepSpeed's pipeline engine and "
                      "Megatron's distributed optimizer offload a ZeRO-1 optimizer), got {}",
                      t.zero_stage));
    }
    if (!(t.dp_comm_overlap >= 0 && t.dp_comm_overlap <= 1)) bad(file, "$.train.dp_comm_overlap", "a fraction in [0, 1]");
    if (!(t.tp_comm_overlap >= 0 && t.tp_comm_overlap <= 1)) bad(file, "$.train.tp_comm_overlap", "a fraction in [0, 1]");
    if (t.precision == Precision::kInt8 || t.precision == Precision::kFp4 || t.precision == Precision::kInt4 ||
        t.precision == Precision::kFp64 || t.precision == Precision::kFp64Tensor) {
      bad(file, "$.train.precision", "a training precision: fp32, tf32, fp16, bf16 or fp8");
    }
    const ResilienceSettings& rs = t.resilience;
    const auto in_range = [](double v, double lo_exclusive, double hi) {
      return std::isfinite(v) && v > lo_exclusive && v <= hi;
    };
    if (rs.checkpoint_every_s != 0 && !in_range(rs.checkpoint_every_s, 0, kMaxCheckpointEveryS)) {
      bad(file, "$.train.checkpoint.every_s",
          fmt::format("productive seconds between checkpoints in (0, {:g}], got {:g}", kMaxCheckpointEveryS,
                      rs.checkpoint_every_s));
    }
    if (rs.checkpoint_write_bytes_per_s != 0 && !(in_range(rs.checkpoint_write_bytes_per_s, 0, kMaxStorageBytesPerS) &&
                                                  rs.checkpoint_write_bytes_per_s >= kMinStorageBytesPerS)) {
      bad(file, "$.train.checkpoint.write_bytes_per_s",
          fmt::format("bytes/s per node in [{:g}, {:g}], got {:g}", kMinStorageBytesPerS, kMaxStorageBytesPerS,
                      rs.checkpoint_write_bytes_per_s));
    }
    if (rs.checkpoint_read_bytes_per_s != 0 && !(in_range(rs.checkpoint_read_bytes_per_s, 0, kMaxStorageBytesPerS) &&
                                                 rs.checkpoint_read_bytes_per_s >= kMinStorageBytesPerS)) {
      bad(file, "$.train.checkpoint.read_bytes_per_s",
          fmt::format("bytes/s per node in [{:g}, {:g}], got {:g}", kMinStorageBytesPerS, kMaxStorageBytesPerS,
                      rs.checkpoint_read_bytes_per_s));
    }
    if (rs.mtbf_s != 0 && !in_range(rs.mtbf_s, 0, kMaxMtbfS)) {
      bad(file, "$.train.failures.mtbf_s",
          fmt::format("seconds between interruptions of this job in (0, {:g}], got {:g}", kMaxMtbfS, rs.mtbf_s));
    }
    if (!(std::isfinite(rs.restart_s) && rs.restart_s >= 0 && rs.restart_s <= kMaxRestartS)) {
      bad(file, "$.train.failures.restart_s",
          fmt::format("seconds to detect, reschedule and reinitialise in [0, {:g}], got {:g}", kMaxRestartS,
                      rs.restart_s));
    }
    if (!rs.checkpoints() && (rs.checkpoint_mode != CheckpointMode::kSync || rs.checkpoint_write_bytes_per_s > 0)) {
      bad(file, "$.train.checkpoint.every_s",
          "a checkpoint interval (or train.failures.mtbf_s, for Young's interval) with the other checkpoint settings");
    }
    if (!rs.failures() && rs.checkpoint_read_bytes_per_s > 0) {
      bad(file, "$.train.failures.mtbf_s",
          "an MTBF with train.checkpoint.read_bytes_per_s (a checkpoint is read back only after a failure)");
    }
    if (t.adapter.enabled()) {
      if (t.adapter.rank < 1 || t.adapter.rank > kMaxAdapterRank) {
        bad(file, "$.train.adapter.rank", fmt::format("an integer in [1, {}], got {}", kMaxAdapterRank, t.adapter.rank));
      }
      // A rank at or above the model width is no longer low-rank: the adapter would be as large as the
      // projections it adapts.
      if (t.adapter.rank >= m.hidden_size) {
        bad(file, "$.train.adapter.rank",
            fmt::format("a rank below the model's hidden size ({}; LoRA ranks are typically 8 to 256), got {}",
                        m.hidden_size, t.adapter.rank));
      }
      // Targets are parsed against the model they were written for; a model given later (--model over
      // a workload file) must have them too, and they must adapt something.
      if ((t.adapter.targets & kTargetGate) && m.mlp != MlpKind::kSwiglu) {
        bad(file, "$.train.adapter.targets",
            fmt::format("targets {} has: no 'gate' (its MLP has no gate projection: 'up' is FC1, 'down' is FC2)", m.id));
      }
      if (count_adapters(m, t.adapter, 1, 1).total <= 0) {
        bad(file, "$.train.adapter.targets", fmt::format("at least one projection of {} to adapt", m.id));
      }
      // bitsandbytes' 4-bit layers dequantise to their compute dtype (bf16 / fp16) for every GEMM.
      if (t.adapter.method == AdapterMethod::kQlora && t.precision != Precision::kBf16 &&
          t.precision != Precision::kFp16) {
        bad(file, "$.train.precision",
            fmt::format("bf16 or fp16 with QLoRA (its 4-bit weights are dequantised to the compute dtype), got {}",
                        to_string(t.precision)));
      }
    }
  } else {
    const InferSettings& i = w.infer;
    const std::int64_t per_replica = static_cast<std::int64_t>(p.tp) * p.pp;
    if (w.gpus > 0 && w.gpus % per_replica != 0) {
      bad(file, "$.gpus", fmt::format("a multiple of tp·pp ({}), got {}", per_replica, w.gpus));
    }
    if (i.context_len < 1 || i.context_len > kMaxSeq) bad(file, "$.infer.context_len", fmt::format("an integer in [1, {}], got {}", kMaxSeq, i.context_len));
    if (i.output_len < 1 || i.output_len > kMaxSeq) bad(file, "$.infer.output_len", fmt::format("an integer in [1, {}], got {}", kMaxSeq, i.output_len));
    if (m.position == PositionKind::kLearned && i.context_len + i.output_len > m.max_seq_len) {
      bad(file, "$.infer.context_len", fmt::format("context_len + output_len at most the model's positions ({})", m.max_seq_len));
    }
    if (i.batch < 0 || i.batch > kMaxBatch) bad(file, "$.infer.batch", fmt::format("an integer in [0, {}]", kMaxBatch));
    const auto nonneg = [&](double v, const char* f, double hi) {
      if (!std::isfinite(v) || v < 0 || v > hi) bad(file, fmt::format("$.infer.{}", f), fmt::format("a finite number in [0, {:g}]", hi));
    };
    nonneg(i.qps, "qps", 1e9);
    nonneg(i.tpot_slo_s, "tpot_slo_s", 3600);
    nonneg(i.ttft_slo_s, "ttft_slo_s", 86400);
    if (!(i.gpu_memory_utilization > 0 && i.gpu_memory_utilization <= 1)) {
      bad(file, "$.infer.gpu_memory_utilization", "a fraction in (0, 1]");
    }
    if (i.prefill_chunk_tokens < 0 || i.prefill_chunk_tokens > kMaxSeq) {
      bad(file, "$.infer.prefill_chunk_tokens",
          fmt::format("an integer in [0, {}] (tokens per engine step; 0: vLLM's default for the GPU), got {}", kMaxSeq,
                      i.prefill_chunk_tokens));
    }
    if (i.max_num_seqs < 0 || i.max_num_seqs > kMaxBatch) {
      bad(file, "$.infer.max_num_seqs",
          fmt::format("an integer in [0, {}] (most concurrent requests; 0: vLLM's default for the GPU), got {}",
                      kMaxBatch, i.max_num_seqs));
    }
    // vLLM refuses a step budget below max_num_seqs (SchedulerConfig): every running request must be
    // able to decode in one step.
    if (i.prefill_chunk_tokens > 0 && i.max_num_seqs > 0 && i.prefill_chunk_tokens < i.max_num_seqs) {
      bad(file, "$.infer.prefill_chunk_tokens",
          fmt::format("at least max_num_seqs ({}): every running request decodes one token per step, got {}",
                      i.max_num_seqs, i.prefill_chunk_tokens));
    }
    if (i.max_num_seqs > 0 && i.batch > i.max_num_seqs) {
      bad(file, "$.infer.batch",
          fmt::format("at most max_num_seqs ({}), the most requests the engine runs at once, got {}", i.max_num_seqs,
                      i.batch));
    }
    if (!(i.max_utilisation > 0 && i.max_utilisation <= 1)) {
      bad(file, "$.infer.max_utilisation",
          fmt::format("a fraction in (0, 1] (highest load per replica when sizing for a QPS), got {}", i.max_utilisation));
    }
    if (i.shared_prefix_tokens < 0 || i.shared_prefix_tokens >= i.context_len) {
      bad(file, "$.infer.shared_prefix_tokens",
          fmt::format("an integer in [0, context_len) = [0, {}) (the engine computes at least the last prompt token), "
                      "got {}",
                      i.context_len, i.shared_prefix_tokens));
    }
    if (i.kv_block_tokens < 1 || i.kv_block_tokens > kMaxKvBlock) {
      bad(file, "$.infer.kv_block_tokens", fmt::format("an integer in [1, {}] (tokens per KV-cache block)", kMaxKvBlock));
    }
    if (i.weight_precision == Precision::kFp64 || i.weight_precision == Precision::kFp64Tensor ||
        i.weight_precision == Precision::kTf32) {
      bad(file, "$.infer.weight_precision",
          fmt::format("a weight storage format: fp32, fp16, bf16, fp8, int8, int4 or fp4, got {}{}",
                      to_string(i.weight_precision), i.weight_precision == Precision::kTf32 ? " (a matmul mode)" : ""));
    }
    const bool grouped = i.weight_precision == Precision::kInt4 || i.weight_precision == Precision::kFp4;
    if (i.weight_group_size != 0 && !grouped) {
      bad(file, "$.infer.weight_group_size",
          fmt::format("no group size with {} weights (only int4 and fp4 weights have group scales)",
                      to_string(i.weight_precision)));
    }
    if (i.weight_group_size < 0 || i.weight_group_size > kMaxWeightGroup) {
      bad(file, "$.infer.weight_group_size", fmt::format("an integer in [1, {}]", kMaxWeightGroup));
    }
    if (i.quantize_experts_only && !m.is_moe()) {
      bad(file, "$.infer.quantized_weights", "'linear' for a dense model ('experts' needs routed experts)");
    }
    if (i.quantize_experts_only && precision_bytes(i.weight_precision) >= 2.0) {
      bad(file, "$.infer.quantized_weights",
          fmt::format("'linear' with {} weights ('experts' applies a weight precision below 16 bits to the experts)",
                      to_string(i.weight_precision)));
    }
    if (i.kv_precision == Precision::kInt4) {
      bad(file, "$.infer.kv_precision", "a KV-cache precision: fp32, fp16, bf16, fp8, int8 or fp4 (int4 is a weight format)");
    }
    // 8- or 4-bit GEMMs read 8- or 4-bit weights: W8A8 checkpoints store them so (vLLM
    // --quantization fp8 quantises 16-bit weights to fp8 at load). Timing the GEMMs at the fp8 rate
    // while 2-byte weights fill memory and the decode reads would describe no engine.
    if (precision_bytes(i.compute_precision) < 2.0 && precision_bytes(i.weight_precision) >= 2.0) {
      bad(file, "$.infer.compute_precision",
          fmt::format("a 16-bit or wider compute precision with {} weights, got {} (W8A8 engines store {} weights: "
                      "set weight_precision / --weight-precision {} as well)",
                      to_string(i.weight_precision), to_string(i.compute_precision), to_string(i.compute_precision),
                      to_string(i.compute_precision)));
    }
    if (i.compute_precision == Precision::kInt4) {
      bad(file, "$.infer.compute_precision",
          "a GEMM precision such as bf16, fp16, fp8, int8 or fp4, got int4 (int4 weights are dequantised to the "
          "compute precision)");
    }
  }
}

namespace {
Precision precision_at(const Reader& r, const std::string& key, Precision fallback) {
  if (r.is_null(key)) return fallback;
  const std::string s = r.string(key);
  try {
    return precision_from_string(s);
  } catch (const core::InputError& e) {
    r.fail_at(key, e.what());
  }
}
}  // namespace

Workload workload_from_json(const std::string& text, const std::string& file, const Catalog& catalog, bool check) {
  const json doc = core::detail::parse_json_text(text, file);
  const Reader r(doc, file);
  r.expect_schema(kWorkloadSchema, kWorkloadMajor);
  r.only_non_null_keys({"schema", "schema_version", "name", "model", "phase", "gpus", "parallelism", "train", "infer"});
  Workload w;
  w.name = r.string_or("name", "");
  const Reader mr = r.at("model");
  if (mr.value().is_string()) {
    const ModelConfig* m = catalog.find_model(mr.as_string());
    if (!m) {
      try {
        catalog.model(mr.as_string());
      } catch (const core::InputError& e) {
        r.fail_at("model", e.what());
      }
    }
    w.model = *m;
  } else {
    w.model = detail::model_from_reader(mr);
  }
  w.phase = r.choice("phase", {"train", "infer"}) == "train" ? Phase::kTrain : Phase::kInfer;
  w.gpus = static_cast<int>(r.integer_or("gpus", 0, 0, kMaxGpus));
  if (auto p = r.maybe("parallelism")) {
    p->only_non_null_keys({"tp", "pp", "dp", "cp", "ep", "vpp", "sequence_parallel", "first_stage_layers",
                           "last_stage_layers", "rank_order"});
    w.par.tp = static_cast<int>(p->integer_or("tp", 1, 1, 1024));
    w.par.pp = static_cast<int>(p->integer_or("pp", 1, 1, 1024));
    w.par.dp = static_cast<int>(p->integer_or("dp", 1, 1, kMaxGpus));
    w.par.cp = static_cast<int>(p->integer_or("cp", 1, 1, 1024));
    w.par.ep = static_cast<int>(p->integer_or("ep", 1, 1, 4096));
    w.par.vpp = static_cast<int>(p->integer_or("vpp", 1, 1, 128));
    w.par.sequence_parallel = p->boolean_or("sequence_parallel", false);
    w.par.first_stage_layers = static_cast<int>(p->integer_or("first_stage_layers", 0, 0, 1'000'000));
    w.par.last_stage_layers = static_cast<int>(p->integer_or("last_stage_layers", 0, 0, 1'000'000));
    w.par.rank_order =
        rank_order_from_string(p->choice_or("rank_order", {"tp-cp-ep-dp-pp", "tp-cp-ep-pp-dp"}, "tp-cp-ep-dp-pp"));
  }
  if (w.phase == Phase::kTrain) {
    const Reader t = r.at("train");
    t.only_non_null_keys({"global_batch", "micro_batch", "seq_len", "tokens", "zero_stage", "recompute",
                          "flash_attention", "precision", "grad_bytes", "optimizer", "offload", "dp_comm_overlap",
                          "tp_comm_overlap", "adapter", "checkpoint", "failures"});
    w.train.global_batch = t.integer("global_batch", 1, kMaxBatch);
    w.train.micro_batch = t.integer_or("micro_batch", 1, 1, kMaxBatch);
    w.train.seq_len = t.integer("seq_len", 1, kMaxSeq);
    w.train.tokens = t.number_or("tokens", 0, Range::kNonNegative);
    w.train.zero_stage = static_cast<int>(t.integer_or("zero_stage", 0, 0, 3));
    w.train.recompute = recompute_from_string(t.choice_or("recompute", {"none", "selective", "full"}, "none"));
    w.train.flash_attention = t.boolean_or("flash_attention", true);
    w.train.precision = precision_at(t, "precision", Precision::kBf16);
    w.train.grad_bytes = t.number_or("grad_bytes", 4, Range::kPositive);
    w.train.optimizer = optimizer_from_string(t.choice_or(
        "optimizer", {"adam", "adam-bf16", "adam-8bit", "lion", "adamw", "adamw-bf16", "adamw-8bit"}, "adam"));
    w.train.offload = offload_from_string(t.choice_or("offload", {"none", "optimizer"}, "none"));
    w.train.dp_comm_overlap = t.number_or("dp_comm_overlap", 0, Range::kFraction);
    w.train.tp_comm_overlap = t.number_or("tp_comm_overlap", 0, Range::kFraction);
    if (auto ad = t.maybe("adapter")) {
      ad->only_non_null_keys({"method", "rank", "targets"});
      w.train.adapter.method = adapter_method_from_string(ad->choice("method", {"lora", "qlora"}));
      w.train.adapter.rank = ad->integer_or("rank", 16, 1, kMaxAdapterRank);
      if (!ad->is_null("targets")) {
        const Reader tr = ad->at("targets");
        std::vector<std::string> names;
        for (std::size_t k = 0; k < tr.size(); ++k) {
          const Reader entry = tr.index(k);
          names.push_back(entry.as_string());
          try {
            adapter_targets_from_names({names.back()}, w.model);  // a bad name is reported at its entry
          } catch (const std::invalid_argument& e) {
            entry.fail(e.what());
          }
        }
        try {
          w.train.adapter.targets = adapter_targets_from_names(names, w.model);
        } catch (const std::invalid_argument& e) {
          ad->fail_at("targets", e.what());
        }
      }
    }
    // Checkpoints and failures, in SI units as the rest of the file (the flags take minutes, hours, GB/s).
    ResilienceSettings& rs = w.train.resilience;
    if (auto f = t.maybe("failures")) {
      f->only_non_null_keys({"mtbf_s", "restart_s"});
      rs.mtbf_s = f->number("mtbf_s", Range::kPositive);
      rs.restart_s = f->number_or("restart_s", rs.restart_s, Range::kNonNegative);
    }
    if (auto ck = t.maybe("checkpoint")) {
      ck->only_non_null_keys({"every_s", "mode", "write_bytes_per_s", "read_bytes_per_s"});
      if (ck->is_null("every_s") && rs.mtbf_s <= 0) {
        ck->fail_at("every_s",
                    "productive seconds between checkpoints (or train.failures.mtbf_s, for Young's interval)");
      }
      rs.checkpoint_every_s = ck->number_or("every_s", 0, Range::kPositive);
      rs.checkpoint_mode = checkpoint_mode_from_string(ck->choice_or("mode", {"sync", "async"}, "sync"));
      rs.checkpoint_write_bytes_per_s = ck->number_or("write_bytes_per_s", 0, Range::kPositive);
      rs.checkpoint_read_bytes_per_s = ck->number_or("read_bytes_per_s", 0, Range::kPositive);
    }
    // `dp` left out: the GPUs not taken by tp·pp·cp (as --dp defaults on the command line).
    const bool dp_given = r.has("parallelism") && !r.is_null("parallelism") && !r.at("parallelism").is_null("dp");
    const int per = w.par.tp * w.par.pp * w.par.cp;
    if (!dp_given && w.gpus > 0 && w.gpus % per == 0) w.par.dp = w.gpus / per;
    if (w.gpus == 0) w.gpus = w.par.world();
  } else {
    const Reader i = r.at("infer");
    i.only_non_null_keys({"context_len", "output_len", "batch", "qps", "tpot_slo_s", "ttft_slo_s", "weight_precision",
                          "weight_group_size", "quantized_weights", "kv_precision", "compute_precision",
                          "gpu_memory_utilization", "sliding_window_full_pages", "prefill_chunk_tokens", "max_num_seqs",
                          "max_utilisation", "kv_block_tokens", "shared_prefix_tokens"});
    w.infer.context_len = i.integer("context_len", 1, kMaxSeq);
    w.infer.output_len = i.integer("output_len", 1, kMaxSeq);
    w.infer.batch = i.integer_or("batch", 0, 0, kMaxBatch);
    w.infer.qps = i.number_or("qps", 0, Range::kNonNegative);
    w.infer.tpot_slo_s = i.number_or("tpot_slo_s", 0, Range::kNonNegative);
    w.infer.ttft_slo_s = i.number_or("ttft_slo_s", 0, Range::kNonNegative);
    w.infer.weight_precision = precision_at(i, "weight_precision", Precision::kBf16);
    w.infer.weight_group_size = i.integer_or("weight_group_size", 0, 1, kMaxWeightGroup);
    w.infer.quantize_experts_only = i.choice_or("quantized_weights", {"linear", "experts"}, "linear") == "experts";
    w.infer.kv_precision = precision_at(i, "kv_precision", w.infer.weight_precision == Precision::kFp32 ? Precision::kFp32 : Precision::kBf16);
    w.infer.compute_precision = precision_at(i, "compute_precision", Precision::kBf16);
    w.infer.gpu_memory_utilization = i.number_or("gpu_memory_utilization", 0.9, Range::kFraction);
    w.infer.sliding_window_full_pages = i.boolean_or("sliding_window_full_pages", true);
    w.infer.prefill_chunk_tokens = i.integer_or("prefill_chunk_tokens", 0, 0, kMaxSeq);
    w.infer.max_num_seqs = i.integer_or("max_num_seqs", 0, 0, kMaxBatch);
    w.infer.max_utilisation = i.number_or("max_utilisation", 0.8, Range::kFraction);
    w.infer.kv_block_tokens = i.integer_or("kv_block_tokens", 16, 1, kMaxKvBlock);
    w.infer.shared_prefix_tokens = i.integer_or("shared_prefix_tokens", 0, 0, kMaxSeq);
  }
  if (check) validate(w, file);
  return w;
}

Workload load_workload(const std::filesystem::path& path, const Catalog& catalog, bool check) {
  const json doc = core::detail::read_json_file(path.string());
  return workload_from_json(doc.dump(), path.string(), catalog, check);
}

}  // namespace headroom::plan
