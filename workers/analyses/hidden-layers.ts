/**
 * 3. Hidden layers: with the reverse-correlation trials, what each layer represents about the
 * diagnostic features, and how much of it the decision also uses.
 *
 * Per layer: the pooled activations reduced by PCA to k dimensions (pca.ts). Per vertex v:
 *   I(F_v; L)            MI between the vertex feature F_v (3D displacement or albedo) and the layer (bits);
 *   C(F_v; L; D)         co-information with the decision D (correct or not):
 *                        I(F_v; L) − I(F_v; L | D), both terms from one Gaussian-copula estimator
 *                        (workers/info/coinfo.ts). Positive = redundancy (the layer holds feature
 *                        information that the decision also carries), negative = synergy.
 * Tests: the I(F_v; L) maps get the maximum-statistic permutation threshold (layer trials permuted,
 * the same permutations for every vertex; layer-stats.ts); per layer, the co-information averaged
 * over the diagnostic vertices (significant in reverse correlation, else the top vertices by
 * I(F_v; D)) gets a permutation null of D and a two-sided p-value.
 * Estimators: the information engine's Gaussian-copula pieces (copnorm once per chunk and per
 * layer, then miGGSamples / miModelGDSamples, i.e. gcmi_cc and gcmi_model_cd without re-ranking).
 * Information-versus-depth curves: the mean and max over vertices per layer, in depth order.
 *
 * Degenerate inputs (tiny runs: few trials, dead or duplicated channels) never crash the run and
 * never produce numbers from rounding noise: PCA keeps only the components a layer really varies
 * along (pca.ts rank rule), so k may be below the requested one; a layer that does not vary at all
 * (k = 0) carries exactly 0 bits about everything, and its maps are 0 with a note. A vertex whose
 * covariance is still singular is left NaN, and the notes count such vertices.
 */
import type { FaceModel } from '../faces/model';
import { copnorm } from '../info';
import { miModelGDSamples } from '../info';
import { miGGSamples } from '../info';
import { classCopulas, gccmiFromClassCopulas, gccmiGivenDiscrete, permutationTestOfD } from '../info';
import { diagnosticVertices, FastLayerNull, MaxNull, whiten } from './layer-stats';
import type { Samples } from '../info/validate';
import type { MapFeatures } from './maps';
import { noiseFeatures, type TrialNoise } from './noise';
import { pcaScores } from './pca';
import type { OnProgress } from './analysis-stages';
import { Stages } from './analysis-stages';
import type { TrialRun } from './trials';

export interface HiddenLayersOptions {
  /** PCA dimensions per layer (default 8). */
  pcaComponents: number;
  /** Layers to analyse, shallow to deep (default: every layer kept in the run). */
  layers?: string[];
  /** Analyse every n-th vertex only (1 = all); the others get NaN. */
  vertexStride: number;
  seed: number;
  /** Permutations for the map thresholds and the co-information null (0 = no test; default 100). */
  permutations: number;
  /** Family-wise error rate of the map thresholds, and the level of the co-information test (0.05). */
  alpha: number;
  /** Reverse correlation's significant vertices per feature ([V] masks), the co-information's features. */
  diagnostic?: { shape?: Uint8Array; texture?: Uint8Array };
  /** At most this many diagnostic vertices (the most informative about D first; default 32). */
  diagnosticCap: number;
}

/** Co-information of a layer and the decision about the diagnostic vertices (bits; > 0 redundancy). */
export interface LayerCoinformation {
  coinfoBits: number;
  kind: 'redundancy' | 'synergy' | null;
  /** Two-sided permutation p-value (NaN without a test). */
  p: number;
  significant: boolean;
  vertices: number;
  source: 'reverse-correlation' | 'top-decision-mi';
}

export interface LayerMaps {
  layer: string;
  depth: number;
  k: number;
  explainedVariance: number;
  /** I(L; D) and I(L; logit), bits. */
  decisionBits: number;
  logitBits: number;
  /** [V] bits (NaN where not analysed). */
  shapeMi: Float32Array | null;
  textureMi: Float32Array | null;
  shapeCoinfo: Float32Array | null;
  textureCoinfo: Float32Array | null;
  /** FWER thresholds (bits) of the I(F_v; L) maps and their [V] masks (1 = significant). */
  shapeThresholdBits: number;
  textureThresholdBits: number;
  shapeSignificant: Uint8Array | null;
  textureSignificant: Uint8Array | null;
  shapeLayerCoinfo: LayerCoinformation | null;
  textureLayerCoinfo: LayerCoinformation | null;
  /** [k][T] copula-normalised PCA scores (pose invariance reuses them). */
  scores: Float64Array;
}

