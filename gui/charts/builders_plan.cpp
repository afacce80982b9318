// Fit, Time & throughput, Cost and Roofline charts.
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSet>
#include <QtCharts/QHorizontalStackedBarSeries>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QStackedBarSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

#include "../models/format.hpp"
#include "builders.hpp"
#include "chart_panel.hpp"
#include "chart_util.hpp"

namespace headroom::gui {

using chart_util::color;
using chart_util::reset;
using chart_util::tip;

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

QStringList option_labels(const Comparison& c) {
  QStringList labels;
  for (const OptionResult& o : c.options) labels << QString::fromStdString(o.label);
  return labels;
}

// One bar per option in its own colour: a stacked series where set i is non-zero only at category i.
void per_option_bars(ChartPanel& panel, const Comparison& c, const QString& title, const QString& unit,
                     const std::function<double(const OptionResult&)>& value, const char* label_format) {
  QChart* chart = panel.chart();
  reset(chart, title);
  const QStringList labels = option_labels(c);
  auto* series = new QStackedBarSeries;
  double top = 0;
  for (int i = 0; i < labels.size(); ++i) {
    const OptionResult& o = c.options[static_cast<std::size_t>(i)];
    auto* set = new QBarSet(labels[i]);
    set->setColor(color(i));
    const double v = o.error.empty() ? value(o) : 0.0;
    top = std::max(top, v);
    for (int j = 0; j < labels.size(); ++j) *set << (j == i ? v : 0.0);
    QObject::connect(set, &QBarSet::hovered, set, [label = labels[i], v, unit, ok = o.error.empty()](bool on, int) {
      tip(on, ok ? QStringLiteral("%1: %2 %3").arg(label).arg(v, 0, 'g', 4).arg(unit) : label + QStringLiteral(": no result"));
    });
    series->append(set);
  }
  series->setBarWidth(0.6);
  chart->addSeries(series);
  auto* x = new QBarCategoryAxis;
  x->append(labels);
  QFont small = x->labelsFont();
  small.setPointSizeF(small.pointSizeF() * 0.85);
  x->setLabelsFont(small);
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  auto* y = new QValueAxis;
  y->setTitleText(unit);
  y->setLabelFormat(QString::fromLatin1(label_format));
  y->setRange(0, top > 0 ? top * 1.15 : 1.0);
  y->applyNiceNumbers();
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(y);
  chart->legend()->hide();
}

}  // namespace

void showEmpty(ChartPanel& panel, const QString& title, const QString& why) {
  reset(panel.chart(), title);
  panel.setNote(why);
}

