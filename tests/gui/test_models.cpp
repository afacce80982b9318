// gui/models: item models under QAbstractItemModelTester, the workspace schema (round trip and
// strict loading), the planner/TCO wiring, measurement extraction and the background recompute.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"
#include "headroom/plan/checkpoint.hpp"
#include "headroom/plan/infer.hpp"
#include "headroom/plan/search.hpp"
#include "headroom/plan/train.hpp"
#include "models/cases_table_model.hpp"
#include "models/comparison_table_model.hpp"
#include "models/compute.hpp"
#include "models/measurements.hpp"
#include "models/option_details.hpp"
#include "models/option_list_model.hpp"
#include "models/profile_tree_model.hpp"
#include "models/recomputer.hpp"
#include "models/report_export.hpp"
#include "models/workspace.hpp"

using namespace headroom;
using namespace headroom::gui;

namespace {
const std::filesystem::path kData = HEADROOM_SOURCE_DIR "/data";
const std::filesystem::path kFixtures = HEADROOM_SOURCE_DIR "/tests/gui/data";
constexpr auto kFail = QAbstractItemModelTester::FailureReportingMode::QtTest;

std::string error_path(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::InputError& e) {
    return e.json_path();
  }
  return "<no error>";
}

// The CLI example of docs/planner.md: `headroom plan train --model llama-2-70b --gpu H100 --gpus 64 --tp 8
// --pp 2 --zero 1 --global-batch 1024 --seq-len 4096 --tokens 1e12` (recompute none, bf16), on H100 SXM,
// with the checkpoint group on: every 30 min, 2 GB/s per node.
Workspace llama2_70b_checkpoints(const plan::Catalog& catalog) {
  Workspace ws = default_workspace(catalog);
  ws.options.resize(1);  // H100 SXM
  WorkloadForm& f = ws.workload;
  test::set_llama2_70b_layout(f);
  f.checkpoint.enabled = true;
  f.checkpoint.every_s = 1800;
  f.checkpoint.write_bytes_per_s = 2e9;
  return ws;
}
}  // namespace

class ModelsTest : public QObject {
  Q_OBJECT

  std::shared_ptr<const plan::Catalog> catalog_;

 private slots:
  void initTestCase() { catalog_ = std::make_shared<const plan::Catalog>(plan::Catalog::load(kData)); }

  void defaultWorkspace() {
    const Workspace ws = default_workspace(*catalog_);
    QCOMPARE(ws.options.size(), std::size_t{4});
    QCOMPARE(ws.options[0].profile.id, std::string("h100-sxm5-80gb"));
    QCOMPARE(ws.options[1].profile.id, std::string("h200-sxm-141gb"));
    QCOMPARE(ws.options[2].profile.id, std::string("a100-sxm4-80gb"));
    QCOMPARE(ws.options[3].profile.id, std::string("l40s"));
    QCOMPARE(ws.workload.model_id, std::string("llama-3-70b"));
    QVERIFY(ws.workload.search);
  }

  void workspaceRoundTrip() {
    Workspace ws = default_workspace(*catalog_);
    ws.workload.gpus = 128;
    ws.workload.phase = plan::Phase::kInfer;
    ws.cost.utilisation = 0.6;
    GpuOption measured = ws.options[0];
    measured.kind = OptionKind::kMeasured;
    measured.label = "H100 (measured)";
    measured.file = "/tmp/profile.json";
    measured.profile.memory_bandwidth_bytes_per_s.value = 2.9e12;
    measured.profile.memory_bandwidth_bytes_per_s.provenance = plan::Provenance::kMeasured;
    measured.enabled = false;
    ws.options.push_back(measured);
    ws.workload.model_id.clear();  // custom architecture travels inline
    ws.workload.custom.num_layers = 40;
    const std::string text = workspace_to_json(ws);
    const Workspace back = workspace_from_json(text, "ws.json", *catalog_);
    QCOMPARE(workspace_to_json(back), text);
    QCOMPARE(back.options.size(), std::size_t{5});
    QCOMPARE(back.options[4].kind, OptionKind::kMeasured);
    QCOMPARE(*back.options[4].profile.memory_bandwidth_bytes_per_s.value, 2.9e12);
    QCOMPARE(back.options[4].enabled, false);
    QCOMPARE(back.workload.custom.num_layers, std::int64_t{40});
    QCOMPARE(back.workload.gpus, 128);

    // The fine-tuning and serving fields travel too; a workspace saved before they existed loads with
    // their defaults (no adapters, no shared prefix, no TTFT SLO).
    ws.workload.adapter = plan::AdapterMethod::kQlora;
    ws.workload.adapter_rank = 64;
    ws.workload.ttft_slo_s = 0.25;
    ws.workload.shared_prefix_tokens = 1000;
    ws.workload.optimizer = plan::Optimizer::kAdam8bit;
    ws.workload.offload = plan::Offload::kOptimizer;
    const std::string text2 = workspace_to_json(ws);
    const Workspace back2 = workspace_from_json(text2, "ws.json", *catalog_);
    QCOMPARE(workspace_to_json(back2), text2);
    QCOMPARE(back2.workload.adapter, plan::AdapterMethod::kQlora);
    QCOMPARE(back2.workload.adapter_rank, std::int64_t{64});
    QCOMPARE(back2.workload.ttft_slo_s, 0.25);
    QCOMPARE(back2.workload.shared_prefix_tokens, std::int64_t{1000});
    QCOMPARE(back2.workload.optimizer, plan::Optimizer::kAdam8bit);
    QCOMPARE(back2.workload.offload, plan::Offload::kOptimizer);
    nlohmann::json old = nlohmann::json::parse(text2);
    for (const char* k : {"adapter", "adapter_rank", "ttft_slo_s", "shared_prefix_tokens", "optimizer", "offload"})
      old["workload"].erase(k);
    const Workspace older = workspace_from_json(old.dump(), "old.json", *catalog_);
    QCOMPARE(older.workload.adapter, plan::AdapterMethod::kNone);
    QCOMPARE(older.workload.shared_prefix_tokens, std::int64_t{0});
    QCOMPARE(older.workload.ttft_slo_s, 0.0);
    QCOMPARE(older.workload.optimizer, plan::Optimizer::kAdam);
    QCOMPARE(older.workload.offload, plan::Offload::kNone);

    // Host RAM per node and the rank order travel; older workspaces load with "the profile's" and
    // Megatron's default order.
    ws.workload.host_memory_gib = 512;
    ws.workload.rank_order = plan::RankOrder::kDataOuter;
    const std::string text3 = workspace_to_json(ws);
    QVERIFY(text3.find("\"host_memory_gib\": 512.0") != std::string::npos);
    QVERIFY(text3.find("\"rank_order\": \"tp-cp-ep-pp-dp\"") != std::string::npos);
    const Workspace back3 = workspace_from_json(text3, "ws.json", *catalog_);
    QCOMPARE(workspace_to_json(back3), text3);
    QCOMPARE(back3.workload.host_memory_gib, 512.0);
    QCOMPARE(back3.workload.rank_order, plan::RankOrder::kDataOuter);
    nlohmann::json old3 = nlohmann::json::parse(text3);
    for (const char* k : {"host_memory_gib", "rank_order"}) old3["workload"].erase(k);
    const Workspace older3 = workspace_from_json(old3.dump(), "old.json", *catalog_);
    QCOMPARE(older3.workload.host_memory_gib, 0.0);
    QCOMPARE(older3.workload.rank_order, plan::RankOrder::kPipelineOuter);

    // 1.2: the checkpoint group travels (in SI units); a 1.1 workspace loads with it off.
    QCOMPARE(kWorkspaceMinor, 2);
    ws.workload.checkpoint = {true, 0, plan::CheckpointMode::kAsync, 2.5e9, 1.2e9, 11124, 900};
    const std::string text4 = workspace_to_json(ws);
    QVERIFY(text4.find("\"schema_version\": \"1.2\"") != std::string::npos);
    QVERIFY(text4.find("\"mode\": \"async\"") != std::string::npos);
    const Workspace back4 = workspace_from_json(text4, "ws.json", *catalog_);
    QCOMPARE(workspace_to_json(back4), text4);
    const CheckpointForm& ck = back4.workload.checkpoint;
    QVERIFY(ck.enabled);
    QCOMPARE(ck.every_s, 0.0);
    QCOMPARE(ck.mode, plan::CheckpointMode::kAsync);
    QCOMPARE(ck.write_bytes_per_s, 2.5e9);
    QCOMPARE(ck.read_bytes_per_s, 1.2e9);
    QCOMPARE(ck.mtbf_s, 11124.0);
    QCOMPARE(ck.restart_s, 900.0);
    nlohmann::json old4 = nlohmann::json::parse(text4);
    old4["workload"].erase("checkpoint");
    old4["schema_version"] = "1.1";
    const Workspace older4 = workspace_from_json(old4.dump(), "old.json", *catalog_);
    QVERIFY(!older4.workload.checkpoint.enabled);
    QCOMPARE(older4.workload.checkpoint.every_s, 1800.0);
    QCOMPARE(older4.workload.checkpoint.mtbf_s, 0.0);
    old4["schema_version"] = "1.0";
    QVERIFY(!workspace_from_json(old4.dump(), "old.json", *catalog_).workload.checkpoint.enabled);
    // Off, the planner sees nothing modelled whatever the kept values are.
    QVERIFY(!resilience_settings(older4.workload).checkpoints());
    QVERIFY(!to_workload(older4.workload, *catalog_).train.resilience.checkpoints());
  }

