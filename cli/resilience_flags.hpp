#pragma once
// Checkpoint and failure flags shared by `headroom plan train|search` and `headroom report
// procurement`: given in human units (minutes, hours, GB/s), stored in the workload in SI units.
#include <CLI/CLI.hpp>

#include <string>

#include "headroom/plan/workload.hpp"

namespace headroom::cli {

struct ResilienceFlags {
  double checkpoint_every_min = 0;
  double checkpoint_write_gb_per_s = 0;  ///< GB = 1e9 bytes, per node
  double checkpoint_read_gb_per_s = 0;
  std::string checkpoint_mode = "sync";
  double mtbf_h = 0;
  double restart_min = 10;
};

/// --checkpoint-every, --checkpoint-mode, --checkpoint-write, --checkpoint-read, --mtbf, --restart-min.
void add_resilience_flags(CLI::App* c, ResilienceFlags& f);

/// The flag names, for commands that refuse them (a serving plan).
inline constexpr const char* kResilienceFlagNames[] = {
    "--checkpoint-every", "--checkpoint-mode", "--checkpoint-write", "--checkpoint-read", "--mtbf", "--restart-min"};

/// Sets `s` from the flags given on `c` (every field when `fresh`: no workload file, so the defaults
/// apply). Refuses (core::InputError under `file_label`, naming the flag; exit 2) a value that is not
/// finite or out of range, an unknown mode, and a flag with nothing to act on (--checkpoint-mode or
/// --checkpoint-write without checkpoints, --checkpoint-read or --restart-min without --mtbf).
void apply_resilience_flags(const CLI::App* c, const ResilienceFlags& f, bool fresh, const std::string& file_label,
                            plan::ResilienceSettings& s);

}  // namespace headroom::cli
