#!/usr/bin/env bash
# End-to-end test of the `headroom compare` gates. Usage: compare_gate_e2e.sh HEADROOM SOURCE_DIR
set -u
hr=$1
src=$2
source "$src/tests/cli/e2e_lib.sh"
py() { python3 -c "$@"; }
fx=$work/fx
python3 "$src/tests/cli/reports_fixtures/make_fixtures.py" "$fx" || { echo "FAIL: fixtures"; exit 1; }

# Variants of host_same.json (a run of the same distribution as host_base.json).
edit() {  # edit IN OUT PYTHON (d is the document)
  py "import json,sys
d=json.load(open(sys.argv[1]))
$3
json.dump(d,open(sys.argv[2],'w'))" "$1" "$2"
}
edit "$fx/host_same.json" "$work/sorted.json" 'for c in d["cases"]: c["param_order"] = sorted(c["params"])'
edit "$fx/host_same.json" "$work/no_order.json" 'for c in d["cases"]: c.pop("param_order")'
edit "$fx/host_same.json" "$work/metric_null.json" '
m = [c for c in d["cases"] if c["name"] == "storage.seq_read"][0]["metrics"][1]
assert m["name"] == "latency_p99_s"
m["value"] = None; m["samples"] = []; m["summary"] = None'
edit "$fx/host_same.json" "$work/metric_gone.json" '
c = [c for c in d["cases"] if c["name"] == "storage.seq_read"][0]; c["metrics"] = c["metrics"][:1]'
edit "$fx/host_same.json" "$work/null_incomplete.json" 'd["run"]["incomplete"] = None'

# 1. Identical data with parameters in another order (or without param_order: alphabetical) compare cleanly.
for v in sorted no_order; do
  check "compare $v: passes" expect_exit 0 "$hr" compare "$fx/host_base.json" "$work/$v.json" --json
  check "compare $v: nothing missing or new, every sampled metric tested" py 'import json,sys
d = json.load(open(sys.argv[1]))
ch = [m["change"] for m in d["metrics"]]
assert d["passed"] and "missing" not in ch and "new" not in ch, [(m["case"], m["change"]) for m in d["metrics"] if m["change"] in ("missing", "new")]
base = json.load(open(sys.argv[2]))
sampled = sum(1 for c in base["cases"] if c["status"] == "passed" for m in c["metrics"] if m["samples"])
assert d["tested"] == sampled and sampled > 15, (d["tested"], sampled)' "$work/out" "$fx/host_base.json"
done
check "compare sorted vs base (reversed roles): passes" expect_exit 0 "$hr" compare "$work/sorted.json" "$fx/host_base.json"

# 2. A metric of a passed case gone (absent, or null) fails unless --allow-missing: text, JSON, --prom.
for v in metric_null metric_gone; do
  check "compare $v: fails" expect_exit 1 "$hr" compare "$fx/host_base.json" "$work/$v.json"
  check "compare $v: says why" grep -q "^check failed: 1 metric(s) measured in the baseline are missing or null now in a case that passed (storage.seq_read file_bytes=4294967296,size_bytes=1073741824,block_bytes=1048576,queue_depth=32 on host: latency_p99_s)" "$work/out"
  check "compare $v: FAILED line" grep -q "^FAILED: 0 regression(s)" "$work/out"
  check "compare $v --json: passed false" expect_exit 1 "$hr" compare "$fx/host_base.json" "$work/$v.json" --json
  check "compare $v --json: the problem" py 'import json,sys; d=json.load(open(sys.argv[1])); assert d["passed"] is False and any("missing or null now" in p for p in d["problems"]), d["problems"]' "$work/out"
  check "compare $v --prom: fails" expect_exit 1 "$hr" compare "$fx/host_base.json" "$work/$v.json" --prom "$work/$v.prom"
  check "compare $v --prom: gate 0" grep -q '^headroom_comparison_passed{host="synthetic-node-a"} 0$' "$work/$v.prom"
  check "compare $v --allow-missing: passes" expect_exit 0 "$hr" compare "$fx/host_base.json" "$work/$v.json" --allow-missing
  check "compare $v --allow-missing: warns" grep -q "(allowed by --allow-missing): storage.seq_read" "$work/out"
done

# 5. null where the schema has none: refused (exit 2), naming file and path.
check "null incomplete: bad input" expect_exit 2 "$hr" compare "$fx/host_base.json" "$work/null_incomplete.json"
check "null incomplete: names it" grep -q "null_incomplete.json: \$.run.incomplete: expected a value, not null" "$work/err"

# 6. --fleet: two nodes check nothing (fails); one run twice is bad input; an incomplete node run fails
# unless --allow-incomplete.
mkdir -p "$work/two" "$work/dup" "$work/inc"
cp "$fx/fleet/node0.json" "$fx/fleet/node1.json" "$work/two/"
check "fleet of 2: fails" expect_exit 1 "$hr" compare --fleet "$work/two"
check "fleet of 2 html" expect_exit 1 "$hr" compare --fleet "$work/two" --html "$work/two.html"
check "fleet html banner is the gate's verdict" grep -q 'class="banner fail">CHECK FAILED: 0 bad outlier' "$work/two.html"
check "fleet html lists the problem" grep -q 'nothing was checked' "$work/two.html"
check "fleet of 2: says nothing was checked" grep -q "^check failed: nothing was checked: no metric was measured on at least 3 of the 2 node(s)" "$work/out"
check "fleet of 2 --json: passed false" expect_exit 1 "$hr" compare --fleet "$work/two" --json
check "fleet of 2 --json: problem" py 'import json,sys; d=json.load(open(sys.argv[1])); assert d["passed"] is False and len(d["problems"]) == 1, d' "$work/out"
cp "$fx/fleet/node0.json" "$fx/fleet/node1.json" "$fx/fleet/node2.json" "$work/dup/"
cp "$fx/fleet/node0.json" "$work/dup/node0-copy.json"
check "fleet with one run twice: bad input" expect_exit 2 "$hr" compare --fleet "$work/dup"
check "fleet with one run twice: names both files" grep -q "node0.json: \$.run.id: expected a run not already in .* (run 000000000000000a is also .*node0-copy.json" "$work/err"
cp "$fx/fleet/"node*.json "$work/inc/"
edit "$fx/fleet/node2.json" "$work/inc/node2.json" 'd["run"]["incomplete"] = True; d["run"]["incomplete_reason"] = "interrupted by SIGINT"'
check "fleet with an incomplete run: fails" expect_exit 1 "$hr" compare --fleet "$work/inc"
check "fleet with an incomplete run: says so" grep -q "^check failed: the run of synthetic-node-2 is incomplete (interrupted by SIGINT)" "$work/out"
check "fleet: the slow node is still found" grep -q "^BAD  synthetic-node-4" "$work/out"
rm "$work/inc/node4.json"
check "fleet with an incomplete run, allowed: passes" expect_exit 0 "$hr" compare --fleet "$work/inc" --allow-incomplete
check "fleet allowed: warns" grep -q "^warning: the run of synthetic-node-2 is incomplete (interrupted by SIGINT) (allowed by --allow-incomplete)" "$work/out"
check "full fleet: outlier fails" expect_exit 1 "$hr" compare --fleet "$fx/fleet"
finish
