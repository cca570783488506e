/*
 * Momentum SGD's update of one variable in one pass (kernels/momentum.ts), the same float32 operations
 * as tfjs's MomentumOptimizer (no Nesterov): acc' = m·acc + g, value' = c·acc' + value (c = −learning
 * rate), over elements [i0, i1) so that a caller splits a large variable across threads. Same rules
 * as kernels.c: no globals, data or stack.
 */
#include <wasm_simd128.h>

#include "simd-common.h"

EXPORT(momentum_update)
void momentum_update(const float *__restrict value, const float *__restrict acc, const float *__restrict grad, int i0, int i1,
                     float m, float c, float *__restrict value_out, float *__restrict acc_out) {
  v128_t vm = wasm_f32x4_splat(m), vc = wasm_f32x4_splat(c);
  int i = i0;
  for (; i + 4 <= i1; i += 4) {
    v128_t a = wasm_f32x4_add(wasm_f32x4_mul(vm, wasm_v128_load(acc + i)), wasm_v128_load(grad + i));
    wasm_v128_store(acc_out + i, a);
    wasm_v128_store(value_out + i, wasm_f32x4_add(wasm_f32x4_mul(vc, a), wasm_v128_load(value + i)));
  }
  for (; i < i1; i++) {
    float a = m * acc[i] + grad[i];
    acc_out[i] = a;
    value_out[i] = c * a + value[i];
  }
}
