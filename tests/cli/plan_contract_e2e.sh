#!/usr/bin/env bash
# Bad-input contract of `headroom plan` (the planner's own end-to-end runs are in
# tests/unit/planner/cli_planner.sh): exit 2 and a message naming the flag or field.
# Usage: plan_contract_e2e.sh HEADROOM SOURCE_DIR
set -u
hr=$1
src=$2
source "$src/tests/cli/e2e_lib.sh"
fx=$src/tests/unit/planner/fixtures

# No subcommand: bad input with the usage, as `headroom report` without a kind.
check "plan alone exits 2" expect_exit 2 "$hr" plan
check "plan alone prints the usage" grep -q 'Subcommands:' "$work/err"
check "plan alone names what is missing" grep -q 'train, infer or search' "$work/err"
check "plan --list still works" expect_exit 0 "$hr" plan --list

# --gpus against explicit parallel sizes: refused, not silently re-planned on tp·pp·dp·cp GPUs.
check "--gpus 8 --dp 4 refused" expect_exit 2 "$hr" plan train --model llama-3-8b --gpu H100 --gpus 8 --dp 4 --tokens 1e11
check "--gpus message" grep -q -- '--gpus: expected tp·pp·dp·cp = 1·1·4·1 = 4 GPUs (--dp is given), got 8' "$work/err"
check "--gpus that agrees" expect_exit 0 "$hr" plan train --model llama-3-8b --gpu H100 --gpus 8 --tp 2 --dp 4 --tokens 1e11
check "agreeing plan on 8 GPUs" grep -q 'on 8 ×' "$work/out"

# A workload file of the other phase: the phase is named, not a field of the other section.
check "infer workload to plan train" expect_exit 2 "$hr" plan train --workload "$fx/workload_llama3_70b_infer.json" --gpu H100
check "plan train phase message" grep -q '\$.phase: expected "train" for `headroom plan train`, got "infer"' "$work/err"
check "infer workload to plan search" expect_exit 2 "$hr" plan search --workload "$fx/workload_llama3_70b_infer.json" --gpu H100
check "plan search phase message" grep -q '\$.phase: expected "train" for `headroom plan search`, got "infer"' "$work/err"
check "train workload to plan infer" expect_exit 2 "$hr" plan infer --workload "$fx/workload_llama3_8b_train.json" --gpu H100
check "plan infer phase message" grep -q '\$.phase: expected "infer" for `headroom plan infer`, got "train"' "$work/err"

# A TP that does not divide the heads is named as such, not as a GPU count it does not divide.
check "--tp 3 on a workload" expect_exit 2 "$hr" plan train --workload "$fx/workload_llama3_8b_train.json" --gpu H100 --tp 3
check "--tp 3 message" grep -q -- "--tp (\$.parallelism.tp): expected a divisor of the model's num_heads (32), got 3" "$work/err"
check "--tp 3 --gpus 8" expect_exit 2 "$hr" plan train --model llama-3-8b --gpu H100 --tp 3 --gpus 8 --tokens 1e11
check "--tp 3 --gpus 8 message" grep -q -- "--tp (\$.parallelism.tp): expected a divisor" "$work/err"


# Out-of-range sizes are refused before any arithmetic on them, echoing what was typed
# (99999999999999999999 reads as INT64_MAX and overflowed the default global batch).
check "--micro-batch huge refused" expect_exit 2 "$hr" plan train --model llama-3-8b --gpu H100 --gpus 8 --micro-batch 99999999999999999999
check "--micro-batch huge message" grep -q -- '--micro-batch ($.train.micro_batch): expected an integer in \[1, 67108864\], got 99999999999999999999' "$work/err"
check "--seq-len huge refused (search)" expect_exit 2 "$hr" plan search --model llama-3-8b --gpu H100 --gpus 8 --seq-len 99999999999999999999
check "--seq-len huge message" grep -q -- '--seq-len ($.train.seq_len): expected an integer in \[1, 16777216\], got 99999999999999999999' "$work/err"
check "procurement --seq-len huge refused" expect_exit 2 "$hr" report procurement --phase train --model llama-3-8b --gpu H100 --gpus 8 --seq-len 99999999999999999999 --out "$work/p.html"
check "procurement wrote nothing" test ! -e "$work/p.html"
# An empty argument is never "the default": every option that takes a value refuses it.
for flag in --zero --tokens --dp-overlap --first-stage-layers; do
  check "$flag '' refused" expect_exit 2 "$hr" plan train --model llama-3-8b --gpu H100 --gpus 8 "$flag" ''
  check "$flag '' message" grep -q -- "$flag: a value, got an empty argument" "$work/err"
done
check "tco --years '' refused" expect_exit 2 "$hr" tco --scenario "$src/data/scenarios/h100x64-onprem-vs-aws-p5.json" --years ''

finish