export interface HiddenLayersResult {
  trials: number;
  layers: LayerMaps[];
  notes: string[];
}

const copnormSamples = (data: Float64Array, dims: number, trials: number): Samples => ({ data: copnorm(data, dims, trials), dims, trials });

/** Stacks two [dim][trial] sample sets (same trials) into one. */
function stackInto(a: Samples, b: Samples, out: Float64Array): Samples {
  out.set(a.data, 0);
  out.set(b.data, a.data.length);
  return { data: out, dims: a.dims + b.dims, trials: a.trials };
}

/** Per-vertex I(F_v; L), its max-statistic null, I(F_v; D) and the co-information with D, for every layer. */
function featureLayerMaps(
  f: MapFeatures, layers: Samples[], fastNulls: (FastLayerNull | null)[], decision: Int32Array | null, stride: number, onFraction: (x: number) => void,
): { mi: Float32Array[]; coinfo: Float32Array[]; decisionMi: Float32Array; nulls: MaxNull[]; degenerate: number } {
  const { nVar, nTrial: T } = f;
  const mi = layers.map(() => new Float32Array(nVar).fill(NaN));
  const coinfo = layers.map(() => new Float32Array(nVar).fill(NaN));
  const decisionMi = new Float32Array(nVar).fill(NaN);
  const nulls = layers.map((_, l) => new MaxNull(fastNulls[l]?.permutations ?? 0));
  // the layers' within-decision-class copulas, once (the conditional term of the co-information)
  const layerClasses = decision ? layers.map((sl) => (sl.dims > 0 ? classCopulas(sl, decision, 2) : null)) : [];
  const chunk = Math.max(1, Math.floor(1_500_000 / (3 * T)));
  const vars: number[] = [];
  for (let v = 0; v < nVar; v += stride) if (!f.skip || !f.skip[v]) vars.push(v);
  const one = new Float64Array(3 * T);
  let degenerate = 0;
  for (let c0 = 0; c0 < vars.length; c0 += chunk) {
    const part = vars.slice(c0, c0 + chunk);
    const raw = new Float64Array(part.length * 3 * T);
    part.forEach((v, i) => {
      one.fill(0);
      f.fill(v, v + 1, one);
      raw.set(one, i * 3 * T);
    });
    const cx = copnorm(raw, part.length * 3, T);
    part.forEach((v, i) => {
      // the vertex's own feature dimensions only (rows past its rank are padding, noise.ts)
      const dims = f.rank ? f.rank[v] : 3;
      if (dims === 0) return;
      const sx: Samples = { data: cx.subarray(i * 3 * T, i * 3 * T + dims * T), dims, trials: T };
      try {
        if (decision) decisionMi[v] = miModelGDSamples(sx, decision, 2, { demeaned: true });
        const xw = fastNulls.some((x) => x && x.permutations > 0) ? whiten(sx) : null;
        const xClasses = decision ? classCopulas(sx, decision, 2) : null;
        layers.forEach((sl, l) => {
          if (sl.dims === 0) {
            // a constant layer: I(F; L) = I(F; L | D) = 0, so the co-information is 0
            mi[l][v] = 0;
            if (decision) coinfo[l][v] = 0;
            return;
          }
          mi[l][v] = miGGSamples(sx, sl, { demeaned: true });
          const fast = fastNulls[l];
          if (fast && xw && fast.permutations > 0) fast.permutedMi(xw, dims, mi[l][v]).forEach((x, p) => nulls[l].add(p, x));
          // co-information I(F;L) − I(F;L|D), both terms from the one Gaussian-copula estimator (info/coinfo.ts)
          if (xClasses) coinfo[l][v] = mi[l][v] - gccmiFromClassCopulas(xClasses, layerClasses[l]!);
        });
      } catch {
        // a degenerate vertex (e.g. clamped albedo that never changes): left NaN, counted in the notes
        degenerate++;
        decisionMi[v] = NaN;
        layers.forEach((_, l) => { mi[l][v] = NaN; coinfo[l][v] = NaN; });
      }
    });
    onFraction(Math.min(1, (c0 + part.length) / vars.length));
  }
  return { mi, coinfo, decisionMi, nulls, degenerate };
}

