#!/usr/bin/env bash
# The regression targets of issue 7, on this machine's CPU (no GPU needed):
#   1. two runs of the same quick suite: `headroom compare` flags no regression (false-positive rate 0);
#   2. the second run with one metric degraded by 10 %: flagged (exit 1, exactly that metric);
#   3. report generation time (accept/compare HTML) for a results file, best of 5.
# Usage: bench/regression_check.sh HEADROOM [OUTDIR] [FILTER]   (default filter 'cpu.*')
set -euo pipefail
hr=${1:?usage: regression_check.sh HEADROOM [OUTDIR] [FILTER]}
out=${2:-$(mktemp -d)}
filter=${3:-cpu.*}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname), filter '$filter', outputs in $out, load average $(cut -d' ' -f1-3 /proc/loadavg)"

"$hr" bench --suite quick --filter "$filter" --out "$out/run1.json" --force --quiet
"$hr" bench --suite quick --filter "$filter" --out "$out/run2.json" --force --quiet

set +e
echo "# runs done $(date -u +%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$hr" compare "$out/run1.json" "$out/run2.json" --json >"$out/same.json"
same_rc=$?
set -e
python3 - "$out/same.json" "$same_rc" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
tested = [m for m in d["metrics"] if m["p_worse"] is not None]
diff = [m for m in tested if m["p_difference"] < d["alpha"]]
print(f"same suite twice: exit {sys.argv[2]}, {d['regressions']} regression(s), {d['improvements']} improvement(s) "
      f"among {len(tested)} tested metrics (margin {100*d['min_effect']:g} %, alpha {d['alpha']:g}); "
      f"{len(diff)} differ from zero at alpha (two-sided)")
def ci(m):
    if m["shift_low"] is None: return "n too small for a CI"
    return f"{100*m['shift_low']:+.2f} .. {100*m['shift_high']:+.2f} %"
for m in sorted(tested, key=lambda m: abs(m["shift"]), reverse=True):
    if m["change"] == "unchanged" and m["p_difference"] >= d["alpha"]: continue
    print(f"   {m['case']} {m['params']} {m['metric']}: median delta {100*m['relative_delta']:+.2f} %, "
          f"shift {100*m['shift']:+.2f} % [{100*d['confidence']:g} % CI {ci(m)}], p_difference {m['p_difference']:.2g}, "
          f"p_worse {m['p_worse']:.2g}, p_better {m['p_better']:.2g} -> {m['change']}")
PY

# Degrade the first passed metric with samples of cpu.stream.triad (else the first one) by 10 %.
python3 - "$out/run2.json" "$out/run2_degraded.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cases = [c for c in d["cases"] if c["status"] == "passed" and any(m["samples"] for m in c["metrics"])]
target = next((c for c in cases if c["name"] == "cpu.stream.triad"), cases[0])
m = next(m for m in target["metrics"] if m["samples"])
f = 0.9 if m["better"] == "higher" else 1.1
m["samples"] = [x * f for x in m["samples"]]
s = sorted(m["samples"]); n = len(s)
m["value"] = s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
m["summary"] = None  # recomputed by nobody: compare uses samples and value
d["run"]["notes"].append(f"{target['name']} {m['name']} degraded by 10 % on purpose (bench/regression_check.sh)")
json.dump(d, open(sys.argv[2], "w"), indent=1)
print(f"degraded: {target['name']} {m['name']} x {f}")
PY
set +e
"$hr" compare "$out/run1.json" "$out/run2_degraded.json" --json >"$out/degraded.json"
deg_rc=$?
set -e
python3 - "$out/degraded.json" "$deg_rc" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = [m for m in d["metrics"] if m["change"] == "regression"]
print(f"one metric -10 %: exit {sys.argv[2]}, {len(r)} regression(s): " +
      ", ".join(f"{m['case']} {m['params']} {m['metric']} {100*m['relative_delta']:+.2f} % "
                f"(shift CI {100*m['shift_low']:+.2f} .. {100*m['shift_high']:+.2f} %, p_worse {m['p_worse']:.2g})" for m in r))
PY

# Report generation time: best of 5 wall-clock runs per command (includes loading the JSON).
python3 "$src/tests/cli/reports_fixtures/make_fixtures.py" "$out/fx" >/dev/null
time_best() {  # time_best LABEL CMD...
  local label=$1; shift
  local best=999
  for _ in 1 2 3 4 5; do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
    best=$(python3 -c "print(min($best, $t1 - $t0))")
  done
  printf '%-58s best of 5: %.3f s\n' "$label" "$best"
}
cases=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['cases']))" "$out/fx/gpu_good.json")
time_best "report acceptance, 8-GPU synthetic file ($cases cases)" \
  "$hr" report acceptance "$out/fx/gpu_good.json" --out "$out/acc.html" --force
time_best "report regression, 8-GPU synthetic pair ($cases cases)" \
  "$hr" report regression "$out/fx/gpu_good.json" "$out/fx/gpu_bad.json" --out "$out/reg.html" --force
time_best "report regression, the two quick runs above" \
  "$hr" report regression "$out/run1.json" "$out/run2.json" --out "$out/reg_cpu.html" --force
