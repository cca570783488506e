/*
 * Winograd convolution F(m×m, 3×3), m = 2 or 4, for stride-1 3×3 'same' convolutions (NHWC),
 * fused with bias, an optional residual add and an optional ReLU (the folded-BN inference path):
 *
 *   y[n, oy, ox, co] = act(bias[co] + res[n, oy, ox, co] + Σ_{kh, kw, c} x[n, oy+kh−1, ox+kw−1, c] · w[kh, kw, c, co])
 *
 * The output is cut into m × m tiles (t = (n·TH + ty)·TW + tx, TH = ⌈H/m⌉, TW = ⌈W/m⌉). Per tile,
 * with α = m + 2, the α × α input patch d (zeros outside the image) becomes V = Bᵀ d B; the filter
 * was transformed once by the caller, U = G w Gᵀ (α² matrices C × CO, laid out U[α²][CO8/8][C][8]);
 * then for each of the α² positions ξ a matrix product M_ξ[t][co] = Σ_c V_ξ[t][c] · U_ξ[c][co]
 * (4 tiles × 8 output channels of accumulators in registers, as in filter-grad.c), and the output
 * tile is Aᵀ M A. Multiplications per output and (c, co): 16/4 = 4 for m = 2, 36/16 = 2.25 for
 * m = 4, against 9 direct.
 *
 * The tiles [t0, t1) run in chunks of TC tiles (V and M of a chunk stay in L2); a caller splits
 * the tiles between threads: every tile's result is the same whatever the split (no sum crosses
 * tiles), so the output does not depend on the thread count. C and CO must be multiples of 4.
 * Same rules as kernels.c: no globals, no static data, no stack.
 */
#include <wasm_simd128.h>
#include "winograd-transforms.h"

#include "simd-common.h"
#ifndef CHUNK_FLOATS
#define CHUNK_FLOATS 65536
#endif

#ifndef LARGE_U_FLOATS
#define LARGE_U_FLOATS 131072
#endif

/* Tiles per chunk: V (α²·TC·C) and M (α²·TC·CO8) floats within ≈ 256 KiB (measured: 1.1× less CPU
 * than 1 MiB or 4 MiB on the 64 px layers), a multiple of 4. Every chunk reads all of U (α²·C·CO8
 * floats); where U passes 512 KiB (so it streams from L3: 2.4 MB on 4 × 4 maps with 128 channels,
 * 4 MB on 2 × 2 with 256, where chunks were 4 and 8 tiles) the chunk is 4× larger unless `legacy`
 * (the chunks before, for A/B), so U is read 4× less often (README, "Balanced splits"). */
static int chunk_tiles(int C, int CO, int m, int legacy) {
  int a2 = (m + 2) * (m + 2), CO8 = (CO + 7) & ~7;
  int floats = !legacy && a2 * C * CO8 > LARGE_U_FLOATS ? 4 * CHUNK_FLOATS : CHUNK_FLOATS;
  int tc = floats / (a2 * (C + CO8));
  tc &= ~3;
  if (tc < 4) tc = 4;
  if (tc > 512) tc = 512;
  return tc;
}

EXPORT(winograd_scratch)
int winograd_scratch(int C, int CO, int m) {
  int a2 = (m + 2) * (m + 2), CO8 = (CO + 7) & ~7;
  return a2 * chunk_tiles(C, CO, m, 0) * (C + CO8) + C + 16;
}

/* Input transform of tiles [tA, tA + count) into V[ξ][TC][C] (chunk-local tile index). */
static inline __attribute__((always_inline)) void input_transform(const float *x, int H, int W, int C, int m, int TH, int TW, int tA, int count, int TC, const float *zeros, float *V) {
  const int a = m + 2, a2 = a * a;
  int n = tA / (TH * TW), rem = tA - n * TH * TW, ty = rem / TW, tx = rem - ty * TW;
  for (int i = 0; i < count; i++) {
    int y0 = ty * m - 1, x0 = tx * m - 1;
    const float *img = x + (long)n * H * W * C;
    /* The patch's α² pixel pointers, once per tile (pixels outside the image read C zeros): no branch per channel. */
    const float *src[36];
    _Pragma("clang loop unroll(full)")
    for (int r = 0; r < a; r++) {
      int iy = y0 + r;
      _Pragma("clang loop unroll(full)")
      for (int q = 0; q < a; q++) {
        int ix = x0 + q;
        src[r * a + q] = (iy < 0 || iy >= H || ix < 0 || ix >= W) ? zeros : img + ((long)iy * W + ix) * C;
      }
    }
    for (int c = 0; c < C; c += 4) {
      v128_t d[36];
      _Pragma("clang loop unroll(full)")
      for (int e = 0; e < a2; e++) d[e] = wasm_v128_load(src[e] + c);
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
      float *v = V + (long)i * C + c;
      _Pragma("clang loop unroll(full)")
      for (int e = 0; e < a2; e++) wasm_v128_store(v + (long)e * TC * C, d[e]);
    }
    if (++tx == TW) { tx = 0; if (++ty == TH) { ty = 0; n++; } }
  }
}

