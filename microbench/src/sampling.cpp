#include "headroom/bench/sampling.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace headroom::bench {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<double> sample(RunContext& ctx, const std::function<double()>& one_rep) {
  const auto& policy = ctx.policy();
  const double start = now_s();
  for (int i = 0; i < policy.warmup && !ctx.cancelled(); ++i) one_rep();
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(policy.repetitions));
  for (int i = 0; i < policy.repetitions; ++i) {
    out.push_back(one_rep());
    if (ctx.cancelled()) break;
    if (now_s() - start > policy.max_case_s && i + 1 < policy.repetitions) {
      ctx.note("stopped after " + std::to_string(out.size()) + " of " + std::to_string(policy.repetitions) +
               " repetitions (max_case_s reached)");
      break;
    }
  }
  return out;
}

std::vector<double> sample_host(RunContext& ctx, const std::function<void()>& fn) {
  // Calibrate: one call (also a warm-up), then grow `inner` until a sample reaches min_time_s.
  std::int64_t inner = 1;
  const double min_time = ctx.policy().min_time_s;
  double t0 = now_s();
  fn();
  double one = now_s() - t0;
  if (min_time > 0) {
    while (one * static_cast<double>(inner) < min_time && inner < (1LL << 30)) {
      const double want = min_time / std::max(one, 1e-9);
      inner = std::max<std::int64_t>(inner * 2, static_cast<std::int64_t>(std::ceil(want)));
      t0 = now_s();
      for (std::int64_t i = 0; i < inner; ++i) fn();
      one = (now_s() - t0) / static_cast<double>(inner);
      if (one * static_cast<double>(inner) >= min_time) break;
    }
  }
  return sample(ctx, [&] {
    const double s = now_s();
    for (std::int64_t i = 0; i < inner; ++i) fn();
    return (now_s() - s) / static_cast<double>(inner);
  });
}

core::Metric throughput_metric(const std::string& name, const std::string& unit, double work_per_rep,
                               const std::vector<double>& seconds, const std::string& note,
                               core::Statistic statistic) {
  core::Metric m;
  m.name = name;
  m.unit = unit;
  m.better = core::Better::kHigher;
  m.note = note;
  for (double s : seconds) {
    if (s > 0) m.samples.push_back(work_per_rep / s);
  }
  core::finalize_metric(m, statistic);
  return m;
}

core::Metric time_metric(const std::string& name, const std::vector<double>& seconds, const std::string& note,
                         core::Statistic statistic, double scale) {
  core::Metric m;
  m.name = name;
  m.unit = "s";
  m.better = core::Better::kLower;
  m.note = note;
  for (double s : seconds) m.samples.push_back(s * scale);
  core::finalize_metric(m, statistic);
  return m;
}

}  // namespace headroom::bench
