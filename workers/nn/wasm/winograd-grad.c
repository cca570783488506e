/*
 * Filter gradient of a stride-1 3×3 'same' convolution (NHWC) by Winograd F(m×m, 3×3), m = 2 or 4.
 * The forward pass of one output tile t is y_t = Aᵀ [Σ_c (G w Gᵀ) ⊙ (Bᵀ d_t B)] A, exact, and every
 * output pixel lies in one tile (pixels past the image have dy = 0), so
 *
 *   dw[·][·][c][co] = Gᵀ [Σ_t (Bᵀ d_{t,c} B) ⊙ (A dy_{t,co} Aᵀ)] G
 *
 * summed over the tiles [t0, t1) (a caller splits them between threads, each into its own dw, and
 * adds them). Per chunk of TC tiles the input transforms are packed as V[α²][C/4][TC][4] and the
 * dy transforms as Y[α²][CO8/8][TC][8]; then for each of the α² positions dU_ξ[C][CO8] += Vᵀ·Y with a
 * 4 × 8 tile of accumulators in registers over the chunk's tiles (as filter-grad.c); at the end
 * dw = Gᵀ dU G. C and CO must be multiples of 4. Same rules as kernels.c: no globals, no static
 * data, no stack.
 */
#include <wasm_simd128.h>
#include "winograd-transforms.h"

#include "simd-common.h"
#ifndef GRAD_CHUNK_FLOATS
#define GRAD_CHUNK_FLOATS 524288
#endif

static int grad_chunk_tiles(int C, int CO, int m) {
  int a2 = (m + 2) * (m + 2), CO8 = (CO + 7) & ~7;
  int tc = GRAD_CHUNK_FLOATS / (a2 * (C + CO8));
  tc &= ~3;
  if (tc < 16) tc = 16;
  if (tc > 1024) tc = 1024;
  return tc;
}

/* Floats of scratch winograd_filter_grad needs (16-byte aligned). */
EXPORT(winograd_grad_scratch)
int winograd_grad_scratch(int C, int CO, int m) {
  int a2 = (m + 2) * (m + 2), CO8 = (CO + 7) & ~7;
  return a2 * grad_chunk_tiles(C, CO, m) * (C + CO8) + a2 * C * CO8 + 32;
}

/* 1-D dy transform A·(g0 … g_{m−1}) into p[0], p[s], … (α values). */
static inline void at2(v128_t g0, v128_t g1, v128_t *p, int s) {
  p[0] = g0; p[s] = ADD(g0, g1); p[2 * s] = SUB(g0, g1); p[3 * s] = SUB(K(0.f), g1);
}
static inline void at4(v128_t g0, v128_t g1, v128_t g2, v128_t g3, v128_t *p, int s) {
  v128_t e02 = ADD(g0, g2), e13 = ADD(g1, g3), f = ADD(g0, MUL(K(4.f), g2)), h = ADD(MUL(K(2.f), g1), MUL(K(8.f), g3));
  p[0] = g0; p[s] = ADD(e02, e13); p[2 * s] = SUB(e02, e13); p[3 * s] = ADD(f, h); p[4 * s] = SUB(f, h); p[5 * s] = g3;
}
/* 1-D Gᵀ·(x0 … x_{α−1}) into q[0], q[s], q[2s]. */
static inline void gtt2(const v128_t *x, int s, v128_t *q, int qs) {
  v128_t h = MUL(K(0.5f), ADD(x[s], x[2 * s]));
  q[0] = ADD(x[0], h); q[qs] = MUL(K(0.5f), SUB(x[s], x[2 * s])); q[2 * qs] = ADD(h, x[3 * s]);
}
static inline void gtt4(const v128_t *x, int s, v128_t *q, int qs) {
  v128_t s12 = ADD(x[s], x[2 * s]), d12 = SUB(x[s], x[2 * s]), s34 = ADD(x[3 * s], x[4 * s]), d34 = SUB(x[3 * s], x[4 * s]);
  q[0] = ADD(ADD(MUL(K(0.25f), x[0]), MUL(K(-1.f / 6.f), s12)), MUL(K(1.f / 24.f), s34));
  q[qs] = ADD(MUL(K(-1.f / 6.f), d12), MUL(K(1.f / 12.f), d34));
  q[2 * qs] = ADD(ADD(MUL(K(-1.f / 6.f), s12), MUL(K(1.f / 6.f), s34)), x[5 * s]);
}

