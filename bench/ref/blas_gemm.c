/* Reference GEMM timer for bench/cpu_vs_reference.sh: C = A·B through CBLAS (OpenBLAS), square
 * column-major matrices with random values in [-1, 1). Written for headroom.
 *
 * Usage: blas_gemm d|s N REPETITIONS
 * Prints "<d|s>gemm n=N core=<OpenBLAS core> threads=T median_flop_per_s=<v> best_flop_per_s=<v>",
 * counting 2·N³ FLOP per GEMM. One untimed GEMM runs first. */
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char* openblas_get_corename(void);
int openblas_get_num_threads(void);

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double uniform(uint64_t* state) {
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) * 0x1.0p-53 * 2.0 - 1.0;
}

int main(int argc, char** argv) {
  if (argc != 4 || (strcmp(argv[1], "d") != 0 && strcmp(argv[1], "s") != 0)) {
    fprintf(stderr, "usage: %s d|s N REPETITIONS\n", argv[0]);
    return 2;
  }
  const int dbl = argv[1][0] == 'd';
  const long n = atol(argv[2]);
  const int reps = atoi(argv[3]);
  if (n <= 0 || reps <= 0) {
    fprintf(stderr, "blas_gemm: N and REPETITIONS must be positive\n");
    return 2;
  }
  const size_t elems = (size_t)n * (size_t)n;
  const size_t esize = dbl ? sizeof(double) : sizeof(float);
  void* a = malloc(elems * esize);
  void* b = malloc(elems * esize);
  void* c = malloc(elems * esize);
  double* times = malloc(sizeof(double) * (size_t)reps);
  if (!a || !b || !c || !times) {
    fprintf(stderr, "blas_gemm: out of memory\n");
    return 3;
  }
  uint64_t state = 12345;
  for (size_t i = 0; i < elems; ++i) {
    if (dbl) {
      ((double*)a)[i] = uniform(&state);
      ((double*)b)[i] = uniform(&state);
      ((double*)c)[i] = 0.5;
    } else {
      ((float*)a)[i] = (float)uniform(&state);
      ((float*)b)[i] = (float)uniform(&state);
      ((float*)c)[i] = 0.5f;
    }
  }
  const int ni = (int)n;
  for (int r = -1; r < reps; ++r) {
    const double t0 = now_s();
    if (dbl)
      cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.0, a, ni, b, ni, 0.0, c, ni);
    else
      cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.0f, a, ni, b, ni, 0.0f, c, ni);
    const double t = now_s() - t0;
    if (r >= 0) times[r] = t;
  }
  qsort(times, (size_t)reps, sizeof(double), cmp_double);
  const double median = (reps % 2) ? times[reps / 2] : 0.5 * (times[reps / 2 - 1] + times[reps / 2]);
  const double flop = 2.0 * (double)n * (double)n * (double)n;
  printf("%sgemm n=%ld core=%s threads=%d median_flop_per_s=%.6e best_flop_per_s=%.6e\n", dbl ? "d" : "s", n,
         openblas_get_corename(), openblas_get_num_threads(), flop / median, flop / times[0]);
  free(a);
  free(b);
  free(c);
  free(times);
  return 0;
}
