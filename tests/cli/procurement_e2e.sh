#!/usr/bin/env bash
# End-to-end test of `headroom report procurement`. Usage: procurement_e2e.sh HEADROOM SOURCE_DIR
set -u
hr=$1
src=$2
source "$src/tests/cli/e2e_lib.sh"
scn=$src/data/scenarios/h100x64-onprem-vs-aws-p5.json

# Training: four datasheet options, one scenario, a time target.
check "train report" expect_exit 0 "$hr" report procurement --model llama-3-70b --gpus 64 --tokens 1e12 \
  --gpu H100 --gpu H200 --gpu a100-sxm4-80gb --gpu l40s --scenario "$scn" --max-days 200 --today 2026-11-22 \
  --out "$work/train.html"
check "paragraph printed" grep -q '^Recommended: ' "$work/out"
for id in recommendation fit time cost roofline assumptions; do
  check "section $id" grep -q "<section id=\"$id\">" "$work/train.html"
done
check "no script" bash -c "! grep -qi '<script' '$work/train.html'"
check "roofline is log-log svg" grep -q 'Roofline (achievable' "$work/train.html"
check "price source with as_of" grep -q '2024-08-01' "$work/train.html"
rec=$(sed -n 's/^Recommended: \([^.]*\)\. .*/\1/p' "$work/out")
check "H200 recommended (cheapest that fits in 200 days)" test "$rec" = "NVIDIA H200 SXM 141GB"
check "report's cost matches the paragraph" python3 - "$work/train.html" "$work/out" <<'PY'
import re, sys
html = open(sys.argv[1]).read(); out = open(sys.argv[2]).read()
m = re.search(r'cheapest of the \d+ options that fit and finish within 200\.0 days at (\$[0-9.]+ [kM]?)', out)
assert m, out
assert m.group(1) in html
PY
check "wrote once; refuses to overwrite" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 \
  --tokens 1e11 --gpu H100 --out "$work/train.html"
check "overwrite with --force" expect_exit 0 "$hr" report procurement --model llama-3-8b --gpus 8 --tokens 1e11 \
  --gpu H100 --out "$work/train.html" --force
check "no scenario: one option, the sentence in the singular" grep -q "Recommended: .*\. It fits;" "$work/out"

# An offloaded optimizer: an option whose hosts are too small is excluded for host memory, by name.
python3 - "$src/data/hardware/h100-sxm5-80gb.json" "$work/small-host.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p.update(id="h100-small-host", name="H100 with 64 GiB hosts", aliases=[])
p["host_memory_bytes"] = {"value": 64 * 2**30, "provenance": "override", "source": "test", "as_of": "2026-11-23"}
json.dump(p, open(sys.argv[2], "w"))
PY
check "offload report" expect_exit 0 "$hr" report procurement --model llama-3-8b --gpus 8 --tokens 1e11 \
  --offload optimizer --gpu H100 --profile "$work/small-host.json" --out "$work/offload.html"
check "host memory named" grep -q "H100 with 64 GiB hosts .* does not fit its offloaded optimizer in host memory (119.7 GiB per node needed, 57.6 GiB usable)" "$work/out"
# 70B on 16 GPUs: no layout fits 64 GiB hosts; the report shows the fastest layout that fits the GPUs
# and names host memory, while 2 TiB hosts fit.
python3 - "$work/small-host.json" "$work/big-host.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p.update(id="h100-big-host", name="H100 with 2 TiB hosts")
p["host_memory_bytes"]["value"] = 2048 * 2**30
json.dump(p, open(sys.argv[2], "w"))
PY
check "offload report, nothing fits the small hosts" expect_exit 0 "$hr" report procurement --model llama-3-70b \
  --gpus 16 --tokens 1e11 --offload optimizer --profile "$work/small-host.json" --profile "$work/big-host.json" \
  --out "$work/offload70.html"
check "small hosts excluded for host memory" grep -q "H100 with 64 GiB hosts .* does not fit its offloaded optimizer in host memory" "$work/out"
check "big hosts recommended" grep -q "^Recommended: H100 with 2 TiB hosts" "$work/out"
# --host-memory: one host design for every option; catalog profiles (no host memory) are then checked,
# and it replaces a measured profile's own value.
check "--host-memory 64: catalog H100 checked" expect_exit 0 "$hr" report procurement --model llama-3-8b --gpus 8 \
  --tokens 1e11 --offload optimizer --host-memory 64 --gpu H100 --profile "$work/big-host.json" \
  --out "$work/hm64.html"