  void workspaceStrict() {
    const std::string good = workspace_to_json(default_workspace(*catalog_));
    const auto with = [&](const std::string& from, const std::string& to) {
      std::string t = good;
      const auto pos = t.find(from);
      if (pos == std::string::npos) qFatal("fixture text not found: %s", from.c_str());
      t.replace(pos, from.size(), to);
      return t;
    };
    const auto load = [&](const std::string& t) { return [t, this] { workspace_from_json(t, "ws.json", *catalog_); }; };
    QCOMPARE(error_path(load(with("\"gpus\": 64", "\"gpuz\": 64"))), std::string("$.workload.gpuz"));
    QCOMPARE(error_path(load(with("\"schema_version\": \"1.2\"", "\"schema_version\": \"2.0\""))), std::string("$.schema_version"));
    QCOMPARE(error_path(load(with("\"id\": \"l40s\"", "\"id\": \"l41s\""))), std::string("$.options[3].id"));
    QCOMPARE(error_path(load(with("\"tp\": 8", "\"tp\": \"8\""))), std::string("$.workload.tp"));
    QCOMPARE(error_path(load(with("\"adapter\": \"none\"", "\"adapter\": \"dora\""))), std::string("$.workload.adapter"));
    QCOMPARE(error_path(load(with("\"label\": \"H200\"", "\"label\": \"H100 SXM\""))), std::string("$.options[1].label"));
    QCOMPARE(error_path(load(with("\"host_memory_gib\": 0.0", "\"host_memory_gib\": -1"))), std::string("$.workload.host_memory_gib"));
    QCOMPARE(error_path(load(with("\"host_memory_gib\": 0.0", "\"host_memory_gib\": 1e6"))), std::string("$.workload.host_memory_gib"));
    // Whole GiB, as the form holds them: 0.4 would come back as 0 ("the profile's") after a save.
    QCOMPARE(error_path(load(with("\"host_memory_gib\": 0.0", "\"host_memory_gib\": 0.4"))), std::string("$.workload.host_memory_gib"));
    QCOMPARE(error_path(load(with("\"rank_order\": \"tp-cp-ep-dp-pp\"", "\"rank_order\": \"dp-tp\""))),
             std::string("$.workload.rank_order"));
    QVERIFY(error_path(load("{ not json")) != "<no error>");
    QCOMPARE(error_path(load(with("\"every_s\": 1800.0", "\"every_z\": 1800.0"))), std::string("$.workload.checkpoint.every_z"));
    QCOMPARE(error_path(load(with("\"every_s\": 1800.0", "\"every_s\": -1"))), std::string("$.workload.checkpoint.every_s"));
    QCOMPARE(error_path(load(with("\"every_s\": 1800.0", "\"every_s\": 1e9"))), std::string("$.workload.checkpoint.every_s"));
    QCOMPARE(error_path(load(with("\"mode\": \"sync\"", "\"mode\": \"lazy\""))), std::string("$.workload.checkpoint.mode"));
    QCOMPARE(error_path(load(with("\"mtbf_s\": 0.0", "\"mtbf_s\": 2e9"))), std::string("$.workload.checkpoint.mtbf_s"));
    QCOMPARE(error_path(load(with("\"enabled\": false", "\"enabled\": 0"))), std::string("$.workload.checkpoint.enabled"));
  }

