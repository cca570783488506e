/**
 * Reverse-correlation noise: what varies from trial to trial, and the per-vertex features it
 * produces (the quantities whose information the maps measure).
 *
 * Two noise bases:
 * - 'components' (the paper): Gaussian noise on the identity's shape and texture coefficients, sd in
 *   units of each component's sd. Features are linear in the coefficients:
 *     displacement d_v(t) = Σ_k c_k(t) · shapeSd_k · B_k[v]   (mm)
 *     albedo change a_v(t) = Σ_k c_k(t) · textureSd_k · T_k[v] (linear RGB; optionally one band)
 *   Because every component moves many vertices, a response that depends on one region is also
 *   carried by every vertex that the same components move: the maps show the region *and* its
 *   correlates (measured on the default model: a planted nose response makes ~3,800 vertices
 *   significant). Use it to ask what the network uses in the face space it was trained on.
 * - 'vertex': independent Gaussian noise on each vertex's position along the mean face's normal (sd in
 *   mm) and on its albedo (sd per channel) over a vertex set (default: the model's 'face' region). A
 *   displacement along the surface barely changes the face, and a 1-D feature needs fewer trials
 *   than a 3-D one for the same power (issue 12: forehead recall). Features are the noise
 *   itself, so information is only where the response really looks: the localisation check of the
 *   maps (the oracles) and a 'bubbles'-like probe of a network. Power: a response spread evenly
 *   over R vertices gives each an R² of 1/R, so about 50·R trials are needed to find all of them.
 *
 * - 'bubbles': smooth Gaussian bumps on the mesh (bases/bubbles.ts), the default of the maps.
 *
 * Layouts: coefficient and bubble amplitudes [K][T] (source-major); vertex noise: shape [T][vertex of
 * the set] (mm along the normal), texture [T][vertex of the set][3].
 */
import type { FaceModel } from '../faces/model';
import { computeVertexNormals, createRng, hashInts } from '../faces';
import type { MapFeatures } from './maps';
import { jacobiEigen } from './pca';
import { blockedFill, TRIAL_SLICE } from './feature-blocks';
import { orthonormaliseRows } from './bases/orthogonal-design';
import { bubbleBasis, DEFAULT_BUBBLES, sparseValue, type BubbleBasis, type BubbleOptions } from './bases/bubbles';

/** 'components' is the old name of 'coefficients' (kept as an alias; drawNoise stores the canonical name). */
export type NoiseBasis = 'coefficients' | 'bubbles' | 'vertex' | 'components';
export type CanonicalBasis = 'coefficients' | 'bubbles' | 'vertex';
export const NOISE_BASES = ['coefficients', 'bubbles', 'vertex', 'components'] as const;

export function canonicalBasis(b: NoiseBasis): CanonicalBasis {
  return b === 'components' ? 'coefficients' : b;
}
export function isCoefficients(b: NoiseBasis): boolean {
  return b === 'components' || b === 'coefficients';
}

/**
 * How the coefficients basis draws its T trials: 'orthogonal' (the default since 2026-12-01
 * wherever the trials exceed the components of each noisy kind): the K component rows exactly
 * centred and uncorrelated in sample (bases/orthogonal-design.ts), so one component's effect on the
 * response does not leak into another's map by chance; 'independent': each coefficient an
 * independent N(0, sd²) draw (the paper's noise; every run made before 2026-12-01, and the default
 * when T ≤ K). The drawn noise records which was used. The other bases ignore it.
 */
export type NoiseDesign = 'orthogonal' | 'independent';
export const NOISE_DESIGNS = ['orthogonal', 'independent'] as const;
export const DEFAULT_NOISE_DESIGN: NoiseDesign = 'orthogonal';

