/**
 * 4. Pose invariance: the hidden-layer analysis repeated at several poses (default yaw −30°, 0°,
 * +30°) with the *same* noise trials at every pose, so that the features are identical and only
 * the view changes. Per layer (PCA fitted on all poses' activations together, so the components
 * are common) and per vertex:
 *   conditional MI  I(F_v; L | pose)  and the pooled MI of the within-pose copula-normalised data
 *                   (gccmi_ccd of the information engine, computed from per-pose copulas made once
 *                   per layer: equal trials per pose, so the conditional MI is the mean per-pose MI);
 *   invariance index = mean pooled / mean conditional over vertices: 1 when the layer encodes the
 *                   feature the same way at every pose, towards 0 when each pose has its own code;
 *   Dice overlap    of the per-pose sets of vertices whose I(F_v; L | pose = p) passes a Bonferroni
 *                   threshold over vertices (χ² approximation: 2·N·ln2·I ~ χ²(dF·k) under the null,
 *                   Wilson–Hilferty quantile), averaged over pairs of poses.
 * Which vertices: only those reverse correlation found significant (the `significant` masks of the
 * caller, else the logit maps of this analysis's own trials at the pose nearest 0° yaw, with the
 * same max-statistic FWER test); every other vertex is NaN. A vertex whose feature has rank r < 3
 * (e.g. displacement along one direction only) uses r·k as the χ² degrees of freedom.
 * The conditional-MI maps get a max-statistic permutation threshold (each pose's layer trials
 * permuted by the same seeded orders; layer-stats.ts), like the reverse-correlation maps.
 * Degenerate layers (tiny runs): PCA keeps only the components the layer varies along (pca.ts rank
 * rule), so a layer's k may be below pcaComponents (its χ² threshold then uses its own k); a layer
 * that does not vary at all carries 0 bits at every vertex and pose. Vertices whose covariance is
 * still singular are left NaN. Both are reported in `notes` and through the info engine's warnings.
 */
import type { FaceModel } from '../faces/model';
import type { Identity } from '../faces/identity';
import { copnorm } from '../info';
import { miGGSamples } from '../info';
import { ndtri } from '../info';
import { setWarningHandler, type Samples } from '../info';
import { drawNoise, noiseFeatures, type NoiseBasis, type NoiseDesign } from './noise';
import type { Network } from './network';
import { pcaScores, RANK_TOLERANCE } from './pca';
import { Stages, type OnProgress } from './analysis-stages';
import { runNoiseTrials, type TrialRun } from './trials';
import { informationMap } from './maps';
import { FastLayerNull, MaxNull, whiten } from './layer-stats';

export interface PoseInvarianceOptions {
  identity: number;
  posesYawDeg: number[];
  /** Trials per pose. */
  trials: number;
  shapeNoiseSd: number;
  textureNoiseSd: number;
  basis: NoiseBasis;
  /** coefficients basis: the noise design (noise.ts NoiseDesign). */
  design?: NoiseDesign;
  seed: number;
  pcaComponents: number;
  layers?: string[];
  alpha: number;
  vertexStride: number;
  batchSize: number;
  /** Permutations of the conditional-MI map threshold and of the vertex selection map (default 100). */
  permutations: number;
  /** Reverse correlation's significant vertices per feature ([V] masks); absent: computed here. */
  significant?: { shape?: Uint8Array; texture?: Uint8Array };
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
    /** Max-statistic FWER threshold (bits) of conditionalMi, and its [V] mask. */
    conditionalThresholdBits: number;
    conditionalSignificant: Uint8Array;
  }[];
}

export interface PoseInvarianceResult {
  options: PoseInvarianceOptions;
  runs: TrialRun[];
  features: FeatureInvariance[];
  /** The per-pose MI threshold (bits) used for the Dice sets (for layers with all pcaComponents kept). */
  thresholdBits: number;
  /** Layers with fewer components than requested, degenerate vertices. */
  notes: string[];
  /** Most vertices analysed for one feature (significant in reverse correlation, on the stride) and where the selection came from. */
  analysedVertices: number;
  selection: 'given' | 'logit-map';
}

