/** Small dense linear algebra for building and checking bases (Float64 internally). */

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
