#include "headroom/report/regression.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <cmath>
#include <cstdlib>
#include <map>
#include <numeric>

#include "headroom/core/errors.hpp"

namespace headroom::report {

double normal_two_sided_p(double z) { return std::erfc(std::fabs(z) / std::sqrt(2.0)); }

namespace {
/// P(U <= u) for every u in [0, m·n] under the null hypothesis without ties. Recurrence on the
/// largest of the m + n values: it belongs to sample a with probability m/(m+n) and then beats all
/// n values of b (adds n to U), otherwise it belongs to b and adds nothing.
std::vector<double> exact_u_cdf(std::size_t m, std::size_t n) {
  const std::size_t max_u = m * n;
  // prob[i][j] is the pmf of U for sizes (i, j), each a vector of length i·j + 1.
  std::vector<std::vector<std::vector<double>>> prob(m + 1, std::vector<std::vector<double>>(n + 1));
  for (std::size_t i = 0; i <= m; ++i) {
    for (std::size_t j = 0; j <= n; ++j) {
      auto& p = prob[i][j];
      p.assign(i * j + 1, 0.0);
      if (i == 0 || j == 0) {
        p[0] = 1.0;
        continue;
      }
      const double wa = static_cast<double>(i) / static_cast<double>(i + j);
      const double wb = 1.0 - wa;
      const auto& from_a = prob[i - 1][j];
      const auto& from_b = prob[i][j - 1];
      for (std::size_t u = 0; u < from_a.size(); ++u) p[u + j] += wa * from_a[u];
      for (std::size_t u = 0; u < from_b.size(); ++u) p[u] += wb * from_b[u];
    }
  }
  std::vector<double> cdf(max_u + 1);
  double acc = 0;
  for (std::size_t u = 0; u <= max_u; ++u) {
    acc += prob[m][n][u];
    cdf[u] = acc;
  }
  return cdf;
}

/// Exact null CDFs by sample sizes, built once per size pair: compare() needs the same few sizes
/// for hundreds of metrics. Local to one call chain (no shared mutable state).
class ExactCdfs {
 public:
  /// nullptr when the sizes are beyond kMannWhitneyExactMax.
  const std::vector<double>* get(std::size_t n1, std::size_t n2) {
    if (n1 > kMannWhitneyExactMax || n2 > kMannWhitneyExactMax) return nullptr;
    // U's null distribution is the same for sizes (n1, n2) and (n2, n1).
    const auto key = std::minmax(n1, n2);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, exact_u_cdf(key.first, key.second)).first;
    return &it->second;
  }

 private:
  std::map<std::pair<std::size_t, std::size_t>, std::vector<double>> cache_;
};

double standard_normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

MannWhitney mann_whitney_impl(std::span<const double> a, std::span<const double> b, Alternative alternative,
                              ExactCdfs& cdfs) {
  if (a.empty() || b.empty()) throw core::InputError("Mann-Whitney U test: two non-empty samples");
  const std::size_t n1 = a.size(), n2 = b.size(), n = n1 + n2;
  // Rank the pooled sample; tied values share their average rank.
  std::vector<std::pair<double, bool>> pooled;  // value, from a
  pooled.reserve(n);
  for (double v : a) pooled.emplace_back(v, true);
  for (double v : b) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  double rank_sum_a = 0, tie_term = 0;  // tie_term = Σ (t³ − t) over groups of t tied values
  bool ties = false;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && pooled[j].first == pooled[i].first) ++j;
    const double t = static_cast<double>(j - i);
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k) {
      if (pooled[k].second) rank_sum_a += avg_rank;
    }
    if (j - i > 1) {
      ties = true;
      tie_term += t * t * t - t;
    }
    i = j;
  }
  const double d1 = static_cast<double>(n1), d2 = static_cast<double>(n2), dn = static_cast<double>(n);
  MannWhitney r;
  r.u = rank_sum_a - d1 * (d1 + 1) / 2.0;
  const std::vector<double>* cdf = ties ? nullptr : cdfs.get(n1, n2);
  if (cdf != nullptr) {
    const auto u = static_cast<std::size_t>(std::llround(r.u));
    const double lower = (*cdf)[u];                // P(U <= u)
    const double upper = (*cdf)[n1 * n2 - u];      // P(U >= u) = P(U <= n1·n2 − u): U is symmetric
    switch (alternative) {
      case Alternative::kTwoSided: r.p_value = std::min(1.0, 2.0 * std::min(lower, upper)); break;
      case Alternative::kLess: r.p_value = lower; break;
      case Alternative::kGreater: r.p_value = upper; break;
    }
    r.exact = true;
    return r;
  }
  const double mu = d1 * d2 / 2.0;
  const double var = d1 * d2 / 12.0 * ((dn + 1.0) - tie_term / (dn * (dn - 1.0)));
  if (var <= 0) {  // every value identical: no evidence of a difference
    r.p_value = 1.0;
    return r;
  }
  const double sd = std::sqrt(var);
  switch (alternative) {
    case Alternative::kTwoSided: {
      const double dev = std::max(0.0, std::fabs(r.u - mu) - 0.5);  // continuity correction
      r.p_value = std::min(1.0, normal_two_sided_p(dev / sd));
      break;
    }
    // One-sided: the continuity correction moves u half a step towards the null mean.
    case Alternative::kLess: r.p_value = standard_normal_cdf((r.u + 0.5 - mu) / sd); break;
    case Alternative::kGreater: r.p_value = standard_normal_cdf(-(r.u - 0.5 - mu) / sd); break;
  }
  return r;
}

