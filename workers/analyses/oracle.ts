/**
 * Ground-truth checks of the reverse-correlation maps: responses planted on a known region.
 *
 * - 'shape':   y(t) = Σ_{v∈R} n_v · δ_v(t), the region's displacement along the mean face's normals
 *              (how far the region bulges), computed without rendering;
 * - 'texture': y(t) = Σ_{v∈R} lum(a_v(t)), the region's albedo luminance change (Rec. 709 weights);
 * - 'image':   a fixed TensorFlow.js model (image-oracle.ts) reading the mean luminance inside the
 *              pixel mask where R projects at the frontal pose, applied to rendered trials.
 * Every oracle gets both shape and texture noise (the image oracle texture noise only, so that
 * shading stays fixed); the map of the planted kind should recover R, the other map should be empty
 * (an oracle that ignores texture must not light up texture vertices: the false-positive check).
 */
import type { FaceModel } from '../faces/model';
import { demographicNorm, identityAlbedo, identityPositions } from '../faces';
import { informationMap, type FweMap } from './maps';
import { drawNoise, addTextureNoise, canonicalBasis, noiseFeatures, type CanonicalBasis, type NoiseBasis, type NoiseDesign, type TrialNoise } from './noise';
import { recovery, regionMask, resolveRegion, type Recovery } from './regions';
import { analyticOracleMap, mapCorrelation, plantedSourceWeights, type AnalyticMap } from './oracle-truth';
import type { BubbleOptions } from './bases/bubbles';
import { farthestPointSubsample } from './bases/vertex-subsample';
import { createRng, hashInts } from '../faces';
import { tfceMesh, meshAdjacency } from '../info';
import { Stages, type OnProgress } from './analysis-stages';
import { averageDemographics, renderOptionsFor, StimulusRenderer } from './stimuli';
import { createImageOracle, projectedRegionMask } from './image-oracle';
import { runBatched } from './network';

export type OracleKind = 'shape' | 'texture' | 'image';

export interface OracleConfig {
  kind: OracleKind;
  /** Region spec (regions.ts): a region name, a landmark (ball of radiusMm) or a vertex list. */
  region: string;
  radiusMm?: number;
  seed: number;
  /** Default: defaultOracleTrials of the basis (vertex: 50 per noise-carrying region vertex / R², in [2000, 20,000]). */
  trials?: number;
  permutations?: number;
  alpha?: number;
  basis?: NoiseBasis;
  /** vertex basis: mm per axis and albedo per channel; components: component-sd units. */
  shapeSd?: number;
  textureSd?: number;
  /** Image oracle render size (px). */
  sizePx?: number;
  /** Worker threads for the permutation null. */
  threads?: number;
  /** Share of the planted response's variance its signal explains (default DEFAULT_PLANTED_R2 of the basis); 1 = no added noise. */
  r2?: number;
  /** TFCE on the mesh (E = 1, H = 2, area-weighted) as the test statistic instead of the raw MI. */
  tfce?: boolean;
  /** bubbles basis: σ (mm) and density. */
  bubbles?: BubbleOptions;
  /** coefficients basis: the noise design (noise.ts NoiseDesign; default DEFAULT_NOISE_DESIGN, orthogonal). */
  design?: NoiseDesign;
  /** Which maps to compute: both (default), only the planted kind's, or only the other kind's (the false-positive check). */
  maps?: 'both' | 'planted' | 'other';
  /**
   * vertex basis, shape and texture oracles: noise only on a farthest-point subsample of the noisy
   * vertices at least this many mm apart (default DEFAULT_VERTEX_SPACING_MM; 0 = every vertex; the
   * image oracle's default is 0). The truth is the region's noise-carrying vertices.
   */
  vertexSpacingMm?: number;
}

