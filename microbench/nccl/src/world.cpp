#include "world.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#ifdef HEADROOM_HAVE_MPI
#include <mpi.h>
#endif

#include "common.hpp"
#include "headroom/bench/backends.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/gpu/check.hpp"
#include "headroom/nccl/check.hpp"
#include "headroom/nccl/plan.hpp"

namespace headroom::bench {

std::string nccl_version() {
  int v = 0;
  if (ncclGetVersion(&v) != ncclSuccess) return "unknown";
  // NCCL >= 2.9 encodes major·10000 + minor·100 + patch.
  return fmt::format("{}.{}.{}", v / 10000, (v / 100) % 100, v % 100);
}

namespace nccl {

void throw_nccl_error(ncclResult_t status, const char* expr, const char* file, int line) {
  const std::string name = fmt::format("ncclResult {}", static_cast<int>(status));
  throw gpu::ApiError(name, gpu::api_error_message(expr, file, line, name, ncclGetErrorString(status)));
}

namespace {
#ifdef HEADROOM_HAVE_MPI
int mpi_world_size() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (!init || fin) return 1;
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}
#else
int mpi_world_size() {
  return 1;
}
#endif
}  // namespace

int planned_ranks() {
  const int world = mpi_world_size();
  if (gpu::device_count() == 0) return 0;
  return world > 1 ? world : gpu::device_count();
}

std::string planned_scope() {
  static const std::string scope = [] {
#ifdef HEADROOM_HAVE_MPI
    const int world = mpi_world_size();
    if (world > 1) {
      char host[256] = {};
      gethostname(host, sizeof host - 1);
      std::vector<char> all(static_cast<std::size_t>(world) * sizeof host);
      MPI_Allgather(host, sizeof host, MPI_CHAR, all.data(), sizeof host, MPI_CHAR, MPI_COMM_WORLD);
      std::vector<std::string> names;
      for (int r = 0; r < world; ++r) names.emplace_back(all.data() + static_cast<std::size_t>(r) * sizeof host);
      return scope_from_hosts(names);
    }
#endif
    return std::string("intra_node");
  }();
  return scope;
}

NcclWorld::NcclWorld() {
  try {
    init();
  } catch (...) {
    // The constructor did not finish, so ~NcclWorld will not run: release what exists now. A
    // communicator whose set-up failed half-way is in an unknown state: abort, not destroy.
    broken_ = "communicator set-up failed";
    release();
    throw;
  }
}

void NcclWorld::init() {
  const int devices = gpu::require_devices();
  const int world = mpi_world_size();
#ifdef HEADROOM_HAVE_MPI
  if (world > 1) {
    multi_process_ = true;
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
    int local_rank = 0, local_size = 1;
    MPI_Comm_rank(node, &local_rank);
    MPI_Comm_size(node, &local_size);
    LocalRank lr;
    // Each rank takes the GPU of its node-local rank among those it sees (with one visible GPU per
    // rank, as srun --gpus-per-task=1 gives, that is its own). More ranks than GPUs on a node would
    // put two ranks on one GPU: compare the PCI bus ids across the node and stop every rank of the
    // node with a clear message before NCCL fails with "invalid usage". Every rank of the node sees
    // the same gathered list, so they all stop, and none waits in ncclCommInitRank.
    lr.device = local_rank % devices;
    char bus[32] = {};
    HEADROOM_CUDA_CHECK(cudaDeviceGetPCIBusId(bus, sizeof bus, lr.device));
    std::vector<char> all(static_cast<std::size_t>(local_size) * sizeof bus);
    MPI_Allgather(bus, sizeof bus, MPI_CHAR, all.data(), sizeof bus, MPI_CHAR, node);
    MPI_Comm_free(&node);
    std::vector<std::string> bus_ids;
    for (int r = 0; r < local_size; ++r) bus_ids.emplace_back(all.data() + static_cast<std::size_t>(r) * sizeof bus);
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    // All ranks must agree before any of them throws (a node that is fine would otherwise enter
    // ncclCommInitRank and wait for the ranks that stopped), and all report the first bad rank's
    // message, since rank 0 writes the results.
    std::string why = shared_gpu_reason(bus_ids, host);
    const int mine = why.empty() ? world : rank;
    int first_bad = world;
    MPI_Allreduce(&mine, &first_bad, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first_bad < world) {
      std::array<char, 512> text{};
      why.copy(text.data(), text.size() - 1);
      MPI_Bcast(text.data(), static_cast<int>(text.size()), MPI_CHAR, first_bad, MPI_COMM_WORLD);
      throw core::EnvironmentError(text.data());
    }
    ncclUniqueId id{};
    if (rank == 0) HEADROOM_NCCL_CHECK(ncclGetUniqueId(&id));
    MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
    lr.rank = rank;
    gpu::DeviceGuard g(lr.device);
    HEADROOM_NCCL_CHECK(ncclCommInitRank(&lr.comm, world, id, rank));
    local_.push_back(std::move(lr));  // owned (released by release()) before the stream can throw
    local_.back().stream = std::make_unique<gpu::Stream>();
    ranks_ = world;
    return;
  }
#endif
  (void)world;
  if (devices < 2) {
    throw core::Waived(
        fmt::format("collectives need at least 2 GPUs (or MPI ranks); this process sees {} GPU and "
                    "runs without MPI",
                    devices));
  }
  std::vector<ncclComm_t> comms(static_cast<std::size_t>(devices));
  std::vector<int> list(static_cast<std::size_t>(devices));
  for (int d = 0; d < devices; ++d) list[static_cast<std::size_t>(d)] = d;
  HEADROOM_NCCL_CHECK(ncclCommInitAll(comms.data(), devices, list.data()));
  // Every communicator is owned by local_ before anything else can throw (release() frees them).
  for (int d = 0; d < devices; ++d) {
    LocalRank lr;
    lr.device = d;
    lr.rank = d;
    lr.comm = comms[static_cast<std::size_t>(d)];
    local_.push_back(std::move(lr));
  }
  for (auto& lr : local_) {
    gpu::DeviceGuard g(lr.device);
    lr.stream = std::make_unique<gpu::Stream>();
  }
  ranks_ = devices;
}

NcclWorld::~NcclWorld() {
  release();
}

void NcclWorld::release() noexcept {
  for (auto& lr : local_) {
    if (lr.comm == nullptr) continue;
    (void)(broken_.empty() ? ncclCommDestroy(lr.comm) : ncclCommAbort(lr.comm));
    lr.comm = nullptr;
  }
}

bool NcclWorld::all(bool value) const {
#ifdef HEADROOM_HAVE_MPI
  if (multi_process_) {
    int in = value ? 1 : 0, out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return out == 1;
  }
#endif
  return value;
}

double NcclWorld::max(double value) const {
#ifdef HEADROOM_HAVE_MPI
  if (multi_process_) {
    double out = 0;
    MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return out;
  }
#endif
  return value;
}

void NcclWorld::max_in_place(std::vector<double>& values) const {
#ifdef HEADROOM_HAVE_MPI
  if (multi_process_ && !values.empty()) {
    MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  }
#else
  (void)values;
#endif
}

NcclWorld& WorldHolder::get() {
  if (!world_) world_ = std::make_unique<NcclWorld>();
  return *world_;
}

}  // namespace nccl
}  // namespace headroom::bench
