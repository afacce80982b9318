#pragma once
/// Parallelism search: every (TP, PP, DP, micro-batch, recompute, ZeRO, SP) that divides the model
/// and the GPU count, evaluated with evaluate_train(); the fastest configuration that fits wins.
#include <cstdint>
#include <vector>

#include "headroom/plan/train.hpp"

namespace headroom::plan {

struct SearchOptions {
  int gpus = 0;                  ///< total GPUs (required)
  int max_tp = 0;                ///< 0: GPUs per node
  int max_pp = 64;
  std::int64_t max_micro_batch = 16;
  bool try_recompute = true;     ///< also none / selective / full
  bool try_zero = true;          ///< also ZeRO 1 (distributed optimizer)
  std::size_t keep = 10;         ///< best configurations returned
};

struct SearchCandidate {
  Workload workload;             ///< with the chosen parallelism and settings
  TrainResult result;
};

struct SearchResult {
  std::vector<SearchCandidate> best;  ///< fastest first, all fit
  std::uint64_t evaluated = 0;
  std::uint64_t fitting = 0;
};

/// Throws core::InputError when `gpus` is not positive.
SearchResult search_train(const Workload& base, const ParamCounts& params, const Rates& rates,
                          const Assumptions& a, const SearchOptions& options);

}  // namespace headroom::plan
