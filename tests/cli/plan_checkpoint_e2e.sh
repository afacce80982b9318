#!/usr/bin/env bash
# Checkpoint and failure costs of `headroom plan train|search` and `report procurement`, and the
# inference cold start, end to end on the real binary. Known answers (tests/unit/planner/test_checkpoint.cpp):
# Llama 2 70B, 68,976,648,192 parameters × 14 B = 965,673,074,688 B; on 64 H100 = 8 nodes at 2 GB/s per
# node the write takes 60.354567 s.
# Usage: plan_checkpoint_e2e.sh HEADROOM SOURCE_DIR
set -u
hr=$1
src=$2
source "$src/tests/cli/e2e_lib.sh"
fx=$src/tests/unit/planner/fixtures
plan70=(plan train --model llama-2-70b --gpu H100 --gpus 64 --tp 8 --pp 2 --global-batch 1024 --seq-len 4096 --tokens 1e12 --zero 1)

# jq-like checks in python: py FILE EXPR (EXPR sees the document as d; true passes).
py() {
  python3 - "$1" "$2" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
if not ok:
    print("  python check failed:", sys.argv[2])
sys.exit(0 if ok else 1)
PY
}
schema_ok() {  # FILE validates against plan.schema.json (when jsonschema is installed)
  "$schema_py" - "$1" "$src/data/schemas/plan.schema.json" <<'PY'
import json, sys
try:
    import jsonschema
except ImportError:
    sys.exit(0)
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
PY
}

# --- Without the options: no block, no fields, the same text as before. ---
check "plain plan" expect_exit 0 "$hr" "${plan70[@]}"
check "plain text has no checkpoint block" bash -c "! grep -q 'Checkpoints and failures' '$work/out'"
check "plain goodput line" grep -q 'goodput 1 (share of wall time making progress)' "$work/out"
check "plain plan json" expect_exit 0 "$hr" "${plan70[@]}" --json
cp "$work/out" "$work/plain.json"
check "plain json has no checkpoints" py "$work/plain.json" '"checkpoints" not in d["result"] and "checkpoint" not in d["train"]'

# --- A datasheet GPU with --checkpoint-write (its profile has no storage figures). ---
check "sync checkpoints" expect_exit 0 "$hr" "${plan70[@]}" --checkpoint-every 30 --checkpoint-write 2 --json
cp "$work/out" "$work/sync.json"
check "sync json validates" schema_ok "$work/sync.json"
check "sync bytes" py "$work/sync.json" 'd["result"]["checkpoints"]["bytes"] == 965673074688'
check "sync nodes and write" py "$work/sync.json" \
  'd["result"]["checkpoints"]["nodes"] == 8 and abs(d["result"]["checkpoints"]["write_s"] - 60.354567) < 1e-5'
check "sync stall = write" py "$work/sync.json" 'd["result"]["checkpoints"]["stall_s"] == d["result"]["checkpoints"]["write_s"]'
check "sync count" py "$work/sync.json" \
  'd["result"]["checkpoints"]["count"] == math.floor(d["result"]["run"]["steps"] * d["result"]["step"]["step_s"] / 1800)'
check "sync time = productive + stalls" py "$work/sync.json" \
  'abs(d["result"]["run"]["time_to_train_s"] - d["result"]["checkpoints"]["productive_s"] - d["result"]["checkpoints"]["overhead_s"]) < 1e-3'
check "override provenance" py "$work/sync.json" '"override" in d["result"]["checkpoints"]["write_source"]'
check "shared filesystem assumption" py "$work/sync.json" \
  'any("aggregate limit is not modelled" in a for a in d["assumptions"])'
check "gpu hours grow" py "$work/sync.json" "d['summary']['gpu_hours'] > $(python3 -c "import json;print(json.load(open('$work/plain.json'))['summary']['gpu_hours'])")"
check "sync text" expect_exit 0 "$hr" "${plan70[@]}" --checkpoint-every 30 --checkpoint-write 2
check "text block" grep -q 'Checkpoints and failures' "$work/out"
check "text size" grep -q 'checkpoint size *965.7 GB' "$work/out"
check "text write" grep -q 'write *60.4 s   (8 nodes × 2 GB/s in parallel)' "$work/out"

