// Procurement report: planning and costing every GPU option, and the recommendation computed from
// the numbers (the HTML is in procurement_html.cpp).
#include "headroom/report/procurement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"
#include "headroom/plan/plan_json.hpp"
#include "headroom/plan/search.hpp"
#include "headroom/plan/train.hpp"
#include "headroom/tco/scenario.hpp"
#include "count_text.hpp"

namespace headroom::report {

namespace {

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / core::kGiB); }
std::string days(double s) { return fmt::format("{:.1f} days", s / 86400.0); }

/// "$1.23 M", "$456 k", "$789", "$0.042": three significant figures.
std::string money(double usd) {
  const double a = std::fabs(usd);
  if (a >= 1e6) return fmt::format("${:.3g} M", usd / 1e6);
  if (a >= 1e4) return fmt::format("${:.3g} k", usd / 1e3);
  return fmt::format("${:.3g}", usd);
}

std::string cost_text(double usd, plan::Phase phase) {
  return phase == plan::Phase::kTrain ? money(usd) + " for the training run" : money(usd) + " per million tokens";
}

std::string join_clauses(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? (parts.size() > 2 ? ", and " : " and ") : ", ";
    out += parts[i];
  }
  return out;
}

/// True when a is faster than b (training: shorter time-to-train; inference: more tokens/s per GPU).
bool faster(const OptionFigures& a, const OptionFigures& b, plan::Phase phase) {
  return phase == plan::Phase::kTrain ? a.time_to_train_s < b.time_to_train_s
                                      : a.tokens_per_s_per_gpu > b.tokens_per_s_per_gpu;
}

std::string speed_text(const OptionFigures& o, plan::Phase phase) {
  return phase == plan::Phase::kTrain
             ? fmt::format("{} on {}", days(o.time_to_train_s), detail::count_text(o.gpus, "GPU"))
             : fmt::format("{:.0f} tokens/s per GPU", o.tokens_per_s_per_gpu);
}

/// Within the tie of the parallelism search (0.1 %): the model cannot tell the two speeds apart.
bool same_speed(const OptionFigures& a, const OptionFigures& b, plan::Phase phase) {
  const double x = phase == plan::Phase::kTrain ? a.time_to_train_s : a.tokens_per_s_per_gpu;
  const double y = phase == plan::Phase::kTrain ? b.time_to_train_s : b.tokens_per_s_per_gpu;
  return std::fabs(x - y) <= plan::kSameStepTimeTolerance * std::max(std::fabs(x), std::fabs(y));
}

}  // namespace

