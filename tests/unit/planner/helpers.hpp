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

/// A small hand-computable dense model for known-answer tests: 4 layers, h 1024, 8 heads of 128
/// (MHA), FFN 4096 (the ModelConfig default MLP and norm), vocabulary 1000, RoPE, no biases, no dropout.
inline ModelConfig synthetic_dense_model() {
  ModelConfig m;
  m.id = "synthetic";
  m.num_layers = 4;
  m.hidden_size = 1024;
  m.num_heads = 8;
  m.num_kv_heads = 8;
  m.head_dim = 128;
  m.ffn_hidden_size = 4096;
  m.vocab_size = 1000;
  m.max_seq_len = 4096;
  m.position = PositionKind::kRope;
  m.linear_bias = false;
  m.dropout = false;
  return m;
}

/// A workload of synthetic_dense_model() in `phase`; the caller sets the batch, sequence and settings.
inline Workload synthetic_workload(Phase phase) {
  Workload w;
  w.model = synthetic_dense_model();
  w.name = "synthetic";
  w.phase = phase;
  return w;
}

/// Validates `w` and evaluates it on `gpu` with the default assumptions.
inline TrainResult train(const Workload& w, const std::string& gpu = "a100-sxm4-80gb") {
  validate(w);
  return evaluate_train(w, count_params(w.model), rates_for(gpu, w.train.precision), Assumptions{});
}

}  // namespace headroom::plan::test