/** χ² quantile (Wilson–Hilferty), adequate for the tens of degrees of freedom here. */
export function chiSquareQuantile(p: number, dof: number): number {
  const z = ndtri(p);
  const a = 2 / (9 * dof);
  return dof * Math.pow(1 - a + z * Math.sqrt(a), 3);
}

/** χ² degrees of freedom of I(F_v; L) for a vertex feature of rank r (≤ 3) and a k-dimensional layer. */
export function rankDof(rank: number, k: number): number {
  if (!(Number.isInteger(rank) && rank >= 1 && rank <= 3)) throw new Error(`rank must be 1, 2 or 3, got ${rank}`);
  return rank * k;
}

export function dice(a: Uint8Array, b: Uint8Array): number {
  let na = 0, nb = 0, both = 0;
  for (let i = 0; i < a.length; i++) { na += a[i]; nb += b[i]; both += a[i] & b[i]; }
  return na + nb === 0 ? 1 : (2 * both) / (na + nb);
}

export async function poseInvariance(model: FaceModel, identities: Identity[], net: Network, options: Partial<PoseInvarianceOptions> & { identity: number }, onProgress?: OnProgress): Promise<PoseInvarianceResult> {
  const o: PoseInvarianceOptions = {
    posesYawDeg: [-30, 0, 30], trials: 500, shapeNoiseSd: 0.5, textureNoiseSd: 0.5, basis: 'components', seed: 1,
    pcaComponents: 8, alpha: 0.05, vertexStride: 1, batchSize: 64, permutations: 100, ...options,
  };
  if (o.posesYawDeg.length < 2) throw new Error(`posesYawDeg needs at least 2 poses, got ${o.posesYawDeg.length}`);
  const id = identities[o.identity];
  if (!id) throw new Error(`identity must be an index in [0, ${identities.length - 1}], got ${o.identity}`);
  const layers = o.layers ?? net.layerNames;
  const P = o.posesYawDeg.length;
  const T = o.trials;
  const N = P * T;
  const stages = new Stages({ trials: 3, pca: 0.3, shape: 2, texture: 2 }, onProgress);
  const noise = drawNoise(model, { basis: o.basis, trials: T, shapeSd: o.shapeNoiseSd, textureSd: o.textureNoiseSd, seed: o.seed, design: o.design });
  const runs: TrialRun[] = [];
  for (let p = 0; p < P; p++) {
    runs.push(await runNoiseTrials(model, id, noise, net, { sizePx: net.inputSize, yawDeg: o.posesYawDeg[p] }, layers, o.batchSize,
      (f) => stages.report('trials', (p + f) / P)));
  }
  // Common PCA over all poses of the within-pose centred activations (each pose's mean removed: the
  // analysis is within pose, conditional on it, so a direction that only separates the poses carries
  // nothing the copula-normalised scores could use, and would be constant within every pose); then
  // the scores of each pose, copula-normalised within the pose. Only the components that vary
  // within every pose are kept (pca.ts rank rule, applied per pose).
  const layerScores = layers.map((l, i) => {
    const F = runs[0].layers[l].features;
    const all = new Float32Array(N * F);
    runs.forEach((r, p) => {
      const src = r.layers[l].data;
      const mean = new Float64Array(F);
      for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) mean[f] += src[t * F + f];
      for (let f = 0; f < F; f++) mean[f] /= T;
      for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) all[(p * T + t) * F + f] = src[t * F + f] - mean[f];
    });
    const pca = pcaScores(all, N, F, o.pcaComponents, o.seed);
    const keep: number[] = [];
    for (let d = 0; d < pca.k; d++) {
      let everyPose = true;
      for (let p = 0; p < P && everyPose; p++) {
        const x = pca.scores.subarray(d * N + p * T, d * N + (p + 1) * T);
        let m = 0, v = 0;
        for (const a of x) m += a;
        m /= T;
        for (const a of x) v += (a - m) ** 2;
        everyPose = v / (T - 1) > RANK_TOLERANCE * pca.totalVariance;
      }
      if (everyPose) keep.push(d);
    }
    const scores = new Float64Array(keep.length * N);
    keep.forEach((d, j) => scores.set(pca.scores.subarray(d * N, (d + 1) * N), j * N));
    stages.report('pca', (i + 1) / layers.length);
    return { k: keep.length, scores };
  });
  const perPoseLayer = layerScores.map(({ k, scores }) => Array.from({ length: P }, (_, p) => {
    if (k === 0) return { data: new Float64Array(0), dims: 0, trials: T } as Samples;
    const part = new Float64Array(k * T);
    for (let d = 0; d < k; d++) part.set(scores.subarray(d * N + p * T, d * N + (p + 1) * T), d * T);
    return { data: copnorm(part, k, T), dims: k, trials: T } as Samples;
  }));
  // the per-pose copulas stacked over poses ([k][N]): the pooled side of gccmi_ccd
  const pooledLayer: Samples[] = perPoseLayer.map((per, l) => {
    const k = layerScores[l].k;
    const data = new Float64Array(k * N);
    per.forEach((sp, p) => { for (let d = 0; d < k; d++) data.set(sp.data.subarray(d * T, (d + 1) * T), d * N + p * T); });
    return { data, dims: k, trials: N };
  });
  const V = model.vertexCount;
  // χ² with (feature rank)·k degrees of freedom: a vertex of rank r < 3 uses r (rankDof)
  const thresholdFor = (k: number, rank = 3) => chiSquareQuantile(1 - o.alpha / V, rankDof(rank, k)) / (2 * T * Math.LN2);
  const thresholdBits = thresholdFor(o.pcaComponents);
  // the null of the conditional map: every pose's layer copula permuted by the same P orders
  // (the same seed at every pose: the same trial orders)
  const fastPose = perPoseLayer.map((per, l) => per.map((sp) => {
    if (layerScores[l].k === 0 || o.permutations === 0) return null;
    try { return new FastLayerNull(sp, o.permutations, o.seed * 104729 + l); } catch (e) { if (e instanceof RangeError) return null; throw e; }
  }));
  const frontal = o.posesYawDeg.reduce((b, y, p) => (Math.abs(y) < Math.abs(o.posesYawDeg[b]) ? p : b), 0);
  const notes: string[] = [];
  layerScores.forEach(({ k }, l) => {
    if (k === 0) notes.push(`layer '${layers[l]}' does not vary across the ${N} trials: 0 bits at every vertex and pose`);
    else if (k < o.pcaComponents) notes.push(`layer '${layers[l]}': ${k} of ${o.pcaComponents} PCA components kept (the activations span only ${k} dimensions)`);
  });
  const features: FeatureInvariance[] = [];
  let selection: PoseInvarianceResult['selection'] = 'given';
  let analysed = 0;
  // The same features repeat at every pose by design; the engine would warn about repeated values
  // for every vertex. Silence that one warning for this loop only.
  const previous = setWarningHandler((m) => { if (!m.includes('repeated values')) previous(m); });
  try {
  for (const kind of ['shape', 'texture'] as const) {
    const sd = kind === 'shape' ? o.shapeNoiseSd : o.textureNoiseSd;
    if (sd === 0) { stages.report(kind, 1); continue; }
    const f = noiseFeatures(model, noise, kind);
    let mask = o.significant?.[kind];
    if (!mask) {
      const m = await informationMap(f, { kind: 'continuous', y: runs[frontal].logit }, { permutations: o.permutations, alpha: o.alpha, seed: o.seed ^ 0x2c0 });
      mask = m.significant;
      selection = 'logit-map';
    }
    const nulls = layers.map((_, l) => new MaxNull(fastPose[l].every((x) => x !== null) ? o.permutations : 0));
    const acc = new Float64Array(o.permutations), one1 = new Float64Array(o.permutations);
    const out = layers.map((layer, depth) => ({
      layer, depth, pooledBits: NaN, conditionalBits: NaN, invarianceIndex: NaN, dice: NaN,
      pooledMi: new Float32Array(V).fill(NaN), conditionalMi: new Float32Array(V).fill(NaN),
      perPoseMi: new Float32Array(P * V).fill(NaN), selected: new Uint8Array(P * V),
      conditionalThresholdBits: Infinity, conditionalSignificant: new Uint8Array(V) as Uint8Array,
    }));
    const one = new Float64Array(3 * T);
    const xAll = new Float64Array(3 * N);
    let vars = 0;
    for (let v = 0; v < V; v += o.vertexStride) if ((!f.skip || !f.skip[v]) && mask[v]) vars++;
    analysed = Math.max(analysed, vars);
    if (vars === 0) notes.push(`${kind}: no vertex significant in reverse correlation; pose invariance not computed`);
    let done = 0, degenerate = 0;
    for (let v = 0; v < V; v += o.vertexStride) {
      if ((f.skip && f.skip[v]) || !mask[v]) continue;
      one.fill(0);
      f.fill(v, v + 1, one);
      // the vertex's own feature dimensions only (rows past its rank are padding, noise.ts)
      const dims = f.rank ? f.rank[v] : 3;
      if (dims === 0) continue;
      const sx: Samples = { data: copnorm(one.subarray(0, dims * T), dims, T), dims, trials: T };
      // the same (within-pose copula-normalised) features at every pose: tiled over the pooled trials
      for (let d = 0; d < dims; d++) for (let p = 0; p < P; p++) xAll.set(sx.data.subarray(d * T, (d + 1) * T), d * N + p * T);
      const pooledX: Samples = { data: xAll.subarray(0, dims * N), dims, trials: N };
      try {
        out.forEach((r, l) => {
          const { k } = layerScores[l];
          if (k === 0) {
            // a constant layer carries no information: 0 bits, never selected
            r.conditionalMi[v] = 0;
            r.pooledMi[v] = 0;
            for (let p = 0; p < P; p++) r.perPoseMi[p * V + v] = 0;
            return;
          }
          // gccmi_ccd with equal trials per pose, from the per-pose copulas computed once per layer:
          // I(F; L | pose) = mean over poses of I(F; L | pose = p), pooled = I over the stacked copulas
          let cmi = 0;
          for (let p = 0; p < P; p++) {
            const m = miGGSamples(sx, perPoseLayer[l][p], { demeaned: true });
            cmi += m / P;
            r.perPoseMi[p * V + v] = m;
            if (m > thresholdFor(k, dims)) r.selected[p * V + v] = 1;
          }
          if (nulls[l].permutations > 0) {
            const xw = whiten(sx);
            acc.fill(0);
            for (let p = 0; p < P; p++) {
              fastPose[l][p]!.permutedMi(xw, dims, r.perPoseMi[p * V + v], one1);
              for (let q = 0; q < acc.length; q++) acc[q] += one1[q] / P;
            }
            for (let q = 0; q < acc.length; q++) nulls[l].add(q, acc[q]);
          }
          const mi = miGGSamples(pooledX, pooledLayer[l], { demeaned: false });
          r.conditionalMi[v] = cmi;
          r.pooledMi[v] = mi;
        });
      } catch {
        // a degenerate vertex: left NaN at every layer (counted in the notes)
        degenerate++;
        for (const r of out) {
          r.conditionalMi[v] = NaN;
          r.pooledMi[v] = NaN;
          for (let p = 0; p < P; p++) { r.perPoseMi[p * V + v] = NaN; r.selected[p * V + v] = 0; }
        }
      }
      done++;
      if (done % 64 === 0) stages.report(kind, done / vars);
    }
    for (const [l, r] of out.entries()) {
      const t = nulls[l].threshold(r.conditionalMi, o.alpha);
      r.conditionalThresholdBits = t.threshold;
      r.conditionalSignificant = t.significant;
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
    if (degenerate > 0) notes.push(`${kind}: ${degenerate} vertices with a singular covariance left NaN`);
    features.push({ feature: kind, layers: out });
    stages.report(kind, 1);
  }
  } finally {
    setWarningHandler(previous);
  }
  for (const n of notes) previous(`pose invariance: ${n}`);
  return { options: o, runs, features, thresholdBits, notes, analysedVertices: analysed, selection };
}