Recommendation recommend(const std::vector<OptionFigures>& options, plan::Phase phase,
                         std::optional<double> max_time_to_train_s, bool latency_slo) {
  const bool train = phase == plan::Phase::kTrain;
  Recommendation rec;
  std::vector<int> fitting, candidates;
  std::vector<std::string> excluded;
  for (int i = 0; i < static_cast<int>(options.size()); ++i) {
    const auto& o = options[static_cast<std::size_t>(i)];
    if (!o.error.empty()) {
      excluded.push_back(o.label + " could not be planned (" + o.error + ")");
    } else if (!o.fits) {
      const bool host = o.memory_bytes <= o.capacity_bytes && o.host_capacity_bytes > 0 &&
                        o.host_bytes_per_node > o.host_capacity_bytes;
      excluded.push_back(host ? fmt::format("{} does not fit its offloaded optimizer in host memory ({} per node "
                                            "needed, {} usable)",
                                            o.label, gib(o.host_bytes_per_node), gib(o.host_capacity_bytes))
                              : fmt::format("{} does not fit ({} per GPU needed, {} available)", o.label,
                                            gib(o.memory_bytes), gib(o.capacity_bytes)));
    } else {
      fitting.push_back(i);
      if (o.meets_target) {
        candidates.push_back(i);
      } else {
        excluded.push_back(train ? fmt::format("{} misses the {} target ({})", o.label,
                                               days(max_time_to_train_s.value_or(0)), days(o.time_to_train_s))
                                 : o.label + " misses the latency SLO");
      }
    }
  }
  const std::string target = train ? (max_time_to_train_s ? " and finish within " + days(*max_time_to_train_s) : "")
                                   : (latency_slo ? " and meet the latency SLO" : "");
  // The same condition for one option ("it fits and meets ...").
  const std::string target_one = train ? (max_time_to_train_s ? " and finishes within " + days(*max_time_to_train_s) : "")
                                       : (latency_slo ? " and meets the latency SLO" : "");
  const auto& at = [&](int i) -> const OptionFigures& { return options[static_cast<std::size_t>(i)]; };

  if (fitting.empty()) {
    rec.basis = "none";
    rec.paragraph = options.empty() ? "No GPU option was given."
                                    : "No option can run this workload as planned: " + join_clauses(excluded) +
                                          ". Nothing is recommended.";
    return rec;
  }
  if (candidates.empty()) {
    // Nothing meets the target: name the fastest option that fits and by how much it misses.
    rec.basis = "closest";
    auto best = fitting;
    std::stable_sort(best.begin(), best.end(), [&](int a, int b) { return faster(at(a), at(b), phase); });
    rec.chosen = best.front();
    if (best.size() > 1) rec.runner_up = best[1];
    const auto& c = at(rec.chosen);
    rec.paragraph = fmt::format("No option meets the target. The closest is {} at {}", c.label, speed_text(c, phase));
    if (train && max_time_to_train_s && *max_time_to_train_s > 0) {
      rec.paragraph += fmt::format(", {:.0f} % over the {} target", 100 * (c.time_to_train_s / *max_time_to_train_s - 1),
                                   days(*max_time_to_train_s));
    }
    rec.paragraph += ". Meeting the target needs more GPUs or a relaxed target.";
    std::vector<std::string> others;
    for (std::size_t k = 1; k < best.size(); ++k) others.push_back(fmt::format("{} ({})", at(best[k]).label, speed_text(at(best[k]), phase)));
    for (const auto& x : excluded) {
      if (x.rfind(c.label + " misses", 0) != 0 && x.find(" misses ") == std::string::npos) others.push_back(x);
    }
    if (!others.empty()) rec.paragraph += " The others: " + join_clauses(others) + ".";
    return rec;
  }

  const bool all_costed =
      std::all_of(candidates.begin(), candidates.end(), [&](int i) { return at(i).cost_usd.has_value(); });
  auto ranked = candidates;
  if (all_costed) {
    rec.basis = "cost";
    std::stable_sort(ranked.begin(), ranked.end(), [&](int a, int b) {
      if (*at(a).cost_usd != *at(b).cost_usd) return *at(a).cost_usd < *at(b).cost_usd;
      return faster(at(a), at(b), phase);
    });
  } else {
    rec.basis = "speed";
    std::stable_sort(ranked.begin(), ranked.end(), [&](int a, int b) { return faster(at(a), at(b), phase); });
  }
  rec.chosen = ranked.front();
  const auto& c = at(rec.chosen);
  std::string p = "Recommended: " + c.label + ". ";
  const std::string pool =
      fmt::format("{} that fit{}", detail::count_text(static_cast<double>(candidates.size()), "option"), target);
  if (ranked.size() == 1) {
    const std::string all = detail::count_text(static_cast<double>(options.size()), "option");
    p += options.size() == 1 ? fmt::format("It fits{}", target_one)
                             : fmt::format("It is the only one of the {} that fits{}", all, target_one);
    if (c.cost_usd) p += fmt::format(", at {} ({})", cost_text(*c.cost_usd, phase), c.cost_basis);
    p += fmt::format("; it delivers {}.", speed_text(c, phase));
  } else {
    rec.runner_up = ranked[1];
    const auto& r = at(rec.runner_up);
    if (all_costed) {
      const double saving = *r.cost_usd - *c.cost_usd;
      p += fmt::format("It is the cheapest of the {} at {} ({}), ", pool, cost_text(*c.cost_usd, phase), c.cost_basis);
      if (saving > 1e-9 * std::fabs(*r.cost_usd)) {  // more than round-off
        p += fmt::format("{:.1f} % ({}) less than the runner-up {} at {}. ", 100 * saving / *r.cost_usd, money(saving),
                         r.label, money(*r.cost_usd));
        p += fmt::format("{} delivers {}; {} delivers {}.", c.label, speed_text(c, phase), r.label,
                         speed_text(r, phase));
      } else if (!same_speed(c, r, phase)) {
        // Equal cost: the ranking fell to speed (the cheaper-then-faster order puts the faster first).
        p += fmt::format("the same as the runner-up {}, and faster: {} delivers {}; {} delivers {}.", r.label, c.label,
                         speed_text(c, phase), r.label, speed_text(r, phase));
      } else {
        // Equal cost and speed (e.g. two profiles of one GPU whose plans are identical): nothing
        // separates them, and the paragraph must not claim a win.
        p += fmt::format("the same as the runner-up {}, at the same speed ({}): the two tie, and {} is listed first.",
                         r.label, speed_text(c, phase), c.label);
      }
    } else {
      const double margin = train ? 100 * (r.time_to_train_s - c.time_to_train_s) / r.time_to_train_s
                                  : 100 * (c.tokens_per_s_per_gpu / r.tokens_per_s_per_gpu - 1);
      p += fmt::format("It is the fastest of the {} at {}, {:.1f} % {} than the runner-up {} ({}). ", pool,
                       speed_text(c, phase), margin, train ? "shorter" : "more tokens/s per GPU", r.label,
                       speed_text(r, phase));
      std::vector<std::string> uncosted;
      for (int i : candidates) {
        if (!at(i).cost_usd) uncosted.push_back(at(i).label);
      }
      p += "Cost did not enter the ranking: there is no cost figure for " + join_clauses(uncosted) +
           " (give a TCO scenario).";
    }
  }
  if (c.host_bytes_per_node > 0) {
    // An offloaded optimizer lives in the nodes' RAM: say how much the recommended plan needs, and
    // whether the profile let it be checked (catalog profiles give no host memory).
    p += fmt::format(" Its offloaded optimizer needs {} of host memory per node{}.", gib(c.host_bytes_per_node),
                     c.host_capacity_bytes > 0
                         ? fmt::format(" ({} usable)", gib(c.host_capacity_bytes))
                         : std::string(" (the profile gives no host memory, so it was not checked: make sure the "
                                       "nodes have it)"));
  }
  if (!excluded.empty()) p += " Not considered: " + join_clauses(excluded) + ".";
  rec.paragraph = p;
  return rec;
}