static inline __attribute__((always_inline)) void pack_chunk(const float *x, const float *dy, int H, int W, int C, int CO, int CO8, int m,
                                                             int TH, int TW, int tA, int count, int TC, float *V, float *Y) {
  const int a = m + 2, a2 = a * a;
  int n = tA / (TH * TW), rem = tA - n * TH * TW, ty = rem / TW, tx = rem - ty * TW;
  for (int i = 0; i < count; i++) {
    const float *img = x + (long)n * H * W * C, *dimg = dy + (long)n * H * W * CO;
    int y0 = ty * m - 1, x0 = tx * m - 1;
    for (int c = 0; c < C; c += 4) {
      v128_t d[36];
      _Pragma("clang loop unroll(full)")
      for (int r = 0; r < a; r++) {
        int iy = y0 + r;
        _Pragma("clang loop unroll(full)")
        for (int q = 0; q < a; q++) {
          int ix = x0 + q;
          d[r * a + q] = (iy < 0 || iy >= H || ix < 0 || ix >= W) ? K(0.f) : wasm_v128_load(img + ((long)iy * W + ix) * C + c);
        }
      }
      if (m == 2) {
        _Pragma("clang loop unroll(full)")
        for (int r = 0; r < 4; r++) bt2(d + 4 * r, 1);
        _Pragma("clang loop unroll(full)")
        for (int q = 0; q < 4; q++) bt2(d + q, 4);
      } else {
        _Pragma("clang loop unroll(full)")
        for (int r = 0; r < 6; r++) bt4(d + 6 * r, 1);
        _Pragma("clang loop unroll(full)")
        for (int q = 0; q < 6; q++) bt4(d + q, 6);
      }
      _Pragma("clang loop unroll(full)")
      for (int e = 0; e < a2; e++) wasm_v128_store(V + (((long)e * (C >> 2) + (c >> 2)) * TC + i) * 4, d[e]);
    }
    for (int co = 0; co < CO8; co += 4) {
      v128_t g[16], t[24], u[36];
      _Pragma("clang loop unroll(full)")
      for (int p = 0; p < m; p++) {
        _Pragma("clang loop unroll(full)")
        for (int q = 0; q < m; q++) {
          int oy = y0 + 1 + p, ox = x0 + 1 + q;
          g[p * m + q] = (co >= CO || oy >= H || ox >= W) ? K(0.f) : wasm_v128_load(dimg + ((long)oy * W + ox) * CO + co);
        }
      }
      /* Down the columns (m → α rows), then along the rows (m → α columns). */
      _Pragma("clang loop unroll(full)")
      for (int q = 0; q < m; q++) {
        if (m == 2) at2(g[q], g[2 + q], t + q, m);
        else at4(g[q], g[4 + q], g[8 + q], g[12 + q], t + q, m);
      }
      _Pragma("clang loop unroll(full)")
      for (int r = 0; r < a; r++) {
        if (m == 2) at2(t[r * m], t[r * m + 1], u + r * a, 1);
        else at4(t[r * m], t[r * m + 1], t[r * m + 2], t[r * m + 3], u + r * a, 1);
      }
      _Pragma("clang loop unroll(full)")
      for (int e = 0; e < a2; e++) wasm_v128_store(Y + (((long)e * (CO8 >> 3) + (co >> 3)) * TC + i) * 8 + (co & 7), u[e]);
    }
    if (++tx == TW) { tx = 0; if (++ty == TH) { ty = 0; n++; } }
  }
}

