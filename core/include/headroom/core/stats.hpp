#pragma once
/// Descriptive statistics over repetition samples. Percentiles interpolate linearly between
/// order statistics (Hyndman & Fan type 7, the default of NumPy and R).
#include <span>
#include <string>
#include <vector>

namespace headroom::core {

struct Summary {
  int n = 0;
  double median = 0;
  double mean = 0;
  double min = 0;
  double max = 0;
  double p5 = 0;
  double p95 = 0;
  double stdev = 0;  ///< sample standard deviation (n − 1); 0 when n < 2
  double cv = 0;     ///< stdev / mean; 0 when mean is 0
};

/// Summary of `samples`; throws InputError when empty or when a sample is not finite.
Summary summarize(std::span<const double> samples);

/// Percentile q in [0, 1] of `samples` (type 7). Throws InputError when empty.
double percentile(std::span<const double> samples, double q);

/// Which summary statistic is a case's headline value.
enum class Statistic { kMedian, kMean, kMin, kMax };
std::string to_string(Statistic s);
Statistic statistic_from_string(const std::string& s);  ///< throws InputError
double pick(const Summary& s, Statistic which);

/// Fit of t = alpha + bytes / beta (latency + bytes / bandwidth), the α-β model of a collective or
/// a link, by least squares on relative error (weights 1/t²) so small and large messages count
/// alike. A negative intercept is refitted through the origin (alpha = 0). Returns alpha in seconds
/// and beta in bytes/s (+inf when the slope is not positive). Needs two distinct sizes.
struct AlphaBeta {
  double alpha_s = 0;
  double beta_bytes_per_s = 0;
  double r2 = 0;  ///< coefficient of determination of the fit
};
AlphaBeta fit_alpha_beta(std::span<const double> bytes, std::span<const double> seconds);

}  // namespace headroom::core
