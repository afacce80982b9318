#pragma once
/// The headroom-gui main window: the workload form and GPU options on the left, the pages (Fit,
/// Time & throughput, Cost, Roofline, Measurements, Profiles) in tabs. Every input change
/// schedules a recomputation off the UI thread; files come in by File ▸ Open or drag and drop.
#include <QMainWindow>

#include <memory>

#include "../models/compute.hpp"
#include "../models/measurements.hpp"
#include "../models/recomputer.hpp"

class QTabWidget;
class QComboBox;
class QListView;
class QDragEnterEvent;
class QDropEvent;

namespace headroom::core {
struct Results;
}

namespace headroom::gui {

class BenchRunner;
class CasesTableModel;
class ChartPanel;
class ComparisonTableModel;
class CostPage;
class FitPage;
class MeasurementsPage;
class OptionListModel;
class ProfileTreeModel;
class RooflinePage;
class TimePage;
class WorkloadPanel;

class MainWindow : public QMainWindow {
 public:
  /// Loads the catalogs from `data_dir` (throws core::InputError when they are unreadable).
  explicit MainWindow(const std::filesystem::path& data_dir, QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens a results.json (Measurements set A, or B when A is taken; a GPU results file also
  /// becomes an option), a profile.json (a new option) or a workspace. Returns the error message
  /// ("" on success); on error the workspace is unchanged and the message is shown.
  QString openFile(const QString& path);
  QString loadWorkspaceFile(const QString& path);
  QString saveWorkspaceFile(const QString& path);
  QString exportReport(const QString& path);
  /// Loads a results file into Measurements set 'A' or 'B'.
  QString loadResults(const QString& path, char set);

  Workspace workspace() const;
  void setWorkspace(const Workspace& ws);

  /// No modal message boxes (tests, --screenshot); messages are kept in lastMessage().
  void setQuiet(bool quiet) { quiet_ = quiet; }
  QString lastMessage() const { return last_message_; }
  /// Processes events until the pending recomputation has been shown; false on timeout.
  bool waitForIdle(int timeout_ms);
  /// Renders every page to DIR/<page>.png; returns the error message or "".
  QString screenshot(const QString& dir);

  Recomputer* recomputer() const { return recomputer_; }
  WorkloadPanel* workloadPanel() const { return workload_; }
  OptionListModel* optionModel() const { return options_; }
  ComparisonTableModel* comparisonModel() const { return comparison_model_; }
  CasesTableModel* casesModel() const { return cases_model_; }
  ProfileTreeModel* profileModel() const { return profile_model_; }
  QTabWidget* tabs() const { return tabs_; }
  FitPage* fitPage() const { return fit_; }
  TimePage* timePage() const { return time_; }
  CostPage* costPage() const { return cost_; }
  RooflinePage* rooflinePage() const { return roofline_; }
  MeasurementsPage* measurementsPage() const { return measurements_; }
  BenchRunner* benchRunner() const { return bench_; }
  std::vector<ChartPanel*> charts() const;
  ComparisonPtr shown() const { return shown_; }

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void buildMenus();
  QWidget* buildOptionsPanel();
  void scheduleRecompute();
  void apply(const ComparisonPtr& c);
  void refreshMeasurements();
  void message(const QString& title, const QString& text);
  void runBenchmark();

  std::filesystem::path data_dir_;
  std::shared_ptr<const plan::Catalog> catalog_;
  std::shared_ptr<const CostEngine> cost_engine_;
  Recomputer* recomputer_;
  WorkloadPanel* workload_;
  OptionListModel* options_;
  ComparisonTableModel* comparison_model_;
  CasesTableModel* cases_model_;
  ProfileTreeModel* profile_model_;
  QTabWidget* tabs_;
  FitPage* fit_;
  TimePage* time_;
  CostPage* cost_;
  RooflinePage* roofline_;
  MeasurementsPage* measurements_;
  BenchRunner* bench_;
  QComboBox* add_gpu_;
  QListView* option_view_;
  ComparisonPtr shown_;
  std::shared_ptr<const core::Results> results_a_;
  std::shared_ptr<const core::Results> results_b_;
  QString path_a_;
  QString path_b_;
  MeasurementView view_a_;
  MeasurementView view_b_;
  QString bench_out_;
  bool quiet_ = false;
  QString last_message_;
};

}  // namespace headroom::gui
