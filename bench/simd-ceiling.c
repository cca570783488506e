// The wasm SIMD128 multiply-add ceiling (bench/nn-ops.ts compiles this with clang-14 at run time):
// `iters` steps of 12 independent f32x4 multiply-add chains held in registers (no memory traffic).
// WebAssembly SIMD128 has no fused multiply-add without relaxed-simd, so each step is one
// f32x4.mul and one f32x4.add per chain: 12 x 4 lanes x 2 flops = 96 flops per step, the same
// instruction mix as the conv kernels' inner loops. Returns a sum so that nothing is optimised away.
#include <wasm_simd128.h>

__attribute__((export_name("madd_loop")))
float madd_loop(int iters, float seed) {
  v128_t m = wasm_f32x4_splat(0.999999f), c = wasm_f32x4_splat(seed * 1e-7f);
  v128_t a0 = wasm_f32x4_splat(seed), a1 = wasm_f32x4_add(a0, c), a2 = wasm_f32x4_add(a1, c), a3 = wasm_f32x4_add(a2, c);
  v128_t a4 = wasm_f32x4_add(a3, c), a5 = wasm_f32x4_add(a4, c), a6 = wasm_f32x4_add(a5, c), a7 = wasm_f32x4_add(a6, c);
  v128_t a8 = wasm_f32x4_add(a7, c), a9 = wasm_f32x4_add(a8, c), a10 = wasm_f32x4_add(a9, c), a11 = wasm_f32x4_add(a10, c);
  for (int i = 0; i < iters; i++) {
    a0 = wasm_f32x4_add(wasm_f32x4_mul(a0, m), c); a1 = wasm_f32x4_add(wasm_f32x4_mul(a1, m), c);
    a2 = wasm_f32x4_add(wasm_f32x4_mul(a2, m), c); a3 = wasm_f32x4_add(wasm_f32x4_mul(a3, m), c);
    a4 = wasm_f32x4_add(wasm_f32x4_mul(a4, m), c); a5 = wasm_f32x4_add(wasm_f32x4_mul(a5, m), c);
    a6 = wasm_f32x4_add(wasm_f32x4_mul(a6, m), c); a7 = wasm_f32x4_add(wasm_f32x4_mul(a7, m), c);
    a8 = wasm_f32x4_add(wasm_f32x4_mul(a8, m), c); a9 = wasm_f32x4_add(wasm_f32x4_mul(a9, m), c);
    a10 = wasm_f32x4_add(wasm_f32x4_mul(a10, m), c); a11 = wasm_f32x4_add(wasm_f32x4_mul(a11, m), c);
  }
  v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)), wasm_f32x4_add(wasm_f32x4_add(a4, a5), wasm_f32x4_add(a6, a7)));
  s = wasm_f32x4_add(s, wasm_f32x4_add(wasm_f32x4_add(a8, a9), wasm_f32x4_add(a10, a11)));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3);
}