  // Checkpoints from the form are the planner's: the same figures as `headroom plan train ... --checkpoint-every 30
  // --checkpoint-write 2`, which prints 965.7 GB, a 60.4 s write and stall, 8530 checkpoints, 143.01 h = 3.24 %
  // of the wall time and 183.7 days (run on 2026-11-23 at commit 6608901, re-run after session 12 charged the
  // fused attention backward's QKᵀ recompute).
  void checkpointsReachThePlanner() {
    Workspace ws = llama2_70b_checkpoints(*catalog_);
    const Comparison c = compute_comparison(ws, *catalog_, nullptr);
    QVERIFY2(c.error.empty(), c.error.c_str());
    QCOMPARE(c.options.size(), std::size_t{1});
    const OptionResult& o = c.options[0];
    QVERIFY2(o.error.empty(), o.error.c_str());

    const plan::Workload w = to_workload(ws.workload, *catalog_);
    QCOMPARE(w.train.resilience.checkpoint_every_s, 1800.0);
    QCOMPARE(w.train.resilience.checkpoint_write_bytes_per_s, 2e9);
    const plan::Assumptions a;
    plan::Rates rates = plan::resolve_rates(ws.options[0].profile, plan::Precision::kBf16, a);
    plan::apply_resilience_overrides(w.train.resilience, rates);
    const plan::TrainResult r = plan::evaluate_train(w, plan::count_params(w.model), rates, a);
    QCOMPARE(o.time_to_train_s, r.time.time_to_train_s);
    QCOMPARE(o.checkpoint.bytes, r.checkpoint.bytes);
    QCOMPARE(o.run.checkpoints, r.time.run.checkpoints);

    QCOMPARE(std::round(o.checkpoint.bytes / 1e8), 9657.0);  // 965.7 GB
    QCOMPARE(std::round(o.checkpoint.write_s * 100), 6035.0); // 60.35 s = 965.7 GB / (8 nodes × 2 GB/s)
    QCOMPARE(o.checkpoint.nodes, 8.0);
    QCOMPARE(o.run.checkpoints, 8530.0);
    QCOMPARE(o.checkpoint.young_interval_s, 0.0);
    const QStringList lines = checkpoint_lines(o);
    for (const char* expected :
         {"checkpoint size: 965.7 GB (14 B × 68.98 B trained elements)", "write: 60.4 s (8 nodes × 2 GB/s in parallel)",
          "stall per checkpoint: 60.4 s (sync: the write)", "interval: 30 min (given)",
          "Young's interval: – (needs an MTBF)", "checkpoints: 8530",
          "checkpoint overhead: 143.01 h, 3.24 % of wall time"}) {
      QVERIFY2(lines.contains(QString::fromUtf8(expected)), qPrintable(lines.join(QLatin1Char('|'))));
    }
    QCOMPARE(checkpoint_summary(o), QStringLiteral("3.24 % ckpt"));
    QVERIFY(option_details_html(c).contains(QStringLiteral("time to train: 183.7 days")));

    // Off: the plan is the one without checkpoints (what it was before the group existed).
    Workspace off = ws;
    off.workload.checkpoint.enabled = false;
    const Comparison c_off = compute_comparison(off, *catalog_, nullptr);
    QVERIFY(!c_off.options[0].checkpoint.enabled);
    QCOMPARE(checkpoint_summary(c_off.options[0]), QStringLiteral("off"));
    QCOMPARE(c_off.options[0].time_to_train_s + o.run.checkpoint_s, o.time_to_train_s);

    // With an MTBF of 10 h, async, reads at 4 GB/s and Young's interval: `--mtbf 10 --checkpoint-read 4
    // --checkpoint-mode async` prints 2.43 min, 105413 checkpoints, 435.9 failures, 1.95 % and 181.6 days.
    Workspace mtbf = ws;
    mtbf.workload.checkpoint = {true, 0, plan::CheckpointMode::kAsync, 2e9, 4e9, 36000, 600};
    const OptionResult m = compute_comparison(mtbf, *catalog_, nullptr).options[0];
    QVERIFY2(m.error.empty(), m.error.c_str());
    const QStringList ml = checkpoint_lines(m);
    for (const char* expected :
         {"stall per checkpoint: 0.295 s (async: copy of 15.1 GB per GPU to host memory)",
          "interval: 2.43 min (Young's optimum: not given, chosen)", "checkpoints: 105413",
          "checkpoint overhead: 8.63 h, 0.20 % of wall time",
          "cost per failure: 11.7 min (lost work 72.8 s + restart 10 min + load 30.2 s)",
          "expected failures: 435.9 (MTBF 10 h)", "failure overhead: 85.12 h, 1.95 % of wall time"}) {
      QVERIFY2(ml.contains(QString::fromUtf8(expected)), qPrintable(ml.join(QLatin1Char('|'))));
    }
    // Young: √(2 · 0.295 s · 36000 s) = 145.7 s.
    QCOMPARE(std::round(m.checkpoint.young_interval_s * 10), std::round(std::sqrt(2 * m.checkpoint.stall_base_s * 36000) * 10));
    QVERIFY(ml.contains(QStringLiteral("Young's interval: 2.43 min (√(2 × 0.295 s stall × MTBF 10 h))")));
    QCOMPARE(std::round(m.time_to_train_s / 86400 * 10), 1816.0);

    // An async write longer than the interval (60.4 s against 30 s) overruns: the warning says by how much.
    Workspace overrun = ws;
    overrun.workload.checkpoint.mode = plan::CheckpointMode::kAsync;
    overrun.workload.checkpoint.every_s = 30;
    const OptionResult ov = compute_comparison(overrun, *catalog_, nullptr).options[0];
    QVERIFY(!ov.checkpoint.write_within_interval);
    QVERIFY(checkpoint_summary(ov).endsWith(QStringLiteral("⚠")));
    QVERIFY2(checkpoint_lines(ov).join(QLatin1Char('|')).contains(QStringLiteral(
                 "WARNING: the background write (60.4 s) does not finish within the interval (30 s): training waits "
                 "30.4 s more at each checkpoint")),
             qPrintable(checkpoint_lines(ov).join(QLatin1Char('|'))));

    // No write rate in the form: a datasheet profile has none, and the option shows the planner's own reason
    // (the option, not the workload, is in error; the others are still planned).
    Workspace unknown = ws;
    unknown.workload.checkpoint.write_bytes_per_s = 0;
    const Comparison cu = compute_comparison(unknown, *catalog_, nullptr);
    QVERIFY(cu.error.empty());
    std::string planner_reason;
    try {
      const plan::Workload wu = to_workload(unknown.workload, *catalog_);
      plan::Rates ru = plan::resolve_rates(unknown.options[0].profile, plan::Precision::kBf16, a);
      plan::apply_resilience_overrides(wu.train.resilience, ru);
      plan::check_resilience(wu, plan::count_params(wu.model), ru, 64, "h100-sxm5-80gb");
    } catch (const core::InputError& e) {
      planner_reason = e.what();
    }
    QVERIFY(planner_reason.find("$.storage.checkpoint_write_bytes_per_s") != std::string::npos);
    QCOMPARE(cu.options[0].error, planner_reason);
    QVERIFY(option_details_html(cu).contains(QString::fromStdString(planner_reason).toHtmlEscaped()));

    // The group on with neither an interval nor an MTBF models nothing: the interval field says so.
    WorkloadForm nothing = ws.workload;
    nothing.checkpoint.every_s = 0;
    QCOMPARE(error_path([&] { to_workload(nothing, *catalog_); }), std::string("$.train.checkpoint.every_s"));
    // The read rate acts only with an MTBF: without one it is left out (not refused).
    WorkloadForm read_only = ws.workload;
    read_only.checkpoint.read_bytes_per_s = 3e9;
    QCOMPARE(to_workload(read_only, *catalog_).train.resilience.checkpoint_read_bytes_per_s, 0.0);

    // The search ranks and shows plans with their checkpoint costs too.
    Workspace searched = ws;
    searched.workload.search = true;
    const OptionResult so = compute_comparison(searched, *catalog_, nullptr).options[0];
    QVERIFY2(so.error.empty(), so.error.c_str());
    QVERIFY(so.checkpoint.enabled);
    QCOMPARE(std::round(so.checkpoint.bytes / 1e8), 9657.0);
    QVERIFY(so.run.checkpoint_s > 0);
  }

