#pragma once
/// Internal interface of the MPI backend: one CollectiveOp per collective (one file each, like
/// nccl-tests) over a shared timing harness (collective.cpp), the α-β fit case, and the pure pieces
/// the unit tests check (sizes, element counts, expected values). Data are float32 sums, as the
/// nccl-tests default.
#include <mpi.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "headroom/bench/benchmark.hpp"
#include "headroom/core/units.hpp"

namespace headroom::bench::mpi {

/// MPI_Init_thread (funneled) unless MPI is up already. Throws core::EnvironmentError when MPI was
/// finalised in this process already (it cannot be restarted).
void ensure_initialized();
/// Size of MPI_COMM_WORLD, 1 when MPI is not initialised (a later singleton init gives 1 too).
int world_size();

/// Float elements in each rank's send and receive buffer.
struct Counts {
  std::int64_t send = 0;
  std::int64_t recv = 0;
};

/// Message sizes as nccl-tests counts them: all-reduce and broadcast the buffer; all-gather the
/// gathered (receive) buffer; reduce-scatter the full (send) buffer. Rounded down to whole float
/// elements per rank; 0 when the size gives a rank no element.
std::int64_t round_size_bytes(core::Collective c, std::int64_t size_bytes, int ranks);
Counts element_counts(core::Collective c, std::int64_t size_bytes, int ranks);

/// The value rank `rank` contributes at element `i`: a small positive integer (1..61), so float sums
/// over thousands of ranks are exact and never zero.
float input_value(int rank, std::int64_t i);
/// The value element `i` of rank `rank`'s receive buffer must hold after the collective.
float expected_value(core::Collective c, int rank, int ranks, std::int64_t i, const Counts& counts);

/// Message sizes of a suite: quick 8 B, 64 KiB, 4 MiB; standard 8 B … 256 MiB; full 8 B … 1 GiB
/// (×2 steps). With min/max set, min, 2·min, … up to max.
std::vector<std::int64_t> message_sizes(const std::string& suite, std::optional<std::int64_t> min_bytes,
                                        std::optional<std::int64_t> max_bytes);

/// One collective: how big its buffers are and how to call it.
class CollectiveOp {
 public:
  virtual ~CollectiveOp() = default;
  virtual core::Collective kind() const = 0;
  /// Runs the collective once on MPI_COMM_WORLD. For broadcast `send` is the in-place buffer.
  virtual void run(float* send, float* recv, const Counts& counts, int ranks) const = 0;
};
std::unique_ptr<CollectiveOp> make_all_reduce();
std::unique_ptr<CollectiveOp> make_all_gather();
std::unique_ptr<CollectiveOp> make_reduce_scatter();
std::unique_ptr<CollectiveOp> make_broadcast();

/// Median time per message size of each collective measured in this run, for the α-β cases.
struct SweepLog {
  std::map<core::Collective, std::vector<std::pair<double, double>>> points;  ///< (bytes, seconds)
};

/// The message range of --min-bytes / --max-bytes (unset: the suite's).
struct SizeRange {
  std::optional<std::int64_t> min_bytes;
  std::optional<std::int64_t> max_bytes;
};

/// mpi.<collective>: all ranks take part; sizes from message_sizes(suite, range).
std::unique_ptr<Benchmark> make_collective_benchmark(std::unique_ptr<CollectiveOp> op, std::shared_ptr<SweepLog> log,
                                                     SizeRange range);
/// mpi.<collective>.alpha_beta: the fit over what mpi.<collective> measured earlier in the run
/// (rank 0 only; no instance when the range has fewer than two sizes).
std::unique_ptr<Benchmark> make_alpha_beta_benchmark(core::Collective c, std::shared_ptr<SweepLog> log,
                                                     SizeRange range);

}  // namespace headroom::bench::mpi
