#!/usr/bin/env bash
# End-to-end test of `headroom` bench/run/list/inventory. Usage: run_bench_e2e.sh HEADROOM SOURCE_DIR
set -u
hr=$1
src=$2
source "$src/tests/cli/e2e_lib.sh"
fast='cpu.peak.*'   # derived cases: instant, present on every machine

check "--version" expect_exit 0 "$hr" --version
check "--version text" grep -q '^headroom [0-9]' "$work/out"
check "inventory" expect_exit 0 "$hr" inventory
check "inventory names the CPU" grep -q '^cpu ' "$work/out"
check "inventory --json" expect_exit 0 "$hr" inventory --json
check "inventory --json parses" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["host"]["hostname"]' "$work/out"
check "list" expect_exit 0 "$hr" list
check "list shows params" grep -q 'param ' "$work/out"
check "list --filter matching nothing" expect_exit 2 "$hr" list --filter 'zzz*'
check "list --filter message" grep -q -- "--filter: expected a glob matching at least one benchmark name, got 'zzz\*'" "$work/err"

# bench -> results.json that the schema accepts and headroom itself reloads
check "bench json" expect_exit 0 "$hr" bench --filter "$fast" --out "$work/r.json"
check "results schema" "$schema_py" "$src/tests/cli/validate_schema.py" "$src/data/schemas/results.schema.json" "$work/r.json"
check "results has cases" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="headroom.results" and len(d["cases"])>0 and d["run"]["policy"]["repetitions"]==9' "$work/r.json"

# --rounds: an interleavable case (cpu.clock) pools the samples of every round; the policy says so
check "bench --rounds" expect_exit 0 "$hr" bench --filter 'cpu.clock' --rounds 2 --repetitions 5 --out "$work/rounds.json"
check "rounds recorded and pooled" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["run"]["policy"]["rounds"]==2 and all(len(c["samples_s"])==5 for c in d["cases"]), d["run"]["policy"]' "$work/rounds.json"
check "--rounds 0 refused" expect_exit 2 "$hr" bench --filter 'cpu.clock' --rounds 0 --out "$work/r0.json"
check "--rounds message" grep -q -- '--rounds' "$work/err"

# run.activity: what other processes did meanwhile. Two busy loops beside a ~1 s case keep at least
# half a CPU busy whatever else runs: the run records it, warns on stderr and says so in run.notes.
check "activity recorded" python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["run"]["activity"]; assert a["cpus"]>=1 and a["wall_s"]>=0 and a["other_busy_cpus"]>=0 and a["steal_cpus"]>=0, a' "$work/r.json"
busy_pids=()
for _ in 1 2; do (while :; do :; done) & busy_pids+=($!); done
check "bench beside busy loops" expect_exit 0 "$hr" bench --filter 'cpu.clock' --repetitions 9 --out "$work/busy.json"
kill "${busy_pids[@]}" 2>/dev/null; wait "${busy_pids[@]}" 2>/dev/null
check "busy run warned" grep -q '^headroom: warning: the machine was busy: other processes kept [0-9.]* of [0-9]* CPUs busy' "$work/err"
check "busy run recorded" python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); a=d["run"]["activity"]
assert a["other_busy_cpus"]>=0.5, a
assert any(n.startswith("the machine was busy") for n in d["run"]["notes"]), d["run"]["notes"]' "$work/busy.json"

# --case-timeout: seconds, 0 = never; anything else is refused before any work
for bad in -1 nan inf 1e9 abc; do
  check "--case-timeout '$bad' refused" expect_exit 2 "$hr" bench --filter "$fast" --case-timeout "$bad" --out "$work/ct.json"
  check "--case-timeout '$bad' message" grep -q -- "--case-timeout: expected seconds, a number from 0 (never) to 1e7, got '$bad'" "$work/err"
done
# An empty argument is refused for every option that takes a value (CLI11 would keep the default).
check "--case-timeout '' refused" expect_exit 2 "$hr" bench --filter "$fast" --case-timeout '' --out "$work/ct.json"
check "--case-timeout '' message" grep -q -- "--case-timeout: a value, got an empty argument" "$work/err"
check "--case-timeout refusal wrote nothing" test ! -e "$work/ct.json"
check "--case-timeout 0 accepted" expect_exit 0 "$hr" bench --filter "$fast" --case-timeout 0 --out "$work/ct0.json"