check "catalog H100 excluded for host memory" grep -q "NVIDIA H100 SXM5 80GB does not fit its offloaded optimizer in host memory (119.7 GiB per node needed, 57.6 GiB usable)" "$work/out"
check "the 2 TiB profile is held to 64 GiB too" grep -q "H100 with 2 TiB hosts .* does not fit its offloaded optimizer in host memory (119.7 GiB per node needed, 57.6 GiB usable)" "$work/out"
check "header names --host-memory" grep -q "Host RAM: 64.0 GiB per node for every option (--host-memory)" "$work/hm64.html"
check "sources: host memory from --host-memory" grep -q '<td>host memory per node</td><td class="num">64.0 GiB</td><td>override</td><td class="src">--host-memory</td>' "$work/hm64.html"
check "--host-memory 256: fits" expect_exit 0 "$hr" report procurement --model llama-3-8b --gpus 8 --tokens 1e11 \
  --offload optimizer --host-memory 256 --gpu H100 --profile "$work/small-host.json" --out "$work/hm256.html"
check "recommended, host memory checked" grep -q "^Recommended: NVIDIA H100 SXM5 80GB\. .*Its offloaded optimizer needs 119.7 GiB of host memory per node (230.4 GiB usable)" "$work/out"
check "the 64 GiB profile is held to 256 GiB" bash -c "! grep -q 'does not fit' '$work/out'"
check "table: host fit checked" grep -q "host: 119.7 GiB per node of 230.4 GiB usable" "$work/hm256.html"
check "--host-memory without --offload" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 \
  --tokens 1e11 --host-memory 256 --gpu H100 --out "$work/x.html"
check "--host-memory names --offload" grep -q -- "--host-memory: expected --offload optimizer with it" "$work/err"
check "--host-memory for serving" expect_exit 2 "$hr" report procurement --model llama-3-8b --phase infer \
  --context 2048 --output 256 --host-memory 256 --gpu H100 --out "$work/x.html"
check "--host-memory named, training setting" grep -q -- "--host-memory: expected --phase train" "$work/err"
for v in 0 -5 inf nan 1e9; do
  check "--host-memory $v refused" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 --tokens 1e11 \
    --offload optimizer --host-memory "$v" --gpu H100 --out "$work/x.html"
  check "--host-memory $v named" grep -q -- "--host-memory: expected GiB of host RAM per node in (0, 100000]" "$work/err"
done
printf '{"schema":"headroom.workload","schema_version":"1.0","model":"llama-3-8b","phase":"train","gpus":8,"parallelism":{"dp":8},"train":{"global_batch":64,"seq_len":4096,"tokens":1e11,"zero_stage":0}}' > "$work/z0.json"
check "a workload file's ZeRO 0 with --offload: the search tries ZeRO 1-3" expect_exit 0 "$hr" report procurement \
  --workload "$work/z0.json" --offload optimizer --gpu H100 --out "$work/z0.html"
check "one GPU is a job" expect_exit 0 "$hr" report procurement --model llama-3-8b --gpus 1 --tokens 1e8 \
  --adapter qlora --gpu H100 --out "$work/one.html"
check "one GPU, singular" grep -q "on 1 GPU\." "$work/out"
# Every count in the report agrees with its noun (QA: "on 1 GPUs", "1 GPUs over 36 months", "1 nodes").
check "one GPU with a scenario" expect_exit 0 "$hr" report procurement --model llama-3-8b --gpus 1 --tokens 1e8 \
  --adapter qlora --gpu H100 --scenario "$scn" --today 2026-11-22 --out "$work/one-tco.html"
check "header: on 1 GPU" grep -q "Training Llama 3 8B on 1 GPU: " "$work/one-tco.html"
check "scenario: 1 GPU over 36 months" grep -q ": 1 GPU over 36 months</h3>" "$work/one-tco.html"
check "on-prem (1 node)" grep -q "<td>on-prem (1 node)</td>" "$work/one-tco.html"
check "no '1 GPUs' / '1 nodes' anywhere" bash -c "! grep -qE '(^|[^0-9.])1 (GPUs|nodes|months)' '$work/one-tco.html' '$work/out'"
# Two profiles of one GPU plan identically: a tie, not a win on speed (QA).
check "two identical H100 options" expect_exit 0 "$hr" report procurement --model llama-2-7b --gpus 8 --tokens 1e10 \
  --gpu H100 --profile "$src/data/hardware/h100-sxm5-80gb.json" --scenario "$scn" --today 2026-11-22 \
  --out "$work/tie.html"