/**
 * Layer-level co-information about the diagnostic vertices: C_l = mean over the vertices v of
 * I(F_v; L) − I(F_v; L | D), bits, with the permutation null of D (info/coinfo.ts).
 */
function layerCoinformation(
  f: MapFeatures, vertices: number[], layers: Samples[], decision: Int32Array, permutations: number, seed: number,
): { coinfoBits: number; p: number }[] {
  const T = f.nTrial;
  const one = new Float64Array(3 * T);
  const xs: Samples[] = [];
  for (const v of vertices) {
    const dims = f.rank ? f.rank[v] : 3;
    if (dims === 0) continue;
    one.fill(0);
    f.fill(v, v + 1, one);
    xs.push({ data: copnorm(one.slice(0, dims * T), dims, T), dims, trials: T });
  }
  return layers.map((sl) => {
    if (sl.dims === 0 || xs.length === 0) return { coinfoBits: sl.dims === 0 ? 0 : NaN, p: NaN };
    const mis = xs.map((sx) => miGGSamples(sx, sl, { demeaned: true }));
    const c = (d: Int32Array) => xs.reduce((a, sx, i) => a + mis[i] - gccmiGivenDiscrete(sx, sl, d, 2), 0) / xs.length;
    try {
      const observed = c(decision);
      return { coinfoBits: observed, p: permutationTestOfD(c, observed, decision, permutations, seed).p };
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      return { coinfoBits: NaN, p: NaN };
    }
  });
}

