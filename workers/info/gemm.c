// WebAssembly SIMD kernel for the permutation null (see gemm.ts for the JavaScript twin):
//   out[r*nb + b] = sum_t a[r*n + t] * y[b*n + t]
// 3 rows x 3 responses per tile, two trials per f64x2 lane pair: nine vector accumulators and six
// loads per step fit the 16 SIMD registers. Build: workers/info/build-gemm-wasm.sh
#include <wasm_simd128.h>

__attribute__((export_name("dot_block")))
void dot_block(const double *a, int rows, int n, const double *y, int nb, double *out) {
  int r3 = rows - rows % 3, b3 = nb - nb % 3, n2 = n & ~1;
  for (int r = 0; r < r3; r += 3) {
    const double *z0 = a + (long)r * n, *z1 = z0 + n, *z2 = z1 + n;
    for (int b = 0; b < b3; b += 3) {
      const double *y0 = y + (long)b * n, *y1 = y0 + n, *y2 = y1 + n;
      v128_t a00 = wasm_f64x2_splat(0), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00, a20 = a00, a21 = a00, a22 = a00;
      for (int t = 0; t < n2; t += 2) {
        v128_t u0 = wasm_v128_load(y0 + t), u1 = wasm_v128_load(y1 + t), u2 = wasm_v128_load(y2 + t);
        v128_t w0 = wasm_v128_load(z0 + t), w1 = wasm_v128_load(z1 + t), w2 = wasm_v128_load(z2 + t);
        a00 = wasm_f64x2_add(a00, wasm_f64x2_mul(w0, u0));
        a01 = wasm_f64x2_add(a01, wasm_f64x2_mul(w0, u1));
        a02 = wasm_f64x2_add(a02, wasm_f64x2_mul(w0, u2));
        a10 = wasm_f64x2_add(a10, wasm_f64x2_mul(w1, u0));
        a11 = wasm_f64x2_add(a11, wasm_f64x2_mul(w1, u1));
        a12 = wasm_f64x2_add(a12, wasm_f64x2_mul(w1, u2));
        a20 = wasm_f64x2_add(a20, wasm_f64x2_mul(w2, u0));
        a21 = wasm_f64x2_add(a21, wasm_f64x2_mul(w2, u1));
        a22 = wasm_f64x2_add(a22, wasm_f64x2_mul(w2, u2));
      }
      double s[9] = {
        wasm_f64x2_extract_lane(a00, 0) + wasm_f64x2_extract_lane(a00, 1),
        wasm_f64x2_extract_lane(a01, 0) + wasm_f64x2_extract_lane(a01, 1),
        wasm_f64x2_extract_lane(a02, 0) + wasm_f64x2_extract_lane(a02, 1),
        wasm_f64x2_extract_lane(a10, 0) + wasm_f64x2_extract_lane(a10, 1),
        wasm_f64x2_extract_lane(a11, 0) + wasm_f64x2_extract_lane(a11, 1),
        wasm_f64x2_extract_lane(a12, 0) + wasm_f64x2_extract_lane(a12, 1),
        wasm_f64x2_extract_lane(a20, 0) + wasm_f64x2_extract_lane(a20, 1),
        wasm_f64x2_extract_lane(a21, 0) + wasm_f64x2_extract_lane(a21, 1),
        wasm_f64x2_extract_lane(a22, 0) + wasm_f64x2_extract_lane(a22, 1),
      };
      for (int t = n2; t < n; t++) {
        s[0] += z0[t] * y0[t]; s[1] += z0[t] * y1[t]; s[2] += z0[t] * y2[t];
        s[3] += z1[t] * y0[t]; s[4] += z1[t] * y1[t]; s[5] += z1[t] * y2[t];
        s[6] += z2[t] * y0[t]; s[7] += z2[t] * y1[t]; s[8] += z2[t] * y2[t];
      }
      double *o = out + (long)r * nb + b;
      o[0] = s[0]; o[1] = s[1]; o[2] = s[2];
      o[nb] = s[3]; o[nb + 1] = s[4]; o[nb + 2] = s[5];
      o[2 * nb] = s[6]; o[2 * nb + 1] = s[7]; o[2 * nb + 2] = s[8];
    }
    for (int b = b3; b < nb; b++) {
      const double *y0 = y + (long)b * n;
      double s0 = 0, s1 = 0, s2 = 0;
      for (int t = 0; t < n; t++) { s0 += z0[t] * y0[t]; s1 += z1[t] * y0[t]; s2 += z2[t] * y0[t]; }
      out[(long)r * nb + b] = s0; out[(long)(r + 1) * nb + b] = s1; out[(long)(r + 2) * nb + b] = s2;
    }
  }
  for (int r = r3; r < rows; r++) {
    const double *z0 = a + (long)r * n;
    for (int b = 0; b < nb; b++) {
      const double *y0 = y + (long)b * n;
      double s = 0;
      for (int t = 0; t < n; t++) s += z0[t] * y0[t];
      out[(long)r * nb + b] = s;
    }
  }
}