/* M[ξ][TC][CO8] = V[ξ][TC][C] · U[ξ][C][CO8] for the chunk's tiles (count rounded up to 4). */
static void tile_products(const float *V, const float *U, int C, int CO8, int a2, int count, int TC, float *M) {
  int count4 = (count + 3) & ~3;
  for (int e = 0; e < a2; e++) {
    const float *Ve = V + (long)e * TC * C;
    float *Me = M + (long)e * TC * CO8;
    for (int co = 0; co < CO8; co += 8) {
      const float *u0 = U + ((long)e * CO8 + co) * C;  /* U[e][co/8][C][8] */
      for (int t = 0; t < count4; t += 4) {
        const float *v0 = Ve + (long)t * C, *v1 = v0 + C, *v2 = v1 + C, *v3 = v2 + C, *u = u0;
        v128_t c00 = K(0.f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int c = 0; c < C; c++, u += 8) {
          v128_t b0 = wasm_v128_load(u), b1 = wasm_v128_load(u + 4);
          v128_t s = wasm_v128_load32_splat(v0 + c);
          MA(c00, s, b0); MA(c01, s, b1);
          s = wasm_v128_load32_splat(v1 + c);
          MA(c10, s, b0); MA(c11, s, b1);
          s = wasm_v128_load32_splat(v2 + c);
          MA(c20, s, b0); MA(c21, s, b1);
          s = wasm_v128_load32_splat(v3 + c);
          MA(c30, s, b0); MA(c31, s, b1);
        }
        float *o = Me + (long)t * CO8 + co;
        wasm_v128_store(o, c00); wasm_v128_store(o + 4, c01);
        wasm_v128_store(o + CO8, c10); wasm_v128_store(o + CO8 + 4, c11);
        wasm_v128_store(o + 2 * CO8, c20); wasm_v128_store(o + 2 * CO8 + 4, c21);
        wasm_v128_store(o + 3 * CO8, c30); wasm_v128_store(o + 3 * CO8 + 4, c31);
      }
    }
  }
}

