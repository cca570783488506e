/**
 * Coefficient-space maps: the information of each identity component about the response, with the
 * maximum-statistic family-wise error test over the components, projected back onto the mesh.
 *
 *   I_k = I(c_k; y)   bits, GCMI (bias-corrected), c_k(t) the noise on component k in trial t
 *   significant_k: I_k above the FWER threshold of the permutation maximum over the K components
 *   projection P_v = Σ_{k significant} I_k · w_kv,  w_kv = sd_k² |B_k[v]|² / Σ_j sd_j² |B_j[v]|²
 * (w_kv: component k's share of the noise variance of vertex v, so P_v is the information of the
 * significant components a vertex carries, weighted by how much of its noise each explains; bits).
 * Layouts: mi, significant [K] (components of one kind, in model order); projected [V] bits.
 */
import type { FaceModel } from '../faces/model';
import { informationMap, type FweMap, type MapFeatures, type Response } from './maps';
import { isCoefficients, type TrialNoise } from './noise';

export interface CoefficientMap {
  kind: 'shape' | 'texture';
  /** The component test (mi [K] bits, maxNull, threshold, significant [K]). */
  components: FweMap;
  /** [V] bits: the significant components' information projected on the mesh. */
  projected: Float64Array;
}

/** The coefficient noise of one kind as K one-dimensional variables (values [K][T], component-major). */
export function coefficientFeatures(noise: TrialNoise, kind: 'shape' | 'texture'): MapFeatures {
  if (!isCoefficients(noise.spec.basis)) throw new Error(`coefficient maps need the coefficients noise basis, got '${noise.spec.basis}'`);
  const T = noise.spec.trials;
  const values = kind === 'shape' ? noise.shape : noise.texture;
  const K = values.length / T;
  return {
    nVar: K, nDim: 1, nTrial: T, skip: null,
    fill(from, to, out) {
      for (let k = from; k < to; k++) {
        const row = values.subarray(k * T, (k + 1) * T);
        for (let t = 0; t < T; t++) out[(k - from) * T + t] += row[t];
      }
    },
  };
}

/** w_kv of every component: [K][V], each vertex's column summing to 1 (0 where nothing moves it). */
export function componentVertexShares(model: FaceModel, kind: 'shape' | 'texture'): Float64Array {
  const B = kind === 'shape' ? model.shapeBasis : model.textureBasis;
  const sd = kind === 'shape' ? model.shapeSd : model.textureSd;
  const K = sd.length, V = model.vertexCount, N = V * 3;
  const w = new Float64Array(K * V);
  const total = new Float64Array(V);
  for (let k = 0; k < K; k++) for (let v = 0; v < V; v++) {
    const o = k * N + v * 3;
    const e = sd[k] * sd[k] * (B[o] * B[o] + B[o + 1] * B[o + 1] + B[o + 2] * B[o + 2]);
    w[k * V + v] = e;
    total[v] += e;
  }
  for (let k = 0; k < K; k++) for (let v = 0; v < V; v++) w[k * V + v] = total[v] > 0 ? w[k * V + v] / total[v] : 0;
  return w;
}

export async function coefficientMap(
  model: FaceModel, noise: TrialNoise, kind: 'shape' | 'texture', response: Response,
  opts: { permutations: number; alpha: number; seed: number },
): Promise<CoefficientMap> {
  const components = await informationMap(coefficientFeatures(noise, kind), response, opts);
  const V = model.vertexCount;
  const K = components.mi.length;
  const w = componentVertexShares(model, kind);
  const projected = new Float64Array(V);
  for (let k = 0; k < K; k++) {
    if (!components.significant[k]) continue;
    const ik = components.mi[k];
    for (let v = 0; v < V; v++) projected[v] += ik * w[k * V + v];
  }
  return { kind, components, projected };
}
