/* Reference STREAM-style kernels for bench/cpu_vs_reference.sh: plain OpenMP loops over three
 * double arrays, as McCalpin's STREAM runs them (static schedule, first touch in parallel).
 * Written for headroom; not the original stream.c.
 *
 * Usage: stream_omp N_ELEMENTS REPETITIONS
 * Prints one line per kernel: "<kernel> median_bytes_per_s=<v> best_bytes_per_s=<v>", counting
 * bytes as STREAM does (copy/scale 2 arrays, add/triad 3 arrays; no write-allocate traffic). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s N_ELEMENTS REPETITIONS\n", argv[0]);
    return 2;
  }
  const long n = atol(argv[1]);
  const int reps = atoi(argv[2]);
  if (n <= 0 || reps <= 0) {
    fprintf(stderr, "stream_omp: N_ELEMENTS and REPETITIONS must be positive\n");
    return 2;
  }
  double* a = aligned_alloc(64, (size_t)n * sizeof(double) + 64);
  double* b = aligned_alloc(64, (size_t)n * sizeof(double) + 64);
  double* c = aligned_alloc(64, (size_t)n * sizeof(double) + 64);
  double* times = malloc(sizeof(double) * (size_t)reps * 4);
  if (!a || !b || !c || !times) {
    fprintf(stderr, "stream_omp: out of memory\n");
    return 3;
  }
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; ++i) {
    a[i] = 1.0 + (double)(i % 97) * 1e-3;
    b[i] = 2.0;
    c[i] = 0.5;
  }
  const double s = 3.0;
  /* One untimed pass of every kernel, then `reps` timed ones. */
  for (int r = -1; r < reps; ++r) {
    double t[4];
    t[0] = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) c[i] = a[i];
    t[0] = omp_get_wtime() - t[0];
    t[1] = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) b[i] = s * c[i];
    t[1] = omp_get_wtime() - t[1];
    t[2] = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) c[i] = a[i] + b[i];
    t[2] = omp_get_wtime() - t[2];
    t[3] = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
    t[3] = omp_get_wtime() - t[3];
    if (r >= 0)
      for (int k = 0; k < 4; ++k) times[k * reps + r] = t[k];
  }
  const char* names[4] = {"copy", "scale", "add", "triad"};
  const double arrays[4] = {2, 2, 3, 3};
  for (int k = 0; k < 4; ++k) {
    double* tk = times + k * reps;
    qsort(tk, (size_t)reps, sizeof(double), cmp_double);
    const double median = (reps % 2) ? tk[reps / 2] : 0.5 * (tk[reps / 2 - 1] + tk[reps / 2]);
    const double bytes = arrays[k] * (double)n * sizeof(double);
    printf("%s median_bytes_per_s=%.6e best_bytes_per_s=%.6e\n", names[k], bytes / median, bytes / tk[0]);
  }
  /* Keep the arrays observable so the loops cannot be dropped. */
  double check = 0;
  for (long i = 0; i < n; i += 4096) check += a[i] + b[i] + c[i];
  fprintf(stderr, "stream_omp: threads=%d n=%ld checksum=%.6e\n", omp_get_max_threads(), n, check);
  free(a);
  free(b);
  free(c);
  free(times);
  return 0;
}