bool all_positive(std::span<const double> v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return x > 0 && std::isfinite(x); });
}

std::vector<double> scaled(std::span<const double> v, double factor) {
  std::vector<double> out(v.begin(), v.end());
  for (auto& x : out) x *= factor;
  return out;
}

MarginTest margin_test_impl(std::span<const double> baseline, std::span<const double> current, core::Better better,
                            double min_effect, ExactCdfs& cdfs) {
  if (!all_positive(baseline) || !all_positive(current)) {
    throw core::InputError("margin test: positive, finite samples (a relative margin needs them)");
  }
  // Higher is better: worse = current below (1 − m)·baseline, better = above (1 + m)·baseline.
  // Lower is better: worse = current above (1 + m)·baseline, better = below (1 − m)·baseline.
  const bool higher = better == core::Better::kHigher;
  const auto down = scaled(baseline, 1.0 - min_effect);
  const auto up = scaled(baseline, 1.0 + min_effect);
  const MannWhitney worse = higher ? mann_whitney_impl(current, down, Alternative::kLess, cdfs)
                                   : mann_whitney_impl(current, up, Alternative::kGreater, cdfs);
  const MannWhitney good = higher ? mann_whitney_impl(current, up, Alternative::kGreater, cdfs)
                                  : mann_whitney_impl(current, down, Alternative::kLess, cdfs);
  return {worse.p_value, good.p_value, worse.exact && good.exact};
}

/// Number k of lowest U values whose cumulative null probability stays below tail_alpha: the
/// confidence bounds are then the k-th smallest and k-th largest pairwise ratio (0: unbounded).
std::size_t ci_order(std::size_t n1, std::size_t n2, double tail_alpha, ExactCdfs& cdfs, bool& exact) {
  const std::size_t half = n1 * n2 / 2;
  if (const auto* cdf = cdfs.get(n1, n2)) {
    exact = true;
    std::size_t k = 0;
    while (k <= half && (*cdf)[k] < tail_alpha) ++k;
    return std::min(k, half);
  }
  exact = false;
  // Normal approximation with continuity correction: P(U <= j) ≈ Φ((j + 0.5 − μ) / σ), monotone in
  // j, so binary-search the count of j in [0, half] with that below tail_alpha.
  const double mu = static_cast<double>(n1) * static_cast<double>(n2) / 2.0;
  const double sd = std::sqrt(static_cast<double>(n1) * static_cast<double>(n2) *
                              static_cast<double>(n1 + n2 + 1) / 12.0);
  std::size_t lo = 0, hi = half + 1;  // answer in [lo, hi)
  while (hi - lo > 1) {
    const std::size_t mid = (lo + hi) / 2;  // is j = mid − 1 below the tail?
    if (standard_normal_cdf((static_cast<double>(mid - 1) + 0.5 - mu) / sd) < tail_alpha) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return std::min(lo, half);
}

RatioEstimate hodges_lehmann_impl(std::span<const double> baseline, std::span<const double> current,
                                  double tail_alpha, ExactCdfs& cdfs) {
  if (baseline.empty() || current.empty()) throw core::InputError("Hodges-Lehmann estimate: two non-empty samples");
  if (!all_positive(baseline) || !all_positive(current)) {
    throw core::InputError("Hodges-Lehmann ratio: positive, finite samples");
  }
  if (!(tail_alpha > 0 && tail_alpha < 0.5)) throw core::InputError("Hodges-Lehmann ratio: tail_alpha in (0, 0.5)");
  std::vector<double> ratios;
  ratios.reserve(baseline.size() * current.size());
  for (double c : current) {
    for (double b : baseline) ratios.push_back(c / b);
  }
  const std::size_t n = ratios.size();
  // Order statistics by nth_element (linear time); the full sort is not needed.
  const auto kth = [&](std::size_t k) {  // 0-based
    std::nth_element(ratios.begin(), ratios.begin() + static_cast<std::ptrdiff_t>(k), ratios.end());
    return ratios[k];
  };
  RatioEstimate e;
  e.confidence = 1.0 - 2.0 * tail_alpha;
  e.ratio = n % 2 ? kth(n / 2) : 0.5 * (kth(n / 2 - 1) + kth(n / 2));
  const std::size_t k = ci_order(baseline.size(), current.size(), tail_alpha, cdfs, e.exact);
  if (k >= 1) {
    e.low = kth(k - 1);
    e.high = kth(n - k);
  }
  return e;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}
}  // namespace