export interface NoiseSpec {
  basis: NoiseBasis;
  trials: number;
  /** coefficients: sd in component-sd units; vertex, bubbles: mm along the normal. 0 = no shape noise. */
  shapeSd: number;
  /** components: sd in component-sd units; vertex: linear albedo per channel. 0 = no texture noise. */
  textureSd: number;
  seed: number;
  /** vertex and bubbles bases: the vertices that get noise (bubbles: the bump centres; default: region 'face' of the model, else all). */
  vertices?: Uint32Array;
  /** bubbles basis: σ (mm) and density (bumps per σ²); default DEFAULT_BUBBLES. */
  bubbles?: BubbleOptions;
  /** coefficients basis: the design of the draw (absent: orthogonal when the trials exceed the components of each noisy kind, else independent; orthogonal needs that). */
  design?: NoiseDesign;
}

export interface TrialNoise {
  spec: NoiseSpec;
  vertexCount: number;
  /** coefficients: [Ks][T] and [Kt][T]; vertex: [T][vertices.length][3] each; bubbles: amplitudes [source][T]. */
  shape: Float32Array;
  texture: Float32Array;
  /** vertex basis: the noisy vertices; otherwise null. */
  vertices: Uint32Array | null;
  /** bubbles basis: the bumps and the mean face's unit normals [V][3]; otherwise absent. */
  bubbles?: BubbleBasis;
  normals?: Float32Array;
}

export function drawNoise(model: FaceModel, specIn: NoiseSpec): TrialNoise {
  const spec: NoiseSpec = { ...specIn, basis: canonicalBasis(specIn.basis) };
  if (spec.basis !== 'coefficients') delete spec.design;  // only the coefficients basis has a design
  const T = spec.trials;
  if (!(Number.isInteger(T) && T >= 10)) throw new Error(`trials must be an integer ≥ 10, got ${T}`);
  if (!(spec.shapeSd >= 0)) throw new Error(`shapeSd must be ≥ 0, got ${spec.shapeSd}`);
  if (!(spec.textureSd >= 0)) throw new Error(`textureSd must be ≥ 0, got ${spec.textureSd}`);
  const fill = (n: number, sd: number, stream: number) => {
    const out = new Float32Array(n);
    if (sd === 0) return out;
    fillNormal(createRng(hashInts(spec.seed, stream)), out, sd);
    return out;
  };
  if (spec.basis === 'bubbles') {
    const vertices = spec.vertices ?? model.regions.face ?? Uint32Array.from({ length: model.vertexCount }, (_, i) => i);
    const b = bubbleBasis(model, vertices, spec.bubbles ?? DEFAULT_BUBBLES, spec.shapeSd, spec.textureSd);
    return {
      spec, vertexCount: model.vertexCount, vertices: null, bubbles: b,
      normals: computeVertexNormals(model.mean, model.triangles),
      shape: fill(b.shape.sources * T, spec.shapeSd === 0 ? 0 : 1, 5),
      texture: fill(b.texture.sources * T, spec.textureSd === 0 ? 0 : 1, 6),
    };
  }
  if (spec.basis === 'coefficients') {
    const Ks = model.shapeSd.length, Kt = model.textureSd.length;
    const fits = (spec.shapeSd === 0 || T > Ks) && (spec.textureSd === 0 || T > Kt);
    const design = spec.design ?? (fits ? DEFAULT_NOISE_DESIGN : 'independent');
    if (!NOISE_DESIGNS.includes(design)) throw new Error(`design must be one of ${NOISE_DESIGNS.join(', ')}, got ${String(design)}`);
    const shape = fill(Ks * T, spec.shapeSd, 1), texture = fill(Kt * T, spec.textureSd, 2);
    if (design === 'orthogonal') {
      // shape and texture each on their own (the shape draw does not depend on the texture settings)
      orthonormaliseRows(shape, Ks, T, spec.shapeSd);
      orthonormaliseRows(texture, Kt, T, spec.textureSd);
    }
    return { spec: { ...spec, design }, vertexCount: model.vertexCount, vertices: null, shape, texture };
  }
  const vertices = spec.vertices ?? model.regions.face ?? Uint32Array.from({ length: model.vertexCount }, (_, i) => i);
  for (const v of vertices) if (v >= model.vertexCount) throw new Error(`noise vertices: ${v} is not a vertex (< ${model.vertexCount})`);
  const n = T * vertices.length;
  return {
    spec, vertexCount: model.vertexCount, vertices, normals: computeVertexNormals(model.mean, model.triangles),
    shape: fill(n, spec.shapeSd, 3), texture: fill(n * 3, spec.textureSd, 4),
  };
}

