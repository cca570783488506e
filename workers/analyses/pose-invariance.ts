/**
 * 4. Pose invariance: the hidden-layer analysis repeated at several poses (default yaw −30°, 0°,
 * +30°) with the *same* noise trials at every pose, so that the features are identical and only
 * the view changes. Per layer (PCA fitted on all poses' activations together, so the components
 * are common) and per vertex:
 *   conditional MI  I(F_v; L | pose)  and the pooled MI of the within-pose copula-normalised data
 *                   (gccmi_ccd of the information engine);
 *   invariance index = mean pooled / mean conditional over vertices: 1 when the layer encodes the
 *                   feature the same way at every pose, towards 0 when each pose has its own code;
 *   Dice overlap    of the per-pose sets of vertices whose I(F_v; L | pose = p) passes a Bonferroni
 *                   threshold over vertices (χ² approximation: 2·N·ln2·I ~ χ²(dF·k) under the null,
 *                   Wilson–Hilferty quantile), averaged over pairs of poses.
 */
import type { FaceModel } from '../faces/model';
import type { Identity } from '../faces/identity';
import { copnorm } from '../info/copnorm';
import { gccmiCCD } from '../info/gcmi';
import { miGGSamples } from '../info/gaussian';
import { ndtri } from '../info/special';
import { setWarningHandler, type Samples } from '../info/validate';
import { drawNoise, noiseFeatures, type NoiseBasis } from './noise';
import type { Network } from './network';
import { pcaScores } from './pca';
import { Stages, type OnProgress } from './progress';
import { runNoiseTrials, type TrialRun } from './trials';

export interface PoseInvarianceOptions {
  identity: number;
  posesYawDeg: number[];
  /** Trials per pose. */
  trials: number;
  shapeNoiseSd: number;
  textureNoiseSd: number;
  basis: NoiseBasis;
  seed: number;
  pcaComponents: number;
  layers?: string[];
  alpha: number;
  vertexStride: number;
  batchSize: number;
}

export interface FeatureInvariance {
  feature: 'shape' | 'texture';
  layers: {
    layer: string;
    depth: number;
    pooledBits: number;
    conditionalBits: number;
    invarianceIndex: number;
    dice: number;
    /** [V] bits (NaN where not analysed). */
    pooledMi: Float32Array;
    conditionalMi: Float32Array;
    /** [pose][V] bits and the selected (significant) vertices per pose. */
    perPoseMi: Float32Array;
    selected: Uint8Array;
  }[];
}

export interface PoseInvarianceResult {
  options: PoseInvarianceOptions;
  runs: TrialRun[];
  features: FeatureInvariance[];
  /** The per-pose MI threshold (bits) used for the Dice sets. */
  thresholdBits: number;
}

/** χ² quantile (Wilson–Hilferty), adequate for the tens of degrees of freedom here. */
export function chiSquareQuantile(p: number, dof: number): number {
  const z = ndtri(p);
  const a = 2 / (9 * dof);
  return dof * Math.pow(1 - a + z * Math.sqrt(a), 3);
}

export function dice(a: Uint8Array, b: Uint8Array): number {
  let na = 0, nb = 0, both = 0;
  for (let i = 0; i < a.length; i++) { na += a[i]; nb += b[i]; both += a[i] & b[i]; }
  return na + nb === 0 ? 1 : (2 * both) / (na + nb);
}