// Float32 twin for the permutation null, float64 where precision needs it:
//   out[r*nb + b] = sum_t a[r*n + t] * y[b*n + t]   (a, y float32; out float64)
// Tiles of 3 rows x 3 responses: nine f32x4 accumulators, three row loads and one response load
// at a time per step of 4 trials (V8 keeps 16 SIMD registers; a 3 x 4 tile spills and runs slower),
// two steps per iteration so that the loads share their address arithmetic. Each lane sums at most CHUNK/4 products in float32; every
// CHUNK trials the lanes are added into float64 sums, so the error does not grow with n beyond
// that of the float32 inputs (relative ~1e-7 of the dot product).
#define CHUNK 256

static inline double hsum(v128_t v) {
  return ((double)wasm_f32x4_extract_lane(v, 0) + (double)wasm_f32x4_extract_lane(v, 1)) +
         ((double)wasm_f32x4_extract_lane(v, 2) + (double)wasm_f32x4_extract_lane(v, 3));
}

static double dot32(const float *p, const float *q, int n) {
  double s = 0;
  for (int c = 0; c < n; c += CHUNK) {
    int e = c + CHUNK < n ? c + CHUNK : n, e4 = c + ((e - c) & ~3);
    v128_t acc = wasm_f32x4_splat(0);
    for (int t = c; t < e4; t += 4) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(p + t), wasm_v128_load(q + t)));
    s += hsum(acc);
    for (int t = e4; t < e; t++) s += (double)p[t] * (double)q[t];
  }
  return s;
}

