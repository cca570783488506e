/**
 * Attribution maps on the mesh: the three image-space attributions (attributions.ts) of the
 * network's target logit, computed on the reverse-correlation stimuli (the same noise draw as
 * reverse-correlation.ts for the same basis, sds, seed and trial count) and carried onto the
 * vertices through the renderer's triangle-id and barycentric buffers (render/attribution.ts).
 *
 * Trial average per vertex v: Ā_v = Σ_t W_tv · A_tv / Σ_t W_tv, where A_tv is the barycentric-
 * weighted mean of the pixel attributions landing on v in trial t and W_tv their total barycentric
 * weight (so a vertex seen by more pixels counts more; NaN where no trial saw it). The mass
 * W_tv · A_tv is the attribution the vertex carries: Σ_v of it equals the sum over covered pixels.
 *
 * Layouts: per-vertex maps Float32Array [V]; mean pixel maps Float32Array [S][S].
 */
import type { FaceModel } from '../faces/model';
import { type Identity, identityAlbedo, identityPositions } from '../faces';
import { pixelsToVertices } from '../render';
import {
  gradientTimesInput, integratedGradients, logitValues, occlusion, sumChannels, INTEGRATED_GRADIENTS_DEFAULTS,
  type LogitFunction, type QuadratureRule,
} from './attributions';
import { addShapeNoise, addTextureNoise, drawNoise, type NoiseBasis, type NoiseDesign, type TrialNoise } from './noise';
import { Stages, type OnProgress } from './analysis-stages';
import { REVERSE_CORRELATION_DEFAULTS } from './reverse-correlation';
import { renderOptionsFor, StimulusRenderer } from './stimuli';

export type AttributionMethod = 'gradient-x-input' | 'integrated-gradients' | 'occlusion';
export const ATTRIBUTION_METHODS: AttributionMethod[] = ['gradient-x-input', 'integrated-gradients', 'occlusion'];

export interface MeshAttributionOptions {
  methods: AttributionMethod[];
  /** The reverse-correlation stimuli (defaults: reverse-correlation.ts). */
  trials: number;
  basis: NoiseBasis;
  /** coefficients basis: the noise design (noise.ts NoiseDesign). */
  design?: NoiseDesign;
  shapeNoiseSd: number;
  textureNoiseSd: number;
  seed: number;
  yawDeg: number;
  /** Image side (pixels): the network's input size. */
  sizePx: number;
  /** Baseline x' of integrated gradients and the occluder: black (zeros) or the mean stimulus over the trials. */
  baseline: 'black' | 'mean';
  igSteps: number;
  igRule: QuadratureRule;
  /** Occlusion patch side and stride (pixels). */
  occlusionPatch: number;
  occlusionStride: number;
  batchSize: number;
}

export const MESH_ATTRIBUTION_DEFAULTS: Omit<MeshAttributionOptions, 'sizePx'> = {
  methods: ATTRIBUTION_METHODS,
  trials: 100,
  basis: REVERSE_CORRELATION_DEFAULTS.basis,
  shapeNoiseSd: REVERSE_CORRELATION_DEFAULTS.shapeNoiseSd,
  textureNoiseSd: REVERSE_CORRELATION_DEFAULTS.textureNoiseSd,
  seed: REVERSE_CORRELATION_DEFAULTS.seed,
  yawDeg: 0,
  baseline: 'black',
  igSteps: INTEGRATED_GRADIENTS_DEFAULTS.steps,
  igRule: INTEGRATED_GRADIENTS_DEFAULTS.rule,
  occlusionPatch: 8,
  occlusionStride: 4,
  batchSize: 16,
};

export interface MeshAttribution {
  method: AttributionMethod;
  /** [V] trial-averaged attribution per vertex (NaN = never visible). */
  values: Float32Array;
  /** [V] Σ_t W_tv, the barycentric weight seen over all trials (0 = never visible). */
  weight: Float32Array;
  /** [S][S] the mean per-pixel attribution over trials. */
  pixelMean: Float32Array;
}