# never clobber without --force; the existing file stays byte-identical
cp "$work/r.json" "$work/r.orig"
check "no clobber" expect_exit 2 "$hr" bench --filter "$fast" --out "$work/r.json"
check "no clobber message" grep -q -- '--force' "$work/err"
check "file unchanged" cmp -s "$work/r.json" "$work/r.orig"
check "--force replaces" expect_exit 0 "$hr" bench --filter "$fast" --out "$work/r.json" --force

# formats
check "gbench" expect_exit 0 "$hr" bench --filter "$fast" --format gbench --out "$work/g.json"
check "gbench shape" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "context" in d and len(d["benchmarks"])>0' "$work/g.json"
# Passed derived cases are not errors: one iteration, the value as a counter, the wall time as time.
check "gbench derived cases" python3 -c 'import json,sys
b=json.load(open(sys.argv[1]))["benchmarks"]
assert len(b)==len({x["name"] for x in b})>0, [x["name"] for x in b]
for x in b:
    assert "error_occurred" not in x and x["run_type"]=="iteration" and x["iterations"]==1 and x["repetitions"]==1, x
    assert x["real_time"]>0 and x["real_time"]==x["cpu_time"] and x["flop_per_s"]>1e6, x' "$work/g.json"
# A measured case with a one-pass metric: create_files_per_s (one sample) is no per-repetition counter,
# read_files_per_s (one per repetition) is; the aggregates carry both.
check "gbench storage" expect_exit 0 "$hr" bench --filter 'storage.small_files' --storage-dir "$work" --format gbench --out "$work/gs.json"
check "gbench per-repetition counters" python3 -c 'import json,sys
b=json.load(open(sys.argv[1]))["benchmarks"]
it=[x for x in b if x["run_type"]=="iteration"]
agg={x["aggregate_name"]: x for x in b if x["run_type"]=="aggregate"}
assert len(it)==9 and sorted(agg)==["mean","median","stddev"], b
assert len({x["read_files_per_s"] for x in it})>1 and not any("create_files_per_s" in x for x in it), it
assert agg["mean"]["create_files_per_s"]==agg["median"]["create_files_per_s"]>0 and "create_files_per_s" not in agg["stddev"], agg
assert min(x["read_files_per_s"] for x in it) <= agg["median"]["read_files_per_s"] <= max(x["read_files_per_s"] for x in it), agg
assert agg["stddev"]["read_files_per_s"]>0' "$work/gs.json"
check "csv" expect_exit 0 "$hr" bench --filter "$fast" --format csv --out "$work/r.csv"
check "csv header" grep -q '^case,params,device,status,metric,unit' "$work/r.csv"

# bad input: exit 2, a message naming the problem, no file left behind
check "unknown suite" expect_exit 2 "$hr" bench --suite huge
check "filter matching nothing" expect_exit 2 "$hr" bench --filter 'nope.*' --out "$work/none.json"
check "filter message" grep -q -- '--filter' "$work/err"
check "nothing written" test ! -e "$work/none.json"
check "missing directory" expect_exit 2 "$hr" bench --filter "$fast" --out "$work/no/such/dir/r.json"
check "missing dir message" grep -q 'does not exist' "$work/err"
check "bad format" expect_exit 2 "$hr" bench --format xml
check "no temporaries" bash -c "! ls -a '$work' | grep -q '\.tmp\.'"

