#include "headroom/plan/search.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "headroom/core/errors.hpp"

namespace headroom::plan {

namespace {
struct Best {
  Parallelism par;
  TrainSettings train;
  TrainResult result;
};

/// What the search ranks by: time-to-train when checkpoints or failures are modelled and a token budget
/// is given (their cost is the same for every layout on these GPUs, but it grows with the productive
/// time), else the step time (the same order as time-to-train without them).
double rank_s(const TrainResult& r) noexcept {
  return r.checkpoint.enabled && r.time.steps > 0 ? r.time.time_to_train_s : r.time.step_s;
}
}  // namespace

SearchResult search_train(const Workload& base, const ParamCounts& params, const Rates& rates, const Assumptions& a,
                          const SearchOptions& o) {
  if (o.gpus <= 0) throw core::InputError("", "$.gpus", "a positive GPU count for the search");
  const ModelConfig& m = base.model;
  const int max_tp = o.max_tp > 0 ? o.max_tp : static_cast<int>(rates.gpus_per_node);
  const std::size_t keep = std::max<std::size_t>(1, o.keep);
  std::vector<Best> best;  // sorted by step time, at most `keep`; reserved so the loop never allocates
  best.reserve(keep + 1);
  Best unfit{};  // the fastest configuration that does not fit
  bool have_unfit = false;
  // The fastest that fits the GPU but not the host's RAM (optimizer offload): when nothing fits, the
  // host is what binds if such a configuration exists.
  Best unfit_host{};
  bool have_unfit_host = false;
  SearchResult res;
  std::uint64_t pipeline_ruled_out = 0;  // configurations with PP > 1 skipped for offload under ZeRO 2 / 3

  Workload w = base;  // the copy is mutated in place: no allocation inside the loops
  w.phase = Phase::kTrain;
  const std::array<Recompute, 3> recomputes{Recompute::kNone, Recompute::kSelective, Recompute::kFull};
  const std::int64_t seq = base.train.seq_len;
  const std::int64_t batch = base.train.global_batch;
  const int max_cp = m.is_hybrid() ? 1 : (o.max_cp > 0 ? o.max_cp : 1);
  const int max_ep = m.is_moe() ? (o.max_ep > 0 ? o.max_ep : o.gpus) : 1;
  for (int tp = 1; tp <= std::min(max_tp, o.gpus); ++tp) {
    // The heads and groups TP must split (validate()'s rule); hybrid models also keep CP 1 (max_cp).
    if (o.gpus % tp != 0 || tp_rule(m, tp, Phase::kTrain) != TpRule::kOk) continue;
    for (int pp = 1; pp <= std::min(o.max_pp, o.gpus / tp); ++pp) {
      if ((o.gpus / tp) % pp != 0) continue;
      // Even stages, or, when pp does not divide the layers, Llama 3's layout: one layer fewer on the
      // first and the last stage (they also hold the embedding and the output layer).
      const bool even = m.num_layers % pp == 0;
      const bool uneven = !even && o.uneven_stages && pp >= 3 && (m.num_layers + 2) % pp == 0 && (m.num_layers + 2) / pp >= 2;
      if (!even && !uneven) continue;
      const int edge_layers = uneven ? static_cast<int>((m.num_layers + 2) / pp - 1) : 0;
      const std::int64_t layers_per_stage = even ? m.num_layers / pp : edge_layers + 1;
      for (int cp = 1; cp <= std::min(max_cp, o.gpus / (tp * pp)); ++cp) {
        if ((o.gpus / (tp * pp)) % cp != 0 || seq % cp != 0) continue;
        const int dp = o.gpus / (tp * pp * cp);
        if (batch % dp != 0) continue;
        // Both rank orders only where they place the DP and PP groups differently (PP and DP > 1,
        // spread over nodes, TP·CP smaller than a node, or NVLink islands). Where they are equivalent
        // the search reports the default one; --rank-order (try_rank_orders false) fixes the order.
        std::array<RankOrder, 2> orders{o.try_rank_orders ? RankOrder::kPipelineOuter : base.par.rank_order,
                                        RankOrder::kPipelineOuter};
        int n_orders = 1;
        if (o.try_rank_orders) {
          Parallelism pipe_outer{}, data_outer{};
          pipe_outer.tp = data_outer.tp = tp;
          pipe_outer.pp = data_outer.pp = pp;
          pipe_outer.dp = data_outer.dp = dp;
          pipe_outer.cp = data_outer.cp = cp;
          data_outer.rank_order = RankOrder::kDataOuter;
          const RankPlacement pa = rank_placement(pipe_outer, rates.gpus_per_node);
          const RankPlacement pb = rank_placement(data_outer, rates.gpus_per_node);
          // What evaluate_train reads of a placement: a group's ranks per node and the bus its span gets,
          // for the groups that communicate (DP with dp·cp > 1, PP with pp > 1).
          const bool dp_differs = dp * cp > 1 && (pa.dp_ranks_per_node != pb.dp_ranks_per_node ||
                                                  pa.dp_intra != pb.dp_intra ||
                                                  rates.intra_bus_for(pa.dp_span_gpus) !=
                                                      rates.intra_bus_for(pb.dp_span_gpus));
          const bool pp_differs =
              pp > 1 && (pa.pp_intra != pb.pp_intra ||
                         rates.intra_bus_for(pa.pp_span_gpus) != rates.intra_bus_for(pb.pp_span_gpus));
          if (dp_differs || pp_differs) {
            orders = {RankOrder::kPipelineOuter, RankOrder::kDataOuter};
            n_orders = 2;
          }
        }
        for (int ep = 1; ep <= std::min(max_ep, dp * cp); ++ep) {
          if ((dp * cp) % ep != 0 || (ep > 1 && m.num_experts % ep != 0)) continue;
          // Interleaving: vpp chunks of layers/(pp·vpp) layers per (middle) stage (pp > 1).
          for (int vpp = 1; vpp <= (pp > 1 ? std::min<std::int64_t>(o.max_vpp, layers_per_stage) : 1); ++vpp) {
            if (layers_per_stage % vpp != 0) continue;
            for (std::int64_t mbs = 1; mbs <= o.max_micro_batch; mbs *= 2) {
              if (batch % (mbs * dp) != 0) continue;
              // Megatron's interleaved schedule needs the micro-batch count to be a multiple of pp.
              if (vpp > 1 && (batch / (mbs * dp)) % pp != 0) continue;
              for (int ri = 0; ri < (o.try_recompute ? 3 : 1); ++ri) {
                // With flash attention, selective recompute stores exactly what "none" stores.
                if (o.try_recompute && ri == 1 && base.train.flash_attention) continue;
                for (int zero = 0; zero <= (o.try_zero ? 3 : 0); ++zero) {
                  // An offloaded optimizer is a ZeRO optimizer (stage 1 or more).
                  // With pipeline parallelism only ZeRO 1 (DeepSpeed's pipeline engine, Megatron); a
                  // fixed ZeRO 2 / 3 then leaves only PP 1.
                  const int z = o.try_zero ? zero : base.train.zero_stage;
                  if (base.train.offload == Offload::kOptimizer && (z == 0 || (pp > 1 && z >= 2))) {
                    // Only a fixed stage rules the pipeline out (a searched one still tries ZeRO 1).
                    if (pp > 1 && !o.try_zero) ++pipeline_ruled_out;
                    continue;
                  }
                  for (int sp = 0; sp <= (tp > 1 ? 1 : 0); ++sp) {
                    for (int oi = 0; oi < n_orders; ++oi) {
                      w.par = Parallelism{};
                      w.par.rank_order = orders[static_cast<std::size_t>(oi)];
                      w.par.tp = tp;
                      w.par.pp = pp;
                      w.par.dp = dp;
                      w.par.cp = cp;
                      w.par.ep = ep;
                      w.par.vpp = vpp;
                      w.par.sequence_parallel = sp == 1;
                      w.par.first_stage_layers = edge_layers;
                      w.par.last_stage_layers = edge_layers;
                      w.train.micro_batch = mbs;
                      w.train.recompute =
                          o.try_recompute ? recomputes[static_cast<std::size_t>(ri)] : base.train.recompute;
                      w.train.zero_stage = z;
                      const TrainResult r = evaluate_train(w, params, rates, a);
                      ++res.evaluated;
                      if (!r.memory.fits) {
                        if (!have_unfit || r.time.step_s < unfit.result.time.step_s) unfit = Best{w.par, w.train, r};
                        have_unfit = true;
                        if (r.memory.margin_bytes >= 0 &&
                            (!have_unfit_host || r.time.step_s < unfit_host.result.time.step_s)) {
                          unfit_host = Best{w.par, w.train, r};
                          have_unfit_host = true;
                        }
                        continue;
                      }
                      ++res.fitting;
                      const double key = rank_s(r);
                      if (best.size() == keep && key >= rank_s(best.back().result)) continue;
                      auto pos = std::upper_bound(best.begin(), best.end(), key,
                                                  [&](double s, const Best& b) { return s < rank_s(b.result); });
                      best.insert(pos, Best{w.par, w.train, r});
                      if (best.size() > keep) best.pop_back();
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  const auto candidate = [&](const Best& b) {
    SearchCandidate c{base, b.result};
    c.workload.phase = Phase::kTrain;
    c.workload.par = b.par;
    c.workload.train = b.train;
    c.workload.gpus = o.gpus;
    return c;
  };
  for (const auto& b : best) res.best.push_back(candidate(b));
  if (best.empty() && have_unfit_host) {
    res.fastest_unfit.push_back(candidate(unfit_host));  // more host RAM would make it run
  } else if (have_unfit && (best.empty() || unfit.result.time.step_s <
                                                (1.0 - kSameStepTimeTolerance) * best.front().result.time.step_s)) {
    // Memory binds only when the configuration that does not fit is faster by more than a tie.
    res.fastest_unfit.push_back(candidate(unfit));
  }
  if (pipeline_ruled_out > 0) {
    res.notes.push_back(fmt::format(
        "pipeline layouts (PP > 1, {} configurations) were not evaluated: an offloaded optimizer with pipeline "
        "parallelism needs ZeRO 1 (DeepSpeed's pipeline engine), and the ZeRO stage is fixed at {}",
        pipeline_ruled_out, base.train.zero_stage));
  }
  return res;
}

namespace {
/// "first / last stage 7 / 7 layers" (0: an even share), or "even stages".
std::string stage_text(const Parallelism& p) {
  if (p.first_stage_layers == 0 && p.last_stage_layers == 0) return "even stages";
  return fmt::format("first / last stage {} / {} layers", p.first_stage_layers, p.last_stage_layers);
}

/// "TP 2, PP 1, DP 4, micro-batch 1, ZeRO 1, recompute none, SP off" (CP, EP, VPP only when > 1).
std::string settings_text(const Parallelism& p, const TrainSettings& t) {
  std::string s = fmt::format("TP {}, PP {}, DP {}", p.tp, p.pp, p.dp);
  if (p.cp > 1) s += fmt::format(", CP {}", p.cp);
  if (p.ep > 1) s += fmt::format(", EP {}", p.ep);
  if (p.vpp > 1) s += fmt::format(", VPP {}", p.vpp);
  if (p.first_stage_layers > 0 || p.last_stage_layers > 0) s += fmt::format(", {}", stage_text(p));
  s += fmt::format(", micro-batch {}, ZeRO {}, recompute {}, SP {}", t.micro_batch, t.zero_stage,
                   to_string(t.recompute), p.sequence_parallel ? "on" : "off");
  if (p.rank_order == RankOrder::kDataOuter) s += ", ranks tp-cp-ep-pp-dp";
  return s;
}
}  // namespace

WinnerExplanation explain_winner(const SearchResult& r) {
  WinnerExplanation e;
  if (!r.fastest_unfit.empty()) {
    const SearchCandidate& u = r.fastest_unfit.front();
    const TrainMemory& um = u.result.memory;
    constexpr double kGiB = 1073741824.0;
    // Memory binds on the GPU or, with an offloaded optimizer, on the host.
    const std::string needs =
        um.margin_bytes < 0 || um.host_fits
            ? fmt::format("{:.1f} GiB of the {:.1f} GiB per GPU", um.total_bytes / kGiB, um.capacity_bytes / kGiB)
            : fmt::format("{:.1f} GiB of host memory per node, of {:.1f} GiB usable", um.host_bytes_per_node / kGiB,
                          um.host_capacity_bytes / kGiB);
    e.binding =
        r.best.empty()
            ? fmt::format(
                  "memory: nothing fits; the fastest configuration{} ({}) needs {}",
                  um.margin_bytes >= 0 ? " that fits the GPU" : "", settings_text(u.workload.par, u.workload.train),
                  needs)
            : fmt::format(
                  "memory: {} would take {:.1f} % less time per step but needs {}",
                  settings_text(u.workload.par, u.workload.train),
                  100.0 * (1.0 - u.result.time.step_s / r.best.front().result.time.step_s), needs);
    // What the search did not try may be what would have fitted: say so beside the constraint.
    for (const auto& n : r.notes) e.binding += "; " + n;
  }
  if (r.best.size() < 2) {
    e.summary = e.binding;
    return e;
  }
  e.available = true;
  const SearchCandidate& a = r.best[0];
  const SearchCandidate& b = r.best[1];
  const Parallelism& pa = a.workload.par;
  const Parallelism& pb = b.workload.par;
  const TrainSettings& ta = a.workload.train;
  const TrainSettings& tb = b.workload.train;
  std::vector<std::string> mine, theirs;
  const auto diff = [&](const char* what, const std::string& x, const std::string& y) {
    if (x == y) return;
    e.differences.push_back(fmt::format("{} {} vs {}", what, x, y));
    mine.push_back(fmt::format("{} {}", what, x));
    theirs.push_back(fmt::format("{} {}", what, y));
  };
  const auto on = [](bool v) { return std::string(v ? "on" : "off"); };
  diff("TP", std::to_string(pa.tp), std::to_string(pb.tp));
  diff("PP", std::to_string(pa.pp), std::to_string(pb.pp));
  diff("DP", std::to_string(pa.dp), std::to_string(pb.dp));
  diff("CP", std::to_string(pa.cp), std::to_string(pb.cp));
  diff("EP", std::to_string(pa.ep), std::to_string(pb.ep));
  diff("VPP", std::to_string(pa.vpp), std::to_string(pb.vpp));
  diff("layout", stage_text(pa), stage_text(pb));
  diff("micro-batch", std::to_string(ta.micro_batch), std::to_string(tb.micro_batch));
  diff("ZeRO", std::to_string(ta.zero_stage), std::to_string(tb.zero_stage));
  diff("recompute", to_string(ta.recompute), to_string(tb.recompute));
  diff("SP", on(pa.sequence_parallel), on(pb.sequence_parallel));
  diff("rank order", to_string(pa.rank_order), to_string(pb.rank_order));
  const TrainTime& x = a.result.time;
  const TrainTime& y = b.result.time;
  e.terms = {{"compute (GEMM + attention)", x.compute_s, y.compute_s, 0},
             {"memory-bound kernels", x.elementwise_s, y.elementwise_s, 0},
             {"TP communication", x.tp_comm_s, y.tp_comm_s, 0},
             {"PP communication", x.pp_comm_s, y.pp_comm_s, 0},
             {"CP communication", x.cp_comm_s, y.cp_comm_s, 0},
             {"EP all-to-all", x.ep_comm_s, y.ep_comm_s, 0},
             {"pipeline bubble", x.bubble_s, y.bubble_s, 0},
             {"DP communication", x.dp_comm_s, y.dp_comm_s, 0},
             {"optimizer", x.optimizer_s, y.optimizer_s, 0}};
  for (auto& t : e.terms) t.saved_s = t.runner_up_s - t.winner_s;
  std::sort(e.terms.begin(), e.terms.end(), [](const auto& l, const auto& m) { return l.saved_s > m.saved_s; });
  // Every term that favours the winner against every term that favours the runner-up (so the two sums
  // differ by the gap), largest first.
  const double noise = 1e-9 * std::max(a.result.time.step_s, b.result.time.step_s);
  std::vector<std::string> gains, losses;
  double gained = 0, lost = 0;
  for (const auto& t : e.terms) {
    if (t.saved_s > noise) {
      gains.emplace_back(t.name);
      gained += t.saved_s;
    } else if (t.saved_s < -noise) {
      losses.emplace_back(t.name);
      lost -= t.saved_s;
    }
  }
  std::reverse(losses.begin(), losses.end());  // the largest growth first
  const auto names = [](const std::vector<std::string>& v) {
    if (v.size() == 1) return v.front();
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + v[i];
    return s;
  };
  const std::string winner = mine.empty() ? std::string("the winner") : fmt::format("{}", fmt::join(mine, ", "));
  const std::string runner_up =
      theirs.empty() ? std::string("same settings") : fmt::format("{}", fmt::join(theirs, ", "));
  const double gap_s = y.step_s - x.step_s;
  if (gap_s <= kSameStepTimeTolerance * y.step_s) {
    // Within 0.1 %: the model cannot tell them apart; the winner is the one enumerated first.
    e.summary = fmt::format("{} and the runner-up ({}) take the same time per step (within 0.1 %)", winner, runner_up);
  } else {
    e.summary = fmt::format("{} beats the runner-up ({}) by {:.3g} s per step ({:.1f} %): {} {} by {:.3g} s", winner,
                            runner_up, gap_s, 100.0 * gap_s / y.step_s, names(gains),
                            gains.size() == 1 ? "shrinks" : "shrink", gained);
    if (!losses.empty()) e.summary += fmt::format(", which outweighs {} growing by {:.3g} s", names(losses), lost);
  }
  if (a.result.memory.margin_bytes < b.result.memory.margin_bytes) {
    e.summary += fmt::format("; it leaves less memory margin ({:.1f} vs {:.1f} GiB)",
                             a.result.memory.margin_bytes / 1073741824.0, b.result.memory.margin_bytes / 1073741824.0);
  }
  if (!e.binding.empty()) e.summary += "; " + e.binding;
  return e;
}

}  // namespace headroom::plan
