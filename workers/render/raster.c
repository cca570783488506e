// The rasteriser's per-vertex and per-triangle passes in WebAssembly (built by build-raster-wasm.sh
// into raster-wasm.ts). Each function mirrors its JavaScript twin in rasterizer.ts operation for
// operation, in double precision with float32 storage, so that both produce the same bytes: no
// reassociation, no fused multiply-add (-ffp-contract=off), NaN → 0 on float → int conversion
// (-mnontrapping-fptoint, as JavaScript's `| 0`).
#include <wasm_simd128.h>

typedef unsigned int u32;

// Projects vertices [V] (positions [V][3] mm): screen position sx, sy (px), 1/z (1/mm; −1 behind the
// near plane) and the packed pixel cell (cx + 1) | (cy + 1) << 16, cx = floor(sx − 0.5) clamped to
// [−1, S]. R is the row-major pose rotation, f the focal length (px), (cx, cy) the image centre (px),
// dist the camera distance and near the near plane (mm; camera.ts).
// Four vertices per step, in two f64x2 halves (the same double operations as the scalar form).
void transform(int V, const float *pos, double r0, double r1, double r2, double r3, double r4, double r5,
               double r6, double r7, double r8, double f, double cx, double cy, double dist, double near, int S, float *sx, float *sy,
               float *iz, int *cell) {
  const v128_t R0 = wasm_f64x2_splat(r0), R1 = wasm_f64x2_splat(r1), R2 = wasm_f64x2_splat(r2);
  const v128_t R3 = wasm_f64x2_splat(r3), R4 = wasm_f64x2_splat(r4), R5 = wasm_f64x2_splat(r5);
  const v128_t R6 = wasm_f64x2_splat(r6), R7 = wasm_f64x2_splat(r7), R8 = wasm_f64x2_splat(r8);
  const v128_t F = wasm_f64x2_splat(f), CX = wasm_f64x2_splat(cx), CY = wasm_f64x2_splat(cy);
  const v128_t DIST = wasm_f64x2_splat(dist), NEAR = wasm_f64x2_splat(near);
  const v128_t ONE = wasm_f64x2_splat(1.0), MINUS1 = wasm_f64x2_splat(-1.0), HALF = wasm_f64x2_splat(0.5);
  const v128_t SMAX = wasm_f64x2_splat((double)S);
  const v128_t K65536 = wasm_f64x2_splat(65536.0), MAGIC65537 = wasm_f64x2_splat(6755399441055744.0 + 65537.0);
  int v = 0;
  for (; v + 4 <= V; v += 4) {
    // Four vertices: 12 floats x0 y0 z0 x1 | y1 z1 x2 y2 | z2 x3 y3 z3, deinterleaved into f32x4 x, y, z.
    const float *p = pos + v * 3;
    const v128_t a = wasm_v128_load(p), b = wasm_v128_load(p + 4), c = wasm_v128_load(p + 8);
    const v128_t x4 = wasm_i32x4_shuffle(wasm_i32x4_shuffle(a, b, 0, 3, 6, 6), c, 0, 1, 2, 5);
    const v128_t y4 = wasm_i32x4_shuffle(wasm_i32x4_shuffle(a, b, 1, 4, 7, 7), c, 0, 1, 2, 6);
    const v128_t z4 = wasm_i32x4_shuffle(wasm_i32x4_shuffle(a, b, 2, 5, 5, 5), c, 0, 1, 4, 7);
    for (int h = 0; h < 2; h++) {
      const v128_t x = wasm_f64x2_promote_low_f32x4(h ? wasm_i32x4_shuffle(x4, x4, 2, 3, 2, 3) : x4);
      const v128_t y = wasm_f64x2_promote_low_f32x4(h ? wasm_i32x4_shuffle(y4, y4, 2, 3, 2, 3) : y4);
      const v128_t z = wasm_f64x2_promote_low_f32x4(h ? wasm_i32x4_shuffle(z4, z4, 2, 3, 2, 3) : z4);
      const int u = v + 2 * h;
      const v128_t depth = wasm_f64x2_sub(DIST, wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(R6, x), wasm_f64x2_mul(R7, y)), wasm_f64x2_mul(R8, z)));
      const v128_t inv = wasm_v128_bitselect(wasm_f64x2_div(ONE, depth), MINUS1, wasm_f64x2_gt(depth, NEAR));
      const v128_t ax = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(R0, x), wasm_f64x2_mul(R1, y)), wasm_f64x2_mul(R2, z));
      const v128_t ay = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(R3, x), wasm_f64x2_mul(R4, y)), wasm_f64x2_mul(R5, z));
      const v128_t X = wasm_f64x2_add(CX, wasm_f64x2_mul(wasm_f64x2_mul(F, ax), inv));
      const v128_t Y = wasm_f64x2_sub(CY, wasm_f64x2_mul(wasm_f64x2_mul(F, ay), inv));
      wasm_v128_store64_lane(sx + u, wasm_f32x4_demote_f64x2_zero(X), 0);
      wasm_v128_store64_lane(sy + u, wasm_f32x4_demote_f64x2_zero(Y), 0);
      wasm_v128_store64_lane(iz + u, wasm_f32x4_demote_f64x2_zero(inv), 0);
      // pmax(−1, pmin(k, S)): k < −1 → −1, k > S → S, NaN → −1 (JavaScript: NaN stays, and (NaN + 1) | 0 = 0)
      const v128_t kx = wasm_f64x2_pmax(MINUS1, wasm_f64x2_pmin(wasm_f64x2_floor(wasm_f64x2_sub(X, HALF)), SMAX));
      const v128_t ky = wasm_f64x2_pmax(MINUS1, wasm_f64x2_pmin(wasm_f64x2_floor(wasm_f64x2_sub(Y, HALF)), SMAX));
      // (kx + 1) + (ky + 1) · 65536, an integer in [0, 2^32): the low 32 mantissa bits once 2^52 + 2^51 is added,
      // summed as (kx + ky · 65536) + (2^52 + 2^51 + 65537) (every partial sum an exact integer, so the same bits)
      const v128_t packed = wasm_f64x2_add(wasm_f64x2_add(kx, wasm_f64x2_mul(ky, K65536)), MAGIC65537);
      wasm_v128_store64_lane(cell + u, wasm_i32x4_shuffle(packed, packed, 0, 2, 0, 2), 0);
    }
  }
  for (; v < V; v++) {
    const double x = pos[v * 3], y = pos[v * 3 + 1], z = pos[v * 3 + 2];
    const double depth = dist - (r6 * x + r7 * y + r8 * z);
    const double inv = depth > near ? 1 / depth : -1;
    const double X = cx + f * (r0 * x + r1 * y + r2 * z) * inv;
    const double Y = cy - f * (r3 * x + r4 * y + r5 * z) * inv;
    sx[v] = (float)X;
    sy[v] = (float)Y;
    iz[v] = (float)inv;
    double kx = __builtin_floor(X - 0.5), ky = __builtin_floor(Y - 0.5);
    kx = kx < -1 ? -1 : kx > S ? S : kx;
    ky = ky < -1 ? -1 : ky > S ? S : ky;
    cell[v] = __builtin_wasm_trunc_saturate_s_i32_f64(kx + 1) | (__builtin_wasm_trunc_saturate_s_i32_f64(ky + 1) << 16);
  }
}

