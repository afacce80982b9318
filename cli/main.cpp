#include <fmt/format.h>

#include <cstdio>
#include <exception>

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

namespace {
std::string g_command_line;
}
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Same form as every other input error (CLI11's own printer has no prefix).
    fmt::print(stderr, "headroom: error: {}\nRun `headroom <command> --help` for the options.\n", e.what());
    return static_cast<int>(core::ExitCode::kBadInput);
  }

  try {
    return action ? action() : 0;
  } catch (const core::InputError& e) {
    fmt::print(stderr, "headroom: error: {}\n", e.what());
    return static_cast<int>(core::ExitCode::kBadInput);
  } catch (const core::EnvironmentError& e) {
    fmt::print(stderr, "headroom: environment problem: {}\n", e.what());
    return static_cast<int>(core::ExitCode::kEnvironment);
  } catch (const std::exception& e) {
    fmt::print(stderr, "headroom: internal error: {}\n", e.what());
    return 4;
  }
}
