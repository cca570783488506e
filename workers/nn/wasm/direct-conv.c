/*
 * Register-tiled direct convolution (NHWC, any kernel size, stride and padding, dilation 1), fused
 * with bias and an optional ReLU: for the layers Winograd does not take (the 7×7 stride-2 stem on 3
 * channels, the stride-2 3×3 convolutions, the 1×1 projections).
 *
 *   y[n, oy, ox, co] = act(bias[co] + Σ_{kh, kw, c} x[n, oy·sH + kh − pt, ox·sW + kw − pl, c] · w[kh, kw, c, co])
 *
 * For one output pixel and one filter row kh, the taps kw = 0 … kW−1 read kW·C consecutive floats
 * of the input row (NHWC), whatever the stride: so per output row the kH input rows it needs are
 * copied once into a zero-padded row block R[kH][WP·C] (a copy of kH·W·C floats against
 * OW·kH·kW·C·CO multiply-adds), and then 4 output pixels × 8 output channels of accumulators in
 * registers (as filter-grad.c and winograd.c) run over the contiguous reduction of length kW·C per
 * row with no im2col and no bounds checks: pixel i reads R[kh][ox·sW·C + i·sW·C + j]. Rows outside
 * the image are skipped (their taps are zeros). The filter is packed once by direct_pack into
 * P[⌈CO/8⌉][kH·kW·C][8] (output channels padded with zeros).
 *
 * Work is split by output rows r = n·OH + oy in [r0, r1): no sum crosses rows, so the output does
 * not depend on the split (threads). CO must be a multiple of 4. Same rules as kernels.c: no
 * globals, no static data, no stack.
 */
#include <wasm_simd128.h>

#include "simd-common.h"

/* Output pixels of a row rounded up to 4 (the last group computes past OW into padding and is not stored). */
static int row_pixels(int OW, int sW, int kW) { return ((OW + 3) & ~3) * sW + kW; }

EXPORT(direct_scratch)
int direct_scratch(int C, int OW, int kH, int kW, int sW) {
  return kH * row_pixels(OW, sW, kW) * C + 4;
}

/* P[co/8][k][co%8] = w[k][co] (k < K = kH·kW·C), zero for co ≥ CO. */
EXPORT(direct_pack)
void direct_pack(const float *w, int K, int CO, float *P) {
  int CO8 = (CO + 7) & ~7;
  for (int b = 0; b < CO8; b += 8)
    for (int k = 0; k < K; k++)
      for (int i = 0; i < 8; i++) P[((long)b * K) + (long)k * 8 + i] = b + i < CO ? w[(long)k * CO + b + i] : 0.f;
}

/* The packed filter of one stride phase (rh, rw) of an input gradient, straight from the forward filter
 * w[kH][kW][CI][CO] (what direct_pack makes of the phase's flipped, channel-swapped sub-filter):
 * P[ci/8][k][ci%8] = w[rh + sH·(JH−1−jh)][rw + sW·(JW−1−jw)][ci][co] with k = (jh·JW + jw)·CO + co, zero
 * for ci ≥ CI; only the blocks of 8 output channels ci in [b0, b1) (multiples of 8), so callers split it
 * between threads (a copy: the same bits whatever the split). */
EXPORT(direct_pack_phase)
void direct_pack_phase(const float *w, int kW, int CI, int CO, int sH, int sW, int rh, int rw, int JH, int JW, float *P, int b0, int b1) {
  long K = (long)JH * JW * CO;
  for (int b = b0; b < b1; b += 8)
    for (int jh = 0; jh < JH; jh++)
      for (int jw = 0; jw < JW; jw++) {
        int kh = rh + sH * (JH - 1 - jh), kw = rw + sW * (JW - 1 - jw);
        const float *src = w + (long)(kh * kW + kw) * CI * CO;
        float *dst = P + (long)b * K + (long)(jh * JW + jw) * CO * 8;
        for (int co = 0; co < CO; co++)
          for (int i = 0; i < 8; i++) dst[(long)co * 8 + i] = b + i < CI ? src[(long)(b + i) * CO + co] : 0.f;
      }
}

static inline void store8(float *o, int co, int CO, v128_t a, v128_t b, v128_t bias0, v128_t bias1, int relu) {
  a = wasm_f32x4_add(a, bias0);
  b = wasm_f32x4_add(b, bias1);
  if (relu) { a = wasm_f32x4_max(a, wasm_f32x4_splat(0.f)); b = wasm_f32x4_max(b, wasm_f32x4_splat(0.f)); }
  wasm_v128_store(o, a);
  if (co + 4 < CO) wasm_v128_store(o + 4, b);
}