/* Output transform Aᵀ M A of tiles [tA, tA + count), (+ bias) (+ res), ReLU if relu, into y. */
static inline __attribute__((always_inline)) void output_transform(const float *M, const float *bias, const float *res, int relu, float *y, int H, int W, int CO, int CO8,
                             int m, int TH, int TW, int tA, int count, int TC) {
  const int a = m + 2, a2 = a * a;
  int n = tA / (TH * TW), rem = tA - n * TH * TW, ty = rem / TW, tx = rem - ty * TW;
  for (int i = 0; i < count; i++) {
    int y0 = ty * m, x0 = tx * m;
    long img = (long)n * H * W * CO;
    for (int co = 0; co < CO; co += 4) {
      v128_t d[36], o[16];
      const float *src = M + (long)i * CO8 + co;
      _Pragma("clang loop unroll(full)")
      for (int e = 0; e < a2; e++) d[e] = wasm_v128_load(src + (long)e * TC * CO8);
      if (m == 2) {
        v128_t r[8]; /* rows: Aᵀ applied down the columns, 2 × 4 */
        _Pragma("clang loop unroll(full)")
        for (int q = 0; q < 4; q++) {
          r[q] = ADD(ADD(d[q], d[4 + q]), d[8 + q]);
          r[4 + q] = SUB(SUB(d[4 + q], d[8 + q]), d[12 + q]);
        }
        _Pragma("clang loop unroll(full)")
        for (int p = 0; p < 2; p++) {
          o[2 * p] = ADD(ADD(r[4 * p], r[4 * p + 1]), r[4 * p + 2]);
          o[2 * p + 1] = SUB(SUB(r[4 * p + 1], r[4 * p + 2]), r[4 * p + 3]);
        }
      } else {
        v128_t r[24]; /* 4 × 6 */
        _Pragma("clang loop unroll(full)")
        for (int q = 0; q < 6; q++) {
          v128_t s12 = ADD(d[6 + q], d[12 + q]), d12 = SUB(d[6 + q], d[12 + q]);
          v128_t s34 = ADD(d[18 + q], d[24 + q]), d34 = SUB(d[18 + q], d[24 + q]);
          r[q] = ADD(ADD(d[q], s12), s34);
          r[6 + q] = ADD(d12, MUL(K(2.f), d34));
          r[12 + q] = ADD(s12, MUL(K(4.f), s34));
          r[18 + q] = ADD(ADD(d12, MUL(K(8.f), d34)), d[30 + q]);
        }
        _Pragma("clang loop unroll(full)")
        for (int p = 0; p < 4; p++) {
          const v128_t *rp = r + 6 * p;
          v128_t s12 = ADD(rp[1], rp[2]), d12 = SUB(rp[1], rp[2]);
          v128_t s34 = ADD(rp[3], rp[4]), d34 = SUB(rp[3], rp[4]);
          o[4 * p] = ADD(ADD(rp[0], s12), s34);
          o[4 * p + 1] = ADD(d12, MUL(K(2.f), d34));
          o[4 * p + 2] = ADD(s12, MUL(K(4.f), s34));
          o[4 * p + 3] = ADD(ADD(d12, MUL(K(8.f), d34)), rp[5]);
        }
      }
      v128_t b = bias ? wasm_v128_load(bias + co) : K(0.f);
      _Pragma("clang loop unroll(full)")
      for (int p = 0; p < m; p++) {
        int oy = y0 + p;
        if (oy >= H) break;
        _Pragma("clang loop unroll(full)")
        for (int q = 0; q < m; q++) {
          int ox = x0 + q;
          if (ox >= W) break;
          long at = img + ((long)oy * W + ox) * CO + co;
          v128_t v = ADD(o[p * m + q], b);
          if (res) v = ADD(v, wasm_v128_load(res + at));
          if (relu) v = wasm_f32x4_max(v, K(0.f));
          wasm_v128_store(y + at, v);
        }
      }
    }
    if (++tx == TW) { tx = 0; if (++ty == TH) { ty = 0; n++; } }
  }
}

/* 1-D filter transform G·(g0, g1, g2) into p[0], p[s], … (α values). */
static inline void gt2(v128_t g0, v128_t g1, v128_t g2, v128_t *p, int s) {
  p[0] = g0; p[s] = MUL(K(0.5f), ADD(ADD(g0, g1), g2)); p[2 * s] = MUL(K(0.5f), ADD(SUB(g0, g1), g2)); p[3 * s] = g2;
}
static inline void gt4(v128_t g0, v128_t g1, v128_t g2, v128_t *p, int s) {
  v128_t e = ADD(g0, g2), f = ADD(MUL(K(1.f / 24.f), g0), MUL(K(1.f / 6.f), g2)), h = MUL(K(1.f / 12.f), g1);
  p[0] = MUL(K(0.25f), g0);
  p[s] = MUL(K(-1.f / 6.f), ADD(e, g1));
  p[2 * s] = MUL(K(-1.f / 6.f), SUB(e, g1));
  p[3 * s] = ADD(f, h);
  p[4 * s] = SUB(f, h);
  p[5 * s] = g2;
}

/* The input channels [c0, c1) of U. Each (c, co) is computed alone, so any split gives the same bits.
 * Flipped: output channels outer, so the 4-lane gathers at stride C walk along rows of w (measured
 * 3× slower with c outer on 256 channels). */