export interface OracleResult {
  kind: OracleKind;
  region: Uint32Array;
  trials: number;
  /** The map of the planted kind (shape for 'shape', texture for 'texture' and 'image'); null when not computed. */
  planted: FweMap | null;
  /** The other kind's map (null for the image oracle, which has no shape noise). */
  other: FweMap | null;
  /** Precision and recall against the truth of the basis (vertex: the region's noise-carrying vertices; else the analytic map above the threshold). */
  recovery: Recovery;
  /** Precision and recall against the planted region itself (every basis). */
  regionRecovery: Recovery;
  basis: CanonicalBasis;
  /** The stated R² of the planted response. */
  r2Planted: number;
  /** vertex basis: the region's vertices that carry noise (the truth); other bases: the region. */
  carrying: Uint32Array;
  /** The analytic MI map (bits) and the true set [V] (1 = true); null for the image oracle. */
  analytic: AnalyticMap | null;
  truth: Uint8Array | null;
  /** Pearson correlation of the estimated map with the analytic one over the vertices with noise. */
  analyticCorrelation: number;
  /** Significant vertices in the other map (should be 0 at the FWER). */
  otherSignificant: number | null;
  /** Image oracle: pixels in the mask. */
  maskPixels?: number;
  /** The trials' noise and the planted response y [T] (for the binned response summaries, vertex-summary.ts). */
  noise: TrialNoise;
  response: Float64Array;
}

/** Trials are capped at this many (issue 12). */
export const MAX_ORACLE_TRIALS = 20_000;

/**
 * vertex basis: the default minimum spacing (mm) of the noise-carrying vertices (bases/vertex-subsample.ts).
 * Recall ≥ 0.9 needs a non-centrality T·R²/n ≈ 50 per noise-carrying region vertex, so n ≤ 20,000 ·
 * 0.8 / 50 = 320 at the trial cap; at 4 mm the largest named region of each built-in model has
 * 190 (ICT jaw) and 100 (procedural forehead) (docs/oracles.md, "Vertex noise").
 */
export const DEFAULT_VERTEX_SPACING_MM = 4;

/**
 * The planted response's stated share of variance per basis: vertex larger (see defaultOracleTrials);
 * coefficients 0.9 with the orthogonal design (docs/oracles.md, "The orthogonal design": the map's
 * error is then the response noise's alone, var(ε)/T = (1 − R²)·var(y)/T; simulated over every region
 * of both models at 20,000 trials, no failing sample, where R² = 0.5 with independent draws failed
 * about half the procedural chin's and 40 % of its cheeks' texture samples).
 */
export const DEFAULT_PLANTED_R2: Record<CanonicalBasis, number> = { coefficients: 0.9, bubbles: 0.5, vertex: 0.8 };

/**
 * Default trials: coefficients 20,000 (the cap) for shape and texture (docs/oracles.md, "Why ict
 * coefficients texture can miss 0.9": a broad band of the analytic map within ±25 % of the
 * threshold; simulated, every ict region passes in one seed in 5 at 10,000 and 0.94 at 20,000; "Why
 * coefficients shape chin can miss 0.9": the procedural chin's plateau fails both measured seeds at
 * 10,000 and passes both at 20,000); bubbles 6,000 for shape and 14,000 for texture (measured
 * recovery, docs/oracles.md "Texture band widths": at 6,000 the texture map's flat inner plateau on
 * large regions such as the cheeks sits at the threshold); vertex noise spreads R² evenly over the
 * region's |R| noise-carrying vertices (regionSize; R²/|R| each), and 50·|R|/R² trials give each
 * a non-centrality T·R²_v ≈ 50, well above the 3-D max-statistic threshold (≈ 25); capped at 20,000.
 */
export function defaultOracleTrials(regionSize: number, basis: NoiseBasis = 'vertex', r2 = DEFAULT_PLANTED_R2[canonicalBasis(basis)], kind: OracleKind = 'shape'): number {
  const b = canonicalBasis(basis);
  if (b === 'coefficients') return COEFFICIENTS_TRIALS;
  if (b === 'bubbles') return kind === 'texture' ? BUBBLES_TEXTURE_TRIALS : 6_000;
  return Math.min(MAX_ORACLE_TRIALS, Math.max(2000, Math.ceil((50 * regionSize) / r2)));
}

/** Coefficients oracles' default trials, shape and texture (the cap; simulated and real runs in docs/oracles.md). */
export const COEFFICIENTS_TRIALS = MAX_ORACLE_TRIALS;