/* bias = 0: none. Rows [r0, r1) of N·OH; scratch: direct_scratch(C, OW, kH, kW, sW) floats. Output
 * pixel (n, oy, ox) at y + n·yImg + oy·yRow + ox·yPix (a plain NHWC output: yPix = CO, yRow = OW·CO,
 * yImg = OH·OW·CO; a stride phase of an input gradient writes straight into every s-th pixel of dx).
 * Padding may be negative (the output starts inside the input). */
EXPORT(direct_conv)
void direct_conv(const float *x, int H, int W, int C, const float *P, const float *bias, int CO,
                 int kH, int kW, int sH, int sW, int pt, int pl, int OH, int OW, int relu,
                 float *y, int yPix, int yRow, int yImg, int r0, int r1, float *scratch) {
  const int WP = row_pixels(OW, sW, kW), rowF = WP * C, KW = kW * C, K = kH * KW, CO8 = (CO + 7) & ~7;
  const int step = sW * C;
  float *R = scratch;
  for (int r = r0; r < r1; r++) {
    int n = r / OH, oy = r - n * OH;
    /* The kH input rows, zero-padded: R[kh][p·C + c] = x[n, oy·sH + kh − pt, p − pl, c]. */
    int kh0 = 0, kh1 = kH;
    while (kh0 < kH && oy * sH + kh0 - pt < 0) kh0++;
    while (kh1 > kh0 && oy * sH + kh1 - 1 - pt >= H) kh1--;
    for (int kh = kh0; kh < kh1; kh++) {
      const float *src = x + (((long)n * H + (oy * sH + kh - pt)) * W) * C;
      float *dst = R + (long)kh * rowF;
      int lead = pl * C, body = W * C;
      if (lead < 0) { src -= lead; body += lead; lead = 0; } /* negative padding: skip −pl input pixels */
      if (body < 0) body = 0;
      if (lead > rowF) lead = rowF;
      if (lead + body > rowF) body = rowF - lead;
      for (int i = 0; i < lead; i++) dst[i] = 0.f;
      for (int i = 0; i < body; i++) dst[lead + i] = src[i];
      for (int i = lead + body; i < rowF; i++) dst[i] = 0.f;
    }
    float *yrow = y + (long)n * yImg + (long)oy * yRow;
    for (int co = 0; co < CO8; co += 8) {
      const float *p0 = P + (long)co * K;
      v128_t bias0 = bias ? wasm_v128_load(bias + co) : wasm_f32x4_splat(0.f);
      v128_t bias1 = bias && co + 4 < CO ? wasm_v128_load(bias + co + 4) : wasm_f32x4_splat(0.f);
      for (int ox = 0; ox < OW; ox += 4) {
        v128_t c00 = wasm_f32x4_splat(0.f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int kh = kh0; kh < kh1; kh++) {
          const float *v0 = R + (long)kh * rowF + (long)ox * step, *v1 = v0 + step, *v2 = v1 + step, *v3 = v2 + step;
          const float *u = p0 + (long)kh * KW * 8;
          for (int j = 0; j < KW; j++, u += 8) {
            v128_t b0 = wasm_v128_load(u), b1 = wasm_v128_load(u + 4);
            v128_t s = wasm_v128_load32_splat(v0 + j);
            MA(c00, s, b0); MA(c01, s, b1);
            s = wasm_v128_load32_splat(v1 + j);
            MA(c10, s, b0); MA(c11, s, b1);
            s = wasm_v128_load32_splat(v2 + j);
            MA(c20, s, b0); MA(c21, s, b1);
            s = wasm_v128_load32_splat(v3 + j);
            MA(c30, s, b0); MA(c31, s, b1);
          }
        }
        float *o = yrow + (long)ox * yPix + co;
        store8(o, co, CO, c00, c01, bias0, bias1, relu);
        if (ox + 1 < OW) store8(o + yPix, co, CO, c10, c11, bias0, bias1, relu);
        if (ox + 2 < OW) store8(o + 2 * yPix, co, CO, c20, c21, bias0, bias1, relu);
        if (ox + 3 < OW) store8(o + 3 * yPix, co, CO, c30, c31, bias0, bias1, relu);
      }
    }
  }
}