// ---------------------------------------------------------------------------------------------

namespace {

std::string parallelism_text(const plan::Workload& w) {
  std::string s = plan::layout_text(w.par);
  if (w.par.sequence_parallel) s += " · SP";
  if (w.par.rank_order == plan::RankOrder::kDataOuter) s += " · ranks tp-cp-ep-pp-dp (DP outermost)";
  s += fmt::format(" · micro-batch {} · recompute {} · ZeRO {}", w.train.micro_batch, to_string(w.train.recompute),
                   w.train.zero_stage);
  if (w.train.offload == plan::Offload::kOptimizer) s += " · optimizer offloaded";
  return s;
}

/// GEMM of M×K by K×N in `bytes_per_element`: 2·M·N·K FLOPs, each operand read once and the result written once.
RooflineOp gemm_op(std::string name, double m, double n, double k, double bytes_per_element) {
  return {std::move(name), 2 * m * n * k, bytes_per_element * (m * k + k * n + m * n)};
}

/// The three largest GEMMs of one training micro-batch on one GPU (TP-sharded).
std::vector<RooflineOp> train_ops(const plan::Workload& w) {
  const auto& m = w.model;
  const double pb = plan::precision_bytes(w.train.precision);
  const double tokens = static_cast<double>(w.train.micro_batch * w.train.seq_len) / w.par.cp;
  const double tp = w.par.tp;
  const double h = static_cast<double>(m.hidden_size);
  const double qkv = static_cast<double>((m.num_heads + 2 * m.num_kv_heads) * m.head_dim) / tp;
  const double ffn_size = static_cast<double>(m.ffn_hidden_size > 0 ? m.ffn_hidden_size : m.moe_ffn_hidden_size);
  // SwiGLU's gate and up projections run as one GEMM of twice the width.
  const double ffn = (m.mlp == plan::MlpKind::kSwiglu ? 2.0 : 1.0) * ffn_size / tp;
  return {gemm_op("QKV GEMM", tokens, qkv, h, pb),
          gemm_op("FFN up GEMM", tokens, ffn, h, pb),
          gemm_op("LM head GEMM", tokens, static_cast<double>(m.vocab_size) / tp, h, pb)};
}

void add_source(std::vector<SourcedFigure>& out, const std::string& field, const plan::Quantity& q,
                const std::string& value) {
  if (!q.known()) {
    out.push_back({field, "null (unknown)", plan::to_string(q.provenance), q.source, q.as_of});
    return;
  }
  out.push_back({field, value, plan::to_string(q.provenance), q.source, q.as_of});
}

void plan_option(const ProcurementInput& in, const plan::ParamCounts& pc, ProcurementOption& o) {
  const plan::Workload& w = in.workload;
  const bool train = w.phase == plan::Phase::kTrain;
  const plan::Precision prec = train ? w.train.precision : w.infer.compute_precision;
  const plan::HardwareProfile& hw = o.input.profile;
  auto& f = o.figures;
  f.label = o.input.label;

  add_source(o.sources, "memory", hw.memory_bytes, gib(hw.memory_bytes.value_or(0)));
  add_source(o.sources, "memory bandwidth", hw.memory_bandwidth_bytes_per_s,
             core::format_rate(hw.memory_bandwidth_bytes_per_s.value_or(0), "B/s"));
  add_source(o.sources, to_string(prec) + " dense peak", hw.peak(prec),
             core::format_rate(hw.peak(prec).value_or(0), "FLOP/s"));
  add_source(o.sources, "TDP", hw.tdp_w, fmt::format("{:.0f} W", hw.tdp_w.value_or(0)));
  add_source(o.sources, "NVLink (bidirectional per GPU)", hw.nvlink_bytes_per_s,
             core::format_rate(hw.nvlink_bytes_per_s.value_or(0), "B/s"));
  if (train && w.train.offload == plan::Offload::kOptimizer) {
    // The offloaded optimizer is checked against it (or not, when unknown).
    add_source(o.sources, "host memory per node", hw.host_memory_bytes, gib(hw.host_memory_bytes.value_or(0)));
  }
  if (hw.nvlink_domain_gpus.known()) {
    add_source(o.sources, "GPUs joined by NVLink", hw.nvlink_domain_gpus,
               fmt::format("{:g}", hw.nvlink_domain_gpus.value_or(0)));
  }

  plan::Rates rates;
  try {
    rates = plan::resolve_rates(hw, prec, in.assumptions);
    if (train) {
      // Checkpoints and failures: storage rates from the flags over this option's profile; an option
      // whose storage is unknown (a datasheet GPU without --checkpoint-write) shows why.
      plan::apply_resilience_overrides(w.train.resilience, rates);
      plan::check_resilience(w, pc, rates, w.gpus > 0 ? w.gpus : w.par.world(), hw.id);
    }
  } catch (const core::InputError& e) {
    f.error = e.what();
    return;
  }
  o.roof_flop_per_s = rates.gemm_flop_per_s;
  o.roof_bytes_per_s = rates.memory_bytes_per_s;
  o.peak_flop_per_s = rates.peak_flop_per_s;
  const plan::PlanContext ctx{in.command_line, hw.id, hw.name, o.input.source, rates, in.assumptions};

  if (!train) {
    // The replica layout: searched per option (the fewest GPUs for the QPS, else the most tokens/s
    // per GPU, as `plan infer --search`), or the workload's.
    plan::Workload used = w;
    const int max_tp = in.max_tp > 0 ? in.max_tp : static_cast<int>(rates.gpus_per_node);
    if (in.search && !in.infer_layout_fixed) {
      const plan::InferSearchResult s = plan::search_infer(w, pc, rates, in.assumptions, max_tp, 8);
      used = s.best;
      o.evaluated = s.candidates.size();
      o.fitting = s.usable();
    }
    const plan::InferResult r = plan::evaluate_infer(used, pc, rates, in.assumptions);
    if (o.evaluated > 0 && !(r.memory.fits && r.time.meets_slo)) {
      o.note = fmt::format("best of the {} tried (TP up to {} × PP up to 8 dividing the {} layers); {}",
                           detail::count_text(static_cast<double>(o.evaluated), "replica layout"), max_tp,
                           w.model.num_layers,
                           r.memory.fits ? "none meets the latency SLO" : "none fits");
    }
    const auto& m = r.memory;
    f.fits = m.fits;
    f.meets_target = r.time.meets_slo;
    f.gpus = r.gpus_per_replica;
    f.memory_bytes = m.total_bytes;
    f.capacity_bytes = m.budget_bytes;
    f.tokens_per_s_per_gpu = r.time.tokens_per_s_per_gpu;
    o.memory_parts = {{"weights", m.weights_bytes},
                      {"KV cache", std::max(0.0, m.total_bytes - m.weights_bytes - m.workspace_bytes - m.overhead_bytes)},
                      {"prefill workspace", m.workspace_bytes},
                      {"runtime overhead", m.overhead_bytes}};
    o.parallelism = fmt::format("TP {} · PP {} · batch {:.0f}", used.par.tp, used.par.pp, r.time.batch);
    o.ttft_s = r.time.ttft_under_load_s;  // at the planned batch (the prompt alone is a lower bound)
    o.tpot_s = r.time.tpot_s;
    o.max_concurrent_requests = m.max_concurrent_requests;
    o.gpus_for_qps = r.time.gpus_for_qps;
    o.batch_sweep = plan::infer_batch_sweep(used, pc, rates, in.assumptions);
    o.batch = r.time.batch;
    o.tokens_per_s = r.time.tokens_per_s;
    o.ops = {{"prefill (1 request)", r.time.prefill.flop, r.time.prefill.bytes},
             {r.time.micro_batch < r.time.batch
                  ? fmt::format("decode (micro-batch {:.0f} of {:.0f})", r.time.micro_batch, r.time.batch)
                  : fmt::format("decode (batch {:.0f})", r.time.batch),
              r.time.decode.flop, r.time.decode.bytes}};
    o.assumptions = plan::assumption_lines(used, ctx);
    return;
  }

  plan::Workload used = w;
  plan::TrainResult r;
  if (in.search) {
    plan::SearchOptions so;
    so.gpus = w.gpus > 0 ? w.gpus : w.par.world();
    so.max_tp = in.max_tp;
    so.keep = 2;
    const plan::SearchResult s = plan::search_train(w, pc, rates, in.assumptions, so);
    o.evaluated = s.evaluated;
    o.fitting = s.fitting;
    if (!s.best.empty()) {
      used = s.best.front().workload;
      r = s.best.front().result;
      const auto why = plan::explain_winner(s);
      if (why.available) o.note = why.summary;
    } else if (!s.fastest_unfit.empty() && s.fastest_unfit.front().result.memory.margin_bytes >= 0) {
      // Every layout that fits the GPUs misses the host's RAM (offloaded optimizer): show the fastest
      // of them, so the figures say that host memory is what does not fit.
      used = s.fastest_unfit.front().workload;
      r = s.fastest_unfit.front().result;
      o.note = fmt::format("no configuration of {} fits ({} evaluated); {}", detail::count_text(so.gpus, "GPU"),
                           s.evaluated, plan::explain_winner(s).binding);
    } else {
      r = plan::evaluate_train(w, pc, rates, in.assumptions);
      o.note = fmt::format("no configuration of {} fits ({} evaluated); memory shown for the workload's own layout",
                           detail::count_text(so.gpus, "GPU"), s.evaluated);
    }
  } else {
    r = plan::evaluate_train(w, pc, rates, in.assumptions);
  }
  const auto& m = r.memory;
  f.fits = m.fits;
  f.gpus = r.gpus;
  f.memory_bytes = m.total_bytes;
  f.capacity_bytes = m.capacity_bytes;
  f.host_bytes_per_node = m.host_bytes_per_node;
  f.host_capacity_bytes = m.host_capacity_bytes;
  f.time_to_train_s = r.time.time_to_train_s;
  f.tokens_per_s_per_gpu = r.time.tokens_per_s_per_gpu;
  f.meets_target = !in.max_time_to_train_s || f.time_to_train_s <= *in.max_time_to_train_s;
  o.memory_parts = {{"weights", m.weights_bytes},         {"gradients", m.gradients_bytes},
                    {"master weights", m.master_bytes},   {"optimizer states", m.optimizer_bytes},
                    {"activations", m.activations_bytes}, {"runtime overhead", m.overhead_bytes}};
  o.parallelism = parallelism_text(used);
  o.step_s = r.time.step_s;
  o.mfu = r.time.mfu;
  o.gpu_hours = r.time.gpu_hours;
  o.energy_kwh = r.time.energy_kwh;
  o.tokens_per_s = r.time.tokens_per_s;
  o.ops = train_ops(used);
  o.assumptions = plan::assumption_lines(used, ctx);
}

void cost_option(const ProcurementInput& in, const std::string& scenario_file, ProcurementOption& o) {
  namespace tco = plan::tco;
  o.scenario_file = scenario_file;
  tco::Scenario sc = tco::load_scenario(scenario_file);
  const tco::PriceCatalog catalog =
      tco::load_price_catalog(in.prices_file.empty() ? tco::scenario_catalog_path(sc, in.data_dir) : in.prices_file);
  auto& f = o.figures;
  if (!f.error.empty() || !f.fits) return;  // nothing to cost
  const bool train = in.workload.phase == plan::Phase::kTrain;
  const std::string from = fmt::format("headroom planner: {} ({})", o.input.label, o.parallelism);
  if (train) {
    sc.workload["train_gpu_hours"] = tco::NumberInput::sourced(o.gpu_hours, from);
    sc.workload.erase("tokens_per_s_per_gpu");
    sc.fleet["gpus"] = tco::NumberInput::sourced(f.gpus, from + ": the job's GPU count is the fleet");
  } else {
    sc.workload["tokens_per_s_per_gpu"] = tco::NumberInput::sourced(f.tokens_per_s_per_gpu, from);
    sc.workload.erase("train_gpu_hours");
    if (o.gpus_for_qps > 0) {
      sc.fleet["gpus"] = tco::NumberInput::sourced(std::ceil(o.gpus_for_qps), from + ": GPUs for the offered QPS");
    } else if (auto it = sc.fleet.find("gpus");
               it != sc.fleet.end() && f.gpus > 0 &&
               (it->second.kind == tco::NumberInput::Kind::kLiteral || it->second.kind == tco::NumberInput::Kind::kSourced)) {
      // Without a QPS the scenario's fleet serves: in whole replicas of TP × PP GPUs.
      const double given = it->second.value;
      const double whole = std::max(1.0, std::ceil(given / f.gpus)) * f.gpus;
      if (whole != given) {
        sc.fleet["gpus"] = tco::NumberInput::sourced(
            whole, fmt::format("{}: the scenario's {} rounded up to whole replicas of {}", from,
                               detail::count_text(given, "GPU"), f.gpus));
      }
    }
  }
  if (in.utilisation) sc.fleet["utilisation"] = tco::NumberInput::sourced(*in.utilisation, "command line");
  if (in.years) sc.fleet["years"] = tco::NumberInput::sourced(*in.years, "command line");
  try {
    o.tco = tco::run_tco(sc, catalog, in.today);
  } catch (const core::InputError& e) {
    o.tco_error = e.what();
    return;
  }
  for (const auto& c : o.tco->result.per_option) {
    const std::optional<double> v = train ? c.train_run_usd : c.usd_per_million_tokens;
    if (v && (!f.cost_usd || *v < *f.cost_usd)) {
      f.cost_usd = v;
      f.cost_basis = c.option;
    }
  }
}

}  // namespace