/** Bubbles texture oracles' default trials (all 24 regions of both models pass at seed 1, docs/oracles.md). */
export const BUBBLES_TEXTURE_TRIALS = 14_000;

/** Adds independent Gaussian noise to the planted signal s so that it explains r2 of var(y): var(ε) = var_s·(1 − r2)/r2. */
export function withExplainedShare(s: Float64Array, signalVariance: number, r2: number, seed: number): Float64Array {
  if (r2 >= 1) return s;
  const sd = Math.sqrt((signalVariance * (1 - r2)) / r2);
  const rng = createRng(hashInts(seed, 0x72));
  const y = new Float64Array(s.length);
  for (let t = 0; t < s.length; t++) {
    const u = rng() || 1e-12;
    y[t] = s[t] + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  }
  return y;
}

/**
 * The planted signal of a shape or texture oracle, s(t) = Σ_{v∈R} w_vᵀ x_v(t) = Σ_s g_s u_s(t), from
 * the unit sources u of the noise (oracle-truth.ts: g; coefficients u_k = c_k / sd, vertex the
 * per-vertex noise / sd, bubbles the bump amplitudes). Shape: the region's displacement along the
 * mean face's normals (how far it bulges, mm); texture: its albedo luminance change (Rec. 709).
 */
export function plantedResponse(model: FaceModel, noise: TrialNoise, kind: 'shape' | 'texture', region: Uint32Array): Float64Array {
  const T = noise.spec.trials;
  const g = plantedSourceWeights(model, noise, kind, region);
  const values = kind === 'shape' ? noise.shape : noise.texture;
  const sd = kind === 'shape' ? noise.spec.shapeSd : noise.spec.textureSd;
  const y = new Float64Array(T);
  if (sd === 0) return y;
  const basis = canonicalBasis(noise.spec.basis);
  if (basis === 'vertex') {
    const S = g.length;
    for (let t = 0; t < T; t++) {
      let acc = 0;
      for (let i = 0; i < S; i++) if (g[i] !== 0) acc += g[i] * values[t * S + i];
      y[t] = acc / sd;
    }
    return y;
  }
  const scale = basis === 'bubbles' ? 1 : 1 / sd;
  g.forEach((gs, i) => { if (gs !== 0) for (let t = 0; t < T; t++) y[t] += gs * scale * values[i * T + t]; });
  return y;
}

/**
 * What an oracle run will use, before it runs: the region, the basis, the planted R², the noisy
 * vertices (vertex basis: the farthest-point subsample at the spacing), the region's noise-carrying
 * vertices and the trials (the given ones or the basis's default).
 */
export function oracleSetup(model: FaceModel, cfg: OracleConfig) {
  const region = resolveRegion(model, cfg.region, cfg.radiusMm);
  const basis = canonicalBasis(cfg.basis ?? 'vertex');
  const r2 = cfg.r2 ?? DEFAULT_PLANTED_R2[basis];
  const spacingMm = basis === 'vertex' ? cfg.vertexSpacingMm ?? (cfg.kind === 'image' ? 0 : DEFAULT_VERTEX_SPACING_MM) : 0;
  const vertices = basis === 'vertex' ? farthestPointSubsample(model, noisyVertices(model, region), spacingMm, region) : noisyVertices(model, region);
  // vertex basis: the region's noise-carrying vertices (the truth; only they can carry the planted response)
  const carrying = basis === 'vertex' ? intersect(region, vertices) : region;
  const trials = cfg.trials ?? defaultOracleTrials(carrying.length, basis, r2, cfg.kind);
  return { region, basis, r2, spacingMm, vertices, carrying, trials };
}

