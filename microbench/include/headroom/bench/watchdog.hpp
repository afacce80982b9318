#pragma once
/// A time limit on each step of a run, for the failure a benchmark cannot report itself: waiting
/// forever. Under mpirun a rank that failed or stopped inside (or between) collectives leaves every
/// other rank blocked in MPI or NCCL, where no error comes back and Ctrl-C reaches only mpirun; a
/// multi-node acceptance job then hangs until the batch system's wall-clock limit. The watchdog
/// runs on its own thread and calls `expire` once a step has been armed for longer than the limit.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace headroom::bench {

class Watchdog {
 public:
  /// Called on the watchdog's thread with what was armed last and the limit. In headroom it prints
  /// and ends the process (never returns); if it returns, the watchdog disarms.
  using Expire = std::function<void(const std::string& what, double limit_s)>;

  /// `limit_s` <= 0 disables the watchdog: arm() and disarm() then do nothing and no thread runs.
  Watchdog(double limit_s, Expire expire);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  /// Starts the clock for `what` (a case, a wait for the other ranks), replacing the previous step.
  void arm(std::string what);
  void disarm();
  double limit_s() const { return limit_s_; }

 private:
  void loop();

  double limit_s_;
  Expire expire_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool armed_ = false;
  bool stop_ = false;
  std::string what_;
  std::chrono::steady_clock::time_point deadline_{};
  std::thread thread_;
};

/// The default limit of a step: off for a single process (Ctrl-C works there), and under mpirun /
/// srun 20 × the suite's max_case_s, at least 300 s. A case stops sampling after max_case_s, but a
/// single sample may take longer (the largest NCCL or storage size), and ranks that do not take
/// part in a host-only case wait for rank 0 at the next step: 20× leaves room for both.
double default_step_timeout_s(int world_size, double max_case_s);

}  // namespace headroom::bench
