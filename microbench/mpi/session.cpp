// MpiSession: MPI initialisation, the runner's World and the inventory gather. Compiled with and
// without MPI (HEADROOM_HAVE_MPI); without, every run is a single rank.
#include "headroom/bench/mpi_session.hpp"

#include <cstdlib>
#include <map>
#include <string>

#ifdef HEADROOM_HAVE_MPI
#include <mpi.h>

#include "headroom/core/errors.hpp"
#include "mpi_collectives.hpp"
#endif

namespace headroom::bench {

bool MpiSession::launched() {
  // Open MPI (mpirun), PMIx/PMI (srun, MPICH, Intel MPI).
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"}) {
    if (std::getenv(var) != nullptr) return true;
  }
  return false;
}

#ifdef HEADROOM_HAVE_MPI

MpiSession::MpiSession() {
  if (launched()) mpi::ensure_initialized();
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized != 0) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
}

MpiSession::~MpiSession() {
  // Also finalises a singleton MPI that an mpi.* case started lazily.
  int initialized = 0;
  int finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized != 0 && finalized == 0) MPI_Finalize();
}

World MpiSession::world() const {
  World w;
  w.rank = rank_;
  w.size = size_;
  if (size_ > 1) {
    w.any = [](bool mine) {
      int v = mine ? 1 : 0;
      MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
      return v != 0;
    };
  }
  return w;
}

std::vector<core::HostInventory> MpiSession::gather_hosts(const core::HostInventory& mine) const {
  if (size_ <= 1) return {};
  // Inventories travel as results.json text (the schema's own serialisation), strictly re-read.
  core::Results carrier;
  carrier.host = mine;
  const std::string text = core::results_to_json(carrier, -1);
  int length = static_cast<int>(text.size());
  std::vector<int> lengths(static_cast<std::size_t>(size_));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> displs(static_cast<std::size_t>(size_), 0);
  std::string all;
  if (rank_ == 0) {
    int total = 0;
    for (int r = 0; r < size_; ++r) {
      displs[static_cast<std::size_t>(r)] = total;
      total += lengths[static_cast<std::size_t>(r)];
    }
    all.resize(static_cast<std::size_t>(total));
  }
  MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), displs.data(), MPI_CHAR, 0,
              MPI_COMM_WORLD);
  if (rank_ != 0) return {};
  std::vector<core::HostInventory> hosts;
  std::map<std::string, std::size_t> by_name;
  for (int r = 0; r < size_; ++r) {
    const std::string one = all.substr(static_cast<std::size_t>(displs[static_cast<std::size_t>(r)]),
                                       static_cast<std::size_t>(lengths[static_cast<std::size_t>(r)]));
    core::HostInventory h = core::results_from_json(one, "inventory of rank " + std::to_string(r)).host;
    auto it = by_name.find(h.hostname);
    if (it == by_name.end()) {
      h.ranks = {r};
      by_name.emplace(h.hostname, hosts.size());
      hosts.push_back(std::move(h));
    } else {
      hosts[it->second].ranks.push_back(r);
    }
  }
  return hosts;
}

#else

MpiSession::MpiSession() = default;
MpiSession::~MpiSession() = default;
World MpiSession::world() const { return World{}; }
std::vector<core::HostInventory> MpiSession::gather_hosts(const core::HostInventory& mine) const {
  (void)mine;
  return {};
}

#endif

}  // namespace headroom::bench