__attribute__((export_name("dot_block_f32")))
void dot_block_f32(const float *a, int rows, int n, const float *y, int nb, double *out) {
  int r3 = rows - rows % 3, b3 = nb - nb % 3;
  for (int r = 0; r < r3; r += 3) {
    const float *z0 = a + (long)r * n, *z1 = z0 + n, *z2 = z1 + n;
    for (int b = 0; b < b3; b += 3) {
      const float *y0 = y + (long)b * n, *y1 = y0 + n, *y2 = y1 + n;
      double s[9] = {0};
      for (int c = 0; c < n; c += CHUNK) {
        int e = c + CHUNK < n ? c + CHUNK : n, e4 = c + ((e - c) & ~3);
        v128_t a00 = wasm_f32x4_splat(0), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00, a20 = a00, a21 = a00, a22 = a00;
        int e8 = c + ((e - c) & ~7);
        const float *p0 = z0 + c, *p1 = z1 + c, *p2 = z2 + c, *q0 = y0 + c, *q1 = y1 + c, *q2 = y2 + c;
        v128_t w0, w1, w2, u;
        for (int t = c; t < e8; t += 8, p0 += 8, p1 += 8, p2 += 8, q0 += 8, q1 += 8, q2 += 8) {
          w0 = wasm_v128_load(p0 + 0); w1 = wasm_v128_load(p1 + 0); w2 = wasm_v128_load(p2 + 0);
          u = wasm_v128_load(q0 + 0);
          a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(w0, u));
          a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(w1, u));
          a20 = wasm_f32x4_add(a20, wasm_f32x4_mul(w2, u));
          u = wasm_v128_load(q1 + 0);
          a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(w0, u));
          a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(w1, u));
          a21 = wasm_f32x4_add(a21, wasm_f32x4_mul(w2, u));
          u = wasm_v128_load(q2 + 0);
          a02 = wasm_f32x4_add(a02, wasm_f32x4_mul(w0, u));
          a12 = wasm_f32x4_add(a12, wasm_f32x4_mul(w1, u));
          a22 = wasm_f32x4_add(a22, wasm_f32x4_mul(w2, u));
          w0 = wasm_v128_load(p0 + 4); w1 = wasm_v128_load(p1 + 4); w2 = wasm_v128_load(p2 + 4);
          u = wasm_v128_load(q0 + 4);
          a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(w0, u));
          a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(w1, u));
          a20 = wasm_f32x4_add(a20, wasm_f32x4_mul(w2, u));
          u = wasm_v128_load(q1 + 4);
          a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(w0, u));
          a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(w1, u));
          a21 = wasm_f32x4_add(a21, wasm_f32x4_mul(w2, u));
          u = wasm_v128_load(q2 + 4);
          a02 = wasm_f32x4_add(a02, wasm_f32x4_mul(w0, u));
          a12 = wasm_f32x4_add(a12, wasm_f32x4_mul(w1, u));
          a22 = wasm_f32x4_add(a22, wasm_f32x4_mul(w2, u));
        }
        for (int t = e8; t < e4; t += 4) {
          w0 = wasm_v128_load(z0 + t); w1 = wasm_v128_load(z1 + t); w2 = wasm_v128_load(z2 + t);
          u = wasm_v128_load(y0 + t);
          a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(w0, u));
          a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(w1, u));
          a20 = wasm_f32x4_add(a20, wasm_f32x4_mul(w2, u));
          u = wasm_v128_load(y1 + t);
          a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(w0, u));
          a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(w1, u));
          a21 = wasm_f32x4_add(a21, wasm_f32x4_mul(w2, u));
          u = wasm_v128_load(y2 + t);
          a02 = wasm_f32x4_add(a02, wasm_f32x4_mul(w0, u));
          a12 = wasm_f32x4_add(a12, wasm_f32x4_mul(w1, u));
          a22 = wasm_f32x4_add(a22, wasm_f32x4_mul(w2, u));
        }
        s[0] += hsum(a00); s[1] += hsum(a01); s[2] += hsum(a02);
        s[3] += hsum(a10); s[4] += hsum(a11); s[5] += hsum(a12);
        s[6] += hsum(a20); s[7] += hsum(a21); s[8] += hsum(a22);
        for (int t = e4; t < e; t++) {
          double w0 = z0[t], w1 = z1[t], w2 = z2[t], u0 = y0[t], u1 = y1[t], u2 = y2[t];
          s[0] += w0 * u0; s[1] += w0 * u1; s[2] += w0 * u2;
          s[3] += w1 * u0; s[4] += w1 * u1; s[5] += w1 * u2;
          s[6] += w2 * u0; s[7] += w2 * u1; s[8] += w2 * u2;
        }
      }
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) out[(long)(r + i) * nb + b + j] = s[i * 3 + j];
    }
    for (int b = b3; b < nb; b++) {
      const float *y0 = y + (long)b * n;
      out[(long)r * nb + b] = dot32(z0, y0, n);
      out[(long)(r + 1) * nb + b] = dot32(z1, y0, n);
      out[(long)(r + 2) * nb + b] = dot32(z2, y0, n);
    }
  }
  for (int r = r3; r < rows; r++)
    for (int b = 0; b < nb; b++) out[(long)r * nb + b] = dot32(a + (long)r * n, y + (long)b * n, n);
}