export interface MeshAttributionResult {
  options: MeshAttributionOptions;
  maps: MeshAttribution[];
  /** Integrated gradients: mean and max over trials of the relative completeness error. */
  completeness: { mean: number; max: number } | null;
  /** [T] the target logit of each trial. */
  logit: Float32Array;
}

/** Accumulates per-trial pixel maps onto the mesh (the weighted trial average above). */
export class MeshAccumulator {
  private readonly sum: Float64Array;
  private readonly w: Float64Array;
  readonly pixelSum: Float64Array;
  trials = 0;

  constructor(private readonly triangles: Uint32Array, private readonly vertexCount: number, pixels: number) {
    this.sum = new Float64Array(vertexCount);
    this.w = new Float64Array(vertexCount);
    this.pixelSum = new Float64Array(pixels);
  }

  /** One trial: its render's triangleId [S][S] and barycentric [S][S][2] buffers and its pixel map [S][S]. */
  add(triangleId: Int32Array, barycentric: Float32Array, pixelValues: Float32Array): void {
    const { values, weight } = pixelsToVertices(this.triangles, this.vertexCount, triangleId, barycentric, pixelValues);
    for (let v = 0; v < this.vertexCount; v++) {
      if (weight[v] > 0) { this.sum[v] += values[v] * weight[v]; this.w[v] += weight[v]; }
    }
    for (let p = 0; p < pixelValues.length; p++) this.pixelSum[p] += pixelValues[p];
    this.trials++;
  }

  result(method: AttributionMethod): MeshAttribution {
    const values = new Float32Array(this.vertexCount);
    for (let v = 0; v < this.vertexCount; v++) values[v] = this.w[v] > 1e-9 ? this.sum[v] / this.w[v] : Number.NaN;
    const pixelMean = Float32Array.from(this.pixelSum, (s) => s / Math.max(1, this.trials));
    return { method, values, weight: Float32Array.from(this.w), pixelMean };
  }
}

/** The attribution mass Σ_{v ∈ region} |Ā_v| W_v over Σ_v |Ā_v| W_v: the share of the map a region carries. */
export function massFraction(map: MeshAttribution, region: ArrayLike<number>): number {
  let all = 0, inside = 0;
  const inRegion = new Uint8Array(map.values.length);
  for (let i = 0; i < region.length; i++) inRegion[region[i]] = 1;
  for (let v = 0; v < map.values.length; v++) {
    if (!(map.weight[v] > 0)) continue;
    const m = Math.abs(map.values[v]) * map.weight[v];
    all += m;
    if (inRegion[v]) inside += m;
  }
  return all > 0 ? inside / all : 0;
}

function validate(o: MeshAttributionOptions): void {
  if (!(Number.isInteger(o.trials) && o.trials >= 10)) throw new Error(`trials must be an integer ≥ 10 (the noise draw's minimum), got ${o.trials}`);
  if (!(Number.isInteger(o.sizePx) && o.sizePx >= 8)) throw new Error(`sizePx must be an integer ≥ 8, got ${o.sizePx}`);
  if (o.baseline !== 'black' && o.baseline !== 'mean') throw new Error(`baseline must be 'black' or 'mean', got '${o.baseline}'`);
  for (const m of o.methods) if (!ATTRIBUTION_METHODS.includes(m)) throw new Error(`methods: '${m}' is not one of ${ATTRIBUTION_METHODS.join(', ')}`);
  if (o.methods.length === 0) throw new Error('methods: give at least one attribution method');
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw new Error(`batchSize must be an integer ≥ 1, got ${o.batchSize}`);
}

/**
 * Renders the reverse-correlation trials of `identity` (with the renderer's id buffers), computes
 * each method's per-pixel attribution of f (the target logit) and averages it onto the mesh.
 * `given`: an already drawn noise (a reverse-correlation run's): its first `trials` trials are used
 * (basis, sds and seed then come from it), so the maps are of exactly those stimuli.
 */