  // Serving: the cold start is plan::cold_start of the planned replica; a datasheet has no read figure.
  void coldStartOfEachOption() {
    Workspace ws = default_workspace(*catalog_);
    ws.workload.phase = plan::Phase::kInfer;
    ws.workload.model_id = "llama-3-8b";
    ws.workload.gpus = 8;
    GpuOption measured = ws.options[0];
    measured.label = "H100 with storage";
    measured.kind = OptionKind::kMeasured;
    measured.file = "h100-storage.json";
    measured.profile.storage_read_bytes_per_s.value = 1.2e9;
    measured.profile.storage_read_bytes_per_s.provenance = plan::Provenance::kMeasured;
    ws.options = {ws.options[0], measured};
    const Comparison c = compute_comparison(ws, *catalog_, nullptr);
    QVERIFY2(c.error.empty(), c.error.c_str());
    QCOMPARE(c.options[0].cold_start_s, 0.0);
    QVERIFY(c.options[0].cold_start_bytes_per_node > 0);
    QVERIFY(cold_start_text(c.options[0]).startsWith(QStringLiteral("unknown: no storage read figure in this GPU's profile")));
    const OptionResult& o = c.options[1];
    QCOMPARE(o.cold_start_read_bytes_per_s, 1.2e9);
    QCOMPARE(o.cold_start_s, o.cold_start_bytes_per_node / 1.2e9);
    // The planner's cold start of the replica the search picks: each node reads the weights of its
    // GPUs of the replica (min(TP·PP, 8 per node) × the weights of the fullest GPU) at 1.2 GB/s.
    const plan::Workload w = to_workload(ws.workload, *catalog_);
    const plan::Assumptions a;
    const plan::Rates rates = plan::resolve_rates(measured.profile, plan::Precision::kBf16, a);
    const plan::ParamCounts pc = plan::count_params(w.model);
    const plan::InferResult r = plan::evaluate_infer(plan::search_infer(w, pc, rates, a, 0, 8).best, pc, rates, a);
    const plan::ColdStart cs = plan::cold_start(r, rates);
    QCOMPARE(o.cold_start_s, cs.time_s);
    QCOMPARE(o.cold_start_bytes_per_node, r.memory.weights_bytes * std::min(r.gpus_per_replica, 8));
    QVERIFY2(cold_start_text(o).startsWith(QString::fromStdString(core::format_seconds(cs.time_s)) +
                                           QStringLiteral(" (")),
             qPrintable(cold_start_text(o)));
    QVERIFY(cold_start_text(o).contains(QStringLiteral("GB of one replica's weights per node at 1.2 GB/s")));
    ComparisonTableModel model;
    QAbstractItemModelTester tester(&model, kFail);
    model.setComparison(std::make_shared<Comparison>(c));
    QCOMPARE(model.headerData(9, Qt::Horizontal).toString(), QStringLiteral("Cold start"));
    QCOMPARE(model.index(0, 9).data().toString(), QStringLiteral("unknown"));
    QCOMPARE(model.index(1, 9).data(Qt::UserRole).toDouble(), o.cold_start_s);
  }

  void invalidFormNamesTheField() {
    WorkloadForm f = default_workspace(*catalog_).workload;
    f.search = false;
    f.tp = 3;  // Llama 3 70B has 64 heads
    f.gpus = 48;
    QCOMPARE(error_path([&] { to_workload(f, *catalog_); }), std::string("$.parallelism.tp"));
    f.tp = 8;
    f.gpus = 60;  // not a multiple of tp·pp
    QCOMPARE(error_path([&] { to_workload(f, *catalog_); }), std::string("$.gpus"));
    f.gpus = 64;
    f.global_batch = 100;  // not a multiple of micro_batch·dp = 8
    QCOMPARE(error_path([&] { to_workload(f, *catalog_); }), std::string("$.train.global_batch"));
    const Comparison c = compute_comparison(Workspace{f, {}, {}, {}, {}}, *catalog_, nullptr);
    QCOMPARE(c.error_path, std::string("$.train.global_batch"));
    QVERIFY(c.options.empty());
  }

