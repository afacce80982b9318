#!/usr/bin/env bash
# Side by side: mpi.all_reduce busbw at one message size against a plain loop of MPI_Allreduce
# timed the same way (bench/mpi_allreduce_vs_loop.cpp), for 2 and 4 ranks, alternating, ROUNDS times.
# Prints each round and the ratio of medians. Target (issue 3): >= 0.95 at 64 MiB.
#
#   bench/mpi_allreduce_vs_loop.sh [HEADROOM] [SIZE_BYTES] [ROUNDS] [RANKS...]
#   defaults: build/cli/headroom, 67108864 (64 MiB), 3, ranks 2 4
set -euo pipefail
headroom=$(realpath "${1:-build/cli/headroom}")
size=${2:-67108864}
rounds=${3:-3}
shift $(( $# < 3 ? $# : 3 ))
ranks=("${@:-2 4}")
[ ${#ranks[@]} -gt 0 ] || ranks=(2 4)
read -r -a ranks <<< "${ranks[*]}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpicxx -O2 -std=c++17 "$here/mpi_allreduce_vs_loop.cpp" -o "$work/loop"
# Open MPI as root needs these; --oversubscribe lets 4 ranks share 2 cores (and makes them yield).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
reps=10 warmup=1 min_time=0.05   # the standard suite's min_time_s; same reps and warm-up on both sides
for n in "${ranks[@]}"; do
  hs=() ls=()
  for r in $(seq "$rounds"); do
    mpirun -np "$n" --oversubscribe "$headroom" bench --suite standard --filter mpi.all_reduce \
      --min-bytes "$size" --max-bytes "$size" --repetitions "$reps" --warmup "$warmup" --quiet --force \
      --out "$work/h.json"
    hs+=("$(python3 -c "
import json,sys; c=json.load(open(sys.argv[1]))['cases'][0]; assert c['status']=='passed' and c['verified'], c['message']
print([m for m in c['metrics'] if m['name']=='busbw_bytes_per_s'][0]['value'])" "$work/h.json")")
    ls+=("$(mpirun -np "$n" --oversubscribe "$work/loop" "$size" "$reps" "$warmup" "$min_time")")
    echo "  np $n round $r: headroom ${hs[-1]}  loop ${ls[-1]}"
  done
  python3 - "$n" "$size" "${hs[*]}" "${ls[*]}" <<'PY'
import statistics, sys
n, size = sys.argv[1], int(sys.argv[2])
h = statistics.median(map(float, sys.argv[3].split()))
l = statistics.median(map(float, sys.argv[4].split()))
print(f"all_reduce {size} B, {n} ranks: busbw headroom {h/1e9:.3f} GB/s  loop {l/1e9:.3f} GB/s  ratio {h/l:.3f}  "
      f"(target >= 0.95)  {'OK' if h/l >= 0.95 else 'BELOW TARGET'}")
PY
done
