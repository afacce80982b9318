#!/usr/bin/env bash
# Bad-input contract of `headroom plan` (the planner's own end-to-end runs are in
# tests/unit/planner/cli_planner.sh): exit 2 and a message naming the flag or field.
# Usage: plan_contract_e2e.sh HEADROOM SOURCE_DIR
set -u
hr=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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

finish