  // The GUI's numbers are the planner's: same workload, same rates, same result.
  void computeIsThePlanner() {
    Workspace ws = default_workspace(*catalog_);
    ws.workload.search = false;
    ws.workload.tp = 8;
    ws.workload.pp = 2;
    const Comparison c = compute_comparison(ws, *catalog_, nullptr);
    QVERIFY2(c.error.empty(), c.error.c_str());
    QCOMPARE(c.options.size(), std::size_t{4});
    const plan::Workload w = to_workload(ws.workload, *catalog_);
    const plan::Assumptions a;
    for (std::size_t i = 0; i < 4; ++i) {
      const plan::Rates rates = plan::resolve_rates(ws.options[i].profile, plan::Precision::kBf16, a);
      const plan::TrainResult r = plan::evaluate_train(w, plan::count_params(w.model), rates, a);
      QCOMPARE(c.options[i].memory.total_bytes(), r.memory.total_bytes);
      QCOMPARE(c.options[i].gpu_hours, r.time.gpu_hours);
      QCOMPARE(c.options[i].fits, r.memory.fits);
    }
    QCOMPARE(c.options[0].parallelism, std::string("TP 8 · PP 2 · DP 4 · mb 1 · selective recompute · ZeRO-1"));

    // QLoRA from the form is the planner's QLoRA plan (same trainable parameters, same memory).
    Workspace q = ws;
    q.workload.adapter = plan::AdapterMethod::kQlora;
    q.workload.adapter_rank = 16;
    const Comparison cq = compute_comparison(q, *catalog_, nullptr);
    QVERIFY2(cq.error.empty(), cq.error.c_str());
    const plan::Workload wq = to_workload(q.workload, *catalog_);
    QCOMPARE(wq.train.adapter.method, plan::AdapterMethod::kQlora);
    const plan::Rates rq = plan::resolve_rates(q.options[0].profile, plan::Precision::kBf16, a);
    QCOMPARE(cq.options[0].memory.total_bytes(), plan::evaluate_train(wq, plan::count_params(wq.model), rq, a).memory.total_bytes);
    QVERIFY(cq.options[0].memory.total_bytes() < c.options[0].memory.total_bytes());

    ws.workload.search = true;
    const Comparison s = compute_comparison(ws, *catalog_, nullptr);
    plan::SearchOptions so;
    so.gpus = 64;
    const plan::Rates rates = plan::resolve_rates(ws.options[0].profile, plan::Precision::kBf16, a);
    const plan::SearchResult best = plan::search_train(to_workload(ws.workload, *catalog_), plan::count_params(w.model), rates, a, so);
    QVERIFY(!best.best.empty());
    QCOMPARE(s.options[0].step_s, best.best.front().result.time.step_s);
    QCOMPARE(s.options[0].evaluated, best.evaluated);
    QVERIFY(s.options[0].fits);
  }

  void servingSearchesEachOptionsLayout() {
    // Serving Llama 3.1 405B: the form has no serving layout, so each option is planned at the replica
    // layout `plan infer --search` picks for it (H100: TP 8 · PP 2; no single GPU holds the model).
    Workspace ws = default_workspace(*catalog_);
    ws.workload.model_id = "llama-3.1-405b";
    ws.workload.phase = plan::Phase::kInfer;
    ws.workload.context_len = 2048;
    ws.workload.output_len = 256;
    ws.workload.qps = 5;
    ws.workload.tpot_slo_s = 0.05;
    const Comparison c = compute_comparison(ws, *catalog_, nullptr);
    QVERIFY2(c.error.empty(), c.error.c_str());
    const plan::Workload w = to_workload(ws.workload, *catalog_);
    const plan::Assumptions a;
    const plan::Rates rates = plan::resolve_rates(ws.options[0].profile, w.infer.compute_precision, a);
    const plan::InferSearchResult s = plan::search_infer(w, plan::count_params(w.model), rates, a, 8, 8);
    QVERIFY(!s.candidates.empty());
    QCOMPARE(s.candidates.front().tp, 8);
    QCOMPARE(s.candidates.front().pp, 2);
    QVERIFY(c.options[0].fits);
    QVERIFY2(c.options[0].parallelism.rfind("TP 8 · PP 2 · batch", 0) == 0, c.options[0].parallelism.c_str());
    QCOMPARE(c.options[0].evaluated, s.candidates.size());
  }

  // An offloaded optimizer against the form's host RAM per node. Llama 3 8B on one node of 8 GPUs,
  // Adam: fp32 master weights, moments and gradients, 16 B per parameter, all 8 ranks' shards on the
  // node = 8.03e9 × 16 B = 119.7 GiB per node, against 90 % of the node's RAM.
  void offloadIsCheckedAgainstTheFormsHostRam() {
    Workspace ws = default_workspace(*catalog_);
    ws.options.resize(1);  // H100 SXM, a datasheet profile: no host memory of its own
    ws.workload.model_id = "llama-3-8b";
    ws.workload.gpus = 8;
    ws.workload.seq_len = 4096;
    ws.workload.global_batch = 64;
    ws.workload.offload = plan::Offload::kOptimizer;
    const double needed_gib = 16.0 * plan::count_params(catalog_->model("llama-3-8b")).total / core::kGiB;
    QVERIFY(std::fabs(needed_gib - 119.7) < 0.05);
    for (const bool search : {false, true}) {
      ws.workload.search = search;
      ws.workload.tp = 1;
      ws.workload.pp = 1;
      ws.workload.host_memory_gib = 0;  // the profile's: unknown, not checked
      const Comparison unknown = compute_comparison(ws, *catalog_, nullptr);
      QVERIFY2(unknown.error.empty(), unknown.error.c_str());
      QVERIFY(unknown.options[0].fits);
      QVERIFY(unknown.options[0].host_fits);
      QCOMPARE(unknown.options[0].host_capacity_bytes, 0.0);
      QVERIFY(std::fabs(unknown.options[0].host_bytes_per_node / core::kGiB - needed_gib) < 0.05);

      ws.workload.host_memory_gib = 64;  // 57.6 GiB usable
      const Comparison small = compute_comparison(ws, *catalog_, nullptr);
      QVERIFY2(small.error.empty(), small.error.c_str());
      const OptionResult& o = small.options[0];
      QVERIFY(!o.fits);
      QVERIFY(!o.host_fits);
      QVERIFY(o.memory.total_bytes() <= o.memory.capacity_bytes);  // the GPUs are not what is short
      QCOMPARE(o.host_capacity_bytes, 0.9 * 64 * core::kGiB);
      QVERIFY2(o.note.find("offloaded optimizer: 119.7 GiB of host memory per node needed, 57.6 GiB usable") != std::string::npos,
               o.note.c_str());
      if (search) QVERIFY2(o.note.rfind("no configuration of 8 GPUs fits", 0) == 0, o.note.c_str());
      // The planner's own verdict on the profile with that host memory.
      const plan::HardwareProfile p = planned_profile(ws.options[0], ws.workload);
      QCOMPARE(*p.host_memory_bytes.value, 64 * core::kGiB);
      QCOMPARE(p.host_memory_bytes.provenance, plan::Provenance::kOverride);
      if (!search) {
        const plan::Workload w = to_workload(ws.workload, *catalog_);
        const plan::Assumptions a;
        const plan::TrainResult r =
            plan::evaluate_train(w, plan::count_params(w.model), plan::resolve_rates(p, plan::Precision::kBf16, a), a);
        QCOMPARE(o.host_bytes_per_node, r.memory.host_bytes_per_node);
        QCOMPARE(o.host_fits, r.memory.host_fits);
      }
      ComparisonTableModel model;
      model.setComparison(std::make_shared<const Comparison>(small));
      QCOMPARE(model.data(model.index(0, 1)).toString(), QStringLiteral("no (host RAM)"));

      ws.workload.host_memory_gib = 256;  // 230.4 GiB usable
      const Comparison big = compute_comparison(ws, *catalog_, nullptr);
      QVERIFY(big.options[0].fits);
      QVERIFY(big.options[0].host_fits);
      QCOMPARE(big.options[0].host_capacity_bytes, 0.9 * 256 * core::kGiB);
    }
    // Without offload the field is not applied (nothing is checked, the profile is the catalog's).
    ws.workload.offload = plan::Offload::kNone;
    ws.workload.host_memory_gib = 64;
    QVERIFY(!planned_profile(ws.options[0], ws.workload).host_memory_bytes.known());
  }

