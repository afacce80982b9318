// The pages offscreen (QT_QPA_PLATFORM=offscreen): defaults, inline validation, drag and drop of
// good and corrupt files, workspace save/load, chart and report export, the bench child process.
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QLabel>
#include <QProcess>
#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QPushButton>
#include <QMimeData>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtCharts/QChart>
#include <QtTest/QtTest>

#include "charts/chart_panel.hpp"
#include "fixtures.hpp"
#include "headroom/core/results.hpp"
#include "models/cases_table_model.hpp"
#include "models/comparison_table_model.hpp"
#include "models/option_list_model.hpp"
#include "pages/bench_runner.hpp"
#include "pages/main_window.hpp"
#include "pages/pages.hpp"
#include "pages/workload_panel.hpp"

using namespace headroom;
using namespace headroom::gui;

namespace {
const std::filesystem::path kData = HEADROOM_SOURCE_DIR "/data";
const QString kFixtures = QStringLiteral(HEADROOM_SOURCE_DIR "/tests/gui/data");

// The value column of a `headroom plan` table line ("  checkpoint size   965.7 GB   (...)": 28 + 14
// characters after the two-space indent), found by its name.
QString cli_value(const QString& out, const QString& name) {
  for (const QString& line : out.split(QLatin1Char('\n'))) {
    if (line.startsWith(QStringLiteral("  ") + name + QStringLiteral("  ")))
      return line.mid(2 + 28, 14).trimmed();
  }
  return QStringLiteral("<no '%1' line>").arg(name);
}

// The details text of one option (its block on the Time page).
QString option_block(const QString& details, const QString& label) {
  const qsizetype start = details.indexOf(QStringLiteral("<b>") + label + QStringLiteral("</b>"));
  if (start < 0) return {};
  const qsizetype end = details.indexOf(QStringLiteral("<p"), start);
  return details.mid(start, end < 0 ? -1 : end - start);
}

void drop(QWidget* target, const QString& path) {
  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(path)});
  QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(target, &enter);
  QVERIFY(enter.isAccepted());
  QDropEvent event(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(target, &event);
}
}  // namespace

class PagesTest : public QObject {
  Q_OBJECT

  std::unique_ptr<MainWindow> w_;

 private slots:
  void init() {
    w_ = std::make_unique<MainWindow>(kData);
    w_->setQuiet(true);
    w_->show();
    QVERIFY(w_->waitForIdle(30000));
  }
  void cleanup() { w_.reset(); }

  void defaultsShowSomethingUseful() {
    const ComparisonPtr c = w_->shown();
    QVERIFY(c);
    QCOMPARE(c->options.size(), std::size_t{4});
    QCOMPARE(c->options[3].label, std::string("L40S"));
    for (const OptionResult& o : c->options) {
      QVERIFY2(o.error.empty(), o.error.c_str());
      QVERIFY(o.tokens_per_s_per_gpu > 0);
    }
    QCOMPARE(w_->comparisonModel()->rowCount(), 4);
    // Every plan chart has content: 1 stacked series + 4 capacity marks on Fit, bars on Time, ...
    QCOMPARE(w_->fitPage()->chart()->chart()->series().size(), 5);
    for (ChartPanel* p : w_->charts()) {
      if (p->name() == QLatin1String("bandwidth") || p->name() == QLatin1String("gemm") || p->name() == QLatin1String("busbw")) continue;
      QVERIFY2(!p->chart()->series().isEmpty(), qPrintable(p->name() + QStringLiteral(": ") + p->note()));
    }
  }

  void invalidEntryIsMarkedInline() {
    const ComparisonPtr before = w_->shown();
    WorkloadPanel* form = w_->workloadPanel();
    form->searchBox()->setChecked(false);
    form->tpBox()->setValue(3);  // 64 heads are not divisible by 3
    QVERIFY(w_->waitForIdle(30000));
    QVERIFY2(form->errorText(QStringLiteral("$.parallelism.tp")).contains(QStringLiteral("divisor of the model's num_heads (64)")),
             qPrintable(form->errorText(QStringLiteral("$.parallelism.tp"))));
    QVERIFY(w_->shown() == before);  // charts keep the last valid input
    form->tpBox()->setValue(8);
    QVERIFY(w_->waitForIdle(30000));
    QVERIFY(form->errorText(QStringLiteral("$.parallelism.tp")).isEmpty());
    QVERIFY(w_->shown() != before);
  }

