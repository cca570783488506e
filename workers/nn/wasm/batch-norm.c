/*
 * Training batch norm (+ optional ReLU) split over the M = N·H·W positions: every part runs one
 * function over its own contiguous rows x[m][c] (rows ld floats apart, C channels), the caller
 * merges the parts' per-channel results in a fixed order (kernels/batch-norm.ts) and runs the
 * second function over the same rows. Channels last, so a part reads whole rows (a split by
 * channels made two threads share every cache line of a row).
 *
 *   forward:  bn_part_stats (mean and M2 per channel of the part)  → merge → bn_apply (y = x·scale + shift, ReLU)
 *   backward: bn_grad_sums (Σ g and Σ g·x̂ per channel of the part) → merge → bn_grad_apply (dx)
 *
 * Same rules as kernels.c: no globals, data or stack; scratch comes from the caller.
 */
#include <wasm_simd128.h>

#include "simd-common.h"

/* Rows summed in float before being flushed into double accumulators (bounds rounding error). */
#define BN_BLOCK 64
/* Rows per chunk of bn_part_stats: its two passes read a chunk while it is in cache (≈ 64 KiB). */
#define CHUNK_BYTES 65536

/* acc_k += f(row[k]) for 16 channels in registers, f = identity or (x − ref)² (ref: 4 vectors). */
#define SUM16(SQ)                                                                     \
  for (int m = m0; m < m1; m++) {                                                     \
    const float *row = x + (long)m * ld + c;                                          \
    v128_t v0 = wasm_v128_load(row), v1 = wasm_v128_load(row + 4);                    \
    v128_t v2 = wasm_v128_load(row + 8), v3 = wasm_v128_load(row + 12);               \
    if (SQ) {                                                                         \
      v0 = wasm_f32x4_sub(v0, r0); v1 = wasm_f32x4_sub(v1, r1);                       \
      v2 = wasm_f32x4_sub(v2, r2); v3 = wasm_f32x4_sub(v3, r3);                       \
      v0 = wasm_f32x4_mul(v0, v0); v1 = wasm_f32x4_mul(v1, v1);                       \
      v2 = wasm_f32x4_mul(v2, v2); v3 = wasm_f32x4_mul(v3, v3);                       \
    }                                                                                 \
    a0 = wasm_f32x4_add(a0, v0); a1 = wasm_f32x4_add(a1, v1);                         \
    a2 = wasm_f32x4_add(a2, v2); a3 = wasm_f32x4_add(a3, v3);                         \
  }

/* dacc[c] = Σ_m f(x[m][c]) over rows [0, M), f = identity or (x − ref)²; float blocks of BN_BLOCK rows
 * (16 channels at a time in registers, the rest through facc). */
static void block_sums(const float *x, int M, int C, int ld, const float *ref, float *facc, double *dacc, int squared) {
  for (int c = 0; c < C; c++) dacc[c] = 0.0;
  for (int m0 = 0; m0 < M; m0 += BN_BLOCK) {
    int m1 = m0 + BN_BLOCK < M ? m0 + BN_BLOCK : M;
    int c = 0;
    for (; c + 16 <= C; c += 16) {
      v128_t a0 = wasm_f32x4_splat(0.f), a1 = a0, a2 = a0, a3 = a0, r0 = a0, r1 = a0, r2 = a0, r3 = a0;
      if (squared) {
        r0 = wasm_v128_load(ref + c); r1 = wasm_v128_load(ref + c + 4);
        r2 = wasm_v128_load(ref + c + 8); r3 = wasm_v128_load(ref + c + 12);
        SUM16(1)
      } else {
        SUM16(0)
      }
      wasm_v128_store(facc + c, a0); wasm_v128_store(facc + c + 4, a1);
      wasm_v128_store(facc + c + 8, a2); wasm_v128_store(facc + c + 12, a3);
    }
    int c16 = c;
    for (int k = c16; k < C; k++) facc[k] = 0.f;
    for (int m = m0; m < m1; m++) {
      const float *row = x + (long)m * ld;
      for (c = c16; c + 4 <= C; c += 4) {
        v128_t v = wasm_v128_load(row + c);
        if (squared) { v = wasm_f32x4_sub(v, wasm_v128_load(ref + c)); v = wasm_f32x4_mul(v, v); }
        wasm_v128_store(facc + c, wasm_f32x4_add(wasm_v128_load(facc + c), v));
      }
      for (; c < C; c++) { float v = row[c]; if (squared) { v -= ref[c]; v *= v; } facc[c] += v; }
    }
    for (c = 0; c < C; c++) dacc[c] += facc[c];
  }
}

/*
 * Mean and M2 = Σ (x − mean)² per channel over this part's M rows, in double: out[c] = mean,
 * out[C + c] = M2. Each chunk of rows takes two passes while it is in cache (its mean, then squares
 * about that mean rounded to float) and is merged into the part by Chan et al.'s update:
 *   δ = mean_b − mean_a,  mean = mean_a + δ·n_b/n,  M2 = M2_a + M2_b + δ²·n_a·n_b/n.
 * scratch: ≥ 3·C doubles (8-byte aligned) then 2·C floats.
 */
