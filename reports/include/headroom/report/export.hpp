#pragma once
/// Machine-readable exports of results.json.
#include <string>

#include "headroom/core/results.hpp"

namespace headroom::report {

/// Google Benchmark JSON (the format of --benchmark_out) so that its tools/compare.py can compare
/// two headroom runs: one "iteration" entry per repetition (real_time = the repetition's seconds,
/// in ns) plus mean/median/stddev "aggregate" entries; each case becomes
/// "<name>/<param>:<value>/...", then "/device:<device>" unless the device is "host" (one case on
/// cuda:0..7 stays eight benchmarks). The context's "headroom_incomplete" is true for an interrupted
/// run, with "headroom_incomplete_reason" beside it. Metrics ride along as user counters: per
/// repetition where the metric has one sample per repetition, and their mean/median/stddev on the
/// aggregates. A passed derived case (no timed repetitions) is one iteration entry with its values
/// as counters and a nominal real_time of 1 ns. Waived/error cases carry "error_occurred": true and
/// the message. See docs/methodology.md, Regression.
std::string to_gbench_json(const core::Results& r);

/// One row per (case, metric): case, params, device, status, metric, unit, better, value, n, median,
/// min, max, p5, p95, stdev, cv, provenance, verified, message and incomplete (the run's flag, true
/// or false, on every row). RFC 4180 quoting.
std::string to_csv(const core::Results& r);

}  // namespace headroom::report
