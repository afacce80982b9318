#pragma once
/// Recomputes the comparison off the UI thread. Requests are debounced (a burst of edits becomes
/// one computation) and coalesced (while one runs, only the newest pending request is kept and
/// started when it finishes). Results arrive on the owner's thread through QFutureWatcher's
/// queued signal, so the UI never blocks on the planner.
#include <QFutureWatcher>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

#include "compute.hpp"

namespace headroom::gui {

using ComparisonPtr = std::shared_ptr<const Comparison>;

class Recomputer : public QObject {
  Q_OBJECT

 public:
  Recomputer(std::shared_ptr<const plan::Catalog> catalog, std::shared_ptr<const CostEngine> cost,
             QObject* parent = nullptr);
  ~Recomputer() override;

  /// Milliseconds a request waits for further edits before computing (default 15).
  void setDebounceMs(int ms) { timer_.setInterval(ms); }
  /// Schedules a computation of `ws`; only the newest request is computed.
  void request(const Workspace& ws);
  /// Processes events until no request is pending or running; false on timeout.
  bool waitForIdle(int timeout_ms);
  bool idle() const;
  ComparisonPtr latest() const { return latest_; }
  /// Computations started so far (for tests of the coalescing).
  std::uint64_t started() const { return started_; }

 signals:
  void resultReady(headroom::gui::ComparisonPtr result);

 private:
  void startPending();
  void onFinished();

  std::shared_ptr<const plan::Catalog> catalog_;
  std::shared_ptr<const CostEngine> cost_;
  QTimer timer_;
  QFutureWatcher<ComparisonPtr> watcher_;
  std::optional<Workspace> pending_;
  bool running_ = false;
  std::uint64_t started_ = 0;
  ComparisonPtr latest_;
};

}  // namespace headroom::gui
