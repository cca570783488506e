/** Small dense linear algebra for building and checking bases (Float64 internally). */
import { jacobiEigen } from '../util';

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** a ← a − c·b */
export function axpy(a: Float64Array, c: number, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] -= c * b[i];
}

/**
 * Modified Gram-Schmidt, applied twice ("twice is enough", Giraud et al. 2005) for orthonormality
 * to ~1e-12 in Float64. Each vector is first made orthogonal to `against` (already orthonormal),
 * then to the previously accepted vectors. Returns the orthonormal rows and, per input, its norm
 * before normalisation (0 and no row when a vector is dependent on the others).
 */
export function gramSchmidt(vectors: Float64Array[], against: Float64Array[] = []): { rows: Float64Array[]; residualNorms: number[]; kept: number[] } {
  const rows: Float64Array[] = [];
  const residualNorms: number[] = [];
  const kept: number[] = [];
  vectors.forEach((v0, idx) => {
    const v = Float64Array.from(v0);
    const original = norm(v);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of against) axpy(v, dot(v, q), q);
      for (const q of rows) axpy(v, dot(v, q), q);
    }
    const n = norm(v);
    if (original === 0 || n < 1e-8 * original) {
      residualNorms.push(0);
      return;
    }
    for (let i = 0; i < v.length; i++) v[i] /= n;
    rows.push(v);
    residualNorms.push(n);
    kept.push(idx);
  });
  return { rows, residualNorms, kept };
}

/** Packs rows [K][N] into one row-major Float32Array. */
export function packRows(rows: Float64Array[], n: number): Float32Array {
  const out = new Float32Array(rows.length * n);
  rows.forEach((r, k) => {
    for (let i = 0; i < n; i++) out[k * n + i] = r[i];
  });
  return out;
}

/** Projects v on the orthonormal rows q: v ← v − Σ (v·q) q. */
export function projectOut(v: Float64Array, rows: Float64Array[]): Float64Array {
  const out = Float64Array.from(v);
  for (let pass = 0; pass < 2; pass++) for (const q of rows) axpy(out, dot(out, q), q);
  return out;
}

/** Eigen-decomposition of a symmetric K×K matrix (row-major) by cyclic Jacobi rotations (workers/util, stopping at off-diagonal sum of squares < 1e-22): values descending, vectors as columns of `vectors` (row-major K×K). */
export function symmetricEigen(A: Float64Array, K: number): { values: Float64Array; vectors: Float64Array } {
  const { values: diag, vectors: v } = jacobiEigen(A, K, 1e-22);
  const order = Array.from({ length: K }, (_, i) => i).sort((x, y) => diag[y] - diag[x]);
  const values = Float64Array.from(order, (i) => diag[i]);
  const vectors = new Float64Array(K * K);
  order.forEach((src, dst) => { for (let k = 0; k < K; k++) vectors[k * K + dst] = v[k * K + src]; });
  return { values, vectors };
}

/**
 * Principal axes of the faces Σ_k w_k m_k with w ~ N(0, I): for modes M = [m_1 … m_K] (each a row),
 * the eigenvectors of MᵀM give orthonormal rows u_i = M w_i / √λ_i with sd √λ_i. N(0, 1)
 * coefficients on (u, sd) reproduce exactly the distribution of N(0, 1) weights on the modes.
 */
export function principalAxes(modes: Float64Array[]): { rows: Float64Array[]; sd: Float64Array } {
  const K = modes.length;
  const G = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = i; j < K; j++) G[i * K + j] = G[j * K + i] = dot(modes[i], modes[j]);
  const { values, vectors } = symmetricEigen(G, K);
  const rows: Float64Array[] = [];
  const sd: number[] = [];
  for (let e = 0; e < K; e++) {
    if (!(values[e] > 1e-12 * values[0])) continue;
    const r = new Float64Array(modes[0].length);
    for (let k = 0; k < K; k++) { const w = vectors[k * K + e]; for (let i = 0; i < r.length; i++) r[i] += w * modes[k][i]; }
    const n = Math.sqrt(values[e]);
    for (let i = 0; i < r.length; i++) r[i] /= n;
    rows.push(r);
    sd.push(n);
  }
  // One Gram-Schmidt pass removes the rounding left by the eigen-solver.
  return { rows: gramSchmidt(rows).rows, sd: Float64Array.from(sd) };
}
