// Copula normalisation of many rows (workers/info/copnorm.ts has the JavaScript twin and the
// definition): out[t] = scores[rank of x[t]], ranks stable (ties keep sample order, as a stable
// comparison sort does; -0 ranks as +0). Build: workers/info/build-gemm-wasm.sh
//
// Per row: each value becomes a 64-bit item (32-bit order key from the high word of the double,
// sample index below it); an LSD radix sort, 8 bits per pass, orders the items by the key's top 24
// bits (three passes; passes whose byte is the same for every item are skipped); then the
// neighbours that share those bits (about one in ten for 1,000 normal values) are put in order of
// their full values (then index) by insertion. Scratch (caller's memory): items and tmp,
// n each; count, 4 x 256.
typedef unsigned int u32;
typedef unsigned long long u64;

static inline u64 bits_of(double v) {
  union { double d; u64 u; } c = { v };
  return c.u;
}

static void rank_row(const double *x, int n, const double *scores, double *out, int *repeated, u64 *items, u64 *tmp, u32 *count) {
  for (int i = 256; i < 4 * 256; i++) count[i] = 0; // count[0..255], the key's low byte, is not used
  for (int i = 0; i < n; i++) {
    double v = x[i] == 0 ? 0.0 : x[i];
    u32 h = (u32)(bits_of(v) >> 32);
    u32 k = (h & 0x80000000u) ? ~h : (h ^ 0x80000000u);
    items[i] = ((u64)k << 32) | (u32)i;
    count[256 + ((k >> 8) & 255)]++;
    count[512 + ((k >> 16) & 255)]++;
    count[768 + (k >> 24)]++;
  }
  u64 *src = items, *dst = tmp;
  for (int p = 1; p < 4; p++) { // the top 24 bits of the key; the insertion pass below orders the rest
    u32 *c = count + 256 * p;
    int shift = 32 + 8 * p;
    if (c[(src[0] >> shift) & 255] == (u32)n) continue; // one bucket: nothing to reorder
    u32 sum = 0;
    for (int b = 0; b < 256; b++) {
      u32 m = c[b];
      c[b] = sum;
      sum += m;
    }
    for (int i = 0; i < n; i++) {
      u64 it = src[i];
      dst[c[(it >> shift) & 255]++] = it;
    }
    u64 *t = src;
    src = dst;
    dst = t;
  }
  // neighbours sharing the top 24 bits of their key: order by full value, then by sample index
  // (they arrive in index order)
  for (int j = 1; j < n; j++) {
    u64 it = src[j];
    u32 k = (u32)(it >> 40);
    if ((u32)(src[j - 1] >> 40) != k) continue;
    double v = x[(u32)it];
    int m = j - 1;
    while (m >= 0 && (u32)(src[m] >> 40) == k) {
      double w = x[(u32)src[m]];
      if (w < v || (w == v && (u32)src[m] < (u32)it)) break;
      src[m + 1] = src[m];
      m--;
    }
    src[m + 1] = it;
  }
  int rep = 0;
  out[(u32)src[0]] = scores[0];
  for (int r = 1; r < n; r++) {
    u32 i = (u32)src[r];
    out[i] = scores[r];
    rep += x[i] == x[(u32)src[r - 1]];
  }
  *repeated = rep;
}

__attribute__((export_name("copnorm_rows")))
void copnorm_rows(const double *x, int rows, int n, const double *scores, double *out, int *repeated, u64 *items, u64 *tmp, u32 *count) {
  for (int r = 0; r < rows; r++)
    rank_row(x + (long)r * n, n, scores, out + (long)r * n, repeated + r, items, tmp, count);
}
