#!/usr/bin/env bash
# End-to-end test of what reaches stdout and exported files. Usage: output_errors_e2e.sh HEADROOM SOURCE_DIR
set -u
hr=$1
src=$2
source "$src/tests/cli/e2e_lib.sh"
export HEADROOM_DATA_DIR="$src/data"
fx=$work/fx
python3 "$src/tests/cli/reports_fixtures/make_fixtures.py" "$fx" || { echo "FAIL: fixtures"; exit 1; }

# full NAME CMD...: CMD with stdout on /dev/full (every write fails with ENOSPC) exits 3 and says so.
full() {
  local name=$1
  shift
  "$@" >/dev/full 2>"$work/err"
  local got=$?
  if [ "$got" -ne 3 ]; then
    echo "FAIL: $name: '$*' > /dev/full exited $got, expected 3; stderr: $(head -c 600 "$work/err")"
    failures=$((failures + 1))
  elif ! grep -q '^headroom: environment problem: cannot write to stdout: No space left on device' "$work/err"; then
    echo "FAIL: $name: no 'cannot write to stdout' message; stderr: $(head -c 600 "$work/err")"
    failures=$((failures + 1))
  else
    pass=$((pass + 1))
  fi
}

# --- stdout that cannot be written: exit 3 -------------------------------------------------------
# Small outputs (still in the stdio buffer when the command returns) and large ones (a write fails
# while printing).
full "bench json" "$hr" bench --filter 'cpu.peak.*' --quiet
full "bench csv" "$hr" bench --filter 'cpu.peak.*' --quiet --format csv
full "bench gbench" "$hr" bench --filter 'cpu.peak.*' --quiet --format gbench
full "inventory --json" "$hr" inventory --json
full "inventory" "$hr" inventory
full "list" "$hr" list
full "--help" "$hr" --help
full "--version" "$hr" --version
full "accept (rejected: 1 becomes 3)" "$hr" accept "$fx/gpu_bad.json"
full "accept --json" "$hr" accept "$fx/gpu_good.json" --json
full "compare --json" "$hr" compare "$fx/host_base.json" "$fx/host_same.json" --json --all
full "compare" "$hr" compare "$fx/host_base.json" "$fx/host_same.json" --all
full "profile" "$hr" profile "$fx/gpu_good.json" --base H100
full "tco --json" "$hr" tco --scenario "$src/data/scenarios/h100x64-onprem-vs-aws-p5.json" --today 2026-11-22 --json
full "plan --list" "$hr" plan --list
# Bad input stays exit 2 (its own message), not an output problem.
"$hr" list --filter 'zzz*' >/dev/full 2>"$work/err"
check "bad input keeps exit 2" test $? -eq 2
check "bad input keeps its message" grep -q -- "--filter" "$work/err"

# The same commands to a writable stdout still exit 0.
check "bench to stdout" expect_exit 0 "$hr" bench --filter 'cpu.peak.*' --quiet
check "bench stdout parses" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["cases"]' "$work/out"
check "list to stdout" expect_exit 0 "$hr" list
check "compare --json to stdout" expect_exit 0 "$hr" compare "$fx/host_base.json" "$fx/host_same.json" --json
check "compare --json parses" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out"
check "stdout closed to a pipe" bash -c "'$hr' list | grep -q cpu.peak"
# A stdout the caller closed, never written to, loses nothing (review: --out with >&- exited 3).
"$hr" bench --filter 'cpu.peak.*' --quiet --out "$work/closed.json" >&- 2>"$work/err"
check "closed stdout, output to --out: exit 0" test $? -eq 0
check "closed stdout: the file was written" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["cases"]' "$work/closed.json"

