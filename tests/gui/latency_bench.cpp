// Input -> charts updated, measured on the real main window (offscreen): one iteration edits the
// sequence length in the form and waits until the recomputed comparison has been drawn on every
// page. Includes the debounce (15 ms as shipped), the planner (4 options, search on) on the worker
// thread, the queued delivery and the chart rebuilds. checkpoints:1 turns the "Checkpoints & failures" group
// on (30 min, 2 GB/s write, 4 GB/s read, MTBF 10 h), which adds check_resilience per option and the Time
// page's details. Run: QT_QPA_PLATFORM=offscreen gui_latency_bench
#include <benchmark/benchmark.h>

#include <QApplication>
#include <QSpinBox>

#include "pages/main_window.hpp"
#include "pages/workload_panel.hpp"

namespace {

QApplication* g_app = nullptr;

void BM_InputToCharts(benchmark::State& state) {
  headroom::gui::MainWindow window(HEADROOM_SOURCE_DIR "/data");
  window.setQuiet(true);
  window.recomputer()->setDebounceMs(static_cast<int>(state.range(0)));
  if (state.range(1) != 0) {
    headroom::gui::WorkloadForm f = window.workloadPanel()->form();
    f.checkpoint = {true, 1800, headroom::plan::CheckpointMode::kSync, 2e9, 4e9, 36000, 600};
    window.workloadPanel()->setForm(f);
    emit window.workloadPanel()->changed();
  }
  window.show();
  window.waitForIdle(30000);
  bool drawn = false;
  // Connected after the window's own slot, so it runs once the pages have been redrawn.
  QObject::connect(window.recomputer(), &headroom::gui::Recomputer::resultReady, &window, [&drawn] { drawn = true; });
  QSpinBox* seq = window.workloadPanel()->seqLenBox();
  int i = 0;
  double planner_s = 0;
  for (auto _ : state) {
    drawn = false;
    seq->setValue(i++ % 2 == 0 ? 4096 : 8192);
    while (!drawn) QApplication::processEvents(QEventLoop::AllEvents);
    planner_s += window.shown()->compute_s;
  }
  state.counters["options"] = static_cast<double>(window.shown()->options.size());
  // Options planned with checkpoints (an option in error would skip the planner and flatter the figure).
  double with_checkpoints = 0;
  for (const headroom::gui::OptionResult& o : window.shown()->options) with_checkpoints += o.checkpoint.enabled ? 1 : 0;
  state.counters["ckpt_options"] = with_checkpoints;
  state.counters["planner_ms"] = 1e3 * planner_s / static_cast<double>(state.iterations());
}
BENCHMARK(BM_InputToCharts)
    ->Args({15, 0})
    ->Args({0, 0})
    ->Args({15, 1})
    ->ArgNames({"debounce_ms", "checkpoints"})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(50);

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  g_app = &app;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
