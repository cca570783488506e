/*
 * Hand-written WebAssembly SIMD kernels for Deeper's training path, run directly on the memory of
 * the tfjs wasm backend (this module imports that memory; every pointer is an offset into it).
 *
 * Rules that keep it safe inside another module's memory: no globals, no static data, no stack
 * (no arrays or address-taken locals): build.sh checks the binary has no data section and never
 * touches __stack_pointer. Scratch space comes from the caller (tfjs's malloc).
 *
 * Layouts: activations channels-last, x[m][c] with m = n·H·W positions and C channels. The batch-norm
 * kernels take C channels of rows ld floats apart (ld ≥ C): a caller splits the channels between
 * threads by offsetting every per-channel pointer and passing C = its share, ld = all channels.
 */
#include <wasm_simd128.h>
#include <stdint.h>

#include "simd-common.h"

/* Rows summed in float before being flushed into double accumulators (bounds rounding error). */
#define BLOCK 64

/* batch-norm.c (its BN_BLOCK equals BLOCK, so the sums keep their order; y never aliases x). */
void bn_apply(const float *__restrict x, int M, int C, int ld, const float *__restrict scale, const float *__restrict shift, int relu, float *__restrict y);
void bn_grad_sums(const float *dy, const float *y, const float *x, int M, int C, int ld, const float *mean, const float *istd,
                  int relu, double *out, float *scratch);

/* sum[c] (double) += Σ_m f(x[m][c]) over M rows, f = identity or (x − mean)².
 * facc: C floats, dacc: C doubles of caller scratch. */
static void channel_sums(const float *x, int M, int C, int ld, const float *mean, float *facc, double *dacc, int squared) {
  for (int c = 0; c < C; c++) dacc[c] = 0.0;
  for (int m0 = 0; m0 < M; m0 += BLOCK) {
    int m1 = m0 + BLOCK < M ? m0 + BLOCK : M;
    for (int c = 0; c < C; c++) facc[c] = 0.f;
    for (int m = m0; m < m1; m++) {
      const float *row = x + (long)m * ld;
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        v128_t v = wasm_v128_load(row + c);
        if (squared) { v = wasm_f32x4_sub(v, wasm_v128_load(mean + c)); v = wasm_f32x4_mul(v, v); }
        wasm_v128_store(facc + c, wasm_f32x4_add(wasm_v128_load(facc + c), v));
      }
      for (; c < C; c++) { float v = row[c]; if (squared) { v -= mean[c]; v *= v; } facc[c] += v; }
    }
    for (int c = 0; c < C; c++) dacc[c] += facc[c];
  }
}

/*
 * Training batch norm (+ optional ReLU): mean, biased variance over M; y = γ(x−μ)/√(σ²+ε) + β.
 * scratch: ≥ 3·C floats + C doubles (8-byte aligned at scratch).
 */
EXPORT(bn_train)
void bn_train(const float *x, int M, int C, int ld, const float *gamma, const float *beta, float eps, int relu,
              float *y, float *mean, float *var, double *scratch) {
  double *dacc = scratch;
  float *facc = (float *)(scratch + C);
  float *scale = facc + C, *shift = scale + C;
  channel_sums(x, M, C, ld, 0, facc, dacc, 0);
  for (int c = 0; c < C; c++) mean[c] = (float)(dacc[c] / M);
  channel_sums(x, M, C, ld, mean, facc, dacc, 1);
  for (int c = 0; c < C; c++) {
    double v = dacc[c] / M;
    var[c] = (float)v;
    double s = gamma[c] / __builtin_sqrt(v + eps);
    scale[c] = (float)s;
    shift[c] = (float)(beta[c] - mean[c] * s);
  }
  bn_apply(x, M, C, ld, scale, shift, relu, y);
}

/*
 * Backward of bn_train. g = dy, masked by y > 0 when relu (y: the forward output).
 *   dβ = Σ g,  dγ = Σ g·x̂,  dx = γ/√(σ²+ε) · (g − dβ/M − x̂·dγ/M)
 * scratch: ≥ 4·C floats + 2·C doubles.
 */
