#include "compute.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "headroom/core/errors.hpp"
#include "headroom/plan/infer.hpp"
#include "headroom/plan/search.hpp"
#include "headroom/plan/train.hpp"

namespace headroom::gui {

namespace {

std::string parallelism_text(const plan::Workload& w) {
  std::string s = plan::layout_text(w.par);
  s += fmt::format(" · mb {} · {} recompute · ZeRO-{}", w.train.micro_batch, plan::to_string(w.train.recompute),
                   w.train.zero_stage);
  if (w.par.sequence_parallel) s += " · SP";
  if (w.par.rank_order == plan::RankOrder::kDataOuter) s += " · DP outermost";
  return s;
}

MemoryBreakdown train_memory(const plan::TrainMemory& m) {
  MemoryBreakdown b;
  b.weights_bytes = m.weights_bytes;
  b.gradients_bytes = m.gradients_bytes;
  b.optimizer_bytes = m.optimizer_bytes + m.master_bytes;
  b.activations_bytes = m.activations_bytes + m.embedding_activations_bytes;
  b.overhead_bytes = m.overhead_bytes;
  b.capacity_bytes = m.capacity_bytes;
  return b;
}

void fill_train(OptionResult& out, const plan::Workload& w, const plan::TrainResult& r) {
  out.fits = r.memory.fits;
  out.host_bytes_per_node = r.memory.host_bytes_per_node;
  out.host_capacity_bytes = r.memory.host_capacity_bytes;
  out.host_fits = r.memory.host_fits;
  if (!r.memory.host_fits) {
    constexpr double kGiB = 1073741824.0;
    out.note += fmt::format("{}offloaded optimizer: {:.1f} GiB of host memory per node needed, {:.1f} GiB usable",
                            out.note.empty() ? "" : "; ", r.memory.host_bytes_per_node / kGiB,
                            r.memory.host_capacity_bytes / kGiB);
  }
  out.memory = train_memory(r.memory);
  out.parallelism = parallelism_text(w);
  out.step_s = r.time.step_s;
  out.tokens_per_s = r.time.tokens_per_s;
  out.tokens_per_s_per_gpu = r.time.tokens_per_s_per_gpu;
  out.time_to_train_s = r.time.time_to_train_s;
  out.gpu_hours = r.time.gpu_hours;
  out.mfu = r.time.mfu;
  out.checkpoint = r.checkpoint;
  out.run = r.time.run;
}

// The largest TP that the model and the node allow: the fallback shown when no configuration fits.
int largest_tp(const plan::ModelConfig& m, int gpus, int gpus_per_node) {
  for (int tp = std::min(gpus, gpus_per_node); tp > 1; --tp) {
    if (gpus % tp == 0 && plan::tp_rule(m, tp, plan::Phase::kTrain) == plan::TpRule::kOk) return tp;
  }
  return 1;
}

Roofline roofline_of(const plan::HardwareProfile& p, plan::Precision precision, const plan::Rates& rates) {
  Roofline r;
  for (int i = 0; i < plan::kPrecisionCount; ++i) {
    const auto prec = static_cast<plan::Precision>(i);
    if (prec == plan::Precision::kInt8 || prec == plan::Precision::kInt4) continue;  // OP/s, not FLOP/s: not on a FLOP roofline
    const plan::Quantity& q = p.peak(prec);
    if (q.known() && *q.value > 0) r.compute.push_back({plan::to_string(prec) + " peak", *q.value});
  }
  if (p.memory_bandwidth_bytes_per_s.known()) r.memory.push_back({"device memory", *p.memory_bandwidth_bytes_per_s.value});
  if (p.nvlink_bytes_per_s.known()) r.memory.push_back({"NVLink (peer)", *p.nvlink_bytes_per_s.value / 2});
  if (p.pcie_bytes_per_s.known()) r.memory.push_back({"PCIe (host)", *p.pcie_bytes_per_s.value});
  r.op_peak_flop_per_s = p.peak(precision).value_or(rates.peak_flop_per_s);
  r.op_bandwidth_bytes_per_s = p.memory_bandwidth_bytes_per_s.value_or(rates.memory_bytes_per_s);
  return r;
}

OptionResult plan_option(const GpuOption& opt, const WorkloadForm& form, const plan::Workload& w,
                         const plan::ParamCounts& params) {
  OptionResult out;
  out.label = opt.label;
  // With the form's host RAM per node in place of the profile's (offloaded optimizer).
  const plan::HardwareProfile profile = planned_profile(opt, form);
  const plan::Assumptions a;
  const plan::Precision precision = w.phase == plan::Phase::kTrain ? w.train.precision : w.infer.compute_precision;
  plan::Rates rates;
  try {
    rates = plan::resolve_rates(profile, precision, a);
    if (w.phase == plan::Phase::kTrain) {
      // Checkpoints and failures: the form's storage rates over this option's profile; an option whose
      // storage is unknown (a datasheet GPU without a write rate in the form) shows the planner's
      // reason, as `report procurement` does. Measured options are named by their file, as in `plan`.
      plan::apply_resilience_overrides(w.train.resilience, rates);
      plan::check_resilience(w, params, rates, form.gpus, opt.file.empty() ? profile.id : opt.file);
    }
  } catch (const core::InputError& e) {
    out.error = e.what();
    return out;
  }
  out.roofline = roofline_of(profile, precision, rates);
  const double pb = plan::precision_bytes(precision);

  if (w.phase == plan::Phase::kInfer) {
    // The form has no serving layout: each option is planned at the replica layout `plan infer
    // --search` picks for that GPU (TP up to a node × PP up to 8 dividing the layers; the fewest
    // GPUs for the QPS, else the most tokens/s per GPU), as the procurement report does.
    const plan::InferSearchResult s = plan::search_infer(w, params, rates, a, 0, 8);
    const plan::Workload& used = s.best;
    out.evaluated = s.candidates.size();
    out.fitting = s.usable();
    if (!s.candidates.empty() && out.fitting == 0)
      out.note = fmt::format("none of the {} replica layouts tried fits and meets the SLOs; shown: the closest",
                             s.candidates.size());
    const plan::InferResult r = plan::evaluate_infer(used, params, rates, a);
    out.fits = r.memory.fits;
    out.memory.weights_bytes = r.memory.weights_bytes;
    out.memory.activations_bytes = r.memory.workspace_bytes;
    out.memory.overhead_bytes = r.memory.overhead_bytes;
    out.memory.kv_cache_bytes =
        std::max(0.0, r.memory.total_bytes - r.memory.weights_bytes - r.memory.workspace_bytes - r.memory.overhead_bytes);
    out.memory.capacity_bytes = r.memory.budget_bytes;
    out.parallelism = fmt::format("TP {} · PP {} · batch {:.0f}", used.par.tp, used.par.pp, r.time.batch);
    out.tokens_per_s = r.time.tokens_per_s;
    out.tokens_per_s_per_gpu = r.time.tokens_per_s_per_gpu;
    out.ttft_under_load_s = r.time.ttft_under_load_s;  // at the planned batch (the prompt alone is a lower bound)
    out.tpot_s = r.time.tpot_s;
    out.max_concurrent_requests = r.memory.max_concurrent_requests;
    const plan::ColdStart cs = plan::cold_start(r, rates);
    out.cold_start_bytes_per_node = cs.bytes_per_node;
    out.cold_start_read_bytes_per_s = cs.read_bytes_per_s;
    out.cold_start_s = cs.time_s;
    out.roofline.ops.push_back({"prefill (1 request)", r.time.prefill.flop, r.time.prefill.bytes});
    out.roofline.ops.push_back({r.time.micro_batch < r.time.batch
                                    ? fmt::format("decode step (micro-batch {:.0f} of {:.0f})", r.time.micro_batch,
                                                  r.time.batch)
                                    : fmt::format("decode step (batch {:.0f})", r.time.batch),
                                r.time.decode.flop, r.time.decode.bytes});
    return out;
  }

  if (!form.search) {
    fill_train(out, w, plan::evaluate_train(w, params, rates, a));
    out.roofline.ops = roofline_ops(w, pb);
    return out;
  }
  plan::SearchOptions so;
  so.gpus = form.gpus;
  so.keep = 1;
  const plan::SearchResult s = plan::search_train(w, params, rates, a, so);
  out.evaluated = s.evaluated;
  out.fitting = s.fitting;
  if (!s.best.empty()) {
    fill_train(out, s.best.front().workload, s.best.front().result);
    out.roofline.ops = roofline_ops(s.best.front().workload, pb);
    return out;
  }
  if (!s.fastest_unfit.empty() && s.fastest_unfit.front().result.memory.margin_bytes >= 0) {
    // Layouts fit the GPUs but every one misses the host's RAM (offloaded optimizer): show the
    // fastest of them, so the note says that host memory is what does not fit.
    const plan::SearchCandidate& c = s.fastest_unfit.front();
    fill_train(out, c.workload, c.result);
    out.fits = false;
    out.note = fmt::format("no configuration of {} GPUs fits ({} evaluated); shown: {}; {}", form.gpus, s.evaluated,
                           out.parallelism, out.note);
    out.roofline.ops = roofline_ops(c.workload, pb);
    return out;
  }
  // Nothing fits: show the most memory-frugal simple layout so the Fit page says by how much.
  plan::Workload fallback = w;
  fallback.par = plan::Parallelism{};
  fallback.par.tp = largest_tp(w.model, form.gpus, static_cast<int>(rates.gpus_per_node));
  fallback.par.dp = form.gpus / fallback.par.tp;
  fallback.train.micro_batch = 1;
  fallback.train.recompute = plan::Recompute::kFull;
  fallback.train.zero_stage = std::max(1, w.train.zero_stage);
  fill_train(out, fallback, plan::evaluate_train(fallback, params, rates, a));
  out.fits = false;
  out.note = fmt::format("no configuration of {} GPUs fits ({} evaluated); shown: {}{}{}", form.gpus, s.evaluated,
                         out.parallelism, out.note.empty() ? "" : "; ", out.note);
  out.roofline.ops = roofline_ops(fallback, pb);
  return out;
}

}  // namespace

std::vector<RooflineOp> roofline_ops(const plan::Workload& w, double pb) {
  const plan::ModelConfig& m = w.model;
  const double t = static_cast<double>(w.train.micro_batch) * static_cast<double>(w.train.seq_len);
  const double tp = w.par.tp;
  const double h = static_cast<double>(m.hidden_size);
  const double hd = static_cast<double>(m.head_dim > 0 ? m.head_dim : m.hidden_size / std::max<std::int64_t>(1, m.num_heads));
  const double q = static_cast<double>(m.num_heads) * hd;
  const double kv = static_cast<double>(m.num_kv_heads) * hd;
  const double gated = m.mlp == plan::MlpKind::kSwiglu ? 2.0 : 1.0;
  double ffn = static_cast<double>(m.ffn_hidden_size);
  double mlp_tokens = t;
  if (m.is_moe()) {
    // One routed expert sees its share of the tokens: t · k / E on average.
    ffn = static_cast<double>(m.moe_ffn_hidden_size > 0 ? m.moe_ffn_hidden_size : m.ffn_hidden_size);
    mlp_tokens = t * static_cast<double>(m.experts_per_token) / static_cast<double>(m.num_experts);
  }
  const auto gemm = [pb](const std::string& name, double rows, double inner, double cols) {
    // C[rows×cols] = A[rows×inner]·B[inner×cols]: 2·M·N·K FLOP; A, B read and C written once.
    return RooflineOp{name, 2.0 * rows * cols * inner, pb * (rows * inner + inner * cols + rows * cols)};
  };
  return {gemm("QKV projection", t, h, (q + 2 * kv) / tp), gemm("attention output", t, q / tp, h),
          gemm(m.is_moe() ? "MLP up (one expert)" : "MLP up", mlp_tokens, h, gated * ffn / tp),
          gemm(m.is_moe() ? "MLP down (one expert)" : "MLP down", mlp_tokens, ffn / tp, h),
          gemm("LM head", t, h, static_cast<double>(m.vocab_size) / tp)};
}

Comparison compute_comparison(const Workspace& ws, const plan::Catalog& catalog, const CostEngine* cost) {
  const auto start = std::chrono::steady_clock::now();
  Comparison c;
  c.phase = ws.workload.phase;
  plan::Workload w;
  try {
    w = to_workload(ws.workload, catalog);
  } catch (const core::InputError& e) {
    c.error = e.expected().empty() ? e.what() : e.expected();
    c.error_path = e.json_path();
    return c;
  }
  c.model_name = w.model.name.empty() ? w.name : w.model.name;
  const plan::ParamCounts params = plan::count_params(w.model);
  for (const GpuOption& opt : ws.options) {
    if (!opt.enabled) continue;
    c.options.push_back(plan_option(opt, ws.workload, w, params));
  }
  if (cost != nullptr) c.cost = cost->evaluate(ws.cost, c.options);
  c.compute_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return c;
}

}  // namespace headroom::gui
