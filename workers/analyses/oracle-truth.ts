/**
 * The analytic ground truth of a planted-region oracle under a linear Gaussian noise basis.
 *
 * Every basis (noise.ts) makes each vertex feature linear in independent unit-variance Gaussian
 * sources z (coefficients: identity coefficients; bubbles: bump amplitudes; vertex: per-vertex
 * noise): x_v = L_v z, L_v [dims][sources]. The planted signal s = Σ_{u∈R} w_uᵀ x_u = gᵀ z with
 * g = Σ_{u∈R} L_uᵀ w_u (w_u: the normal for shape, the Rec. 709 luminance weights for texture), and
 * the planted response y = s + ε, ε ~ N(0, var(s)·(1 − R²)/R²) independent, so that the signal
 * explains the stated share R² of var(y). Then x_v and y are jointly Gaussian and
 *   a_v = Cov(x_v, y) = L_v g,   Σ_v = L_v L_vᵀ,   var(y) = |g|² / R²,
 *   R²_v = a_vᵀ Σ_v⁺ a_v / var(y),   I_v = −½ log2(1 − R²_v)   bits
 * (Σ_v⁺: pseudo-inverse on the eigenvalues above 1e-6 of the largest, the same rank rule as noise.ts).
 * Layout: mi Float64Array [V] bits (0 where nothing moves the vertex).
 */
import type { FaceModel } from '../faces/model';
import { computeVertexNormals } from '../faces';
import { jacobiEigen } from './pca';
import { canonicalBasis, type TrialNoise } from './noise';

export const LUMINANCE = [0.2126, 0.7152, 0.0722];

/** The loadings of vertex v: dims × entries, as parallel arrays (source index, weight per dim [entry][dims]). */
export interface VertexLoadings { dims: number; src: number[]; w: number[] }

/** L_v of one vertex for a kind of noise (units: mm or albedo per unit source). */
export function vertexLoadings(model: FaceModel, noise: TrialNoise, kind: 'shape' | 'texture', v: number, slot?: Int32Array): VertexLoadings {
  const sdSpec = kind === 'shape' ? noise.spec.shapeSd : noise.spec.textureSd;
  const basis = canonicalBasis(noise.spec.basis);
  if (basis === 'bubbles') {
    const l = kind === 'shape' ? noise.bubbles!.shape : noise.bubbles!.texture;
    const dims = kind === 'shape' ? 1 : 3;
    const src: number[] = [], w: number[] = [];
    for (let j = l.offsets[v]; j < l.offsets[v + 1]; j++) {
      for (let c = 0; c < dims; c++) {
        src.push(l.source[j] + c);
        for (let d = 0; d < dims; d++) w.push(d === c ? l.weight[j] : 0);
      }
    }
    return { dims, src, w };
  }
  if (basis === 'vertex') {
    const i = slot ? slot[v] : noise.vertices!.indexOf(v);
    if (kind === 'shape') return i < 0 || sdSpec === 0 ? { dims: 1, src: [], w: [] } : { dims: 1, src: [i], w: [sdSpec] };
    if (i < 0 || sdSpec === 0) return { dims: 3, src: [], w: [] };
    const src: number[] = [], w: number[] = [];
    for (let c = 0; c < 3; c++) { src.push(i * 3 + c); for (let d = 0; d < 3; d++) w.push(d === c ? sdSpec : 0); }
    return { dims: 3, src, w };
  }
  const B = kind === 'shape' ? model.shapeBasis : model.textureBasis;
  const sd = kind === 'shape' ? model.shapeSd : model.textureSd;
  const N = model.vertexCount * 3;
  const src: number[] = [], w: number[] = [];
  if (sdSpec === 0) return { dims: 3, src, w };
  for (let k = 0; k < sd.length; k++) {
    src.push(k);
    for (let d = 0; d < 3; d++) w.push(sdSpec * sd[k] * B[k * N + v * 3 + d]);
  }
  return { dims: 3, src, w };
}

export function sourceCount(model: FaceModel, noise: TrialNoise, kind: 'shape' | 'texture'): number {
  const basis = canonicalBasis(noise.spec.basis);
  if (basis === 'bubbles') return (kind === 'shape' ? noise.bubbles!.shape : noise.bubbles!.texture).sources;
  if (basis === 'vertex') return noise.vertices!.length * (kind === 'shape' ? 1 : 3);
  return (kind === 'shape' ? model.shapeSd : model.textureSd).length;
}

