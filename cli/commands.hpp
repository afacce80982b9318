#pragma once
/// The `headroom` executable: one binary, one file per subcommand. Each add_*_command() creates
/// its CLI11 subcommand and, when parsed, stores the work to do in `action`; main() runs it and
/// maps typed errors to exit codes (2 bad input, 3 environment). Commands print results to stdout
/// and progress to stderr; `--json` output goes to stdout alone.
#include <CLI/CLI.hpp>

#include "headroom/core/errors.hpp"

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace headroom::cli {

/// What a parsed subcommand will do; returns the process exit code.
using Action = std::function<int()>;

/// The command line as typed, for results files.
const std::string& command_line();

void add_inventory_command(CLI::App& app, Action& action);
void add_list_command(CLI::App& app, Action& action);
void add_bench_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);
void add_profile_command(CLI::App& app, Action& action);
void add_plan_command(CLI::App& app, Action& action);
void add_tco_command(CLI::App& app, Action& action);
void add_accept_command(CLI::App& app, Action& action);
void add_compare_command(CLI::App& app, Action& action);
void add_report_command(CLI::App& app, Action& action);
/// Whether `flag` was given on `c`'s command line (false for a flag `c` does not have).
inline bool flag_given(const CLI::App* c, const char* flag) {
  const CLI::Option* o = c->get_option_no_throw(flag);
  return o != nullptr && o->count() > 0;
}
/// The text given for `flag` (its first value), for messages that echo what was typed: a value read
/// into an integer is clamped (99999999999999999999 reads as INT64_MAX). "" when none.
inline std::string flag_text(const CLI::App* c, const char* flag) {
  const CLI::Option* o = c->get_option_no_throw(flag);
  return o != nullptr && !o->results().empty() ? o->results().front() : std::string();
}

/// Integer options refuse a value with a leading zero (CLI11 would read it as octal).
void refuse_leading_zeros(CLI::App& app);
/// Every option that takes a value refuses an empty one (CLI11 would keep the default silently).
void refuse_empty_values(CLI::App& app);

/// The `plan` / `report procurement` flag that sets a workload field ("$.parallelism.tp" → "--tp"),
/// so that an error in a value given by flag names the flag; "" when no flag sets it.
std::string_view flag_for_field(std::string_view json_path);

/// The value of `flag` parsed by `parse` (a planner *_from_string); what it refuses (core::InputError
/// or std::invalid_argument) becomes an InputError naming the flag, under `file` ("" or
/// "command line", as the command reports its other flags).
template <class Parse>
auto parse_flag(const std::string& file, const std::string& flag, const std::string& value, Parse&& parse) {
  try {
    return parse(value);
  } catch (const core::InputError& e) {
    throw core::InputError(file, flag, e.what());
  } catch (const std::invalid_argument& e) {
    throw core::InputError(file, flag, e.what());
  }
}

/// Refuses `out` (an output option `option` names) when it would replace or add to the planner's
/// catalog under `data_dir` (hardware/ and models/: a file there is read by every later plan) or is
/// one of `inputs`; then checks it can be written. `data_dir` empty: the default catalog.
void check_output_outside_catalog(const std::string& option, const std::string& out, const std::string& data_dir,
                                  const std::vector<std::pair<std::string, std::string>>& inputs, bool force);

}  // namespace headroom::cli
