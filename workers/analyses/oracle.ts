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
import { computeVertexNormals } from '../faces';
import { demographicNorm, identityAlbedo, identityPositions } from '../faces';
import { informationMap, type FweMap } from './maps';
import { drawNoise, addTextureNoise, noiseFeatures, type NoiseBasis, type TrialNoise } from './noise';
import { recovery, regionMask, resolveRegion, type Recovery } from './regions';
import { Stages, type OnProgress } from './progress';
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
  /** Default: 50 trials per region vertex, clamped to [1000, 6000] (noise.ts: the power of vertex noise). */
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
  /** Which maps to compute: both (default), only the planted kind's, or only the other kind's (the false-positive check). */
  maps?: 'both' | 'planted' | 'other';
}

export interface OracleResult {
  kind: OracleKind;
  region: Uint32Array;
  trials: number;
  /** The map of the planted kind (shape for 'shape', texture for 'texture' and 'image'); null when not computed. */
  planted: FweMap | null;
  /** The other kind's map (null for the image oracle, which has no shape noise). */
  other: FweMap | null;
  recovery: Recovery;
  /** Significant vertices in the other map (should be 0 at the FWER). */
  otherSignificant: number | null;
  /** Image oracle: pixels in the mask. */
  maskPixels?: number;
}

const LUMINANCE = [0.2126, 0.7152, 0.0722];

export function defaultOracleTrials(regionSize: number): number {
  return Math.min(6000, Math.max(1000, 50 * regionSize));
}

/** The planted response of a shape or texture oracle, from the noise features of the region's vertices. */
export function plantedResponse(model: FaceModel, noise: TrialNoise, kind: 'shape' | 'texture', region: Uint32Array): Float64Array {
  const T = noise.spec.trials;
  const f = noiseFeatures(model, noise, kind);
  const normals = computeVertexNormals(model.mean, model.triangles);
  const y = new Float64Array(T);
  const buf = new Float64Array(3 * T);
  for (const v of region) {
    buf.fill(0);
    f.fill(v, v + 1, buf);
    const w = kind === 'shape' ? [normals[v * 3], normals[v * 3 + 1], normals[v * 3 + 2]] : LUMINANCE;
    for (let d = 0; d < 3; d++) for (let t = 0; t < T; t++) y[t] += w[d] * buf[d * T + t];
  }
  return y;
}

export async function runOracle(model: FaceModel, cfg: OracleConfig, onProgress?: OnProgress): Promise<OracleResult> {
  const region = resolveRegion(model, cfg.region, cfg.radiusMm);
  const basis = cfg.basis ?? 'vertex';
  const trials = cfg.trials ?? defaultOracleTrials(region.length);
  const permutations = cfg.permutations ?? 200;
  const alpha = cfg.alpha ?? 0.05;
  const image = cfg.kind === 'image';
  const noise = drawNoise(model, {
    basis, trials, seed: cfg.seed,
    shapeSd: image ? 0 : (cfg.shapeSd ?? (basis === 'vertex' ? 1 : 0.5)),
    textureSd: cfg.textureSd ?? (basis === 'vertex' ? 0.05 : 0.5),
  });
  const stages = new Stages(image ? { render: 2, planted: 3 } : { planted: 3, other: 3 }, onProgress);
  let y: Float64Array;
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
    y = plantedResponse(model, noise, cfg.kind as 'shape' | 'texture', region);
  }
  const plantedKind = cfg.kind === 'shape' ? 'shape' : 'texture';
  const opts = { permutations, alpha, seed: cfg.seed ^ 0x5eed, threads: cfg.threads ?? 1 };
  const which = cfg.maps ?? 'both';
  const planted = which === 'other' ? null : await informationMap(noiseFeatures(model, noise, plantedKind), { kind: 'continuous', y }, opts, stages.sub('planted'));
  const other = image || which === 'planted' ? null : await informationMap(noiseFeatures(model, noise, plantedKind === 'shape' ? 'texture' : 'shape'), { kind: 'continuous', y }, opts, stages.sub('other'));
  const rec = planted ? recovery(planted.significant, regionMask(model.vertexCount, region)) : { precision: NaN, recall: NaN, significant: 0 };
  return {
    kind: cfg.kind, region, trials, planted, other, recovery: rec, maskPixels,
    otherSignificant: other ? other.significant.reduce((a, b) => a + b, 0) : null,
  };
}