static inline __attribute__((always_inline)) void back_transform(const float *dU, int C, int CO, int CO8, int m, float *dw) {
  const int a = m + 2;
  for (int c = 0; c < C; c++)
    for (int co = 0; co < CO; co += 4) {
      v128_t x[36], r[18], q[9];
      _Pragma("clang loop unroll(full)")
      for (int e = 0; e < a * a; e++) x[e] = wasm_v128_load(dU + ((long)e * C + c) * CO8 + co);
      _Pragma("clang loop unroll(full)")
      for (int j = 0; j < a; j++) { if (m == 2) gtt2(x + j, a, r + j, a); else gtt4(x + j, a, r + j, a); }
      _Pragma("clang loop unroll(full)")
      for (int kh = 0; kh < 3; kh++) { if (m == 2) gtt2(r + kh * a, 1, q + 3 * kh, 1); else gtt4(r + kh * a, 1, q + 3 * kh, 1); }
      _Pragma("clang loop unroll(full)")
      for (int k = 0; k < 9; k++) wasm_v128_store(dw + ((long)k * C + c) * CO + co, q[k]);
    }
}

EXPORT(winograd_filter_grad)
void winograd_filter_grad(const float *x, const float *dy, int H, int W, int C, int CO, int m, int t0, int t1, float *dw, float *scratch) {
  const int a2 = (m + 2) * (m + 2), CO8 = (CO + 7) & ~7, TC = grad_chunk_tiles(C, CO, m);
  const int TH = (H + m - 1) / m, TW = (W + m - 1) / m;
  float *dU = scratch, *V = dU + (long)a2 * C * CO8, *Y = V + (long)a2 * TC * C;
  for (long i = 0; i < (long)a2 * C * CO8; i++) dU[i] = 0.f;
  for (int tA = t0; tA < t1; tA += TC) {
    int count = tA + TC < t1 ? TC : t1 - tA;
    if (m == 2) pack_chunk(x, dy, H, W, C, CO, CO8, 2, TH, TW, tA, count, TC, V, Y);
    else pack_chunk(x, dy, H, W, C, CO, CO8, 4, TH, TW, tA, count, TC, V, Y);
    for (int e = 0; e < a2; e++)
      for (int c = 0; c < C; c += 4)
        for (int co = 0; co < CO8; co += 8) {
          /* Rows c … c+3 of dU_e are 8·… apart: accumulate through a 4 × 8 block at stride CO8. */
          const float *p = V + (((long)e * (C >> 2) + (c >> 2)) * TC) * 4, *d = Y + (((long)e * (CO8 >> 3) + (co >> 3)) * TC) * 8;
          float *o = dU + ((long)e * C + c) * CO8 + co;
          v128_t c00 = K(0.f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
          for (int i = 0; i < count; i++, p += 4, d += 8) {
            v128_t b0 = wasm_v128_load(d), b1 = wasm_v128_load(d + 4);
            v128_t s = wasm_v128_load32_splat(p);
            MA(c00, s, b0); MA(c01, s, b1);
            s = wasm_v128_load32_splat(p + 1);
            MA(c10, s, b0); MA(c11, s, b1);
            s = wasm_v128_load32_splat(p + 2);
            MA(c20, s, b0); MA(c21, s, b1);
            s = wasm_v128_load32_splat(p + 3);
            MA(c30, s, b0); MA(c31, s, b1);
          }
          wasm_v128_store(o, ADD(wasm_v128_load(o), c00)); wasm_v128_store(o + 4, ADD(wasm_v128_load(o + 4), c01));
          o += CO8;
          wasm_v128_store(o, ADD(wasm_v128_load(o), c10)); wasm_v128_store(o + 4, ADD(wasm_v128_load(o + 4), c11));
          o += CO8;
          wasm_v128_store(o, ADD(wasm_v128_load(o), c20)); wasm_v128_store(o + 4, ADD(wasm_v128_load(o + 4), c21));
          o += CO8;
          wasm_v128_store(o, ADD(wasm_v128_load(o), c30)); wasm_v128_store(o + 4, ADD(wasm_v128_load(o + 4), c31));
        }
  }
  if (m == 2) back_transform(dU, C, CO, CO8, 2, dw);
  else back_transform(dU, C, CO, CO8, 4, dw);
}