export async function runOracle(model: FaceModel, cfg: OracleConfig, onProgress?: OnProgress): Promise<OracleResult> {
  const { region, basis, r2, vertices, carrying, trials } = oracleSetup(model, cfg);
  const image = cfg.kind === 'image';
  if (!(Number.isInteger(trials) && trials <= MAX_ORACLE_TRIALS)) throw new Error(`trials must be an integer ≤ ${MAX_ORACLE_TRIALS}, got ${trials}`);
  const permutations = cfg.permutations ?? 200;
  const alpha = cfg.alpha ?? 0.05;
  const which = cfg.maps ?? 'both';
  // sds: coefficients in component-sd units; vertex and bubbles in mm and linear albedo
  const local = basis !== 'coefficients';
  const shapeOn = !image && !(which === 'planted' && cfg.kind === 'texture');
  const textureOn = !(which === 'planted' && cfg.kind === 'shape');
  const noise = drawNoise(model, {
    basis, trials, seed: cfg.seed, bubbles: cfg.bubbles, design: cfg.design, vertices,
    shapeSd: shapeOn ? (cfg.shapeSd ?? (local ? 1 : 0.5)) : 0,
    textureSd: textureOn ? (cfg.textureSd ?? (local ? 0.05 : 0.5)) : 0,
  });
  const stages = new Stages(image ? { render: 2, planted: 3 } : { planted: 3, other: 3 }, onProgress);
  let y: Float64Array;
  let analytic: AnalyticMap | null = null;
  let maskPixels: number | undefined;
  if (image) {
    const renderer = new StimulusRenderer(model);
    const id = demographicNorm(model, averageDemographics(model));
    const positions = identityPositions(model, id);
    const albedo0 = identityAlbedo(model, id);
    const view = { sizePx: cfg.sizePx ?? 64, yawDeg: 0 };
    const mask = projectedRegionMask(renderer, positions, albedo0, renderOptionsFor(view, true), region);
    maskPixels = mask.reduce((a, b) => a + b, 0);
    if (maskPixels === 0) throw new Error(`region '${cfg.region}' covers no pixel at the frontal pose (size ${view.sizePx} px)`);
    const net = await createImageOracle(view.sizePx, mask);
    const options = renderOptionsFor(view);
    const px = view.sizePx * view.sizePx * 3;
    const albedo = new Float32Array(albedo0.length);
    y = new Float64Array(trials);
    await runBatched(net, trials, 100, [],
      (start, n, out) => {
        for (let i = 0; i < n; i++) {
          albedo.set(albedo0);
          addTextureNoise(model, noise, start + i, albedo);
          renderer.renderFace(positions, albedo, options, out.subarray(i * px, (i + 1) * px));
        }
      },
      (start, n, p) => { for (let i = 0; i < n; i++) y[start + i] = p.logits[i]; },
      stages.sub('render'));
    net.dispose();
  } else {
    analytic = analyticOracleMap(model, noise, cfg.kind as 'shape' | 'texture', region, r2);
    y = withExplainedShare(plantedResponse(model, noise, cfg.kind as 'shape' | 'texture', region), analytic.signalVariance, r2, cfg.seed);
  }
  const plantedKind = cfg.kind === 'shape' ? 'shape' : 'texture';
  const tfce = cfg.tfce ? surfaceTfce(model) : null;
  const opts = { permutations, alpha, seed: cfg.seed ^ 0x5eed, threads: cfg.threads ?? 1, tfce };
  const features = noiseFeatures(model, noise, plantedKind);
  const planted = which === 'other' ? null : await informationMap(features, { kind: 'continuous', y }, opts, stages.sub('planted'));
  const other = image || which === 'planted' ? null : await informationMap(noiseFeatures(model, noise, plantedKind === 'shape' ? 'texture' : 'shape'), { kind: 'continuous', y }, opts, stages.sub('other'));
  const regionM = regionMask(model.vertexCount, region);
  const carryingM = regionMask(model.vertexCount, carrying);
  const none = { precision: NaN, recall: NaN, significant: 0 };
  const regionRecovery = planted ? recovery(planted.significant, regionM) : none;
  let truth: Uint8Array | null = null;
  let analyticCorrelation = NaN;
  if (analytic && planted) {
    const noisy = new Uint8Array(model.vertexCount);
    for (let v = 0; v < noisy.length; v++) noisy[v] = features.skip && features.skip[v] ? 0 : 1;
    analyticCorrelation = mapCorrelation(planted.mi, analytic.mi, noisy);
    truth = basis === 'vertex' ? carryingM : trueSet(analytic.mi, noisy, planted.threshold, tfce);
  }
  return {
    kind: cfg.kind, region, carrying, trials, planted, other, maskPixels, basis, r2Planted: image ? NaN : r2, noise, response: y,
    recovery: planted ? recovery(planted.significant, truth ?? carryingM) : none, regionRecovery,
    analytic, truth, analyticCorrelation,
    otherSignificant: other ? other.significant.reduce((a, b) => a + b, 0) : null,
  };
}

