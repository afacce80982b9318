#include "main_window.hpp"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

#include <cstdio>

#include "../charts/chart_panel.hpp"
#include "../models/cases_table_model.hpp"
#include "../models/comparison_table_model.hpp"
#include "../models/option_list_model.hpp"
#include "../models/profile_tree_model.hpp"
#include "../models/report_export.hpp"
#include "bench_runner.hpp"
#include "headroom/core/atomic_file.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/results.hpp"
#include "pages.hpp"
#include "workload_panel.hpp"

namespace headroom::gui {

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

MainWindow::MainWindow(const std::filesystem::path& data_dir, QWidget* parent)
    : QMainWindow(parent), data_dir_(data_dir) {
  catalog_ = std::make_shared<const plan::Catalog>(plan::Catalog::load(data_dir));
  cost_engine_ = std::make_shared<const CostEngine>(data_dir);
  recomputer_ = new Recomputer(catalog_, cost_engine_, this);
  options_ = new OptionListModel(this);
  comparison_model_ = new ComparisonTableModel(this);
  cases_model_ = new CasesTableModel(this);
  profile_model_ = new ProfileTreeModel(this);
  bench_ = new BenchRunner(this);

  setWindowTitle(QStringLiteral("headroom — compare GPU options"));
  setAcceptDrops(true);

  workload_ = new WorkloadPanel(*catalog_, this);
  auto* left = new QWidget(this);
  auto* left_layout = new QVBoxLayout(left);
  left_layout->addWidget(workload_);
  left_layout->addWidget(buildOptionsPanel());
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(left);
  scroll->setWidgetResizable(true);
  auto* dock = new QDockWidget(QStringLiteral("Workload and GPU options"), this);
  dock->setObjectName(QStringLiteral("workload"));
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  dock->setWidget(scroll);
  dock->setMinimumWidth(330);
  addDockWidget(Qt::LeftDockWidgetArea, dock);

  fit_ = new FitPage(comparison_model_, this);
  time_ = new TimePage(comparison_model_, this);
  cost_ = new CostPage(cost_engine_->scenario_names(), this);
  roofline_ = new RooflinePage(this);
  measurements_ = new MeasurementsPage(cases_model_, this);
  auto* profiles = new QTreeView(this);
  profiles->setModel(profile_model_);
  profiles->setAlternatingRowColors(true);
  connect(profile_model_, &QAbstractItemModel::modelReset, profiles, [profiles] {
    profiles->expandAll();
    profiles->resizeColumnToContents(0);
    profiles->resizeColumnToContents(1);
    profiles->resizeColumnToContents(2);
  });
  tabs_ = new QTabWidget(this);
  tabs_->addTab(fit_, QStringLiteral("&Fit"));
  tabs_->addTab(time_, QStringLiteral("&Time && throughput"));
  tabs_->addTab(cost_, QStringLiteral("&Cost"));
  tabs_->addTab(roofline_, QStringLiteral("&Roofline"));
  tabs_->addTab(measurements_, QStringLiteral("&Measurements"));
  tabs_->addTab(profiles, QStringLiteral("&Profiles"));
  setCentralWidget(tabs_);
  buildMenus();
  statusBar()->showMessage(QStringLiteral("Drop results.json, profile.json or a saved workspace anywhere in the window."));

  connect(recomputer_, &Recomputer::resultReady, this, [this](const ComparisonPtr& c) { apply(c); });
  connect(workload_, &WorkloadPanel::changed, this, [this] { scheduleRecompute(); });
  connect(options_, &QAbstractItemModel::dataChanged, this, [this] { scheduleRecompute(); });
  connect(options_, &QAbstractItemModel::rowsInserted, this, [this] { scheduleRecompute(); });
  connect(options_, &QAbstractItemModel::rowsRemoved, this, [this] { scheduleRecompute(); });
  connect(options_, &QAbstractItemModel::modelReset, this, [this] { scheduleRecompute(); });
  cost_->onChanged = [this] { scheduleRecompute(); };

  // Benchmarks run as a `headroom bench` child process.
  connect(measurements_->runButton(), &QPushButton::clicked, this, [this] { runBenchmark(); });
  connect(measurements_->cancelButton(), &QPushButton::clicked, bench_, &BenchRunner::cancel);
  connect(bench_, &BenchRunner::progress, this, [this](int done, int total, const QString& line) {
    measurements_->progressBar()->setRange(0, total);
    measurements_->progressBar()->setValue(done);
    measurements_->statusLabel()->setText(line);
  });
  connect(bench_, &BenchRunner::finished, this, [this](const QString& file, bool cancelled, const QString& text) {
    measurements_->runButton()->setEnabled(true);
    measurements_->cancelButton()->setEnabled(false);
    measurements_->statusLabel()->setText(QStringLiteral("Benchmark %1.").arg(text));
    if (!file.isEmpty()) {
      const QString error = loadResults(file, 'A');
      if (!error.isEmpty()) message(QStringLiteral("Benchmark"), error);
    } else if (!cancelled) {
      message(QStringLiteral("Benchmark"), text);
    }
  });
  connect(measurements_->openAButton(), &QPushButton::clicked, this, [this] {
    const QString p = QFileDialog::getOpenFileName(this, QStringLiteral("Results file for set A"), {}, QStringLiteral("results.json (*.json)"));
    if (!p.isEmpty()) loadResults(p, 'A');
  });
  connect(measurements_->openBButton(), &QPushButton::clicked, this, [this] {
    const QString p = QFileDialog::getOpenFileName(this, QStringLiteral("Results file for set B"), {}, QStringLiteral("results.json (*.json)"));
    if (!p.isEmpty()) loadResults(p, 'B');
  });
  connect(measurements_->clearButton(), &QPushButton::clicked, this, [this] {
    results_a_.reset();
    results_b_.reset();
    path_a_.clear();
    path_b_.clear();
    refreshMeasurements();
  });

  setWorkspace(default_workspace(*catalog_));
  resize(1500, 940);
}

MainWindow::~MainWindow() = default;

QWidget* MainWindow::buildOptionsPanel() {
  auto* box = new QWidget(this);
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(8, 0, 8, 0);
  auto* title = new QLabel(QStringLiteral("<b>GPU options</b> (checked ones are compared)"), box);
  option_view_ = new QListView(box);
  option_view_->setModel(options_);
  option_view_->setMinimumHeight(120);
  option_view_->setToolTip(QStringLiteral("Space toggles an option; Delete removes it"));
  title->setBuddy(option_view_);
  add_gpu_ = new QComboBox(box);
  add_gpu_->setObjectName(QStringLiteral("addGpu"));
  for (const plan::HardwareProfile& g : catalog_->gpus) add_gpu_->addItem(qs(g.name), qs(g.id));
  // The measured profiles shipped in data/measured, after the datasheets: a file path as the data.
  std::vector<std::string> unreadable;
  for (const MeasuredEntry& m : shipped_measured_profiles(data_dir_, &unreadable)) {
    add_gpu_->addItem(qs(m.label), QStringLiteral("file:") + QString::fromStdString(m.path.string()));
  }
  for (const std::string& why : unreadable) {
    // Left out of the picker; said where a user looks (the status bar) and on stderr.
    statusBar()->showMessage(QStringLiteral("Measured profile left out: ") + qs(why));
    std::fprintf(stderr, "headroom-gui: measured profile left out of the GPU picker: %s\n", why.c_str());
  }
  add_gpu_->setToolTip(QStringLiteral("Datasheet profiles from data/hardware, then measured ones from data/measured"));
  auto* add = new QPushButton(QStringLiteral("&Add"), box);
  add->setObjectName(QStringLiteral("addGpuButton"));
  add->setToolTip(QStringLiteral("Add the selected GPU (datasheet or measured profile) as an option"));
  auto* import = new QPushButton(QStringLiteral("&Import…"), box);
  import->setToolTip(QStringLiteral("Add a measured option from a profile.json or a GPU results.json"));
  auto* remove = new QPushButton(QStringLiteral("Remo&ve"), box);
  auto* row = new QHBoxLayout;
  row->addWidget(add_gpu_, 1);
  row->addWidget(add);
  auto* row2 = new QHBoxLayout;
  row2->addWidget(import);
  row2->addWidget(remove);
  layout->addWidget(title);
  layout->addWidget(option_view_);
  layout->addLayout(row);
  layout->addLayout(row2);
  connect(add, &QPushButton::clicked, this, [this] {
    const QString chosen = add_gpu_->currentData().toString();
    if (chosen.startsWith(QStringLiteral("file:"))) {
      if (const QString error = openFile(chosen.mid(5)); !error.isEmpty()) statusBar()->showMessage(error);
    } else if (const plan::HardwareProfile* p = catalog_->find_gpu(chosen.toStdString())) {
      options_->addOption(GpuOption{p->name, OptionKind::kDatasheet, "", *p, true});
    }
  });
  connect(import, &QPushButton::clicked, this, [this] {
    const QString p = QFileDialog::getOpenFileName(this, QStringLiteral("Import a measured GPU"), {}, QStringLiteral("profile or results (*.json)"));
    if (!p.isEmpty()) openFile(p);
  });
  connect(remove, &QPushButton::clicked, this, [this] { options_->removeOption(option_view_->currentIndex().row()); });
  auto* del = new QAction(option_view_);
  del->setShortcut(QKeySequence::Delete);
  del->setShortcutContext(Qt::WidgetShortcut);
  option_view_->addAction(del);
  connect(del, &QAction::triggered, this, [this] { options_->removeOption(option_view_->currentIndex().row()); });
  return box;
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
  file->addAction(QStringLiteral("&Open…"), QKeySequence::Open, this, [this] {
    const QString p = QFileDialog::getOpenFileName(this, QStringLiteral("Open results, profile or workspace"), {},
                                                   QStringLiteral("headroom JSON (*.json);;All files (*)"));
    if (!p.isEmpty()) openFile(p);
  });
  file->addAction(QStringLiteral("&Save workspace…"), QKeySequence::Save, this, [this] {
    const QString p = QFileDialog::getSaveFileName(this, QStringLiteral("Save workspace"), QStringLiteral("workspace.json"),
                                                   QStringLiteral("Workspace (*.json)"));
    if (!p.isEmpty()) {
      const QString e = saveWorkspaceFile(p);
      if (!e.isEmpty()) message(QStringLiteral("Save workspace"), e);
    }
  });
  file->addAction(QStringLiteral("&Export report…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
    const QString p = QFileDialog::getSaveFileName(this, QStringLiteral("Export comparison report"), QStringLiteral("comparison.html"),
                                                   QStringLiteral("HTML (*.html)"));
    if (!p.isEmpty()) {
      const QString e = exportReport(p);
      if (!e.isEmpty()) message(QStringLiteral("Export report"), e);
    }
  });
  file->addAction(QStringLiteral("Export current &chart…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this, [this] {
    // The first chart of the current page (each chart also has its own Export button).
    for (ChartPanel* c : charts()) {
      if (tabs_->currentWidget()->isAncestorOf(c)) {
        c->exportInteractive();
        return;
      }
    }
  });
  file->addSeparator();
  file->addAction(QStringLiteral("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
  QMenu* view = menuBar()->addMenu(QStringLiteral("&View"));
  for (int i = 0; i < tabs_->count(); ++i) {
    QString name = tabs_->tabText(i);
    name.remove(QLatin1Char('&'));
    view->addAction(name, QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)), this, [this, i] { tabs_->setCurrentIndex(i); });
  }
  view->addAction(QStringLiteral("Focus the &workload form"), QKeySequence(Qt::CTRL | Qt::Key_L), this,
                  [this] { workload_->modelBox()->setFocus(Qt::ShortcutFocusReason); });
}

std::vector<ChartPanel*> MainWindow::charts() const {
  std::vector<ChartPanel*> all{fit_->chart()};
  for (ChartPanel* c : time_->charts()) all.push_back(c);
  for (ChartPanel* c : cost_->charts()) all.push_back(c);
  all.push_back(roofline_->chart());
  for (ChartPanel* c : measurements_->charts()) all.push_back(c);
  return all;
}

Workspace MainWindow::workspace() const {
  Workspace ws;
  ws.workload = workload_->form();
  ws.options = options_->options();
  ws.cost = cost_->form();
  ws.results_a = path_a_.toStdString();
  ws.results_b = path_b_.toStdString();
  return ws;
}

void MainWindow::setWorkspace(const Workspace& ws) {
  workload_->setForm(ws.workload);
  options_->setOptions(ws.options);
  std::vector<std::string> labels;
  for (const GpuOption& o : ws.options) labels.push_back(o.label);
  cost_->setOptions(labels);
  cost_->setForm(ws.cost);
  profile_model_->setOptions(ws.options);
  scheduleRecompute();
}

void MainWindow::scheduleRecompute() {
  const Workspace ws = workspace();
  std::vector<std::string> labels;
  for (const GpuOption& o : ws.options) {
    if (o.enabled) labels.push_back(o.label);
  }
  cost_->setOptions(labels);
  recomputer_->request(workspace());
}

void MainWindow::apply(const ComparisonPtr& c) {
  if (!c->error.empty()) {
    workload_->showError(qs(c->error_path), qs(c->error));
    statusBar()->showMessage(QStringLiteral("Invalid input %1: expected %2 (charts show the last valid input)").arg(qs(c->error_path), qs(c->error)));
    return;
  }
  workload_->showError({}, {});
  shown_ = c;
  comparison_model_->setComparison(c);
  profile_model_->setOptions(options_->options());
  fit_->display(*c);
  time_->display(*c);
  cost_->display(*c);
  roofline_->display(*c);
  statusBar()->showMessage(QStringLiteral("%1 option(s) planned in %2 ms").arg(c->options.size()).arg(c->compute_s * 1e3, 0, 'f', 1));
}

bool MainWindow::waitForIdle(int timeout_ms) { return recomputer_->waitForIdle(timeout_ms); }

void MainWindow::message(const QString& title, const QString& text) {
  last_message_ = text;
  statusBar()->showMessage(text);
  if (!quiet_) QMessageBox::warning(this, title, text);
}

QString MainWindow::loadResults(const QString& path, char set) {
  try {
    auto r = std::make_shared<const core::Results>(core::load_results(path.toStdString()));
    if (set == 'A') {
      results_a_ = std::move(r);
      path_a_ = path;
    } else {
      results_b_ = std::move(r);
      path_b_ = path;
    }
    refreshMeasurements();
    return {};
  } catch (const std::exception& e) {
    const QString error = QStringLiteral("Cannot load %1:\n%2").arg(path, QString::fromUtf8(e.what()));
    message(QStringLiteral("Open results"), error);
    return error;
  }
}

void MainWindow::refreshMeasurements() {
  if (results_a_) view_a_ = extract_measurements(*results_a_);
  if (results_b_) view_b_ = extract_measurements(*results_b_);
  cases_model_->setResults(results_a_, results_b_);
  measurements_->display(results_a_ ? &view_a_ : nullptr, QFileInfo(path_a_).fileName(), results_b_ ? &view_b_ : nullptr,
                         QFileInfo(path_b_).fileName());
}

QString MainWindow::openFile(const QString& path) {
  const std::filesystem::path p = path.toStdString();
  try {
    switch (sniff_file(p)) {
      case FileKind::kWorkspace:
        return loadWorkspaceFile(path);
      case FileKind::kProfile:
        options_->addOption(import_option(p, *catalog_));
        statusBar()->showMessage(QStringLiteral("Added the measured profile %1").arg(path));
        return {};
      case FileKind::kResults: {
        // Parse fully before touching the workspace: a bad file leaves everything as it was.
        const core::Results r = core::load_results(p);
        std::optional<GpuOption> option;
        if (!r.devices.empty()) option = import_option(p, *catalog_);
        const QString error = loadResults(path, results_a_ ? 'B' : 'A');
        if (!error.isEmpty()) return error;
        if (option) options_->addOption(std::move(*option));
        tabs_->setCurrentWidget(measurements_);
        return {};
      }
    }
  } catch (const std::exception& e) {
    const QString error = QStringLiteral("Cannot open %1:\n%2").arg(path, QString::fromUtf8(e.what()));
    message(QStringLiteral("Open"), error);
    return error;
  }
  return {};
}

QString MainWindow::loadWorkspaceFile(const QString& path) {
  try {
    const Workspace ws = load_workspace(path.toStdString(), *catalog_);
    std::shared_ptr<const core::Results> a;
    std::shared_ptr<const core::Results> b;
    if (!ws.results_a.empty()) a = std::make_shared<const core::Results>(core::load_results(ws.results_a));
    if (!ws.results_b.empty()) b = std::make_shared<const core::Results>(core::load_results(ws.results_b));
    results_a_ = a;
    results_b_ = b;
    path_a_ = qs(ws.results_a);
    path_b_ = qs(ws.results_b);
    setWorkspace(ws);
    refreshMeasurements();
    statusBar()->showMessage(QStringLiteral("Loaded workspace %1").arg(path));
    return {};
  } catch (const std::exception& e) {
    const QString error = QStringLiteral("Cannot load workspace %1:\n%2").arg(path, QString::fromUtf8(e.what()));
    message(QStringLiteral("Load workspace"), error);
    return error;
  }
}

QString MainWindow::saveWorkspaceFile(const QString& path) {
  try {
    core::write_file_atomic(path.toStdString(), workspace_to_json(workspace()), core::Overwrite::kAllow);
    statusBar()->showMessage(QStringLiteral("Saved %1").arg(path));
    return {};
  } catch (const std::exception& e) {
    return QString::fromUtf8(e.what());
  }
}

QString MainWindow::exportReport(const QString& path) {
  if (!waitForIdle(10000) || !shown_) return QStringLiteral("no comparison to export yet");
  try {
    const std::string html = export_report_html(workspace(), *shown_, *catalog_, data_dir_, core::utc_now_iso8601());
    core::write_file_atomic(path.toStdString(), html, core::Overwrite::kAllow);
    statusBar()->showMessage(QStringLiteral("Wrote %1").arg(path));
    return {};
  } catch (const std::exception& e) {
    return QString::fromUtf8(e.what());
  }
}

void MainWindow::runBenchmark() {
  bench_out_ = QDir::temp().filePath(QStringLiteral("headroom-gui-%1.json").arg(QDateTime::currentMSecsSinceEpoch()));
  if (!bench_->start(measurements_->suiteBox()->currentText(), measurements_->filterEdit()->text().trimmed(), bench_out_)) {
    message(QStringLiteral("Benchmark"), bench_->errorString());
    return;
  }
  measurements_->runButton()->setEnabled(false);
  measurements_->cancelButton()->setEnabled(true);
  measurements_->progressBar()->setRange(0, 0);  // busy until the first progress line
  measurements_->statusLabel()->setText(QStringLiteral("Running %1 %2").arg(BenchRunner::headroomExecutable(), bench_->arguments().join(QLatin1Char(' '))));
}

QString MainWindow::screenshot(const QString& dir) {
  if (!QDir().mkpath(dir)) return QStringLiteral("cannot create %1").arg(dir);
  if (!waitForIdle(30000)) return QStringLiteral("the computation did not finish in 30 s");
  static const char* names[] = {"fit", "time", "cost", "roofline", "measurements", "profiles"};
  for (int i = 0; i < tabs_->count() && i < 6; ++i) {
    tabs_->setCurrentIndex(i);
    QApplication::processEvents();
    const QString file = QDir(dir).filePath(QString::fromLatin1(names[i]) + QStringLiteral(".png"));
    if (!grab().save(file, "PNG")) return QStringLiteral("cannot write %1").arg(file);
  }
  tabs_->setCurrentIndex(0);
  return {};
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    if (url.isLocalFile()) openFile(url.toLocalFile());
  }
  event->acceptProposedAction();
}

}  // namespace headroom::gui
