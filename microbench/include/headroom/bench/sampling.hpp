#pragma once
/// Repetition and timing helpers that apply a RunPolicy the same way for every backend.
#include <functional>
#include <string>
#include <vector>

#include "headroom/bench/benchmark.hpp"

namespace headroom::bench {

/// Monotonic wall clock in seconds.
double now_s();

/// Runs `one_rep` policy.warmup times untimed, then policy.repetitions times, collecting what each
/// call returns (its duration in seconds, measured however the backend measures: host clock, CUDA
/// events). Stops early, keeping at least one sample, when the case exceeds policy.max_case_s or
/// the run is cancelled.
std::vector<double> sample(RunContext& ctx, const std::function<double()>& one_rep);

/// Host-timed sampling of a short kernel: each sample runs `fn` `inner` times, with `inner`
/// calibrated once so that a sample lasts at least policy.min_time_s; returns seconds per call.
std::vector<double> sample_host(RunContext& ctx, const std::function<void()>& fn);

/// A throughput metric from per-repetition times: samples[i] = work / seconds[i].
core::Metric throughput_metric(const std::string& name, const std::string& unit, double work_per_rep,
                               const std::vector<double>& seconds, const std::string& note,
                               core::Statistic statistic);
/// A time metric (lower is better) from per-repetition times, optionally scaled.
core::Metric time_metric(const std::string& name, const std::vector<double>& seconds, const std::string& note,
                         core::Statistic statistic, double scale = 1.0);

}  // namespace headroom::bench
