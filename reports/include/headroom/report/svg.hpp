#pragma once
/// Minimal inline-SVG line charts for the HTML reports (no JavaScript).
#include <string>
#include <vector>

namespace headroom::report {

struct Series {
  std::string label;
  std::vector<double> x;
  std::vector<double> y;
  bool points_only = false;  ///< markers without a joining line (e.g. operations on a roofline)
  int color = -1;            ///< palette index; -1: the series' position
};

struct ChartOptions {
  std::string title;
  std::string x_label;
  std::string y_label;
  bool log_x = true;
  bool log_y = false;
  /// Log x ticks at powers of two (every 2×, 4×, 16× ... so at most ~9 ticks) instead of decades:
  /// for byte sizes, which are swept in powers of two.
  bool x_powers_of_two = false;
  int width_px = 720;
  int height_px = 360;
  /// Text under the chart (e.g. how the values are counted); the title is inside the SVG already.
  std::string caption;
  /// Formats an axis value for tick labels (e.g. bytes -> "64 KiB"); defaults to %g.
  std::string (*format_x)(double) = nullptr;
  std::string (*format_y)(double) = nullptr;
};

/// An SVG line chart (points joined per series, one colour each, legend below the plot, wrapped to
/// the width; the SVG is height_px plus 16 px per legend row). Non-positive values are dropped on a
/// log axis. Returns a <figure> with the <svg> inline and a text caption.
std::string line_chart(const std::vector<Series>& series, const ChartOptions& options);

/// One bar of a horizontal bar chart.
struct Bar {
  std::string label;
  double value = 0;
  /// CSS class of the bar: "" (neutral), "good", "bad", "ref" (a threshold or reference value).
  std::string css_class;
};

struct BarOptions {
  std::string title;
  std::string value_label;          ///< axis caption, e.g. "TFLOP/s (2·M·N·K per multiply)"
  int width_px = 720;
  int bar_px = 22;                  ///< height of one bar row
  std::string (*format_value)(double) = nullptr;
  std::string caption;  ///< text under the chart; empty: none
  /// Optional vertical marker lines (e.g. a threshold), each with a label.
  std::vector<std::pair<std::string, double>> markers;
};

/// `text` with its middle replaced by "…" when it has more than `max_chars` characters (UTF-8 code
/// points), keeping the start and the end: "storage.rand_read file_b…=0.05 latency_p99_s".
std::string middle_ellipsis(const std::string& text, std::size_t max_chars);

/// A horizontal bar chart; negative values extend left of a zero line (for signed deltas). The label
/// column fits the longest label up to 45 % of the width; longer labels are shortened in the middle.
std::string bar_chart(const std::vector<Bar>& bars, const BarOptions& options);

}  // namespace headroom::report