void showFit(ChartPanel& panel, const Comparison& c) {
  QChart* chart = panel.chart();
  reset(chart, QStringLiteral("Memory per GPU vs capacity — %1").arg(QString::fromStdString(c.model_name)));
  const QStringList labels = option_labels(c);
  struct Part {
    const char* name;
    double MemoryBreakdown::*field;
  };
  const Part parts[] = {{"weights", &MemoryBreakdown::weights_bytes},       {"gradients", &MemoryBreakdown::gradients_bytes},
                        {"optimizer", &MemoryBreakdown::optimizer_bytes},   {"activations", &MemoryBreakdown::activations_bytes},
                        {"KV cache", &MemoryBreakdown::kv_cache_bytes},     {"overhead", &MemoryBreakdown::overhead_bytes}};
  auto* series = new QStackedBarSeries;
  double top = 0;
  int k = 0;
  for (const Part& part : parts) {
    double sum = 0;
    for (const OptionResult& o : c.options) sum += o.memory.*part.field;
    if (sum <= 0) continue;  // a part no option has (KV cache when training) stays out of the legend
    auto* set = new QBarSet(QString::fromLatin1(part.name));
    set->setColor(color(k++));
    for (const OptionResult& o : c.options) *set << (o.error.empty() ? o.memory.*part.field / kGiB : 0.0);
    QObject::connect(set, &QBarSet::hovered, set, [set, labels, name = QString::fromLatin1(part.name)](bool on, int i) {
      tip(on, QStringLiteral("%1 · %2: %3 GiB per GPU").arg(labels.value(i), name).arg(set->at(i), 0, 'f', 1));
    });
    series->append(set);
  }
  series->setBarWidth(0.55);
  chart->addSeries(series);
  auto* x = new QBarCategoryAxis;
  x->append(labels);
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  auto* y = new QValueAxis;
  y->setTitleText(QStringLiteral("GiB per GPU"));
  y->setLabelFormat(QStringLiteral("%.0f"));
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(y);

  QStringList notes;
  for (int i = 0; i < static_cast<int>(c.options.size()); ++i) {
    const OptionResult& o = c.options[static_cast<std::size_t>(i)];
    if (!o.error.empty()) {
      notes << QStringLiteral("%1: %2").arg(labels[i], QString::fromStdString(o.error));
      continue;
    }
    top = std::max({top, o.memory.total_bytes() / kGiB, o.memory.capacity_bytes / kGiB});
    // The capacity of option i as a short horizontal mark over its bar (category i spans i ± 0.5).
    auto* line = new QLineSeries;
    line->setName(QStringLiteral("capacity"));
    QPen pen(QColor(0xb0, 0x1c, 0x1c));
    pen.setWidth(3);
    pen.setStyle(Qt::DashLine);
    line->setPen(pen);
    const double cap = o.memory.capacity_bytes / kGiB;
    line->append(i - 0.42, cap);
    line->append(i + 0.42, cap);
    QObject::connect(line, &QLineSeries::hovered, line, [label = labels[i], cap](const QPointF&, bool on) {
      tip(on, QStringLiteral("%1 capacity: %2 GiB").arg(label).arg(cap, 0, 'f', 1));
    });
    chart->addSeries(line);
    line->attachAxis(x);
    line->attachAxis(y);
    if (i > 0) chart_util::hideLegend(chart, line);
    const double need = o.memory.total_bytes() / kGiB;
    if (!o.fits) {
      notes << QStringLiteral("%1 does not fit: %2 GiB needed, %3 GiB available%4")
                   .arg(labels[i])
                   .arg(need, 0, 'f', 1)
                   .arg(cap, 0, 'f', 1)
                   .arg(o.note.empty() ? QString() : QStringLiteral(" (") + QString::fromStdString(o.note) + QStringLiteral(")"));
    }
  }
  y->setRange(0, top > 0 ? top * 1.1 : 1.0);
  y->applyNiceNumbers();
  panel.setNote(notes.join(QStringLiteral("\n")));
}

void showTime(ChartPanel& throughput, ChartPanel& time, ChartPanel& hours, const Comparison& c) {
  const bool infer = c.phase == plan::Phase::kInfer;
  per_option_bars(throughput, c, infer ? QStringLiteral("Generated tokens/s per GPU") : QStringLiteral("Training tokens/s per GPU"),
                  QStringLiteral("tokens/s per GPU"), [](const OptionResult& o) { return o.tokens_per_s_per_gpu; }, "%.0f");
  if (infer) {
    per_option_bars(time, c, QStringLiteral("Time to first token (under load)"), QStringLiteral("ms"),
                    [](const OptionResult& o) { return o.ttft_under_load_s * 1e3; }, "%.0f");
    per_option_bars(hours, c, QStringLiteral("Time per output token"), QStringLiteral("ms"),
                    [](const OptionResult& o) { return o.tpot_s * 1e3; }, "%.1f");
  } else {
    per_option_bars(time, c, QStringLiteral("Time to train"), QStringLiteral("days"),
                    [](const OptionResult& o) { return o.time_to_train_s / 86400.0; }, "%.0f");
    per_option_bars(hours, c, QStringLiteral("GPU-hours"), QStringLiteral("thousand GPU-hours"),
                    [](const OptionResult& o) { return o.gpu_hours / 1e3; }, "%.0f");
  }
  throughput.setNote({});
  time.setNote({});
  hours.setNote({});
}

