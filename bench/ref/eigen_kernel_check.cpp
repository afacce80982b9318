// Where Eigen's GEMM loses to OpenBLAS: one thread against one thread (the kernel alone), then two
// threads through Eigen's own OpenMP split, and two threads each running Eigen single-threaded on
// half of B's and C's columns (a split of our own). If the single-thread ratio already sits below
// 0.85, no threading scheme can lift Eigen to the 0.85 target. Built and run by
// bench/eigen_kernel_check.sh (figures in docs/validation.md, CPU section).
#include <Eigen/Core>
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

void blas(int n, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
}
void blas(int n, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
}

/// Median seconds of `reps` calls after one untimed call.
template <class F>
double median_s(F f, int reps) {
  f();
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <class T>
void compare(int n, int reps) {
  const Matrix<T> a = Matrix<T>::Random(n, n), b = Matrix<T>::Random(n, n);
  Matrix<T> c(n, n);
  const double flop = 2.0 * n * n * n;
  const char* name = sizeof(T) == 8 ? "fp64" : "fp32";
  for (int threads : {1, 2}) {
    openblas_set_num_threads(threads);
    Eigen::setNbThreads(threads);
    const double t_blas = median_s([&] { blas(n, a.data(), b.data(), c.data()); }, reps);
    const double t_eigen = median_s([&] { c.noalias() = a * b; }, reps);
    std::printf("%s n=%d threads=%d  OpenBLAS %.1f GFLOP/s  Eigen %.1f (%.3f)", name, n, threads, flop / t_blas / 1e9,
                flop / t_eigen / 1e9, t_blas / t_eigen);
    if (threads == 2) {
      Eigen::setNbThreads(1);
      const int half = n / 2;
      const double t_split = median_s(
          [&] {
#pragma omp parallel num_threads(2)
            {
              const int first = omp_get_thread_num() == 0 ? 0 : half;
              const int cols = omp_get_thread_num() == 0 ? half : n - half;
              c.middleCols(first, cols).noalias() = a * b.middleCols(first, cols);
            }
          },
          reps);
      std::printf("  Eigen 1-thread x 2 column halves %.1f (%.3f)", flop / t_split / 1e9, t_blas / t_split);
    }
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 4096;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
  compare<double>(n, reps);
  compare<float>(n, reps);
}
