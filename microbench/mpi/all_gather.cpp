// mpi.all_gather: MPI_Allgather (float32). size_bytes is the gathered buffer; busbw factor (n−1)/n.
#include "mpi_collectives.hpp"

namespace headroom::bench::mpi {
namespace {
class AllGather final : public CollectiveOp {
 public:
  core::Collective kind() const override { return core::Collective::kAllGather; }
  void run(float* send, float* recv, const Counts& counts, int ranks) const override {
    (void)ranks;
    MPI_Allgather(send, static_cast<int>(counts.send), MPI_FLOAT, recv, static_cast<int>(counts.send), MPI_FLOAT,
                  MPI_COMM_WORLD);
  }
};
}  // namespace
std::unique_ptr<CollectiveOp> make_all_gather() { return std::make_unique<AllGather>(); }
}  // namespace headroom::bench::mpi
