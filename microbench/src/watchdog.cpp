#include "headroom/bench/watchdog.hpp"

#include <algorithm>

namespace headroom::bench {

Watchdog::Watchdog(double limit_s, Expire expire) : limit_s_(limit_s), expire_(std::move(expire)) {
  if (limit_s_ > 0 && expire_) thread_ = std::thread([this] { loop(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Watchdog::arm(std::string what) {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    armed_ = true;
    what_ = std::move(what);
    deadline_ = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                       std::chrono::duration<double>(limit_s_));
  }
  changed_.notify_all();
}

void Watchdog::disarm() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    armed_ = false;
  }
  changed_.notify_all();
}

void Watchdog::loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (!armed_) {
      changed_.wait(lock);
      continue;
    }
    const auto deadline = deadline_;
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && armed_ && !stop_ && deadline_ == deadline) {
      const std::string what = what_;
      armed_ = false;
      lock.unlock();
      expire_(what, limit_s_);  // ends the process in headroom
      lock.lock();
    }
  }
}

double default_step_timeout_s(int world_size, double max_case_s) {
  if (world_size <= 1) return 0.0;
  return std::max(300.0, 20.0 * max_case_s);
}

}  // namespace headroom::bench
