#!/usr/bin/env bash
# End-to-end `headroom plan` / `headroom profile`: exit codes, --json alone on stdout, suggestions.
# Usage: cli_planner.sh HEADROOM_BINARY FIXTURES_DIR
set -u
bin=$1
fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check NAME EXPECTED_RC COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [[ $rc != "$want" ]]; then
    echo "FAIL $name: exit $rc, expected $want"; cat "$tmp/err"; fail=1
  else
    echo "ok   $name"
  fi
}
schemas=$(cd "$fixtures/../../../../data/schemas" && pwd)
is_plan_json() {  # parses, is a plan, and validates against plan.schema.json when jsonschema is installed
  python3 - "$1" "$schemas/plan.schema.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "headroom.plan", d["schema"]
assert d["assumptions"]
try:
    import jsonschema
except ImportError:
    sys.exit(0)
jsonschema.validate(d, json.load(open(sys.argv[2])))
PY
}

check list 0 "$bin" plan --list
grep -q h100-sxm5-80gb "$tmp/out" || { echo "FAIL list: no h100"; fail=1; }

check train-table 0 "$bin" plan train --model llama-2-7b --gpu A100 --gpus 8 --global-batch 64 --seq-len 4096 --tokens 1e9
grep -q "MFU" "$tmp/out" || { echo "FAIL train-table: no MFU row"; fail=1; }
check train-json 0 "$bin" plan train --model llama-2-7b --gpu H100 --gpus 8 --global-batch 64 --seq-len 4096 --json
is_plan_json "$tmp/out" || { echo "FAIL train-json: stdout is not plan.json"; fail=1; }

check infer-json 0 "$bin" plan infer --model llama-3-70b --gpu H100 --tp 4 --context 2048 --output 256 --qps 5 --json
is_plan_json "$tmp/out" || { echo "FAIL infer-json"; fail=1; }

check search-json 0 "$bin" plan search --model llama-2-13b --gpu H100 --gpus 16 --global-batch 256 --seq-len 4096 --json
is_plan_json "$tmp/out" || { echo "FAIL search-json"; fail=1; }

check out-file 0 "$bin" plan train --model llama-2-7b --gpu H100 --gpus 8 --global-batch 64 --seq-len 4096 --out "$tmp/plan.json"
is_plan_json "$tmp/plan.json" || { echo "FAIL out-file"; fail=1; }
check out-noclobber 2 "$bin" plan train --model llama-2-7b --gpu H100 --gpus 8 --global-batch 64 --seq-len 4096 --out "$tmp/plan.json"

check unknown-gpu 2 "$bin" plan train --model llama-2-7b --gpu H10 --gpus 8 --global-batch 64 --seq-len 4096
grep -q "did you mean" "$tmp/err" && grep -q "h100" "$tmp/err" || { echo "FAIL unknown-gpu: no suggestion"; cat "$tmp/err"; fail=1; }
check unknown-model 2 "$bin" plan train --model lama-2-7b --gpu H100
grep -q "llama-2-7b" "$tmp/err" || { echo "FAIL unknown-model: no suggestion"; fail=1; }
check bad-tp 2 "$bin" plan train --model llama-2-7b --gpu H100 --tp 3 --gpus 3 --global-batch 3 --seq-len 4096
grep -q 'parallelism.tp' "$tmp/err" || { echo "FAIL bad-tp: field not named"; cat "$tmp/err"; fail=1; }
check bad-pp 2 "$bin" plan train --model llama-2-7b --gpu H100 --pp 5 --gpus 5 --global-batch 5 --seq-len 4096
check bad-tokens 2 "$bin" plan train --model llama-2-7b --gpu H100 --gpus 8 --global-batch 64 --seq-len 4096 --tokens -1
# Bad input (issue 5): every case exits 2 and names the field or flag.
bad() {  # bad NAME FIELD ARGS...  (training flags on llama-2-7b / H100)
  local name=$1 field=$2
  shift 2
  check "$name" 2 "$bin" plan train --model llama-2-7b --gpu H100 "$@"
  grep -qF -- "$field" "$tmp/err" || { echo "FAIL $name: '$field' not named"; cat "$tmp/err"; fail=1; }
}
bad zero-gpus --gpus --gpus 0
bad negative-gpus --gpus --gpus -8
bad zero-seq --seq-len --gpus 8 --seq-len 0
bad zero-batch --global-batch --gpus 8 --global-batch 0
bad zero-micro --micro-batch --gpus 8 --micro-batch 0
bad nan-tokens train.tokens --gpus 8 --tokens nan
bad absurd-tokens train.tokens --gpus 8 --tokens 1e30
bad absurd-seq train.seq_len --gpus 8 --seq-len 99999999999
bad pp-not-dividing parallelism.pp --pp 5 --gpus 5 --global-batch 5
bad tp-not-dividing-heads parallelism.tp --tp 3 --gpus 3 --global-batch 3
check infer-nan-qps 2 "$bin" plan infer --model llama-2-7b --gpu H100 --context 100 --output 10 --qps nan
grep -q 'infer.qps' "$tmp/err" || { echo "FAIL infer-nan-qps: field not named"; fail=1; }
check infer-zero-context 2 "$bin" plan infer --model llama-2-7b --gpu H100 --context 0 --output 10
grep -q -- '--context' "$tmp/err" || { echo "FAIL infer-zero-context: flag not named"; fail=1; }