/** Fills out with N(0, sd²) draws: Box-Muller using both outputs of each pair (millions per analysis). */
function fillNormal(rng: () => number, out: Float32Array, sd: number): void {
  for (let i = 0; i < out.length; i += 2) {
    const u = rng() || 1e-12;
    const r = sd * Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * rng();
    out[i] = r * Math.cos(a);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(a);
  }
}

/** Adds trial t's shape noise to positions [V][3] (mm), in place. */
export function addShapeNoise(model: FaceModel, noise: TrialNoise, t: number, positions: Float32Array): void {
  if (noise.vertices) {
    const vs = noise.vertices, n = noise.normals!;
    const o = t * vs.length;
    for (let i = 0; i < vs.length; i++) for (let d = 0; d < 3; d++) positions[vs[i] * 3 + d] += noise.shape[o + i] * n[vs[i] * 3 + d];
    return;
  }
  if (noise.bubbles) {
    const n = noise.normals!;
    for (let v = 0; v < noise.vertexCount; v++) {
      const h = sparseValue(noise.bubbles.shape, noise.shape, noise.spec.trials, t, v);
      if (h !== 0) for (let d = 0; d < 3; d++) positions[v * 3 + d] += h * n[v * 3 + d];
    }
    return;
  }
  addNoise(model.shapeBasis, model.shapeSd, noise, noise.shape, t, positions, null);
}

/** Adds trial t's texture noise to albedo [V][3] (optionally one band's components only), clamped to [0, 1]. */
export function addTextureNoise(model: FaceModel, noise: TrialNoise, t: number, albedo: Float32Array, band?: number): void {
  if (noise.bubbles) {
    if (band !== undefined) throw new Error('texture bands exist only for the coefficients noise basis');
    for (let v = 0; v < noise.vertexCount; v++) for (let c = 0; c < 3; c++) {
      albedo[v * 3 + c] += sparseValue(noise.bubbles.texture, noise.texture, noise.spec.trials, t, v, c);
    }
  } else addNoise(model.textureBasis, model.textureSd, noise, noise.texture, t, albedo, band === undefined ? null : bandComponents(model, band));
  for (let i = 0; i < albedo.length; i++) albedo[i] = albedo[i] < 0 ? 0 : albedo[i] > 1 ? 1 : albedo[i];
}

function addNoise(basis: Float32Array, sd: Float32Array, noise: TrialNoise, values: Float32Array, t: number, out: Float32Array, ks: Int32Array | null): void {
  const T = noise.spec.trials;
  if (noise.vertices) {
    const vs = noise.vertices;
    const o = t * vs.length * 3;
    for (let i = 0; i < vs.length; i++) for (let d = 0; d < 3; d++) out[vs[i] * 3 + d] += values[o + i * 3 + d];
    return;
  }
  const N = noise.vertexCount * 3;
  const K = sd.length;
  for (let j = 0; j < (ks ? ks.length : K); j++) {
    const k = ks ? ks[j] : j;
    const w = values[k * T + t] * sd[k];
    if (w === 0) continue;
    const row = basis.subarray(k * N, (k + 1) * N);
    for (let i = 0; i < N; i++) out[i] += w * row[i];
  }
}

export function bandComponents(model: FaceModel, band: number): Int32Array {
  if (!(Number.isInteger(band) && band >= 0 && band < model.textureBandNames.length)) {
    throw new Error(`band must be an integer in [0, ${model.textureBandNames.length - 1}], got ${band}`);
  }
  const ks: number[] = [];
  for (let k = 0; k < model.textureBand.length; k++) if (model.textureBand[k] === band) ks.push(k);
  return Int32Array.from(ks);
}

