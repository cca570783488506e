// A linear combination of basis rows in WebAssembly (built with raster.c by build-raster-wasm.sh): the
// identity sums of workers/faces identityPositions and identityAlbedo, with the same double operations
// (float32 rows and sums, double weights and products, the sum rounded to float32 after every row).
#include <wasm_simd128.h>

// out[i] = base[i] + w[0] · rows[0][i] + … + w[K−1] · rows[K−1][i] for i in [0, n), rounded to float32 after
// each row, rows in order. Blocks of 2048 values: a block of out stays in cache while each row's block
// streams past it; four rows per sweep, the partial sums kept in double lanes between roundings.
void sum_rows(int n, const float *base, float *out, int K, const float *const *rows, const double *w) {
  enum { BLOCK = 2048 };
  for (int i0 = 0; i0 < n; i0 += BLOCK) {
    const int len = n - i0 < BLOCK ? n - i0 : BLOCK, len4 = len & ~3;
    for (int i = 0; i < len; i++) out[i0 + i] = base[i0 + i];
    int k = 0;
    for (; k + 4 <= K; k += 4) {
      const float *r0 = rows[k] + i0, *r1 = rows[k + 1] + i0, *r2 = rows[k + 2] + i0, *r3 = rows[k + 3] + i0;
      const v128_t w0 = wasm_f64x2_splat(w[k]), w1 = wasm_f64x2_splat(w[k + 1]), w2 = wasm_f64x2_splat(w[k + 2]), w3 = wasm_f64x2_splat(w[k + 3]);
      float *o = out + i0;
      for (int i = 0; i < len4; i += 4) {
        const v128_t a = wasm_v128_load(o + i);
        const v128_t b0 = wasm_v128_load(r0 + i), b1 = wasm_v128_load(r1 + i), b2 = wasm_v128_load(r2 + i), b3 = wasm_v128_load(r3 + i);
        v128_t lo = wasm_f64x2_promote_low_f32x4(a), hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(a, a, 2, 3, 2, 3));
#define ROW(b, wk)                                                                                                      \
  lo = wasm_f64x2_add(lo, wasm_f64x2_mul(wk, wasm_f64x2_promote_low_f32x4(b)));                                         \
  hi = wasm_f64x2_add(hi, wasm_f64x2_mul(wk, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(b, b, 2, 3, 2, 3))));
#define ROUND()                                                                                                         \
  lo = wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero(lo));                                                  \
  hi = wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero(hi));
        ROW(b0, w0) ROUND() ROW(b1, w1) ROUND() ROW(b2, w2) ROUND() ROW(b3, w3)
        wasm_v128_store(o + i, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5));
      }
      for (int i = len4; i < len; i++) {
        float s = (float)((double)o[i] + w[k] * (double)r0[i]);
        s = (float)((double)s + w[k + 1] * (double)r1[i]);
        s = (float)((double)s + w[k + 2] * (double)r2[i]);
        o[i] = (float)((double)s + w[k + 3] * (double)r3[i]);
      }
    }
    for (; k < K; k++) {
      const float *r = rows[k] + i0;
      const double wk = w[k];
      float *o = out + i0;
      for (int i = 0; i < len; i++) o[i] = (float)((double)o[i] + wk * (double)r[i]);
    }
  }
}
