#include "headroom/plan/adapter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace headroom::plan {

std::string to_string(AdapterMethod m) {
  switch (m) {
    case AdapterMethod::kNone: return "none";
    case AdapterMethod::kLora: return "lora";
    case AdapterMethod::kQlora: return "qlora";
  }
  return "none";
}

AdapterMethod adapter_method_from_string(const std::string& s) {
  for (AdapterMethod m : {AdapterMethod::kNone, AdapterMethod::kLora, AdapterMethod::kQlora}) {
    if (s == to_string(m)) return m;
  }
  throw std::invalid_argument(fmt::format("lora, qlora or none, got '{}'", s));
}

namespace {

struct TargetName {
  const char* name;
  unsigned bits;
};
constexpr std::array<TargetName, 9> kTargetNames{{{"q", kTargetQ},
                                                  {"k", kTargetK},
                                                  {"v", kTargetV},
                                                  {"o", kTargetO},
                                                  {"gate", kTargetGate},
                                                  {"up", kTargetUp},
                                                  {"down", kTargetDown},
                                                  {"qkv", kTargetFusedQkv},
                                                  {"gate_up", kTargetFusedGateUp}}};

constexpr unsigned kAllLinear = kTargetQ | kTargetK | kTargetV | kTargetO | kTargetGate | kTargetUp | kTargetDown;

enum class Split { kColumn, kRow };

/// One linear projection: input and output features of the whole matrix, how TP splits it, and the
/// target bits that select it.
struct Matrix {
  double d_in = 0, d_out = 0;
  Split split = Split::kColumn;
  unsigned selected_by = 0;
};

/// Up to 5 attention matrices (MLA: q down / up, kv down / up, o) and 3 MLP matrices.
struct Matrices {
  std::array<Matrix, 8> m{};
  int n = 0;
  void add(double d_in, double d_out, Split s, unsigned by) { m[static_cast<std::size_t>(n++)] = {d_in, d_out, s, by}; }
};

Matrices attention_matrices(const ModelConfig& m, unsigned targets) {
  Matrices out;
  const double h = static_cast<double>(m.hidden_size);
  const double heads = static_cast<double>(m.num_heads);
  const double q = heads * static_cast<double>(m.head_dim);
  const double o = heads * static_cast<double>(m.value_head_dim());
  if (m.is_mla()) {
    // Q: down and up projections (or one full-rank projection); K and V share the KV down projection
    // (latent + decoupled RoPE key) and the up projection to per-head keys and values.
    const double lq = static_cast<double>(m.q_lora_rank), lkv = static_cast<double>(m.kv_lora_rank);
    const unsigned q_by = kTargetQ | kTargetFusedQkv, kv_by = kTargetK | kTargetV | kTargetFusedQkv;
    if (lq > 0) {
      out.add(h, lq, Split::kColumn, q_by);
      out.add(lq, q, Split::kColumn, q_by);
    } else {
      out.add(h, q, Split::kColumn, q_by);
    }
    out.add(h, lkv + static_cast<double>(m.qk_rope_head_dim), Split::kColumn, kv_by);
    out.add(lkv, heads * static_cast<double>(m.qk_nope_head_dim + m.value_head_dim()), Split::kColumn, kv_by);
  } else {
    const double kv = static_cast<double>(m.num_kv_heads);
    const double k = kv * static_cast<double>(m.head_dim), v = kv * static_cast<double>(m.value_head_dim());
    if (targets & kTargetFusedQkv) {
      out.add(h, q + k + v, Split::kColumn, kTargetFusedQkv);
    } else {
      out.add(h, q, Split::kColumn, kTargetQ);
      out.add(h, k, Split::kColumn, kTargetK);
      out.add(h, v, Split::kColumn, kTargetV);
    }
  }
  out.add(o, h, Split::kRow, kTargetO);
  return out;
}

/// An MLP of width f: gate and up (SwiGLU; fused into one when targeted as gate_up) or one FC1
/// (GeLU: "up"), then down.
void add_mlp(Matrices& out, const ModelConfig& m, double f, unsigned targets) {
  const double h = static_cast<double>(m.hidden_size);
  if (m.mlp == MlpKind::kSwiglu) {
    if (targets & kTargetFusedGateUp) {
      out.add(h, 2.0 * f, Split::kColumn, kTargetFusedGateUp);
    } else {
      out.add(h, f, Split::kColumn, kTargetGate);
      out.add(h, f, Split::kColumn, kTargetUp);
    }
  } else {
    out.add(h, f, Split::kColumn, kTargetUp | kTargetFusedGateUp);
  }
  out.add(f, h, Split::kRow, kTargetDown);
}

/// Adds the matrices' adapters and frozen weights to `layer`; `copies` of them on the rank (routed
/// experts: E/ep), `used` of them per token (routed: top-k). Returns the whole-model elements of one copy.
double account(AdapterLayer& layer, const Matrices& ms, unsigned targets, double r, double tp, double copies,
               double used) {
  double whole = 0;
  for (int i = 0; i < ms.n; ++i) {
    const Matrix& x = ms.m[static_cast<std::size_t>(i)];
    const double d_in = x.split == Split::kRow ? x.d_in / tp : x.d_in;
    const double d_out = x.split == Split::kColumn ? x.d_out / tp : x.d_out;
    layer.frozen_linear += copies * x.d_in * x.d_out / tp;
    layer.largest_matrix = std::max(layer.largest_matrix, x.d_in * x.d_out / tp);
    if (!(targets & x.selected_by)) continue;
    whole += r * (x.d_in + x.d_out);
    layer.elements += copies * r * (d_in + d_out);
    layer.flop_per_token += used * 2.0 * r * (d_in + d_out);
    // Forward: read x, write and read x·A, read and write the output it is added to. Backward: read
    // the output gradient twice (for B's gradient and for x·A's), write and read x·A's gradient twice,
    // read x·A and x, read and write the input gradient it is added to. bf16 throughout.
    layer.fwd_bytes_per_token += used * 2.0 * (d_in + 2.0 * r + 2.0 * d_out);
    layer.bwd_bytes_per_token += used * 2.0 * (3.0 * d_in + 2.0 * d_out + 4.0 * r);
    layer.stored_per_token += used * r;
  }
  return whole;
}

}  // namespace

