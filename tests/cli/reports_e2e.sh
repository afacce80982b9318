#!/usr/bin/env bash
# End-to-end test of `headroom accept`, `compare` and `report`. Usage: reports_e2e.sh HEADROOM SOURCE_DIR
set -u
hr=$1
src=$2
source "$src/tests/cli/e2e_lib.sh"
py() { python3 -c "$@"; }
fx=$work/fx
python3 "$src/tests/cli/reports_fixtures/make_fixtures.py" "$fx" || { echo "FAIL: fixtures"; exit 1; }
for f in "$fx"/*.json "$fx"/fleet/*.json; do
  check "fixture $(basename "$f") matches the results schema" \
    "$schema_py" "$src/tests/cli/validate_schema.py" "$src/data/schemas/results.schema.json" "$f"
done
for f in "$src"/data/acceptance/*.json; do
  check "spec $(basename "$f") matches the acceptance schema" \
    "$schema_py" "$src/tests/cli/validate_schema.py" "$src/data/schemas/acceptance.schema.json" "$f"
done

# Variants: a copy to be protected as an input, a run without cases, an interrupted run.
cp "$fx/host_slow.json" "$work/victim.json"
py 'import json,sys; d=json.load(open(sys.argv[1])); d["cases"]=[]; json.dump(d,open(sys.argv[2],"w"))' "$fx/host_same.json" "$work/empty.json"
py 'import json,sys
d=json.load(open(sys.argv[1])); d["run"]["incomplete"]=True; d["run"]["incomplete_reason"]="interrupted by SIGINT"
json.dump(d,open(sys.argv[2],"w"))' "$fx/host_same.json" "$work/incomplete.json"

# --- accept -------------------------------------------------------------------------------------
check "accept good GPU node" expect_exit 0 "$hr" accept "$fx/gpu_good.json" --junit "$work/good.xml" --html "$work/good.html"
check "spec matched by GPU name" grep -q "against 'NVIDIA H100 SXM5 80GB'" "$work/out"
check "ACCEPTED line" grep -q '^ACCEPTED: ' "$work/out"
check "junit well-formed" xmllint --noout "$work/good.xml"
check "junit counts" py 'import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); s=d.getElementsByTagName("testsuite")[0]; assert s.getAttribute("failures")=="0" and int(s.getAttribute("tests"))>=40, s.toxml()[:300]' "$work/good.xml"
check "accept html" grep -q 'ACCEPTED' "$work/good.html"
check "accept bad GPU node" expect_exit 1 "$hr" accept "$fx/gpu_bad.json" --junit "$work/bad.xml" --json
# The slow GPU (0.624 × peak) clears the bf16 floor (0.60) but not its peers' median: uniformity
# catches what the datasheet floor lets through; tf32's floor (0.70) catches it on its own.
check "json verdicts" py 'import json,sys; d=json.load(open(sys.argv[1])); bad={c["id"] for c in d["checks"] if c["verdict"]=="fail"}; assert d["accepted"] is False and "gemm.bf16.uniformity" in bad and "gemm.tf32[cuda:3]" in bad and "gemm.bf16[cuda:3]" not in bad and "gemm.tf32[cuda:2]" not in bad, bad' "$work/out"
# cuda:3 runs at 0.8 × its peers' 0.78 × peak = 0.624 × peak: below the tf32 floor (0.70) and every
# uniformity check (4), above the bf16 / fp16 (0.60) and fp8 (0.55) floors set from the measured H100.
check "junit failures" py 'import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); f=d.getElementsByTagName("failure"); assert len(f)==5, len(f)' "$work/bad.xml"
check "accept host-only" expect_exit 0 "$hr" accept "$fx/host_base.json"
check "host-only spec" grep -q "against 'Host only" "$work/out"
check "explicit --spec" expect_exit 0 "$hr" accept "$fx/gpu_good.json" --spec "$src/data/acceptance/host.json"
check "junit and html on one path refused" expect_exit 2 "$hr" accept "$fx/host_base.json" --junit "$work/same.html" --html "$work/same.html"
check "one path message" grep -q 'same.html: --html: expected a file distinct from every input and output (it is also the output --junit' "$work/err"
check "no junit left behind" test ! -e "$work/same.html"
check "html over RESULTS refused" expect_exit 2 "$hr" accept "$work/victim.json" --html "$work/victim.json" --force
check "RESULTS kept" cmp -s "$fx/host_slow.json" "$work/victim.json"
check "accept incomplete rejected" expect_exit 1 "$hr" accept "$work/incomplete.json" --json
check "accept incomplete json" py 'import json,sys; d=json.load(open(sys.argv[1])); r=[c for c in d["checks"] if c["id"]=="run.complete"]; assert d["accepted"] is False and d["incomplete"] is True and len(r)==1 and r[0]["verdict"]=="fail", r' "$work/out"
check "accept incomplete text" expect_exit 1 "$hr" accept "$work/incomplete.json"
check "accept incomplete row" grep -q '^run.complete .*fail .*the run is incomplete (interrupted by SIGINT)' "$work/out"
check "accept incomplete allowed" expect_exit 0 "$hr" accept "$work/incomplete.json" --allow-incomplete
check "accept incomplete allowed said" grep -q '^ACCEPTED: .* skipped (incomplete run)$' "$work/out"
# The report commands judge an interrupted run as the gates do, --allow-incomplete included.
check "report regression incomplete" expect_exit 0 "$hr" report regression "$fx/host_base.json" "$work/incomplete.json" --out "$work/ri.html"
check "report regression incomplete fails" grep -q 'CHECK FAILED' "$work/ri.html"
check "report regression allowed" expect_exit 0 "$hr" report regression "$fx/host_base.json" "$work/incomplete.json" --allow-incomplete --out "$work/ra.html"
check "report regression allowed passes" bash -c '! grep -q "CHECK FAILED" "$1"' _ "$work/ra.html"
check "report acceptance allowed" expect_exit 0 "$hr" report acceptance "$work/incomplete.json" --allow-incomplete --out "$work/aa.html"
check "hostile junit escaped" expect_exit 0 "$hr" accept "$fx/hostile.json" --junit "$work/hostile.xml" --html "$work/hostile_acc.html"
check "hostile junit well-formed" xmllint --noout "$work/hostile.xml"
check "hostile html has no raw script" bash -c "! grep -q '<script' '$work/hostile_acc.html'"

# --- compare ------------------------------------------------------------------------------------
check "same distribution: no regression" expect_exit 0 "$hr" compare "$fx/host_base.json" "$fx/host_same.json"
check "OK line" grep -q '^OK: 0 regression' "$work/out"
check "10 % slower triad flagged" expect_exit 1 "$hr" compare "$fx/host_base.json" "$fx/host_slow.json" \
  --html "$work/reg.html" --prom "$work/headroom.prom" --json
check "only triad regressed" py 'import json,sys; d=json.load(open(sys.argv[1])); r=[m for m in d["metrics"] if m["change"]=="regression"]; assert len(r)==1 and r[0]["case"]=="cpu.stream.triad" and -0.13<r[0]["relative_delta"]<-0.07 and r[0]["p_value"]<0.001, r' "$work/out"
cp "$work/out" "$work/slow_cmp.json"
check "margin test fields" py 'import json,sys; d=json.load(open(sys.argv[1])); t=[m for m in d["metrics"] if m["change"]=="regression"][0]; assert d["schema_version"]=="1.2" and d["passed"] is False and d["tested"]>=3 and d["problems"]==[] and abs(d["confidence"]-0.9)<1e-12 and t["p_value"]==t["p_worse"] and t["p_worse"]<0.05<=t["p_better"] and t["shift_low"]<=t["shift"]<=t["shift_high"]<-0.03 and t["p_difference"]<0.001, t' "$work/slow_cmp.json"
check "regression html" grep -q 'REGRESSION: 1 regression' "$work/reg.html"
check "regression html states the rule" grep -q 'worse than the 3 % margin' "$work/reg.html"
check "compare --help states the rule" expect_exit 0 "$hr" compare --help
check "help: margin test" grep -q 'WORSE than the margin' "$work/out"
check "prom HELP/TYPE" grep -q '^# TYPE headroom_bytes_per_s gauge$' "$work/headroom.prom"
check "prom regression total" grep -q '^headroom_regressions_total{host="synthetic-node-a"} 1$' "$work/headroom.prom"
check "prom lines valid" py 'import re,sys
pat=re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\} -?[0-9.eE+-]+$")
lines=open(sys.argv[1]).read().split("\n")
assert lines[0].startswith("# headroom textfile "), lines[0]
for l in lines[1:-1]:
    assert l.startswith("# HELP ") or l.startswith("# TYPE ") or pat.match(l), l' "$work/headroom.prom"
check "prom replaced atomically on rerun" expect_exit 1 "$hr" compare "$fx/host_base.json" "$fx/host_slow.json" --prom "$work/headroom.prom"
check "prom rerun rewrote the textfile" grep -q '^# headroom textfile ' "$work/headroom.prom"
# --prom replaces headroom's own textfile only; an input or any other file is never replaced.
check "prom over an input refused" expect_exit 2 "$hr" compare "$fx/host_base.json" "$work/victim.json" --prom "$work/victim.json" --force
check "prom over an input message" grep -q "victim.json: --prom: expected a file distinct from every input and output (it is also the input CURRENT" "$work/err"
check "input kept" cmp -s "$fx/host_slow.json" "$work/victim.json"
check "html and prom on one path refused" expect_exit 2 "$hr" compare "$fx/host_base.json" "$fx/host_slow.json" --html "$work/s.out" --prom "$work/s.out"
check "html and prom message" grep -q 's.out: --prom: expected a file distinct .*the output --html' "$work/err"
check "nothing written for one path" test ! -e "$work/s.out"
# A case that passed in the baseline and is gone now (a GPU off the bus) fails the check unless allowed.
py 'import json,sys
d=json.load(open(sys.argv[1])); d["cases"]=[c for c in d["cases"] if c["device"]!="cuda:3"]
json.dump(d,open(sys.argv[2],"w"))' "$fx/gpu_good.json" "$work/gpu_gone.json"
check "case gone fails" expect_exit 1 "$hr" compare "$fx/gpu_good.json" "$work/gpu_gone.json"
check "case gone says so" grep -q "case(s) that passed in the baseline are missing or waived now (.*on cuda:3" "$work/out"
check "case gone allowed" expect_exit 0 "$hr" compare "$fx/gpu_good.json" "$work/gpu_gone.json" --allow-missing
# No command writes over its own input, --force or not.
cp "$fx/host_slow.json" "$work/own.json"
check "report run over its input refused" expect_exit 2 "$hr" report run "$work/own.json" --out "$work/own.json" --force
check "report run over its input message" grep -q "own.json: --out: expected a file distinct .*the input RESULTS" "$work/err"
check "profile over its input refused" expect_exit 2 "$hr" profile "$work/own.json" --out "$work/own.json" --force
check "compare html over CURRENT says so first" expect_exit 2 "$hr" compare "$fx/host_base.json" "$work/own.json" --html "$work/own.json"
check "compare html over CURRENT message" grep -q "the input CURRENT" "$work/err"
mkdir -p "$work/fleet_in" && cp "$fx/host_base.json" "$work/fleet_in/a.json" && cp "$fx/host_slow.json" "$work/fleet_in/b.json"
check "fleet report over a node's file refused" expect_exit 2 "$hr" report fleet "$work/fleet_in" --out "$work/fleet_in/a.json" --force
check "fleet html over a node's file refused" expect_exit 2 "$hr" compare --fleet "$work/fleet_in" --html "$work/fleet_in/b.json" --force
check "inputs kept" cmp -s "$fx/host_slow.json" "$work/own.json"
check "fleet inputs kept" cmp -s "$fx/host_base.json" "$work/fleet_in/a.json"
echo 'node_load_custom 1' >"$work/other.prom"
check "foreign prom file refused" expect_exit 2 "$hr" compare "$fx/host_base.json" "$fx/host_slow.json" --prom "$work/other.prom"
check "foreign prom message" grep -q "other.prom: --prom: expected a new file or a Prometheus textfile written by headroom" "$work/err"
check "foreign prom kept" grep -qx 'node_load_custom 1' "$work/other.prom"
check "foreign prom replaced with --force" expect_exit 1 "$hr" compare "$fx/host_base.json" "$fx/host_slow.json" --prom "$work/other.prom" --force
check "foreign prom now headroom's" grep -q '^headroom_regressions_total' "$work/other.prom"
check "compare --help usage" expect_exit 0 "$hr" compare --help
check "usage names both files" grep -qF '[BASELINE] [CURRENT]' "$work/out"
check "usage has no (0x)" bash -c "! grep -qF '(0x)' '$work/out'"
# Nothing compared, or an interrupted current run: not a pass.
check "empty current fails" expect_exit 1 "$hr" compare "$fx/host_base.json" "$work/empty.json"
check "empty current says why" grep -q '^check failed: nothing was compared: no metric has samples in both runs' "$work/out"
check "empty current verdict" grep -q '^FAILED: 0 regression(s), 0 broken, 0 improvement(s) among 0 metric(s) tested' "$work/out"
check "incomplete matches the results schema" "$schema_py" "$src/tests/cli/validate_schema.py" "$src/data/schemas/results.schema.json" "$work/incomplete.json"
check "incomplete current fails" expect_exit 1 "$hr" compare "$fx/host_base.json" "$work/incomplete.json" --json --html "$work/incomplete.html"
check "incomplete current json" py 'import json,sys; d=json.load(open(sys.argv[1])); assert d["passed"] is False and d["current_incomplete"] is True and d["regressions"]==0 and d["tested"]>0 and len(d["problems"])==1 and d["problems"][0].startswith("the current run is incomplete (interrupted by SIGINT)"), d["problems"]' "$work/out"
check "incomplete current html" grep -q 'CHECK FAILED: 0 regression' "$work/incomplete.html"
check "incomplete allowed" expect_exit 0 "$hr" compare "$fx/host_base.json" "$work/incomplete.json" --allow-incomplete
check "incomplete allowed still said" grep -q '^warning: the current run is incomplete (allowed by --allow-incomplete): interrupted by SIGINT' "$work/out"
check "min-effect above the change" expect_exit 0 "$hr" compare "$fx/host_base.json" "$fx/host_slow.json" --min-effect 0.2
# An alpha nine samples a side cannot reach (1/C(18,9) = 2.06e-5): nothing could be flagged, so the
# check fails as untested instead of passing.
check "alpha out of reach" expect_exit 1 "$hr" compare "$fx/host_base.json" "$fx/host_slow.json" --alpha 0.00001
check "alpha out of reach says so" grep -q 'no change can be flagged (smallest p 2.06e-05 >= alpha 1e-05)' "$work/out"
check "driver change listed" expect_exit 1 "$hr" compare "$fx/gpu_good.json" "$fx/gpu_bad.json"
check "GPU regression found" grep -q 'cuda.gemm.bf16.*cuda:3.*regression' "$work/out"

# --- fleet --------------------------------------------------------------------------------------
check "fleet finds node4" expect_exit 1 "$hr" compare --fleet "$fx/fleet" --html "$work/fleet.html"
check "fleet names node4 only" bash -c "grep -q '^BAD  synthetic-node-4 .*cpu.stream.triad' '$work/out' && [ \$(grep -c '^BAD ' '$work/out') -eq 1 ]"
check "fleet html" grep -q 'synthetic-node-4' "$work/fleet.html"
mkdir -p "$work/fleet_ok" && cp "$fx"/fleet/node{0,1,2,3,5}.json "$work/fleet_ok/"
check "healthy fleet" expect_exit 0 "$hr" compare --fleet "$work/fleet_ok"

# --- report -------------------------------------------------------------------------------------
check "report acceptance" expect_exit 0 "$hr" report acceptance "$fx/gpu_bad.json" --out "$work/r_acc.html"
check "report regression" expect_exit 0 "$hr" report regression "$fx/host_base.json" "$fx/host_slow.json" --out "$work/r_reg.html"
check "report fleet" expect_exit 0 "$hr" report fleet "$fx/fleet" --out "$work/r_fleet.html"
check "report no clobber" expect_exit 2 "$hr" report fleet "$fx/fleet" --out "$work/r_fleet.html"
check "report --force" expect_exit 0 "$hr" report fleet "$fx/fleet" --out "$work/r_fleet.html" --force
for f in r_acc r_reg r_fleet reg good hostile_acc; do
  check "$f.html self-contained" bash -c "! grep -qiE '<script|<link|src=\"http|@import' '$work/$f.html'"
done

# --- gbench export stays readable by Google Benchmark's compare.py ------------------------------
cmp_py=/usr/share/benchmark/compare.py
sci_py=""  # an interpreter with Debian's python3-scipy (a pyenv python3 first on PATH may not see it)
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import scipy, numpy' 2>/dev/null; then sci_py=$p; break; fi
done
if [ -n "$sci_py" ]; then
  # The margin test is SciPy's one-sided mannwhitneyu of current against baseline × (1 − 0.03).
  check "margin p agrees with SciPy" "$sci_py" -c 'import json,sys
from scipy.stats import mannwhitneyu
d=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); c=json.load(open(sys.argv[3]))
def key(params):
    return ",".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in params.items())
def samples(r, m):
    return next(x["samples"] for k in r["cases"] if k["name"]==m["case"] and k["status"]=="passed" and k["device"]==m["device"]
                and key(k["params"])==m["params"] for x in k["metrics"] if x["name"]==m["metric"])
n = 0
for m in d["metrics"]:
    if m["p_worse"] is None or m["better"] != "higher": continue
    cur, base = samples(c, m), samples(b, m)
    ref = mannwhitneyu(cur, [0.97 * v for v in base], alternative="less", method="exact" if m["exact"] else "asymptotic")
    assert abs(ref.pvalue - m["p_worse"]) <= 1e-9 * max(1.0, ref.pvalue), (m["case"], ref.pvalue, m["p_worse"])
    n += 1
assert n >= 3, n' "$work/slow_cmp.json" "$fx/host_base.json" "$fx/host_slow.json"
fi
if [ -f "$cmp_py" ] && [ -n "$sci_py" ]; then
  # Two real exports of the derived (instant) cases through `headroom bench --format gbench`.
  check "gbench export 1" expect_exit 0 "$hr" bench --filter 'cpu.peak.*' --format gbench --out "$work/g1.json"
  check "gbench export 2" expect_exit 0 "$hr" bench --filter 'cpu.peak.*' --format gbench --out "$work/g2.json"
  check "compare.py reads them" bash -c "$sci_py '$cmp_py' benchmarks '$work/g1.json' '$work/g2.json' > '$work/cmp.txt' 2>&1"
  check "compare.py output names cases" grep -q 'cpu.peak' "$work/cmp.txt"
  # Derived cases carry a non-zero time, so compare.py's geometric mean over all rows exists.
  check "compare.py overall geomean" grep -q 'OVERALL_GEOMEAN' "$work/cmp.txt"
else
  echo "SKIP: compare.py or scipy/numpy missing (scripts/install-deps.sh installs libbenchmark-tools python3-scipy)"
fi

# --- bad input: exit 2, message names the file / flag ------------------------------------------
echo '{"schema": "headroom.results"' >"$work/broken.json"
check "broken results" expect_exit 2 "$hr" accept "$work/broken.json"
check "broken results message" grep -q 'broken.json' "$work/err"
check "missing file" expect_exit 2 "$hr" compare "$work/nope.json" "$fx/host_same.json"
check "missing file message" grep -q 'nope.json' "$work/err"
py 'import json,sys; d=json.load(open(sys.argv[1])); d["checks"][0]["unit"]="GB/s"; json.dump(d,open(sys.argv[2],"w"))' \
  "$src/data/acceptance/host.json" "$work/badunit.json"
# Hand-edited results: a repeated case (compare would keep one copy), a headline value that is not
# the samples' median, a summary dropped beside samples, a name the schema refuses.
py 'import json,sys; d=json.load(open(sys.argv[1])); c=d["cases"][0]; d["cases"].append(c); json.dump(d,open(sys.argv[2],"w"))
d["cases"].pop(); c["metrics"][0]["value"]=1.0; json.dump(d,open(sys.argv[3],"w"))
c["metrics"][0]["summary"]=None; json.dump(d,open(sys.argv[4],"w"))
d=json.load(open(sys.argv[1])); d["cases"][0]["name"]="CPU.Gemm"; json.dump(d,open(sys.argv[5],"w"))' \
  "$fx/host_base.json" "$work/dup.json" "$work/edited.json" "$work/nosummary.json" "$work/badname.json"
check "repeated case refused" expect_exit 2 "$hr" compare "$fx/host_base.json" "$work/dup.json"
check "repeated case message" grep -q 'dup.json: \$.cases\[20\]: expected each case once .*(first at \$.cases\[0\])' "$work/err"
check "edited value refused" expect_exit 2 "$hr" accept "$work/edited.json"
check "edited value message" grep -q 'edited.json: \$.cases\[0\].metrics\[0\].value: expected .*, the median of the 9 samples (run.policy.statistic), got 1$' "$work/err"
check "null summary refused" expect_exit 2 "$hr" compare "$fx/host_base.json" "$work/nosummary.json"
check "null summary message" grep -q 'nosummary.json: \$.cases\[0\].metrics\[0\].summary: expected a summary of the 9 samples, got null' "$work/err"
check "bad case name refused" expect_exit 2 "$hr" accept "$work/badname.json"
check "bad case name message" grep -qF "badname.json: \$.cases[0].name: expected a case name matching ^[a-z0-9_]+(\.[a-z0-9_]+)+\$" "$work/err"
check "spec unit mismatch" expect_exit 2 "$hr" accept "$fx/host_base.json" --spec "$work/badunit.json" --junit "$work/never.xml"
check "spec unit message" grep -q 'badunit.json: \$.checks\[0\].unit' "$work/err"
check "nothing written on bad input" test ! -e "$work/never.xml"
# An existing output that is not a regular file is never replaced, --force or not.
echo keep >"$work/target.txt"
ln -s "$work/target.txt" "$work/link.prom"
mkfifo "$work/fifo.html"
check "symlink --prom refused" expect_exit 2 "$hr" compare "$fx/host_base.json" "$fx/host_slow.json" --prom "$work/link.prom"
check "symlink message" grep -q 'link.prom: expected a regular file or a new path (it is a symlink' "$work/err"
check "symlink kept" test -L "$work/link.prom"
check "symlink target kept" grep -qx keep "$work/target.txt"
check "FIFO --out --force refused" expect_exit 2 "$hr" report fleet "$fx/fleet" --out "$work/fifo.html" --force
check "FIFO message" grep -q 'fifo.html: expected a regular file or a new path (it is a FIFO' "$work/err"
check "FIFO kept" test -p "$work/fifo.html"
for v in nan 1e9 -1; do
  check "fleet --min-effect $v refused" expect_exit 2 "$hr" compare --fleet "$fx/fleet" --min-effect "$v"
  check "fleet --min-effect $v message" grep -q -- '--min-effect: expected a fraction in \[0, 1)' "$work/err"
  check "report fleet --min-effect $v refused" expect_exit 2 "$hr" report fleet "$fx/fleet" --min-effect "$v" \
    --out "$work/never_fleet.html"
done
check "fleet --z inf refused" expect_exit 2 "$hr" compare --fleet "$fx/fleet" --z inf
check "no fleet report on bad input" test ! -e "$work/never_fleet.html"
# A metric that collapsed to zero is a regression, not "untested".
py 'import json,sys
d=json.load(open(sys.argv[1]))
for c in d["cases"]:
    if c["name"]=="cpu.stream.triad":
        for m in c["metrics"]:
            m["samples"]=[0.0]*len(m["samples"]); m["value"]=0.0
            m["summary"].update(median=0.0, mean=0.0, min=0.0, max=0.0, p5=0.0, p95=0.0, stdev=0.0, cv=0.0)
json.dump(d,open(sys.argv[2],"w"))' "$fx/host_base.json" "$work/zero.json"
check "collapse to zero flagged" expect_exit 1 "$hr" compare "$fx/host_base.json" "$work/zero.json"
check "collapse reason" grep -q 'cpu.stream.triad.*regression (collapsed: every current sample is <= 0' "$work/out"
check "bad alpha" expect_exit 2 "$hr" compare "$fx/host_base.json" "$fx/host_same.json" --alpha 2
check "bad alpha message" grep -q -- '--alpha' "$work/err"
check "one file only" expect_exit 2 "$hr" compare "$fx/host_base.json"
check "unknown GPU needs --spec" bash -c "sed 's/NVIDIA H100 80GB HBM3/Mystery GPU 9000/' '$fx/gpu_good.json' > '$work/mystery.json'"
check "unknown GPU exit 2" expect_exit 2 "$hr" accept "$work/mystery.json"
check "unknown GPU message" grep -q 'Mystery GPU 9000' "$work/err"
# PCI ids: a renamed GPU with its SKU's id gets the SKU spec; an id that contradicts the name is refused.
ids() {  # ids NAME DEVICE_ID OUT
  py 'import json,sys; d=json.load(open(sys.argv[1]))
for g in d["devices"]: g.update(name=sys.argv[2], pci_vendor_id="0x10de", pci_device_id=sys.argv[3])
json.dump(d, open(sys.argv[4], "w"))' "$fx/gpu_good.json" "$1" "$2" "$3"
}
ids "Renamed vGPU" 0x2330 "$work/renamed.json"
check "renamed GPU with ids matches the schema" "$schema_py" "$src/tests/cli/validate_schema.py" "$src/data/schemas/results.schema.json" "$work/renamed.json"
check "renamed GPU matched by PCI id" expect_exit 0 "$hr" accept "$work/renamed.json"
check "chosen by PCI id" grep -q "against 'NVIDIA H100 SXM5 80GB' .*chosen by PCI id 10de:2330 of GPU 0" "$work/out"
ids "NVIDIA H100 80GB HBM3" 0x2331 "$work/pcie.json"
check "contradicting PCI id: exit 2" expect_exit 2 "$hr" accept "$work/pcie.json"
check "contradicting PCI id message" grep -q "PCI id 10de:2331.*lists PCI id(s) 10de:2330, so the name match is not used" "$work/err"
check "contradicting PCI id: --spec still works" expect_exit 0 "$hr" accept "$work/pcie.json" --spec "$src/data/acceptance/nvidia-h100-sxm5-80gb.json"

# --reference must be another file (against itself every check passes); --spec and --spec-dir exclude each other
check "--reference = RESULTS refused" expect_exit 2 "$hr" accept "$fx/host_base.json" --spec "$src/data/acceptance/host.json" --reference "$fx/host_base.json"
check "--reference = RESULTS message" grep -q -- "--reference: expected a known-good results file other than the one under test" "$work/err"
check "--spec with --spec-dir refused" expect_exit 2 "$hr" accept "$fx/host_base.json" --spec "$src/data/acceptance/host.json" --spec-dir "$src/data/acceptance"
check "--spec with --spec-dir message" grep -q -- "--spec excludes --spec-dir" "$work/err"

finish