// Lists (in index order) the triangles [T] whose three vertices do not share a pixel column or row
// of `cell`; returns their count.
int select_candidates(int T, const u32 *tris, const int *cell, int *list) {
  const v128_t LOW = wasm_i32x4_splat(0xffff), ZERO = wasm_i32x4_splat(0);
  int n = 0, t = 0;
  // Four triangles per step: their cells gathered into lanes, the test in i32x4, the list appended without branches.
  for (; t + 4 <= T; t += 4) {
    const u32 *q = tris + t * 3;
    const v128_t k0 = wasm_i32x4_make(cell[q[0]], cell[q[3]], cell[q[6]], cell[q[9]]);
    const v128_t k1 = wasm_i32x4_make(cell[q[1]], cell[q[4]], cell[q[7]], cell[q[10]]);
    const v128_t k2 = wasm_i32x4_make(cell[q[2]], cell[q[5]], cell[q[8]], cell[q[11]]);
    const v128_t d = wasm_v128_or(wasm_v128_xor(k0, k1), wasm_v128_xor(k0, k2));
    const int bits = wasm_i32x4_bitmask(wasm_v128_and(wasm_i32x4_ne(wasm_v128_and(d, LOW), ZERO), wasm_i32x4_ne(wasm_u32x4_shr(d, 16), ZERO)));
    list[n] = t; n += bits & 1;
    list[n] = t + 1; n += (bits >> 1) & 1;
    list[n] = t + 2; n += (bits >> 2) & 1;
    list[n] = t + 3; n += bits >> 3;
  }
  for (; t < T; t++) {
    const int k0 = cell[tris[t * 3]];
    const u32 diff = (u32)((k0 ^ cell[tris[t * 3 + 1]]) | (k0 ^ cell[tris[t * 3 + 2]]));
    list[n] = t;
    n += ((diff & 0xffff) != 0) & ((diff >> 16) != 0);
  }
  return n;
}

