/*
 * The 1-D Winograd input transforms Bᵀ for F(2, 3) and F(4, 3) on f32x4 vectors, shared by
 * winograd.c (convolution) and winograd-grad.c (filter gradient). Header-only, static inline.
 */
#ifndef WINOGRAD_TRANSFORMS_H
#define WINOGRAD_TRANSFORMS_H
#include <wasm_simd128.h>

#define WG_ADD wasm_f32x4_add
#define WG_SUB wasm_f32x4_sub
#define WG_MUL wasm_f32x4_mul
#define WG_K(v) wasm_f32x4_splat(v)
/* The same, unprefixed, for the kernels that include this header. */
#define ADD WG_ADD
#define SUB WG_SUB
#define MUL WG_MUL
#define K(v) WG_K(v)

/* 1-D transforms on α vectors in place: p[0], p[s], … (s = stride in vectors). */
static inline void bt2(v128_t *p, int s) {
  v128_t d0 = p[0], d1 = p[s], d2 = p[2 * s], d3 = p[3 * s];
  p[0] = WG_SUB(d0, d2); p[s] = WG_ADD(d1, d2); p[2 * s] = WG_SUB(d2, d1); p[3 * s] = WG_SUB(d1, d3);
}
static inline void bt4(v128_t *p, int s) {
  v128_t d0 = p[0], d1 = p[s], d2 = p[2 * s], d3 = p[3 * s], d4 = p[4 * s], d5 = p[5 * s];
  v128_t t1 = WG_SUB(d4, WG_MUL(WG_K(4.f), d2)), t2 = WG_SUB(d3, WG_MUL(WG_K(4.f), d1));
  v128_t t3 = WG_SUB(d4, d2), t4 = WG_MUL(WG_K(2.f), WG_SUB(d3, d1));
  p[0] = WG_ADD(WG_SUB(WG_MUL(WG_K(4.f), d0), WG_MUL(WG_K(5.f), d2)), d4);
  p[s] = WG_ADD(t1, t2);
  p[2 * s] = WG_SUB(t1, t2);
  p[3 * s] = WG_ADD(t3, t4);
  p[4 * s] = WG_SUB(t3, t4);
  p[5 * s] = WG_ADD(WG_SUB(WG_MUL(WG_K(4.f), d1), WG_MUL(WG_K(5.f), d3)), d5);
}

#endif
