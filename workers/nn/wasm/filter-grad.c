/*
 * Direct filter gradient of a 2-D convolution (NHWC), register-tiled WebAssembly SIMD:
 *
 *   dw[kh][kw][ci][co] = Σ_{n, oy, ox} x[n, oy·sH + kh − pt, ox·sW + kw − pl, ci] · dy[n, oy, ox, co]
 *
 * summed over the output positions m = (n·OH + oy)·OW + ox in [m0, m1) (a caller splits the positions
 * between threads, each into its own dw, and adds them). The positions run in chunks of MC: a
 * chunk's patches (K = kH·kW·C values per position, zeros outside the image) are packed into
 * scratch as P[K/4][MC][4] and its dy as D[CO/8][MC][8] (K and CO padded with zeros), then
 * dw[K][CO] += Pᵀ · D with a 4 (k) × 8 (co) tile of float accumulators in registers over the whole
 * chunk, both operands read as unit-stride streams (the tile's P stream, 16 B per position, stays
 * in L1 while the tiles of its row pass over it). A direct loop over each tap's valid rows ran at
 * ~25 % of the SIMD128 ceiling on 16 × 16 maps and smaller (short rows); unpacked patch rows at ~40 %.
 * Same rules as kernels.c: no globals, no static data, no stack.
 */
#include <wasm_simd128.h>

#include "simd-common.h"
#ifndef MC
#define MC 512
#endif


/* t[0..3][0..7] = Σ_i p[4i + 0..3] ⊗ d[8i + 0..7], i < count; t row stride 8. */
static inline void tile4x8(const float *p, const float *d, int count, float *t) {
  v128_t c00 = wasm_f32x4_splat(0.f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int i = 0; i < count; i++, p += 4, d += 8) {
    v128_t b0 = wasm_v128_load(d), b1 = wasm_v128_load(d + 4);
    v128_t a = wasm_v128_load32_splat(p);
    MA(c00, a, b0); MA(c01, a, b1);
    a = wasm_v128_load32_splat(p + 1);
    MA(c10, a, b0); MA(c11, a, b1);
    a = wasm_v128_load32_splat(p + 2);
    MA(c20, a, b0); MA(c21, a, b1);
    a = wasm_v128_load32_splat(p + 3);
    MA(c30, a, b0); MA(c31, a, b1);
  }
  wasm_v128_store(t, c00); wasm_v128_store(t + 4, c01); wasm_v128_store(t + 8, c10); wasm_v128_store(t + 12, c11);
  wasm_v128_store(t + 16, c20); wasm_v128_store(t + 20, c21); wasm_v128_store(t + 24, c30); wasm_v128_store(t + 28, c31);
}

/* Packs the patches of positions [m0, m0 + count) into P[K4/4][MC][4] (zeros outside the image and
 * past K), going through one patch row `row` (K4 floats). */
static void pack_patches(const float *x, int H, int W, int C, int OH, int OW, int kH, int kW, int sH, int sW,
                         int pt, int pl, int m0, int count, int K4, float *row, float *P) {
  int K = kH * kW * C;
  for (int k = K; k < K4; k++) row[k] = 0.f;
  int n = m0 / (OH * OW), rem = m0 - n * OH * OW, oy = rem / OW, ox = rem - oy * OW;
  for (int i = 0; i < count; i++) {
    float *q = row;
    for (int kh = 0; kh < kH; kh++) {
      int iy = oy * sH + kh - pt;
      for (int kw = 0; kw < kW; kw++, q += C) {
        int ix = ox * sW + kw - pl, c = 0;
        if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
          for (; c + 4 <= C; c += 4) wasm_v128_store(q + c, wasm_f32x4_splat(0.f));
          for (; c < C; c++) q[c] = 0.f;
        } else {
          const float *src = x + (((long)n * H + iy) * W + ix) * C;
          for (; c + 4 <= C; c += 4) wasm_v128_store(q + c, wasm_v128_load(src + c));
          for (; c < C; c++) q[c] = src[c];
        }
      }
    }
    float *dst = P + 4 * i;
    for (int k = 0; k < K4; k += 4, dst += 4 * MC) wasm_v128_store(dst, wasm_v128_load(row + k));
    if (++ox == OW) { ox = 0; if (++oy == OH) { oy = 0; n++; } }
  }
}

/* Packs dy rows [m0, m0 + count) into D[CO8/8][MC][8] (zeros past CO). */
static void pack_dy(const float *dy, int CO, int m0, int count, int CO8, float *D) {
  for (int i = 0; i < count; i++) {
    const float *src = dy + (long)(m0 + i) * CO;
    float *dst = D + 8 * i;
    int co = 0;
    for (; co + 8 <= CO; co += 8, dst += 8 * MC) {
      wasm_v128_store(dst, wasm_v128_load(src + co));
      wasm_v128_store(dst + 4, wasm_v128_load(src + co + 4));
    }
    if (co < CO) {
      for (int j = 0; j < 8; j++) dst[j] = co + j < CO ? src[co + j] : 0.f;
    }
  }
}

/* Floats of scratch filter_grad needs (the caller allocates it, 16-byte aligned). */
EXPORT(filter_grad_scratch)
int filter_grad_scratch(int C, int CO, int kH, int kW) {
  int K4 = (kH * kW * C + 3) & ~3, CO8 = (CO + 7) & ~7;
  return MC * (K4 + CO8) + K4 + 32;
}

EXPORT(filter_grad)
void filter_grad(const float *x, const float *dy, int H, int W, int C, int OH, int OW, int CO,
                 int kH, int kW, int sH, int sW, int pt, int pl, int m0, int m1, float *dw, float *scratch) {
  int K = kH * kW * C, K4 = (K + 3) & ~3, CO8 = (CO + 7) & ~7;
  float *P = scratch, *D = P + MC * K4, *row = D + MC * CO8, *t = row + K4;
  for (long e = 0; e < (long)K * CO; e++) dw[e] = 0.f;
  for (int c0 = m0; c0 < m1; c0 += MC) {
    int count = c0 + MC < m1 ? MC : m1 - c0;
    pack_patches(x, H, W, C, OH, OW, kH, kW, sH, sW, pt, pl, c0, count, K4, row, P);
    pack_dy(dy, CO, c0, count, CO8, D);
    for (int k = 0; k < K4; k += 4)
      for (int co = 0; co < CO8; co += 8) {
        tile4x8(P + k * MC, D + co * MC, count, t);
        for (int a = 0; a < 4 && k + a < K; a++) {
          float *o = dw + (long)(k + a) * CO + co;
          if (co + 8 <= CO) {
            wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), wasm_v128_load(t + 8 * a)));
            wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), wasm_v128_load(t + 8 * a + 4)));
          } else {
            for (int j = 0; co + j < CO; j++) o[j] += t[8 * a + j];
          }
        }
      }
  }
}

/* dst[i] += src[i], i < n (summing the threads' partial filter gradients). */
EXPORT(add_into)
void add_into(float *dst, const float *src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < n; i++) dst[i] += src[i];
}