export async function poseInvariance(model: FaceModel, identities: Identity[], net: Network, options: Partial<PoseInvarianceOptions> & { identity: number }, onProgress?: OnProgress): Promise<PoseInvarianceResult> {
  const o: PoseInvarianceOptions = {
    posesYawDeg: [-30, 0, 30], trials: 500, shapeNoiseSd: 0.5, textureNoiseSd: 0.5, basis: 'components', seed: 1,
    pcaComponents: 8, alpha: 0.05, vertexStride: 1, batchSize: 64, ...options,
  };
  if (o.posesYawDeg.length < 2) throw new Error(`posesYawDeg needs at least 2 poses, got ${o.posesYawDeg.length}`);
  const id = identities[o.identity];
  if (!id) throw new Error(`identity must be an index in [0, ${identities.length - 1}], got ${o.identity}`);
  const layers = o.layers ?? net.layerNames;
  const P = o.posesYawDeg.length;
  const T = o.trials;
  const N = P * T;
  const stages = new Stages({ trials: 3, pca: 0.3, shape: 2, texture: 2 }, onProgress);
  const noise = drawNoise(model, { basis: o.basis, trials: T, shapeSd: o.shapeNoiseSd, textureSd: o.textureNoiseSd, seed: o.seed });
  const runs: TrialRun[] = [];
  for (let p = 0; p < P; p++) {
    runs.push(await runNoiseTrials(model, id, noise, net, { sizePx: net.inputSize, yawDeg: o.posesYawDeg[p] }, layers, o.batchSize,
      (f) => stages.report('trials', (p + f) / P)));
  }
  const pose = new Int32Array(N);
  for (let p = 0; p < P; p++) pose.fill(p, p * T, (p + 1) * T);
  // Common PCA over all poses; then the scores of each pose, copula-normalised within the pose.
  const layerScores = layers.map((l, i) => {
    const F = runs[0].layers[l].features;
    const all = new Float32Array(N * F);
    runs.forEach((r, p) => all.set(r.layers[l].data, p * T * F));
    const pca = pcaScores(all, N, F, o.pcaComponents, o.seed);
    stages.report('pca', (i + 1) / layers.length);
    return { k: pca.k, scores: pca.scores };
  });
  const perPoseLayer = layerScores.map(({ k, scores }) => Array.from({ length: P }, (_, p) => {
    const part = new Float64Array(k * T);
    for (let d = 0; d < k; d++) part.set(scores.subarray(d * N + p * T, d * N + (p + 1) * T), d * T);
    return { data: copnorm(part, k, T), dims: k, trials: T } as Samples;
  }));
  const V = model.vertexCount;
  const dof = 3 * o.pcaComponents;
  const thresholdBits = chiSquareQuantile(1 - o.alpha / V, dof) / (2 * T * Math.LN2);
  const features: FeatureInvariance[] = [];
  // The same features repeat at every pose by design; the engine would warn about repeated values
  // for every vertex. Silence that one warning for this loop only.
  const previous = setWarningHandler((m) => { if (!m.includes('repeated values')) previous(m); });
  try {
  for (const kind of ['shape', 'texture'] as const) {
    const sd = kind === 'shape' ? o.shapeNoiseSd : o.textureNoiseSd;
    if (sd === 0) { stages.report(kind, 1); continue; }
    const f = noiseFeatures(model, noise, kind);
    const out = layers.map((layer, depth) => ({
      layer, depth, pooledBits: NaN, conditionalBits: NaN, invarianceIndex: NaN, dice: NaN,
      pooledMi: new Float32Array(V).fill(NaN), conditionalMi: new Float32Array(V).fill(NaN),
      perPoseMi: new Float32Array(P * V).fill(NaN), selected: new Uint8Array(P * V),
    }));
    const one = new Float64Array(3 * T);
    const xAll = new Float64Array(3 * N);
    let vars = 0;
    for (let v = 0; v < V; v += o.vertexStride) if (!f.skip || !f.skip[v]) vars++;
    let done = 0;
    for (let v = 0; v < V; v += o.vertexStride) {
      if (f.skip && f.skip[v]) continue;
      one.fill(0);
      f.fill(v, v + 1, one);
      // the vertex's own feature dimensions only (rows past its rank are padding, noise.ts)
      const dims = f.rank ? f.rank[v] : 3;
      if (dims === 0) continue;
      // the same features at every pose: tile them over the pooled trials
      for (let d = 0; d < dims; d++) for (let p = 0; p < P; p++) xAll.set(one.subarray(d * T, (d + 1) * T), d * N + p * T);
      const sx: Samples = { data: copnorm(one.subarray(0, dims * T), dims, T), dims, trials: T };
      try {
        out.forEach((r, l) => {
          const { k, scores } = layerScores[l];
          const { cmi, mi } = gccmiCCD({ data: xAll.subarray(0, dims * N), dims, trials: N }, { data: scores, dims: k, trials: N }, pose, P);
          r.conditionalMi[v] = cmi;
          r.pooledMi[v] = mi;
          for (let p = 0; p < P; p++) {
            const m = miGGSamples(sx, perPoseLayer[l][p], { demeaned: true });
            r.perPoseMi[p * V + v] = m;
            if (m > thresholdBits) r.selected[p * V + v] = 1;
          }
        });
      } catch {
        // a degenerate vertex: left NaN
      }
      done++;
      if (done % 64 === 0) stages.report(kind, done / vars);
    }
    for (const r of out) {
      let sc = 0, sp = 0, n = 0;
      for (let v = 0; v < V; v++) if (Number.isFinite(r.conditionalMi[v])) { sc += r.conditionalMi[v]; sp += r.pooledMi[v]; n++; }
      r.conditionalBits = n ? sc / n : NaN;
      r.pooledBits = n ? sp / n : NaN;
      r.invarianceIndex = sc > 0 ? sp / sc : NaN;
      let ds = 0, pairs = 0;
      for (let a = 0; a < P; a++) for (let b = a + 1; b < P; b++) {
        ds += dice(r.selected.subarray(a * V, (a + 1) * V), r.selected.subarray(b * V, (b + 1) * V));
        pairs++;
      }
      r.dice = ds / pairs;
    }
    features.push({ feature: kind, layers: out });
    stages.report(kind, 1);
  }
  } finally {
    setWarningHandler(previous);
  }
  return { options: o, runs, features, thresholdBits };
}
