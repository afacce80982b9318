// mpi.reduce_scatter: MPI_Reduce_scatter_block (sum, float32). size_bytes is the full input buffer;
// busbw factor (n−1)/n.
#include "mpi_collectives.hpp"

namespace headroom::bench::mpi {
namespace {
class ReduceScatter final : public CollectiveOp {
 public:
  core::Collective kind() const override { return core::Collective::kReduceScatter; }
  void run(float* send, float* recv, const Counts& counts, int ranks) const override {
    (void)ranks;
    MPI_Reduce_scatter_block(send, recv, static_cast<int>(counts.recv), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  }
};
}  // namespace
std::unique_ptr<CollectiveOp> make_reduce_scatter() { return std::make_unique<ReduceScatter>(); }
}  // namespace headroom::bench::mpi