// A pixel to draw, found by classify_candidates: triangle t covers pixel pix (y · S + x) with edge values
// w1, w2 there; or, when pix < 0, a triangle whose pixel box (corners lo, hi as doubles, packed px | py << 16)
// holds more than two pixels, drawn by a loop over its box.
typedef struct { double w1, w2; int t, pix; } Record;

// The top-left rule (negative orientation): an edge (a, b) owns its boundary pixels (w ≤ 0 passes) when it is
// a top edge (horizontal, interior below) or a left edge; otherwise w must be ≤ −1e−7. Written without
// branches (the outcome is unpredictable); −0 for an owner tests as 0.
static inline double top_left_bias(double a, double b) {
  return -1e-7 * (double)(((a > 0) | ((a == 0) & (b < 0))) ^ 1);
}

static inline void put(Record *r, v128_t w1w2, int t, int pix) {
  wasm_v128_store(r, w1w2);
  r->t = t;
  r->pix = pix;
}

// Phase 1 of draw_candidates over list[0..n): the pixels the candidates cover, in list order, into rec;
// returns their count. A candidate is dropped when it faces away (or is degenerate or NaN), holds no pixel
// centre in its box, lies partly behind the near plane, or its box misses the image (branches: these
// outcomes come in runs). A box of one or two pixels (nearly all at 64 px) is tested branch-free (the
// outcome is unpredictable): its two records are written and the count advances by each pixel's outcome.
// The edge values are those of drawCandidates in rasterizer.ts: w at the first pixel centre, w + a at the
// next column, w + b at the next row; w ≤ bias per edge (top-left rule) is the one-pixel path's test.
static int classify_candidates(int n, const int *list, const u32 *tris, const float *sx, const float *sy, const float *iz,
                               int S, Record *rec) {
  const v128_t HALF = wasm_f64x2_splat(0.5), ZERO = wasm_f64x2_splat(0.0), LAST = wasm_f64x2_splat((double)(S - 1));
  const v128_t MAGIC = wasm_f64x2_splat(6755399441055744.0), EPS = wasm_f64x2_splat(-1e-7);
  int m = 0;
  for (int j = 0; j < n; j++) {
    const int t = list[j];
    const u32 i0 = tris[t * 3], i1 = tris[t * 3 + 1], i2 = tris[t * 3 + 2];
    const double x0 = sx[i0], y0 = sy[i0], x1 = sx[i1], y1 = sy[i1], x2 = sx[i2], y2 = sy[i2];
    const double area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (!(area < 0)) continue;
    // Pixel box in f64x2 lanes (x, y): pmin/pmax are single instructions and select exactly as the ternaries
    // of the scalar form (the values are not NaN once area < 0; ±0 ties vanish in − 0.5).
    const v128_t p0 = wasm_f64x2_make(x0, y0), p1 = wasm_f64x2_make(x1, y1), p2 = wasm_f64x2_make(x2, y2);
    const v128_t lo = wasm_f64x2_ceil(wasm_f64x2_sub(wasm_f64x2_pmin(wasm_f64x2_pmin(p0, p1), p2), HALF));
    const v128_t hi = wasm_f64x2_floor(wasm_f64x2_sub(wasm_f64x2_pmax(wasm_f64x2_pmax(p0, p1), p2), HALF));
    if (wasm_v128_any_true(wasm_f64x2_gt(lo, hi))) continue;
    if (iz[i0] <= 0 || iz[i1] <= 0 || iz[i2] <= 0) continue;
    const v128_t clo = wasm_f64x2_pmax(lo, ZERO), chi = wasm_f64x2_pmin(hi, LAST);
    if (wasm_v128_any_true(wasm_f64x2_gt(clo, chi))) continue;
    // The box corners as integers in [0, S): the low 32 bits of each lane once 2^52 + 2^51 is added.
    const v128_t ilo = wasm_f64x2_add(clo, MAGIC), ihi = wasm_f64x2_add(chi, MAGIC);
    const int ix0 = wasm_i32x4_extract_lane(ilo, 0), iy0 = wasm_i32x4_extract_lane(ilo, 2);
    const int dx = wasm_i32x4_extract_lane(ihi, 0) - ix0, dy = wasm_i32x4_extract_lane(ihi, 2) - iy0;
    if (dx + dy > 1) {
      put(rec + m, wasm_i64x2_make(ix0 | iy0 << 16, wasm_i32x4_extract_lane(ihi, 0) | wasm_i32x4_extract_lane(ihi, 2) << 16), t, -1);
      m++;
      continue;
    }
    const double fx = wasm_f64x2_extract_lane(clo, 0) + 0.5, fy = wasm_f64x2_extract_lane(clo, 1) + 0.5;
    const double a0 = y1 - y2, b0 = x2 - x1;
    const double a1 = y2 - y0, b1 = x0 - x2;
    const double a2 = y0 - y1, b2 = x1 - x0;
    const double w0 = (fx - x1) * a0 + (fy - y1) * b0;
    const double w1 = (fx - x2) * a1 + (fy - y2) * b1;
    const double w2 = (fx - x0) * a2 + (fy - y0) * b2;
    // Lane 0: the first pixel; lane 1: the next column (dx = 1), the next row (dy = 1) or none.
    const v128_t W0 = wasm_f64x2_make(w0, w0 + (dx ? a0 : b0));
    const v128_t W1 = wasm_f64x2_make(w1, w1 + (dx ? a1 : b1));
    const v128_t W2 = wasm_f64x2_make(w2, w2 + (dx ? a2 : b2));
    // w ≤ bias per edge, bias 0 or −1e−7: w ≤ −1e−7 on every edge passes and w > 0 on any fails whatever the
    // biases; only a centre within 1e−7 of an edge (rare) needs the top-left rule.
    v128_t in = wasm_v128_and(wasm_v128_and(wasm_f64x2_le(W0, ZERO), wasm_f64x2_le(W1, ZERO)), wasm_f64x2_le(W2, ZERO));
    const v128_t strict = wasm_v128_and(wasm_v128_and(wasm_f64x2_le(W0, EPS), wasm_f64x2_le(W1, EPS)), wasm_f64x2_le(W2, EPS));
    if (wasm_v128_any_true(wasm_v128_andnot(in, strict))) {
      const double bias0 = top_left_bias(a0, b0), bias1 = top_left_bias(a1, b1), bias2 = top_left_bias(a2, b2);
      in = wasm_v128_and(wasm_v128_and(wasm_f64x2_le(W0, wasm_f64x2_splat(bias0)), wasm_f64x2_le(W1, wasm_f64x2_splat(bias1))),
                         wasm_f64x2_le(W2, wasm_f64x2_splat(bias2)));
    }
    const int bits = wasm_i64x2_bitmask(in) & (1 | (dx + dy) << 1);
    const int pix = iy0 * S + ix0;
    put(rec + m, wasm_i64x2_shuffle(W1, W2, 0, 2), t, pix);
    m += bits & 1;
    put(rec + m, wasm_i64x2_shuffle(W1, W2, 1, 3), t, pix + (dx ? 1 : S));
    m += bits >> 1;
  }
  return m;
}