check "they tie" grep -q "at the same speed (.* on 8 GPUs): the two tie, and NVIDIA H100 SXM5 80GB is listed first\." "$work/out"
check "no speed win claimed" bash -c "! grep -q 'wins on speed' '$work/out'"
# An offloaded optimizer: the header says so and the host memory each plan needs is stated (QA: only
# an excluded option showed it).
check "offload, host memory unknown" expect_exit 0 "$hr" report procurement --model llama-2-70b --gpu H100 --gpus 8 \
  --global-batch 64 --seq-len 4096 --offload optimizer --tokens 1e9 --scenario "$scn" --today 2026-11-22 \
  --out "$work/offload-host.html"
check "header: optimizer offloaded" grep -q "Optimizer offloaded to host memory (ZeRO-Offload" "$work/offload-host.html"
check "table: host memory per node" grep -q "host: 1035.6 GiB per node (host memory unknown: not checked)" "$work/offload-host.html"
check "plan: optimizer offloaded" grep -q "<td>TP 2 · PP 4 · DP 1 · SP · micro-batch 1 · recompute none · ZeRO 1 · optimizer offloaded</td>" "$work/offload-host.html"
check "paragraph: host memory needed" grep -q "Its offloaded optimizer needs 1035.6 GiB of host memory per node (the profile gives no host memory" "$work/out"
check "infer: each option's layout searched" expect_exit 0 "$hr" report procurement --model llama-3.1-405b \
  --phase infer --context 2048 --output 256 --qps 5 --tpot-slo 0.05 --gpu H100 --gpu H200 --out "$work/i405.html"
check "H100 serves 405B at TP 8 PP 2" grep -q "TP 8 · PP 2 · batch" "$work/i405.html"
check "infer: --tp keeps the layout (TP 8 alone does not fit an H100)" expect_exit 0 "$hr" report procurement \
  --model llama-3.1-405b --phase infer --context 2048 --output 256 --qps 5 --tp 8 --gpu H100 --out "$work/i405b.html"
check "no option recommended" grep -q "Nothing is recommended" "$work/out"
check "infer: the header says the layout was searched" grep -q "replica layout (TP × PP) searched per option" "$work/i405.html"
check "infer: --no-search keeps the workload's TP 1 (nothing fits)" expect_exit 0 "$hr" report procurement \
  --model llama-3.1-405b --phase infer --context 2048 --output 256 --no-search --gpu H100 --out "$work/i405c.html"
check "infer: --no-search header" grep -q "TP 1 · PP 1" "$work/i405c.html"
check "infer: no layout fits an L4 for DeepSeek-V3, and the option says so" expect_exit 0 "$hr" report procurement \
  --model deepseek-v3 --phase infer --context 2048 --output 256 --gpu L4 --out "$work/ds.html"
check "infer: the note names the layouts tried" grep -q "best of the 4 replica layouts tried" "$work/ds.html"
check "infer without an SLO: the target column says —" bash -c "! grep -q '<td>met</td>' '$work/ds.html'"
python3 - "$scn" "$work/eight.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["fleet"]["gpus"] = 8
json.dump(s, open(sys.argv[2], "w"))
PY
check "infer: without a QPS the fleet is whole replicas" expect_exit 0 "$hr" report procurement \
  --model llama-3.1-405b --phase infer --context 2048 --output 256 --tpot-slo 0.05 --gpu H100 \
  --scenario "$work/eight.json" --prices "$src/data/prices/catalog.json" --today 2026-11-22 --out "$work/i405d.html"
check "infer: fleet rounded to 16-GPU replicas" grep -q "GPUs rounded up to whole replicas of 16" "$work/i405d.html"
printf '{"schema":"headroom.workload","schema_version":"1.0","model":"llama-3-8b","phase":"train","gpus":8,"parallelism":{"dp":8},"train":{"global_batch":64,"seq_len":4096,"tokens":1e11}}' > "$work/z0b.json"
check "ZeRO 0 with --offload and --no-search names the workload field" expect_exit 2 "$hr" report procurement \
  --workload "$work/z0b.json" --offload optimizer --no-search --gpu H100 --out "$work/z0b.html"
check "the field is named" grep -q "zero_stage" "$work/err"
# Flags of the other phase are refused by name, or honoured where they mean something (QA: --gpus with
# --phase infer and --tp with training were ignored without a word).
check "--gpus is a training setting" expect_exit 2 "$hr" report procurement --model llama-3-8b --phase infer \
  --context 2048 --output 256 --gpus 16 --gpu H100 --out "$work/x.html"
