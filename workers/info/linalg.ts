/**
 * Small dense linear algebra for covariance matrices: lower Cholesky factor, log-determinants and
 * triangular solves. Matrices are row-major Float64Array, d × d.
 */

/** Lower Cholesky factor L of symmetric positive-definite C (C = L Lᵀ); throws naming `name` otherwise. */
export function cholesky(c: Float64Array, d: number, name = 'covariance'): Float64Array {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = c[j * d + j];
    for (let k = 0; k < j; k++) s -= l[j * d + k] * l[j * d + k];
    if (!(s > 0))
      throw new RangeError(`${name}: covariance is not positive definite (a constant or collinear dimension, or too few trials)`);
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = c[i * d + j];
      for (let k = 0; k < j; k++) t -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = t / ljj;
    }
  }
  return l;
}

/** Σ log Lᵢᵢ = ½ log det C (nats). */
export function halfLogDet(l: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += Math.log(l[i * d + i]);
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
