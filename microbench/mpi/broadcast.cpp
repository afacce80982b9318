// mpi.broadcast: MPI_Bcast from rank 0 (float32, in place). busbw factor 1.
#include "mpi_collectives.hpp"

namespace headroom::bench::mpi {
namespace {
class Broadcast final : public CollectiveOp {
 public:
  core::Collective kind() const override { return core::Collective::kBroadcast; }
  void run(float* send, float* recv, const Counts& counts, int ranks) const override {
    (void)recv, (void)ranks;
    MPI_Bcast(send, static_cast<int>(counts.send), MPI_FLOAT, 0, MPI_COMM_WORLD);
  }
};
}  // namespace
std::unique_ptr<CollectiveOp> make_broadcast() { return std::make_unique<Broadcast>(); }
}  // namespace headroom::bench::mpi