// Integer screen for the permutation null's maximum (workers/info/screen.ts):
//   out[r*nb + b] = sum_t q[r*npad + t] * p[b*npad + t]   (int16 inputs, exact int32 sums)
// npad is a multiple of 8 (rows zero-padded). i32x4.dot_i16x8_s does 8 multiply-adds in one
// instruction (twice the float32 rate per instruction, half the bytes per value). The caller scales
// rows so that |q_r| |p_b| < 2^31 (Euclidean norms): by Cauchy-Schwarz every partial sum of any
// lane, a sum over a subset of the trials, then fits in int32, so the sums are exact.
// Tiles of 3 rows x 3 responses, as dot_block_f32.
static inline int hsum_i32(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) + wasm_i32x4_extract_lane(v, 3);
}

static int dot16(const short *p, const short *q, int npad) {
  v128_t acc = wasm_i32x4_splat(0);
  for (int t = 0; t < npad; t += 8) acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_v128_load(p + t), wasm_v128_load(q + t)));
  return hsum_i32(acc);
}

__attribute__((export_name("dot_block_i16")))
void dot_block_i16(const short *a, int rows, int npad, const short *y, int nb, int *out) {
  int r3 = rows - rows % 3, b3 = nb - nb % 3;
  for (int r = 0; r < r3; r += 3) {
    const short *z0 = a + (long)r * npad, *z1 = z0 + npad, *z2 = z1 + npad;
    for (int b = 0; b < b3; b += 3) {
      const short *y0 = y + (long)b * npad, *y1 = y0 + npad, *y2 = y1 + npad;
      v128_t a00 = wasm_i32x4_splat(0), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00, a20 = a00, a21 = a00, a22 = a00;
      v128_t w0, w1, w2, u;
      for (int t = 0; t < npad; t += 8) {
        w0 = wasm_v128_load(z0 + t); w1 = wasm_v128_load(z1 + t); w2 = wasm_v128_load(z2 + t);
        u = wasm_v128_load(y0 + t);
        a00 = wasm_i32x4_add(a00, wasm_i32x4_dot_i16x8(w0, u));
        a10 = wasm_i32x4_add(a10, wasm_i32x4_dot_i16x8(w1, u));
        a20 = wasm_i32x4_add(a20, wasm_i32x4_dot_i16x8(w2, u));
        u = wasm_v128_load(y1 + t);
        a01 = wasm_i32x4_add(a01, wasm_i32x4_dot_i16x8(w0, u));
        a11 = wasm_i32x4_add(a11, wasm_i32x4_dot_i16x8(w1, u));
        a21 = wasm_i32x4_add(a21, wasm_i32x4_dot_i16x8(w2, u));
        u = wasm_v128_load(y2 + t);
        a02 = wasm_i32x4_add(a02, wasm_i32x4_dot_i16x8(w0, u));
        a12 = wasm_i32x4_add(a12, wasm_i32x4_dot_i16x8(w1, u));
        a22 = wasm_i32x4_add(a22, wasm_i32x4_dot_i16x8(w2, u));
      }
      int *o = out + (long)r * nb + b;
      o[0] = hsum_i32(a00); o[1] = hsum_i32(a01); o[2] = hsum_i32(a02);
      o[nb] = hsum_i32(a10); o[nb + 1] = hsum_i32(a11); o[nb + 2] = hsum_i32(a12);
      o[2 * nb] = hsum_i32(a20); o[2 * nb + 1] = hsum_i32(a21); o[2 * nb + 2] = hsum_i32(a22);
    }
    for (int b = b3; b < nb; b++) {
      const short *y0 = y + (long)b * npad;
      out[(long)r * nb + b] = dot16(z0, y0, npad);
      out[(long)(r + 1) * nb + b] = dot16(z1, y0, npad);
      out[(long)(r + 2) * nb + b] = dot16(z2, y0, npad);
    }
  }
  for (int r = r3; r < rows; r++)
    for (int b = 0; b < nb; b++) out[(long)r * nb + b] = dot16(a + (long)r * npad, y + (long)b * npad, npad);
}

