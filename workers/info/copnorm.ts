/**
 * Copula normalisation (Ince et al. 2017, eq. 2): replace each value by the standard normal
 * quantile of its empirical CDF, ndtri(rank / (N + 1)) with ranks 1..N. Ties are broken by sample
 * order (a stable sort), as the reference does, so the output is always a permutation of the same
 * N normal quantiles and has exactly zero mean up to rounding.
 */
import { ndtri } from './special';
import { checkFinite } from './validate';

const quantileTables = new Map<number, Float64Array>();

/** The N normal scores ndtri(r / (N + 1)), r = 1..N, cached per N. */
export function normalScores(n: number): Float64Array {
  let t = quantileTables.get(n);
  if (!t) {
    t = new Float64Array(n);
    for (let r = 0; r < n; r++) t[r] = ndtri((r + 1) / (n + 1));
    if (quantileTables.size > 32) quantileTables.clear();
    quantileTables.set(n, t);
  }
  return t;
}

/**
 * Copula-normalise one row in place into `out` (length n). Ranks come from a native sort of the
 * values plus a binary search; `used` counts earlier equal values so ties take ranks in sample order.
 */
export function copnormRow(row: ArrayLike<number>, out: Float64Array, scratch?: { sorted: Float64Array; used: Int32Array }): void {
  const n = out.length;
  const sorted = scratch?.sorted ?? new Float64Array(n);
  const used = scratch?.used ?? new Int32Array(n);
  for (let i = 0; i < n; i++) sorted[i] = row[i];
  sorted.sort();
  used.fill(0);
  const scores = normalScores(n);
  for (let i = 0; i < n; i++) {
    const v = row[i];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = scores[lo + used[lo]++];
  }
}

/**
 * Copula-normalise every row of x, laid out [row][trial] with `rows` × `trials` values (a
 * multi-dimensional variable [dim][trial], or a whole map [variable][dim][trial] with
 * rows = variables × dims). Returns a new Float64Array of the same layout; each row independently.
 */
export function copnorm(x: Float64Array | readonly number[], rows = 1, trials = x.length / rows): Float64Array {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows: must be a positive integer, got ${rows}`);
  if (!Number.isInteger(trials) || trials < 1 || rows * trials !== x.length)
    throw new RangeError(`x: has ${x.length} values, expected rows × trials = ${rows} × ${trials}`);
  checkFinite(x, 'x');
  const out = new Float64Array(x.length);
  const scratch = { sorted: new Float64Array(trials), used: new Int32Array(trials) };
  const src = x instanceof Float64Array ? x : Float64Array.from(x);
  for (let r = 0; r < rows; r++) {
    copnormRow(src.subarray(r * trials, (r + 1) * trials), out.subarray(r * trials, (r + 1) * trials), scratch);
  }
  return out;
}
