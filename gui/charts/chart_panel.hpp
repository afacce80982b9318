#pragma once
/// A titled chart with an Export button (PNG or SVG). The only widget that owns a Qt Charts view;
/// pages hold ChartPanels and fill them with the builders in builders.hpp, so no page includes
/// a Qt Charts header (Qt Charts is deprecated from Qt 6.10; keeping it here bounds a port).
#include <QString>
#include <QWidget>

class QChart;
class QChartView;
class QLabel;

namespace headroom::gui {

class ChartPanel : public QWidget {
 public:
  explicit ChartPanel(const QString& name, QWidget* parent = nullptr);

  QChart* chart() const;
  QChartView* view() const { return view_; }
  /// Short file-name stem used by the export dialog and --screenshot ("fit", "roofline").
  const QString& name() const { return name_; }
  /// A line under the chart (why nothing is shown, or what the data is); empty hides it.
  void setNote(const QString& text);
  QString note() const;
  /// Writes the chart to `path`: ".svg" as SVG (vector), anything else as PNG. Returns an error
  /// message, or an empty string on success.
  QString exportTo(const QString& path) const;
  /// Asks for a file name and exports.
  void exportInteractive();
  /// True when the SVG export is built in (Qt6Svg found).
  static bool svgAvailable();

 private:
  QString name_;
  QChartView* view_ = nullptr;
  QLabel* note_ = nullptr;
};

}  // namespace headroom::gui
