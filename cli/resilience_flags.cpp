#include "resilience_flags.hpp"

#include <fmt/format.h>

#include <cmath>

#include "commands.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/plan/workload.hpp"

namespace headroom::cli {

void add_resilience_flags(CLI::App* c, ResilienceFlags& f) {
  c->add_option("--checkpoint-every", f.checkpoint_every_min,
                "minutes of training between checkpoints (default: none; with --mtbf, Young's optimal interval)");
  c->add_option("--checkpoint-mode", f.checkpoint_mode,
                "sync (training waits for the write, default) or async (it waits only for the copy to host memory)");
  c->add_option("--checkpoint-write", f.checkpoint_write_gb_per_s,
                "storage write bandwidth per node, GB/s (default: the profile's storage.checkpoint_write_bytes_per_s, "
                "else storage.write_bytes_per_s)");
  c->add_option("--checkpoint-read", f.checkpoint_read_gb_per_s,
                "storage read bandwidth per node to load a checkpoint after a failure, GB/s (default: the profile's "
                "storage.read_bytes_per_s)");
  c->add_option("--mtbf", f.mtbf_h,
                "mean hours between interruptions of this job at its size (Llama 3: 419 in 54 days on 16K H100, "
                "3.1 h); adds the expected failure cost");
  c->add_option("--restart-min", f.restart_min,
                "minutes to detect a failure, reschedule and reinitialise, before reading the checkpoint (default 10, "
                "assumed)");
}

void apply_resilience_flags(const CLI::App* c, const ResilienceFlags& f, bool fresh, const std::string& file_label,
                            plan::ResilienceSettings& s) {
  const auto given = [&](const char* flag) { return flag_given(c, flag); };
  // Upper bounds as the workload file's (workload.cpp), in the flag's unit.
  const auto check = [&](const char* flag, double v, double lo, bool lo_inclusive, double hi, const char* what) {
    const bool above = lo_inclusive ? v >= lo : v > lo;
    if (given(flag) && !(std::isfinite(v) && above && v <= hi)) {
      throw core::InputError(file_label, flag,
                             fmt::format("{} in {}{:g}, {:g}], got {}", what, lo_inclusive ? "[" : "(", lo, hi, v));
    }
  };
  check("--checkpoint-every", f.checkpoint_every_min, 0, false, 1e8 / 60.0, "minutes between checkpoints");
  // The workload file's storage bounds, in GB/s: 0.001 (1 MB/s) to 1e5.
  constexpr double kMinGbps = plan::kWorkloadMinStorageBytesPerS / 1e9,
                   kMaxGbps = plan::kWorkloadMaxStorageBytesPerS / 1e9;
  check("--checkpoint-write", f.checkpoint_write_gb_per_s, kMinGbps, true, kMaxGbps, "GB/s per node");
  check("--checkpoint-read", f.checkpoint_read_gb_per_s, kMinGbps, true, kMaxGbps, "GB/s per node");
  check("--mtbf", f.mtbf_h, 0, false, 1e9 / 3600.0, "hours between interruptions");
  check("--restart-min", f.restart_min, 0, true, 1e7 / 60.0, "minutes to restart");
  if (fresh || given("--checkpoint-every"))
    s.checkpoint_every_s = given("--checkpoint-every") ? f.checkpoint_every_min * 60.0 : 0.0;
  if (fresh || given("--checkpoint-mode"))
    s.checkpoint_mode =
        parse_flag(file_label, "--checkpoint-mode", f.checkpoint_mode, plan::checkpoint_mode_from_string);
  if (fresh || given("--checkpoint-write"))
    s.checkpoint_write_bytes_per_s = given("--checkpoint-write") ? f.checkpoint_write_gb_per_s * 1e9 : 0.0;
  if (fresh || given("--checkpoint-read"))
    s.checkpoint_read_bytes_per_s = given("--checkpoint-read") ? f.checkpoint_read_gb_per_s * 1e9 : 0.0;
  if (fresh || given("--mtbf")) s.mtbf_s = given("--mtbf") ? f.mtbf_h * 3600.0 : 0.0;
  if (fresh || given("--restart-min")) s.restart_s = f.restart_min * 60.0;
  // A flag with nothing to act on would be ignored without a word: refuse it.
  for (const char* flag : {"--checkpoint-mode", "--checkpoint-write"}) {
    if (given(flag) && !s.checkpoints())
      throw core::InputError(file_label, flag,
                             "--checkpoint-every MIN or --mtbf HOURS as well (no checkpoints are modelled)");
  }
  for (const char* flag : {"--checkpoint-read", "--restart-min"}) {
    if (given(flag) && !s.failures())
      throw core::InputError(file_label, flag, "--mtbf HOURS as well (a checkpoint is read back only after a failure)");
  }
}

}  // namespace headroom::cli