check "--gpus named, with what sizes a serving fleet" grep -q -- "--gpus: expected --phase train (the GPUs of a training job; serving .*--qps" "$work/err"
check "training --tp without --no-search" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 \
  --tokens 1e11 --tp 4 --gpu H100 --out "$work/x.html"
check "--tp names --no-search" grep -q -- "--tp: expected --no-search as well for training" "$work/err"
check "training --tp with --no-search is the layout's TP" expect_exit 0 "$hr" report procurement --model llama-3-8b \
  --gpus 8 --tokens 1e11 --tp 4 --no-search --gpu H100 --out "$work/tp4.html"
check "TP 4 · DP 2 planned" grep -q "<td>TP 4 · PP 1 · DP 2 · micro-batch 1" "$work/tp4.html"
check "training --tp that does not divide the GPUs" expect_exit 2 "$hr" report procurement --model llama-3-8b \
  --gpus 8 --tokens 1e11 --tp 3 --no-search --gpu H100 --out "$work/x.html"
check "--tp divisor message" grep -q -- "--tp: expected a TP that, times PP 1 and CP 1, divides the 8 GPUs, got 3" "$work/err"
check "nothing written for a refused flag" test ! -e "$work/x.html"
check "offload is a training setting" expect_exit 2 "$hr" report procurement --model llama-3-8b --phase infer \
  --context 2048 --output 256 --offload optimizer --gpu H100 --out "$work/x.html"
check "utilisation below the TCO floor" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 \
  --tokens 1e11 --gpu H100 --scenario "$scn" --utilisation 0.0005 --out "$work/x.html"
check "--utilisation names the floor" grep -q -- "--utilisation: expected a busy fraction in \[0.001, 1\], got 0.0005" "$work/err"
check "goodput is a training setting" expect_exit 2 "$hr" report procurement --model llama-3-8b --phase infer \
  --context 2048 --output 256 --goodput 0.5 --gpu H100 --out "$work/x.html"
check "--goodput named" grep -q -- "--goodput: expected --phase train" "$work/err"

# Inference with a measured-style profile file (the catalog's JSON is a profile document).
check "infer report" expect_exit 0 "$hr" report procurement --model llama-3-8b --phase infer --context 2048 \
  --output 256 --qps 20 --gpu H100 --profile "$src/data/hardware/l40s.json" --scenario "$scn" --today 2026-11-22 \
  --out "$work/infer.html"
check "serving section" grep -q '<h2>Serving capacity</h2>' "$work/infer.html"
check "per million tokens" grep -q 'per million tokens' "$work/out"

# Bad input: exit 2, message names the flag, nothing written.
check "unknown gpu" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 --tokens 1e11 --gpu nosuch \
  --out "$work/bad.html"
check "unknown gpu named" grep -q "nosuch" "$work/err"
check "no tokens" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 --gpu H100 --out "$work/bad.html"
check "no tokens names flag" grep -q "tokens" "$work/err"
check "two scenarios for three options" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 \
  --tokens 1e11 --gpu H100 --gpu H200 --gpu l4 --scenario "$scn" --scenario "$scn" --out "$work/bad.html"
check "scenario count named" grep -q -- "--scenario" "$work/err"
check "negative days" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 --tokens 1e11 --gpu H100 \
  --max-days -3 --out "$work/bad.html"
check "horizon beyond 50 years" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 --tokens 1e11 \
  --gpu H100 --scenario "$scn" --years 1e30 --out "$work/bad.html"
check "horizon message" grep -q -- "--years: expected a number in (0, 50], got 1e+30" "$work/err"
check "infinite days" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 --tokens 1e11 --gpu H100 \
  --max-days inf --out "$work/bad.html"
check "infinite days message" grep -q -- "--max-days: expected a positive, finite number, got inf" "$work/err"
check "unknown precision" expect_exit 2 "$hr" report procurement --model llama-3-8b --gpus 8 --tokens 1e11 --gpu H100 \
  --precision fp7 --out "$work/bad.html"
check "precision message is whole" grep -q -- "--precision: expected a precision (.*bf16.*), got 'fp7'" "$work/err"
check "nothing written on bad input" test ! -e "$work/bad.html"
# A workload value given by flag is named by its flag (and field), as `plan` names it.
check "absurd qps" expect_exit 2 "$hr" report procurement --model llama-3-8b --phase infer --gpu H100 --context 2048 \
  --output 256 --qps 1e12 --out "$work/bad.html"
check "qps named by its flag" grep -q -- '--qps (\$.infer.qps): expected a finite number' "$work/err"

finish