  // A fixed layout keeps the form's rank order; the search tries both (as `plan search`).
  void rankOrderReachesThePlanner() {
    Workspace ws = default_workspace(*catalog_);
    ws.workload.search = false;
    // TP 4 · PP 2 · DP 8 on nodes of 8: tp-cp-ep-pp-dp keeps each pipeline in a node (DP crosses the
    // nodes), tp-cp-ep-dp-pp puts two DP ranks in a node and the pipeline across nodes.
    ws.workload.tp = 4;
    ws.workload.pp = 2;
    ws.workload.rank_order = plan::RankOrder::kDataOuter;
    const plan::Workload w = to_workload(ws.workload, *catalog_);
    QCOMPARE(w.par.rank_order, plan::RankOrder::kDataOuter);
    const Comparison c = compute_comparison(ws, *catalog_, nullptr);
    QVERIFY2(c.error.empty(), c.error.c_str());
    QCOMPARE(c.options[0].parallelism, std::string("TP 4 · PP 2 · DP 8 · mb 1 · selective recompute · ZeRO-1 · DP outermost"));
    const plan::Assumptions a;
    const plan::Rates rates = plan::resolve_rates(ws.options[0].profile, plan::Precision::kBf16, a);
    QCOMPARE(c.options[0].step_s, plan::evaluate_train(w, plan::count_params(w.model), rates, a).time.step_s);
    plan::Workload pipeline_outer = w;
    pipeline_outer.par.rank_order = plan::RankOrder::kPipelineOuter;
    ws.workload.rank_order = plan::RankOrder::kPipelineOuter;
    const Comparison d = compute_comparison(ws, *catalog_, nullptr);
    QCOMPARE(d.options[0].step_s, plan::evaluate_train(pipeline_outer, plan::count_params(w.model), rates, a).time.step_s);
    QVERIFY(c.options[0].step_s != d.options[0].step_s);  // the groups cross the nodes differently

    // Searching: the same result whichever order the form holds (both are tried).
    ws.workload.search = true;
    ws.workload.rank_order = plan::RankOrder::kDataOuter;
    const Comparison s1 = compute_comparison(ws, *catalog_, nullptr);
    ws.workload.rank_order = plan::RankOrder::kPipelineOuter;
    const Comparison s2 = compute_comparison(ws, *catalog_, nullptr);
    QCOMPARE(s1.options[0].step_s, s2.options[0].step_s);
    QCOMPARE(s1.options[0].parallelism, s2.options[0].parallelism);
  }

  void nothingFitsIsReported() {
    Workspace ws = default_workspace(*catalog_);
    ws.workload.model_id = "llama-3.1-405b";
    ws.workload.gpus = 8;
    ws.workload.global_batch = 64;
    const Comparison c = compute_comparison(ws, *catalog_, nullptr);
    QVERIFY2(c.error.empty(), c.error.c_str());
    for (const OptionResult& o : c.options) {
      QVERIFY(!o.fits);
      QCOMPARE(o.fitting, std::uint64_t{0});
      QVERIFY(o.note.find("no configuration of 8 GPUs fits") != std::string::npos);
      QVERIFY(o.memory.total_bytes() > o.memory.capacity_bytes);
    }
  }

  // Known answer: one 1024-wide GELU layer, 1 × 1024 tokens, bf16, no TP.
  void rooflineOpsKnownAnswer() {
    plan::Workload w;
    w.model.hidden_size = 1024;
    w.model.num_heads = 16;
    w.model.num_kv_heads = 16;
    w.model.head_dim = 64;
    w.model.ffn_hidden_size = 4096;
    w.model.vocab_size = 32000;
    w.model.mlp = plan::MlpKind::kGelu;
    w.train.micro_batch = 1;
    w.train.seq_len = 1024;
    const auto ops = roofline_ops(w, 2.0);
    QCOMPARE(ops.size(), std::size_t{5});
    QCOMPARE(ops[0].name, std::string("QKV projection"));
    QCOMPARE(ops[0].flop, 2.0 * 1024 * 1024 * 3072);
    QCOMPARE(ops[0].bytes, 2.0 * (1024.0 * 1024 + 1024.0 * 3072 + 1024.0 * 3072));
    QCOMPARE(ops[2].flop, 2.0 * 1024 * 1024 * 4096);  // MLP up
    QCOMPARE(ops[4].flop, 2.0 * 1024 * 1024 * 32000);  // LM head
    w.par.tp = 4;
    QCOMPARE(roofline_ops(w, 2.0)[0].flop, 2.0 * 1024 * 1024 * 768);
  }