# async with an interval shorter than the write: a warning line and a JSON flag.
check "async overrun" expect_exit 0 "$hr" "${plan70[@]}" --checkpoint-every 0.5 --checkpoint-write 2 --checkpoint-mode async
check "async warning" grep -q 'WARNING: the background write (60.4 s) does not finish within the interval (30 s)' "$work/out"
check "async overrun json" expect_exit 0 "$hr" "${plan70[@]}" --checkpoint-every 0.5 --checkpoint-write 2 --checkpoint-mode async --json
check "async flag" py "$work/out" 'd["result"]["checkpoints"]["write_within_interval"] is False and abs(d["result"]["checkpoints"]["copy_s"] - 0.2947) < 1e-4'

# Failures: Young's interval when no interval is given, and the self-consistent time.
check "mtbf alone" expect_exit 0 "$hr" "${plan70[@]}" --mtbf 10 --checkpoint-write 2 --checkpoint-read 4 --json
cp "$work/out" "$work/mtbf.json"
check "mtbf validates" schema_ok "$work/mtbf.json"
check "young used" py "$work/mtbf.json" \
  'd["result"]["checkpoints"]["interval_from_young"] and abs(d["result"]["checkpoints"]["interval_s"] - 2084.5932) < 1e-3'
check "failure cost" py "$work/mtbf.json" \
  'abs(d["result"]["checkpoints"]["failures"]["cost_per_failure_s"] - (2084.5932 / 2 + 600 + 30.177284)) < 1e-3'
check "failures = time / mtbf" py "$work/mtbf.json" \
  'abs(d["result"]["checkpoints"]["failures"]["expected"] - d["result"]["run"]["time_to_train_s"] / 36000) < 1e-6'
check "mtbf text" expect_exit 0 "$hr" "${plan70[@]}" --mtbf 10 --checkpoint-write 2 --checkpoint-read 4
check "young text" grep -q "Young's optimum: not given, chosen" "$work/out"

# --- Bad input: exit 2 naming the flag or the profile field and the flag that supplies it. ---
for v in 0 -5 nan inf; do
  check "--checkpoint-every $v" expect_exit 2 "$hr" "${plan70[@]}" --checkpoint-every "$v" --checkpoint-write 2
  check "--checkpoint-every $v message" grep -q -- '--checkpoint-every: expected minutes between checkpoints' "$work/err"
done
check "--mtbf 0" expect_exit 2 "$hr" "${plan70[@]}" --mtbf 0 --checkpoint-write 2 --checkpoint-read 4
check "--mtbf 0 message" grep -q -- '--mtbf: expected hours between interruptions' "$work/err"
check "--checkpoint-write -1" expect_exit 2 "$hr" "${plan70[@]}" --checkpoint-every 30 --checkpoint-write -1
# Below 1 MB/s per node is a unit slip, not storage (1e-300 printed a 300-digit time to train).
check "--checkpoint-write 1e-300" expect_exit 2 "$hr" "${plan70[@]}" --checkpoint-every 30 --checkpoint-write 1e-300
check "--checkpoint-write 1e-300 message" grep -q -- '--checkpoint-write: expected GB/s per node in \[0.001, 100000\], got 1e-300' "$work/err"
check "--checkpoint-write message" grep -q -- '--checkpoint-write: expected GB/s per node' "$work/err"
check "unknown mode" expect_exit 2 "$hr" "${plan70[@]}" --checkpoint-every 30 --checkpoint-write 2 --checkpoint-mode lazy
check "unknown mode message" grep -q -- "--checkpoint-mode: expected checkpoint mode 'sync' or 'async', got 'lazy'" "$work/err"
check "no write bandwidth" expect_exit 2 "$hr" "${plan70[@]}" --checkpoint-every 30
check "no write bandwidth message" grep -q -- 'h100-sxm5-80gb: $.storage.checkpoint_write_bytes_per_s: expected a known per-node write bandwidth.*--checkpoint-write GBPS' "$work/err"
check "no read bandwidth" expect_exit 2 "$hr" "${plan70[@]}" --mtbf 10 --checkpoint-write 2
check "no read bandwidth message" grep -q -- '$.storage.read_bytes_per_s: expected .*--checkpoint-read GBPS' "$work/err"
check "read without mtbf" expect_exit 2 "$hr" "${plan70[@]}" --checkpoint-every 30 --checkpoint-write 2 --checkpoint-read 4
check "read without mtbf message" grep -q -- '--checkpoint-read: expected --mtbf HOURS as well' "$work/err"
check "mode alone" expect_exit 2 "$hr" "${plan70[@]}" --checkpoint-mode async
check "mode alone message" grep -q -- '--checkpoint-mode: expected --checkpoint-every MIN or --mtbf HOURS as well' "$work/err"
check "never finishes" expect_exit 2 "$hr" "${plan70[@]}" --mtbf 0.2 --checkpoint-every 30 --checkpoint-write 2 --checkpoint-read 4
check "never finishes message" grep -q 'the job would never finish' "$work/err"
check "plan infer refuses --mtbf" expect_exit 2 "$hr" plan infer --model llama-3-70b --gpu H100 --tp 4 --context 2048 --output 256 --mtbf 3
check "plan infer refuses --checkpoint-every" expect_exit 2 "$hr" plan infer --model llama-3-70b --gpu H100 --tp 4 --context 2048 --output 256 --checkpoint-every 30

