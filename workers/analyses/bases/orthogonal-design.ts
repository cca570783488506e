/**
 * The orthogonal design of coefficient noise (issue 12): the K noise rows of T trials are made
 * exactly centred and orthonormal in sample, then scaled to the requested sd, so the sample
 * covariance of the coefficients over the T trials is sd²·I exactly (with the 1/(T−1) convention).
 *
 * Why: the map of a vertex is estimated from the sample covariances ĝ_k = cov(c_k, y) of each
 * component with the response. With independent draws, ĝ_k also picks up every other component's
 * effect on y through the chance sample correlation of c_k with c_j (var ≈ var(y)/T per component);
 * with exactly uncorrelated rows that term is zero and only the response's own noise is left
 * (var ≈ var(ε)/T). A weak component's share of a map is then no longer swamped by the strong ones'
 * leakage (docs/oracles.md, "The orthogonal design"). Each trial's coefficients remain jointly
 * Gaussian to O(K/T) (a uniformly random orthonormal K-frame, rescaled).
 *
 * Layout: rows [K][T] (component-major), as TrialNoise's coefficients.
 */

/**
 * Makes the K rows of `rows` ([K][T], in place) centred and orthonormal, each with sample sd `sd`
 * (Σ_t c_k(t)² = (T − 1)·sd², Σ_t c_k(t)·c_j(t) = 0 for j ≠ k, Σ_t c_k(t) = 0): modified Gram–Schmidt
 * in float64, applied twice ("twice is enough"; Giraud et al. 2005). Needs T > K.
 */
export function orthonormaliseRows(rows: Float32Array, K: number, T: number, sd: number): void {
  if (K === 0 || sd === 0) return;
  if (!(T > K)) throw new Error(`the orthogonal noise design needs more trials than components: ${T} trials for ${K} components (use more trials or the independent design)`);
  const q = new Float64Array(K * T);
  for (let i = 0; i < K * T; i++) q[i] = rows[i];
  for (let k = 0; k < K; k++) {
    const r = q.subarray(k * T, (k + 1) * T);
    for (let pass = 0; pass < 2; pass++) {
      let mean = 0;
      for (let t = 0; t < T; t++) mean += r[t];
      mean /= T;
      for (let t = 0; t < T; t++) r[t] -= mean;
      for (let j = 0; j < k; j++) {
        const p = q.subarray(j * T, (j + 1) * T);
        let dot = 0;
        for (let t = 0; t < T; t++) dot += r[t] * p[t];
        for (let t = 0; t < T; t++) r[t] -= dot * p[t];
      }
      let norm = 0;
      for (let t = 0; t < T; t++) norm += r[t] * r[t];
      norm = Math.sqrt(norm);
      if (!(norm > 0)) throw new Error(`orthogonal noise design: component ${k} is degenerate`);
      for (let t = 0; t < T; t++) r[t] /= norm;
    }
  }
  const scale = sd * Math.sqrt(T - 1);
  for (let i = 0; i < K * T; i++) rows[i] = q[i] * scale;
}
