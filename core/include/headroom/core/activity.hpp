#pragma once
/// What the machine did besides headroom while a benchmark run lasted.
///
/// A benchmark run on a busy machine measures the share of the machine it got, not the machine: on
/// the 2-vCPU development VM (2026-11-23) two parallel builds during `headroom run` took the
/// all-thread `cpu.clock` from 3.58 GHz (idle, 04:52 UTC) to 0.44 GHz and the 2-thread 256³ fp64
/// OpenBLAS GEMM from 110 to 4.3 GFLOP/s (04:56 UTC). Nothing in the results said so. This probe takes the kernel's CPU
/// accounting at the start and end of a run, subtracts what this process used, and records the rest: the operator of an
/// acceptance run, or `compare` reading a baseline, can then tell a busy machine from a slow one.
#include <optional>
#include <string>

namespace headroom::core {

/// Seconds of CPU time the kernel accounted to all CPUs together (/proc/stat's first "cpu" line).
struct CpuTimes {
  double busy_s = 0;   ///< user + nice + system (guest time is already inside user)
  double steal_s = 0;  ///< taken by the hypervisor for other guests
};

/// Parses /proc/stat text with `ticks_per_s` clock ticks per second (sysconf(_SC_CLK_TCK), 100 on
/// Linux). irq and softirq are left out: interrupts raised by this run's own I/O (storage cases)
/// land there and are not another process's work. Nothing usable -> nullopt.
std::optional<CpuTimes> parse_proc_stat(const std::string& text, double ticks_per_s);

/// A run's background activity, as results.json records it in run.activity (schema 1.2).
struct Activity {
  double wall_s = 0;           ///< how long the probe watched
  int cpus = 1;                ///< online CPUs
  double other_busy_cpus = 0;  ///< mean CPUs other processes kept busy (busy time − this process's) / wall
  double steal_cpus = 0;       ///< mean CPUs the hypervisor took for other guests
  std::optional<double> load_average_start;  ///< 1-minute load average when the run began
};

/// The arithmetic of the probe, separated for tests: (busy difference − `self_cpu_s`) / `wall_s`,
/// never below 0 (tick rounding), and the steal difference / `wall_s`.
Activity activity_between(const CpuTimes& start, const CpuTimes& end, double self_cpu_s, double wall_s, int cpus,
                          std::optional<double> load_average_start);

/// Mean CPUs of other work from which a run counts as busy: a quarter of a CPU, or 2 % of the CPUs on
/// a large machine (where monitoring daemons alone use a few tenths of a CPU). docs/methodology.md
/// ("Background activity") has what idle and loaded runs of the development VM recorded.
double busy_threshold_cpus(int cpus);
bool is_busy(const Activity& a);
/// One sentence for run.notes and stderr, e.g. "the machine was busy: other processes kept 1.62 of 2
/// CPUs busy on average during the run (load average 3.10 at the start); CPU and memory figures
/// understate this machine: rerun on an idle machine for an acceptance test or a baseline".
std::string busy_note(const Activity& a);

/// Watches this process and the machine from construction to finish(). On a system without
/// /proc/stat (not Linux) finish() returns nullopt.
class ActivityProbe {
 public:
  ActivityProbe();
  std::optional<Activity> finish() const;

 private:
  std::optional<CpuTimes> start_;
  double self_start_s_ = 0;
  double wall_start_s_ = 0;
  std::optional<double> load_;
};

}  // namespace headroom::core
