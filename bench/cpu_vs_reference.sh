#!/usr/bin/env bash
# Runs headroom's CPU benchmarks side by side with reference implementations and prints the ratios
# the issue-2 targets are stated in:
#   host STREAM triad  vs  a plain OpenMP STREAM triad (bench/ref/stream_omp.c, -O3 -march=native),
#                          same array size, same run                       target >= 0.95
#   GEMM FP64 / FP32   vs  OpenBLAS dgemm / sgemm (bench/ref/blas_gemm.c) at N^3 target >= 0.85
#                          (headroom's headline impl=blas; Eigen's own kernel impl=eigen also printed)
# Each round runs the reference and headroom back to back, alternating which goes first; each
# side's figure is the median of its repetitions, and the printed ratio is the median over rounds
# of headroom/reference (the second vCPU of small VMs is noisy: never compare single runs).
#
# Usage: bench/cpu_vs_reference.sh [HEADROOM_BINARY]
#   environment: ROUNDS (3), REPS (7), GEMM_N (4096), STREAM_SUITE (standard: arrays of
#   max(64 MiB, 4 x LLC)), GEMM_SUITE (standard: the suite whose sizes include GEMM_N), KEEP_DIR (keep the raw outputs there)
# OPENBLAS_CORETYPE is unset for the reference: a preset core type (e.g. Haswell on an AVX-512
# machine) would handicap OpenBLAS; the core OpenBLAS picks is printed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
headroom=${1:-$root/build/cli/headroom}
rounds=${ROUNDS:-3}
reps=${REPS:-7}
gemm_n=${GEMM_N:-4096}
stream_suite=${STREAM_SUITE:-standard}
gemm_suite=${GEMM_SUITE:-standard}
if [ ! -x "$headroom" ]; then
  echo "cpu_vs_reference: headroom binary '$headroom' not found or not executable (build first, or pass its path)" >&2
  exit 2
fi
for tool in cc python3; do
  command -v "$tool" >/dev/null || { echo "cpu_vs_reference: '$tool' is required" >&2; exit 3; }
done

work=${KEEP_DIR:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${KEEP_DIR:-}" ] || trap 'rm -rf "$work"' EXIT
unset OPENBLAS_CORETYPE

cc -O3 -march=native -fopenmp "$root/bench/ref/stream_omp.c" -o "$work/stream_omp"
cc -O2 "$root/bench/ref/blas_gemm.c" -o "$work/blas_gemm" -lopenblas

# median_of CASE PARAM_FILTER FILE: the headline (median) value of the first metric of the case
# whose params contain PARAM_FILTER (k=v,k=v); also prints the params it matched.
median_of() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
name, want, path = sys.argv[1], sys.argv[2], sys.argv[3]
want = dict(kv.split("=") for kv in want.split(",") if kv)
for c in json.load(open(path))["cases"]:
    if c["name"] != name or any(str(c["params"].get(k)) != v for k, v in want.items()):
        continue
    if c["status"] != "passed":
        sys.exit(f"{name}: {c['status']}: {c['message']}")
    print(c["metrics"][0]["value"], ",".join(f"{k}={c['params'][k]}" for k in c["param_order"]))
    sys.exit(0)
sys.exit(f"{name} with {want} not found in {path}")
PY
}

run_headroom() {  # SUITE FILTER OUT
  "$headroom" bench --suite "$1" --filter "$2" --repetitions "$reps" --warmup 1 --quiet --out "$3" --force \
    2> >(grep -v '^headroom: wrote' >&2)
}

echo "# cpu_vs_reference: $(date -u +%FT%TZ) on $(hostname), $(nproc) CPUs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# headroom: $("$headroom" --version 2>/dev/null | head -1); rounds=$rounds reps=$reps gemm_n=$gemm_n stream_suite=$stream_suite"

