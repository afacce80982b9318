// The MPI backend's explicit list: each collective, followed by its α-β fit.
#include <fmt/format.h>

#include "headroom/bench/backends.hpp"
#include "headroom/core/errors.hpp"
#include "mpi_collectives.hpp"

namespace headroom::bench {

namespace {
std::optional<std::int64_t> parse_message_size(const std::string& text, const std::string& flag) {
  if (text.empty()) return std::nullopt;
  const std::int64_t v = core::parse_size(text, flag);
  // One float element at least; at most 4 GiB so element counts fit MPI's int count.
  if (v < 4 || v > (std::int64_t{4} << 30)) {
    throw core::InputError("", flag, fmt::format("a message size from 4 B to 4GiB, got '{}'", text));
  }
  return v;
}
}  // namespace

void register_mpi(Registry& registry, const BackendOptions& options) {
  const auto min_bytes = parse_message_size(options.min_bytes, "--min-bytes");
  const auto max_bytes = parse_message_size(options.max_bytes, "--max-bytes");
  if (min_bytes && max_bytes && *min_bytes > *max_bytes) {
    throw core::InputError("", "--min-bytes",
                           fmt::format("a size no larger than --max-bytes ({}), got '{}' (range inverted)",
                                       options.max_bytes, options.min_bytes));
  }
  const mpi::SizeRange range{min_bytes, max_bytes};
  auto log = std::make_shared<mpi::SweepLog>();
  auto add = [&](std::unique_ptr<mpi::CollectiveOp> op) {
    const core::Collective c = op->kind();
    registry.add(mpi::make_collective_benchmark(std::move(op), log, range));
    registry.add(mpi::make_alpha_beta_benchmark(c, log, range));
  };
  add(mpi::make_all_reduce());
  add(mpi::make_all_gather());
  add(mpi::make_reduce_scatter());
  add(mpi::make_broadcast());
}

}  // namespace headroom::bench