  void fineTuningAndServingFieldsRoundTripThroughTheWidgets() {
    WorkloadPanel* panel = w_->workloadPanel();
    WorkloadForm f = panel->form();
    f.adapter = plan::AdapterMethod::kLora;
    f.adapter_rank = 32;
    f.shared_prefix_tokens = 1024;
    f.ttft_slo_s = 0.2;
    f.optimizer = plan::Optimizer::kLion;
    f.offload = plan::Offload::kOptimizer;
    panel->setForm(f);
    const WorkloadForm back = panel->form();
    QCOMPARE(back.adapter, plan::AdapterMethod::kLora);
    QCOMPARE(back.adapter_rank, std::int64_t{32});
    QCOMPARE(back.shared_prefix_tokens, std::int64_t{1024});
    QCOMPARE(back.ttft_slo_s, 0.2);
    QCOMPARE(back.optimizer, plan::Optimizer::kLion);
    QCOMPARE(back.offload, plan::Offload::kOptimizer);
    // QLoRA with FP8 is refused by the planner; the GUI marks the precision field.
    f.adapter = plan::AdapterMethod::kQlora;
    f.precision = plan::Precision::kFp8;
    panel->setForm(f);
    emit panel->changed();
    QVERIFY(w_->waitForIdle(30000));
    QVERIFY2(panel->errorText(QStringLiteral("$.train.precision")).contains(QStringLiteral("QLoRA")),
             qPrintable(panel->errorText(QStringLiteral("$.train.precision"))));
  }

