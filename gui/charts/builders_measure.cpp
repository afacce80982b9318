// Measurements charts: bandwidth vs size, GEMM rate per precision, collective bus bandwidth vs
// message size. Set A is drawn solid, set B dashed in the same colour (before / after).
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>
#include <map>

#include "../models/format.hpp"
#include "builders.hpp"
#include "chart_panel.hpp"
#include "chart_util.hpp"

namespace headroom::gui {

using chart_util::color;
using chart_util::reset;
using chart_util::tip;

namespace {


// Log-log curves of bytes/s (shown in GB/s) vs bytes for sets A and B.
void xy_chart(ChartPanel& panel, const QString& title, const QString& y_title, const std::vector<XYSeries>* a,
              const std::vector<XYSeries>* b, const QString& empty_note) {
  QChart* chart = panel.chart();
  reset(chart, title);
  double x_lo = INFINITY, x_hi = 0, y_lo = INFINITY, y_hi = 0;
  for (const auto* set : {a, b}) {
    if (!set) continue;
    for (const XYSeries& s : *set) {
      for (const XYPoint& p : s.points) {
        if (p.x <= 0 || p.y <= 0) continue;
        x_lo = std::min(x_lo, p.x);
        x_hi = std::max(x_hi, p.x);
        y_lo = std::min(y_lo, p.y / 1e9);
        y_hi = std::max(y_hi, p.y / 1e9);
      }
    }
  }
  if (x_hi <= 0) {
    panel.setNote(empty_note);
    return;
  }
  auto* x = chart_util::logAxis(QStringLiteral("size (bytes)"), x_lo, x_hi);
  auto* y = chart_util::logAxis(y_title, y_lo, y_hi);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  // Same case name gets the same colour in A and B.
  std::map<std::string, int> colours;
  for (const auto* set : {a, b}) {
    if (!set) continue;
    const bool is_b = set == b;
    for (const XYSeries& s : *set) {
      const int c = colours.emplace(s.name, static_cast<int>(colours.size())).first->second;
      auto* line = new QLineSeries;
      const QString name = QString::fromStdString(s.name) + (b ? (is_b ? QStringLiteral(" (B)") : QStringLiteral(" (A)")) : QString());
      line->setName(name);
      QPen pen(color(c));
      pen.setWidth(2);
      if (is_b) pen.setStyle(Qt::DashLine);
      line->setPen(pen);
      line->setPointsVisible(true);
      for (const XYPoint& p : s.points) {
        if (p.x > 0 && p.y > 0) line->append(p.x, p.y / 1e9);
      }
      QObject::connect(line, &QLineSeries::hovered, line, [name](const QPointF& p, bool on) {
        tip(on, QStringLiteral("%1 at %2: %3").arg(name, QString::fromStdString(std::to_string(static_cast<long long>(p.x()))) + QStringLiteral(" bytes"),
                                                    rate(p.y() * 1e9, "B/s")));
      });
      chart->addSeries(line);
      line->attachAxis(x);
      line->attachAxis(y);
    }
  }
  chart->legend()->setAlignment(Qt::AlignRight);
  panel.setNote({});
}

}  // namespace

void showBandwidth(ChartPanel& panel, const MeasurementView* a, const MeasurementView* b) {
  xy_chart(panel, QStringLiteral("Bandwidth vs size"), QStringLiteral("GB/s"), a ? &a->bandwidth : nullptr,
           b ? &b->bandwidth : nullptr, QStringLiteral("No bandwidth cases in the loaded results (copies, STREAM, cache sweep, storage)."));
}

void showBusbw(ChartPanel& panel, const MeasurementView* a, const MeasurementView* b) {
  xy_chart(panel, QStringLiteral("Collective bus bandwidth vs message size"), QStringLiteral("busbw GB/s"), a ? &a->busbw : nullptr,
           b ? &b->busbw : nullptr, QStringLiteral("No collective cases (mpi.*, nccl.*) in the loaded results."));
}

void showGemm(ChartPanel& panel, const MeasurementView* a, const MeasurementView* b) {
  QChart* chart = panel.chart();
  reset(chart, QStringLiteral("GEMM rate per precision (best size)"));
  QStringList categories;
  double top = 0;
  for (const auto* v : {a, b}) {
    if (!v) continue;
    for (const GemmBar& g : v->gemm) {
      const QString name = QString::fromStdString(g.case_name).replace(QStringLiteral(".gemm."), QStringLiteral(" "));
      if (!categories.contains(name)) categories << name;
      top = std::max(top, g.flop_per_s);
    }
  }
  if (categories.isEmpty()) {
    panel.setNote(QStringLiteral("No GEMM cases (*.gemm.*) in the loaded results."));
    return;
  }
  // TFLOP/s for accelerators, GFLOP/s when every rate is below 1 TFLOP/s (CPUs).
  const bool tera = top >= 1e12;
  const double scale = tera ? 1e12 : 1e9;
  const QString unit = tera ? QStringLiteral("TFLOP/s") : QStringLiteral("GFLOP/s");
  auto* series = new QBarSeries;
  int i = 0;
  for (const auto* v : {a, b}) {
    if (!v || v->gemm.empty()) continue;
    auto* set = new QBarSet(v == a ? QStringLiteral("A") : QStringLiteral("B"));
    set->setColor(color(i++));
    std::vector<QString> shapes(static_cast<std::size_t>(categories.size()));
    for (int k = 0; k < categories.size(); ++k) {
      double value = 0;
      for (const GemmBar& g : v->gemm) {
        if (QString::fromStdString(g.case_name).replace(QStringLiteral(".gemm."), QStringLiteral(" ")) == categories[k]) {
          value = g.flop_per_s / scale;
          shapes[static_cast<std::size_t>(k)] = QString::fromStdString(g.shape);
        }
      }
      *set << value;
    }
    QObject::connect(set, &QBarSet::hovered, set, [set, categories, shapes, unit](bool on, int k) {
      tip(on, QStringLiteral("%1 %2: %3 %4 at %5")
                  .arg(set->label(), categories.value(k))
                  .arg(set->at(k), 0, 'f', 1)
                  .arg(unit, shapes[static_cast<std::size_t>(k)]));
    });
    series->append(set);
  }
  chart->addSeries(series);
  auto* x = new QBarCategoryAxis;
  x->append(categories);
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  auto* y = new QValueAxis;
  y->setTitleText(unit);
  y->setLabelFormat(QStringLiteral("%.0f"));
  y->setRange(0, top / scale * 1.15);
  y->applyNiceNumbers();
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(y);
  panel.setNote({});
}

}  // namespace headroom::gui
