#pragma once
/// Regression detection between two results files (`headroom compare`) and across a fleet of
/// nodes (`headroom compare --fleet`). Pure functions over core::Results; no I/O.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "headroom/core/results.hpp"

namespace headroom::report {

/// Which way the alternative hypothesis of a Mann-Whitney U test of sample a against b points.
enum class Alternative {
  kTwoSided,  ///< a and b differ in location
  kLess,      ///< a tends to be smaller than b: p = P(U <= u)
  kGreater,   ///< a tends to be larger than b: p = P(U >= u)
};

/// Mann-Whitney U test of "samples a and b come from the same distribution".
struct MannWhitney {
  double u = 0;          ///< U statistic of sample a (number of pairs with a > b, ties count 1/2)
  double p_value = 1;    ///< of the alternative asked for
  bool exact = false;    ///< exact null distribution (small n, no ties) or normal approximation
};

/// Exact distribution when both samples have at most kMannWhitneyExactMax values and there are no
/// ties; otherwise the normal approximation with tie-corrected variance and continuity correction.
/// Throws InputError when a sample is empty.
inline constexpr std::size_t kMannWhitneyExactMax = 25;
MannWhitney mann_whitney_u(std::span<const double> a, std::span<const double> b,
                           Alternative alternative = Alternative::kTwoSided);

/// Two-sided p-value of the standard normal: P(|Z| >= |z|).
double normal_two_sided_p(double z);

/// Hodges–Lehmann estimate of the ratio current / baseline (the median of all n_b·n_c pairwise
/// ratios c_j / b_i) with its distribution-free confidence interval: the k-th smallest and k-th
/// largest pairwise ratio, k from the U null distribution so that each tail has probability
/// < tail_alpha (Hollander & Wolfe, Nonparametric Statistical Methods, ch. 4). Positive samples only.
struct RatioEstimate {
  double ratio = 1;                 ///< current / baseline, point estimate
  std::optional<double> low;        ///< lower confidence bound of the ratio; nullopt when the sample
  std::optional<double> high;       ///< sizes cannot reach this confidence (e.g. n = 3 per side at 90 %)
  double confidence = 0;            ///< 1 − 2·tail_alpha
  bool exact = false;               ///< bounds from the exact null distribution
};
RatioEstimate hodges_lehmann_ratio(std::span<const double> baseline, std::span<const double> current,
                                   double tail_alpha);

/// The two one-sided margin (non-inferiority) tests behind compare(). With margin m and a
/// higher-is-better metric, "worse" tests H1: current < (1 − m)·baseline, i.e. current against the
/// baseline samples scaled by (1 − m) with the one-sided U test; "better" tests H1: current >
/// (1 + m)·baseline. Lower-is-better swaps the factors and the directions. Positive samples only.
struct MarginTest {
  double p_worse = 1;    ///< small: the data show a change worse than the margin
  double p_better = 1;   ///< small: the data show a change better than the margin
  bool exact = false;
};
MarginTest margin_test(std::span<const double> baseline, std::span<const double> current, core::Better better,
                       double min_effect);

struct CompareOptions {
  double alpha = 0.05;            ///< level of each one-sided margin test
  double min_effect = 0.03;       ///< margin: only a change shown to exceed this fraction counts
  std::size_t recommended_n = 9;  ///< fewer repetitions per side than this -> a warning
  /// An incomplete (interrupted) current run may pass: it is still reported, as a warning. Off: such
  /// a run fails the check (Comparison::problems), since the cases it did not reach were not compared.
  bool allow_incomplete = false;
  /// Cases that passed in the baseline and are absent or waived now (a GPU or a rank count gone, a
  /// benchmark not run), and metrics measured in the baseline that are absent or null now in a case
  /// that passed, may pass: listed as missing, with a warning. Off: they fail the check.
  bool allow_missing = false;
};

enum class Change {
  kRegression,    ///< the data show, at level alpha, a change worse than min_effect
  kImprovement,   ///< the data show, at level alpha, a change better than min_effect
  kUnchanged,     ///< neither shown (no change, a change within the margin, or too noisy to tell)
  kUntested,      ///< no raw samples on one side (derived value): delta shown, no test possible;
                  ///< also a metric measured in neither run (null in both)
  kMissing,       ///< in the baseline, not (passed) in the current run
  kNew,           ///< in the current run only
};
std::string to_string(Change c);

/// One metric of one case instance, matched by case name, parameters and device.
struct MetricComparison {
  std::string case_name;
  std::string params;             ///< core::params_key
  std::string device;
  std::string metric;
  std::string unit;
  core::Better better = core::Better::kHigher;
  std::optional<double> baseline_median;
  std::optional<double> current_median;
  std::optional<double> relative_delta;  ///< (current − baseline) / baseline, signed
  std::optional<double> p_value;         ///< the smaller of p_worse and p_better: the direction the data point
  std::optional<double> p_worse;         ///< one-sided margin test: change worse than min_effect
  std::optional<double> p_better;        ///< one-sided margin test: change better than min_effect
  std::optional<double> p_difference;    ///< plain two-sided U test of any difference (information only)
  std::optional<double> shift;           ///< Hodges–Lehmann relative shift, current/baseline − 1
  std::optional<double> shift_low;       ///< its (1 − 2·alpha) confidence interval (null: n too small)
  std::optional<double> shift_high;
  bool exact = false;                    ///< the margin tests used the exact null distribution
  std::size_t n_baseline = 0;
  std::size_t n_current = 0;
  Change change = Change::kUnchanged;
  std::string note;               ///< e.g. "status went passed -> error: ..."
};

/// A difference between the two inventories (driver, CUDA, NCCL, firmware, kernel, CPU...).
struct InventoryChange {
  std::string field;              ///< "GPU 0 driver_version", "host kernel"
  std::string baseline;
  std::string current;
};

struct Comparison {
  CompareOptions options;
  std::string baseline_label;     ///< file names or run ids as given
  std::string current_label;
  std::vector<InventoryChange> inventory_changes;
  std::vector<MetricComparison> metrics;   ///< regressions first, by effect size, then the rest
  std::vector<std::string> warnings;       ///< too few repetitions, policy differs, ...
  std::size_t regressions = 0;
  std::size_t improvements = 0;
  std::size_t broken = 0;                  ///< metrics of cases that passed before and fail (error) now
  /// Metrics actually judged (margin test run, or a collapse): regression, improvement or unchanged.
  /// Missing, new and untested metrics are listed but not counted.
  std::size_t tested = 0;
  bool baseline_incomplete = false;        ///< the runs' `incomplete` flags
  bool current_incomplete = false;
  /// Why the check fails besides regressions: nothing was tested, the current run is incomplete
  /// (unless CompareOptions::allow_incomplete), or cases that passed before are missing or waived now,
  /// or metrics measured before are absent or null now (unless CompareOptions::allow_missing).
  std::vector<std::string> problems;
  bool has_regression() const { return regressions > 0 || broken > 0; }
  /// The gate: no regression, nothing broken, and no problem.
  bool passed() const { return !has_regression() && problems.empty(); }
};

/// Compares every passed (case, params, device, metric) of `current` with `baseline`. A case that
/// did not pass in the baseline and passes now is listed as new.
Comparison compare(const core::Results& baseline, const core::Results& current, const CompareOptions& options);

/// Two results files and their comparison, labelled with the paths as given.
struct FileComparison {
  core::Results baseline;
  core::Results current;
  Comparison comparison;
};
/// Loads both files strictly (core::load_results) and compares them: what `headroom compare` and
/// `headroom report regression` share.
FileComparison compare_files(const std::string& baseline_path, const std::string& current_path,
                             const CompareOptions& options);

/// Inventory fields that differ (host and per device index).
std::vector<InventoryChange> inventory_diff(const core::Results& baseline, const core::Results& current);

/// Machine-readable comparison (`headroom compare --json`).
std::string comparison_to_json(const Comparison& c);

// ---------------------------------------------------------------------------------------------
// Fleet mode

struct FleetOptions {
  double z_threshold = 3.5;   ///< |robust z| above this is an outlier (Iglewicz & Hoaglin 1993)
  double min_effect = 0.03;   ///< and the node must differ from the fleet median by at least this
  /// An incomplete (interrupted) node run may pass, with a warning. Off: it fails the check, as in
  /// CompareOptions::allow_incomplete (the cases it did not reach were not compared).
  bool allow_incomplete = false;
};

struct FleetNodeValue {
  std::string node;           ///< hostname (file name when hostnames collide)
  double value = 0;           ///< the node's headline value (policy statistic, usually the median)
  double robust_z = 0;        ///< (value − fleet median) / (1.4826 · MAD)
  bool outlier = false;       ///< |z| > threshold and |relative deviation| >= min_effect
  bool worse = false;         ///< deviates in the metric's worse direction
};

struct FleetMetric {
  std::string case_name;
  std::string params;
  std::string device;
  std::string metric;
  std::string unit;
  core::Better better = core::Better::kHigher;
  double median = 0, mad = 0, min = 0, max = 0;
  std::vector<FleetNodeValue> nodes;
  std::size_t bad_outliers = 0;  ///< outliers in the worse direction
};

struct Fleet {
  FleetOptions options;
  std::vector<std::string> nodes;
  std::vector<FleetMetric> metrics;         ///< metrics with a bad outlier first
  std::vector<std::string> warnings;
  std::size_t bad_outliers = 0;
  /// Why the check fails besides outliers, as Comparison::problems: nothing was checked (no metric
  /// on 3 nodes or more), or a node's run is incomplete (unless FleetOptions::allow_incomplete).
  std::vector<std::string> problems;
  bool has_bad_outlier() const { return bad_outliers > 0; }
  /// The gate: no bad outlier and no problem.
  bool passed() const { return !has_bad_outlier() && problems.empty(); }
};

/// Robust z-scores of `values` around their median, scaled by 1.4826·MAD (consistent with the
/// standard deviation for normal data). When MAD is 0 the mean absolute deviation × 1.2533 is used
/// instead; when that is 0 too every z is 0.
std::vector<double> robust_z_scores(std::span<const double> values);

/// `labels[i]` names `runs[i]`. Metrics present on fewer than 3 nodes are skipped (with a warning).
Fleet fleet_compare(const std::vector<core::Results>& runs, const std::vector<std::string>& labels,
                    const FleetOptions& options);

/// Every *.json results file in `dir` (sorted by name), strictly loaded, with a label per node: the
/// hostname, plus the file name where hostnames repeat. Throws InputError for a missing/empty dir,
/// and for one run present twice (the same run.id in two files: a copy would count as two nodes).
struct FleetInputs {
  std::vector<core::Results> runs;
  std::vector<std::string> labels;
};
FleetInputs load_fleet_dir(const std::string& dir);

/// Machine-readable fleet comparison (`headroom compare --fleet DIR --json`).
std::string fleet_to_json(const Fleet& f);

}  // namespace headroom::report
