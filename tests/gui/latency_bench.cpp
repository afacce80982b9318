// Input -> charts updated, measured on the real main window (offscreen): one iteration edits the
// sequence length in the form and waits until the recomputed comparison has been drawn on every
// page. Includes the debounce (15 ms as shipped), the planner (4 options, search on) on the worker
// thread, the queued delivery and the chart rebuilds. Run: QT_QPA_PLATFORM=offscreen gui_latency_bench
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
  state.counters["planner_ms"] = 1e3 * planner_s / static_cast<double>(state.iterations());
}
BENCHMARK(BM_InputToCharts)->Arg(15)->Arg(0)->ArgName("debounce_ms")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(50);

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
