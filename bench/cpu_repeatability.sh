#!/usr/bin/env bash
# Quick-suite repeatability of the CPU cases (issue 2 target: a second run's medians within 5 % of
# the first on an idle machine). Runs `headroom bench --suite quick --filter FILTER` RUNS times
# back to back and prints, per case, each run's median relative to the first run's and the
# largest deviation.
#
# Usage: bench/cpu_repeatability.sh [HEADROOM_BINARY]   environment: RUNS (2), FILTER ('cpu.*'),
#   ARGS (extra 'headroom bench' options, e.g. '--repetitions 15 --rounds 5')
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
headroom=${1:-$root/build/cli/headroom}
runs=${RUNS:-2}
filter=${FILTER:-cpu.*}
if [ ! -x "$headroom" ]; then
  echo "cpu_repeatability: headroom binary '$headroom' not found or not executable" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# cpu_repeatability: $(date -u +%FT%TZ), load average before: $(cut -d' ' -f1-3 /proc/loadavg), args: ${ARGS:-none}"
for ((i = 1; i <= runs; i++)); do
  start=$(date +%s.%N)
  # shellcheck disable=SC2086  # ARGS is a list of options
  "$headroom" bench --suite quick --filter "$filter" ${ARGS:-} --quiet --out "$work/run$i.json" 2>/dev/null
  echo "# run $i: $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s"
done
python3 - "$work" "$runs" <<'PY'
import json, sys
work, runs = sys.argv[1], int(sys.argv[2])
data = [json.load(open(f"{work}/run{i}.json"))["cases"] for i in range(1, runs + 1)]
worst = 0.0
for idx, case in enumerate(data[0]):
    if case["status"] != "passed" or case["metrics"][0]["provenance"] != "measured":
        continue
    key = ",".join(f"{k}={case['params'][k]}" for k in case["param_order"])
    first = case["metrics"][0]["value"]
    rel = [d[idx]["metrics"][0]["value"] / first for d in data[1:] if d[idx]["status"] == "passed"]
    dev = max(abs(r - 1) for r in rel) if rel else float("nan")
    worst = max(worst, dev)
    print(f"{case['name']:18s} {key:40s} first {first:.4g} {case['metrics'][0]['unit']:7s}"
          f" later/first {' '.join(f'{r:.3f}' for r in rel)}  cv {case['metrics'][0]['summary']['cv']*100:.1f}%")
print(f"largest deviation of a later median from the first: {worst*100:.1f} % (target <= 5 %)")
PY
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
