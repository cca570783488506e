// The wasm SIMD128 multiply-add ceiling (bench/nn-ops.ts compiles this with clang-14 at run time):
// `iters` steps of 12 independent f32x4 multiply-add chains held in registers (no memory traffic).
// WebAssembly SIMD128 has no fused multiply-add without relaxed-simd, so each step is one
// f32x4.mul and one f32x4.add per chain: 12 x 4 lanes x 2 flops = 96 flops per step, the same
// instruction mix as the conv kernels' inner loops. Returns a sum so that nothing is optimised away.
//
// With -DRELAXED_FMA -mrelaxed-simd each step is instead one relaxed-simd f32x4 fused multiply-add
// per chain (the same 96 flops in half the instructions): the FMA ceiling, for comparison only, since
// tfjs-backend-wasm 4.22's XNNPACK build does not use relaxed-simd. clang-14 emits the prototype
// opcode of that instruction; bench/nn-ops.ts rewrites it to the standard one before compiling.
#include <wasm_simd128.h>

#ifdef RELAXED_FMA
#define MADD(a) a = __builtin_wasm_fma_f32x4(c, a, m)
#else
#define MADD(a) a = wasm_f32x4_add(wasm_f32x4_mul(a, m), c)
#endif

__attribute__((export_name("madd_loop")))
float madd_loop(int iters, float seed) {
  v128_t m = wasm_f32x4_splat(0.999999f), c = wasm_f32x4_splat(seed * 1e-7f);
  v128_t a0 = wasm_f32x4_splat(seed), a1 = wasm_f32x4_add(a0, c), a2 = wasm_f32x4_add(a1, c), a3 = wasm_f32x4_add(a2, c);
  v128_t a4 = wasm_f32x4_add(a3, c), a5 = wasm_f32x4_add(a4, c), a6 = wasm_f32x4_add(a5, c), a7 = wasm_f32x4_add(a6, c);
  v128_t a8 = wasm_f32x4_add(a7, c), a9 = wasm_f32x4_add(a8, c), a10 = wasm_f32x4_add(a9, c), a11 = wasm_f32x4_add(a10, c);
  for (int i = 0; i < iters; i++) {
    MADD(a0); MADD(a1); MADD(a2); MADD(a3); MADD(a4); MADD(a5);
    MADD(a6); MADD(a7); MADD(a8); MADD(a9); MADD(a10); MADD(a11);
  }
  v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)), wasm_f32x4_add(wasm_f32x4_add(a4, a5), wasm_f32x4_add(a6, a7)));
  s = wasm_f32x4_add(s, wasm_f32x4_add(wasm_f32x4_add(a8, a9), wasm_f32x4_add(a10, a11)));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3);
}