export function hiddenLayers(model: FaceModel, run: TrialRun, noise: TrialNoise, options: Partial<HiddenLayersOptions> = {}, onProgress?: OnProgress): HiddenLayersResult {
  const o: HiddenLayersOptions = { pcaComponents: 8, vertexStride: 1, seed: 1, permutations: 100, alpha: 0.05, diagnosticCap: 32, ...options };
  if (!(Number.isInteger(o.permutations) && o.permutations >= 0)) throw new Error(`permutations must be an integer ≥ 0, got ${o.permutations}`);
  if (!(Number.isInteger(o.pcaComponents) && o.pcaComponents >= 1 && o.pcaComponents <= 64)) throw new Error(`pcaComponents must be an integer in [1, 64], got ${o.pcaComponents}`);
  if (!(Number.isInteger(o.vertexStride) && o.vertexStride >= 1)) throw new Error(`vertexStride must be an integer ≥ 1, got ${o.vertexStride}`);
  const names = o.layers ?? Object.keys(run.layers);
  for (const l of names) if (!run.layers[l]) throw new Error(`layer '${l}' was not recorded in the trials (recorded: ${Object.keys(run.layers).join(', ') || 'none'})`);
  if (names.length === 0) throw new Error('hidden layers: no layer activations were recorded; run the trials with layers');
  const T = run.trials;
  const stages = new Stages({ pca: 1, shape: 3, texture: 3 }, onProgress);
  const notes: string[] = [];
  const correct = run.decision.reduce((a, b) => a + b, 0);
  const decision = correct >= 10 && T - correct >= 10 ? run.decision : null;
  if (!decision) notes.push(`co-information skipped: the decision is (almost) constant (${correct} of ${T} correct)`);
  const logitSamples = copnormSamples(Float64Array.from(run.logit), 1, T);

  /**
   * A layer-level information that the estimator cannot give: the copula covariance is singular when
   * the layer's kept components determine the response up to a monotone map (e.g. a rank-1 layer the
   * logit is read from, or a decision class with fewer trials than dimensions). The information is
   * then unbounded at this number of trials, so it is reported NaN (null in the bundle) with a note.
   */
  const layerBits = (layer: string, response: string, f: () => number): number => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      notes.push(`layer '${layer}': I(layer; ${response}) not estimable over ${T} trials (${e.message}); reported NaN`);
      return NaN;
    }
  };
  const layerSamples: Samples[] = [];
  const results: LayerMaps[] = names.map((name, depth) => {
    const lf = run.layers[name];
    const pca = pcaScores(lf.data, T, lf.features, o.pcaComponents, o.seed);
    const sl: Samples = pca.k > 0 ? copnormSamples(pca.scores, pca.k, T) : { data: new Float64Array(0), dims: 0, trials: T };
    layerSamples.push(sl);
    if (pca.k === 0) notes.push(`layer '${name}' does not vary across the ${T} trials: 0 bits about every feature, the logit and the decision`);
    else if (pca.k < o.pcaComponents) notes.push(`layer '${name}': ${pca.k} of ${o.pcaComponents} PCA components kept (the activations span only ${pca.k} dimensions over ${T} trials)`);
    stages.report('pca', (depth + 1) / names.length);
    return {
      layer: name, depth, k: pca.k,
      explainedVariance: pca.totalVariance > 0 ? pca.variances.reduce((a, b) => a + b, 0) / pca.totalVariance : 0,
      decisionBits: decision ? (pca.k > 0 ? layerBits(name, 'decision', () => miModelGDSamples(sl, decision, 2, { demeaned: true })) : 0) : NaN,
      logitBits: pca.k > 0 ? layerBits(name, 'logit', () => miGGSamples(sl, logitSamples, { demeaned: true })) : 0,
      shapeMi: null, textureMi: null, shapeCoinfo: null, textureCoinfo: null,
      shapeThresholdBits: Infinity, textureThresholdBits: Infinity, shapeSignificant: null, textureSignificant: null,
      shapeLayerCoinfo: null, textureLayerCoinfo: null,
      scores: sl.data,
    };
  });
  const fastNulls = layerSamples.map((sl, l) => {
    if (sl.dims === 0 || o.permutations === 0) return null;
    try { return new FastLayerNull(sl, o.permutations, o.seed * 7919 + l); } catch (e) { if (e instanceof RangeError) return null; throw e; }
  });
  for (const kind of ['shape', 'texture'] as const) {
    const sd = kind === 'shape' ? noise.spec.shapeSd : noise.spec.textureSd;
    if (sd === 0) { stages.report(kind, 1); continue; }
    const features = noiseFeatures(model, noise, kind);
    const maps = featureLayerMaps(features, layerSamples, fastNulls, decision, o.vertexStride, stages.sub(kind));
    if (maps.degenerate > 0) notes.push(`${kind}: ${maps.degenerate} vertices with a singular feature covariance left NaN`);
    let layerCo: LayerCoinformation[] | null = null;
    if (decision) {
      const diag = diagnosticVertices(maps.decisionMi, o.diagnostic?.[kind], o.diagnosticCap);
      layerCo = layerCoinformation(features, diag.vertices, layerSamples, decision, o.permutations, o.seed + 17).map(({ coinfoBits, p }) => ({
        coinfoBits, p, kind: Number.isFinite(coinfoBits) ? (coinfoBits >= 0 ? 'redundancy' as const : 'synergy' as const) : null,
        significant: p <= o.alpha, vertices: diag.vertices.length, source: diag.source,
      }));
    }
    results.forEach((r, l) => {
      const mi = maps.mi[l];
      const { threshold, significant } = maps.nulls[l].permutations > 0 ? maps.nulls[l].threshold(mi, o.alpha) : { threshold: Infinity, significant: new Uint8Array(mi.length) };
      if (kind === 'shape') {
        r.shapeMi = mi; r.shapeCoinfo = maps.coinfo[l]; r.shapeThresholdBits = threshold; r.shapeSignificant = significant; r.shapeLayerCoinfo = layerCo?.[l] ?? null;
      } else {
        r.textureMi = mi; r.textureCoinfo = maps.coinfo[l]; r.textureThresholdBits = threshold; r.textureSignificant = significant; r.textureLayerCoinfo = layerCo?.[l] ?? null;
      }
    });
  }
  return { trials: T, layers: results, notes };
}

/** Mean and max over the finite entries of a map (NaN when none). */
export function mapStats(a: Float32Array | null): { mean: number; max: number; min: number } {
  if (!a) return { mean: NaN, max: NaN, min: NaN };
  let s = 0, n = 0, max = -Infinity, min = Infinity;
  for (const v of a) if (Number.isFinite(v)) { s += v; n++; if (v > max) max = v; if (v < min) min = v; }
  return n ? { mean: s / n, max, min } : { mean: NaN, max: NaN, min: NaN };
}
