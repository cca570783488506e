#!/usr/bin/env bash
# Builds kernels.c, filter-grad.c, winograd.c, winograd-grad.c, direct-conv.c, direct-grad.c, batch-norm.c, residual.c and momentum.c into two WebAssembly modules (Debian clang-14 / lld-14):
#   kernels.wasm         imports an ordinary memory (tfjs-backend-wasm's single-threaded SIMD build)
#   kernels-shared.wasm  imports a shared memory (its threaded build)
# and checks the rules in kernels.c: no data section, no use of the stack pointer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here}   # OUT=<dir> builds elsewhere (the test compares a rebuild with the committed binaries)
mkdir -p "$out"
CLANG=${CLANG:-clang-14}
common=(--target=wasm32 -O3 -msimd128 -nostdlib -fno-builtin -ffreestanding -Wall -Werror
        -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all -Wl,-z,stack-size=0)
"$CLANG" "${common[@]}" -o "$out/kernels.wasm" "$here/kernels.c" "$here/filter-grad.c" "$here/winograd.c" "$here/winograd-grad.c" "$here/direct-conv.c" "$here/direct-grad.c" "$here/batch-norm.c" "$here/residual.c" "$here/momentum.c"
"$CLANG" "${common[@]}" -matomics -mbulk-memory -Wl,--shared-memory -Wl,--max-memory=4294967296 \
  -o "$out/kernels-shared.wasm" "$here/kernels.c" "$here/filter-grad.c" "$here/winograd.c" "$here/winograd-grad.c" "$here/direct-conv.c" "$here/direct-grad.c" "$here/batch-norm.c" "$here/residual.c" "$here/momentum.c"
for f in kernels.wasm kernels-shared.wasm; do
  dump=$(llvm-objdump-14 -d "$out/$f")
  if grep -q "global.get\s*0\b\|global.set" <<<"$dump"; then echo "$f: uses a global (stack pointer)" >&2; exit 1; fi
  if llvm-objdump-14 -h "$out/$f" | grep -q " DATA "; then echo "$f: has a data section" >&2; exit 1; fi
done
echo "built $out/kernels.wasm and $out/kernels-shared.wasm"
