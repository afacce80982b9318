#!/usr/bin/env bash
# Packs a headroom build for a GPU machine that has CUDA's driver but none of headroom's build
# dependencies (fmt, io_uring, OpenBLAS, libgomp): the binaries plus every shared library they load
# that is not part of glibc, the GPU driver or the CUDA toolkit's cuBLAS (cuBLASLt and NVML are
# dlopen'ed at run time from the machine's own driver and toolkit). bench/device_session.sh runs it.
#
# Usage: bench/device_pack.sh BUILD_DIR PACK_DIR
#   BUILD_DIR  a build configured for the target machine, e.g.
#              cmake -S . -B build-dev -G Ninja -DCMAKE_BUILD_TYPE=Release -DHEADROOM_NATIVE=OFF \
#                -DCMAKE_CXX_FLAGS=-march=x86-64-v3 -DCMAKE_CUDA_ARCHITECTURES=90 \
#                -DHEADROOM_WITH_NCCL=OFF -DHEADROOM_WITH_MPI=OFF -DHEADROOM_WITH_QT=OFF
#              ninja -C build-dev headroom test_gpu_device
#              (NCCL is left out because libnccl is over 200 MB and its collectives need 2+ GPUs;
#              MPI because a single process needs no launcher; -march=x86-64-v3 because the target
#              CPU is not the build machine's.)
#   PACK_DIR   replaced with bin/ and lib/
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR PACK_DIR" >&2
  exit 2
fi
build=$1 pack=$2
bins=("$build/cli/headroom" "$build/tests/gpu/test_gpu_device")
for b in "${bins[@]}"; do
  [[ -x $b ]] || { echo "device_pack: $b is missing: build it first" >&2; exit 2; }
done
rm -rf "$pack"
mkdir -p "$pack/bin" "$pack/lib"
cp "${bins[@]}" "$pack/bin/"
# Every resolved library except glibc's own (libc, libm, libdl, libpthread, librt, ld-linux), which
# must come from the target machine.
missing=$(for b in "${bins[@]}"; do ldd "$b" | grep 'not found' || true; done)
if [[ -n $missing ]]; then
  echo "device_pack: libraries the binaries need are not found here:" >&2
  echo "$missing" >&2
  exit 2
fi
for b in "${bins[@]}"; do
  ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// {print $3}'
done | sort -u | while read -r lib; do
  case $(basename "$lib") in
    libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | ld-linux*) ;;
    *) cp -L "$lib" "$pack/lib/" ;;
  esac
done
du -sh "$pack"
ls "$pack/lib"
