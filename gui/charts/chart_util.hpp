#pragma once
// Helpers shared by the chart builders (Qt Charts types; only included from gui/charts/*.cpp).
#include <QColor>
#include <QCursor>
#include <QToolTip>
#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>
#include <QtCharts/QLegendMarker>

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

}  // namespace headroom::gui::chart_util
