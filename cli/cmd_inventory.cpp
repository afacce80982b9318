#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "headroom/bench/backends.hpp"
#include "headroom/core/inventory.hpp"
#include "headroom/core/units.hpp"

namespace headroom::cli {

void add_inventory_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("inventory", "What this machine is: CPU, caches, memory, OS, GPUs, build features");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print the inventory as JSON (the 'host' and 'devices' of results.json)");
  cmd->callback([&action, json] {
    action = [json] {
      core::Results r;
      r.host = core::collect_host_inventory();
      r.devices = bench::collect_devices();
      if (*json) {
        const auto doc = nlohmann::json::parse(core::results_to_json(r));
        nlohmann::json out{{"host", doc["host"]}, {"devices", doc["devices"]}};
        fmt::print("{}\n", out.dump(2));
        return 0;
      }
      const auto& h = r.host;
      const auto opt_int = [](const auto& v) { return v ? std::to_string(*v) : std::string("unknown"); };
      fmt::print("host        {}\n", h.hostname);
      fmt::print("cpu         {} ({} sockets, {} cores, {} threads{})\n", h.cpu_model, opt_int(h.sockets),
                 opt_int(h.cores), opt_int(h.threads), h.virtualized ? ", virtualized" : "");
      fmt::print("caches      L1d {}  L2 {}  L3 {}\n",
                 h.l1d_bytes ? core::format_bytes_binary(static_cast<double>(*h.l1d_bytes)) : "?",
                 h.l2_bytes ? core::format_bytes_binary(static_cast<double>(*h.l2_bytes)) : "?",
                 h.l3_bytes ? core::format_bytes_binary(static_cast<double>(*h.l3_bytes)) : "?");
      fmt::print("memory      {} in {} NUMA node(s)\n",
                 h.memory_bytes ? core::format_bytes_binary(static_cast<double>(*h.memory_bytes)) : "?",
                 opt_int(h.numa_nodes));
      std::string flags;
      for (const auto& f : h.cpu_flags) flags += f + " ";
      fmt::print("simd        {}\n", flags);
      fmt::print("os          {} / {}\n", h.os, h.kernel);
      fmt::print("built with  {}, headroom {}\n", h.compiler, h.headroom_version);
      if (r.devices.empty()) fmt::print("gpus        none found ({})\n", bench::gpu_absence_reason());
      for (const auto& d : r.devices) {
        fmt::print("gpu {}       {} {}\n", d.index, d.name,
                   d.memory_bytes ? core::format_bytes_binary(static_cast<double>(*d.memory_bytes)) : "");
      }
      for (const auto& f : bench::build_features()) {
        fmt::print("feature     {:<9} {}  {}\n", f.name, f.enabled ? "on " : "off", f.detail);
      }
      return 0;
    };
  });
}

}  // namespace headroom::cli