declare -a triad_ratio dgemm_ratio sgemm_ratio dgemm_eigen sgemm_eigen
array_bytes=""
for ((r = 1; r <= rounds; r++)); do
  # --- STREAM triad -----------------------------------------------------------------------------
  # Odd rounds run headroom first, even rounds the reference first; round 1 (headroom first) also
  # tells the reference which array size headroom used.
  hr_first=$(( r % 2 ))
  triad_headroom() {
    run_headroom "$stream_suite" cpu.stream.triad "$work/triad_$r.json"
    out=$(median_of cpu.stream.triad "" "$work/triad_$r.json")
    read -r hr_triad hr_params <<<"$out"
    array_bytes=$(sed -n 's/.*array_bytes=\([0-9]*\).*/\1/p' <<<"$hr_params")
  }
  triad_reference() {
    "$work/stream_omp" "$(( array_bytes / 8 ))" "$reps" > "$work/ref_stream_$r.txt" 2>/dev/null
    ref_triad=$(awk '/^triad/ {split($2, a, "="); print a[2]}' "$work/ref_stream_$r.txt")
  }
  if [ "$hr_first" = 1 ]; then triad_headroom; triad_reference; else triad_reference; triad_headroom; fi
  triad_ratio+=("$(python3 -c "print($hr_triad / $ref_triad)")")
  printf 'round %d triad  headroom %.2f GB/s  reference %.2f GB/s  (%s)\n' "$r" \
    "$(python3 -c "print($hr_triad/1e9)")" "$(python3 -c "print($ref_triad/1e9)")" "$hr_params"

  # --- GEMM FP64 / FP32 ---------------------------------------------------------------------------
  for p in fp64 fp32; do
    letter=$([ "$p" = fp64 ] && echo d || echo s)
    ref_line=""
    if [ "$hr_first" = 0 ]; then ref_line=$("$work/blas_gemm" "$letter" "$gemm_n" "$reps"); fi
    run_headroom "$gemm_suite" "cpu.gemm.$p" "$work/gemm_${p}_$r.json"
    if [ "$hr_first" = 1 ]; then ref_line=$("$work/blas_gemm" "$letter" "$gemm_n" "$reps"); fi
    ref_gemm=$(sed -n 's/.*median_flop_per_s=\([^ ]*\).*/\1/p' <<<"$ref_line")
    # impl=blas is headroom's headline CPU GEMM (the system BLAS through the harness: the ratio
    # shows what the harness costs); impl=eigen is Eigen's own kernel, printed for information.
    for impl in blas eigen; do
      if ! out=$(median_of "cpu.gemm.$p" "m=$gemm_n,n=$gemm_n,k=$gemm_n,impl=$impl" "$work/gemm_${p}_$r.json" 2>&1); then
        echo "round $r $p impl=$impl: $out"
        continue
      fi
      read -r hr_gemm hr_params <<<"$out"
      ratio=$(python3 -c "print($hr_gemm / $ref_gemm)")
      case "$p/$impl" in
        fp64/blas) dgemm_ratio+=("$ratio") ;; fp32/blas) sgemm_ratio+=("$ratio") ;;
        fp64/eigen) dgemm_eigen+=("$ratio") ;; fp32/eigen) sgemm_eigen+=("$ratio") ;;
      esac
      printf 'round %d %s   headroom %.1f GFLOP/s  OpenBLAS %.1f GFLOP/s  ratio %.3f  (%s; %s)\n' "$r" "$p" \
        "$(python3 -c "print($hr_gemm/1e9)")" "$(python3 -c "print($ref_gemm/1e9)")" "$ratio" "$hr_params" \
        "$(cut -d' ' -f3,4 <<<"$ref_line")"
    done
  done
done

med() {
  if [ $# -eq 0 ]; then echo nan; return; fi
  python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "$@"
}
t=$(med "${triad_ratio[@]}"); d=$(med "${dgemm_ratio[@]}"); s=$(med "${sgemm_ratio[@]}")
de=$(med "${dgemm_eigen[@]}"); se=$(med "${sgemm_eigen[@]}")
verdict() { python3 -c "print('met' if $1 >= $2 else 'NOT met')"; }
echo "ratio triad/stream_omp              median $t  (target >= 0.95: $(verdict "$t" 0.95))"
echo "ratio gemm.fp64 impl=blas / dgemm   median $d  (target >= 0.85: $(verdict "$d" 0.85))"
echo "ratio gemm.fp32 impl=blas / sgemm   median $s  (target >= 0.85: $(verdict "$s" 0.85))"
echo "ratio gemm.fp64 impl=eigen / dgemm  median $de  (Eigen's own kernel, for information)"
echo "ratio gemm.fp32 impl=eigen / sgemm  median $se  (Eigen's own kernel, for information)"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
