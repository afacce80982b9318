#pragma once
// Synthetic in-memory results for the reports tests (never measurements).
#include <random>
#include <string>
#include <vector>

#include "headroom/core/results.hpp"

namespace headroom::report::testing {

inline core::Metric metric(const std::string& name, const std::string& unit, std::vector<double> samples,
                           core::Better better = core::Better::kHigher) {
  core::Metric m;
  m.name = name;
  m.unit = unit;
  m.better = better;
  m.samples = std::move(samples);
  core::finalize_metric(m, core::Statistic::kMedian);
  return m;
}

inline core::CaseResult make_case(const std::string& name, core::Params params, std::vector<core::Metric> metrics,
                                  const std::string& device = "host") {
  core::CaseResult c;
  c.name = name;
  c.params = std::move(params);
  c.metrics = std::move(metrics);
  c.device = device;
  return c;
}

/// n samples around `value` with relative spread `cv` from a fixed seed.
inline std::vector<double> noisy(double value, double cv, int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> d(0.0, cv);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(value * (1 + d(rng)));
  return out;
}

inline core::Results host_results(const std::string& hostname = "synthetic-host") {
  core::Results r;
  r.run.id = "0000000000000001";
  r.run.policy = core::policy_for_suite("quick");
  r.host.hostname = hostname;
  r.host.cpu_model = "Synthetic CPU";
  return r;
}

}  // namespace headroom::report::testing
