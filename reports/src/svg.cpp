#include "headroom/report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "headroom/report/html.hpp"

namespace headroom::report {

namespace {
// Colour-blind-safe palette (Okabe–Ito).
const char* const kColors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"};

std::string default_format(double v) { return fmt::format("{:g}", v); }

// Width of one character of the 11 px tick / legend text (an estimate: the SVG is laid out without
// measuring fonts), used wherever a label's width decides a margin, a column or a line break.
constexpr double kCharPx = 6.5;
// Legend rows below a line chart's plot: a gap above the first row, then one row per line.
constexpr int kLegendGapPx = 8;
constexpr int kLegendRowPx = 16;

struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  bool base2 = false;  ///< log ticks at powers of two
  double map(double v, double p0, double p1) const {
    const double a = log ? std::log10(lo) : lo;
    const double b = log ? std::log10(hi) : hi;
    const double x = log ? std::log10(v) : v;
    return b == a ? (p0 + p1) / 2 : p0 + (x - a) / (b - a) * (p1 - p0);
  }
  std::vector<double> ticks() const {
    std::vector<double> out;
    if (log && base2) {
      const int e0 = static_cast<int>(std::floor(std::log2(lo)));
      const int e1 = static_cast<int>(std::ceil(std::log2(hi)));
      int step = 1;  // exponent step: 2×, 4×, 16×, 256× ... keeping the ticks aligned (16 KiB, 64 KiB, 256 KiB)
      while ((e1 - e0) / step > 8) step *= 2;
      for (int e = e0 - ((e0 % step) + step) % step; e <= e1; e += step) {
        const double t = std::ldexp(1.0, e);
        if (t >= lo * 0.999 && t <= hi * 1.001) out.push_back(t);
      }
      if (out.size() < 2) out = {lo, hi};
    } else if (log) {
      const int e0 = static_cast<int>(std::floor(std::log10(lo)));
      const int e1 = static_cast<int>(std::ceil(std::log10(hi)));
      const int step = std::max(1, (e1 - e0) / 8);
      for (int e = e0; e <= e1; e += step) {
        const double t = std::pow(10.0, e);
        if (t >= lo * 0.999 && t <= hi * 1.001) out.push_back(t);
      }
      if (out.size() < 3 && e1 - e0 <= 3) {
        // Less than about two decades: 1-2-5 steps inside each decade.
        out.clear();
        for (int e = e0; e <= e1; ++e) {
          for (double m : {1.0, 2.0, 5.0}) {
            const double t = m * std::pow(10.0, e);
            if (t >= lo * 0.999 && t <= hi * 1.001) out.push_back(t);
          }
        }
      }
      if (out.size() < 2) out = {lo, hi};
    } else {
      const double span = hi - lo;
      const double raw = span / 5;
      const double mag = std::pow(10.0, std::floor(std::log10(raw)));
      double step = mag;
      for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (raw <= m * mag) {
          step = m * mag;
          break;
        }
      }
      for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push_back(t);
    }
    return out;
  }
};

