#!/usr/bin/env bash
# Installs every Debian package headroom builds, tests and benchmarks with.
# Idempotent: packages already present are skipped. CUDA is not installed here:
# it is used when /usr/local/cuda (or nvcc on PATH) exists and skipped otherwise.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git python3
  libfmt-dev libcli11-dev nlohmann-json3-dev libeigen3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libbenchmark-tools
  libopenblas-dev libopenblas-openmp-dev libopenmpi-dev openmpi-bin liburing-dev fio
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev xvfb xauth python3-jsonschema
  chromium fonts-dejavu-core
  libpng-dev libxml2-utils python3-scipy python3-numpy
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