// Quantisation for dot_block_i16 (workers/info/screen.ts has the derivation): for each of m
// variables of d rows of n float64 values z, with w = (float)z (the float32 matrix the exact
// recomputation uses), q = nearest(s w) with s a power of two (so s w is exact and |q - s w| <= 1/2).
// The rows are whitened (unit variance, zero mean: |z_r| = sqrt(n-1)), so s starts from that norm:
// the largest power of two with |q_r| normP < 2^31; one pass quantises, checks that bound and
// |q| <= 32767 on the integers, and halves s if a row broke either (rare). Rows are
// written with stride npad, zero-padded. Per variable: inv = 1/(s sy) and err, the bound E_v on the
// Euclidean distance between the variable's exact and quantised dot products with any permutation
// of the response (sumAbsP = sum |p|, normY = |y|), plus float64 rounding slack.
#define I32_LIMIT (2147483647.0 * (1 - 1e-9))

static double pow2_floor(double x) {
  union { double d; unsigned long long u; } c = { x };
  c.u &= 0xfff0000000000000ull; // keep sign and exponent: 2^floor(log2 x) for normal x
  return c.d;
}

static inline v128_t quant2(const double *p, v128_t vs) { // two values -> int32 lanes 0, 1 (2, 3 zero)
  v128_t w = wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero(wasm_v128_load(p)));
  return wasm_i32x4_trunc_sat_f64x2_zero(wasm_f64x2_nearest(wasm_f64x2_mul(w, vs)));
}

// One row: writes q, returns max |q| (as int32, before saturation) and the exact sum of q^2 and of |q|.
static int quant_row(const double *src, int n, int npad, double s, short *dst, double *qq, double *qa) {
  v128_t vs = wasm_f64x2_splat(s), sq2 = wasm_i64x2_splat(0), ab = wasm_i32x4_splat(0), mx = ab;
  int t = 0;
  for (; t + 8 <= n; t += 8) {
    v128_t lo = wasm_i32x4_shuffle(quant2(src + t, vs), quant2(src + t + 2, vs), 0, 1, 4, 5);
    v128_t hi = wasm_i32x4_shuffle(quant2(src + t + 4, vs), quant2(src + t + 6, vs), 0, 1, 4, 5);
    mx = wasm_i32x4_max(mx, wasm_i32x4_max(wasm_i32x4_abs(lo), wasm_i32x4_abs(hi)));
    v128_t q = wasm_i16x8_narrow_i32x4(lo, hi);
    wasm_v128_store(dst + t, q);
    v128_t sq = wasm_i32x4_dot_i16x8(q, q); // each lane <= 2 * 32768^2 - 1 fits after the narrow
    sq2 = wasm_i64x2_add(sq2, wasm_i64x2_add(wasm_i64x2_extend_low_i32x4(sq), wasm_i64x2_extend_high_i32x4(sq)));
    ab = wasm_i32x4_add(ab, wasm_i32x4_extadd_pairwise_i16x8(wasm_i16x8_abs(q)));
  }
  long long sum2 = wasm_i64x2_extract_lane(sq2, 0) + wasm_i64x2_extract_lane(sq2, 1);
  long long sum1 = (long long)wasm_i32x4_extract_lane(ab, 0) + wasm_i32x4_extract_lane(ab, 1) + wasm_i32x4_extract_lane(ab, 2) + wasm_i32x4_extract_lane(ab, 3);
  mx = wasm_i32x4_max(mx, wasm_i32x4_shuffle(mx, mx, 2, 3, 0, 1));
  mx = wasm_i32x4_max(mx, wasm_i32x4_shuffle(mx, mx, 1, 0, 3, 2));
  int m = wasm_i32x4_extract_lane(mx, 0);
  for (; t < n; t++) {
    double c = __builtin_rint((double)(float)src[t] * s);
    int ci = c > 40000 ? 40000 : c < -40000 ? -40000 : (int)c;
    int a = ci < 0 ? -ci : ci;
    if (a > m) m = a;
    dst[t] = (short)(ci > 32767 ? 32767 : ci < -32767 ? -32767 : ci);
    sum2 += (long long)ci * ci;
    sum1 += a;
  }
  for (; t < npad; t++) dst[t] = 0;
  *qq = (double)sum2;
  *qa = (double)sum1;
  return m;
}

