#pragma once
/// The five pages. Each is a plain widget that shows the latest Comparison (or the loaded results)
/// in ChartPanels and a table; none includes a Qt Charts header.
#include <QWidget>

#include <functional>
#include <memory>

#include "../models/compute.hpp"
#include "../models/measurements.hpp"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class QAbstractItemModel;

namespace headroom::gui {

class ChartPanel;

class FitPage : public QWidget {
 public:
  FitPage(QAbstractItemModel* table, QWidget* parent = nullptr);
  void display(const Comparison& c);
  ChartPanel* chart() const { return fit_; }

 private:
  ChartPanel* fit_;
};

class TimePage : public QWidget {
 public:
  TimePage(QAbstractItemModel* table, QWidget* parent = nullptr);
  void display(const Comparison& c);
  std::vector<ChartPanel*> charts() const { return {throughput_, time_, hours_}; }
  /// Per option: checkpoint and failure figures (training) or the cold start (serving), or its error.
  QLabel* details() const { return details_; }

 private:
  QLabel* details_;
  ChartPanel* throughput_;
  ChartPanel* time_;
  ChartPanel* hours_;
};

class CostPage : public QWidget {
 public:
  CostPage(const std::vector<std::string>& scenarios, QWidget* parent = nullptr);
  void display(const Comparison& c);
  /// Fills the option choice with the compared options (keeps the current one when present).
  void setOptions(const std::vector<std::string>& labels);
  void setForm(const CostForm& form);
  CostForm form() const;
  std::vector<ChartPanel*> charts() const { return {curves_, tornado_}; }
  QComboBox* scenarioBox() const { return scenario_; }
  /// Called when an input changes.
  std::function<void()> onChanged;

 private:
  QComboBox* scenario_;
  QComboBox* option_;
  QDoubleSpinBox* utilisation_;
  QDoubleSpinBox* years_;
  QLabel* status_;
  QLabel* notes_;
  ChartPanel* curves_;
  ChartPanel* tornado_;
  bool loading_ = false;
};

class RooflinePage : public QWidget {
 public:
  explicit RooflinePage(QWidget* parent = nullptr);
  void display(const Comparison& c);
  ChartPanel* chart() const { return roofline_; }
  QComboBox* optionBox() const { return option_; }

 private:
  void redraw();
  QComboBox* option_;
  ChartPanel* roofline_;
  std::shared_ptr<const Comparison> last_;
};

class MeasurementsPage : public QWidget {
 public:
  MeasurementsPage(QAbstractItemModel* table, QWidget* parent = nullptr);
  /// Shows sets A and B (either may be null); labels name the files.
  void display(const MeasurementView* a, const QString& label_a, const MeasurementView* b, const QString& label_b);
  std::vector<ChartPanel*> charts() const { return {bandwidth_, gemm_, busbw_}; }

  // The benchmark controls (wired by the main window).
  QComboBox* suiteBox() const { return suite_; }
  QLineEdit* filterEdit() const { return filter_; }
  QPushButton* runButton() const { return run_; }
  QPushButton* cancelButton() const { return cancel_; }
  QPushButton* openAButton() const { return open_a_; }
  QPushButton* openBButton() const { return open_b_; }
  QPushButton* clearButton() const { return clear_; }
  QProgressBar* progressBar() const { return progress_; }
  QLabel* statusLabel() const { return status_; }

 private:
  QLabel* files_;
  QComboBox* suite_;
  QLineEdit* filter_;
  QPushButton* run_;
  QPushButton* cancel_;
  QPushButton* open_a_;
  QPushButton* open_b_;
  QPushButton* clear_;
  QProgressBar* progress_;
  QLabel* status_;
  ChartPanel* bandwidth_;
  ChartPanel* gemm_;
  ChartPanel* busbw_;
};

}  // namespace headroom::gui
