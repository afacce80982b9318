#include "pages.hpp"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "../charts/builders.hpp"
#include "../charts/chart_panel.hpp"
#include "../models/option_details.hpp"

namespace headroom::gui {

namespace {

QTableView* table_view(QAbstractItemModel* model, QWidget* parent) {
  auto* view = new QTableView(parent);
  view->setModel(model);
  view->setAlternatingRowColors(true);
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->setTabKeyNavigation(false);  // Tab moves on to the next widget; arrows move inside
  view->horizontalHeader()->setStretchLastSection(true);
  view->verticalHeader()->hide();
  QObject::connect(model, &QAbstractItemModel::modelReset, view, [view] { view->resizeColumnsToContents(); });
  return view;
}

}  // namespace

// ---- Fit ----------------------------------------------------------------------------------

FitPage::FitPage(QAbstractItemModel* table, QWidget* parent) : QWidget(parent) {
  fit_ = new ChartPanel(QStringLiteral("fit"), this);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(fit_);
  split->addWidget(table_view(table, this));
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);
}

void FitPage::display(const Comparison& c) {
  if (!c.error.empty()) return;  // the form shows why; keep the last valid chart
  showFit(*fit_, c);
}

// ---- Time & throughput -----------------------------------------------------------------------

TimePage::TimePage(QAbstractItemModel* table, QWidget* parent) : QWidget(parent) {
  throughput_ = new ChartPanel(QStringLiteral("throughput"), this);
  time_ = new ChartPanel(QStringLiteral("time"), this);
  hours_ = new ChartPanel(QStringLiteral("gpu-hours"), this);
  auto* charts = new QWidget(this);
  auto* row = new QHBoxLayout(charts);
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(throughput_);
  row->addWidget(time_);
  row->addWidget(hours_);
  // Beside the table: what each option's time-to-train is made of (checkpoints, failures) or its
  // cold start, with the figures `headroom plan` prints.
  details_ = new QLabel(this);
  details_->setWordWrap(true);
  details_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  details_->setTextFormat(Qt::RichText);
  auto* details_scroll = new QScrollArea(this);
  details_scroll->setWidget(details_);
  details_scroll->setWidgetResizable(true);
  auto* bottom = new QSplitter(Qt::Horizontal, this);
  bottom->addWidget(table_view(table, this));
  bottom->addWidget(details_scroll);
  bottom->setStretchFactor(0, 3);
  bottom->setStretchFactor(1, 2);
  // The table scrolls sideways; the details need about 60 characters a line to stay readable.
  bottom->setSizes({600, 440});
  details_scroll->setMinimumWidth(320);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(charts);
  split->addWidget(bottom);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(split);
}

void TimePage::display(const Comparison& c) {
  if (!c.error.empty()) return;
  showTime(*throughput_, *time_, *hours_, c);
  details_->setText(option_details_html(c));
}

// ---- Cost ---------------------------------------------------------------------------------

