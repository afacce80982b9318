#include <fmt/format.h>

#include "commands.hpp"
#include "headroom/bench/backends.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/core/results.hpp"

namespace headroom::cli {

void add_list_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("list", "List the benchmarks, their parameters, metrics and suite instances");
  auto suite = std::make_shared<std::string>("quick");
  auto filter = std::make_shared<std::string>("*");
  cmd->add_option("--suite", *suite, "Show the instances of this suite")->check(CLI::IsMember({"quick", "standard", "full"}));
  cmd->add_option("--filter", *filter, "Glob over case names");
  cmd->callback([&action, suite, filter] {
    action = [suite, filter] {
      bench::Registry registry;
      bench::register_all(registry, bench::BackendOptions{});
      const auto matching = registry.matching(*filter);
      if (matching.empty()) {
        // As `headroom bench` refuses it: a glob that selects nothing is a typo, not an empty list.
        throw core::InputError("", "--filter",
                               fmt::format("a glob matching at least one benchmark name, got '{}'", *filter));
      }
      for (const auto* b : matching) {
        const auto info = b->info();
        fmt::print("{}  [{}]{}\n  {}\n", info.name, info.backend, info.all_ranks ? " (all MPI ranks)" : "",
                   info.description);
        for (const auto& p : info.params) {
          fmt::print("    param  {:<18} {:<8} {}\n", p.name, p.unit.empty() ? "-" : p.unit, p.help);
        }
        for (const auto& m : info.metrics) {
          fmt::print("    metric {:<18} {:<8} {} is better; {}\n", m.name, m.unit, core::to_string(m.better), m.help);
        }
        const auto inst = b->instances(*suite);
        fmt::print("    {} instance(s) in suite '{}'", inst.size(), *suite);
        if (!inst.empty()) fmt::print(": {}{}", core::params_key(inst.front()), inst.size() > 1 ? " ..." : "");
        fmt::print("\n");
      }
      return 0;
    };
  });
}

}  // namespace headroom::cli