# --- A measured-style profile: storage.checkpoint and storage.seq_read from a results file. ---
python3 - "$fx/synthetic_results.json" "$work/results.json" <<'PY'
import copy, json, sys
d = json.load(open(sys.argv[1]))
read = next(c for c in d["cases"] if c["name"] == "storage.seq_read")
ck = copy.deepcopy(read)
ck["name"] = "storage.checkpoint"
ck["params"] = {"size_bytes": 1 << 30, "chunk_bytes": 1 << 24}
ck["param_order"] = ["size_bytes", "chunk_bytes"]
m = ck["metrics"][0]
m["name"] = "write_bytes_per_s"
m["samples"] = [2.5e9]
m["value"] = 2.5e9
for k in ("max", "mean", "median", "min", "p5", "p95"):
    m["summary"][k] = 2.5e9
d["cases"].append(ck)
json.dump(d, open(sys.argv[2], "w"))
PY
# One GPU's host measured as a one-GPU node (--gpus-per-node 1): its storage is the node's. Without
# the flag the profile keeps the H100 datasheet's 8-GPU node and leaves the host's storage out.
check "measured profile" expect_exit 0 "$hr" profile "$work/results.json" --base H100 --gpus-per-node 1 --out "$work/profile.json"
check "8-GPU node profile" expect_exit 0 "$hr" profile "$work/results.json" --base H100 --out "$work/profile8.json"
check "8-GPU node has no host storage" py "$work/profile8.json" \
  'd["gpus_per_node"]["value"] == 8 and d["storage"]["checkpoint_write_bytes_per_s"]["value"] is None and "not a node of 8" in d["notes"]'
check "measured checkpoint write" expect_exit 0 "$hr" plan train --model llama-2-70b --profile "$work/profile.json" --gpus 64 \
  --tp 8 --pp 2 --global-batch 1024 --seq-len 4096 --tokens 1e12 --checkpoint-every 30 --mtbf 100 --json
cp "$work/out" "$work/measured.json"
check "measured json validates" schema_ok "$work/measured.json"
check "measured write used" py "$work/measured.json" \
  'd["result"]["checkpoints"]["write_bytes_per_s_per_node"] == 2.5e9 and "measured" in d["result"]["checkpoints"]["write_source"] and "checkpoint_write_bytes_per_s" in d["result"]["checkpoints"]["write_source"]'
# One GPU per node: 64 nodes write and read.
check "measured nodes" py "$work/measured.json" 'd["result"]["checkpoints"]["nodes"] == 64'
check "measured read used" py "$work/measured.json" \
  'd["result"]["checkpoints"]["failures"]["read_bytes_per_s_per_node"] == 1.2e9 and abs(d["result"]["checkpoints"]["failures"]["load_s"] - 965673074688 / (64 * 1.2e9)) < 1e-6'
check "flag over measured" expect_exit 0 "$hr" plan train --model llama-2-70b --profile "$work/profile.json" --gpus 64 \
  --tp 8 --pp 2 --global-batch 1024 --seq-len 4096 --tokens 1e12 --checkpoint-every 30 --checkpoint-write 4 --json
