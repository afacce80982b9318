#pragma once
/// The NCCL communicator(s) of this process, created once and shared by every nccl.* case:
/// - under MPI with more than one rank (HEADROOM_HAVE_MPI): one GPU per rank (local rank modulo the
///   GPUs of the node), the ncclUniqueId broadcast from rank 0 over MPI, like nccl-tests;
/// - otherwise: one process driving every GPU it sees (ncclCommInitAll).
#include <nccl.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "headroom/gpu/resources.hpp"

namespace headroom::bench::nccl {

struct LocalRank {
  int device = 0;
  int rank = 0;  ///< global rank in the communicator
  ncclComm_t comm = nullptr;
  std::unique_ptr<gpu::Stream> stream;
};

class NcclWorld {
 public:
  /// Creates the communicators; throws core::Waived when there is no GPU or fewer than 2 ranks.
  NcclWorld();
  ~NcclWorld();
  NcclWorld(const NcclWorld&) = delete;
  NcclWorld& operator=(const NcclWorld&) = delete;

  int ranks() const { return ranks_; }
  std::vector<LocalRank>& local() { return local_; }
  bool multi_process() const { return multi_process_; }

  /// Logical AND / maximum over every process (identity in a single process).
  bool all(bool value) const;
  double max(double value) const;
  void max_in_place(std::vector<double>& values) const;

  /// Marks the communicators unusable after a failed NCCL / CUDA call during a collective: every
  /// later case fails at once with `why` instead of issuing collectives on them (which could hang),
  /// and the destructor aborts them (ncclCommAbort) instead of ncclCommDestroy, which waits for
  /// the outstanding operations of a communicator in an error state.
  void mark_broken(const std::string& why) { broken_ = why; }
  /// Empty while the communicators are usable; otherwise why not.
  const std::string& broken() const { return broken_; }

  /// Median times of finished out-of-place cases, for the α-β fit: [collective][bytes] = seconds.
  std::map<std::pair<int, std::int64_t>, double> medians;

 private:
  int ranks_ = 0;
  bool multi_process_ = false;
  std::vector<LocalRank> local_;
  std::string broken_;
  /// Destroys (or, when broken, aborts) every communicator created so far; also runs when the
  /// constructor throws after creating some, since a destructor would not.
  void release() noexcept;
  void init();
};

/// Ranks a run will have, without creating communicators: the MPI world size when under MPI with
/// more than one process, else the number of GPUs (0 without a GPU).
int planned_ranks();

/// "intra_node" or "inter_node": compares the host names of all MPI ranks (an MPI collective:
/// every rank must call it, as every rank plans the same cases); intra_node without MPI. Cached.
std::string planned_scope();

/// The shared world, created at first use (communicator set-up takes seconds).
class WorldHolder {
 public:
  NcclWorld& get();

 private:
  std::unique_ptr<NcclWorld> world_;
};

}  // namespace headroom::bench::nccl
