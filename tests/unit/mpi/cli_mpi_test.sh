#!/usr/bin/env bash
# mpirun -np N headroom bench --filter 'mpi.*' on this host (shared-memory loopback), checked.
set -euo pipefail
mpirun=$1 ranks=$2 headroom=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Open MPI refuses root without these; --oversubscribe allows more ranks than cores (and makes idle
# ranks yield the CPU instead of spinning).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$work"
"$mpirun" -np "$ranks" --oversubscribe "$headroom" bench --filter 'mpi.*' --min-bytes 64 --max-bytes 64KiB \
  --repetitions 3 --warmup 1 --quiet --out r.json > stdout.txt
[ ! -s stdout.txt ] || { cat stdout.txt; echo "FAIL: ranks printed to stdout"; exit 1; }
[ "$(ls)" = "$(printf 'r.json\nstdout.txt')" ] || { ls; echo "FAIL: unexpected files"; exit 1; }
python3 - r.json "$ranks" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert r["run"]["world_size"] == n, r["run"]["world_size"]
ranks = sorted(x for h in r["hosts"] for x in h["ranks"])
assert ranks == list(range(n)), r["hosts"]
factor = {"mpi.all_reduce": 2 * (n - 1) / n, "mpi.all_gather": (n - 1) / n,
          "mpi.reduce_scatter": (n - 1) / n, "mpi.broadcast": 1.0}
seen = set()
for c in r["cases"]:
    assert c["status"] == "passed", (c["name"], c["message"])
    assert c["params"]["ranks"] == n
    m = {x["name"]: x for x in c["metrics"]}
    if c["name"].endswith(".alpha_beta"):
        assert m["alpha_s"]["provenance"] == "derived" and m["alpha_s"]["value"] >= 0, m
        seen.add(c["name"])
        continue
    seen.add(c["name"])
    assert c["verified"] is True, c["name"]
    f = factor[c["name"]]
    for b, a in zip(m["busbw_bytes_per_s"]["samples"], m["algbw_bytes_per_s"]["samples"]):
        assert abs(b - a * f) <= 1e-9 * b, (c["name"], b, a, f)
    assert "median time per rank" in c["message"], c["message"]
assert seen == {f"mpi.{c}{s}" for c in ("all_reduce", "all_gather", "reduce_scatter", "broadcast")
                for s in ("", ".alpha_beta")}, seen
print(f"mpi.cli.np{n}: ok ({len(r['cases'])} cases)")
PY

# SIGUSR1 to mpirun (forwarded to every rank) stops all ranks after the same case: rank 0 writes the
# partial results, marked incomplete, and the job exits 130 instead of leaving a rank waiting in a
# collective. Rank 0 runs CPU cases alone while the others wait at the next case boundary.
"$mpirun" -np "$ranks" --oversubscribe "$headroom" bench --suite full --filter 'cpu.*' --out int.json \
  > /dev/null 2> int.err &
pid=$!
for _ in $(seq 1 600); do grep -q '^\[1/' int.err 2>/dev/null && break; sleep 0.1; done
kill -USR1 "$pid"
code=0
timeout 120 tail --pid="$pid" -f /dev/null || { kill -KILL "$pid"; echo "FAIL: ranks hung after SIGUSR1"; exit 1; }
wait "$pid" || code=$?
[ "$code" -eq 130 ] || { cat int.err; echo "FAIL: interrupted run exited $code, expected 130"; exit 1; }
python3 - int.json "$ranks" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["run"]["incomplete"] is True and r["run"]["incomplete_reason"].startswith("interrupted"), r["run"]
assert r["run"]["world_size"] == int(sys.argv[2]) and 0 < len(r["cases"]) < 40, len(r["cases"])
print(f"mpi.cli.np{sys.argv[2]}: SIGUSR1 stopped all ranks after {len(r['cases'])} cases")
PY

# A rank that stops inside the run (SIGSTOP: as a rank wedged on a hung device or driver would)
# leaves the others waiting in a collective. --case-timeout ends the job with exit 3 and a message
# naming the rank and the case, instead of a job that waits forever; nothing is written.
# The rank is stopped as soon as rank 0 announces the cases (the ranks are past MPI_Init and into the
# run), so the job cannot finish first; the limit, 20 s, is far above what one case of this sweep
# takes with 4 ranks on 2 loaded CPUs (a case of 200 repetitions took over 4 s there).
"$mpirun" -np "$ranks" --oversubscribe "$headroom" bench --suite standard --filter 'mpi.all_reduce' \
  --case-timeout 20 --out stuck.json > /dev/null 2> stuck.err &
pid=$!
stopped=""
for _ in $(seq 1 900); do
  for p in $(pgrep -f "bench --suite standard --filter mpi.all_reduce --case-timeout 20 --out stuck.json" || true); do
    if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$((ranks - 1))"; then
      stopped=$p
    fi
  done
  [ -n "$stopped" ] && grep -q 'cases to run' stuck.err 2>/dev/null && break
  sleep 0.1
done
[ -n "$stopped" ] || { kill -KILL "$pid"; cat stuck.err; echo "FAIL: rank $((ranks - 1)) not found"; exit 1; }
kill -STOP "$stopped" || { kill -KILL "$pid" 2>/dev/null; cat stuck.err; echo "FAIL: rank $((ranks - 1)) ended before it could be stopped"; exit 1; }
code=0
timeout 120 tail --pid="$pid" -f /dev/null || { kill -KILL "$pid" "$stopped"; echo "FAIL: the watchdog did not end the job"; exit 1; }
wait "$pid" || code=$?
kill -KILL "$stopped" 2>/dev/null || true
[ "$code" -eq 3 ] || { cat stuck.err; echo "FAIL: stuck job exited $code, expected 3"; exit 1; }
grep -q "^headroom: rank [0-9]* of $ranks: round 1 of 3, case [0-9]* of [0-9]* (mpi.all_reduce .*) has not finished after 20 s (--case-timeout): another rank has probably failed or stopped" stuck.err \
  || { cat stuck.err; echo "FAIL: no watchdog message"; exit 1; }
[ ! -e stuck.json ] || { echo "FAIL: a stuck job wrote results"; exit 1; }
echo "mpi.cli.np$ranks: --case-timeout ended a job with a stopped rank (exit 3)"
