#pragma once
// Helpers shared by the chart builders (Qt Charts types; only included from gui/charts/*.cpp).
#include <QColor>
#include <QCursor>
#include <QToolTip>
#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLogValueAxis>

#include <algorithm>
#include <cmath>

namespace headroom::gui::chart_util {

/// A palette readable on white and by the common colour-vision deficiencies (Okabe-Ito order).
inline QColor color(int i) {
  static const QColor colors[] = {QColor(0x00, 0x72, 0xb2), QColor(0xe6, 0x9f, 0x00), QColor(0x00, 0x9e, 0x73),
                                  QColor(0xcc, 0x79, 0xa7), QColor(0x56, 0xb4, 0xe9), QColor(0xd5, 0x5e, 0x00),
                                  QColor(0xf0, 0xe4, 0x42), QColor(0x00, 0x00, 0x00)};
  return colors[static_cast<unsigned>(i) % (sizeof colors / sizeof colors[0])];
}

/// Removes every series and axis and sets the title.
inline void reset(QChart* chart, const QString& title) {
  chart->removeAllSeries();
  const auto axes = chart->axes();
  for (QAbstractAxis* axis : axes) {
    chart->removeAxis(axis);
    delete axis;
  }
  chart->setTitle(title);
}

/// Shows `text` at the mouse, or hides the tooltip when `on` is false.
inline void tip(bool on, const QString& text) {
  if (on) {
    QToolTip::showText(QCursor::pos(), text);
  } else {
    QToolTip::hideText();
  }
}

/// Hides the legend entry of `series` (repeated helper lines such as per-option capacity marks).
inline void hideLegend(QChart* chart, QAbstractSeries* series) {
  for (QLegendMarker* m : chart->legend()->markers(series)) m->setVisible(false);
}

/// A base-10 log axis over [lo, hi] rounded out to decades, with at most ~4 labelled ticks (one
/// label per decade crowds a narrow chart until Qt elides them). "%g" keeps labels short ("0.1",
/// "1000", "1e+04"): the default format truncated them ("10...").
inline QLogValueAxis* logAxis(const QString& title, double lo, double hi) {
  auto* axis = new QLogValueAxis;
  axis->setLabelFormat(QStringLiteral("%g"));
  axis->setTitleText(title);
  axis->setMinorTickCount(-1);
  const double l = std::floor(std::log10(lo));
  const double h = std::max(l + 1, std::ceil(std::log10(hi)));
  const double step = std::ceil((h - l) / 4.0);
  axis->setBase(std::pow(10.0, step));
  axis->setRange(std::pow(10.0, l), std::pow(10.0, h));
  return axis;
}

}  // namespace headroom::gui::chart_util
