#pragma once
/// The comparison exported as a self-contained HTML page (inline SVG, no scripts): workload,
/// options with fit / parallelism / throughput / time / GPU-hours, cost curves and break-even,
/// and every planner and cost assumption. Built on headroom::report's SVG charts.
#include <string>

#include "compute.hpp"

namespace headroom::gui {

/// `generated_at` is an ISO-8601 time written into the page.
std::string comparison_report_html(const Workspace& ws, const Comparison& c, const std::string& generated_at);

/// File ▸ Export report: the procurement report of `headroom report procurement` for the workspace
/// (enabled options, the Cost page's scenario, utilisation and years), or the comparison page above
/// when this build has no procurement report (no TCO library) or the workspace cannot be planned.
std::string export_report_html(const Workspace& ws, const Comparison& c, const plan::Catalog& catalog,
                               const std::filesystem::path& data_dir, const std::string& generated_at);

}  // namespace headroom::gui
