#pragma once
// Shared by the planner tests: the shipped catalog and quick workload builders.
#include "headroom/plan/catalog.hpp"
#include "headroom/plan/rates.hpp"
#include "headroom/plan/train.hpp"
#include "headroom/plan/workload.hpp"

namespace headroom::plan::test {

inline const Catalog& catalog() {
  static const Catalog c = Catalog::load(std::filesystem::path(HEADROOM_SOURCE_DIR) / "data");
  return c;
}

inline Workload train_workload(const std::string& model, int tp, int pp, int dp, std::int64_t global_batch,
                               std::int64_t seq, std::int64_t micro_batch = 1) {
  Workload w;
  w.model = catalog().model(model);
  w.name = model;
  w.phase = Phase::kTrain;
  w.par.tp = tp;
  w.par.pp = pp;
  w.par.dp = dp;
  w.train.global_batch = global_batch;
  w.train.seq_len = seq;
  w.train.micro_batch = micro_batch;
  w.gpus = tp * pp * dp;
  return w;
}

inline Rates rates_for(const std::string& gpu, Precision p = Precision::kBf16, const Assumptions& a = {}) {
  return resolve_rates(catalog().gpu(gpu), p, a);
}

/// Validates `w` and evaluates it on `gpu` with the default assumptions.
inline TrainResult train(const Workload& w, const std::string& gpu = "a100-sxm4-80gb") {
  validate(w);
  return evaluate_train(w, count_params(w.model), rates_for(gpu, w.train.precision), Assumptions{});
}

}  // namespace headroom::plan::test
