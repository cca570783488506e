/**
 * Small dense linear algebra for covariance matrices: sample covariance and submatrices here; the
 * lower Cholesky factor, log-determinants and triangular solves are workers/util's (re-exported).
 * Matrices are row-major Float64Array, d × d.
 */

export { cholesky, halfLogDet, forwardSolve } from '../util';

/**
 * Sample covariance of the rows of x ([dim][trial]), divided by (trials − 1). With demean=false
 * the rows are taken as already zero-mean (the reference's `demeaned=True`).
 */
export function covariance(data: Float64Array, dims: number, trials: number, demean: boolean): Float64Array {
  const means = new Float64Array(dims);
  if (demean) {
    for (let i = 0; i < dims; i++) {
      let s = 0;
      for (let t = 0; t < trials; t++) s += data[i * trials + t];
      means[i] = s / trials;
    }
  }
  const c = new Float64Array(dims * dims);
  for (let i = 0; i < dims; i++) {
    const mi = means[i];
    for (let j = 0; j <= i; j++) {
      const mj = means[j];
      let s = 0;
      for (let t = 0; t < trials; t++) s += (data[i * trials + t] - mi) * (data[j * trials + t] - mj);
      c[i * dims + j] = c[j * dims + i] = s / (trials - 1);
    }
  }
  return c;
}

/** The leading/selected principal submatrix of C on index list `idx`. */
export function submatrix(c: Float64Array, d: number, idx: readonly number[]): Float64Array {
  const m = idx.length;
  const out = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) out[a * m + b] = c[idx[a] * d + idx[b]];
  return out;
}