EXPORT(bn_grad)
void bn_grad(const float *dy, const float *y, const float *x, int M, int C, int ld, const float *mean, const float *var,
             const float *gamma, float eps, int relu, float *dx, float *dgamma, float *dbeta, double *scratch) {
  double *dsum = scratch, *dsumx = scratch + C;
  float *fsum = (float *)(scratch + 2 * C), *fsumx = fsum + C, *istd = fsumx + C, *k1 = istd + C;
  for (int c = 0; c < C; c++) { dsum[c] = 0.0; dsumx[c] = 0.0; istd[c] = (float)(1.0 / __builtin_sqrt((double)var[c] + eps)); }
  /* Σg and Σg·x̂ per channel (float within blocks of BLOCK rows, float64 across): batch-norm.c. */
  bn_grad_sums(dy, y, x, M, C, ld, mean, istd, relu, dsum, fsum);
  /* dx = k1·g − k1·dβ/M − k1·dγ/M·x̂, with x̂ = (x−μ)·istd: precompute per channel. */
  float *a = fsum, *b = fsumx; /* reuse: a = k1·dβ/M, b = k1·dγ/M·istd */
  for (int c = 0; c < C; c++) {
    dbeta[c] = (float)dsum[c];
    dgamma[c] = (float)dsumx[c];
    k1[c] = gamma[c] * istd[c];
    a[c] = (float)(k1[c] * dsum[c] / M);
    b[c] = (float)(k1[c] * dsumx[c] / M * istd[c]);
  }
  v128_t zero = wasm_f32x4_splat(0.f);
  for (int m = 0; m < M; m++) {
    const float *g = dy + (long)m * ld, *xr = x + (long)m * ld, *yr = y + (long)m * ld;
    float *o = dx + (long)m * ld;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      v128_t gv = wasm_v128_load(g + c);
      if (relu) gv = wasm_v128_and(gv, wasm_f32x4_gt(wasm_v128_load(yr + c), zero));
      v128_t d = wasm_f32x4_sub(wasm_f32x4_mul(gv, wasm_v128_load(k1 + c)), wasm_v128_load(a + c));
      d = wasm_f32x4_sub(d, wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c)), wasm_v128_load(b + c)));
      wasm_v128_store(o + c, d);
    }
    for (; c < C; c++) {
      float gv = relu && !(yr[c] > 0.f) ? 0.f : g[c];
      o[c] = gv * k1[c] - a[c] - (xr[c] - mean[c]) * b[c];
    }
  }
}

/*
 * Max pooling k×k, stride s, padding (top, left), NHWC, over images [n0, n1) of x; also records the
 * flat input index of each maximum (first maximum in window order) for the backward pass. Images are
 * independent, so a caller splits them between threads.
 */
EXPORT(max_pool)
void max_pool(const float *x, int H, int W, int C, int k, int s, int pt, int pl, int OH, int OW,
              float *y, int32_t *arg, int n0, int n1) {
  for (int n = n0; n < n1; n++)
    for (int oh = 0; oh < OH; oh++)
      for (int ow = 0; ow < OW; ow++) {
        float *yo = y + (((long)n * OH + oh) * OW + ow) * C;
        int32_t *ao = arg + (((long)n * OH + oh) * OW + ow) * C;
        int first = 1;
        for (int kh = 0; kh < k; kh++) {
          int ih = oh * s + kh - pt;
          if (ih < 0 || ih >= H) continue;
          for (int kw = 0; kw < k; kw++) {
            int iw = ow * s + kw - pl;
            if (iw < 0 || iw >= W) continue;
            int base = (int)((((long)n * H + ih) * W + iw) * C);
            const float *xi = x + base;
            int c = 0;
            if (first) {
              for (; c + 4 <= C; c += 4) {
                wasm_v128_store(yo + c, wasm_v128_load(xi + c));
                wasm_v128_store(ao + c, wasm_i32x4_add(wasm_i32x4_splat(base + c), wasm_i32x4_make(0, 1, 2, 3)));
              }
              for (; c < C; c++) { yo[c] = xi[c]; ao[c] = base + c; }
              first = 0;
              continue;
            }
            for (; c + 4 <= C; c += 4) {
              v128_t v = wasm_v128_load(xi + c), cur = wasm_v128_load(yo + c);
              v128_t gt = wasm_f32x4_gt(v, cur);
              wasm_v128_store(yo + c, wasm_v128_bitselect(v, cur, gt));
              v128_t idx = wasm_i32x4_add(wasm_i32x4_splat(base + c), wasm_i32x4_make(0, 1, 2, 3));
              wasm_v128_store(ao + c, wasm_v128_bitselect(idx, wasm_v128_load(ao + c), gt));
            }
            for (; c < C; c++) if (xi[c] > yo[c]) { yo[c] = xi[c]; ao[c] = base + c; }
          }
        }
      }
}

/* dx[j0, j1) = 0; dx[arg[i]] += dy[i] for i in [i0, i1). Called per range of images (the arg of an
 * image's outputs point into that image's dx), so parts on different threads never touch the same dx. */