MannWhitney mann_whitney_u(std::span<const double> a, std::span<const double> b, Alternative alternative) {
  ExactCdfs cdfs;
  return mann_whitney_impl(a, b, alternative, cdfs);
}

MarginTest margin_test(std::span<const double> baseline, std::span<const double> current, core::Better better,
                       double min_effect) {
  ExactCdfs cdfs;
  return margin_test_impl(baseline, current, better, min_effect, cdfs);
}

RatioEstimate hodges_lehmann_ratio(std::span<const double> baseline, std::span<const double> current,
                                   double tail_alpha) {
  ExactCdfs cdfs;
  return hodges_lehmann_impl(baseline, current, tail_alpha, cdfs);
}

std::string to_string(Change c) {
  switch (c) {
    case Change::kRegression: return "regression";
    case Change::kImprovement: return "improvement";
    case Change::kUnchanged: return "unchanged";
    case Change::kUntested: return "untested";
    case Change::kMissing: return "missing";
    case Change::kNew: return "new";
  }
  return "unchanged";
}

// ---------------------------------------------------------------------------------------------
// Inventory

FileComparison compare_files(const std::string& baseline_path, const std::string& current_path,
                             const CompareOptions& options) {
  FileComparison f{core::load_results(baseline_path), core::load_results(current_path), {}};
  f.comparison = compare(f.baseline, f.current, options);
  f.comparison.baseline_label = baseline_path;
  f.comparison.current_label = current_path;
  return f;
}