  void costUsesPlannerGpuHours() {
    if (!CostEngine::available()) QSKIP("built without planner/tco");
    const auto engine = std::make_shared<const CostEngine>(kData);
    QVERIFY(engine->scenario_names().size() >= 3);
    Workspace ws = default_workspace(*catalog_);
    ws.cost.option_label = "A100 80GB";
    const Comparison c = compute_comparison(ws, *catalog_, engine.get());
    QVERIFY2(c.cost.error.empty(), c.cost.error.c_str());
    QCOMPARE(c.cost.option_label, std::string("A100 80GB"));
    QCOMPARE(c.cost.train_gpu_hours, c.options[2].gpu_hours);
    QCOMPARE(c.cost.curves.front().label, std::string("on-prem"));
    QCOMPARE(c.cost.curves.front().cumulative_usd.size(), std::size_t{37});  // months 0..36
    QVERIFY(!c.cost.tornado.empty());
    ws.cost.scenario = "no-such-scenario";
    const Comparison bad = compute_comparison(ws, *catalog_, engine.get());
    QVERIFY(bad.cost.error.find("no-such-scenario") != std::string::npos);
    QVERIFY(bad.cost.curves.empty());
  }

  void measurementsKnownAnswer() {
    const core::Results r = core::load_results(kFixtures / "cpu-quick-results.json");
    const MeasurementView v = extract_measurements(r);
    QCOMPARE(v.passed, std::size_t{20});
    QCOMPARE(v.gemm.size(), std::size_t{2});
    QCOMPARE(v.gemm[1].case_name, std::string("cpu.gemm.fp64"));
    QCOMPARE(v.gemm[1].flop_per_s, 128292169378.71507);  // best of the three sizes in the file
    QCOMPARE(v.gemm[1].shape, std::string("m=256,n=256,k=256,threads=2"));
    const XYSeries* sweep = nullptr;
    for (const XYSeries& s : v.bandwidth) {
      if (s.name == "cpu.cache.sweep") sweep = &s;
    }
    QVERIFY(sweep);
    QCOMPARE(sweep->points.size(), std::size_t{8});
    QCOMPARE(sweep->points.front().x, 16384.0);
    QCOMPARE(sweep->points.back().x, 268435456.0);
    QCOMPARE(sweep->points.back().y, 4158086417.598332);
    QVERIFY(v.busbw.empty());
    const MeasurementView m = extract_measurements(core::load_results(kFixtures / "mpi-allreduce-results.json"));
    QCOMPARE(m.busbw.size(), std::size_t{1});
    QCOMPARE(m.busbw[0].points.size(), std::size_t{3});
    QCOMPARE(m.busbw[0].points[0].x, 8.0);
  }

  void measuredH100Fixtures() {
    // The real H100 files of data/measured (2026-11-23) imported as the app imports a dropped file.
    const std::filesystem::path dir = kData / "measured";
    const GpuOption prof = import_option(dir / "h100-sxm5-80gb_2026-11-23_cuda-standard.profile.json", *catalog_);
    QCOMPARE(prof.kind, OptionKind::kMeasured);
    QCOMPARE(*prof.profile.memory_bytes.value, 85017493504.0);                      // CUDA's total, not 80 GiB
    QCOMPARE(*prof.profile.peak(plan::Precision::kBf16).value, 706504061624252.0);  // best standard bf16 GEMM
    QCOMPARE(prof.profile.peak(plan::Precision::kBf16).provenance, plan::Provenance::kMeasured);
    QCOMPARE(*prof.profile.memory_bandwidth_bytes_per_s.value, 3024565278221.779);  // 4 GiB copy, read + written
    // The quick run's results file: a profile made on import, the catalog's H100 filling the rest.
    const GpuOption run = import_option(dir / "h100-sxm5-80gb_2026-11-23.json", *catalog_);
    QCOMPARE(run.kind, OptionKind::kMeasured);
    QCOMPARE(*run.profile.peak(plan::Precision::kBf16).value, 743917655731705.0);  // 8192×4096×14336
    QCOMPARE(*run.profile.memory_bandwidth_bytes_per_s.value, 3005188566570.108);
    // Its measurements page: every passed case, the best bf16 GEMM and the copy sweep.
    const MeasurementView v = extract_measurements(core::load_results(dir / "h100-sxm5-80gb_2026-11-23.json"));
    QCOMPARE(v.passed, std::size_t{82});
    QCOMPARE(v.not_passed, std::size_t{4});  // peer and all-GPU PCIe: one GPU
    const GemmBar* bf16 = nullptr;
    for (const GemmBar& g : v.gemm) {
      if (g.case_name == "cuda.gemm.bf16") bf16 = &g;
    }
    QVERIFY(bf16);
    QCOMPARE(bf16->flop_per_s, 743917655731705.0);
    QCOMPARE(bf16->shape, std::string("m=8192,n=4096,k=14336,layout=TN,shape=llama3_8b.mlp_down"));
    // Planned beside the datasheet H100: the measured bf16 rate (706.5 against 0.8 × 989 = 791
    // TFLOP/s achievable) makes the same plan slower, and the smaller capacity leaves less margin.
    Workspace ws = default_workspace(*catalog_);
    ws.workload.search = false;
    ws.workload.tp = 8;
    ws.workload.pp = 2;
    ws.options = {ws.options[0], prof};
    const Comparison c = compute_comparison(ws, *catalog_, nullptr);
    QVERIFY2(c.error.empty(), c.error.c_str());
    QCOMPARE(c.options.size(), std::size_t{2});
    QVERIFY(c.options[1].gpu_hours > c.options[0].gpu_hours);
    const plan::Workload w = to_workload(ws.workload, *catalog_);
    const plan::Rates rates = plan::resolve_rates(prof.profile, plan::Precision::kBf16, plan::Assumptions{});
    QCOMPARE(c.options[1].gpu_hours,
             plan::evaluate_train(w, plan::count_params(w.model), rates, plan::Assumptions{}).time.gpu_hours);
  }

  void shippedMeasuredProfilesSkipABadFile() {
    // A data directory with a broken profile beside a good one (a user's copy, say): the good one is
    // listed, the bad one left out with an error that names it.
    QTemporaryDir dir;
    const std::filesystem::path data = dir.path().toStdString();
    std::filesystem::create_directories(data / "measured");
    std::filesystem::copy_file(kData / "measured/h100-sxm5-80gb_2026-11-23_cuda-standard.profile.json",
                               data / "measured/h100-sxm5-80gb_2026-11-23_cuda-standard.profile.json");
    std::ofstream(data / "measured/broken.profile.json") << "{\"schema\": \"headroom.profile\"";
    std::ofstream(data / "measured/notes.json") << "not a profile: ignored, not *.profile.json";
    std::vector<std::string> problems;
    const std::vector<MeasuredEntry> e = shipped_measured_profiles(data, &problems);
    QCOMPARE(e.size(), std::size_t{1});
    QCOMPARE(e[0].label, std::string("NVIDIA H100 SXM5 80GB (measured, 2026-11-23)"));
    QCOMPARE(problems.size(), std::size_t{1});
    QVERIFY2(problems[0].find("broken.profile.json") != std::string::npos, problems[0].c_str());
    QVERIFY(shipped_measured_profiles(data / "absent").empty());
  }