# Defaults a user expects: no --global-batch gives ~4 Mi tokens per step, stated as an assumption.
check default-batch 0 "$bin" plan train --model llama-3-70b --gpu H100 --gpus 64 --tp 8 --pp 2 --json
python3 - "$tmp/out" <<'PY' || { echo "FAIL default-batch"; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
t = d["train"]
assert t["global_batch"] * t["seq_len"] == 4 * 1024 * 1024, t
assert any("global batch not given" in a for a in d["assumptions"]), d["assumptions"]
r = d["result"]["step"]
assert r["dp_comm_exposed_s"] < 0.05 * r["step_s"], r  # the 4-sequence default used to make DP 54 % of the step
PY
# The search explains its winner against the runner-up.
check search-explain 0 "$bin" plan search --model llama-2-13b --gpu H100 --gpus 16 --seq-len 4096 --json
python3 - "$tmp/out" <<'PY' || { echo "FAIL search-explain"; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
e = d["explanation"]
c = d["candidates"]
tie = c[1]["result"]["step"]["step_s"] - c[0]["result"]["step"]["step_s"] <= 1e-3 * c[1]["result"]["step"]["step_s"]
assert ("take the same time per step" if tie else "beats the runner-up") in e["summary"], e
assert e["differences"] and e["terms"], e
# Memory binds here: a faster configuration without model parallelism does not fit in 80 GB.
assert e["binding"] and e["binding"].startswith("memory: ") and e["summary"].endswith(e["binding"]), e
assert abs(sum(t["saved_s"] for t in e["terms"]) - (c[1]["result"]["step"]["step_s"] - c[0]["result"]["step"]["step_s"])) < 1e-6 * c[1]["result"]["step"]["step_s"]
PY
check search-explain-table 0 "$bin" plan search --model llama-2-13b --gpu H100 --gpus 16 --seq-len 4096
grep -q "Why the winner" "$tmp/out" || { echo "FAIL search-explain-table"; fail=1; }

check null-fp8 2 "$bin" plan train --model llama-2-7b --gpu A100 --gpus 8 --global-batch 64 --seq-len 4096 --precision fp8
grep -q 'peak_flop_per_s.fp8' "$tmp/err" || { echo "FAIL null-fp8: field not named"; fail=1; }

cat >"$tmp/w.json" <<'JSON'
{"schema": "headroom.workload", "schema_version": "1.0", "name": "w", "model": "llama-3-8b", "phase": "train",
 "parallelism": {"tp": 2, "pp": 1, "dp": 4}, "train": {"global_batch": 128, "seq_len": 8192, "tokens": 1e11, "zero_stage": 1}}
JSON
check workload-file 0 "$bin" plan train --workload "$tmp/w.json" --gpu H100 --json
is_plan_json "$tmp/out" || { echo "FAIL workload-file"; fail=1; }
sed 's/"tp": 2/"tp": 5/' "$tmp/w.json" >"$tmp/bad.json"
check workload-bad 2 "$bin" plan train --workload "$tmp/bad.json" --gpu H100
grep -q 'bad.json' "$tmp/err" || { echo "FAIL workload-bad: file not named"; fail=1; }

check profile 0 "$bin" profile "$fixtures/synthetic_results.json" --base H100 --out "$tmp/profile.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="headroom.profile"; assert d["peak_flop_per_s"]["bf16"]["provenance"]=="measured"' "$tmp/profile.json" \
  || { echo "FAIL profile: content"; fail=1; }
check plan-with-profile 0 "$bin" plan train --model llama-2-7b --profile "$tmp/profile.json" --gpus 8 --global-batch 64 --seq-len 4096 --json
is_plan_json "$tmp/out" || { echo "FAIL plan-with-profile"; fail=1; }
check profile-missing 2 "$bin" profile "$tmp/nope.json"
check profile-stdout 0 "$bin" profile "$fixtures/synthetic_results.json"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" || { echo "FAIL profile-stdout"; fail=1; }
exit $fail