EXPORT(max_pool_grad)
void max_pool_grad(const float *dy, const int32_t *arg, int i0, int i1, float *dx, int j0, int j1) {
  v128_t zero = wasm_f32x4_splat(0.f);
  int j = j0;
  for (; j + 4 <= j1; j += 4) wasm_v128_store(dx + j, zero);
  for (; j < j1; j++) dx[j] = 0.f;
  for (int i = i0; i < i1; i++) dx[arg[i]] += dy[i];
}

/*
 * Phase split for the filter gradient (see conv2d_backprop_filter.ts):
 *   xt[phase(rh, rw)][group][c][img-in-group][a][b] = x[img, a·sH + rh − pt, b·sW + rw − pl, c]
 * for a < Hq, b < Wq, zero where that position lies outside the image (every element is written).
 */
EXPORT(phase_split)
void phase_split(const float *x, int N, int H, int W, int C, int sH, int sW, int PH, int PW, int pt, int pl,
                 int Hq, int Wq, int ng, float *xt) {
  long cell = (long)Hq * Wq, phaseSize = (long)N * cell * C;
  for (int rh = 0; rh < PH; rh++)
    for (int rw = 0; rw < PW; rw++) {
      float *pbase = xt + (rh * PW + rw) * phaseSize;
      for (int img = 0; img < N; img++) {
        int grp = img / ng, in = img - grp * ng;
        int gsize = N - grp * ng < ng ? N - grp * ng : ng;
        long rowLen = gsize * cell;
        float *gbase = pbase + (long)grp * ng * cell * C + in * cell;
        for (int a = 0; a < Hq; a++) {
          int i = a * sH + rh - pt;
          int rowIn = i >= 0 && i < H;
          for (int b = 0; b < Wq; b++) {
            int j = b * sW + rw - pl;
            float *dst = gbase + a * Wq + b;
            if (!rowIn || j < 0 || j >= W) {
              for (int c = 0; c < C; c++) dst[c * rowLen] = 0.f;
              continue;
            }
            const float *src = x + (((long)img * H + i) * W + j) * C;
            for (int c = 0; c < C; c++) dst[c * rowLen] = src[c];
          }
        }
      }
    }
}

/* dy [n][OH][OW][CO] placed at the top-left of a zero grid [n][Hq][Wq][CO] (every element written). */
EXPORT(grid_pad)
void grid_pad(const float *dy, int N, int OH, int OW, int CO, int Hq, int Wq, float *out) {
  v128_t zero = wasm_f32x4_splat(0.f);
  for (int img = 0; img < N; img++)
    for (int a = 0; a < Hq; a++) {
      float *d = out + (((long)img * Hq + a) * Wq) * CO;
      long n = (long)Wq * CO, k = 0;
      if (a < OH) {
        const float *s = dy + (((long)img * OH + a) * OW) * CO;
        long m = (long)OW * CO;
        for (; k + 4 <= m; k += 4) wasm_v128_store(d + k, wasm_v128_load(s + k));
        for (; k < m; k++) d[k] = s[k];
      }
      for (; k + 4 <= n; k += 4) wasm_v128_store(d + k, zero);
      for (; k < n; k++) d[k] = 0.f;
    }
}

/*
 * Transposed im2col for the filter gradient of small feature maps:
 *   pt_[(kh·kW + kw)·C + c][m] = x[img, oh·sH + kh − pt, ow·sW + kw − pl, c],  m = (img·OH + oh)·OW + ow
 * over images [n0, n0 + count); zero where the window leaves the image. Row length: count·OH·OW.
 */
EXPORT(im2col_t)
void im2col_t(const float *x, int H, int W, int C, int kH, int kW, int sH, int sW, int pt, int pl,
              int OH, int OW, int n0, int count, float *out) {
  long M = (long)count * OH * OW;
  for (int img = 0; img < count; img++)
    for (int oh = 0; oh < OH; oh++)
      for (int ow = 0; ow < OW; ow++) {
        long m = ((long)img * OH + oh) * OW + ow;
        for (int kh = 0; kh < kH; kh++) {
          int i = oh * sH + kh - pt;
          for (int kw = 0; kw < kW; kw++) {
            int j = ow * sW + kw - pl;
            float *dst = out + ((long)(kh * kW + kw) * C) * M + m;
            if (i < 0 || i >= H || j < 0 || j >= W) {
              for (int c = 0; c < C; c++) dst[c * M] = 0.f;
            } else {
              const float *src = x + ((((long)(n0 + img)) * H + i) * W + j) * C;
              for (int c = 0; c < C; c++) dst[c * M] = src[c];
            }
          }
        }
      }
}
