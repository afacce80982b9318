#pragma once
/// The MPI side of a run. MpiSession initialises MPI when the process was started by a launcher
/// (mpirun, srun), gives the runner its rank, size and collective stop decision, gathers every rank's host inventory
/// at rank 0 and finalises MPI when destroyed. Started without a launcher (or in a build without
/// MPI) it is a single rank, MPI is not initialised, and the mpi.* cases are waived (one rank
/// communicates nothing).
/// MPI headers stay out of this header.
#include <vector>

#include "headroom/bench/runner.hpp"
#include "headroom/core/results.hpp"

namespace headroom::bench {

class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  /// Rank, size and the collective stop decision for RunOptions::world.
  World world() const;
  /// Rank 0 (or not under MPI): the process that writes results.
  bool is_root() const { return rank_ == 0; }
  /// True when started by mpirun/srun (environment variables of the launcher are set).
  static bool launched();
  /// Collective over all ranks: each rank's inventory (`mine`) at rank 0, one entry per host with
  /// the ranks that ran there in HostInventory::ranks. Empty on other ranks and in single-rank runs.
  std::vector<core::HostInventory> gather_hosts(const core::HostInventory& mine) const;

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace headroom::bench