static inline __attribute__((always_inline)) void filter_transform(const float *w, int C, int CO, int m, int flip, float *U, int c0, int c1) {
  const int a = m + 2, CO8 = (CO + 7) & ~7;
  const int nOuter = flip ? CO8 / 4 : c1 - c0, nInner = flip ? c1 - c0 : CO8 / 4;
  for (int i = 0; i < nOuter; i++)
    for (int j = 0; j < nInner; j++) {
      const int c = flip ? c0 + j : c0 + i, co = 4 * (flip ? i : j);
      v128_t g[9], t[18], u[36];
      _Pragma("clang loop unroll(full)")
      for (int k = 0; k < 9; k++) {
        if (co >= CO) g[k] = K(0.f);
        else if (!flip) g[k] = wasm_v128_load(w + ((long)k * C + c) * CO + co);
        else {
          const float *src = w + ((long)(8 - k) * CO + co) * C + c; /* w'[kh][kw][c][co] = w[2−kh][2−kw][co][c] */
          g[k] = wasm_f32x4_make(src[0], src[C], src[2 * C], src[3 * C]);
        }
      }
      _Pragma("clang loop unroll(full)")
      for (int kw = 0; kw < 3; kw++) { if (m == 2) gt2(g[kw], g[3 + kw], g[6 + kw], t + kw, 3); else gt4(g[kw], g[3 + kw], g[6 + kw], t + kw, 3); }
      _Pragma("clang loop unroll(full)")
      for (int i = 0; i < a; i++) { if (m == 2) gt2(t[3 * i], t[3 * i + 1], t[3 * i + 2], u + a * i, 1); else gt4(t[3 * i], t[3 * i + 1], t[3 * i + 2], u + a * i, 1); }
      _Pragma("clang loop unroll(full)")
      for (int e = 0; e < a * a; e++) wasm_v128_store(U + (((long)e * (CO8 >> 3) + (co >> 3)) * C + c) * 8 + (co & 7), u[e]);
    }
}

/* U[α²][CO8/8][C][8] = G w Gᵀ from w[3][3][C][CO] (flip = 0), or from the flipped, channel-swapped
 * filter of a layer's input gradient (flip = 1: w is the forward filter [3][3][CO][C] and the
 * transform is of w'[kh][kw][c][co] = w[2−kh][2−kw][co][c]). Float32 (the JS transform of the
 * inference path is float64). CO a multiple of 4. */
EXPORT(winograd_filter)
void winograd_filter(const float *w, int C, int CO, int m, int flip, float *U) {
  if (m == 2) filter_transform(w, C, CO, 2, flip, U, 0, C);
  else filter_transform(w, C, CO, 4, flip, U, 0, C);
}

/* The same for the input channels [c0, c1) only (the rows U[·][·][c0 … c1 − 1][·]): a caller splits
 * the transform between threads (kernels/winograd-train.ts). */
EXPORT(winograd_filter_part)
void winograd_filter_part(const float *w, int C, int CO, int m, int flip, float *U, int c0, int c1) {
  if (m == 2) filter_transform(w, C, CO, 2, flip, U, c0, c1);
  else filter_transform(w, C, CO, 4, flip, U, c0, c1);
}

/* bias = 0: no bias; res = 0: no residual. Tiles [t0, t1) of N·⌈H/m⌉·⌈W/m⌉; scratch: winograd_scratch(C, CO, m) floats, 16-byte aligned.
 * legacy = 1: the chunks before (fixed TC tiles, the last one short); 0: chunks of equal size up to
 * TC tiles (a multiple of 4), so no chunk reads all of U for a few leftover tiles. Same bits either way. */
EXPORT(winograd_conv)
void winograd_conv(const float *x, int H, int W, int C, const float *U, const float *bias, int CO, int m, int relu,
                   const float *res, float *y, int t0, int t1, float *scratch, int legacy) {
  const int a2 = (m + 2) * (m + 2), CO8 = (CO + 7) & ~7, TC = chunk_tiles(C, CO, m, 0);
  const int TH = (H + m - 1) / m, TW = (W + m - 1) / m;
  float *V = scratch, *M = V + (long)a2 * TC * C, *zeros = M + (long)a2 * TC * CO8;
  int step = chunk_tiles(C, CO, m, legacy);
  if (!legacy && t1 > t0) {
    int chunks = (t1 - t0 + step - 1) / step;
    step = ((t1 - t0 + chunks - 1) / chunks + 3) & ~3;
  }
  for (int c = 0; c < C; c++) zeros[c] = 0.f;
  for (int tA = t0; tA < t1; tA += step) {
    int count = tA + step < t1 ? step : t1 - tA;
    /* Literal m: the transforms' loops unroll fully and their arrays live in registers (no stack). */
    if (m == 2) input_transform(x, H, W, C, 2, TH, TW, tA, count, TC, zeros, V);
    else input_transform(x, H, W, C, 4, TH, TW, tA, count, TC, zeros, V);
    tile_products(V, U, C, CO8, a2, count, TC, M);
    if (m == 2) output_transform(M, bias, res, relu, y, H, W, CO, CO8, 2, TH, TW, tA, count, TC);
    else output_transform(M, bias, res, relu, y, H, W, CO, CO8, 4, TH, TW, tA, count, TC);
  }
}
