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
