/* Macros shared by Deeper's SIMD128 kernels (kernels.c, filter-grad.c, winograd*.c, direct-*.c). */
#ifndef DEEPER_SIMD_COMMON_H
#define DEEPER_SIMD_COMMON_H
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
/* acc += a · b, four f32 lanes (SIMD128 has no fused multiply-add without relaxed-simd). */
#define MA(acc, a, b) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))

#endif