CostPage::CostPage(const std::vector<std::string>& scenarios, QWidget* parent) : QWidget(parent) {
  scenario_ = new QComboBox(this);
  scenario_->setEditable(false);
  for (const std::string& s : scenarios) scenario_->addItem(QString::fromStdString(s), QString::fromStdString(s));
  scenario_->setToolTip(QStringLiteral("Cost scenario from data/scenarios: fleet, on-prem costs and cloud offers with dated, sourced prices"));
  option_ = new QComboBox(this);
  option_->setToolTip(QStringLiteral("The GPU option whose planned GPU-hours (training) or tokens/s per GPU (inference) feed the scenario"));
  utilisation_ = new QDoubleSpinBox(this);
  utilisation_->setRange(0, 1);
  utilisation_->setSingleStep(0.05);
  utilisation_->setDecimals(2);
  utilisation_->setSpecialValueText(QStringLiteral("scenario's"));
  utilisation_->setToolTip(QStringLiteral("Busy share of wall time, (0, 1]; leftmost = the scenario's value"));
  years_ = new QDoubleSpinBox(this);
  years_->setRange(0, 10);
  years_->setSingleStep(0.5);
  years_->setDecimals(1);
  years_->setSuffix(QStringLiteral(" years"));
  years_->setSpecialValueText(QStringLiteral("scenario's"));
  years_->setToolTip(QStringLiteral("Horizon = depreciation period, years; leftmost = the scenario's value"));
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  auto* form = new QFormLayout;
  form->addRow(QStringLiteral("S&cenario"), scenario_);
  form->addRow(QStringLiteral("GPU-hours &from"), option_);
  form->addRow(QStringLiteral("&Utilisation"), utilisation_);
  form->addRow(QStringLiteral("&Horizon"), years_);
  auto* top = new QHBoxLayout;
  top->addLayout(form);
  top->addWidget(status_, 1);

  curves_ = new ChartPanel(QStringLiteral("cost"), this);
  tornado_ = new ChartPanel(QStringLiteral("tornado"), this);
  notes_ = new QLabel(this);
  notes_->setWordWrap(true);
  notes_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  notes_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* notes_scroll = new QScrollArea(this);
  notes_scroll->setWidget(notes_);
  notes_scroll->setWidgetResizable(true);
  // The tornado needs height: Qt Charts elides a category label to "..." when its row is short.
  auto* charts = new QHBoxLayout;
  charts->addWidget(curves_, 3);
  charts->addWidget(tornado_, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addLayout(charts, 3);
  layout->addWidget(notes_scroll, 1);

  const auto changed = [this] {
    if (!loading_ && onChanged) onChanged();
  };
  connect(scenario_, &QComboBox::currentIndexChanged, this, changed);
  connect(option_, &QComboBox::currentIndexChanged, this, changed);
  connect(utilisation_, &QDoubleSpinBox::valueChanged, this, changed);
  connect(years_, &QDoubleSpinBox::valueChanged, this, changed);
}

void CostPage::setOptions(const std::vector<std::string>& labels) {
  const QString current = option_->currentText();
  loading_ = true;
  option_->clear();
  for (const std::string& l : labels) option_->addItem(QString::fromStdString(l));
  const int idx = option_->findText(current);
  option_->setCurrentIndex(idx >= 0 ? idx : 0);
  loading_ = false;
}

void CostPage::setForm(const CostForm& f) {
  loading_ = true;
  int idx = scenario_->findData(QString::fromStdString(f.scenario));
  if (idx < 0) {
    scenario_->addItem(QString::fromStdString(f.scenario), QString::fromStdString(f.scenario));
    idx = scenario_->count() - 1;
  }
  scenario_->setCurrentIndex(idx);
  const int opt = option_->findText(QString::fromStdString(f.option_label));
  if (opt >= 0) option_->setCurrentIndex(opt);
  utilisation_->setValue(f.utilisation);
  years_->setValue(f.years);
  loading_ = false;
}

CostForm CostPage::form() const {
  CostForm f;
  f.scenario = scenario_->currentData().toString().toStdString();
  f.option_label = option_->currentText().toStdString();
  f.utilisation = utilisation_->value();
  f.years = years_->value();
  return f;
}

void CostPage::display(const Comparison& c) {
  if (!c.error.empty()) return;
  showCostCurves(*curves_, c.cost);
  showTornado(*tornado_, c.cost);
  QStringList notes;
  for (const std::string& n : c.cost.notes) notes << QString::fromStdString(n).toHtmlEscaped();
  notes_->setText(notes.isEmpty() ? QString() : QStringLiteral("<b>Notes and price ages</b><br>") + notes.join(QStringLiteral("<br>")));
  if (!c.cost.error.empty()) {
    status_->setText(QStringLiteral("<span style='color:#b01c1c'>No cost figures: %1</span>").arg(QString::fromStdString(c.cost.error).toHtmlEscaped()));
  } else {
    status_->setText(QStringLiteral("Scenario <b>%1</b> over %2 months; prices and sources: data/prices/catalog.json (see each price's as-of date).")
                         .arg(QString::fromStdString(c.cost.scenario).toHtmlEscaped())
                         .arg(c.cost.months, 0, 'f', 0));
  }
}

// ---- Roofline -------------------------------------------------------------------------------

RooflinePage::RooflinePage(QWidget* parent) : QWidget(parent) {
  option_ = new QComboBox(this);
  option_->setToolTip(QStringLiteral("Whose ceilings to draw"));
  roofline_ = new ChartPanel(QStringLiteral("roofline"), this);
  auto* row = new QHBoxLayout;
  auto* label = new QLabel(QStringLiteral("&Option"), this);
  label->setBuddy(option_);
  row->addWidget(label);
  row->addWidget(option_);
  row->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(row);
  layout->addWidget(roofline_, 1);
  connect(option_, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
}

void RooflinePage::display(const Comparison& c) {
  if (!c.error.empty()) return;
  last_ = std::make_shared<Comparison>(c);
  const QString current = option_->currentText();
  const QSignalBlocker block(option_);
  option_->clear();
  for (const OptionResult& o : c.options) option_->addItem(QString::fromStdString(o.label));
  const int idx = option_->findText(current);
  option_->setCurrentIndex(idx >= 0 ? idx : 0);
  redraw();
}

void RooflinePage::redraw() {
  if (!last_ || last_->options.empty()) {
    showEmpty(*roofline_, QStringLiteral("Roofline"), QStringLiteral("No option to show."));
    return;
  }
  const int idx = std::max(0, option_->currentIndex());
  showRoofline(*roofline_, last_->options[static_cast<std::size_t>(std::min<int>(idx, static_cast<int>(last_->options.size()) - 1))]);
}

// ---- Measurements ---------------------------------------------------------------------------

MeasurementsPage::MeasurementsPage(QAbstractItemModel* table, QWidget* parent) : QWidget(parent) {
  files_ = new QLabel(this);
  files_->setWordWrap(true);
  open_a_ = new QPushButton(QStringLiteral("Open &A…"), this);
  open_a_->setToolTip(QStringLiteral("Load a results.json as set A (before)"));
  open_b_ = new QPushButton(QStringLiteral("Open &B…"), this);
  open_b_->setToolTip(QStringLiteral("Load a results.json as set B, overlaid on A (after)"));
  clear_ = new QPushButton(QStringLiteral("C&lear"), this);
  suite_ = new QComboBox(this);
  for (const char* s : {"quick", "standard", "full"}) suite_->addItem(QString::fromLatin1(s));
  suite_->setToolTip(QStringLiteral("headroom bench --suite"));
  filter_ = new QLineEdit(QStringLiteral("cpu.*"), this);
  filter_->setToolTip(QStringLiteral("headroom bench --filter: a glob over case names, e.g. cpu.stream.* (empty: all)"));
  run_ = new QPushButton(QStringLiteral("&Run benchmark"), this);
  run_->setToolTip(QStringLiteral("Runs `headroom bench` on this machine as a child process and shows the result as set A"));
  cancel_ = new QPushButton(QStringLiteral("Cance&l"), this);
  cancel_->setEnabled(false);
  cancel_->setToolTip(QStringLiteral("Stops after the current case (SIGINT); the partial results are kept"));
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_ = new QLabel(this);

  auto* controls = new QHBoxLayout;
  controls->addWidget(open_a_);
  controls->addWidget(open_b_);
  controls->addWidget(clear_);
  controls->addSpacing(24);
  controls->addWidget(new QLabel(QStringLiteral("Suite"), this));
  controls->addWidget(suite_);
  controls->addWidget(new QLabel(QStringLiteral("Filter"), this));
  controls->addWidget(filter_, 1);
  controls->addWidget(run_);
  controls->addWidget(cancel_);
  controls->addWidget(progress_, 1);

  bandwidth_ = new ChartPanel(QStringLiteral("bandwidth"), this);
  gemm_ = new ChartPanel(QStringLiteral("gemm"), this);
  busbw_ = new ChartPanel(QStringLiteral("busbw"), this);
  auto* charts = new QWidget(this);
  auto* grid = new QGridLayout(charts);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->addWidget(bandwidth_, 0, 0);
  grid->addWidget(busbw_, 0, 1);
  grid->addWidget(gemm_, 1, 0);
  grid->addWidget(table_view(table, this), 1, 1);
  grid->setRowStretch(0, 3);
  grid->setRowStretch(1, 2);
  auto* split = charts;

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addWidget(status_);
  layout->addWidget(files_);
  layout->addWidget(split, 1);
  display(nullptr, {}, nullptr, {});
}

void MeasurementsPage::display(const MeasurementView* a, const QString& label_a, const MeasurementView* b, const QString& label_b) {
  if (!a && !b) {
    files_->setText(QStringLiteral("No results loaded: drop a results.json here, use File ▸ Open, or run a benchmark."));
  } else {
    QString text;
    if (a) text += QStringLiteral("A: %1 (%2 passed, %3 waived/error)").arg(label_a).arg(a->passed).arg(a->not_passed);
    if (b) text += QStringLiteral("%1B: %2 (%3 passed, %4 waived/error), drawn dashed").arg(a ? QStringLiteral("   ") : QString(), label_b).arg(b->passed).arg(b->not_passed);
    files_->setText(text);
  }
  showBandwidth(*bandwidth_, a, b);
  showGemm(*gemm_, a, b);
  showBusbw(*busbw_, a, b);
}

}  // namespace headroom::gui
