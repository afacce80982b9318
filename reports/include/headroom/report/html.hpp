#pragma once
/// Self-contained HTML (inline CSS and SVG, no script, no network).
#include <string>

#include "headroom/core/results.hpp"

namespace headroom::report {

/// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(const std::string& s);

/// The summary `headroom run` writes: inventory, run policy and notes, a table of every case with
/// its headline metric, and bandwidth-vs-size charts for every size sweep.
std::string render_run_summary(const core::Results& r);

}  // namespace headroom::report
