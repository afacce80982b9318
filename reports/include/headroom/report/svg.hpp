#pragma once
/// Minimal inline-SVG line charts for the HTML reports (no JavaScript).
#include <string>
#include <vector>

namespace headroom::report {

struct Series {
  std::string label;
  std::vector<double> x;
  std::vector<double> y;
};

struct ChartOptions {
  std::string title;
  std::string x_label;
  std::string y_label;
  bool log_x = true;
  bool log_y = false;
  int width_px = 720;
  int height_px = 360;
  /// Formats an axis value for tick labels (e.g. bytes -> "64 KiB"); defaults to %g.
  std::string (*format_x)(double) = nullptr;
  std::string (*format_y)(double) = nullptr;
};

/// An SVG line chart (points joined per series, one colour each, legend). Non-positive values are
/// dropped on a log axis. Returns a <figure> with the <svg> inline and a text caption.
std::string line_chart(const std::vector<Series>& series, const ChartOptions& options);

}  // namespace headroom::report
