#!/usr/bin/env bash
# Eigen's GEMM against OpenBLAS thread by thread (bench/ref/eigen_kernel_check.cpp): is the gap to
# the issue's 0.85 target Eigen's kernel or its threading? Usage: bench/eigen_kernel_check.sh [N] [REPS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
blas=/usr/lib/x86_64-linux-gnu/openblas-openmp
if [ ! -d "$blas" ]; then
  echo "eigen_kernel_check: $blas not found (Debian: libopenblas-openmp-dev; scripts/install-deps.sh installs it)" >&2
  exit 3
fi
g++ -O3 -march=native -fopenmp -I/usr/include/eigen3 -I/usr/include/x86_64-linux-gnu/openblas-openmp \
  "$root/bench/ref/eigen_kernel_check.cpp" -L"$blas" -Wl,-rpath,"$blas" -lopenblas -o "$work/check" 2>/dev/null
echo "# eigen_kernel_check: $(date -u +%FT%TZ), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/check" "${1:-4096}" "${2:-5}"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
