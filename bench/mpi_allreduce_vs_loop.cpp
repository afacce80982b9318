// Reference for bench/mpi_allreduce_vs_loop.sh: a plain loop of MPI_Allreduce (float32 sum, out of
// place) timed the way mpi.all_reduce times it: iterations per sample calibrated from the fastest
// of three single iterations (max over ranks) to last at least MIN_TIME_S, a barrier before each
// sample, per-sample time = max over ranks of the per-iteration average, median of REPS samples.
// Prints busbw in B/s (algbw x 2(n-1)/n, nccl-tests).
//   mpirun -np N ./mpi_allreduce_vs_loop SIZE_BYTES REPS WARMUP MIN_TIME_S
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s SIZE_BYTES REPS WARMUP MIN_TIME_S\n", argv[0]);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  const long long size = std::atoll(argv[1]);
  const int reps = std::atoi(argv[2]);
  const int warmup = std::atoi(argv[3]);
  const double min_time = std::atof(argv[4]);
  int rank = 0;
  int n = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  const int count = static_cast<int>(size / 4);
  std::vector<float> send(count), recv(count);
  for (int i = 0; i < count; ++i) send[i] = static_cast<float>((i * 7 + rank * 13) % 61 + 1);
  auto timed = [&](long long iters) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    for (long long k = 0; k < iters; ++k) {
      MPI_Allreduce(send.data(), recv.data(), count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    }
    double t = (MPI_Wtime() - t0) / static_cast<double>(iters);
    MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return t;
  };
  double one = std::numeric_limits<double>::infinity();
  for (int k = 0; k < 3; ++k) one = std::min(one, timed(1));
  const long long inner = static_cast<long long>(std::clamp(std::ceil(min_time / std::max(one, 1e-9)), 1.0, 1048576.0));
  for (int w = 0; w < warmup; ++w) timed(inner);
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) t.push_back(timed(inner));
  std::sort(t.begin(), t.end());
  const double median = t.size() % 2 ? t[t.size() / 2] : 0.5 * (t[t.size() / 2 - 1] + t[t.size() / 2]);
  if (rank == 0) std::printf("%.6e\n", static_cast<double>(size) / median * 2.0 * (n - 1) / n);
  MPI_Finalize();
  return 0;
}
