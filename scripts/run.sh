#!/usr/bin/env bash
# The main job on this machine: install what headroom needs, build it (Release; CUDA, NCCL, MPI,
# Qt and io_uring are used when present), and benchmark this machine with the quick suite.
# Leaves headroom-out/results.json and headroom-out/report.html (replacing earlier ones).
# Extra arguments go to `headroom run`, e.g. scripts/run.sh --suite standard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
./build/release/cli/headroom run --out-dir headroom-out --force "$@"
