#!/usr/bin/env bash
# Side by side: headroom's storage cases against fio 3.x with the same block size, queue depth,
# engine (io_uring) and direct I/O, alternating, ROUNDS times each (odd rounds headroom first, even
# rounds fio first). Prints each round and the ratio of medians (headroom / fio). Targets (issue 3):
# sequential read and write >= 0.95x, random 4 KiB read IOPS at QD 32 >= 0.90x.
#
# Reads use THE SAME FILE for both tools: fio lays out one SIZE file once, then headroom reads it
# through --storage-file (opened read-only) and fio reads it with --readonly. Writes cannot share
# it (headroom never writes a file it did not create): each tool overwrites its own file of SIZE in
# the same directory, headroom its scratch data file, fio a file it laid out before the first round.
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
shared="$work/shared.bin"   # read by both tools
fio_write="$work/fio-write.bin"  # overwritten by fio's write job

# headroom CASE BLOCK QD METRIC -> median of METRIC over the repetitions. Reads name the shared file.
run_headroom() {
  local source=()
  [ "$1" = storage.seq_write ] || source=(--storage-file "$shared")
  mkdir -p "$work/h"
  "$headroom" bench --suite standard --filter "$1" --storage-dir "$work/h" --storage-size "$size" "${source[@]}" \
    --block-size "$2" --queue-depth "$3" --repetitions 7 --warmup 1 --quiet --force --out "$work/h.json"
  python3 -c "
import json,sys; r=json.load(open(sys.argv[1])); c=r['cases'][0]
assert c['status']=='passed', c['message']
print([m for m in c['metrics'] if m['name']==sys.argv[2]][0]['value'])" "$work/h.json" "$4"
}

# fio RW BLOCK QD FIELD -> bw_bytes or iops of the job. The same work as headroom's run: sequential,
# 8 x min(512 MiB, file) bytes (1 warm-up + 7 repetitions), continuing through the file and wrapping
# at its end as headroom's repetitions do (fio: io_size larger than size wraps within the file);
# random, 8 x 0.5 s.
run_fio() {
  local amount file=$shared mode=(--readonly)
  if [ "$1" = randread ]; then
    amount=(--time_based --runtime=4)
  else
    amount=(--io_size="$(( 8 * (fio_size < 536870912 ? fio_size : 536870912) ))")
  fi
  [ "$1" = write ] && { file=$fio_write; mode=(); }
  fio --name=cmp --filename="$file" --size="$fio_size" --rw="$1" --bs="$2" --iodepth="$3" "${mode[@]}" \
    --ioengine=io_uring --direct=1 "${amount[@]}" --output-format=json --output="$work/fio.json" >/dev/null
  python3 -c "
import json,sys; j=json.load(open(sys.argv[1]))['jobs'][0]; d=j['write' if sys.argv[2] in ('write','randwrite') else 'read']
print(d[sys.argv[3]])" "$work/fio.json" "$1" "$4"
}

# The block device under DIR, for its request counters (/sys/class/block/NAME/stat: field 1 reads
# completed, 3 sectors read, 5 writes completed, 7 sectors written). Empty when there is none (e.g.
# overlay or network filesystems).
dev_stat=/sys/class/block/$(basename "$(df --output=source "$work" | tail -1)")/stat
[ -r "$dev_stat" ] || dev_stat=""

# with_request_size RW CMD... -> "VALUE KIB" where KIB is the mean size of the device requests the
# command caused, its own start-up reads included (n/a without a device). On a virtio disk whose requests hold at most 254 segments, a
# 1 MiB request on 4 KiB pages that are not physically contiguous is split in two, and sequential
# throughput follows the request size more than anything else: this shows which run got which.
with_request_size() {
  local rw=$1 before after value
  shift
  before=$([ -n "$dev_stat" ] && cat "$dev_stat" || true)
  value=$("$@")
  after=$([ -n "$dev_stat" ] && cat "$dev_stat" || true)
  python3 -c "
import sys
b, a = sys.argv[2].split(), sys.argv[3].split()
if not b or not a: print(sys.argv[1], 'n/a'); sys.exit()
i = 0 if sys.argv[4] in ('read', 'randread') else 4
ios, sectors = int(a[i]) - int(b[i]), int(a[i + 2]) - int(b[i + 2])
print(sys.argv[1], round(sectors * 512 / 1024 / ios) if ios else 'n/a')" "$value" "$before" "$after" "$rw"
}

compare() {  # LABEL CASE RW BLOCK_BYTES QD HEADROOM_METRIC FIO_FIELD TARGET
  local label=$1 hs=() fs=() h f
  for r in $(seq "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then
      h=$(with_request_size "$3" run_headroom "$2" "$4" "$5" "$6")
      f=$(with_request_size "$3" run_fio "$3" "$4" "$5" "$7")
    else
      f=$(with_request_size "$3" run_fio "$3" "$4" "$5" "$7")
      h=$(with_request_size "$3" run_headroom "$2" "$4" "$5" "$6")
    fi
    hs+=("${h% *}"); fs+=("${f% *}")
    echo "  $label round $r: headroom ${h% *} (${h##* } KiB/device request)  fio ${f% *} (${f##* } KiB/device request)"
  done
  python3 - "$label" "$8" "${hs[*]}" "${fs[*]}" <<'PY'
import statistics, sys
label, target = sys.argv[1], float(sys.argv[2])
h = statistics.median(map(float, sys.argv[3].split()))
f = statistics.median(map(float, sys.argv[4].split()))
print(f"{label}: headroom {h:.4g}  fio {f:.4g}  ratio {h/f:.3f}  (target >= {target})  {'OK' if h/f >= target else 'BELOW TARGET'}")
PY
}

# Both files laid out once, before any timing, by the same tool and the same way.
for f in "$shared" "$fio_write"; do
  fio --name=layout --filename="$f" --size="$fio_size" --rw=write --bs=1M --iodepth=16 --ioengine=io_uring \
    --direct=1 --end_fsync=1 --output=/dev/null
done
stamp_before=$(stat -c '%s %y' "$shared")  # size and mtime (ns); reading it to checksum would warm caches
echo "storage vs fio: $size files, io_uring, O_DIRECT, $rounds rounds, in $work"
echo "start $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
compare "seq read 1MiB QD16 (B/s)" storage.seq_read read 1048576 16 bytes_per_s bw_bytes 0.95
compare "seq write 1MiB QD16 (B/s)" storage.seq_write write 1048576 16 bytes_per_s bw_bytes 0.95
compare "rand read 4KiB QD32 (IO/s)" storage.rand_read randread 4096 32 iops iops 0.90
echo "end $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$(stat -c '%s %y' "$shared")" = "$stamp_before" ] ||
  { echo "the shared read file changed during the comparison" >&2; exit 1; }