__attribute__((export_name("quantize_vars")))
void quantize_vars(const double *z, int m, int d, int n, int npad, short *q, double normP, double sumAbsP, double sy, double normY, double *inv, double *err) {
  double root = __builtin_sqrt((double)(n > 1 ? n - 1 : 1)) * (1 + 1e-6);
  double s0 = pow2_floor(I32_LIMIT / (normP * root)); // |q| <= 32767 is checked, not assumed
  if (!(s0 > 0) || s0 > 1e300) s0 = 1;
  for (int v = 0; v < m; v++) {
    const double *zv = z + (long)v * d * n;
    short *qv = q + (long)v * d * npad;
    double s = s0, e2, rowNorm;
    for (;;) {
      int fits = 1;
      e2 = 0;
      rowNorm = 0;
      for (int i = 0; i < d && fits; i++) {
        double qq, qa;
        int mx = quant_row(zv + i * n, n, npad, s, qv + i * npad, &qq, &qa);
        if (mx > 32767 || __builtin_sqrt(qq) * normP >= I32_LIMIT) fits = 0;
        double e = (0.5 * qa + 0.5 * sumAbsP + 0.25 * n) / (s * sy);
        e2 += e * e;
        double r = __builtin_sqrt(qq) / s + 0.5 * __builtin_sqrt((double)n) / s; // >= |w_r|
        if (r > rowNorm) rowNorm = r;
      }
      if (fits || s < 0x1p-40) break;
      s *= 0.5;
    }
    inv[v] = 1 / (s * sy);
    err[v] = __builtin_sqrt(e2) * (1 + 1e-9) + 4.0 * (n + 8) * 0x1p-53 * rowNorm * normY * __builtin_sqrt((double)d) * (1 + 1e-9);
  }
}

// The screen's pass over dot_block_i16's output (workers/info/screen.ts, maxima): for variable v
// (rows v*d.., 1/(s_v s_y) = inv[v], bound err[v]) and response b, dh = |g_v,b| inv[v] bounds the
// exact norm within err[v]. low[b] becomes max_v (dh - err) (variables with bad[v] skipped); every
// (v, b) with dh + err >= the running low[b] is written to cand (v*nb + b) and candHi (dh + err), a
// superset of the candidates that the caller filters against the final low[b]. Returns the count
// (only the first cap are written: a larger count means the caller must redo the pass itself).
__attribute__((export_name("screen_pass")))
int screen_pass(const int *g, int nVar, int d, int nb, const double *inv, const double *err, const unsigned char *bad, double *low, int *cand, double *candHi, int cap) {
  for (int b = 0; b < nb; b++) low[b] = -__builtin_inf();
  int k = 0;
  for (int v = 0; v < nVar; v++) {
    if (bad[v]) continue;
    const int *row = g + (long)v * d * nb;
    double iv = inv[v], ev = err[v];
    for (int b = 0; b < nb; b++) {
      double s = 0;
      for (int i = 0; i < d; i++) {
        double c = row[i * nb + b];
        s += c * c;
      }
      double dh = __builtin_sqrt(s) * iv, hi = dh + ev;
      if (hi < low[b]) continue;
      double lo = dh - ev;
      if (lo > low[b]) low[b] = lo;
      if (k < cap) {
        cand[k] = v * nb + b;
        candHi[k] = hi;
      }
      k++;
    }
  }
  return k;
}