void showCostCurves(ChartPanel& panel, const CostView& cost) {
  QChart* chart = panel.chart();
  reset(chart, QStringLiteral("Cumulative cost — %1").arg(QString::fromStdString(cost.scenario)));
  if (!cost.error.empty() || cost.curves.empty()) {
    panel.setNote(QStringLiteral("No cost shown: %1").arg(QString::fromStdString(cost.error.empty() ? "the scenario has no options" : cost.error)));
    return;
  }
  auto* x = new QValueAxis;
  x->setTitleText(QStringLiteral("months"));
  x->setLabelFormat(QStringLiteral("%.0f"));
  x->setRange(0, cost.months);
  auto* y = new QValueAxis;
  y->setTitleText(QStringLiteral("cumulative cost (USD million)"));
  y->setLabelFormat(QStringLiteral("%.1f"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  double top = 0;
  const CostCurve* onprem = cost.curves.front().label == "on-prem" ? &cost.curves.front() : nullptr;
  auto* marks = new QScatterSeries;
  marks->setName(QStringLiteral("break-even"));
  marks->setMarkerSize(12);
  marks->setColor(QColor(0xb0, 0x1c, 0x1c));
  int i = 0;
  for (const CostCurve& curve : cost.curves) {
    auto* line = new QLineSeries;
    const QString label = QString::fromStdString(curve.label);
    line->setName(label);
    QPen pen(color(i++));
    pen.setWidth(curve.label == "on-prem" ? 3 : 2);
    line->setPen(pen);
    for (std::size_t m = 0; m < curve.cumulative_usd.size(); ++m) {
      line->append(static_cast<double>(m), curve.cumulative_usd[m] / 1e6);
      top = std::max(top, curve.cumulative_usd[m] / 1e6);
    }
    QObject::connect(line, &QLineSeries::hovered, line, [label](const QPointF& p, bool on) {
      tip(on, QStringLiteral("%1, month %2: USD %3 million").arg(label).arg(p.x(), 0, 'f', 0).arg(p.y(), 0, 'f', 2));
    });
    chart->addSeries(line);
    line->attachAxis(x);
    line->attachAxis(y);
    if (onprem && curve.break_even_month) {
      // On-prem's cumulative cost at the (fractional) break-even month, linearly interpolated.
      const double m = *curve.break_even_month;
      const auto lo = static_cast<std::size_t>(std::floor(m));
      const std::size_t hi = std::min(lo + 1, onprem->cumulative_usd.size() - 1);
      const double f = m - std::floor(m);
      const double v = (onprem->cumulative_usd[std::min(lo, hi)] * (1 - f) + onprem->cumulative_usd[hi] * f) / 1e6;
      marks->append(m, v);
    }
  }
  if (marks->count() > 0) {
    QObject::connect(marks, &QScatterSeries::hovered, marks, [](const QPointF& p, bool on) {
      tip(on, QStringLiteral("break-even at month %1 (USD %2 million)").arg(p.x(), 0, 'f', 1).arg(p.y(), 0, 'f', 2));
    });
    chart->addSeries(marks);
    marks->attachAxis(x);
    marks->attachAxis(y);
  } else {
    delete marks;
  }
  y->setRange(0, top > 0 ? top * 1.08 : 1.0);
  y->applyNiceNumbers();
  QStringList lines;
  if (cost.train_gpu_hours > 0) {
    lines << QStringLiteral("Training GPU-hours from the planner for %1: %2").arg(QString::fromStdString(cost.option_label), count(cost.train_gpu_hours));
  }
  for (const CostCurve& curve : cost.curves) {
    lines << QStringLiteral("%1: %2 in total, %3 per GPU-hour%4")
                 .arg(QString::fromStdString(curve.label), usd(curve.total_usd), usd(curve.usd_per_gpu_hour),
                      curve.break_even_month ? QStringLiteral(", break-even month %1").arg(*curve.break_even_month, 0, 'f', 1) : QString());
  }
  panel.setNote(lines.join(QStringLiteral("\n")));
}

void showTornado(ChartPanel& panel, const CostView& cost) {
  QChart* chart = panel.chart();
  reset(chart, QStringLiteral("Sensitivity of the on-prem / cloud ratio (±20 %)"));
  if (cost.tornado.empty()) {
    panel.setNote(cost.error.empty() ? QStringLiteral("No tornado: the scenario has no on-prem side to compare with.")
                                     : QStringLiteral("No tornado: %1").arg(QString::fromStdString(cost.error)));
    return;
  }
  // Largest swing on top: categories are drawn bottom-up, so append the list reversed.
  const std::size_t n = std::min<std::size_t>(cost.tornado.size(), 8);
  QStringList inputs;
  auto* low = new QBarSet(QStringLiteral("input −20 %"));
  auto* high = new QBarSet(QStringLiteral("input +20 %"));
  low->setColor(color(0));
  high->setColor(color(1));
  double extent = 0;
  for (std::size_t k = n; k-- > 0;) {
    const TornadoBar& b = cost.tornado[k];
    // "onprem.node_usd" -> "node_usd": long category labels are elided to "..." by Qt Charts.
    const QString input = QString::fromStdString(b.input);
    inputs << input.mid(input.lastIndexOf(QLatin1Char('.')) + 1);
    *low << b.ratio_at_low - cost.base_ratio;
    *high << b.ratio_at_high - cost.base_ratio;
    extent = std::max({extent, std::fabs(b.ratio_at_low - cost.base_ratio), std::fabs(b.ratio_at_high - cost.base_ratio)});
  }
  for (QBarSet* set : {low, high}) {
    QObject::connect(set, &QBarSet::hovered, set, [set, inputs, base = cost.base_ratio](bool on, int i) {
      tip(on, QStringLiteral("%1 %2: ratio %3 (base %4)").arg(inputs.value(i), set->label()).arg(base + set->at(i), 0, 'f', 3).arg(base, 0, 'f', 3));
    });
  }
  auto* series = new QHorizontalStackedBarSeries;
  series->append(low);
  series->append(high);
  series->setBarWidth(0.7);
  chart->addSeries(series);
  auto* y = new QBarCategoryAxis;
  y->append(inputs);
  QFont small = y->labelsFont();
  small.setPointSizeF(small.pointSizeF() * 0.8);
  y->setLabelsFont(small);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(y);
  auto* x = new QValueAxis;
  x->setTitleText(QStringLiteral("Δ ratio (base %1)").arg(cost.base_ratio, 0, 'f', 3));
  x->setLabelFormat(QStringLiteral("%+.2f"));
  x->setRange(-extent * 1.1 - 1e-9, extent * 1.1 + 1e-9);
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  panel.setNote(QStringLiteral("Cloud side: %1. Bars: ratio change when one input moves by −20 % / +20 %.")
                    .arg(QString::fromStdString(cost.tornado_option)));
}

void showRoofline(ChartPanel& panel, const OptionResult& o) {
  QChart* chart = panel.chart();
  reset(chart, QStringLiteral("Roofline — %1").arg(QString::fromStdString(o.label)));
  const Roofline& r = o.roofline;
  if (!o.error.empty() || r.compute.empty() || r.memory.empty()) {
    panel.setNote(QStringLiteral("No roofline: %1").arg(o.error.empty() ? QStringLiteral("the profile lists no peak or no bandwidth")
                                                                        : QString::fromStdString(o.error)));
    return;
  }
  constexpr double kTera = 1e12;
  constexpr double kXMin = 0.1;   // FLOP per byte
  constexpr double kXMax = 1e4;
  const double hbm = r.memory.front().value;
  double peak_max = 0;
  for (const auto& c : r.compute) peak_max = std::max(peak_max, c.value);
  double y_min = peak_max;
  for (const auto& m : r.memory) y_min = std::min(y_min, m.value * kXMin);
  auto* x = chart_util::logAxis(QStringLiteral("arithmetic intensity (FLOP/byte)"), kXMin, kXMax);
  auto* y = chart_util::logAxis(QStringLiteral("attainable TFLOP/s"), y_min / kTera, peak_max * 1.5 / kTera);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  int i = 0;
  // Compute ceilings: flat from the ridge point (peak / device bandwidth) to the right edge.
  for (const auto& c : r.compute) {
    auto* line = new QLineSeries;
    line->setName(QString::fromStdString(c.name));
    QPen pen(color(i++));
    pen.setWidth(2);
    line->setPen(pen);
    line->append(c.value / hbm, c.value / kTera);
    line->append(kXMax, c.value / kTera);
    QObject::connect(line, &QLineSeries::hovered, line, [name = QString::fromStdString(c.name), v = c.value](const QPointF&, bool on) {
      tip(on, QStringLiteral("%1: %2").arg(name, rate(v, "FLOP/s")));
    });
    chart->addSeries(line);
    line->attachAxis(x);
    line->attachAxis(y);
  }
  // Memory levels: bandwidth × intensity up to the highest peak.
  for (const auto& m : r.memory) {
    auto* line = new QLineSeries;
    line->setName(QString::fromStdString(m.name));
    QPen pen(QColor(0x44, 0x44, 0x44));
    pen.setWidth(2);
    if (&m != &r.memory.front()) pen.setStyle(Qt::DashLine);
    line->setPen(pen);
    line->append(kXMin, m.value * kXMin / kTera);
    line->append(peak_max / m.value, peak_max / kTera);
    QObject::connect(line, &QLineSeries::hovered, line, [name = QString::fromStdString(m.name), v = m.value](const QPointF&, bool on) {
      tip(on, QStringLiteral("%1: %2").arg(name, rate(v, "B/s")));
    });
    chart->addSeries(line);
    line->attachAxis(x);
    line->attachAxis(y);
  }
  // The workload's operations at min(peak of its precision, device bandwidth × intensity).
  int k = 0;
  for (const RooflineOp& op : r.ops) {
    const double intensity = op.intensity();
    if (intensity <= 0) continue;
    const double attainable = std::min(r.op_peak_flop_per_s, r.op_bandwidth_bytes_per_s * intensity);
    auto* point = new QScatterSeries;
    point->setName(QString::fromStdString(op.name));
    point->setMarkerSize(11);
    point->setColor(color(4 + k++));
    point->append(std::clamp(intensity, kXMin, kXMax), attainable / kTera);
    const bool memory_bound = r.op_bandwidth_bytes_per_s * intensity < r.op_peak_flop_per_s;
    QObject::connect(point, &QScatterSeries::hovered, point,
                     [name = QString::fromStdString(op.name), intensity, attainable, memory_bound](const QPointF&, bool on) {
                       tip(on, QStringLiteral("%1: %2 FLOP/byte, attainable %3 (%4-bound)")
                                   .arg(name)
                                   .arg(intensity, 0, 'f', 1)
                                   .arg(rate(attainable, "FLOP/s"), memory_bound ? QStringLiteral("memory") : QStringLiteral("compute")));
                     });
    chart->addSeries(point);
    point->attachAxis(x);
    point->attachAxis(y);
  }
  QStringList ops;
  for (const RooflineOp& op : r.ops) {
    ops << QStringLiteral("%1: %2 FLOP/byte").arg(QString::fromStdString(op.name)).arg(op.intensity(), 0, 'f', 1);
  }
  chart->legend()->setAlignment(Qt::AlignRight);
  panel.setNote(QStringLiteral("Datasheet ceilings; points at min(peak, bandwidth × intensity). ") + ops.join(QStringLiteral("; ")));
}

}  // namespace headroom::gui