export async function meshAttributions(
  model: FaceModel, identity: Identity, f: LogitFunction, options: Partial<MeshAttributionOptions> & { sizePx: number }, onProgress?: OnProgress, given?: TrialNoise,
): Promise<MeshAttributionResult> {
  const o: MeshAttributionOptions = {
    ...MESH_ATTRIBUTION_DEFAULTS, ...options,
    ...(given ? { basis: given.spec.basis, shapeNoiseSd: given.spec.shapeSd, textureNoiseSd: given.spec.textureSd, seed: given.spec.seed, design: given.spec.design } : {}),
  };
  validate(o);
  if (given && o.trials > given.spec.trials) throw new Error(`trials (${o.trials}) must be ≤ the given noise's ${given.spec.trials} trials`);
  const S = o.sizePx, px = S * S * 3, T = o.trials;
  const stages = new Stages({ render: 1, ...Object.fromEntries(o.methods.map((m) => [m, m === 'gradient-x-input' ? 1 : 4])) }, onProgress);
  const noise = given ?? drawNoise(model, { basis: o.basis, trials: T, shapeSd: o.shapeNoiseSd, textureSd: o.textureNoiseSd, seed: o.seed, design: o.design });
  const renderer = new StimulusRenderer(model);
  const renderOptions = renderOptionsFor({ sizePx: S, yawDeg: o.yawDeg }, true);
  const pos0 = identityPositions(model, identity), alb0 = identityAlbedo(model, identity);
  const positions = new Float32Array(pos0.length), albedo = new Float32Array(alb0.length);
  // [T][S][S][3] images, [T][S][S] triangle ids, [T][S][S][2] barycentrics (T = hundreds at 64 px: tens of MB)
  const images = new Float32Array(T * px);
  const triangleId = new Int32Array(T * S * S);
  const barycentric = new Float32Array(T * S * S * 2);
  for (let t = 0; t < T; t++) {
    positions.set(pos0);
    albedo.set(alb0);
    addShapeNoise(model, noise, t, positions);
    addTextureNoise(model, noise, t, albedo);
    const r = renderer.renderFace(positions, albedo, renderOptions, images.subarray(t * px, (t + 1) * px));
    triangleId.set(r.triangleId!, t * S * S);
    barycentric.set(r.barycentric!, t * S * S * 2);
    if (t % 16 === 15) stages.report('render', (t + 1) / T);
  }
  stages.report('render', 1);
  const baseline = new Float32Array(px);
  if (o.baseline === 'mean') {
    for (let t = 0; t < T; t++) for (let i = 0; i < px; i++) baseline[i] += images[t * px + i] / T;
  }
  const logit = new Float32Array(T);
  for (let t0 = 0; t0 < T; t0 += o.batchSize) logit.set(logitValues(f, images.subarray(t0 * px, Math.min(T, t0 + o.batchSize) * px), S), t0);
  let completeness: MeshAttributionResult['completeness'] = null;
  const maps: MeshAttribution[] = [];
  for (const method of o.methods) {
    const acc = new MeshAccumulator(model.triangles, model.vertexCount, S * S);
    let errSum = 0, errMax = 0;
    for (let t0 = 0; t0 < T; t0 += o.batchSize) {
      const n = Math.min(o.batchSize, T - t0);
      const batch = images.subarray(t0 * px, (t0 + n) * px);
      let pixel: Float32Array;
      if (method === 'gradient-x-input') pixel = sumChannels(gradientTimesInput(f, batch, S));
      else if (method === 'integrated-gradients') {
        const ig = integratedGradients(f, batch, S, { steps: o.igSteps, rule: o.igRule, baseline });
        pixel = sumChannels(ig.attribution);
        for (const e of ig.completenessError) { errSum += e; errMax = Math.max(errMax, e); }
      } else pixel = occlusion(f, batch, S, { patch: o.occlusionPatch, stride: o.occlusionStride, baseline, batchSize: 64 }).pixel;
      for (let i = 0; i < n; i++) {
        const t = t0 + i;
        acc.add(triangleId.subarray(t * S * S, (t + 1) * S * S), barycentric.subarray(t * S * S * 2, (t + 1) * S * S * 2), pixel.subarray(i * S * S, (i + 1) * S * S));
      }
      stages.report(method, (t0 + n) / T);
      await new Promise((r) => setImmediate(r));
    }
    if (method === 'integrated-gradients') completeness = { mean: errSum / T, max: errMax };
    maps.push(acc.result(method));
  }
  return { options: o, maps, completeness, logit };
}