ProcurementReport build_procurement(const ProcurementInput& in) {
  ProcurementReport rep;
  rep.input = in;
  const plan::Workload& w = in.workload;
  rep.model_name = w.model.name.empty() ? w.model.id : w.model.name;
  if (in.options.empty()) throw core::InputError("command line", "--gpu", "at least one GPU option (--gpu or --profile)");
  if (w.phase == plan::Phase::kTrain && !(w.train.tokens > 0)) {
    throw core::InputError("workload", "$.train.tokens", "a training token budget > 0 (time-to-train needs it)");
  }
  const auto& files = in.scenario_files;
  if (files.size() > 1 && files.size() != in.options.size()) {
    throw core::InputError("command line", "--scenario",
                           fmt::format("one scenario for every option or one per option ({}), got {}",
                                       in.options.size(), files.size()));
  }
  if (files.size() == 1 && in.options.size() > 1) {
    rep.notes.push_back("One scenario (" + files.front() +
                        ") prices every option: its cloud offers, node price and node power apply to all of them; "
                        "only the planner's GPU-hours (or tokens/s) and GPU count differ between options.");
  }
  if (files.empty()) rep.notes.push_back("No TCO scenario was given: cost is not computed.");
  const bool offload = w.phase == plan::Phase::kTrain && w.train.offload == plan::Offload::kOptimizer;
  if (in.host_memory_bytes) {
    if (!offload) {
      throw core::InputError("command line", "--host-memory",
                             "--offload optimizer with it, for training (host RAM is checked only for an offloaded "
                             "optimizer)");
    }
    if (!(*in.host_memory_bytes > 0 && std::isfinite(*in.host_memory_bytes)))
      throw core::InputError("command line", "--host-memory", "a positive, finite host memory per node");
  }
  const plan::ParamCounts pc = plan::count_params(w.model);
  for (std::size_t i = 0; i < in.options.size(); ++i) {
    ProcurementOption o;
    o.input = in.options[i];
    if (in.host_memory_bytes) {
      // One host design for every option: the given RAM replaces each profile's own.
      plan::Quantity& q = o.input.profile.host_memory_bytes;
      q.value = *in.host_memory_bytes;
      q.provenance = plan::Provenance::kOverride;
      q.source = "--host-memory";
      q.as_of.clear();
    }
    plan_option(in, pc, o);
    if (!files.empty()) cost_option(in, files.size() == 1 ? files.front() : files[i], o);
    rep.options.push_back(std::move(o));
  }
  std::vector<OptionFigures> figures;
  for (const auto& o : rep.options) figures.push_back(o.figures);
  rep.recommendation = recommend(figures, w.phase, in.max_time_to_train_s,
                                 w.infer.tpot_slo_s > 0 || w.infer.ttft_slo_s > 0);
  return rep;
}

}  // namespace headroom::report
