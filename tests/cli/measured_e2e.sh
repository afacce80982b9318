#!/usr/bin/env bash
# End-to-end checks of the files in data/measured/ (what real GPU runs wrote) through the real binary.
# Usage: measured_e2e.sh HEADROOM SOURCE_DIR
set -u
hr=$1
src=$2
source "$src/tests/cli/e2e_lib.sh"
m=$src/data/measured
run=$m/h100-sxm5-80gb_2026-11-23.json
std=$m/h100-sxm5-80gb_2026-11-23_cuda-standard.json
prof=$m/h100-sxm5-80gb_2026-11-23_cuda-standard.profile.json

# Every results file and the profile are valid documents of their schemas.
for f in "$run" "$std" "$m"/h100-sxm5-80gb_2026-11-23_quick-*.json "$m"/h100-sxm5-80gb_2026-11-23_cpu-gemm-*.json; do
  check "schema $(basename "$f")" "$schema_py" "$src/tests/cli/validate_schema.py" "$src/data/schemas/results.schema.json" "$f"
done
check "schema profile" "$schema_py" "$src/tests/cli/validate_schema.py" "$src/data/schemas/profile.schema.json" "$prof"

# What they say about the run: the device, every GPU case passed and verified or waived for want of
# a second GPU, nothing made up.
check "results content" python3 - "$run" "$std" "$m"/h100-sxm5-80gb_2026-11-23_quick-*.json <<'PY'
import json, sys
for path in sys.argv[1:]:
    d = json.load(open(path))
    dev = d["devices"]
    assert len(dev) == 1 and dev[0]["name"] == "NVIDIA H100 80GB HBM3" and dev[0]["compute_capability"] == "9.0", dev
    assert dev[0]["pci_device_id"] == "0x2330" and dev[0]["memory_bytes"] == 85017493504, dev
    assert d["run"]["started_at"].startswith("2026-11-23"), d["run"]
    for c in d["cases"]:
        if not c["name"].startswith("cuda."):
            continue
        if c["status"] == "waived":
            assert "at least 2 GPUs" in c["message"], c
            continue
        assert c["status"] == "passed" and c["verified"] is True, (c["name"], c["params"], c["message"])
        for mt in c["metrics"]:
            assert mt["provenance"] == "measured" and mt["value"] > 0, (c["name"], mt)
PY

# The committed profile is what `headroom profile` makes of the committed results (the planner reads
# exactly what was measured), byte for byte when given the same relative path.
check "profile remade" expect_exit 0 bash -c "cd '$src' && '$hr' profile data/measured/$(basename "$std") --base h100-sxm5-80gb --out '$work/profile.json'"
check "profile identical" cmp "$work/profile.json" "$prof"

# The run saw one GPU: the profile keeps the datasheet's 8-GPU node, and --gpus-per-node sets another.
check "node layout from the datasheet" python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["gpus_per_node"]; assert g["value"] == 8 and g["provenance"] == "datasheet", g' "$prof"
check "profile --gpus-per-node" expect_exit 0 "$hr" profile "$std" --base h100-sxm5-80gb --gpus-per-node 4 --out "$work/p4.json"
check "gpus per node overridden" python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["gpus_per_node"]; assert g["value"] == 4 and g["provenance"] == "override", g' "$work/p4.json"
check "summary says so" grep -q "GPUs/node   4 (override)" "$work/err"
check "--gpus-per-node 0 refused" expect_exit 2 "$hr" profile "$std" --gpus-per-node 0

# Acceptance: the shipped H100 spec, picked by PCI id, accepts every run of this healthy card (its
# GEMM floors were set from them: docs/methodology.md, Acceptance).
check "accept quick run" expect_exit 0 "$hr" accept "$run"
check "accepted 7, NCCL skipped" grep -q "ACCEPTED: 7 passed, 0 failed, 1 skipped" "$work/out"
check "spec chosen by PCI id" grep -q "chosen by PCI id 10de:2330" "$work/out"
for f in "$std" "$m"/h100-sxm5-80gb_2026-11-23_quick-*.json; do
  check "accept $(basename "$f")" expect_exit 0 "$hr" accept "$f"
