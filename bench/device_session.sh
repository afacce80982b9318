#!/usr/bin/env bash
# One call on a lent GPU machine: check headroom's CUDA backend there and measure it beside PyTorch.
# Runs in the repository copy on that machine (it changes to the repository root itself), with a
# pack made by bench/device_pack.sh. Every stage has its own time limit, logs to OUTDIR/session.log
# and leaves its files in OUTDIR, so one failing stage costs its own minutes, not the call.
#
# Usage: bench/device_session.sh PACK_DIR OUTDIR [STAGES]
#   STAGES  comma-separated names from the list below (default env,gtest,quick,torch); they run in
#           the order of this list, whatever the order given. Their limits add up to more than a
#           device command may take (600 s): choose a subset that fits.
#     env       nvidia-smi, CPU, PyTorch, where cuBLASLt is, ldd of the binaries
#     gtest     tests/gpu (kernels checked against the CPU)          -> gtest_gpu.xml
#     inventory headroom inventory --json                            -> inventory.json
#     quick     headroom bench --suite quick --filter 'cuda.*'       -> gpu_quick.json (timed)
#     torch     bench/gpu_vs_torch.py (headroom / PyTorch ratios)    -> gpu_vs_torch.json
#     run       headroom run (the main job, every family, quick)     -> run/results.json, run/report.html
#     standard  headroom bench --suite standard --filter 'cuda.*'    -> gpu_standard.json
#     repeat    bench/cpu_repeatability.sh, 3 quick runs of each of REPEAT_FILTERS (default 'cpu.* cuda.*')
#     notes     cuda.gemm.bf16 quick, each case's message printed (clocks, power, limits) -> notes.json
#     blas      cpu.gemm.* as OpenBLAS chooses, then with OPENBLAS_CORETYPE=SkylakeX
#               -> cpu_gemm_default.json, cpu_gemm_skylakex.json
# Exit: 0 when every stage exited 0, else 1 (the log says which).
set -uo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 PACK_DIR OUTDIR [STAGES]" >&2
  exit 2
fi
pack=$(cd "$1" 2>/dev/null && pwd) || { echo "device_session: pack directory '$1' not found" >&2; exit 2; }
[[ -x $pack/bin/headroom ]] || { echo "device_session: $pack/bin/headroom missing: make the pack with bench/device_pack.sh" >&2; exit 2; }
out=$2 stages=${3:-env,gtest,quick,torch}
known=env,gtest,inventory,quick,torch,run,standard,notes,repeat,blas
IFS=, read -ra asked <<<"$stages"
for s in "${asked[@]}"; do
  [[ ,$known, == *,$s,* ]] || { echo "device_session: unknown stage '$s' (known: $known)" >&2; exit 2; }
done
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 2
log=$out/session.log
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
export HEADROOM_DATA_DIR=$root/data
export PYTHONUNBUFFERED=1

# cuBLASLt and NVML are dlopen'ed: look where a CUDA image keeps them.
libdirs=$pack/lib
for d in /usr/local/nvidia/lib64 /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
  $(find / -xdev -name 'libcublasLt.so.*' -printf '%h\n' 2>/dev/null | sort -u); do
  [[ -d $d ]] && libdirs+=:$d
done
# A wrapper, so only headroom sees the packed libraries (PyTorch keeps its own libstdc++).
hr=$pack/bin/hr
cat >"$hr" <<EOF
#!/usr/bin/env bash
LD_LIBRARY_PATH=$libdirs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} exec $pack/bin/headroom "\$@"
EOF
chmod +x "$hr"

failed=()
stage() {  # stage NAME SECONDS COMMAND...
  local name=$1 limit=$2
  shift 2
  [[ ,$stages, == *,$name,* ]] || return 0
  echo "=== $name (limit ${limit}s) $(date -u +%FT%TZ)" | tee -a "$log"
  local t0=$SECONDS
  timeout --signal=TERM --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  echo "=== $name: exit $rc after $((SECONDS - t0)) s" | tee -a "$log"
  [[ $rc -eq 0 ]] || failed+=("$name($rc)")
}

env_info() {
  nvidia-smi
  nvidia-smi --query-gpu=name,uuid,driver_version,pcie.link.gen.current,pcie.link.gen.max,pcie.link.width.current,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu,ecc.mode.current --format=csv
  nvidia-smi topo -m
  lscpu | grep -E 'Model name|^CPU\(s\)|Thread|Socket|NUMA|Flags' | cut -c1-160
  free -g
  df -h .
  python3 -c 'import torch; print("torch", torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0))'
  echo "LD dirs: $libdirs"
  LD_LIBRARY_PATH=$libdirs ldd "$pack/bin/headroom" | grep -E 'not found|=>' || true
  OPENBLAS_VERBOSE=2 "$hr" --version  # OpenBLAS names the kernel set it chose for this CPU
}

export libdirs pack hr
export -f env_info
stage env 60 bash -c env_info
stage gtest 180 env LD_LIBRARY_PATH="$libdirs" "$pack/bin/test_gpu_device" --gtest_output="xml:$out/gtest_gpu.xml"
stage inventory 60 bash -c "'$hr' inventory --json > '$out/inventory.json' && cat '$out/inventory.json'"
stage quick 240 "$hr" bench --suite quick --filter 'cuda.*' --out "$out/gpu_quick.json" --force
stage torch 420 python3 bench/gpu_vs_torch.py --headroom "$hr" --skip-suite --json "$out/gpu_vs_torch.json"
stage run 420 "$hr" run --out-dir "$out/run" --force
stage standard 300 "$hr" bench --suite standard --filter 'cuda.*' --out "$out/gpu_standard.json" --force
repeat_one() {  # quick-suite repeatability of each filter in REPEAT_FILTERS
  local - f rc=0
  set -f  # the filters are globs for headroom, not for the shell
  for f in ${REPEAT_FILTERS:-cpu.* cuda.*}; do RUNS=3 FILTER=$f bench/cpu_repeatability.sh "$hr" || rc=1; done
  return $rc
}
export -f repeat_one
stage repeat 300 bash -c repeat_one
notes_one() {  # a short smoke run: the bf16 GEMMs, every case's message printed
  "$hr" bench --suite quick --filter 'cuda.gemm.bf16' --quiet --out "$out/notes.json" --force &&
    python3 -c 'import json,sys; [print(c["name"], c["params"], c["status"], c["message"], sep="  ") for c in json.load(open(sys.argv[1]))["cases"]]' "$out/notes.json"
}
export -f notes_one
export out
stage notes 120 bash -c notes_one
stage blas 180 bash -c "'$hr' bench --suite quick --filter 'cpu.gemm.*' --out '$out/cpu_gemm_default.json' --force &&
  OPENBLAS_CORETYPE=SkylakeX '$hr' bench --suite quick --filter 'cpu.gemm.*' --out '$out/cpu_gemm_skylakex.json' --force"

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "device_session: failed stages: ${failed[*]}" | tee -a "$log"
  exit 1
fi
echo "device_session: every stage exited 0" | tee -a "$log"
