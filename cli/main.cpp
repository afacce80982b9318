#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <system_error>

#include "commands.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/inventory.hpp"

namespace headroom::cli {

// CLI11 reads an integer with a leading zero as octal (--shared-prefix 01000 would be 512): every
// integer option refuses such a value instead, naming it.
void refuse_leading_zeros(CLI::App& app) {
  const CLI::Validator decimal(
      [](std::string& v) -> std::string {
        const std::size_t start = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
        const bool digits = v.size() > start + 1 && v.find_first_not_of("0123456789", start) == std::string::npos;
        if (digits && v[start] == '0') return "a decimal integer without leading zeros (0" + v.substr(start + 1) +
                                               " would be read as octal), got '" + v + "'";
        return {};
      },
      "DECIMAL");
  for (CLI::Option* o : app.get_options()) {
    if (o->get_type_name() == "INT" || o->get_type_name() == "UINT") o->check(decimal);
  }
  for (CLI::App* sub : app.get_subcommands({})) refuse_leading_zeros(*sub);
}

// CLI11 takes an empty argument (`--zero ''`, `--qps=`) as no value at all and leaves the default in
// place: the command then ran as if the option had not been given. Every option that takes a value
// refuses an empty one instead.
void refuse_empty_values(CLI::App& app) {
  const CLI::Validator not_empty(
      [](std::string& v) -> std::string { return v.empty() ? "a value, got an empty argument" : std::string(); },
      "NOT EMPTY");
  for (CLI::Option* o : app.get_options()) {
    if (o->get_expected_min() > 0 && o->get_type_size() != 0) o->check(not_empty);
  }
  for (CLI::App* sub : app.get_subcommands({})) refuse_empty_values(*sub);
}

namespace {
std::string g_command_line;

/// "cannot write to stdout: REASON" for a failed write, flush or close of stdout (a full disk, /dev/full,
/// a closed pipe with SIGPIPE ignored): what the command printed is missing or cut short.
core::EnvironmentError stdout_error(int error_number) {
  const std::string reason = error_number != 0 ? std::strerror(error_number) : "write error";
  return core::EnvironmentError("cannot write to stdout: " + reason +
                                " (the output is missing or incomplete; where the command has --out, write to a "
                                "file instead)");
}

/// Flushes and closes stdout, so that an output that never reached its file or pipe is an error rather
/// than exit 0 (stdout is block-buffered when redirected: a small output is written only here).
/// `earlier_errno`: errno after the printing, the reason when an earlier write already failed.
void close_stdout(int earlier_errno) {
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  int error_number = errno;
  const bool failed_before = std::ferror(stdout) != 0;
  if (error_number == 0 && failed_before) error_number = earlier_errno;
  errno = 0;
  bool closed = std::fclose(stdout) == 0;
  // A stdout the caller closed (`>&-`) that was never written to loses nothing: only a flush or a
  // write that failed means missing output.
  if (!closed && errno == EBADF && flushed && !failed_before) closed = true;
  if (error_number == 0) error_number = errno;
  if (!flushed || failed_before || !closed) throw stdout_error(error_number);
}

/// `rc` unless stdout could not be written: then the message on stderr and exit 3. A command that
/// already failed with bad input, an environment problem or an internal error keeps its code.
int finish(int rc, int earlier_errno = 0) {
  try {
    close_stdout(earlier_errno);
  } catch (const core::EnvironmentError& e) {
    if (rc == static_cast<int>(core::ExitCode::kBadInput) || rc == static_cast<int>(core::ExitCode::kEnvironment) ||
        rc == 4) {
      return rc;
    }
    fmt::print(stderr, "headroom: environment problem: {}\n", e.what());
    return static_cast<int>(core::ExitCode::kEnvironment);
  }
  return rc;
}
}  // namespace

const std::string& command_line() { return g_command_line; }
}  // namespace headroom::cli

int main(int argc, char** argv) {
  using namespace headroom;
  for (int i = 0; i < argc; ++i) {
    if (i > 0) cli::g_command_line += ' ';
    cli::g_command_line += argv[i];
  }

  CLI::App app{"headroom: measure what AI hardware delivers, model what it can do, and present it."};
  app.set_version_flag("--version", "headroom " + core::headroom_version());
  app.require_subcommand(1);
  app.fallthrough(false);

  cli::Action action;
  // One line per subcommand, in the order `headroom --help` lists them.
  cli::add_run_command(app, action);
  cli::add_inventory_command(app, action);
  cli::add_list_command(app, action);
  cli::add_bench_command(app, action);
  cli::add_profile_command(app, action);
  cli::add_plan_command(app, action);
  cli::add_tco_command(app, action);
  cli::add_accept_command(app, action);
  cli::add_compare_command(app, action);
  cli::add_report_command(app, action);
  cli::refuse_leading_zeros(app);
  cli::refuse_empty_values(app);

  // CLI11 prints help and the version on std::cout; errno after that is why a write failed, if one did.
  const auto print_and_finish = [&app](const CLI::ParseError& e) {
    errno = 0;
    const int rc = app.exit(e);
    return cli::finish(rc, errno);
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return print_and_finish(e);
  } catch (const CLI::CallForAllHelp& e) {
    return print_and_finish(e);
  } catch (const CLI::CallForVersion& e) {
    return print_and_finish(e);
  } catch (const CLI::ParseError& e) {
    // Same form as every other input error (CLI11's own printer has no prefix).
    fmt::print(stderr, "headroom: error: {}\nRun `headroom <command> --help` for the options.\n",
               core::printable(e.what(), 4096));
    return static_cast<int>(core::ExitCode::kBadInput);
  }

  int rc = 0;
  try {
    rc = action ? action() : 0;
  } catch (const core::InputError& e) {
    fmt::print(stderr, "headroom: error: {}\n", e.what());
    rc = static_cast<int>(core::ExitCode::kBadInput);
  } catch (const core::EnvironmentError& e) {
    fmt::print(stderr, "headroom: environment problem: {}\n", e.what());
    rc = static_cast<int>(core::ExitCode::kEnvironment);
  } catch (const std::system_error& e) {
    // fmt::print throws std::system_error when a write fails; on stdout that is the environment
    // (a full disk, /dev/full), not a bug.
    if (std::ferror(stdout) != 0) {
      fmt::print(stderr, "headroom: environment problem: {}\n", cli::stdout_error(e.code().value()).what());
      rc = static_cast<int>(core::ExitCode::kEnvironment);
    } else {
      fmt::print(stderr, "headroom: internal error: {}\n", e.what());
      rc = 4;
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "headroom: internal error: {}\n", e.what());
    rc = 4;
  }
  return cli::finish(rc);
}
