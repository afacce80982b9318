#!/usr/bin/env bash
# Install what headroom needs, build everything with warnings as errors (the CUDA/NCCL parts compile
# and link when the toolkit is present; GPU tests skip without a device), and run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset ci
cmake --build --preset ci
ctest --preset ci