  void optionListModel() {
    OptionListModel model;
    QAbstractItemModelTester tester(&model, kFail);
    model.setOptions(default_workspace(*catalog_).options);
    QCOMPARE(model.rowCount(), 4);
    model.addOption(model.options()[0]);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.index(4).data().toString(), QStringLiteral("H100 SXM (2)"));
    QVERIFY(model.setData(model.index(1), Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(model.options()[1].enabled, false);
    QVERIFY(model.index(0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("GiB")));
    model.removeOption(4);
    QCOMPARE(model.rowCount(), 4);
  }

  void comparisonTableModel() {
    ComparisonTableModel model;
    QAbstractItemModelTester tester(&model, kFail);
    QCOMPARE(model.rowCount(), 0);
    auto c = std::make_shared<Comparison>(compute_comparison(default_workspace(*catalog_), *catalog_, nullptr));
    model.setComparison(c);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("H100 SXM"));
    QCOMPARE(model.index(0, 2).data(Qt::UserRole).toDouble(), c->options[0].memory.total_bytes());
    QCOMPARE(model.index(0, 7).data(Qt::UserRole).toDouble(), c->options[0].gpu_hours);
    QVERIFY(model.index(0, 2).data(Qt::ToolTipRole).toString().contains(QStringLiteral("activations")));
    QCOMPARE(model.headerData(9, Qt::Horizontal).toString(), QStringLiteral("Checkpoints"));
    QCOMPARE(model.index(0, 9).data().toString(), QStringLiteral("off"));
    auto k = std::make_shared<Comparison>(compute_comparison(llama2_70b_checkpoints(*catalog_), *catalog_, nullptr));
    model.setComparison(k);
    QCOMPARE(model.index(0, 9).data().toString(), QStringLiteral("3.24 % ckpt"));
    QCOMPARE(model.index(0, 9).data(Qt::UserRole).toDouble(), k->options[0].run.checkpoint_s / k->options[0].run.time_s);
    QVERIFY(model.index(0, 9).data(Qt::ToolTipRole).toString().contains(QStringLiteral("checkpoints: 8530")));
  }

  void casesTableModel() {
    CasesTableModel model;
    QAbstractItemModelTester tester(&model, kFail);
    auto a = std::make_shared<const core::Results>(core::load_results(kFixtures / "cpu-quick-results.json"));
    auto b = std::make_shared<const core::Results>(core::load_results(kFixtures / "mpi-allreduce-results.json"));
    model.setResults(a, b);
    QCOMPARE(model.rowCount(), 24);
    QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("cpu.peak.fp64"));
    QCOMPARE(model.index(20, 0).data().toString(), QStringLiteral("B"));
    QCOMPARE(model.index(2, 4).data(Qt::UserRole).toDouble(), 128292169378.71507);
    model.setResults(nullptr, b);
    QCOMPARE(model.rowCount(), 4);
  }

  void profileTreeModel() {
    ProfileTreeModel model;
    QAbstractItemModelTester tester(&model, kFail);
    model.setOptions(default_workspace(*catalog_).options);
    QCOMPARE(model.rowCount(), 4);
    const QModelIndex l40s = model.index(3, 0);
    QVERIFY(model.rowCount(l40s) > 5);
    QCOMPARE(model.index(0, 0, l40s).data().toString(), QStringLiteral("memory"));
    QCOMPARE(model.index(0, 1, l40s).data().toString(), QStringLiteral("45.0 GiB"));  // 46068 MiB: nvidia-smi with ECC on
    QCOMPARE(model.index(0, 2, l40s).data().toString(), QStringLiteral("datasheet"));
    QCOMPARE(model.parent(model.index(0, 1, l40s)), l40s);
    // A datasheet profile has no storage figures: no row for them. A measured one shows them.
    for (int row = 0; row < model.rowCount(l40s); ++row) {
      QVERIFY(!model.index(row, 0, l40s).data().toString().startsWith(QStringLiteral("storage")));
    }
    auto options = default_workspace(*catalog_).options;
    options[3].profile.storage_read_bytes_per_s = {1.2e9, plan::Provenance::kMeasured, "storage.seq_read",
                                                   "2026-11-23"};
    model.setOptions(options);
    const QModelIndex measured = model.index(3, 0);
    const int last = model.rowCount(measured) - 1;
    QCOMPARE(model.index(last, 0, measured).data().toString(), QStringLiteral("storage read (node)"));
    QCOMPARE(model.index(last, 2, measured).data().toString(), QStringLiteral("measured"));
    model.setOptions({});
    QCOMPARE(model.rowCount(), 0);
  }

  void recomputerCoalesces() {
    Recomputer r(catalog_, nullptr);
    QSignalSpy spy(&r, &Recomputer::resultReady);
    Workspace ws = default_workspace(*catalog_);
    ws.workload.search = false;
    ws.workload.tp = 8;
    for (int gpus = 8; gpus <= 80; gpus += 8) {  // a burst of 10 edits
      ws.workload.gpus = gpus;
      ws.workload.global_batch = 640;
      r.request(ws);
    }
    QVERIFY(r.waitForIdle(20000));
    QVERIFY2(r.started() <= 2, qPrintable(QString::number(r.started())));
    QVERIFY(!spy.isEmpty());
    QVERIFY2(r.latest()->error.empty(), r.latest()->error.c_str());
    QVERIFY2(r.latest()->options[0].parallelism.rfind("TP 8 · PP 1 · DP 10 · ", 0) == 0, r.latest()->options[0].parallelism.c_str());
  }

  void reportHtml() {
    const Workspace ws = default_workspace(*catalog_);
    const auto engine = std::make_shared<const CostEngine>(kData);
    const Comparison c = compute_comparison(ws, *catalog_, engine.get());
    const std::string html = comparison_report_html(ws, c, "2026-11-22T00:00:00Z");
    QVERIFY(html.find("<svg") != std::string::npos);
    for (const char* label : {"H100 SXM", "H200", "A100 80GB", "L40S"}) QVERIFY(html.find(label) != std::string::npos);
    QVERIFY(html.find("<script") == std::string::npos);
  }
};

QTEST_GUILESS_MAIN(ModelsTest)
#include "test_models.moc"
