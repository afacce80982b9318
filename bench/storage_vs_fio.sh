#!/usr/bin/env bash
# Side by side: headroom's storage cases against fio 3.x with the same file size, block size, queue
# depth, engine (io_uring) and direct I/O, in the same directory, alternating, ROUNDS times each.
# Prints each round and the ratio of medians (headroom / fio). Targets (issue 3): sequential read and
# write >= 0.95x, random 4 KiB read IOPS at QD 32 >= 0.90x.
#
#   bench/storage_vs_fio.sh [HEADROOM] [DIR] [SIZE] [ROUNDS]
#   defaults: build/cli/headroom, a fresh directory under the working directory, 1GiB, 3
set -euo pipefail
headroom=${1:-build/cli/headroom}
base=${2:-.}
size=${3:-1GiB}
rounds=${4:-3}
command -v fio >/dev/null || { echo "fio not found (scripts/install-deps.sh installs it)" >&2; exit 3; }
work=$(mktemp -d "$base/storage-vs-fio-XXXXXX")
trap 'rm -rf "$work"' EXIT
fio_size=$(python3 -c "
import re,sys; t=sys.argv[1]; m=re.fullmatch(r'(\d+)(GiB|MiB)', t); print(int(m[1]) * (2**30 if m[2]=='GiB' else 2**20))" "$size")

# headroom CASE BLOCK QD METRIC -> median of METRIC over the repetitions
run_headroom() {
  mkdir -p "$work/h"
  "$headroom" bench --suite standard --filter "$1" --storage-dir "$work/h" --storage-size "$size" \
    --block-size "$2" --queue-depth "$3" --repetitions 7 --warmup 1 --quiet --force --out "$work/h.json"
  python3 -c "
import json,sys; r=json.load(open(sys.argv[1])); c=r['cases'][0]
assert c['status']=='passed', c['message']
print([m for m in c['metrics'] if m['name']==sys.argv[2]][0]['value'])" "$work/h.json" "$4"
}

# fio RW BLOCK QD FIELD -> bw_bytes or iops of the job. The same amount of work as headroom's run:
# sequential, 8 passes (1 warm-up + 7 repetitions) of min(512 MiB, file) each; random, 8 x 0.5 s.
run_fio() {
  local amount
  if [ "$1" = randread ]; then
    amount=(--time_based --runtime=4)
  else
    amount=(--io_size="$(( fio_size < 536870912 ? fio_size : 536870912 ))" --loops=8)
  fi
  fio --name=cmp --filename="$work/fio.bin" --size="$fio_size" --rw="$1" --bs="$2" --iodepth="$3" \
    --ioengine=io_uring --direct=1 "${amount[@]}" --output-format=json --output="$work/fio.json" >/dev/null
  python3 -c "
import json,sys; j=json.load(open(sys.argv[1]))['jobs'][0]; d=j['write' if sys.argv[2] in ('write','randwrite') else 'read']
print(d[sys.argv[3]])" "$work/fio.json" "$1" "$4"
}

compare() {  # LABEL CASE RW BLOCK_BYTES QD HEADROOM_METRIC FIO_FIELD TARGET
  local label=$1 hs=() fs=()
  for r in $(seq "$rounds"); do
    hs+=("$(run_headroom "$2" "$4" "$5" "$6")")
    fs+=("$(run_fio "$3" "$4" "$5" "$7")")
    echo "  $label round $r: headroom ${hs[-1]}  fio ${fs[-1]}"
  done
  python3 - "$label" "$8" "${hs[*]}" "${fs[*]}" <<'PY'
import statistics, sys
label, target = sys.argv[1], float(sys.argv[2])
h = statistics.median(map(float, sys.argv[3].split()))
f = statistics.median(map(float, sys.argv[4].split()))
print(f"{label}: headroom {h:.4g}  fio {f:.4g}  ratio {h/f:.3f}  (target >= {target})  {'OK' if h/f >= target else 'BELOW TARGET'}")
PY
}

echo "storage vs fio: $size file, io_uring, O_DIRECT, $rounds rounds, in $work"
compare "seq read 1MiB QD16 (B/s)" storage.seq_read read 1048576 16 bytes_per_s bw_bytes 0.95
compare "seq write 1MiB QD16 (B/s)" storage.seq_write write 1048576 16 bytes_per_s bw_bytes 0.95
compare "rand read 4KiB QD32 (IO/s)" storage.rand_read randread 4096 32 iops iops 0.90
