/**
 * Whitened vertex loadings of a linear Gaussian noise basis, shared by the coefficients oracle
 * benches (oracle-coefficients-curve.ts, oracle-rim.ts): W_v = Σ_v^(−½) L_v on the rank d_v of the
 * vertex's loadings (eigenvalues above 1e-6 of the largest, the same rank rule as noise.ts and
 * oracle-truth.ts), so that for source cross-covariances c [K] the vertex's R²_v = |W_v c|² / var(y).
 * Layout: W [V][3][K] (rows beyond d_v zero), dims [V].
 */
import type { FaceModel } from '../workers/faces/model';
import type { TrialNoise } from '../workers/analyses/noise';
import { vertexLoadings, sourceCount } from '../workers/analyses/oracle-truth';
import { jacobiEigen } from '../workers/analyses/pca';

export interface WhitenedLoadings { W: Float64Array; dims: Uint8Array; K: number }

export function whitenedLoadings(model: FaceModel, noise: TrialNoise, kind: 'shape' | 'texture'): WhitenedLoadings {
  const V = model.vertexCount, K = sourceCount(model, noise, kind);
  const W = new Float64Array(V * 3 * K);
  const dims = new Uint8Array(V);
  for (let v = 0; v < V; v++) {
    const L = vertexLoadings(model, noise, kind, v);
    if (L.src.length === 0) continue;
    const D = L.dims;
    const S = new Float64Array(D * D);
    L.src.forEach((_, j) => { for (let d = 0; d < D; d++) for (let e = 0; e < D; e++) S[d * D + e] += L.w[j * D + d] * L.w[j * D + e]; });
    const { values, vectors } = jacobiEigen(S, D);
    const top = Math.max(...values);
    if (!(top > 0)) continue;
    for (let e = 0; e < D; e++) {
      if (values[e] <= 1e-6 * top) continue;
      const row = v * 3 + dims[v]++;
      L.src.forEach((s, j) => { let p = 0; for (let d = 0; d < D; d++) p += vectors[d * D + e] * L.w[j * D + d]; W[row * K + s] += p / Math.sqrt(values[e]); });
    }
  }
  return { W, dims, K };
}

/** |W_v c|² (var(y) · R²_v for cross-covariances c). */
export function whitenedSquare(w: WhitenedLoadings, c: Float64Array, v: number): number {
  let q = 0;
  for (let r = 0; r < w.dims[v]; r++) { let p = 0; const o = (v * 3 + r) * w.K; for (let k = 0; k < w.K; k++) p += w.W[o + k] * c[k]; q += p * p; }
  return q;
}
