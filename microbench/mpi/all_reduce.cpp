// mpi.all_reduce: MPI_Allreduce (sum, float32, out of place). busbw factor 2(n−1)/n.
#include "mpi_collectives.hpp"

namespace headroom::bench::mpi {
namespace {
class AllReduce final : public CollectiveOp {
 public:
  core::Collective kind() const override { return core::Collective::kAllReduce; }
  void run(float* send, float* recv, const Counts& counts, int ranks) const override {
    (void)ranks;
    MPI_Allreduce(send, recv, static_cast<int>(counts.send), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  }
};
}  // namespace
std::unique_ptr<CollectiveOp> make_all_reduce() { return std::make_unique<AllReduce>(); }
}  // namespace headroom::bench::mpi
