/*
 * Filter gradient of a convolution (NHWC, any kernel size, stride and padding, dilation 1) on the
 * row layout of direct-conv.c, with no im2col packing:
 *
 *   dw[kh, kw, c, co] = Σ_{n, oy, ox} x[n, oy·sH + kh − pt, ox·sW + kw − pl, c] · dy[n, oy, ox, co]
 *
 * For output row (n, oy) its kH input rows are copied zero-padded into R[kh][WP·C] (as in
 * direct-conv.c); the reduction index k = (kh·kW + kw)·C + c then reads R[kh][kw·C + c + ox·sW·C]
 * at output column ox: one base pointer per k and a constant stride per column. dW[K][CO] is
 * accumulated in 4 × 8 register tiles (4 values of k × 8 output channels, as filter-grad.c) over
 * all positions of a chunk of rows (≥ 64 positions), loaded from and stored to a [⌈K/4⌉·4][CO8]
 * float buffer once per chunk. Against filter-grad.c: no patch or dy packing per chunk, and K is
 * padded to a multiple of 4 only (the stem's space-to-depth form pads 147 to 192).
 *
 * Output rows [r0, r1) of N·OH; dw [K][CO] is overwritten. The sum over a part's rows runs in a
 * fixed order (chunks from r0), so the caller's fixed split makes the bits thread-independent.
 * CO must be a multiple of 4. Same rules as kernels.c: no globals, no static data, no stack.
 */
#include <wasm_simd128.h>

#include "simd-common.h"
/* Fewest positions per chunk (accumulator loads and stores amortised over them). */
#define CHUNK_POSITIONS 64

static int chunk_rows(int OW) { int rc = (CHUNK_POSITIONS + OW - 1) / OW; return rc < 1 ? 1 : rc; }
static int row_floats(int C, int OW, int kW, int sW) { return ((OW - 1) * sW + kW) * C; }

EXPORT(direct_grad_scratch)
int direct_grad_scratch(int C, int CO, int kH, int kW, int OW, int sW) {
  int K4 = (kH * kW * C + 3) & ~3, CO8 = (CO + 7) & ~7;
  return K4 * CO8 + chunk_rows(OW) * kH * row_floats(C, OW, kW, sW) + 4;
}

EXPORT(direct_filter_grad)
void direct_filter_grad(const float *x, const float *dy, int H, int W, int C, int OH, int OW, int CO,
                        int kH, int kW, int sH, int sW, int pt, int pl, int r0, int r1, float *dw, float *scratch) {
  const int KW = kW * C, K = kH * KW, K4 = (K + 3) & ~3, CO8 = (CO + 7) & ~7, rowF = row_floats(C, OW, kW, sW), step = sW * C;
  const int RC = chunk_rows(OW);
  float *D = scratch, *R = D + (long)K4 * CO8;
  for (long i = 0; i < (long)K4 * CO8; i++) D[i] = 0.f;
  for (int ra = r0; ra < r1; ra += RC) {
    int rows = ra + RC < r1 ? RC : r1 - ra;
    /* R[row][kh][p·C + c] = x[n, oy·sH + kh − pt, p − pl, c], zeros outside the image. */
    for (int q = 0; q < rows; q++) {
      int r = ra + q, n = r / OH, oy = r - n * OH;
      for (int kh = 0; kh < kH; kh++) {
        float *dst = R + ((long)q * kH + kh) * rowF;
        int iy = oy * sH + kh - pt;
        if (iy < 0 || iy >= H) { for (int i = 0; i < rowF; i++) dst[i] = 0.f; continue; }
        const float *src = x + (((long)n * H + iy) * W) * C;
        int lead = pl * C, body = W * C;
        if (lead > rowF) lead = rowF;
        if (lead + body > rowF) body = rowF - lead;
        for (int i = 0; i < lead; i++) dst[i] = 0.f;
        for (int i = 0; i < body; i++) dst[lead + i] = src[i];
        for (int i = lead + body; i < rowF; i++) dst[i] = 0.f;
      }
    }
    for (int k = 0; k < K4; k += 4) {
      /* Offsets of k … k+3 inside a row block; lanes past K repeat lane 0 (their sums are not written out). */
      long off[4];
      for (int i = 0; i < 4; i++) {
        int kk = k + i < K ? k + i : k, kh = kk / KW, j = kk - kh * KW;
        off[i] = (long)kh * rowF + j;
      }
      for (int co = 0; co < CO8; co += 8) {
        float *d = D + (long)k * CO8 + co;
        v128_t c00 = wasm_v128_load(d), c01 = wasm_v128_load(d + 4);
        v128_t c10 = wasm_v128_load(d + CO8), c11 = wasm_v128_load(d + CO8 + 4);
        v128_t c20 = wasm_v128_load(d + 2 * CO8), c21 = wasm_v128_load(d + 2 * CO8 + 4);
        v128_t c30 = wasm_v128_load(d + 3 * CO8), c31 = wasm_v128_load(d + 3 * CO8 + 4);
        for (int q = 0; q < rows; q++) {
          const float *base = R + (long)q * kH * rowF;
          const float *v0 = base + off[0], *v1 = base + off[1], *v2 = base + off[2], *v3 = base + off[3];
          const float *g = dy + (long)(ra + q) * OW * CO + co;
          if (co + 4 < CO) {
            for (int ox = 0; ox < OW; ox++, g += CO, v0 += step, v1 += step, v2 += step, v3 += step) {
              v128_t b0 = wasm_v128_load(g), b1 = wasm_v128_load(g + 4);
              v128_t s = wasm_v128_load32_splat(v0);
              MA(c00, s, b0); MA(c01, s, b1);
              s = wasm_v128_load32_splat(v1);
              MA(c10, s, b0); MA(c11, s, b1);
              s = wasm_v128_load32_splat(v2);
              MA(c20, s, b0); MA(c21, s, b1);
              s = wasm_v128_load32_splat(v3);
              MA(c30, s, b0); MA(c31, s, b1);
            }
          } else { /* the last 4 output channels of CO ≡ 4 (mod 8) */
            for (int ox = 0; ox < OW; ox++, g += CO, v0 += step, v1 += step, v2 += step, v3 += step) {
              v128_t b0 = wasm_v128_load(g);
              MA(c00, wasm_v128_load32_splat(v0), b0);
              MA(c10, wasm_v128_load32_splat(v1), b0);
              MA(c20, wasm_v128_load32_splat(v2), b0);
              MA(c30, wasm_v128_load32_splat(v3), b0);
            }
          }
        }
        wasm_v128_store(d, c00); wasm_v128_store(d + 4, c01);
        wasm_v128_store(d + CO8, c10); wasm_v128_store(d + CO8 + 4, c11);
        wasm_v128_store(d + 2 * CO8, c20); wasm_v128_store(d + 2 * CO8 + 4, c21);
        wasm_v128_store(d + 3 * CO8, c30); wasm_v128_store(d + 3 * CO8 + 4, c31);
      }
    }
  }
  for (int k = 0; k < K; k++)
    for (int co = 0; co < CO; co += 4) wasm_v128_store(dw + (long)k * CO + co, wasm_v128_load(D + (long)k * CO8 + co));
}
