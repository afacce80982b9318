#pragma once
/// Parallelism search: every (TP, PP, CP, DP, EP, VPP, micro-batch, recompute, ZeRO, SP, rank order) that
/// divides the model and the GPU count, evaluated with evaluate_train(); the fastest configuration
/// that fits wins.
#include <cstdint>
#include <string>
#include <vector>

#include "headroom/plan/train.hpp"

namespace headroom::plan {

struct SearchOptions {
  int gpus = 0;    ///< total GPUs (required)
  int max_tp = 0;  ///< 0: GPUs per node
  int max_pp = 64;
  int max_cp = 8;   ///< context-parallel degrees tried: divisors of seq_len and of GPUs/(TP·PP) up to this
  int max_ep = 0;   ///< expert-parallel degrees tried for MoE (divisors of experts and DP·CP); 0: no limit
  int max_vpp = 8;  ///< interleaved chunks per stage tried (divisors of layers/PP) when PP > 1
  /// Also try a PP that does not divide the layers when one layer fewer on the first and the last stage
  /// makes it even (Llama 3 405B: 126 layers on 16 stages of 7, 8, …, 8, 7).
  bool uneven_stages = true;
  std::int64_t max_micro_batch = 16;
  bool try_recompute = true;  ///< also none / selective / full
  bool try_zero = true;       ///< ZeRO 0, 1 (distributed optimizer), 2 and 3
  /// Also try the other rank order (pipeline or data parallel outermost) where the two place the
  /// groups differently; false: the base workload's order only.
  bool try_rank_orders = true;
  std::size_t keep = 10;      ///< best configurations returned
};

struct SearchCandidate {
  Workload workload;  ///< with the chosen parallelism and settings
  TrainResult result;
};

struct SearchResult {
  std::vector<SearchCandidate> best;  ///< fastest first, all fit
  std::uint64_t evaluated = 0;
  std::uint64_t fitting = 0;
  /// The fastest configuration evaluated that does not fit, when it is faster than the winner (or
  /// nothing fits: then the fastest that fits the GPU but not the host's RAM, when an offloaded
  /// optimizer makes host memory the limit): memory is then the binding constraint. Empty otherwise.
  std::vector<SearchCandidate> fastest_unfit;
  /// Layouts the options ruled out before evaluating them, one sentence each (e.g. every PP > 1
  /// with an offloaded optimizer under a fixed ZeRO 2 / 3). Empty when nothing was ruled out.
  std::vector<std::string> notes;
};

/// Two step times closer than this share of the slower are "the same time per step": the model
/// cannot tell them apart, so neither a winner explanation nor a binding constraint rests on them.
inline constexpr double kSameStepTimeTolerance = 1e-3;

/// Why the fastest configuration beats the runner-up: the settings that differ and, per step-time
/// term, the seconds of each (positive `saved_s`: the winner spends less there).
struct WinnerExplanation {
  struct Term {
    const char* name;  ///< "compute", "memory-bound kernels", "TP communication", ...
    double winner_s;
    double runner_up_s;
    double saved_s;  ///< runner_up_s − winner_s
  };
  bool available = false;                ///< false with fewer than two candidates
  std::vector<std::string> differences;  ///< e.g. "TP 8 vs 4"
  std::vector<Term> terms;               ///< largest saving first
  /// When a faster configuration did not fit: "memory: TP 2, PP 1, ... would take 9.1 % less time
  /// per step but needs 95.3 GiB of the 80.0 GiB per GPU". Empty when memory does not bind.
  std::string binding;
  std::string summary;                   ///< one sentence for humans (ends with `binding` when set)
};
WinnerExplanation explain_winner(const SearchResult& r);

/// Throws core::InputError when `gpus` is not positive.
SearchResult search_train(const Workload& base, const ParamCounts& params, const Rates& rates, const Assumptions& a,
                          const SearchOptions& options);

}  // namespace headroom::plan
