#include "headroom/core/activity.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

namespace headroom::core {

std::optional<CpuTimes> parse_proc_stat(const std::string& text, double ticks_per_s) {
  if (!(ticks_per_s > 0)) return std::nullopt;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    // The aggregate line is "cpu " (then one line per CPU, "cpu0 ...").
    if (!line.starts_with("cpu ")) continue;
    std::istringstream fields(line.substr(4));
    // user nice system idle iowait irq softirq steal (guest, guest_nice: already inside user/nice)
    double v[8] = {};
    int n = 0;
    while (n < 8 && fields >> v[n]) ++n;
    if (n < 4) return std::nullopt;  // not the format every Linux since 2.6 writes
    CpuTimes t;
    t.busy_s = (v[0] + v[1] + v[2]) / ticks_per_s;
    t.steal_s = n >= 8 ? v[7] / ticks_per_s : 0.0;
    return t;
  }
  return std::nullopt;
}

Activity activity_between(const CpuTimes& start, const CpuTimes& end, double self_cpu_s, double wall_s, int cpus,
                          std::optional<double> load_average_start) {
  Activity a;
  a.wall_s = wall_s;
  a.cpus = std::max(1, cpus);
  a.load_average_start = load_average_start;
  if (wall_s > 0) {
    a.other_busy_cpus = std::max(0.0, (end.busy_s - start.busy_s - self_cpu_s) / wall_s);
    a.steal_cpus = std::max(0.0, (end.steal_s - start.steal_s) / wall_s);
  }
  return a;
}

double busy_threshold_cpus(int cpus) {
  return std::max(0.25, 0.02 * std::max(1, cpus));
}

bool is_busy(const Activity& a) {
  return a.other_busy_cpus >= busy_threshold_cpus(a.cpus);
}

std::string busy_note(const Activity& a) {
  std::string load;
  if (a.load_average_start) load = fmt::format(" (load average {:.2f} at the start)", *a.load_average_start);
  return fmt::format(
      "the machine was busy: other processes kept {:.2f} of {} CPUs busy on average during the run{}; CPU and "
      "memory figures understate this machine: rerun on an idle machine for an acceptance test or a baseline",
      a.other_busy_cpus, a.cpus, load);
}

namespace {

std::optional<CpuTimes> read_cpu_times() {
  std::ifstream f("/proc/stat");
  if (!f) return std::nullopt;
  std::ostringstream text;
  text << f.rdbuf();
  return parse_proc_stat(text.str(), static_cast<double>(::sysconf(_SC_CLK_TCK)));
}

/// CPU time of every thread of this process (user + system), seconds.
double self_cpu_s() {
  rusage u{};
  if (::getrusage(RUSAGE_SELF, &u) != 0) return 0.0;
  const auto sec = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

double wall_now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::optional<double> load_average_1min() {
  double load[1] = {};
  if (::getloadavg(load, 1) != 1) return std::nullopt;
  return load[0];
}

}  // namespace

ActivityProbe::ActivityProbe()
    : start_(read_cpu_times()), self_start_s_(self_cpu_s()), wall_start_s_(wall_now_s()), load_(load_average_1min()) {}

std::optional<Activity> ActivityProbe::finish() const {
  if (!start_) return std::nullopt;
  const auto end = read_cpu_times();
  if (!end) return std::nullopt;
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  return activity_between(*start_, *end, self_cpu_s() - self_start_s_, wall_now_s() - wall_start_s_,
                          cpus > 0 ? static_cast<int>(cpus) : 1, load_);
}

}  // namespace headroom::core
