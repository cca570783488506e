/**
 * Small dense linear algebra shared by workers/ (one implementation each):
 *  - the cyclic Jacobi eigen-solver of symmetric matrices (faces/basis-linalg.ts principal axes, the
 *    default model's bases; analyses/pca.ts the randomised PCA's small problem);
 *  - the lower Cholesky factor, ½ log det and forward substitution (info/ Gaussian entropies and
 *    null models, analyses/layer-stats.ts whitening and the fast layer null).
 * Matrices are row-major Float64Array, n × n. Each caller keeps its own stopping tolerance or pivot
 * rule, passed as an argument, so that the results are bit-for-bit those of the code this replaced
 * (tests/util/pinned.test.ts).
 */

/**
 * Eigen-decomposition of a symmetric n×n matrix by cyclic Jacobi rotations, in the order the rotations
 * leave them (not sorted): values[i] with eigenvector column i of `vectors` (row-major n×n).
 * Sweeps (at most 100) stop once the sum of squares of the strict upper triangle is below
 * `offTolerance` (absolute, in the squared units of m): faces/ uses 1e-22, analyses/pca.ts 1e-30.
 */
export function jacobiEigen(m: Float64Array, n: number, offTolerance: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < offTolerance) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = a[r * n + p], arq = a[r * n + q];
          a[r * n + p] = c * arp - s * arq;
          a[r * n + q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = a[p * n + r], aqr = a[q * n + r];
          a[p * n + r] = c * apr - s * aqr;
          a[q * n + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < n; r++) {
          const vrp = v[r * n + p], vrq = v[r * n + q];
          v[r * n + p] = c * vrp - s * vrq;
          v[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

export interface CholeskyOptions {
  /**
   * Pivot rule: column j fails unless its pivot s_j = C_jj − Σ_k L_jk² is > relativeTolerance ·
   * max(1e-300, C_jj). 0 (default): s_j > 0, i.e. positive definite in floating point.
   */
  relativeTolerance?: number;
  /** Receives the pivots s_j = L_jj² (before the square root), [n]. */
  pivots?: Float64Array;
}

/**
 * Lower Cholesky factor of symmetric C (C = L Lᵀ) into `l` (n×n, row-major; only the lower triangle
 * of C is read, only the lower triangle of l is written). Returns −1, or the first column whose pivot
 * fails the rule (l is then incomplete).
 */
export function choleskyInto(c: Float64Array, n: number, l: Float64Array, opts: CholeskyOptions = {}): number {
  const rel = opts.relativeTolerance ?? 0;
  for (let j = 0; j < n; j++) {
    let s = c[j * n + j];
    for (let k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
    if (rel === 0 ? !(s > 0) : !(s > rel * Math.max(1e-300, c[j * n + j]))) return j;
    if (opts.pivots) opts.pivots[j] = s;
    const ljj = Math.sqrt(s);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = c[i * n + j];
      for (let k = 0; k < j; k++) t -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = t / ljj;
    }
  }
  return -1;
}

/** Lower Cholesky factor L of symmetric positive-definite C (C = L Lᵀ); throws naming `name` otherwise. */
export function cholesky(c: Float64Array, d: number, name = 'covariance'): Float64Array {
  const l = new Float64Array(d * d);
  if (choleskyInto(c, d, l) >= 0)
    throw new RangeError(`${name}: covariance is not positive definite (a constant or collinear dimension, or too few trials)`);
  return l;
}

/** Σ log Lᵢᵢ = ½ log det C (nats), from the Cholesky factor L. */
export function halfLogDet(l: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += Math.log(l[i * d + i]);
  return s;
}

/** log det C = Σ log s_j (nats) from the Cholesky pivots s_j = L_jj² (CholeskyOptions.pivots). */
export function logDetFromPivots(pivots: Float64Array, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += Math.log(pivots[j]);
  return s;
}

/** Solve L z = b in place (forward substitution), L lower triangular. */
export function forwardSolve(l: Float64Array, d: number, b: Float64Array): Float64Array {
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * d + k] * b[k];
    b[i] = s / l[i * d + i];
  }
  return b;
}