// Phase 2: draws one record (rules of drawCandidates in rasterizer.ts: nearest 1/z wins, first wins ties).
static inline void draw_record(const Record *r, const u32 *tris, const float *sx, const float *sy, const float *iz, int S,
                               float *depth, int *tri, float *bary) {
  const int t = r->t;
  const u32 i0 = tris[t * 3], i1 = tris[t * 3 + 1], i2 = tris[t * 3 + 2];
  const double x0 = sx[i0], y0 = sy[i0], x1 = sx[i1], y1 = sy[i1], x2 = sx[i2], y2 = sy[i2];
  const double area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
  const double z0 = iz[i0], z1 = iz[i1], z2 = iz[i2];
  const double invArea = 1 / area;
  if (r->pix >= 0) {
    const int idx = r->pix;
    const double l1 = r->w1 * invArea, l2 = r->w2 * invArea;
    const double z = z0 + (z1 - z0) * l1 + (z2 - z0) * l2;
    if (z > depth[idx]) {
      depth[idx] = (float)z;
      tri[idx] = t;
      bary[idx * 2] = (float)l1;
      bary[idx * 2 + 1] = (float)l2;
    }
    return;
  }
  const v128_t box = wasm_v128_load(r);
  const int lo = wasm_i32x4_extract_lane(box, 0), hi = wasm_i32x4_extract_lane(box, 2);
  const int ix0 = lo & 0xffff, iy0 = lo >> 16, ix1 = hi & 0xffff, iy1 = hi >> 16;
  const double a0 = y1 - y2, b0 = x2 - x1;
  const double a1 = y2 - y0, b1 = x0 - x2;
  const double a2 = y0 - y1, b2 = x1 - x0;
  const double bias0 = top_left_bias(a0, b0), bias1 = top_left_bias(a1, b1), bias2 = top_left_bias(a2, b2);
  const double fx = (double)ix0 + 0.5, fy = (double)iy0 + 0.5;
  double w0row = (fx - x1) * a0 + (fy - y1) * b0;
  double w1row = (fx - x2) * a1 + (fy - y2) * b1;
  double w2row = (fx - x0) * a2 + (fy - y0) * b2;
  for (int py = iy0; py <= iy1; py++) {
    double w0 = w0row, w1 = w1row, w2 = w2row;
    int idx = py * S + ix0;
    for (int px = ix0; px <= ix1; px++, idx++) {
      const double l1 = w1 * invArea, l2 = w2 * invArea;
      const double z = z0 + (z1 - z0) * l1 + (z2 - z0) * l2;
      if ((w0 <= bias0) & (w1 <= bias1) & (w2 <= bias2) & (z > depth[idx])) {
        depth[idx] = (float)z;
        tri[idx] = t;
        bary[idx * 2] = (float)l1;
        bary[idx * 2 + 1] = (float)l2;
      }
      w0 += a0; w1 += a1; w2 += a2;
    }
    w0row += b0; w1row += b1; w2row += b2;
  }
}

