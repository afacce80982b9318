#!/usr/bin/env bash
# Quick-suite repeatability of the CPU cases (issue 2 target: a second run's medians within 5 % of
# the first on an idle machine). Runs `headroom bench --suite quick --filter FILTER` RUNS times
# back to back and prints, per case, each run's median relative to the first run's and the
# largest deviation; with RUNS >= 3 also how many of all pairs of runs agree within 5 %.
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
if runs >= 3:
    # Every pair of runs, not only (first, later): how often "a second run" lands within 5 % of a
    # first one on this machine, and which case was the worst in each failing pair.
    import itertools
    pairs = []
    for i, j in itertools.combinations(range(runs), 2):
        w, wk = 0.0, None
        for idx, case in enumerate(data[i]):
            other = data[j][idx]
            if case["status"] != "passed" or other["status"] != "passed" or case["metrics"][0]["provenance"] != "measured":
                continue
            dev = abs(other["metrics"][0]["value"] / case["metrics"][0]["value"] - 1)
            if dev > w:
                w, wk = dev, case["name"] + " " + ",".join(f"{k}={case['params'][k]}" for k in case["param_order"])
        pairs.append((w, i + 1, j + 1, wk))
    pairs.sort()
    within = sum(1 for p in pairs if p[0] <= 0.05)
    print(f"all {len(pairs)} pairs of runs: {within} within 5 %; worst deviation per pair: median "
          f"{pairs[len(pairs) // 2][0]*100:.1f} %, largest {pairs[-1][0]*100:.1f} % (runs {pairs[-1][1]} and "
          f"{pairs[-1][2]}: {pairs[-1][3]})")
PY
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