EXPORT(bn_part_stats)
void bn_part_stats(const float *x, int M, int C, int ld, double *out, double *scratch) {
  double *mean = out, *m2 = out + C, *dacc = scratch, *dq = scratch + C;
  float *facc = (float *)(scratch + 3 * C), *ref = facc + C;
  int rows = CHUNK_BYTES / (4 * (C > 0 ? C : 1));
  rows = rows < BN_BLOCK ? BN_BLOCK : rows - rows % BN_BLOCK;
  for (int c = 0; c < C; c++) { mean[c] = 0.0; m2[c] = 0.0; }
  long n = 0;
  for (int m0 = 0; m0 < M; m0 += rows) {
    int nb = M - m0 < rows ? M - m0 : rows;
    const float *xb = x + (long)m0 * ld;
    block_sums(xb, nb, C, ld, 0, facc, dacc, 0);
    for (int c = 0; c < C; c++) ref[c] = (float)(dacc[c] / nb);
    block_sums(xb, nb, C, ld, ref, facc, dq, 1);
    long na = n;
    n += nb;
    for (int c = 0; c < C; c++) {
      double mb = dacc[c] / nb;
      /* Σ (x − mb)² = Σ (x − ref)² − nb·(mb − ref)², since Σ (x − ref) = nb·(mb − ref). */
      double e = mb - ref[c], m2b = dq[c] - nb * e * e;
      double d = mb - mean[c];
      mean[c] += d * nb / n;
      m2[c] += m2b + d * d * ((double)na * nb / n);
    }
  }
}

/* y = x·scale + shift per channel (then max(y, 0) when relu) over M rows. */
EXPORT(bn_apply)
void bn_apply(const float *__restrict x, int M, int C, int ld, const float *__restrict scale, const float *__restrict shift, int relu, float *__restrict y) {
  v128_t zero = wasm_f32x4_splat(0.f);
  for (int m = 0; m < M; m++) {
    const float *row = x + (long)m * ld;
    float *out = y + (long)m * ld;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      v128_t v = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(row + c), wasm_v128_load(scale + c)), wasm_v128_load(shift + c));
      if (relu) v = wasm_f32x4_max(v, zero);
      wasm_v128_store(out + c, v);
    }
    for (; c < C; c++) { float v = row[c] * scale[c] + shift[c]; out[c] = relu && v < 0.f ? 0.f : v; }
  }
}

/*
 * The part's gradient sums: out[c] = Σ g, out[C + c] = Σ g·(x − mean)·istd (double), g = dy masked
 * by y > 0 when relu (y: the forward output). scratch: ≥ 2·C floats.
 */
EXPORT(bn_grad_sums)
void bn_grad_sums(const float *dy, const float *y, const float *x, int M, int C, int ld, const float *mean, const float *istd,
                  int relu, double *out, float *scratch) {
  double *dsum = out, *dsumx = out + C;
  float *fsum = scratch, *fsumx = scratch + C;
  for (int c = 0; c < C; c++) { dsum[c] = 0.0; dsumx[c] = 0.0; }
  v128_t zero = wasm_f32x4_splat(0.f);
  for (int m0 = 0; m0 < M; m0 += BN_BLOCK) {
    int m1 = m0 + BN_BLOCK < M ? m0 + BN_BLOCK : M;
    for (int c = 0; c < C; c++) { fsum[c] = 0.f; fsumx[c] = 0.f; }
    for (int m = m0; m < m1; m++) {
      const float *g = dy + (long)m * ld, *xr = x + (long)m * ld, *yr = y + (long)m * ld;
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        v128_t gv = wasm_v128_load(g + c);
        if (relu) gv = wasm_v128_and(gv, wasm_f32x4_gt(wasm_v128_load(yr + c), zero));
        v128_t xh = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c)), wasm_v128_load(istd + c));
        wasm_v128_store(fsum + c, wasm_f32x4_add(wasm_v128_load(fsum + c), gv));
        wasm_v128_store(fsumx + c, wasm_f32x4_add(wasm_v128_load(fsumx + c), wasm_f32x4_mul(gv, xh)));
      }
      for (; c < C; c++) {
        float gv = relu && !(yr[c] > 0.f) ? 0.f : g[c];
        fsum[c] += gv;
        fsumx[c] += gv * (xr[c] - mean[c]) * istd[c];
      }
    }
    for (int c = 0; c < C; c++) { dsum[c] += fsum[c]; dsumx[c] += fsumx[c]; }
  }
}

/* dx = g·k1 − x·b + c0 per channel over M rows (k1 = γ·istd, b = k1·Σg·x̂/M·istd, c0 = mean·b − k1·Σg/M). */
EXPORT(bn_grad_apply)
void bn_grad_apply(const float *__restrict dy, const float *__restrict y, const float *__restrict x, int M, int C, int ld,
                   const float *__restrict k1, const float *__restrict b, const float *__restrict c0, int relu, float *__restrict dx) {
  v128_t zero = wasm_f32x4_splat(0.f);
  for (int m = 0; m < M; m++) {
    const float *g = dy + (long)m * ld, *xr = x + (long)m * ld, *yr = y + (long)m * ld;
    float *o = dx + (long)m * ld;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      v128_t gv = wasm_v128_load(g + c);
      if (relu) gv = wasm_v128_and(gv, wasm_f32x4_gt(wasm_v128_load(yr + c), zero));
      v128_t d = wasm_f32x4_sub(wasm_f32x4_mul(gv, wasm_v128_load(k1 + c)), wasm_f32x4_mul(wasm_v128_load(xr + c), wasm_v128_load(b + c)));
      wasm_v128_store(o + c, wasm_f32x4_add(d, wasm_v128_load(c0 + c)));
    }
    for (; c < C; c++) {
      float gv = relu && !(yr[c] > 0.f) ? 0.f : g[c];
      o[c] = gv * k1[c] - xr[c] * b[c] + c0[c];
    }
  }
}