  void hostRamAndRankOrderFields() {
    WorkloadPanel* panel = w_->workloadPanel();
    WorkloadForm f = panel->form();
    QCOMPARE(f.host_memory_gib, 0.0);  // default: the profile's
    QCOMPARE(f.rank_order, plan::RankOrder::kPipelineOuter);
    QVERIFY(!panel->hostMemoryBox()->isEnabled());  // no offload: host RAM is not checked
    QVERIFY(!panel->rankOrderBox()->isEnabled());   // the search tries both orders
    f.offload = plan::Offload::kOptimizer;
    f.host_memory_gib = 512;
    f.search = false;
    f.tp = 8;
    f.pp = 2;
    f.rank_order = plan::RankOrder::kDataOuter;
    panel->setForm(f);
    QVERIFY(panel->hostMemoryBox()->isEnabled());
    QVERIFY(panel->rankOrderBox()->isEnabled());
    QCOMPARE(panel->hostMemoryBox()->value(), 512);
    const WorkloadForm back = panel->form();
    QCOMPARE(back.host_memory_gib, 512.0);
    QCOMPARE(back.rank_order, plan::RankOrder::kDataOuter);
    // The widgets drive the workspace and its save / load.
    panel->offloadBox()->setCurrentIndex(panel->offloadBox()->findData(QStringLiteral("none")));
    QVERIFY(!panel->hostMemoryBox()->isEnabled());
    panel->offloadBox()->setCurrentIndex(panel->offloadBox()->findData(QStringLiteral("optimizer")));
    panel->hostMemoryBox()->setValue(96);
    panel->rankOrderBox()->setCurrentIndex(panel->rankOrderBox()->findData(QStringLiteral("tp-cp-ep-dp-pp")));
    QVERIFY(w_->waitForIdle(30000));
    QCOMPARE(w_->workspace().workload.host_memory_gib, 96.0);
    QCOMPARE(w_->workspace().workload.rank_order, plan::RankOrder::kPipelineOuter);
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("ws.json"));
    QCOMPARE(w_->saveWorkspaceFile(file), QString());
    w_->setWorkspace(default_workspace(plan::Catalog::load(kData)));
    QCOMPARE(w_->workloadPanel()->hostMemoryBox()->value(), 0);
    QCOMPARE(w_->loadWorkspaceFile(file), QString());
    QCOMPARE(w_->workloadPanel()->hostMemoryBox()->value(), 96);
    QCOMPARE(w_->workloadPanel()->form().rank_order, plan::RankOrder::kPipelineOuter);
    QCOMPARE(w_->workloadPanel()->form().offload, plan::Offload::kOptimizer);
  }

  // Llama 3 8B with the optimizer offloaded, 8 GPUs on one node: 119.7 GiB of host RAM per node.
  // 64 GiB hosts (57.6 usable) are flagged in the table; the exported report names host memory.
  void smallHostRamIsFlagged() {
    WorkloadPanel* panel = w_->workloadPanel();
    WorkloadForm f = panel->form();
    f.model_id = "llama-3-8b";
    f.gpus = 8;
    f.seq_len = 4096;
    f.global_batch = 64;
    f.offload = plan::Offload::kOptimizer;
    f.host_memory_gib = 64;
    panel->setForm(f);
    emit panel->changed();
    QVERIFY(w_->waitForIdle(60000));
    const ComparisonPtr c = w_->shown();
    QVERIFY(c);
    QVERIFY2(c->error.empty(), c->error.c_str());
    const OptionResult& h100 = c->options[0];
    QVERIFY(!h100.fits);
    QVERIFY(!h100.host_fits);
    QVERIFY2(h100.note.find("119.7 GiB of host memory per node needed, 57.6 GiB usable") != std::string::npos, h100.note.c_str());
    QCOMPARE(w_->comparisonModel()->data(w_->comparisonModel()->index(0, 1)).toString(), QStringLiteral("no (host RAM)"));
    QTemporaryDir dir;
    const QString html = dir.filePath(QStringLiteral("report.html"));
    QCOMPARE(w_->exportReport(html), QString());
    QFile file(html);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(text.contains("Host RAM: 64.0 GiB per node for every option"));
    QVERIFY(text.contains("does not fit its offloaded optimizer in host memory (119.7 GiB per node needed, 57.6 GiB usable)"));
    panel->hostMemoryBox()->setValue(256);
    QVERIFY(w_->waitForIdle(60000));
    QVERIFY(w_->shown()->options[0].fits);
    QCOMPARE(w_->comparisonModel()->data(w_->comparisonModel()->index(0, 1)).toString(), QStringLiteral("yes"));
  }

  // The "Checkpoints & failures" group on the CLI example of docs/planner.md: the Time page shows for
  // H100 SXM the figures that `headroom plan train --model llama-2-70b --gpu H100 --gpus 64 --tp 8 --pp 2
  // --zero 1 --global-batch 1024 --seq-len 4096 --tokens 1e12 --checkpoint-every 30 --checkpoint-write 2`
  // prints (965.7 GB, 60.4 s, 8530 checkpoints, 3.24 %, 183.7 days), read from that command run here.
  void checkpointGroupShowsTheCliFigures() {
    WorkloadPanel* panel = w_->workloadPanel();
    QVERIFY(!panel->checkpointGroup()->isChecked());  // off by default: results as before
    QVERIFY(panel->checkpointGroup()->isVisible());
    QCOMPARE(w_->comparisonModel()->index(0, 9).data().toString(), QStringLiteral("off"));
    WorkloadForm f = panel->form();
    test::set_llama2_70b_layout(f);
    panel->setForm(f);
    // The group through its widgets, as a user fills it.
    panel->checkpointGroup()->setChecked(true);
    panel->checkpointEveryBox()->setValue(30);
    panel->checkpointWriteBox()->setValue(2);
    QVERIFY(!panel->checkpointReadBox()->isEnabled());  // read and restart act only with an MTBF
    QVERIFY(!panel->restartBox()->isEnabled());
    QVERIFY(w_->waitForIdle(30000));
    const ComparisonPtr c = w_->shown();
    QVERIFY2(c->error.empty(), c->error.c_str());
    QCOMPARE(c->options[0].label, std::string("H100 SXM"));
    QVERIFY2(c->options[0].error.empty(), c->options[0].error.c_str());

    QProcess cli;
    cli.start(qEnvironmentVariable("HEADROOM_BIN"),
              {"plan", "train", "--model", "llama-2-70b", "--gpu", "H100", "--gpus", "64", "--tp", "8", "--pp", "2",
               "--zero", "1", "--global-batch", "1024", "--seq-len", "4096", "--tokens", "1e12", "--checkpoint-every",
               "30", "--checkpoint-write", "2"});
    QVERIFY(cli.waitForFinished(60000));
    QCOMPARE(cli.exitCode(), 0);
    const QString out = QString::fromUtf8(cli.readAllStandardOutput());
    const QString h100 = option_block(w_->timePage()->details()->text(), QStringLiteral("H100 SXM"));
    QVERIFY(!h100.isEmpty());
    const auto shows = [&](const QString& name, const QString& expected) {
      const QString value = cli_value(out, name);
      QCOMPARE(value, expected);  // the CLI prints what the docs say
      QVERIFY2(h100.contains(name + QStringLiteral(": ") + value), qPrintable(name + QStringLiteral(" | ") + h100));
    };
    shows(QStringLiteral("checkpoint size"), QStringLiteral("965.7 GB"));
    shows(QStringLiteral("write"), QStringLiteral("60.4 s"));
    shows(QStringLiteral("stall per checkpoint"), QStringLiteral("60.4 s"));
    shows(QStringLiteral("interval"), QStringLiteral("30 min"));
    shows(QStringLiteral("checkpoints"), QStringLiteral("8530"));
    shows(QStringLiteral("checkpoint overhead"), QStringLiteral("143.01 h"));
    QVERIFY(out.contains(QStringLiteral("143.01 h    3.24 % of wall time")));
    QVERIFY(h100.contains(QStringLiteral("checkpoint overhead: 143.01 h, 3.24 % of wall time")));
    QCOMPARE(cli_value(out, QStringLiteral("time to train")), QStringLiteral("183.7"));  // "… days"
    QVERIFY(h100.contains(QStringLiteral("time to train: 183.7 days")));
    QCOMPARE(w_->comparisonModel()->index(0, 9).data().toString(), QStringLiteral("3.24 % ckpt"));
    QCOMPARE(w_->comparisonModel()->index(0, 6).data().toString(), QStringLiteral("183.7 days"));

    // No write rate: datasheet profiles have none. Each option shows the planner's reason; nothing crashes.
    panel->checkpointWriteBox()->setValue(0);
    QVERIFY(w_->waitForIdle(30000));
    QVERIFY(w_->shown()->error.empty());
    for (const OptionResult& o : w_->shown()->options)
      QVERIFY2(o.error.find("$.storage.checkpoint_write_bytes_per_s: expected a known per-node write bandwidth") !=
                   std::string::npos,
               o.error.c_str());
    QCOMPARE(w_->comparisonModel()->index(0, 1).data().toString(), QStringLiteral("error"));
    QVERIFY(option_block(w_->timePage()->details()->text(), QStringLiteral("H100 SXM"))
                .contains(QStringLiteral("a known per-node write bandwidth for checkpoints")));

    // Young's optimum without an MTBF models nothing: marked on the interval field, as other fields are.
    panel->checkpointWriteBox()->setValue(2);
    panel->checkpointEveryBox()->setValue(0);
    QVERIFY(w_->waitForIdle(30000));
    QVERIFY2(panel->errorText(QStringLiteral("$.train.checkpoint.every_s")).contains(QStringLiteral("an interval in minutes")),
             qPrintable(panel->errorText(QStringLiteral("$.train.checkpoint.every_s"))));
    // With an MTBF of 10 h (read 4 GB/s, async): Young's 2.43 min, as `--mtbf 10 --checkpoint-read 4
    // --checkpoint-mode async` prints.
    panel->mtbfBox()->setValue(10);
    QVERIFY(panel->checkpointReadBox()->isEnabled());
    QVERIFY(panel->restartBox()->isEnabled());
    QCOMPARE(panel->restartBox()->value(), 10.0);  // the planner's assumed default
    panel->checkpointReadBox()->setValue(4);
    panel->checkpointModeBox()->setCurrentIndex(panel->checkpointModeBox()->findData(QStringLiteral("async")));
    QVERIFY(w_->waitForIdle(30000));
    QVERIFY(panel->errorText(QStringLiteral("$.train.checkpoint.every_s")).isEmpty());
    const QString young = option_block(w_->timePage()->details()->text(), QStringLiteral("H100 SXM"));
    QVERIFY2(young.contains(QStringLiteral("interval: 2.43 min (Young's optimum: not given, chosen)")), qPrintable(young));
    QVERIFY(young.contains(QStringLiteral("Young's interval: 2.43 min")));
    QVERIFY(young.contains(QStringLiteral("failure overhead: 85.12 h, 1.95 % of wall time")));
    QVERIFY(young.contains(QStringLiteral("time to train: 181.6 days")));

    // Saved and loaded with the workspace.
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("ws.json"));
    QCOMPARE(w_->saveWorkspaceFile(file), QString());
    w_->setWorkspace(default_workspace(plan::Catalog::load(kData)));
    QVERIFY(!panel->checkpointGroup()->isChecked());
    QCOMPARE(w_->loadWorkspaceFile(file), QString());
    QVERIFY(panel->checkpointGroup()->isChecked());
    const CheckpointForm back = panel->form().checkpoint;
    QCOMPARE(back.every_s, 0.0);
    QCOMPARE(back.mode, plan::CheckpointMode::kAsync);
    QCOMPARE(back.write_bytes_per_s, 2e9);
    QCOMPARE(back.read_bytes_per_s, 4e9);
    QCOMPARE(back.mtbf_s, 36000.0);
    QCOMPARE(back.restart_s, 600.0);
  }

  // Serving: the cold start per option; a datasheet profile has no storage read figure.
  void servingShowsTheColdStart() {
    WorkloadPanel* panel = w_->workloadPanel();
    WorkloadForm f = panel->form();
    f.phase = plan::Phase::kInfer;
    f.model_id = "llama-3-8b";
    f.gpus = 8;
    panel->setForm(f);
    emit panel->changed();
    QVERIFY(w_->waitForIdle(30000));
    QVERIFY(!panel->checkpointGroup()->isVisible());
    QCOMPARE(w_->comparisonModel()->headerData(9, Qt::Horizontal).toString(), QStringLiteral("Cold start"));
    QCOMPARE(w_->comparisonModel()->index(0, 9).data().toString(), QStringLiteral("unknown"));
    QVERIFY(option_block(w_->timePage()->details()->text(), QStringLiteral("H100 SXM"))
                .contains(QStringLiteral("cold start: unknown: no storage read figure in this GPU")));
  }

  void customHybridKeepsItsShareOfMambaLayers() {
    // Review: a custom model started from Granite 4.0-H kept 36 Mamba layers when its depth went
    // below 36 (negative attention layers, negative KV). They follow the depth in proportion now.
    WorkloadPanel* panel = w_->workloadPanel();
    WorkloadForm f = panel->form();
    f.model_id = "granite-4.0-h-1b";
    f.phase = plan::Phase::kInfer;
    f.search = false;
    f.tp = 1;
    f.pp = 1;
    panel->setForm(f);
    panel->modelBox()->setCurrentIndex(panel->modelBox()->count() - 1);  // custom, from Granite's shape
    QCOMPARE(panel->form().custom.mamba_layers, std::int64_t{36});
    panel->layersBox()->setValue(20);
    QCOMPARE(panel->form().custom.num_layers, std::int64_t{20});
    QCOMPARE(panel->form().custom.mamba_layers, std::int64_t{18});
    QCOMPARE(panel->form().custom.attention_layers(), std::int64_t{2});
    QVERIFY(w_->waitForIdle(30000));
    QVERIFY2(panel->errorText(QStringLiteral("$.model.mamba.layers")).isEmpty(),
             qPrintable(panel->errorText(QStringLiteral("$.model.mamba.layers"))));
    panel->layersBox()->setValue(1);
    QCOMPARE(panel->form().custom.mamba_layers, std::int64_t{1});  // a hybrid keeps at least one
  }

  void corruptDropLeavesWorkspaceUnchanged() {
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("results.json"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"schema\": \"headroom.results\", \"schema_version\": \"1.0\", \"cases\": [");  // truncated
    f.close();
    const std::string before = workspace_to_json(w_->workspace());
    drop(w_.get(), bad);
    QVERIFY(w_->lastMessage().contains(QStringLiteral("results.json")));
    QCOMPARE(workspace_to_json(w_->workspace()), before);
    QCOMPARE(w_->casesModel()->rowCount(), 0);
    // Not a headroom document at all.
    const QString other = dir.filePath(QStringLiteral("other.json"));
    QFile g(other);
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write("{\"schema\": \"something.else\"}");
    g.close();
    QVERIFY(w_->openFile(other).contains(QStringLiteral("$.schema")));
    QCOMPARE(workspace_to_json(w_->workspace()), before);
  }

  void goodDropsLoadMeasurementsAndOptions() {
    drop(w_.get(), kFixtures + QStringLiteral("/cpu-quick-results.json"));
    QCOMPARE(w_->casesModel()->rowCount(), 20);
    drop(w_.get(), kFixtures + QStringLiteral("/mpi-allreduce-results.json"));
    QCOMPARE(w_->casesModel()->rowCount(), 24);  // second file is set B
    QCOMPARE(w_->optionModel()->rowCount(), 4);  // CPU-only results add no GPU option
    QTemporaryDir dir;
    const QString profile = dir.filePath(QStringLiteral("profile.json"));
    QVERIFY(QFile::copy(QStringLiteral(HEADROOM_SOURCE_DIR "/data/hardware/b200-hgx-180gb.json"), profile));
    drop(w_.get(), profile);
    QCOMPARE(w_->optionModel()->rowCount(), 5);
    QVERIFY(w_->waitForIdle(30000));
    QCOMPARE(w_->shown()->options.size(), std::size_t{5});
  }

  void measuredProfilesInTheGpuPicker() {
    // data/measured's H100 profile follows the datasheets in the picker and adds a measured option.
    auto* picker = w_->findChild<QComboBox*>(QStringLiteral("addGpu"));
    auto* add = w_->findChild<QPushButton*>(QStringLiteral("addGpuButton"));
    QVERIFY(picker && add);
    const std::vector<MeasuredEntry> shipped = shipped_measured_profiles(kData);
    QVERIFY(!shipped.empty());
    const QString file =
        QString::fromStdString((kData / "measured" / "h100-sxm5-80gb_2026-11-23_cuda-standard.profile.json").string());
    const int at = picker->findData(QStringLiteral("file:") + file);
    QVERIFY(at >= 0);
    QVERIFY(at >= picker->count() - static_cast<int>(shipped.size()));  // after every datasheet
    QCOMPARE(picker->itemText(at), QStringLiteral("NVIDIA H100 SXM5 80GB (measured, 2026-11-23)"));
    picker->setCurrentIndex(at);
    add->click();
    QCOMPARE(w_->optionModel()->rowCount(), 5);
    const GpuOption& o = w_->optionModel()->options().back();
    QCOMPARE(o.kind, OptionKind::kMeasured);
    QCOMPARE(*o.profile.memory_bytes.value, 85017493504.0);
    QVERIFY(w_->waitForIdle(30000));
    QCOMPARE(w_->shown()->options.size(), std::size_t{5});
    QVERIFY2(w_->shown()->options.back().error.empty(), w_->shown()->options.back().error.c_str());
  }

  void workspaceSaveAndLoad() {
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("ws.json"));
    w_->workloadPanel()->seqLenBox()->setValue(4096);
    w_->loadResults(kFixtures + QStringLiteral("/cpu-quick-results.json"), 'A');
    QCOMPARE(w_->saveWorkspaceFile(file), QString());
    const std::string saved = workspace_to_json(w_->workspace());
    w_->setWorkspace(default_workspace(plan::Catalog::load(kData)));
    QCOMPARE(w_->workloadPanel()->seqLenBox()->value(), 8192);
    QCOMPARE(w_->loadWorkspaceFile(file), QString());
    QCOMPARE(w_->workloadPanel()->seqLenBox()->value(), 4096);
    QCOMPARE(workspace_to_json(w_->workspace()), saved);
    QCOMPARE(w_->casesModel()->rowCount(), 20);
  }

  void chartsAndReportExport() {
    QTemporaryDir dir;
    for (ChartPanel* p : w_->charts()) {
      const QString png = dir.filePath(p->name() + QStringLiteral(".png"));
      QCOMPARE(p->exportTo(png), QString());
      QImage image(png);
      QVERIFY2(!image.isNull() && image.width() > 100, qPrintable(png));
      if (ChartPanel::svgAvailable()) {
        const QString svg = dir.filePath(p->name() + QStringLiteral(".svg"));
        QCOMPARE(p->exportTo(svg), QString());
        QFile f(svg);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("<svg"));
      }
    }
    const QString html = dir.filePath(QStringLiteral("report.html"));
    QCOMPARE(w_->exportReport(html), QString());
    QFile f(html);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.contains("H100 SXM") && text.contains("<svg") && text.contains("Cumulative cost"));
  }

  void keyboardSwitchesPages() {
    QApplication::setActiveWindow(w_.get());
    QVERIFY(QTest::qWaitForWindowActive(w_.get()));
    QTest::keyClick(w_.get(), Qt::Key_4, Qt::ControlModifier);
    QCOMPARE(w_->tabs()->currentIndex(), 3);
    QTest::keyClick(w_.get(), Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(w_->tabs()->currentIndex(), 0);
  }

  void benchChildProcessAndCancel() {
    QVERIFY2(!BenchRunner::headroomExecutable().isEmpty(), "headroom executable not found");
    QTemporaryDir dir;
    BenchRunner runner;
    QSignalSpy progress(&runner, &BenchRunner::progress);
    QSignalSpy finished(&runner, &BenchRunner::finished);
    QVERIFY(runner.start(QStringLiteral("quick"), QStringLiteral("cpu.peak.*"), dir.filePath(QStringLiteral("a.json"))));
    QVERIFY(finished.wait(60000));
    QCOMPARE(progress.size(), 2);
    QCOMPARE(progress.last().at(0).toInt(), 2);
    QCOMPARE(progress.last().at(1).toInt(), 2);
    QCOMPARE(finished.last().at(0).toString(), dir.filePath(QStringLiteral("a.json")));
    QCOMPARE(finished.last().at(1).toBool(), false);
    QCOMPARE(core::load_results(dir.filePath(QStringLiteral("a.json")).toStdString()).cases.size(), std::size_t{2});

    // Cancel after the first case: SIGINT, and the partial file is still written.
    QVERIFY(runner.start(QStringLiteral("quick"), QStringLiteral("cpu.*"), dir.filePath(QStringLiteral("b.json"))));
    connect(&runner, &BenchRunner::progress, &runner, [&runner] { runner.cancel(); });
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.last().at(1).toBool(), true);
    const core::Results partial = core::load_results(dir.filePath(QStringLiteral("b.json")).toStdString());
    QVERIFY(partial.run.incomplete);
    QVERIFY(partial.cases.size() < 20);
  }

  void benchFromThePage() {
    MeasurementsPage* page = w_->measurementsPage();
    page->filterEdit()->setText(QStringLiteral("cpu.peak.*"));
    QSignalSpy finished(w_->benchRunner(), &BenchRunner::finished);
    page->runButton()->click();
    QVERIFY(finished.wait(60000));
    QCOMPARE(w_->casesModel()->rowCount(), 2);
    QVERIFY(page->runButton()->isEnabled());
  }
};

QTEST_MAIN(PagesTest)
#include "test_pages.moc"
