/**
 * Principal components of a layer's activations across trials, so that the information between a
 * feature and a layer is measured in k dimensions (the hidden-layer analysis reduces each layer to
 * k = 8 by default). Randomised PCA (Halko, Martinsson, Tropp 2011): a Gaussian sketch with a few
 * power iterations, then an exact eigendecomposition of the small projected problem. Plenty
 * accurate for the leading components and O(T·F·(k+p)) instead of O(F³).
 *
 * Layouts: data Float32Array [T][F] (trial-major, one row per trial); scores Float64Array [k][T]
 * (component-major: the information engine's [dim][trial] layout).
 *
 * Rank rule: a layer whose activations span fewer than k dimensions across the trials (k ≥ T, dead
 * ReLU channels, duplicated channels, a constant layer) has components with no variance. Their
 * scores are rounding noise, and the copula normalisation downstream would turn that noise (or a
 * constant) into a full-variance Gaussian dimension ranked by rounding error or trial order: either
 * a singular covariance ("covariance is not positive definite") or silently wrong bits. So only the
 * components whose variance exceeds RANK_TOLERANCE × the total variance are returned (k ≤ the
 * requested k; k = 0 for a layer that does not vary at all), and `dropped` says how many were cut.
 */
import { createRng, gaussian, hashInts } from '../faces';
import { jacobiEigen as jacobiEigenSolver } from '../util';

export interface PcaResult {
  /** [k][T] component scores (the projection of each centred trial on each component). */
  scores: Float64Array;
  k: number;
  /** Variance of each returned component, and the total variance (for the explained fraction). */
  variances: Float64Array;
  totalVariance: number;
  /** Requested components left out because the layer has no variance along them (rank rule above). */
  dropped: number;
}

/** A component carries information only if its variance exceeds this fraction of the total (float32 activations: ~1e-7 relative precision, squared). */
export const RANK_TOLERANCE = 1e-10;

export function pcaScores(data: Float32Array, trials: number, features: number, k: number, seed = 1, powerIterations = 2): PcaResult {
  if (data.length !== trials * features) throw new Error(`pcaScores: data has length ${data.length}, expected ${trials}×${features}`);
  if (!(k >= 1)) throw new Error(`pcaScores: k must be ≥ 1, got ${k}`);
  const T = trials, F = features;
  const requested = k;
  k = Math.max(0, Math.min(k, F, T - 1));
  // Centre the columns (float64 copy: the sketches accumulate many products).
  const x = new Float64Array(T * F);
  const mean = new Float64Array(F);
  for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) mean[f] += data[t * F + f];
  for (let f = 0; f < F; f++) mean[f] /= T;
  let totalVariance = 0;
  for (let t = 0; t < T; t++) {
    for (let f = 0; f < F; f++) {
      const v = data[t * F + f] - mean[f];
      x[t * F + f] = v;
      totalVariance += v * v;
    }
  }
  totalVariance /= T - 1;
  if (!(totalVariance > 0) || k === 0) return { scores: new Float64Array(0), k: 0, variances: new Float64Array(0), totalVariance: Math.max(0, totalVariance || 0), dropped: requested };
  const l = Math.min(k + 10, F, T);
  const rng = createRng(hashInts(seed, 0x9ca));
  const omega = new Float64Array(F * l);
  for (let i = 0; i < omega.length; i++) omega[i] = gaussian(rng);
  let y = mulXB(x, T, F, omega, l); // [T][l]
  orthonormaliseColumns(y, T, l);
  for (let it = 0; it < powerIterations; it++) {
    const z = mulXtB(x, T, F, y, l); // [F][l]
    orthonormaliseColumns(z, F, l);
    y = mulXB(x, T, F, z, l);
    orthonormaliseColumns(y, T, l);
  }
  // Small problem: C = Qᵀ X Xᵀ Q [l][l]; its eigenvectors rotate Q onto the principal directions.
  const bt = mulXtB(x, T, F, y, l); // Xᵀ Q: [F][l]
  const c = new Float64Array(l * l);
  for (let i = 0; i < l; i++) {
    for (let j = i; j < l; j++) {
      let s = 0;
      for (let f = 0; f < F; f++) s += bt[f * l + i] * bt[f * l + j];
      c[i * l + j] = s;
      c[j * l + i] = s;
    }
  }
  const { values, vectors } = jacobiEigen(c, l);
  const order = Array.from({ length: l }, (_, i) => i).sort((a, b) => values[b] - values[a]);
  // the rank rule: keep the leading components with variance above the tolerance only
  let kept = 0;
  while (kept < k && values[order[kept]] / (T - 1) > RANK_TOLERANCE * totalVariance) kept++;
  k = kept;
  const scores = new Float64Array(k * T);
  const variances = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const e = order[j];
    const s = Math.sqrt(Math.max(values[e], 0));
    variances[j] = values[e] / (T - 1);
    for (let t = 0; t < T; t++) {
      let acc = 0;
      for (let i = 0; i < l; i++) acc += y[t * l + i] * vectors[i * l + e];
      scores[j * T + t] = acc * s;
    }
  }
  return { scores, k, variances, totalVariance, dropped: requested - k };
}

/** X [T][F] times B [F][l] → [T][l]. */
function mulXB(x: Float64Array, T: number, F: number, b: Float64Array, l: number): Float64Array {
  const out = new Float64Array(T * l);
  for (let t = 0; t < T; t++) {
    const o = t * l;
    for (let f = 0; f < F; f++) {
      const v = x[t * F + f];
      if (v === 0) continue;
      const bo = f * l;
      for (let j = 0; j < l; j++) out[o + j] += v * b[bo + j];
    }
  }
  return out;
}

/** Xᵀ [F][T] times B [T][l] → [F][l]. */
function mulXtB(x: Float64Array, T: number, F: number, b: Float64Array, l: number): Float64Array {
  const out = new Float64Array(F * l);
  for (let t = 0; t < T; t++) {
    const bo = t * l;
    for (let f = 0; f < F; f++) {
      const v = x[t * F + f];
      if (v === 0) continue;
      const o = f * l;
      for (let j = 0; j < l; j++) out[o + j] += v * b[bo + j];
    }
  }
  return out;
}

/**
 * Gram-Schmidt on the l columns of a [n][l] matrix, in place, with a second pass ("twice is
 * enough") so that nearly dependent columns (a layer whose rank is below l) stay orthogonal; a column
 * with nothing left after the projections becomes zero instead of normalised rounding noise.
 */
function orthonormaliseColumns(a: Float64Array, n: number, l: number): void {
  for (let j = 0; j < l; j++) {
    let n0 = 0;
    for (let r = 0; r < n; r++) n0 += a[r * l + j] ** 2;
    n0 = Math.sqrt(n0);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let d = 0;
        for (let r = 0; r < n; r++) d += a[r * l + i] * a[r * l + j];
        for (let r = 0; r < n; r++) a[r * l + j] -= d * a[r * l + i];
      }
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += a[r * l + j] ** 2;
    norm = Math.sqrt(norm);
    const keep = norm > 1e-9 * n0 && norm > 1e-300;
    for (let r = 0; r < n; r++) a[r * l + j] = keep ? a[r * l + j] / norm : 0;
  }
}

/** Cyclic Jacobi eigendecomposition of a symmetric [n][n] matrix (workers/util, stopping at off-diagonal sum of squares < 1e-30): values[i], vectors column i. */
export function jacobiEigen(m: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  return jacobiEigenSolver(m, n, 1e-30);
}
