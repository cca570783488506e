/*
 * The residual join of a ResNet block, y = max(a + b, 0), and its gradient dx = dy · [y > 0] (the
 * same for a and b), over element ranges [i0, i1) so that a caller splits a tensor across threads
 * (kernels/add-relu.ts). Same rules as kernels.c: no globals, data or stack.
 */
#include <wasm_simd128.h>

#include "simd-common.h"

EXPORT(add_relu)
void add_relu(const float *__restrict a, const float *__restrict b, int i0, int i1, float *__restrict y) {
  v128_t zero = wasm_f32x4_splat(0.f);
  int i = i0;
  for (; i + 4 <= i1; i += 4) wasm_v128_store(y + i, wasm_f32x4_max(wasm_f32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i)), zero));
  for (; i < i1; i++) { float v = a[i] + b[i]; y[i] = v > 0.f ? v : 0.f; }
}

EXPORT(relu_grad)
void relu_grad(const float *__restrict dy, const float *__restrict y, int i0, int i1, float *__restrict dx) {
  v128_t zero = wasm_f32x4_splat(0.f);
  int i = i0;
  for (; i + 4 <= i1; i += 4) wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), wasm_f32x4_gt(wasm_v128_load(y + i), zero)));
  for (; i < i1; i++) dx[i] = y[i] > 0.f ? dy[i] : 0.f;
}