/* Maps under 4 output columns: the 4-pixel tile runs across output rows (flattened positions of a chunk
 * of ≥ 16 positions, whole rows), each pixel with its own row block; kH rows copied per output row, zeros
 * outside the image. Same arguments and results as direct_conv. */
static int small_rows(int OW) { return (16 + OW - 1) / OW; }

EXPORT(direct_small_scratch)
int direct_small_scratch(int C, int OW, int kH, int kW, int sW) {
  return small_rows(OW) * kH * ((OW - 1) * sW + kW) * C + 4;
}

EXPORT(direct_conv_small)
void direct_conv_small(const float *x, int H, int W, int C, const float *P, const float *bias, int CO,
                       int kH, int kW, int sH, int sW, int pt, int pl, int OH, int OW, int relu,
                       float *y, int yPix, int yRow, int yImg, int r0, int r1, float *scratch) {
  const int rowF = ((OW - 1) * sW + kW) * C, KW = kW * C, K = kH * KW, CO8 = (CO + 7) & ~7, step = sW * C, RC = small_rows(OW);
  float *R = scratch;
  for (int ra = r0; ra < r1; ra += RC) {
    int rows = ra + RC < r1 ? RC : r1 - ra;
    for (int q = 0; q < rows; q++) {
      int r = ra + q, n = r / OH, oy = r - n * OH;
      for (int kh = 0; kh < kH; kh++) {
        float *dst = R + ((long)q * kH + kh) * rowF;
        int iy = oy * sH + kh - pt;
        if (iy < 0 || iy >= H) { for (int i = 0; i < rowF; i++) dst[i] = 0.f; continue; }
        const float *src = x + (((long)n * H + iy) * W) * C;
        int lead = pl * C, body = W * C;
        if (lead < 0) { src -= lead; body += lead; lead = 0; }
        if (body < 0) body = 0;
        if (lead > rowF) lead = rowF;
        if (lead + body > rowF) body = rowF - lead;
        for (int i = 0; i < lead; i++) dst[i] = 0.f;
        for (int i = 0; i < body; i++) dst[lead + i] = src[i];
        for (int i = lead + body; i < rowF; i++) dst[i] = 0.f;
      }
    }
    const int positions = rows * OW;
    for (int co = 0; co < CO8; co += 8) {
      const float *p0 = P + (long)co * K;
      v128_t bias0 = bias ? wasm_v128_load(bias + co) : wasm_f32x4_splat(0.f);
      v128_t bias1 = bias && co + 4 < CO ? wasm_v128_load(bias + co + 4) : wasm_f32x4_splat(0.f);
      for (int p = 0; p < positions; p += 4) {
        const float *base[4];
        float *out[4];
        for (int i = 0; i < 4; i++) {
          int pp = p + i < positions ? p + i : p, q = pp / OW, ox = pp - q * OW, r = ra + q, n = r / OH, oy = r - n * OH;
          base[i] = R + (long)q * kH * rowF + (long)ox * step;
          out[i] = p + i < positions ? y + (long)n * yImg + (long)oy * yRow + (long)ox * yPix + co : 0;
        }
        v128_t c00 = wasm_f32x4_splat(0.f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        const float *u = p0;
        for (int kh = 0; kh < kH; kh++) {
          const float *v0 = base[0] + (long)kh * rowF, *v1 = base[1] + (long)kh * rowF, *v2 = base[2] + (long)kh * rowF, *v3 = base[3] + (long)kh * rowF;
          for (int j = 0; j < KW; j++, u += 8) {
            v128_t b0 = wasm_v128_load(u), b1 = wasm_v128_load(u + 4);
            v128_t s = wasm_v128_load32_splat(v0 + j);
            MA(c00, s, b0); MA(c01, s, b1);
            s = wasm_v128_load32_splat(v1 + j);
            MA(c10, s, b0); MA(c11, s, b1);
            s = wasm_v128_load32_splat(v2 + j);
            MA(c20, s, b0); MA(c21, s, b1);
            s = wasm_v128_load32_splat(v3 + j);
            MA(c30, s, b0); MA(c31, s, b1);
          }
        }
        store8(out[0], co, CO, c00, c01, bias0, bias1, relu);
        if (out[1]) store8(out[1], co, CO, c10, c11, bias0, bias1, relu);
        if (out[2]) store8(out[2], co, CO, c20, c21, bias0, bias1, relu);
        if (out[3]) store8(out[3], co, CO, c30, c31, bias0, bias1, relu);
      }
    }
  }
}
