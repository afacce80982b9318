#pragma once
/// Self-contained HTML (inline CSS and SVG, no script, no network).
#include <string>

#include "headroom/core/results.hpp"
#include "headroom/report/acceptance.hpp"
#include "headroom/report/regression.hpp"

namespace headroom::report {

/// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(const std::string& s);

/// A params key "a=1,b=2" as "a=1, b=2", so that a narrow table column wraps between parameters.
std::string spaced(const std::string& key);

/// The summary `headroom run` writes: inventory, run policy and notes, a table of every case with
/// its headline metric, and bandwidth-vs-size charts for every size sweep.
std::string render_run_summary(const core::Results& r);

/// Acceptance report: verdict, inventory, a table of every check (measured vs threshold, with the
/// threshold's derivation and source), charts (bandwidth vs size, GEMM FLOP/s per precision,
/// busbw vs size) and the cases behind them.
std::string render_acceptance(const AcceptanceReport& report, const core::Results& results);

/// Regression report: what changed in the stack, warnings, significant changes sorted by effect,
/// a delta chart, baseline-vs-current sweep charts and the full comparison table.
std::string render_regression(const Comparison& comparison, const core::Results& baseline,
                              const core::Results& current);

/// Fleet report: per metric the distribution across nodes and the outlier nodes.
std::string render_fleet(const Fleet& fleet);

}  // namespace headroom::report