/**
 * The vertices that get noise (vertex basis) or bump centres (bubbles): the model's 'face' region
 * (all vertices when it has none) together with the planted region, so that every planted vertex can
 * carry information (the default model's forehead reaches 36 vertices beyond 'face').
 */
export function noisyVertices(model: FaceModel, region: Uint32Array): Uint32Array {
  const face = model.regions.face ?? Uint32Array.from({ length: model.vertexCount }, (_, i) => i);
  return Uint32Array.from(new Set([...face, ...region])).sort();
}

/** The vertices of `region` that are in `vertices` (sorted). */
function intersect(region: Uint32Array, vertices: Uint32Array): Uint32Array {
  const inSet = new Set(vertices);
  return Uint32Array.from(region.filter((v) => inSet.has(v))).sort();
}

/** The surface TFCE of the maps: E = 1, H = 2 (surface convention), extent = summed vertex area (mm², mean face). */
export function surfaceTfce(model: FaceModel): { triangles: Uint32Array; options: { E: number; H: number }; areas: Float64Array } {
  return { triangles: model.triangles, options: { E: 1, H: 2 }, areas: vertexAreas(model.mean, model.triangles) };
}

/** Per-vertex area (mm²): a third of the area of every triangle the vertex belongs to. Layout [V]. */
export function vertexAreas(positions: Float32Array, triangles: Uint32Array): Float64Array {
  const out = new Float64Array(positions.length / 3);
  for (let t = 0; t < triangles.length; t += 3) {
    const [a, b, c] = [triangles[t], triangles[t + 1], triangles[t + 2]];
    const ux = positions[b * 3] - positions[a * 3], uy = positions[b * 3 + 1] - positions[a * 3 + 1], uz = positions[b * 3 + 2] - positions[a * 3 + 2];
    const vx = positions[c * 3] - positions[a * 3], vy = positions[c * 3 + 1] - positions[a * 3 + 1], vz = positions[c * 3 + 2] - positions[a * 3 + 2];
    const area = 0.5 * Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
    out[a] += area / 3; out[b] += area / 3; out[c] += area / 3;
  }
  return out;
}

/**
 * The true set of a linear basis: vertices whose analytic MI exceeds the test's threshold (bits), or,
 * with TFCE, whose TFCE score of the analytic map (same mesh restriction, E, H and areas) exceeds
 * the TFCE threshold.
 */
export function trueSet(mi: Float64Array, noisy: Uint8Array, threshold: number, tfce: ReturnType<typeof surfaceTfce> | null): Uint8Array {
  const V = mi.length;
  const out = new Uint8Array(V);
  if (!tfce) {
    for (let v = 0; v < V; v++) out[v] = noisy[v] && mi[v] > threshold ? 1 : 0;
    return out;
  }
  const vars: number[] = [];
  for (let v = 0; v < V; v++) if (noisy[v]) vars.push(v);
  const slot = new Int32Array(V).fill(-1);
  vars.forEach((v, i) => (slot[v] = i));
  const tris: number[] = [];
  const T = tfce.triangles;
  for (let t = 0; t < T.length; t += 3) {
    const a = slot[T[t]], b = slot[T[t + 1]], c = slot[T[t + 2]];
    if (a >= 0 && b >= 0 && c >= 0) tris.push(a, b, c);
  }
  const values = Float64Array.from(vars, (v) => mi[v]);
  const weights = Float64Array.from(vars, (v) => tfce.areas[v]);
  const score = tfceMesh(values, meshAdjacency(Int32Array.from(tris), vars.length), { ...tfce.options, weights });
  vars.forEach((v, i) => (out[v] = score[i] > threshold ? 1 : 0));
  return out;
}