/** The weights w_u of the planted signal on vertex u's feature (dims of the basis's feature). */
export function plantedWeights(noise: TrialNoise, kind: 'shape' | 'texture', normals: Float32Array, u: number, dims: number): number[] {
  if (kind === 'texture') return LUMINANCE;
  if (dims === 1) return [1]; // bubbles and vertex: the feature is already the height along the normal
  return [normals[u * 3], normals[u * 3 + 1], normals[u * 3 + 2]];
}

export interface AnalyticMap {
  /** [V] bits. */
  mi: Float64Array;
  /** [V] R²_v. */
  r2: Float64Array;
  /** var(s) = |g|² of the planted signal (feature units²). */
  signalVariance: number;
  /** The stated share of var(y) the signal explains. */
  r2Planted: number;
}

/** g = Σ_{u∈R} L_uᵀ w_u, sources [S]. */
export function plantedSourceWeights(model: FaceModel, noise: TrialNoise, kind: 'shape' | 'texture', region: Uint32Array): Float64Array {
  const g = new Float64Array(sourceCount(model, noise, kind));
  const normals = computeVertexNormals(model.mean, model.triangles);
  const slot = vertexSlots(noise);
  for (const u of region) {
    const L = vertexLoadings(model, noise, kind, u, slot);
    const wu = plantedWeights(noise, kind, normals, u, L.dims);
    L.src.forEach((s, j) => { let a = 0; for (let d = 0; d < L.dims; d++) a += L.w[j * L.dims + d] * wu[d]; g[s] += a; });
  }
  return g;
}

function vertexSlots(noise: TrialNoise): Int32Array | undefined {
  if (!noise.vertices) return undefined;
  const slot = new Int32Array(noise.vertexCount).fill(-1);
  noise.vertices.forEach((v, i) => (slot[v] = i));
  return slot;
}

/** The analytic MI map I_v (bits) of a planted response explaining r2Planted of its variance. */
export function analyticOracleMap(model: FaceModel, noise: TrialNoise, kind: 'shape' | 'texture', region: Uint32Array, r2Planted: number): AnalyticMap {
  if (!(r2Planted > 0 && r2Planted <= 1)) throw new Error(`planted R² must be in (0, 1], got ${r2Planted}`);
  const g = plantedSourceWeights(model, noise, kind, region);
  let gg = 0;
  for (const x of g) gg += x * x;
  const varY = gg / r2Planted;
  const V = model.vertexCount;
  const mi = new Float64Array(V);
  const r2 = new Float64Array(V);
  const slot = vertexSlots(noise);
  if (gg === 0) return { mi, r2, signalVariance: 0, r2Planted };
  for (let v = 0; v < V; v++) {
    const L = vertexLoadings(model, noise, kind, v, slot);
    if (L.src.length === 0) continue;
    const D = L.dims;
    const a = new Float64Array(D);
    const S = new Float64Array(D * D);
    L.src.forEach((s, j) => {
      for (let d = 0; d < D; d++) {
        const wd = L.w[j * D + d];
        a[d] += wd * g[s];
        for (let e = 0; e < D; e++) S[d * D + e] += wd * L.w[j * D + e];
      }
    });
    const q = quadPinv(S, a, D);
    r2[v] = Math.min(q / varY, 1 - 1e-12);
    mi[v] = -0.5 * Math.log2(1 - r2[v]);
  }
  return { mi, r2, signalVariance: gg, r2Planted };
}

/** aᵀ S⁺ a for a symmetric positive semi-definite D×D matrix S. */
function quadPinv(S: Float64Array, a: Float64Array, D: number): number {
  if (D === 1) return S[0] > 0 ? (a[0] * a[0]) / S[0] : 0;
  const { values, vectors } = jacobiEigen(S, D);
  const top = Math.max(...values);
  if (!(top > 0)) return 0;
  let q = 0;
  for (let e = 0; e < D; e++) {
    if (values[e] <= 1e-6 * top) continue;
    let p = 0;
    for (let d = 0; d < D; d++) p += vectors[d * D + e] * a[d];
    q += (p * p) / values[e];
  }
  return q;
}

/** Pearson correlation of two maps over the vertices where `use` is 1. */
export function mapCorrelation(x: Float64Array, y: Float64Array, use: Uint8Array): number {
  let n = 0, sx = 0, sy = 0;
  for (let v = 0; v < x.length; v++) if (use[v]) { n++; sx += x[v]; sy += y[v]; }
  if (n < 2) return NaN;
  const mx = sx / n, my = sy / n;
  let cxy = 0, cxx = 0, cyy = 0;
  for (let v = 0; v < x.length; v++) if (use[v]) {
    const a = x[v] - mx, b = y[v] - my;
    cxy += a * b; cxx += a * a; cyy += b * b;
  }
  return cxy / Math.sqrt(cxx * cyy);
}
