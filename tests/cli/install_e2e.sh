#!/usr/bin/env bash
# End-to-end test of `cmake --install`. Usage: install_e2e.sh CMAKE BUILD_DIR SOURCE_DIR
set -u
cmake_bin=$1
build=$2
src=$3
source "$src/tests/cli/e2e_lib.sh"
prefix=$work/prefix

check "install" expect_exit 0 "$cmake_bin" --install "$build" --prefix "$prefix"
hr=$prefix/bin/headroom
check "binary installed" test -x "$hr"
check "data installed" test -f "$prefix/share/headroom/data/hardware/h100-sxm5-80gb.json"
check "measured data installed" test -f "$prefix/share/headroom/data/measured/h100-sxm5-80gb_2026-11-23_cuda-standard.profile.json"
check "every library found" bash -c "! ldd '$hr' | grep -q 'not found'"
check "starts" expect_exit 0 env -u HEADROOM_DATA_DIR "$hr" --version
# The installed catalog is the one read: a GPU removed from it is unknown to the installed binary,
# although the source tree it was built from still has it.
check "the source tree has L4" test -f "$src/data/hardware/l4.json"
rm "$prefix/share/headroom/data/hardware/l4.json"
cd "$work" || exit 1
check "installed data is read" expect_exit 2 env -u HEADROOM_DATA_DIR "$hr" plan infer --model llama-3-8b --gpu L4 --context 1024 --output 128
check "unknown GPU named" grep -q "unknown GPU 'L4'" "$work/err"
check "installed plan" expect_exit 0 env -u HEADROOM_DATA_DIR "$hr" plan infer --model llama-3-8b --gpu H100 --context 1024 --output 128
check "installed measured profile" expect_exit 0 env -u HEADROOM_DATA_DIR "$hr" plan train --model llama-3-8b \
  --profile "$prefix/share/headroom/data/measured/h100-sxm5-80gb_2026-11-23_cuda-standard.profile.json" --gpus 8 --seq-len 8192 --global-batch 512
finish