// Draws candidate triangles list[0..n) into depth (1/z), tri and bary [S][S] (see drawCandidates in
// rasterizer.ts), in chunks of 512 candidates (classified, then drawn while their vertices are in cache);
// rec holds 1024 records.
void draw_candidates(int n, const int *list, const u32 *tris, const float *sx, const float *sy, const float *iz,
                     int S, float *depth, int *tri, float *bary, Record *rec) {
  for (int j = 0; j < n; j += 512) {
    const int m = classify_candidates(n - j < 512 ? n - j : 512, list + j, tris, sx, sy, iz, S, rec);
    for (int k = 0; k < m; k++) draw_record(rec + k, tris, sx, sy, iz, S, depth, tri, bary);
  }
}


// Real SH basis constants times the cosine-lobe convolution (Ramamoorthi & Hanrahan 2001), as SH_C in rasterizer.ts.
static const double SH_C[9] = {0.886227, 1.023328, 1.023328, 1.023328, 0.858086, 0.858086, 0.247708, 0.858086, 0.429043};

// Two pixels' SH irradiance, clamped at 0, in f64x2 lanes (shIrradiance of rasterizer.ts: the same operations in
// the same order).
static inline v128_t sh_irradiance2(const double *sh, v128_t x, v128_t y, v128_t z) {
#define SHK(i) wasm_f64x2_splat(SH_C[i] * sh[i])
  const v128_t e = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_add(
    SHK(0), wasm_f64x2_mul(SHK(1), y)), wasm_f64x2_mul(SHK(2), z)), wasm_f64x2_mul(SHK(3), x)),
    wasm_f64x2_mul(wasm_f64x2_mul(SHK(4), x), y)), wasm_f64x2_mul(wasm_f64x2_mul(SHK(5), y), z)),
    wasm_f64x2_mul(SHK(6), wasm_f64x2_sub(wasm_f64x2_mul(wasm_f64x2_mul(wasm_f64x2_splat(3), z), z), wasm_f64x2_splat(1)))),
    wasm_f64x2_mul(wasm_f64x2_mul(SHK(7), x), z)), wasm_f64x2_mul(SHK(8), wasm_f64x2_sub(wasm_f64x2_mul(x, x), wasm_f64x2_mul(y, y))));