Axis make_axis(const std::vector<Series>& series, bool use_x, bool log) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& s : series) {
    for (double v : use_x ? s.x : s.y) {
      if (!std::isfinite(v) || (log && v <= 0)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  Axis a;
  a.log = log;
  if (!std::isfinite(lo)) return a;
  if (!log) {
    lo = std::min(lo, 0.0);  // linear axes start at zero so bars of throughput are not exaggerated
    if (hi == lo) hi = lo + 1;
    hi *= 1.05;
  } else if (hi == lo) {
    lo /= 2;
    hi *= 2;
  }
  a.lo = lo;
  a.hi = hi;
  return a;
}

/// Where each legend entry goes when the entries are laid out left to right below the plot and
/// wrapped to `width_px`: (row, x) per series, and the number of rows. An entry is a 10 px swatch, a
/// 4 px gap and its label (kCharPx per character), then 18 px before the next one.
struct LegendLayout {
  std::vector<std::pair<int, double>> place;
  int rows = 0;
};
LegendLayout legend_layout(const std::vector<Series>& series, double x_start, double width_px) {
  LegendLayout l;
  double x = x_start;
  int row = 0;
  for (const auto& s : series) {
    const double entry = 14.0 + kCharPx * static_cast<double>(s.label.size());
    if (x > x_start && x + entry > width_px) {
      ++row;
      x = x_start;
    }
    l.place.emplace_back(row, x);
    x += entry + 18.0;
  }
  l.rows = series.empty() ? 0 : row + 1;
  return l;
}
}  // namespace

std::string line_chart(const std::vector<Series>& series, const ChartOptions& o) {
  const int w = o.width_px;
  // The legend sits below the plot, never on it: inside the plot a fixed-width box covered the
  // lines it labels and clipped long labels. The chart grows by one 16 px row per legend row.
  const LegendLayout legend = legend_layout(series, 8.0, w - 8.0);
  const int plot_h = o.height_px;
  const int h = plot_h + (legend.rows > 0 ? kLegendGapPx + kLegendRowPx * legend.rows : 0);
  Axis ax = make_axis(series, true, o.log_x);
  ax.base2 = o.x_powers_of_two;
  const Axis ay = make_axis(series, false, o.log_y);
  const auto fx = o.format_x ? o.format_x : default_format;
  const auto fy = o.format_y ? o.format_y : default_format;
  // The left margin fits the widest y tick label plus the rotated axis title, so the two never
  // overlap.
  std::size_t widest = 0;
  for (double t : ay.ticks()) widest = std::max(widest, fy(t).size());
  const int left = std::max(60, 30 + static_cast<int>(kCharPx * static_cast<double>(widest)) + 8);
  const int right = 30, top = 30, bottom = 48;  // right: room for half of the last x tick label
  const double x0 = left, x1 = w - right, y0 = plot_h - bottom, y1 = top;

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"{}\" class=\"chart\">\n",
      w, h, w, h, html_escape(o.title));
  svg += fmt::format("<text x=\"{}\" y=\"18\" class=\"chart-title\">{}</text>\n", left, html_escape(o.title));
  for (double t : ax.ticks()) {
    const double px = ax.map(t, x0, x1);
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"grid\"/>", px, y0, y1);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n", px, y0 + 16,
                       html_escape(fx(t)));
  }
  for (double t : ay.ticks()) {
    const double py = ay.map(t, y0, y1);
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" class=\"grid\"/>", x0, py, x1, py);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>\n", x0 - 6, py + 4,
                       html_escape(fy(t)));
  }
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" class=\"axis\"/>", x0, y0, x1);
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"axis\"/>\n", x0, y0, y1);
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"label\" text-anchor=\"middle\">{}</text>\n", (x0 + x1) / 2,
                     plot_h - 8, html_escape(o.x_label));
  svg += fmt::format(
      "<text transform=\"translate(14,{:.1f}) rotate(-90)\" class=\"label\" text-anchor=\"middle\">{}</text>\n",
      (y0 + y1) / 2, html_escape(o.y_label));

  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    const std::size_t slot = s.color >= 0 ? static_cast<std::size_t>(s.color) : i;
    const char* color = kColors[slot % (sizeof kColors / sizeof kColors[0])];
    std::vector<std::pair<double, double>> pts;
    for (std::size_t k = 0; k < std::min(s.x.size(), s.y.size()); ++k) {
      if (!std::isfinite(s.x[k]) || !std::isfinite(s.y[k])) continue;
      if ((o.log_x && s.x[k] <= 0) || (o.log_y && s.y[k] <= 0)) continue;
      pts.emplace_back(s.x[k], s.y[k]);
    }
    std::sort(pts.begin(), pts.end());
    std::string poly;
    for (const auto& [x, y] : pts) poly += fmt::format("{:.1f},{:.1f} ", ax.map(x, x0, x1), ay.map(y, y0, y1));
    if (!s.points_only) {
      svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", poly, color);
    }
    for (const auto& [x, y] : pts) {
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\"><title>{}: {} at {}</title></circle>",
                         ax.map(x, x0, x1), ay.map(y, y0, y1), s.points_only ? 5 : 3, color, html_escape(s.label), html_escape(fy(y)),
                         html_escape(fx(x)));
    }
    const auto [row, lx] = legend.place[i];
    const double ly = plot_h + kLegendGapPx + kLegendRowPx * row + 10;  // text baseline of the entry's row
    svg += fmt::format(
        "\n<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.1f}\" y=\"{:.1f}\" "
        "class=\"legend\">{}</text>\n",
        lx, ly - 9, color, lx + 14, ly, html_escape(s.label));
  }
  svg += "</svg>";
  return "<figure>" + svg + (o.caption.empty() ? "" : "<figcaption>" + html_escape(o.caption) + "</figcaption>") +
         "</figure>\n";
}

}  // namespace headroom::report