unsigned adapter_targets_from_names(const std::vector<std::string>& names, const ModelConfig& m) {
  if (names.empty()) throw std::invalid_argument("at least one target (or all-linear)");
  unsigned bits = 0;
  for (const std::string& n : names) {
    if (n == "all-linear") {
      if (names.size() > 1) throw std::invalid_argument("all-linear alone (it already names every projection)");
      return 0;
    }
    const auto it = std::find_if(kTargetNames.begin(), kTargetNames.end(),
                                 [&](const TargetName& t) { return n == t.name; });
    if (it == kTargetNames.end()) {
      throw std::invalid_argument(
          fmt::format("q, k, v, o, gate, up, down, qkv (fused), gate_up (fused) or all-linear, got '{}'", n));
    }
    if (bits & it->bits) throw std::invalid_argument(fmt::format("each target once, got '{}' twice", n));
    bits |= it->bits;
  }
  if ((bits & kTargetFusedQkv) && (bits & (kTargetQ | kTargetK | kTargetV))) {
    throw std::invalid_argument("either the fused qkv or separate q / k / v targets, not both");
  }
  if ((bits & kTargetFusedGateUp) && (bits & (kTargetGate | kTargetUp))) {
    throw std::invalid_argument("either the fused gate_up or separate gate / up targets, not both");
  }
  if (m.mlp != MlpKind::kSwiglu && (bits & kTargetGate)) {
    throw std::invalid_argument(
        fmt::format("no 'gate' for {} (its MLP has no gate projection: 'up' is FC1, 'down' is FC2)", m.id));
  }
  return bits;
}

std::vector<std::string> adapter_target_names(unsigned targets) {
  if (targets == 0) return {"all-linear"};
  std::vector<std::string> out;
  for (const TargetName& t : kTargetNames) {
    if (targets & t.bits) out.emplace_back(t.name);
  }
  return out;
}

AdapterCounts count_adapters(const ModelConfig& m, const AdapterSettings& a, int tp_ranks, int ep_ranks) noexcept {
  AdapterCounts c;
  const unsigned targets = a.targets == 0 ? kAllLinear : a.targets;
  const double r = static_cast<double>(a.rank);
  const double tp = tp_ranks, ep = ep_ranks;
  const double layers = static_cast<double>(m.num_layers);
  const Matrices attention = attention_matrices(m, targets);

  Matrices dense_mlp;
  add_mlp(dense_mlp, m, static_cast<double>(m.ffn_hidden_size), targets);
  const double dense_whole = account(c.dense, attention, targets, r, tp, 1, 1) +
                             account(c.dense, dense_mlp, targets, r, tp, 1, 1);
  if (!m.is_moe()) {
    c.total = layers * dense_whole;
    return c;
  }
  const double fm = static_cast<double>(m.moe_ffn_hidden_size > 0 ? m.moe_ffn_hidden_size : m.ffn_hidden_size);
  double shared_whole = account(c.moe_shared, attention, targets, r, tp, 1, 1);
  if (m.shared_experts > 0) {
    Matrices shared;  // the shared experts run as one MLP of shared × fm (Megatron, DeepSeek's modelling code)
    add_mlp(shared, m, static_cast<double>(m.shared_experts) * fm, targets);
    shared_whole += account(c.moe_shared, shared, targets, r, tp, 1, 1);
  }
  Matrices expert;
  add_mlp(expert, m, fm, targets);
  const double experts = static_cast<double>(m.num_experts);
  const double expert_whole = account(c.moe_expert, expert, targets, r, tp, experts / ep,
                                      static_cast<double>(m.experts_per_token));
  const double n_moe = static_cast<double>(m.moe_layers());
  c.total = (layers - n_moe) * dense_whole + n_moe * (shared_whole + experts * expert_whole);
  return c;
}

}  // namespace headroom::plan
