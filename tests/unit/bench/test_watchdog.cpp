#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "headroom/bench/watchdog.hpp"

using namespace headroom::bench;
using namespace std::chrono_literals;

namespace {
/// Records expiries instead of ending the process.
struct Recorder {
  std::mutex m;
  std::vector<std::string> what;
  std::vector<double> limit;
  Watchdog::Expire expire() {
    return [this](const std::string& w, double l) {
      std::lock_guard lock(m);
      what.push_back(w);
      limit.push_back(l);
    };
  }
  std::size_t count() {
    std::lock_guard lock(m);
    return what.size();
  }
  /// Waits up to `limit` for the first expiry (generous: the suite runs beside builds on 2 CPUs).
  bool wait_for_one(std::chrono::milliseconds limit = 10s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (count() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
    return count() > 0;
  }
};
}  // namespace

TEST(Watchdog, ExpiresOnceNamingTheStepAndTheLimit) {
  Recorder r;
  Watchdog dog(0.05, r.expire());
  dog.arm("case 3 of 9 (nccl.all_reduce)");
  ASSERT_TRUE(r.wait_for_one());
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(r.count(), 1u);  // once: a returning expire disarms it
  EXPECT_EQ(r.what[0], "case 3 of 9 (nccl.all_reduce)");
  EXPECT_DOUBLE_EQ(r.limit[0], 0.05);
}

TEST(Watchdog, ReArmingRestartsTheClockAndDisarmStopsIt) {
  Recorder r;
  Watchdog dog(1.0, r.expire());
  // Steps of 0.1 s for 1.5 s: none lasts the 1 s limit, although the run outlasts it.
  for (int i = 0; i < 15; ++i) {
    dog.arm("step " + std::to_string(i));
    std::this_thread::sleep_for(100ms);
  }
  dog.disarm();
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(r.count(), 0u);
  // Armed again after a disarm, the last step named is the one reported.
  dog.arm("the end-of-run inventory gather");
  ASSERT_TRUE(r.wait_for_one());
  ASSERT_EQ(r.count(), 1u);
  EXPECT_EQ(r.what[0], "the end-of-run inventory gather");
}

TEST(Watchdog, ZeroLimitIsOffAndDestructionIsPrompt) {
  Recorder r;
  {
    Watchdog off(0.0, r.expire());
    off.arm("anything");
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(r.count(), 0u);
  // Destroying an armed watchdog with a long limit returns at once (no wait for its deadline).
  const auto t0 = std::chrono::steady_clock::now();
  {
    Watchdog dog(3600.0, r.expire());
    dog.arm("a long case");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(r.count(), 0u);
}

TEST(Watchdog, DefaultLimits) {
  EXPECT_EQ(default_step_timeout_s(1, 5.0), 0.0);        // a single process: Ctrl-C works there
  EXPECT_EQ(default_step_timeout_s(2, 5.0), 300.0);      // quick suite: the 300 s floor
  EXPECT_EQ(default_step_timeout_s(8, 30.0), 600.0);     // standard: 20 × 30 s
  EXPECT_EQ(default_step_timeout_s(64, 120.0), 2400.0);  // full: 20 × 120 s
}