#undef SHK
  return wasm_v128_bitselect(wasm_f64x2_splat(0), e, wasm_f64x2_lt(e, wasm_f64x2_splat(0)));
}

// Shades the P pixels of tri/bary into rgb [P][3] (see resolve in rasterizer.ts): background pixels get
// (bgr, bgg, bgb); a covered pixel interpolates albedo and the vertex normal with its barycentrics,
// renormalises the normal and lights it: Lambert + ambient in model space (light (lx, ly, lz), colour
// (lr, lg, lb), ambient (ar, ag, ab)), or, when sh is not 0, SH irradiance (sh [3][9]) in camera space
// (rotation R [9]); then sRGB-encodes through lut [lutSize + 1]. The covered pixels are listed first
// (covered [P]), then shaded two at a time in f64x2 lanes (an odd last one twice), with the scalar form's
// operations in its order.
void resolve(int P, const int *tri, const float *bary, const u32 *tris, const float *normals, const float *albedo,
             double lx, double ly, double lz, double lr, double lg, double lb, double ar, double ag, double ab,
             const double *sh, const double *R, double bgr, double bgg, double bgb, const float *lut, int lutSize, float *rgb,
             int *covered) {
  int n = 0;
  for (int p = 0; p < P; p++) {
    float *o = rgb + p * 3;
    o[0] = (float)bgr; o[1] = (float)bgg; o[2] = (float)bgb;
    covered[n] = p;
    n += tri[p] >= 0;
  }
  const v128_t ONE = wasm_f64x2_splat(1.0), ZERO = wasm_f64x2_splat(0.0), EPS = wasm_f64x2_splat(1e-20), HALF = wasm_f64x2_splat(0.5);
  const v128_t LV = wasm_f64x2_splat((double)lutSize), MAGIC = wasm_f64x2_splat(6755399441055744.0);
  const v128_t LX = wasm_f64x2_splat(lx), LY = wasm_f64x2_splat(ly), LZ = wasm_f64x2_splat(lz);
  for (int k = 0; k < n; k += 2) {
    const int pa = covered[k], pb = covered[k + 1 < n ? k + 1 : k];
    const int ta = tri[pa], tb = tri[pb];
    const v128_t b1 = wasm_f64x2_make(bary[pa * 2], bary[pb * 2]), b2 = wasm_f64x2_make(bary[pa * 2 + 1], bary[pb * 2 + 1]);
    const v128_t b0 = wasm_f64x2_sub(wasm_f64x2_sub(ONE, b1), b2);
    const u32 a0 = tris[ta * 3] * 3, a1 = tris[ta * 3 + 1] * 3, a2 = tris[ta * 3 + 2] * 3;
    const u32 c0 = tris[tb * 3] * 3, c1 = tris[tb * 3 + 1] * 3, c2 = tris[tb * 3 + 2] * 3;
    // b0 · f[v0] + b1 · f[v1] + b2 · f[v2] per lane, component i of the per-vertex field f
#define INTERP(f, i) wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(b0, wasm_f64x2_make(f[a0 + i], f[c0 + i])), \
    wasm_f64x2_mul(b1, wasm_f64x2_make(f[a1 + i], f[c1 + i]))), wasm_f64x2_mul(b2, wasm_f64x2_make(f[a2 + i], f[c2 + i])))
    v128_t nx = INTERP(normals, 0), ny = INTERP(normals, 1), nz = INTERP(normals, 2);
    const v128_t inl = wasm_f64x2_div(ONE, wasm_f64x2_sqrt(wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_add(
      wasm_f64x2_mul(nx, nx), wasm_f64x2_mul(ny, ny)), wasm_f64x2_mul(nz, nz)), EPS)));
    nx = wasm_f64x2_mul(nx, inl); ny = wasm_f64x2_mul(ny, inl); nz = wasm_f64x2_mul(nz, inl);
    v128_t er, eg, eb;
    if (sh == 0) {
      v128_t d = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(nx, LX), wasm_f64x2_mul(ny, LY)), wasm_f64x2_mul(nz, LZ));
      d = wasm_v128_bitselect(ZERO, d, wasm_f64x2_lt(d, ZERO));
      er = wasm_f64x2_add(wasm_f64x2_splat(ar), wasm_f64x2_mul(wasm_f64x2_splat(lr), d));
      eg = wasm_f64x2_add(wasm_f64x2_splat(ag), wasm_f64x2_mul(wasm_f64x2_splat(lg), d));
      eb = wasm_f64x2_add(wasm_f64x2_splat(ab), wasm_f64x2_mul(wasm_f64x2_splat(lb), d));
    } else {
#define ROT(i) wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_splat(R[i]), nx), wasm_f64x2_mul(wasm_f64x2_splat(R[i + 1]), ny)), \
    wasm_f64x2_mul(wasm_f64x2_splat(R[i + 2]), nz))
      const v128_t cxn = ROT(0), cyn = ROT(3), czn = ROT(6);