# run: results.json + report.html in --out-dir
check "run" expect_exit 0 "$hr" run --filter "$fast" --out-dir "$work/out1" --quiet
check "run results" test -s "$work/out1/results.json"
check "run report" grep -q '<h2>Inventory</h2>' "$work/out1/report.html"
check "run report self-contained" bash -c "! grep -qiE '<script|https?://' '$work/out1/report.html'"
check "run refuses existing" expect_exit 2 "$hr" run --filter "$fast" --out-dir "$work/out1" --quiet
# Bad flags are refused before --out-dir is created: no empty directory is left behind.
check "run bad --filter" expect_exit 2 "$hr" run --filter 'zzz*' --out-dir "$work/out_bad1" --quiet
check "run bad --filter: no directory" test ! -e "$work/out_bad1"
check "run bad --storage-size" expect_exit 2 "$hr" run --filter 'storage.*' --storage-size 3zz --out-dir "$work/out_bad2" --quiet
check "run bad --storage-size message" grep -q -- '--storage-size' "$work/err"
check "run bad --storage-size: no directory" test ! -e "$work/out_bad2"
# `headroom report run` renders run's report.html again from a results file, byte for byte.
check "report run" expect_exit 0 "$hr" report run "$work/out1/results.json" --out "$work/again.html"
check "report run = run's report" cmp -s "$work/again.html" "$work/out1/report.html"
check "report run refuses existing" expect_exit 2 "$hr" report run "$work/out1/results.json" --out "$work/again.html"

# report.html cannot be written (its write fails with EFBIG under a file-size limit that results.json
# fits): results.json is kept, exit 3, and the message says which file was written, which was not,
# and how to render the report without measuring again. The limit is set between the two sizes.
res_kb=$(( ($(stat -c %s "$work/out1/results.json") + 1023) / 1024 ))
html_kb=$(( $(stat -c %s "$work/out1/report.html") / 1024 ))
if [ "$html_kb" -gt "$res_kb" ]; then
  check "run, report too big" expect_exit 3 bash -c "trap '' XFSZ; ulimit -f $res_kb; exec '$hr' run --filter '$fast' --out-dir '$work/full' --quiet"
  check "run, report too big: results kept" "$hr" report run "$work/full/results.json" --out "$work/full/report.html"
  check "run, report too big: message" grep -q "the measurements are kept: $work/full/results.json was written, $work/full/report.html was not. Render the report from them with \`headroom report run $work/full/results.json --out $work/full/report.html\`" "$work/err"
  check "run, report too big: no temporaries" bash -c "! ls -a '$work/full' | grep -q '\.tmp\.'"
else
  echo "note: report.html ($html_kb KiB) is not larger than results.json ($res_kb KiB): the kept-results case is skipped"
fi

# Exit codes of paths (README): an output path the user named that cannot be written is bad input
# (2), a read-only filesystem included; a scratch directory the user did not choose is the
# environment (3) and the message names --storage-dir. A read-only tmpfs in a user + mount
# namespace stands in for a read-only disk (skipped where unprivileged namespaces are off).
if unshare -rm true 2>/dev/null; then
  mkdir -p "$work/rofs"
  rofs() { unshare -rm bash -c "mount -t tmpfs -o size=1m tmpfs '$work/rofs' && mount -o remount,ro '$work/rofs' && cd '$work/rofs' && $*"; }
  check "--out on a read-only fs" expect_exit 2 rofs "'$hr' bench --filter '$fast' --quiet --out '$work/rofs/x.json'"
  check "--out on a read-only fs: message" grep -q "expected a writable path" "$work/err"
  check "--out-dir on a read-only fs" expect_exit 2 rofs "'$hr' run --filter '$fast' --quiet --out-dir '$work/rofs/sub'"
  if "$hr" list --filter 'storage.seq_read' | grep -q storage.seq_read; then
    check "storage in a read-only working dir" expect_exit 3 rofs "'$hr' bench --filter storage.seq_read --quiet --out '$work/ro_storage.json'"
    check "storage in a read-only working dir: message" grep -q "(the working directory; choose another with --storage-dir) is on a read-only filesystem" "$work/err"
  fi
else
  echo "note: no unprivileged user + mount namespace: the read-only filesystem cases are skipped"
fi

# Ctrl-C: results gathered so far are written, marked incomplete, exit 130
if "$hr" list --filter 'cpu.gemm.*' | grep -q cpu.gemm; then
  "$hr" bench --suite full --filter 'cpu.*' --out "$work/int.json" --quiet 2>"$work/int.err" &
  pid=$!
  sleep 4
  kill -INT $pid
  wait $pid
  code=$?
  check "ctrl-c exit 130" test "$code" -eq 130
  check "ctrl-c results incomplete" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["run"]["incomplete"] is True and d["run"]["incomplete_reason"]' "$work/int.json"
fi

finish