std::vector<InventoryChange> inventory_diff(const core::Results& baseline, const core::Results& current) {
  std::vector<InventoryChange> out;
  const auto diff = [&](const std::string& field, const std::string& a, const std::string& b) {
    if (a != b) out.push_back({field, a, b});
  };
  const auto opt = [](const auto& v) -> std::string {
    if (!v) return "unknown";
    return fmt::format("{}", *v);
  };
  const auto& hb = baseline.host;
  const auto& hc = current.host;
  diff("host cpu_model", hb.cpu_model, hc.cpu_model);
  diff("host cores", opt(hb.cores), opt(hc.cores));
  diff("host threads", opt(hb.threads), opt(hc.threads));
  diff("host cpu_max_mhz", opt(hb.cpu_max_mhz), opt(hc.cpu_max_mhz));
  diff("host memory_bytes", opt(hb.memory_bytes), opt(hc.memory_bytes));
  diff("host numa_nodes", opt(hb.numa_nodes), opt(hc.numa_nodes));
  diff("host os", hb.os, hc.os);
  diff("host kernel", hb.kernel, hc.kernel);
  diff("host compiler", hb.compiler, hc.compiler);
  diff("headroom version", baseline.run.tool_version, current.run.tool_version);
  diff("GPU count", std::to_string(baseline.devices.size()), std::to_string(current.devices.size()));
  const std::size_t nd = std::min(baseline.devices.size(), current.devices.size());
  for (std::size_t i = 0; i < nd; ++i) {
    const auto& a = baseline.devices[i];
    const auto& b = current.devices[i];
    const std::string g = fmt::format("GPU {} ", a.index);
    diff(g + "name", a.name, b.name);
    diff(g + "driver_version", opt(a.driver_version), opt(b.driver_version));
    diff(g + "cuda_runtime_version", opt(a.cuda_runtime_version), opt(b.cuda_runtime_version));
    diff(g + "cublas_version", opt(a.cublas_version), opt(b.cublas_version));
    diff(g + "nccl_version", opt(a.nccl_version), opt(b.nccl_version));
    diff(g + "compute_capability", opt(a.compute_capability), opt(b.compute_capability));
    diff(g + "clock_sm_mhz", opt(a.clock_sm_mhz), opt(b.clock_sm_mhz));
    diff(g + "clock_mem_mhz", opt(a.clock_mem_mhz), opt(b.clock_mem_mhz));
    diff(g + "power_limit_w", opt(a.power_limit_w), opt(b.power_limit_w));
    diff(g + "ecc_enabled", opt(a.ecc_enabled), opt(b.ecc_enabled));
    diff(g + "pcie_gen", opt(a.pcie_gen), opt(b.pcie_gen));
    diff(g + "pcie_width", opt(a.pcie_width), opt(b.pcie_width));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Two-run comparison

namespace {
/// The loader's case identity: parameter order is irrelevant (a file written without param_order
/// reads back alphabetical).
std::string instance_key(const core::CaseResult& c) { return core::case_identity(c); }

double headline(const core::Metric& m) {
  return m.summary ? m.summary->median : m.value.value_or(0.0);
}

int change_rank(Change c) {
  switch (c) {
    case Change::kRegression: return 0;
    case Change::kMissing: return 1;
    case Change::kImprovement: return 2;
    case Change::kUntested: return 3;
    case Change::kNew: return 4;
    case Change::kUnchanged: return 5;
  }
  return 5;
}

/// A comparison row for metric `m` of case `c`, with what identifies it filled in.
MetricComparison identify(const core::CaseResult& c, const core::Metric& m) {
  MetricComparison mc;
  mc.case_name = c.name;
  mc.params = core::params_key(c.params);
  mc.device = c.device;
  mc.metric = m.name;
  mc.unit = m.unit;
  mc.better = m.better;
  return mc;
}

/// |relative change| of cpu.clock's median from which compare warns that the clock moved. On the
/// development VM (2026-11-22) the all-thread median moved by at most 2.0 % between the repeated
/// quick runs of bench/cpu_repeatability.sh and bench/regression_check.sh, and by 3.7 % in the pair
/// where every GEMM fell 5-7 %.
constexpr double kClockShiftWarning = 0.02;

/// True when metric `m` has one sample per timed repetition of case `c`, i.e. more repetitions
/// would give it more samples. False for a value measured once per case (storage.small_files'
/// create_files_per_s has one sample in every suite). Cases without recorded repetition times
/// (older files) count as per repetition.
bool per_repetition(const core::CaseResult& c, const core::Metric& m) {
  return c.samples_s.empty() || m.samples.size() >= c.samples_s.size();
}

/// Smallest one-sided p-value the exact U test can reach with these sample sizes: 1 / C(n1+n2, n1).
double min_reachable_p(std::size_t n1, std::size_t n2) {
  double c = 1;
  for (std::size_t i = 1; i <= n1; ++i) c = c * static_cast<double>(n2 + i) / static_cast<double>(i);
  return std::min(1.0, 1.0 / c);
}
}  // namespace

Comparison compare(const core::Results& baseline, const core::Results& current, const CompareOptions& options) {
  // alpha is each one-sided test's level; the shift's interval is 1 − 2·alpha, so alpha < 0.5.
  if (!(options.alpha > 0 && options.alpha < 0.5)) throw core::InputError("", "--alpha", "a level in (0, 0.5)");
  if (!(options.min_effect >= 0 && options.min_effect < 1)) {
    throw core::InputError("", "--min-effect", "a fraction in [0, 1)");
  }
  Comparison out;
  out.options = options;
  out.inventory_changes = inventory_diff(baseline, current);
  ExactCdfs cdfs;

  std::map<std::string, const core::CaseResult*> cur_by_key;
  for (const auto& c : current.cases) cur_by_key.emplace(instance_key(c), &c);
  // Every baseline case by key, passed or not: a case that did not pass before and passes now is
  // listed as new (below), not dropped.
  std::map<std::string, const core::CaseResult*> base_by_key;
  for (const auto& b : baseline.cases) base_by_key.emplace(instance_key(b), &b);

  std::size_t few_samples = 0, smallest_n = SIZE_MAX;
  std::vector<std::string> gone;  // cases that passed before and are absent or waived now
  std::vector<std::string> gone_metrics;  // metrics measured before, absent or null in a passed case now
  for (const auto& b : baseline.cases) {
    const std::string key = instance_key(b);
    if (b.status != core::Status::kPassed) continue;  // nothing to regress from
    const auto it = cur_by_key.find(key);
    const core::CaseResult* c = it == cur_by_key.end() ? nullptr : it->second;
    // Gone: waived now (the device, the ranks or the feature is no longer there), or absent from a
    // current run that meant to run it: the same suite, a filter that selects it, and not a run
    // interrupted before it reached the case with --allow-incomplete. A quick run against a standard
    // baseline, or a filtered run, legitimately lacks instances.
    const bool meant = current.run.policy.suite == baseline.run.policy.suite &&
                       (current.run.filter.empty() || core::filter_matches(current.run.filter, b.name)) &&
                       !(current.run.incomplete && options.allow_incomplete);
    if ((c != nullptr && c->status == core::Status::kWaived) || (c == nullptr && meant)) {
      gone.push_back(b.name + (b.params.empty() ? "" : " " + core::params_key(b.params)) + " on " + b.device);
    }
    for (const auto& bm : b.metrics) {
      MetricComparison mc = identify(b, bm);
      mc.n_baseline = bm.samples.size();
      if (bm.value) mc.baseline_median = headline(bm);
      const core::Metric* cm = c == nullptr || c->status != core::Status::kPassed ? nullptr : c->metric(bm.name);
      if (!bm.value && (cm == nullptr || !cm->value) && c != nullptr && c->status == core::Status::kPassed) {
        // Null in the baseline and null or absent now (an α-β fit whose slope was not resolvable):
        // nothing was measured on either side, so nothing is missing. Listed, not counted.
        mc.change = Change::kUntested;
        mc.note = cm == nullptr ? "not measured in either run (null in the baseline, not in the current run)"
                                : "not measured in either run (null in both)";
        out.metrics.push_back(std::move(mc));
        continue;
      }
      if (c == nullptr) {
        mc.change = Change::kMissing;
        mc.note = "case not in the current run";
      } else if (c->status != core::Status::kPassed) {
        mc.change = Change::kMissing;
        mc.note = "current run: " + core::to_string(c->status) + (c->message.empty() ? "" : ": " + c->message);
        // Passed before, fails now (a driver upgrade that breaks NCCL): as bad as a regression.
        // Waived now is not a regression, but a case gone (the check fails on it unless
        // --allow-missing; see `gone` above).
        if (c->status == core::Status::kError) ++out.broken;
      } else if (cm == nullptr || !cm->value) {
        // The case passed on both sides but this metric, measured before, is not now: as much a
        // hole in the comparison as a case gone, so it fails the check the same way (see below).
        mc.change = Change::kMissing;
        mc.note = cm == nullptr ? "metric not in the current run" : "metric not measured in the current run (null)";
        gone_metrics.push_back(fmt::format("{}{} on {}: {}", b.name, b.params.empty() ? "" : " " + core::params_key(b.params),
                                           b.device, bm.name));
      }
      if (cm != nullptr && cm->value) {
        mc.current_median = headline(*cm);
        mc.n_current = cm->samples.size();
        if (mc.baseline_median && *mc.baseline_median != 0) {
          mc.relative_delta = (*mc.current_median - *mc.baseline_median) / *mc.baseline_median;
        }
        if (bm.unit != cm->unit) {
          mc.note = "unit changed from " + bm.unit + " to " + cm->unit;
          mc.change = Change::kUntested;
        } else if (bm.samples.empty() || cm->samples.empty()) {
          mc.change = Change::kUntested;
          mc.note = "no raw samples (" + (bm.samples.empty() ? bm.provenance : cm->provenance) + " value)";
        } else if (all_positive(bm.samples) &&
                   std::none_of(cm->samples.begin(), cm->samples.end(), [](double x) { return x > 0; })) {
          // Positive before, nothing above zero now: the case stopped doing its work or its
          // measurement broke. No relative margin can be tested, and none is needed.
          mc.change = Change::kRegression;
          mc.note = "collapsed: every current sample is <= 0, the baseline's are positive";
          ++out.tested;
        } else if (!all_positive(bm.samples) || !all_positive(cm->samples)) {
          mc.change = Change::kUntested;
          mc.note = "non-positive samples: a relative margin needs positive values";
        } else {
          // The decision: one-sided margin tests (see MarginTest). A change is flagged only when the
          // data show it beyond min_effect, not merely different from zero with a point estimate
          // beyond it.
          const auto mt = margin_test_impl(bm.samples, cm->samples, bm.better, options.min_effect, cdfs);
          mc.p_worse = mt.p_worse;
          mc.p_better = mt.p_better;
          mc.p_value = std::min(mt.p_worse, mt.p_better);
          mc.exact = mt.exact;
          mc.p_difference = mann_whitney_impl(cm->samples, bm.samples, Alternative::kTwoSided, cdfs).p_value;
          const auto hl = hodges_lehmann_impl(bm.samples, cm->samples, options.alpha, cdfs);
          mc.shift = hl.ratio - 1.0;
          if (hl.low) mc.shift_low = *hl.low - 1.0;
          if (hl.high) mc.shift_high = *hl.high - 1.0;
          if (mt.p_worse < options.alpha) {
            mc.change = Change::kRegression;
          } else if (mt.p_better < options.alpha) {
            mc.change = Change::kImprovement;
          }
          const std::size_t n = std::min(mc.n_baseline, mc.n_current);
          const bool by_design = !per_repetition(b, bm) || !per_repetition(*c, *cm);
          // With so few samples that even complete separation cannot reach alpha, no change however
          // large could be flagged: the metric is listed (with its p-values) but not counted as
          // tested, so a comparison of nothing but such metrics fails the gate as untested.
          if (const double pmin = min_reachable_p(mc.n_baseline, mc.n_current); pmin < options.alpha) {
            ++out.tested;
          } else {
            mc.change = Change::kUntested;
            mc.note = fmt::format("{} / {} sample(s){}: no change can be flagged (smallest p {:.3g} >= alpha {:g})",
                                  mc.n_baseline, mc.n_current, by_design ? ", one value per case by design" : "",
                                  pmin, options.alpha);
          }
          if (by_design) {
            // One value per case: more repetitions add no samples, so the few-repetitions advice
            // does not apply.
            if (mc.note.empty()) {
              mc.note = fmt::format("{} / {} sample(s), not one per repetition (by design)", mc.n_baseline, mc.n_current);
            }
          } else if (n < options.recommended_n) {
            ++few_samples;
            smallest_n = std::min(smallest_n, n);
          }
        }
      }
      if (mc.change == Change::kRegression) ++out.regressions;
      if (mc.change == Change::kImprovement) ++out.improvements;
      out.metrics.push_back(std::move(mc));
    }
  }
  for (const auto& c : current.cases) {
    if (c.status != core::Status::kPassed) continue;
    const auto it = base_by_key.find(instance_key(c));
    const core::CaseResult* b = it == base_by_key.end() ? nullptr : it->second;
    if (b != nullptr && b->status == core::Status::kPassed) continue;  // compared above
    for (const auto& m : c.metrics) {
      MetricComparison mc = identify(c, m);
      if (m.value) mc.current_median = headline(m);
      mc.n_current = m.samples.size();
      mc.change = Change::kNew;
      mc.note = b == nullptr ? "not in the baseline"
                             : "passes now; baseline: " + core::to_string(b->status) +
                                   (b->message.empty() ? "" : ": " + b->message);
      out.metrics.push_back(std::move(mc));
    }
  }
  std::stable_sort(out.metrics.begin(), out.metrics.end(), [](const auto& x, const auto& y) {
    if (change_rank(x.change) != change_rank(y.change)) return change_rank(x.change) < change_rank(y.change);
    return std::fabs(x.relative_delta.value_or(0)) > std::fabs(y.relative_delta.value_or(0));
  });

  if (few_samples > 0) {
    const double pmin = min_reachable_p(smallest_n, smallest_n);
    out.warnings.push_back(fmt::format(
        "{} metric(s) have fewer than {} repetitions on a side (smallest n = {}); with n = {} on both sides the "
        "smallest reachable one-sided p-value is {:.3g}{}. Use --suite standard or more repetitions.",
        few_samples, options.recommended_n, smallest_n, smallest_n, pmin,
        pmin >= options.alpha ? fmt::format(", so no change can be flagged at alpha = {:g}", options.alpha)
                              : std::string()));
  }
  const auto& pb = baseline.run.policy;
  const auto& pc = current.run.policy;
  if (pb.suite != pc.suite || pb.repetitions != pc.repetitions || pb.statistic != pc.statistic ||
      pb.min_time_s != pc.min_time_s) {
    out.warnings.push_back(fmt::format(
        "run policies differ (baseline: suite {}, {} repetitions, {}; current: suite {}, {} repetitions, {})",
        pb.suite, pb.repetitions, core::to_string(pb.statistic), pc.suite, pc.repetitions,
        core::to_string(pc.statistic)));
  }
  if (baseline.host.hostname != current.host.hostname) {
    out.warnings.push_back("different hosts: baseline '" + baseline.host.hostname + "', current '" +
                           current.host.hostname + "'");
  }
  // The measured CPU clock (cpu.clock, its widest instance where both runs have it): a shift of
  // kClockShiftWarning or more means compute-bound changes of a similar size may be the clock (turbo
  // budget, power capping, a neighbour), not the software.
  const auto threads_of = [](const std::string& params_key) {  // "threads=N" -> N
    const auto at = params_key.find("threads=");
    return at == std::string::npos ? 0LL : std::atoll(params_key.c_str() + at + 8);
  };
  const MetricComparison* clock = nullptr;
  for (const auto& m : out.metrics) {
    if (m.case_name != "cpu.clock" || m.metric != "clock_hz" || !m.relative_delta || !m.baseline_median ||
        !m.current_median) {
      continue;
    }
    if (clock == nullptr || threads_of(m.params) > threads_of(clock->params)) clock = &m;
  }
  if (clock != nullptr && std::fabs(*clock->relative_delta) >= kClockShiftWarning) {
    out.warnings.push_back(fmt::format(
        "the measured CPU clock moved {:+.1f} % ({:.3g} -> {:.3g} GHz, cpu.clock {}): compute-bound changes of a "
        "similar size may be the host's clock (turbo budget, power capping, a neighbour), not the software",
        100 * *clock->relative_delta, *clock->baseline_median / 1e9, *clock->current_median / 1e9, clock->params));
  }
  // A run on a busy machine measured its share of the machine (see core/activity.hpp).
  for (const auto& [which, run] : {std::pair<const char*, const core::RunInfo*>{"baseline", &baseline.run},
                                   std::pair<const char*, const core::RunInfo*>{"current", &current.run}}) {
    const core::Activity* busy = core::busy_activity(*run);
    if (busy == nullptr) continue;
    out.warnings.push_back(fmt::format(
        "the {} run was busy: other processes kept {:.2f} of {} CPUs busy on average during it; its CPU and memory "
        "figures understate the machine, so a difference may be the load, not the software",
        which, busy->other_busy_cpus, busy->cpus));
  }
  out.baseline_incomplete = baseline.run.incomplete;
  out.current_incomplete = current.run.incomplete;
  if (baseline.run.incomplete) out.warnings.push_back("the baseline run is incomplete: " + baseline.run.incomplete_reason);
  if (current.run.incomplete) {
    if (options.allow_incomplete) {
      out.warnings.push_back("the current run is incomplete (allowed by --allow-incomplete): " +
                             current.run.incomplete_reason);
    } else {
      out.problems.push_back("the current run is incomplete (" + current.run.incomplete_reason +
                             "): the cases it did not reach were not compared; pass --allow-incomplete to accept "
                             "what was measured");
    }
  }
  if (!gone.empty()) {
    const std::string some = fmt::format("{}{}", fmt::join(gone.begin(), gone.begin() + std::min<std::ptrdiff_t>(3, std::ssize(gone)), "; "),
                                         gone.size() > 3 ? fmt::format("; and {} more", gone.size() - 3) : std::string());
    if (options.allow_missing) {
      out.warnings.push_back(fmt::format("{} case(s) that passed in the baseline are missing or waived now "
                                         "(allowed by --allow-missing): {}",
                                         gone.size(), some));
    } else {
      out.problems.push_back(fmt::format(
          "{} case(s) that passed in the baseline are missing or waived now ({}): a device or rank count gone, or a "
          "benchmark the current run did not cover; pass --allow-missing to judge only what both runs have",
          gone.size(), some));
    }
  }
  if (!gone_metrics.empty()) {
    const std::string some =
        fmt::format("{}{}", fmt::join(gone_metrics.begin(), gone_metrics.begin() + std::min<std::ptrdiff_t>(3, std::ssize(gone_metrics)), "; "),
                    gone_metrics.size() > 3 ? fmt::format("; and {} more", gone_metrics.size() - 3) : std::string());
    if (options.allow_missing) {
      out.warnings.push_back(fmt::format("{} metric(s) measured in the baseline are missing or null now in a case "
                                         "that passed (allowed by --allow-missing): {}",
                                         gone_metrics.size(), some));
    } else {
      out.problems.push_back(fmt::format(
          "{} metric(s) measured in the baseline are missing or null now in a case that passed ({}): the benchmark "
          "stopped reporting them; pass --allow-missing to judge only what both runs have",
          gone_metrics.size(), some));
    }
  }
  if (out.tested == 0) {
    out.problems.push_back(fmt::format(
        "nothing was compared: no metric has samples in both runs that could show a change at alpha {:g} ({} "
        "listed: missing, new or untested)",
        options.alpha,
        out.metrics.size()));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fleet

std::vector<double> robust_z_scores(std::span<const double> values) {
  std::vector<double> z(values.size(), 0.0);
  if (values.empty()) return z;
  const double med = median_of({values.begin(), values.end()});
  std::vector<double> dev;
  dev.reserve(values.size());
  for (double v : values) dev.push_back(std::fabs(v - med));
  // 1.4826 = 1 / Φ⁻¹(3/4): makes the MAD a consistent estimator of σ for normal data.
  double scale = 1.4826 * median_of(dev);
  if (scale == 0) {
    // More than half the nodes agree exactly. 1.2533 = sqrt(π/2) makes the mean absolute
    // deviation consistent with σ (the fallback IBM SPSS uses for the modified z-score).
    scale = 1.2533 * std::accumulate(dev.begin(), dev.end(), 0.0) / static_cast<double>(dev.size());
  }
  if (scale == 0) return z;
  for (std::size_t i = 0; i < values.size(); ++i) z[i] = (values[i] - med) / scale;
  return z;
}

FleetInputs load_fleet_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw core::InputError(dir, "", "a directory of results.json files");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw core::InputError(dir, "", "at least one *.json results file");
  FleetInputs in;
  std::map<std::string, int> host_count;
  std::map<std::string, std::size_t> file_of_run;  // run.id -> index of its file
  for (const auto& f : files) {
    in.runs.push_back(core::load_results(f));
    ++host_count[in.runs.back().host.hostname];
    const auto [it, inserted] = file_of_run.emplace(in.runs.back().run.id, in.runs.size() - 1);
    if (!inserted) {
      throw core::InputError(f.string(), "$.run.id",
                             fmt::format("a run not already in {} (run {} is also {}: one run copied twice would "
                                         "count as two nodes)",
                                         dir, in.runs.back().run.id, files[it->second].string()));
    }
  }
  for (std::size_t i = 0; i < in.runs.size(); ++i) {
    const auto& h = in.runs[i].host.hostname;
    in.labels.push_back(host_count[h] > 1 ? h + " (" + files[i].filename().string() + ")" : h);
  }
  return in;
}

Fleet fleet_compare(const std::vector<core::Results>& runs, const std::vector<std::string>& labels,
                    const FleetOptions& options) {
  if (runs.size() != labels.size()) throw core::InputError("fleet_compare: one label per results file");
  if (!(options.z_threshold > 0 && std::isfinite(options.z_threshold))) {
    throw core::InputError("", "--z", "a positive, finite robust z threshold");
  }
  if (!(options.min_effect >= 0 && options.min_effect < 1)) {
    throw core::InputError("", "--min-effect", "a fraction in [0, 1)");
  }
  Fleet out;
  out.options = options;
  out.nodes = labels;
  if (runs.size() < 3) {
    out.warnings.push_back(fmt::format("{} node(s): fleet outliers need at least 3", runs.size()));
  }
  // A node that was busy during its run is an outlier for that reason alone (see core/activity.hpp).
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const core::Activity* a = core::busy_activity(runs[i].run);
    if (a == nullptr) continue;
    out.warnings.push_back(
        fmt::format("{} was busy during its run: other processes kept {:.2f} of {} CPUs busy on "
                    "average; its CPU and memory figures understate the node",
                    labels[i], a->other_busy_cpus, a->cpus));
  }
  struct Acc {
    FleetMetric fm;
    std::vector<double> values;
  };
  std::map<std::string, Acc> by_key;
  std::vector<std::string> order;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    for (const auto& c : runs[r].cases) {
      if (c.status != core::Status::kPassed) continue;
      for (const auto& m : c.metrics) {
        if (!m.value) continue;
        const std::string key = instance_key(c) + '\n' + m.name;
        auto [it, inserted] = by_key.try_emplace(key);
        if (inserted) {
          order.push_back(key);
          it->second.fm.case_name = c.name;
          it->second.fm.params = core::params_key(c.params);
          it->second.fm.device = c.device;
          it->second.fm.metric = m.name;
          it->second.fm.unit = m.unit;
          it->second.fm.better = m.better;
        }
        it->second.fm.nodes.push_back({labels[r], *m.value, 0, false, false});
        it->second.values.push_back(*m.value);
      }
    }
  }
  std::size_t skipped = 0;
  for (const auto& key : order) {
    auto& acc = by_key[key];
    if (acc.values.size() < 3) {
      ++skipped;
      continue;
    }
    auto& fm = acc.fm;
    fm.median = median_of(acc.values);
    std::vector<double> dev;
    for (double v : acc.values) dev.push_back(std::fabs(v - fm.median));
    fm.mad = median_of(dev);
    fm.min = *std::min_element(acc.values.begin(), acc.values.end());
    fm.max = *std::max_element(acc.values.begin(), acc.values.end());
    const auto z = robust_z_scores(acc.values);
    for (std::size_t i = 0; i < fm.nodes.size(); ++i) {
      auto& nv = fm.nodes[i];
      nv.robust_z = z[i];
      const double rel = fm.median != 0 ? (nv.value - fm.median) / std::fabs(fm.median) : 0.0;
      nv.outlier = std::fabs(z[i]) > options.z_threshold && std::fabs(rel) >= options.min_effect;
      nv.worse = fm.better == core::Better::kHigher ? nv.value < fm.median : nv.value > fm.median;
      if (nv.outlier && nv.worse) ++fm.bad_outliers;
    }
    out.bad_outliers += fm.bad_outliers;
    out.metrics.push_back(std::move(fm));
  }
  if (skipped > 0) {
    out.warnings.push_back(fmt::format("{} metric(s) measured on fewer than 3 nodes were skipped", skipped));
  }
  // As the regression gate: an interrupted node run did not reach every case, and a check of
  // nothing passes nothing.
  for (std::size_t r = 0; r < runs.size(); ++r) {
    if (!runs[r].run.incomplete) continue;
    const std::string what = fmt::format("the run of {} is incomplete ({})", labels[r], runs[r].run.incomplete_reason);
    if (options.allow_incomplete) {
      out.warnings.push_back(what + " (allowed by --allow-incomplete)");
    } else {
      out.problems.push_back(what + ": the cases it did not reach were not compared; pass --allow-incomplete to "
                                    "accept what was measured");
    }
  }
  if (out.metrics.empty()) {
    out.problems.push_back(fmt::format(
        "nothing was checked: no metric was measured on at least 3 of the {} node(s) (outliers need 3)", runs.size()));
  }
  std::stable_sort(out.metrics.begin(), out.metrics.end(),
                   [](const auto& a, const auto& b) { return (a.bad_outliers > 0) > (b.bad_outliers > 0); });
  return out;
}

}  // namespace headroom::report