/**
 * The per-vertex features of the noise, as a map input: kind 'shape' (3D displacement, mm) or
 * 'texture' (RGB albedo change; one band when given, components basis only).
 */
export function noiseFeatures(model: FaceModel, noise: TrialNoise, kind: 'shape' | 'texture', band?: number): MapFeatures {
  const T = noise.spec.trials;
  const V = model.vertexCount;
  const N = V * 3;
  const values = kind === 'shape' ? noise.shape : noise.texture;
  const skip = new Uint8Array(V).fill(1);
  if (noise.bubbles) return bubbleFeatures(noise, kind, band);
  if (noise.vertices) {
    if (band !== undefined) throw new Error('texture bands exist only for the components noise basis');
    const slot = new Int32Array(V).fill(-1);
    noise.vertices.forEach((v, i) => { slot[v] = i; skip[v] = 0; });
    const Vn = noise.vertices.length;
    const D = kind === 'shape' ? 1 : 3; // shape: the displacement along the normal (mm)
    const fills = blockedFill({
      nVar: V, nDim: D, nTrial: T, assign: true, skip: (u) => slot[u] < 0,
      compute(vars, out) {
        // trial-major reads: the block's vertices are (mostly) adjacent in a trial's row
        for (let t = 0; t < T; t++) {
          for (let j = 0; j < vars.length; j++) {
            const i = slot[vars[j]];
            for (let d = 0; d < D; d++) out[(j * D + d) * T + t] = values[(t * Vn + i) * D + d];
          }
        }
      },
    });
    return { nVar: V, nDim: D, nTrial: T, skip, ...fills };
  }
  const basis = kind === 'shape' ? model.shapeBasis : model.textureBasis;
  const sd = kind === 'shape' ? model.shapeSd : model.textureSd;
  const ks = kind === 'texture' && band !== undefined ? bandComponents(model, band) : Int32Array.from({ length: sd.length }, (_, k) => k);
  const { rank, rotation } = vertexSubspaces(basis, sd, ks, V);
  for (let v = 0; v < V; v++) skip[v] = rank[v] === 0 ? 1 : 0;
  const nk = ks.length;
  const fills = blockedFill({
    nVar: V, nDim: 3, nTrial: T, assign: false, skip: (u) => rank[u] === 0,
    compute(vars, out) {
      // raw[d] = Σ_k sd_k B_k[v, d] c_k (k in order; a zero weight adds +0, which changes no sum), then
      // rotated onto the vertex's subspace, per trial slice
      const w = new Float64Array(vars.length * nk * 3); // [vertex of the block][k][d]
      vars.forEach((v, i) => { for (let j = 0; j < nk; j++) for (let d = 0; d < 3; d++) w[(i * nk + j) * 3 + d] = sd[ks[j]] * basis[ks[j] * N + v * 3 + d]; });
      const S = TRIAL_SLICE;
      const raw = new Float64Array(3 * S);
      for (let t0 = 0; t0 < T; t0 += S) {
        const n = Math.min(S, T - t0);
        for (let i = 0; i < vars.length; i++) {
          const v = vars[i];
          raw.fill(0);
          for (let j = 0; j < nk; j++) {
            const q = (i * nk + j) * 3;
            const w0 = w[q], w1 = w[q + 1], w2 = w[q + 2];
            if (w0 === 0 && w1 === 0 && w2 === 0) continue;
            const c = ks[j] * T + t0;
            for (let t = 0; t < n; t++) {
              const x = values[c + t];
              raw[t] += w0 * x; raw[S + t] += w1 * x; raw[2 * S + t] += w2 * x;
            }
          }
          for (let j = 0; j < rank[v]; j++) {
            const r0 = rotation[v * 9 + j * 3], r1 = rotation[v * 9 + j * 3 + 1], r2 = rotation[v * 9 + j * 3 + 2];
            const o = (i * 3 + j) * T + t0;
            for (let t = 0; t < n; t++) out[o + t] = r0 * raw[t] + r1 * raw[S + t] + r2 * raw[2 * S + t];
          }
        }
      }
    },
  });
  return { nVar: V, nDim: 3, nTrial: T, skip, rank, ...fills };
}