namespace headroom::report {

std::string middle_ellipsis(const std::string& text, std::size_t max_chars) {
  // Byte offsets of the UTF-8 code points, so that a cut never splits one ("·", "³", "µ").
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  if (starts.size() <= max_chars || max_chars < 3) return text;
  const std::size_t keep = max_chars - 1;  // one character for the ellipsis
  const std::size_t head = (keep + 1) / 2, tail = keep - head;
  return text.substr(0, starts[head]) + "…" + text.substr(starts[starts.size() - tail]);
}

std::string bar_chart(const std::vector<Bar>& bars, const BarOptions& o) {
  const auto fv = o.format_value ? o.format_value : default_format;
  // The label column fits the longest label (kCharPx per character) up to 45 % of the
  // width; a longer label loses its middle, so the case (start) and the metric (end) both stay
  // readable, and the whole label is in the bar's tooltip.
  std::size_t longest = 0;
  for (const auto& b : bars) longest = std::max(longest, b.label.size());
  const double label_cap_px = 0.45 * o.width_px;
  const double wanted_px = kCharPx * static_cast<double>(longest) + 14.0;
  const int label_w = static_cast<int>(std::ceil(std::clamp(wanted_px, 120.0, label_cap_px)));
  const std::size_t label_chars =
      wanted_px <= label_cap_px ? longest : static_cast<std::size_t>((label_cap_px - 14.0) / kCharPx);
  const int right = 90, top = 30, bottom = 36;
  const int h = top + bottom + o.bar_px * static_cast<int>(std::max<std::size_t>(bars.size(), 1));
  const double x0 = label_w, x1 = o.width_px - right;
  double lo = 0, hi = 0;
  for (const auto& b : bars) {
    if (!std::isfinite(b.value)) continue;
    lo = std::min(lo, b.value);
    hi = std::max(hi, b.value);
  }
  for (const auto& m : o.markers) {
    if (std::isfinite(m.second)) hi = std::max(hi, m.second), lo = std::min(lo, m.second);
  }
  if (hi == lo) hi = lo + 1;
  const auto map = [&](double v) { return x0 + (v - lo) / (hi - lo) * (x1 - x0); };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"{}\" class=\"chart bars\">\n",
      o.width_px, h, o.width_px, h, html_escape(o.title));
  svg += fmt::format("<text x=\"8\" y=\"18\" class=\"chart-title\">{}</text>\n", html_escape(o.title));
  const double zero = map(0);
  const double y_end = h - bottom;
  svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"axis\"/>\n", zero, top - 4, y_end);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const double y = top + static_cast<double>(i) * o.bar_px;
    const double v = std::isfinite(b.value) ? b.value : 0.0;
    const double xa = std::min(zero, map(v)), xb = std::max(zero, map(v));
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}<title>{}</title></text>",
                       x0 - 6, y + o.bar_px * 0.65, html_escape(middle_ellipsis(b.label, label_chars)),
                       html_escape(b.label));
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" class=\"bar {}\"><title>{}: {}</title></rect>",
                       xa, y + 3, std::max(xb - xa, 1.0), o.bar_px - 6, html_escape(b.css_class), html_escape(b.label),
                       html_escape(fv(b.value)));
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\">{}</text>\n", std::max(xb, zero) + 4,
                       y + o.bar_px * 0.65, html_escape(fv(b.value)));
  }
  for (const auto& [label, v] : o.markers) {
    if (!std::isfinite(v)) continue;
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"marker\"/><text x=\"{0:.1f}\" y=\"{3}\" "
        "class=\"tick\" text-anchor=\"middle\">{4}</text>\n",
        map(v), top - 4, y_end, y_end + 14, html_escape(label + " " + fv(v)));
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"label\" text-anchor=\"middle\">{}</text>\n", (x0 + x1) / 2,
                     h - 6, html_escape(o.value_label));
  svg += "</svg>";
  return "<figure>" + svg + (o.caption.empty() ? "" : "<figcaption>" + html_escape(o.caption) + "</figcaption>") +
         "</figure>\n";
}

}  // namespace headroom::report