# --- gbench / CSV exports: device and incomplete marker ----------------------------------------
check "csv header" expect_exit 0 "$hr" bench --filter 'cpu.peak.*' --quiet --format csv
check "csv has device and incomplete columns" python3 -c 'import csv,sys
rows=list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["device"]=="host" and r["incomplete"]=="false" for r in rows), rows[:2]' "$work/out"
check "gbench complete" expect_exit 0 "$hr" bench --filter 'cpu.peak.*' --quiet --format gbench
check "gbench context not incomplete" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); assert d["context"]["headroom_incomplete"] is False
assert all("/device:" not in b["name"] for b in d["benchmarks"])  # host cases keep their names' "$work/out"

# Ctrl-C: what was measured is exported, marked incomplete, and stderr says INCOMPLETE (exit 130).
interrupt() {  # interrupt OUT ERR ARGS...: a long CPU run stopped by SIGINT after 3 s
  local out=$1 err=$2
  shift 2
  "$hr" bench --suite full --filter 'cpu.*' --quiet "$@" >"$out" 2>"$err" &
  local pid=$!
  sleep 3
  kill -INT $pid
  wait $pid
}
if "$hr" list --filter 'cpu.gemm.*' | grep -q cpu.gemm; then
  interrupt "$work/int.csv" "$work/int_csv.err" --format csv
  check "ctrl-c csv exit 130" test $? -eq 130
  check "ctrl-c csv INCOMPLETE on stderr" grep -q '^headroom: INCOMPLETE' "$work/int_csv.err"
  check "ctrl-c csv rows marked" python3 -c 'import csv,sys
rows=list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["incomplete"]=="true" for r in rows), rows[:2]' "$work/int.csv"
  interrupt "$work/int.gbench" "$work/int_gb.err" --format gbench
  check "ctrl-c gbench exit 130" test $? -eq 130
  check "ctrl-c gbench INCOMPLETE on stderr" grep -q '^headroom: INCOMPLETE' "$work/int_gb.err"
  check "ctrl-c gbench context marked" python3 -c 'import json,sys
c=json.load(open(sys.argv[1]))["context"]; assert c["headroom_incomplete"] is True and c["headroom_incomplete_reason"], c' "$work/int.gbench"
fi

# --- JUnit: any case message gives well-formed XML ----------------------------------------------
# An error case whose message holds code points XML 1.0 cannot carry (U+FFFF, U+FFFE, C0 controls),
# markup and a non-ASCII letter: the acceptance check on that case quotes the message.
python3 - "$fx/host_base.json" "$work/hostile.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = next(c for c in d["cases"] if c["name"] == "cpu.stream.triad")
c.update(status="error", message="bad \uffff\ufffe\u0001\u001b\u007f <x> & caf\u00e9 \U0001F600 end",
         metrics=[], samples_s=[])
json.dump(d, open(sys.argv[2], "w"))
PY
check "accept hostile message" expect_exit 1 "$hr" accept "$work/hostile.json" --junit "$work/hostile.xml"
check "junit parses (python)" python3 -c 'import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
msgs = [e.get("message") for e in root.iter() if e.get("message") and "bad " in e.get("message")]
assert msgs, "message not found"
m = msgs[0]
assert "\ufffd" in m and "\uffff" not in m and "\ufffe" not in m and "\x01" not in m, ascii(m)
assert "<x> & caf\u00e9 \U0001F600 end" in m, ascii(m)' "$work/hostile.xml"
if command -v xmllint >/dev/null; then
  check "junit well-formed (xmllint)" xmllint --noout "$work/hostile.xml"
fi

# --- compare --alpha: each one-sided test's level, the interval 1 - 2*alpha: (0, 0.5) -------------
for a in 0.5 0.7 1 0 -0.1; do
  check "--alpha $a refused" expect_exit 2 "$hr" compare "$fx/host_base.json" "$fx/host_same.json" --alpha "$a"
  check "--alpha $a message" grep -q -- "--alpha: expected a level in (0, 0.5)" "$work/err"
done
check "--alpha 0.49 accepted" expect_exit 0 "$hr" compare "$fx/host_base.json" "$fx/host_same.json" --alpha 0.49
check "--alpha 0.49 used" grep -q 'alpha 0.49' "$work/out"

finish
