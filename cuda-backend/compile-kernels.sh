#!/usr/bin/env bash
# Regenerates the committed PTX of Cairn's CUDA kernels from src/main/cuda/*.cu.
#
#   cuda-backend/compile-kernels.sh            (needs nvcc and ptxas on the PATH or in /usr/local/bin)
#
# Each kernel file becomes src/main/resources/dev/cairn/backend/cuda/<name>.ptx, compiled for the
# virtual architecture compute_75 (Turing and newer; the driver JIT-compiles the PTX for the GPU it
# finds). nvcc 13 writes `.version 9.0`, which CUDA 12 drivers refuse to load, so the `.version`
# line is lowered to $PTX_VERSION (default 8.0, the ISA of CUDA 12.0) and the result is assembled
# with ptxas for sm_75 and sm_90 to prove the lowered PTX uses nothing newer. Run it after editing
# any .cu or .cuh file and commit the .ptx files with the sources.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$here/src/main/cuda
out=$here/src/main/resources/dev/cairn/backend/cuda
PTX_VERSION=${PTX_VERSION:-8.0}
ARCH=${ARCH:-compute_75}
export PATH=$PATH:/usr/local/bin:/usr/local/cuda/bin
command -v nvcc >/dev/null || { echo "error: nvcc not found" >&2; exit 1; }
command -v ptxas >/dev/null || { echo "error: ptxas not found" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "nvcc: $(nvcc --version | tail -1)"
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  # No fast-math: the kernels must match the IEEE semantics of UnaryOp/BinaryOp.apply.
  nvcc -ptx -arch="$ARCH" -O3 -std=c++17 -I"$src" "$cu" -o "$tmp/$name.ptx"
  emitted=$(sed -n 's/^\.version[[:space:]]\+\([0-9.]\+\).*/\1/p' "$tmp/$name.ptx" | head -1)
  if awk -v a="$emitted" -v b="$PTX_VERSION" 'BEGIN { exit !(a + 0 > b + 0) }'; then
    sed -i "s/^\.version[[:space:]]\+$emitted\$/.version $PTX_VERSION/" "$tmp/$name.ptx"
  fi
  # Drop the compiler banner (build IDs) so that regenerating with another nvcc build diffs cleanly.
  sed -i '/^\/\/ Compiler Build ID:/d' "$tmp/$name.ptx"
  for sm in sm_75 sm_90; do
    ptxas -arch=$sm "$tmp/$name.ptx" -o "$tmp/$name.$sm.cubin"
  done
  cp "$tmp/$name.ptx" "$out/$name.ptx"
  echo "$name.ptx: emitted .version $emitted, committed .version $(sed -n 's/^\.version[[:space:]]\+//p' "$out/$name.ptx" | head -1); ptxas sm_75, sm_90 OK"
done
