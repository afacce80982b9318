#include "recomputer.hpp"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace headroom::gui {

Recomputer::Recomputer(std::shared_ptr<const plan::Catalog> catalog, std::shared_ptr<const CostEngine> cost, QObject* parent)
    : QObject(parent), catalog_(std::move(catalog)), cost_(std::move(cost)) {
  timer_.setSingleShot(true);
  timer_.setInterval(15);
  connect(&timer_, &QTimer::timeout, this, [this] {
    if (!running_) startPending();  // else onFinished() starts it
  });
  connect(&watcher_, &QFutureWatcher<ComparisonPtr>::finished, this, &Recomputer::onFinished);
}

Recomputer::~Recomputer() { watcher_.waitForFinished(); }

void Recomputer::request(const Workspace& ws) {
  pending_ = ws;
  timer_.start();
}

bool Recomputer::idle() const { return !running_ && !pending_ && !timer_.isActive(); }

bool Recomputer::waitForIdle(int timeout_ms) {
  QElapsedTimer t;
  t.start();
  while (!idle()) {
    if (t.elapsed() > timeout_ms) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
  }
  return true;
}

void Recomputer::startPending() {
  if (!pending_) return;
  running_ = true;
  ++started_;
  const std::uint64_t generation = started_;
  // The worker gets its own copy of the workspace; the catalogs are immutable and shared.
  watcher_.setFuture(QtConcurrent::run([ws = std::move(*pending_), catalog = catalog_, cost = cost_, generation] {
    auto c = std::make_shared<Comparison>(compute_comparison(ws, *catalog, cost.get()));
    c->generation = generation;
    return ComparisonPtr(std::move(c));
  }));
  pending_.reset();
}

void Recomputer::onFinished() {
  running_ = false;
  latest_ = watcher_.result();
  emit resultReady(latest_);
  if (pending_ && !timer_.isActive()) startPending();
}

}  // namespace headroom::gui
