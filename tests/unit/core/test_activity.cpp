#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "headroom/core/activity.hpp"

using namespace headroom::core;

namespace {
// /proc/stat as Linux 6.x writes it (2 CPUs): user nice system idle iowait irq softirq steal guest guest_nice.
const char* kStat =
    "cpu  1000 50 250 9000 40 7 13 20 0 0\n"
    "cpu0 500 25 125 4500 20 3 6 10 0 0\n"
    "cpu1 500 25 125 4500 20 4 7 10 0 0\n"
    "intr 123 0 0\n"
    "ctxt 456\n";
}  // namespace

TEST(Activity, ParsesTheAggregateCpuLine) {
  const auto t = parse_proc_stat(kStat, 100.0);
  ASSERT_TRUE(t.has_value());
  // busy = (user 1000 + nice 50 + system 250) ticks / 100 per s; irq, softirq, idle, iowait left out.
  EXPECT_DOUBLE_EQ(t->busy_s, 13.0);
  EXPECT_DOUBLE_EQ(t->steal_s, 0.2);
}

TEST(Activity, OldOrBrokenStatFiles) {
  // Kernels before 2.6.11 wrote 4 fields: busy is still known, steal is 0.
  const auto old = parse_proc_stat("cpu  10 0 10 100\n", 100.0);
  ASSERT_TRUE(old.has_value());
  EXPECT_DOUBLE_EQ(old->busy_s, 0.2);
  EXPECT_DOUBLE_EQ(old->steal_s, 0.0);
  EXPECT_FALSE(parse_proc_stat("cpu0 1 2 3 4\n", 100.0).has_value());  // no aggregate line
  EXPECT_FALSE(parse_proc_stat("cpu  1 2\n", 100.0).has_value());
  EXPECT_FALSE(parse_proc_stat("", 100.0).has_value());
  EXPECT_FALSE(parse_proc_stat(kStat, 0.0).has_value());
}

TEST(Activity, OtherProcessesAreTheBusyTimeThisProcessDidNotUse) {
  // 10 s of wall time on 2 CPUs: the kernel accounted 18 busy CPU-seconds, this process used 12 of
  // them, so others kept 0.6 CPUs busy; 0.5 s of steal is 0.05 CPUs.
  const Activity a = activity_between({100.0, 1.0}, {118.0, 1.5}, 12.0, 10.0, 2, 2.25);
  EXPECT_DOUBLE_EQ(a.other_busy_cpus, 0.6);
  EXPECT_DOUBLE_EQ(a.steal_cpus, 0.05);
  EXPECT_DOUBLE_EQ(a.wall_s, 10.0);
  EXPECT_EQ(a.cpus, 2);
  EXPECT_EQ(a.load_average_start, std::optional<double>(2.25));
  // Tick rounding can make this process's own time exceed the kernel's busy difference: never below 0.
  EXPECT_DOUBLE_EQ(activity_between({100.0, 0}, {101.0, 0}, 1.004, 1.0, 2, std::nullopt).other_busy_cpus, 0.0);
  EXPECT_DOUBLE_EQ(activity_between({100.0, 0}, {105.0, 0}, 1.0, 0.0, 2, std::nullopt).other_busy_cpus, 0.0);
}

TEST(Activity, BusyThresholdAndNote) {
  EXPECT_DOUBLE_EQ(busy_threshold_cpus(2), 0.25);
  EXPECT_DOUBLE_EQ(busy_threshold_cpus(12), 0.25);
  EXPECT_DOUBLE_EQ(busy_threshold_cpus(128), 2.56);
  Activity a{10.0, 2, 0.24, 0.0, std::nullopt};
  EXPECT_FALSE(is_busy(a));
  a.other_busy_cpus = 0.25;
  EXPECT_TRUE(is_busy(a));
  a.other_busy_cpus = 1.62;
  a.load_average_start = 3.1;
  EXPECT_EQ(busy_note(a),
            "the machine was busy: other processes kept 1.62 of 2 CPUs busy on average during the run (load "
            "average 3.10 at the start); CPU and memory figures understate this machine: rerun on an idle machine "
            "for an acceptance test or a baseline");
  a.load_average_start.reset();
  EXPECT_EQ(busy_note(a).find("load average"), std::string::npos);
}

TEST(Activity, ProbeOnThisMachine) {
  // Linux has /proc/stat: the probe returns figures, with this process's own spinning not counted.
  const ActivityProbe probe;
  // Spin for 0.3 s, so that the 10 ms accounting ticks stay small beside the interval.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  volatile double x = 0;
  while (std::chrono::steady_clock::now() < until) x = x + 1e-9;
  const auto a = probe.finish();
  ASSERT_TRUE(a.has_value());
  EXPECT_GE(a->cpus, 1);
  EXPECT_GE(a->wall_s, 0.3);
  EXPECT_GE(a->other_busy_cpus, 0.0);
  EXPECT_LE(a->other_busy_cpus, a->cpus + 0.25);  // tick rounding
}