/**
 * Bubbles features: shape = the normal height h_v (mm; nDim 1, the displacement is h_v·n_v), texture =
 * the RGB albedo change (nDim 3). Vertices that no bump reaches are skipped.
 */
function bubbleFeatures(noise: TrialNoise, kind: 'shape' | 'texture', band?: number): MapFeatures {
  if (band !== undefined) throw new Error('texture bands exist only for the coefficients noise basis');
  const T = noise.spec.trials;
  const V = noise.vertexCount;
  const l = kind === 'shape' ? noise.bubbles!.shape : noise.bubbles!.texture;
  const z = kind === 'shape' ? noise.shape : noise.texture;
  const nDim = kind === 'shape' ? 1 : 3;
  const skip = new Uint8Array(V);
  for (let v = 0; v < V; v++) skip[v] = l.offsets[v + 1] === l.offsets[v] ? 1 : 0;
  const fills = blockedFill({
    nVar: V, nDim, nTrial: T, assign: false, skip: (u) => skip[u] === 1,
    compute(vars, out) {
      // sparseSeries per vertex, the channels of each bump together (texture: the same weight for the
      // three channels, adjacent amplitude rows): each value is summed over the bumps in the same order
      for (let i = 0; i < vars.length; i++) {
        const v = vars[i];
        const o = i * nDim * T;
        for (let j = l.offsets[v]; j < l.offsets[v + 1]; j++) {
          const w = l.weight[j];
          const r = l.source[j] * T;
          if (nDim === 1) for (let t = 0; t < T; t++) out[o + t] += w * z[r + t];
          else for (let t = 0; t < T; t++) {
            out[o + t] += w * z[r + t];
            out[o + T + t] += w * z[r + T + t];
            out[o + 2 * T + t] += w * z[r + 2 * T + t];
          }
        }
      }
    },
  });
  return { nVar: V, nDim, nTrial: T, skip, ...fills };
}

/**
 * Per vertex, the subspace its 3D feature moves in: with few components acting on a vertex (or
 * components whose colour change is pure luminance), the three coordinates are collinear and their
 * covariance is singular. rank[v] = dimension of the span of the loadings L_v = (sd_k B_k[v])_k
 * (eigenvalues of L_v L_vᵀ above 1e-6 of the largest; 0 = nothing moves it), rotation[v] = the
 * eigenvectors as rows [3][3], largest first. Rotating the feature onto them loses no information.
 */
export function vertexSubspaces(basis: Float32Array, sd: Float32Array, ks: Int32Array, V: number): { rank: Uint8Array; rotation: Float64Array } {
  const N = V * 3;
  const rank = new Uint8Array(V);
  const rotation = new Float64Array(V * 9);
  const g = new Float64Array(9);
  for (let v = 0; v < V; v++) {
    g.fill(0);
    for (const k of ks) {
      const o = k * N + v * 3;
      const a = sd[k] * basis[o], b = sd[k] * basis[o + 1], c = sd[k] * basis[o + 2];
      g[0] += a * a; g[1] += a * b; g[2] += a * c; g[4] += b * b; g[5] += b * c; g[8] += c * c;
    }
    g[3] = g[1]; g[6] = g[2]; g[7] = g[5];
    if (g[0] + g[4] + g[8] === 0) continue;
    const { values, vectors } = jacobiEigen(g, 3);
    const order = [0, 1, 2].sort((i, j) => values[j] - values[i]);
    const top = values[order[0]];
    order.forEach((e, j) => {
      if (values[e] > 1e-6 * top) rank[v]++;
      for (let d = 0; d < 3; d++) rotation[v * 9 + j * 3 + d] = vectors[d * 3 + e];
    });
  }
  return { rank, rotation };
}