done

# A plan on the measured profile uses the measured rate: the best cuda.gemm.bf16 figure of the
# results, and a GEMM curve over the distinct sizes (FLOPs per call) of the passed shapes.
check "plan on measured profile" expect_exit 0 "$hr" plan train --profile "$prof" --model llama-3-8b --gpus 8 \
  --seq-len 8192 --global-batch 512 --zero 1 --json
check "plan uses the measured rates" python3 - "$work/out" "$std" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
res = json.load(open(sys.argv[2]))
bf16 = [c for c in res["cases"] if c["name"] == "cuda.gemm.bf16" and c["status"] == "passed"]
best = max(mt["value"] for c in bf16 for mt in c["metrics"] if mt["name"] == "flop_per_s")
sizes = {c["params"]["m"] * c["params"]["n"] * c["params"]["k"] for c in bf16}
text = " ".join(plan["assumptions"])
assert f"bf16 GEMM rate {best / 1e12:.4g} TFLOP/s measured" in text, (best, text)
assert f"measured curve of {len(sizes)} sizes" in text, (len(sizes), text)
rates = plan["result"]["step"]["gemm_flop_per_s"]
lo = min(mt["value"] for c in bf16 for mt in c["metrics"] if mt["name"] == "flop_per_s")
assert all(lo <= r <= best for r in rates.values()), rates  # interpolated inside the measured range
assert plan["result"]["memory_per_gpu"]["capacity_bytes"] == 85017493504, plan["result"]["memory_per_gpu"]
PY

# Reports from the measured files.
check "run report" expect_exit 0 "$hr" report run "$run" --out "$work/run.html"
check "run report names the GPU" grep -q "NVIDIA H100 80GB HBM3" "$work/run.html"
check "regression of a run against itself" expect_exit 0 "$hr" compare "$run" "$run"
check "nothing flagged, metrics tested" grep -Eq "^OK: 0 regression\(s\), 0 broken, 0 improvement\(s\) among [1-9][0-9]* metric" "$work/out"
# Two runs of the card by two code versions: the only inventory change listed is headroom's own
# version (same driver, CUDA and cuBLAS), and the GPU cases are compared (whatever the verdict: the
# card's clock moved between the runs).
check "regression across code versions" bash -c "'$hr' compare '$m/h100-sxm5-80gb_2026-11-23_quick-f325f88.json' '$run' --json > '$work/cmp.json'; test \$? -le 1"
check "compare json" python3 - "$work/cmp.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [c["field"] for c in d["inventory_changes"]] == ["headroom version"], d["inventory_changes"]
names = {r["case"] for r in d["metrics"]}
assert {"cuda.gemm.bf16", "cuda.hbm.copy", "cuda.pcie.h2d"} <= names, sorted(names)
assert d["tested"] > 100, d["tested"]
PY
# The OpenBLAS warning the default run carries, and the run with the kernels it suggested.
check "OpenBLAS warning recorded" python3 - "$m"/h100-sxm5-80gb_2026-11-23_cpu-gemm-default.json "$m"/h100-sxm5-80gb_2026-11-23_cpu-gemm-skylakex.json <<'PY'
import json, sys
default, skx = (json.load(open(p)) for p in sys.argv[1:3])
def blas(d):
    return {(c["name"], c["params"]["m"]): c for c in d["cases"] if c["params"].get("impl") == "blas"}
b0, b1 = blas(default), blas(skx)
assert b0 and all("WARNING: OpenBLAS chose its Prescott kernels" in c["message"] for c in b0.values())
assert all("core SkylakeX" in c["message"] and "WARNING" not in c["message"] for c in b1.values())
rate = lambda c: next(mt["value"] for mt in c["metrics"] if mt["name"] == "flop_per_s")
assert all(rate(b1[k]) > 2 * rate(b0[k]) for k in b0 if k[1] == 1024), "SkylakeX kernels are not faster"
PY
finish
