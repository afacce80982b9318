#pragma once
/// Prometheus text exposition format (version 0.0.4) for node_exporter's textfile collector:
/// write the file with core::write_file_atomic (temporary + rename) into the collector directory.
#include <string>
#include <string_view>

#include "headroom/core/results.hpp"
#include "headroom/report/regression.hpp"

namespace headroom::report {

/// The first line of every textfile to_prometheus() writes (a comment, ignored by Prometheus): how
/// `headroom compare --prom` recognises its own earlier output, which it replaces without --force.
inline constexpr std::string_view kPrometheusHeader =
    "# headroom textfile (Prometheus text format 0.0.4): replaced by every `headroom compare --prom` run";

/// True when `text` starts like a textfile headroom wrote: kPrometheusHeader, or "# HELP headroom_"
/// (files written before the header existed).
bool is_headroom_textfile(std::string_view text);

/// A valid Prometheus metric name: [a-zA-Z_:][a-zA-Z0-9_:]*, other characters become '_'.
std::string prom_metric_name(const std::string& s);
/// Escapes a label value: backslash, double quote and newline.
std::string prom_label_value(const std::string& s);

/// Headline metrics of `current`: one gauge family per metric name (headroom_<metric>, e.g.
/// headroom_bytes_per_s) with labels case, params, device, host; plus headroom_case_passed and,
/// when `comparison` is given, headroom_regression_relative_delta / _significant per metric and
/// headroom_regressions_total. Every family has # HELP and # TYPE lines; the first line is
/// kPrometheusHeader.
std::string to_prometheus(const core::Results& current, const Comparison* comparison = nullptr);

}  // namespace headroom::report