check "flag over measured value" py "$work/out" 'd["result"]["checkpoints"]["write_bytes_per_s_per_node"] == 4e9'
# Inference cold start: known with the measured read bandwidth, unknown on a datasheet GPU.
check "cold start measured" expect_exit 0 "$hr" plan infer --model llama-3-70b --profile "$work/profile.json" --tp 4 \
  --context 2048 --output 256 --json
# (1 GPU per node in this profile: each node reads one GPU's weights)
check "cold start value" py "$work/out" \
  'abs(d["result"]["cold_start"]["time_s"] - d["result"]["memory_per_gpu"]["weights_bytes"] / 1.2e9) < 1e-6'
check "cold start validates" schema_ok "$work/out"
check "cold start text" expect_exit 0 "$hr" plan infer --model llama-3-70b --profile "$work/profile.json" --tp 4 --context 2048 --output 256
check "cold start line" grep -q 'cold start (weights load)' "$work/out"
check "cold start datasheet" expect_exit 0 "$hr" plan infer --model llama-3-70b --gpu H100 --tp 4 --context 2048 --output 256 --json
check "cold start unknown" py "$work/out" 'd["result"]["cold_start"]["time_s"] is None'

# --- The workload file: its settings, and a plan's train block read back as a workload. ---
check "workload file" expect_exit 0 "$hr" plan train --workload "$fx/workload_llama2_70b_checkpoint.json" --gpu H100 --json
cp "$work/out" "$work/file.json"
check "workload file figures" py "$work/file.json" \
  'abs(d["result"]["checkpoints"]["write_s"] - 60.354567) < 1e-5 and d["result"]["checkpoints"]["failures"]["mtbf_s"] == 36000'
python3 - "$work/file.json" "$work/back.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
json.dump({"schema": "headroom.workload", "schema_version": "1.0", "model": "llama-2-70b", "phase": "train",
           "gpus": 64, "parallelism": p["parallelism"], "train": p["train"]}, open(sys.argv[2], "w"))
PY
check "read back" expect_exit 0 "$hr" plan train --workload "$work/back.json" --gpu H100 --json
check "read back same time" py "$work/out" \
  "d['result']['run']['time_to_train_s'] == $(python3 -c "import json;print(repr(json.load(open('$work/file.json'))['result']['run']['time_to_train_s']))")"
check "flag over file" expect_exit 0 "$hr" plan train --workload "$fx/workload_llama2_70b_checkpoint.json" --gpu H100 --checkpoint-every 60 --json
check "flag over file value" py "$work/out" 'd["result"]["checkpoints"]["interval_s"] == 3600'

# --- plan search ranks by time-to-train with the costs; report procurement passes them through. ---
check "search" expect_exit 0 "$hr" plan search --model llama-2-13b --gpu H100 --gpus 16 --global-batch 256 --seq-len 4096 \
  --tokens 1e11 --checkpoint-every 10 --checkpoint-write 1 --mtbf 20 --checkpoint-read 2 --keep 3
check "search text" grep -q 'Ranked by time-to-train with checkpoints and failures' "$work/out"
check "search json" expect_exit 0 "$hr" plan search --model llama-2-13b --gpu H100 --gpus 16 --global-batch 256 --seq-len 4096 \
  --tokens 1e11 --checkpoint-every 10 --checkpoint-write 1 --mtbf 20 --checkpoint-read 2 --keep 3 --json
check "search order" py "$work/out" \
  'all(a["result"]["run"]["time_to_train_s"] <= b["result"]["run"]["time_to_train_s"] for a, b in zip(d["candidates"], d["candidates"][1:])) and all("checkpoints" in c["result"] for c in d["candidates"])'
check "search validates" schema_ok "$work/out"
check "procurement" expect_exit 0 "$hr" report procurement --model llama-2-7b --gpu H100 --gpus 64 --tokens 1e11 \
  --checkpoint-every 30 --checkpoint-write 2 --mtbf 100 --checkpoint-read 4 --out "$work/proc.html"
check "procurement infer refuses" expect_exit 2 "$hr" report procurement --model llama-2-7b --phase infer --gpu H100 \
  --context 100 --output 10 --mtbf 3 --out "$work/proc2.html"
check "procurement infer message" grep -q -- '--mtbf: expected --phase train' "$work/err"

finish
