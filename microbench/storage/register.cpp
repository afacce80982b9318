// The storage backend's explicit list of benchmarks, and the free-space check before a run.
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <system_error>

#include "headroom/core/errors.hpp"
#include "headroom/core/units.hpp"
#include "storage.hpp"

namespace headroom::bench {

void register_storage(Registry& registry, const BackendOptions& options) {
  auto ws = std::make_shared<storage::Workspace>(storage::parse_storage_config(options));
  registry.add(storage::make_seq_benchmark(ws, storage::IoKind::kRead));
  registry.add(storage::make_seq_benchmark(ws, storage::IoKind::kWrite));
  registry.add(storage::make_rand_read_benchmark(ws));
  registry.add(storage::make_checkpoint_benchmark(ws));
  registry.add(storage::make_small_files_benchmark(ws));
}

void check_storage_ready(const BackendOptions& options, const std::string& suite, const std::string& filter) {
  Registry registry;
  register_storage(registry, options);
  const auto config = storage::parse_storage_config(options);
  bool any = false;
  std::int64_t data_bytes = 0;
  std::int64_t private_bytes = 0;
  std::string largest;
  for (Benchmark* b : registry.matching(filter)) {
    const std::string name = b->info().name;
    for (const auto& p : b->instances(suite)) {
      const auto need = storage::space_need(name, p, config);
      // Reads of --storage-file write nothing: they need neither the directory nor free space.
      if (need.data_file_bytes == 0 && need.private_bytes == 0) {
        if (!config.read_file.empty() && ::access(config.read_file.c_str(), R_OK) != 0) {
          throw core::EnvironmentError(fmt::format("cannot read --storage-file '{}': {}", config.read_file.string(),
                                                   std::generic_category().message(errno)));
        }
        continue;
      }
      any = true;
      data_bytes = std::max(data_bytes, need.data_file_bytes);
      if (need.private_bytes > private_bytes) {
        private_bytes = need.private_bytes;
        largest = name;
      }
    }
  }
  if (!any) return;
  storage::check_storage_dir(config);
  // The data file stays for the whole run; a case's own files exist one case at a time. Keep a
  // margin of 2% + 64 MiB so the filesystem is never filled to the brim.
  const std::int64_t need = data_bytes + private_bytes;
  const std::int64_t margin = need / 50 + 64 * static_cast<std::int64_t>(core::kMiB);
  const std::int64_t avail = storage::free_bytes(config.base_dir);
  if (avail < need + margin) {
    throw core::EnvironmentError(fmt::format(
        "not enough free space in '{}': the selected storage cases write up to {} (data file {}, largest "
        "own files {}{}) plus a margin of {}, but only {} is free. Free space, choose another --storage-dir, "
        "lower --storage-size, or leave storage out with --filter",
        config.base_dir.string(), core::format_bytes_binary(static_cast<double>(need)),
        core::format_bytes_binary(static_cast<double>(data_bytes)),
        core::format_bytes_binary(static_cast<double>(private_bytes)), largest.empty() ? "" : " in " + largest,
        core::format_bytes_binary(static_cast<double>(margin)), core::format_bytes_binary(static_cast<double>(avail))));
  }
}

namespace storage {

SpaceNeed space_need(const std::string& case_name, const core::Params& params, const StorageConfig& config) {
  SpaceNeed need;
  const bool reads_user_file = !config.read_file.empty() && case_name != "storage.seq_write";
  if (case_name == "storage.seq_read" || case_name == "storage.seq_write" || case_name == "storage.rand_read") {
    if (!reads_user_file) need.data_file_bytes = param_int(params, "file_bytes");
  } else if (case_name == "storage.checkpoint") {
    need.private_bytes = param_int(params, "size_bytes");
  } else if (case_name == "storage.small_files") {
    // Each file also takes at least one filesystem block of metadata; count a page for it.
    need.private_bytes = param_int(params, "files") * (param_int(params, "file_bytes") + kPageBytes);
  }
  return need;
}

}  // namespace storage

}  // namespace headroom::bench