#undef ROT
      er = sh_irradiance2(sh, cxn, cyn, czn);
      eg = sh_irradiance2(sh + 9, cxn, cyn, czn);
      eb = sh_irradiance2(sh + 18, cxn, cyn, czn);
    }
    // Clamped to [0, 1] by pmin then pmax (NaN → 0, the table index of the scalar form's NaN); the index
    // c · L + 0.5 ≥ 0.5 truncates as floor, read from the low 32 bits once 2^52 + 2^51 is added.
#define INDEX(c) wasm_f64x2_add(MAGIC, wasm_f64x2_floor(wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_pmax(ZERO, wasm_f64x2_pmin(c, ONE)), LV), HALF)))
    const v128_t ir = INDEX(wasm_f64x2_mul(INTERP(albedo, 0), er));
    const v128_t ig = INDEX(wasm_f64x2_mul(INTERP(albedo, 1), eg));
    const v128_t ib = INDEX(wasm_f64x2_mul(INTERP(albedo, 2), eb));
#undef INDEX
#undef INTERP
    float *oa = rgb + pa * 3, *ob = rgb + pb * 3;
    oa[0] = lut[wasm_i32x4_extract_lane(ir, 0)]; oa[1] = lut[wasm_i32x4_extract_lane(ig, 0)]; oa[2] = lut[wasm_i32x4_extract_lane(ib, 0)];
    ob[0] = lut[wasm_i32x4_extract_lane(ir, 2)]; ob[1] = lut[wasm_i32x4_extract_lane(ig, 2)]; ob[2] = lut[wasm_i32x4_extract_lane(ib, 2)];
  }
}
