#include "headroom/core/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "headroom/core/errors.hpp"

namespace headroom::core {

namespace {
double percentile_sorted(const std::vector<double>& v, double q) {
  if (v.size() == 1) return v.front();
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

std::vector<double> sorted_checked(std::span<const double> samples) {
  if (samples.empty()) throw InputError("", "samples", "at least one sample");
  std::vector<double> v(samples.begin(), samples.end());
  for (double x : v) {
    if (!std::isfinite(x)) throw InputError("", "samples", "finite numbers");
  }
  std::sort(v.begin(), v.end());
  return v;
}
}  // namespace

double percentile(std::span<const double> samples, double q) {
  if (!(q >= 0.0 && q <= 1.0)) throw InputError("", "q", "a quantile in [0, 1]");
  return percentile_sorted(sorted_checked(samples), q);
}

Summary summarize(std::span<const double> samples) {
  const auto v = sorted_checked(samples);
  Summary s;
  s.n = static_cast<int>(v.size());
  s.min = v.front();
  s.max = v.back();
  s.median = percentile_sorted(v, 0.5);
  s.p5 = percentile_sorted(v, 0.05);
  s.p95 = percentile_sorted(v, 0.95);
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.stdev = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  s.cv = s.mean != 0.0 ? s.stdev / std::fabs(s.mean) : 0.0;
  return s;
}

std::string to_string(Statistic s) {
  switch (s) {
    case Statistic::kMedian: return "median";
    case Statistic::kMean: return "mean";
    case Statistic::kMin: return "min";
    case Statistic::kMax: return "max";
  }
  return "median";
}

Statistic statistic_from_string(const std::string& s) {
  if (s == "median") return Statistic::kMedian;
  if (s == "mean") return Statistic::kMean;
  if (s == "min") return Statistic::kMin;
  if (s == "max") return Statistic::kMax;
  throw InputError("", "statistic", "one of median, mean, min, max, got '" + s + "'");
}

double pick(const Summary& s, Statistic which) {
  switch (which) {
    case Statistic::kMedian: return s.median;
    case Statistic::kMean: return s.mean;
    case Statistic::kMin: return s.min;
    case Statistic::kMax: return s.max;
  }
  return s.median;
}

AlphaBeta fit_alpha_beta(std::span<const double> bytes, std::span<const double> seconds) {
  if (bytes.size() != seconds.size() || bytes.size() < 2) {
    throw InputError("", "alpha_beta", "at least two (bytes, seconds) points of equal count");
  }
  // Weighted least squares with weights 1/t^2, i.e. minimising relative error: a sweep from 8 B to
  // 1 GiB spans 6+ decades of time, and plain least squares would ignore every small message.
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (!(seconds[i] > 0) || !std::isfinite(seconds[i]) || !(bytes[i] >= 0)) {
      throw InputError("", "alpha_beta", "positive finite times and non-negative sizes");
    }
    const double w = 1.0 / (seconds[i] * seconds[i]);
    sw += w;
    sx += w * bytes[i];
    sy += w * seconds[i];
    sxx += w * bytes[i] * bytes[i];
    sxy += w * bytes[i] * seconds[i];
  }
  const double det = sw * sxx - sx * sx;
  if (!(det > 0)) throw InputError("", "alpha_beta", "at least two distinct message sizes");
  double slope = (sw * sxy - sx * sy) / det;
  double alpha = (sy - slope * sx) / sw;
  if (alpha < 0) {  // a negative latency is unphysical: refit through the origin
    alpha = 0;
    slope = sxy / sxx;
  }
  AlphaBeta ab;
  ab.alpha_s = alpha;
  ab.beta_bytes_per_s = slope > 0 ? 1.0 / slope : std::numeric_limits<double>::infinity();
  // r2 of the fit in relative terms: 1 - sum(rel. residual^2) / sum(rel. deviation from weighted mean^2)
  const double mean_t = sy / sw;
  double ss_res = 0, ss_tot = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const double pred = alpha + slope * bytes[i];
    const double w = 1.0 / (seconds[i] * seconds[i]);
    ss_res += w * (seconds[i] - pred) * (seconds[i] - pred);
    ss_tot += w * (seconds[i] - mean_t) * (seconds[i] - mean_t);
  }
  ab.r2 = ss_tot > 0 ? 1.0 - ss_res / ss_tot : 1.0;
  return ab;
}

}  // namespace headroom::core
