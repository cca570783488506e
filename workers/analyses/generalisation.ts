/**
 * 1. Generalisation testing: graded changes of only the shape part or only the texture part of
 * learned identities, rendered at several poses, and the network's P(original identity) and top-1
 * accuracy per level (Xu et al. 2018: a network that over-generalises across shape keeps
 * recognising an identity whose shape deviation shrinks, while a texture change breaks it).
 *
 * Manipulations (workers/faces): 'shape-scale' / 'texture-scale' multiply the identity's deviation
 * from its demographic norm by the level (0 = the norm, 1 = the identity, 5/3 = a caricature);
 * 'shape-morph' / 'texture-morph' move it a fraction `level` towards another learned identity (the
 * morph target: drawn at random within the identity's demographic group, morph-targets.ts). Recorded
 * per stimulus: P(original) and, for morphs, P(morph target). Summary per curve: the area under
 * P(original) over the levels (trapezoid), the level where P(original) first falls below 0.5 walking
 * away from the original (from 1 downwards for scaling, from 0 upwards for morphs; linear
 * interpolation), and, with bootstrap 95 % intervals over identities (generalisation-stats.ts), the
 * anti-caricature (< 1) and caricature (> 1) levels separately. With a baseline observer
 * (baseline-observer.ts) the same test runs on it, and the shape-minus-texture asymmetry of the
 * network minus the baseline is reported with its interval.
 */
import type { FaceModel } from '../faces/model';
import { type Identity, morphIdentity, scaleIdentity } from '../faces';
import type { Manipulation } from '../contract/result-bundles';
import { argmaxRow, runBatched, softmaxRow, type Network } from './network';
import type { OnProgress } from './analysis-stages';
import { Stages } from './analysis-stages';
import { renderOptionsFor, StimulusRenderer } from './stimuli';
import { drawMorphTargets, type MorphScope } from './morph-targets';
import {
  asymmetryPerIdentity, bootstrapMean, isAntiCaricature, isCaricature, isTowardsTarget, levelSummary, pairedDifference,
  type Interval, type LevelSummary,
} from './generalisation-stats';

export interface GeneralisationOptions {
  /** Indices of the learned identities to test (= their classes). Default: the first min(8, N). */
  identities?: number[];
  levels: number[];
  morphLevels: number[];
  posesYawDeg: number[];
  batchSize: number;
  /** Human responses (CSV text: manipulation,level,probability[,accuracy]); averaged per manipulation and level. */
  humanCsv?: string;
  /** Seed of the morph-target draw and of the bootstrap (default 1). */
  seed?: number;
  /** A baseline observer put through the same test (baseline-observer.ts). */
  baseline?: Network;
}

export const GENERALISATION_DEFAULTS: GeneralisationOptions = {
  levels: [0, 1 / 3, 2 / 3, 1, 4 / 3, 5 / 3],
  morphLevels: [0, 0.25, 0.5, 0.75, 1],
  posesYawDeg: [-30, 0, 30],
  batchSize: 64,
};

export const MANIPULATIONS: Manipulation[] = ['shape-scale', 'texture-scale', 'shape-morph', 'texture-morph'];

export interface Curve {
  manipulation: Manipulation;
  levels: number[];
  probability: number[];
  accuracy: number[];
  auc: number;
  levelBelowHalf: number | null;
  human?: { probability: (number | null)[]; accuracy: (number | null)[] };
  /** Morph curves: mean P(morph target) per level. */
  targetProbability?: number[];
  /** Bootstrap 95 % intervals over identities of the mean P(original): anti-caricature (< 1) and caricature (> 1) scale levels; morphs: levels > 0. */
  antiCaricature?: LevelSummary | null;
  caricature?: LevelSummary | null;
  towardsTarget?: LevelSummary | null;
}

/** Shape-minus-texture asymmetry of P(original) over the anti-caricature levels (generalisation-stats.ts). */
export interface Asymmetry {
  network: Interval;
  baseline: Interval | null;
  /** network − baseline, paired per identity. */
  networkMinusBaseline: Interval | null;
}

export interface GeneralisationResult {
  identities: number[];
  posesYawDeg: number[];
  sizePx: number;
  curves: Curve[];
  /** Per manipulation (order of curves) [identity][pose][level]: P(original) and 1 if top-1 = original. */
  probability: Float32Array[];
  correct: Uint8Array[];
  /** Per manipulation [identity][pose][level]: P(morph target) (morph curves; null for scale curves). */
  targetProbability: (Float32Array | null)[];
  /** The morph target (learned identity index) of each tested identity and the scope it was drawn from. */
  morphTargets: number[];
  morphScopes: MorphScope[];
  asymmetry: Asymmetry;
  /** The baseline observer's curves (same stimuli), when one was given. */
  baseline?: { describe: Record<string, unknown>; curves: Curve[] };
}

export function manipulate(m: Manipulation, id: Identity, other: Identity, level: number): Identity {
  switch (m) {
    case 'shape-scale': return scaleIdentity(id, level, 1);
    case 'texture-scale': return scaleIdentity(id, 1, level);
    case 'shape-morph': return morphIdentity(id, other, { shape: level });
    case 'texture-morph': return morphIdentity(id, other, { texture: level });
  }
}

export function trapezoidArea(x: number[], y: number[]): number {
  let a = 0;
  for (let i = 1; i < x.length; i++) a += ((y[i] + y[i - 1]) / 2) * (x[i] - x[i - 1]);
  return a;
}

/** The level where y first drops below 0.5 walking from `start` in direction `dir` (levels sorted ascending). */
export function levelBelowHalf(levels: number[], y: number[], start: number, dir: 1 | -1): number | null {
  const idx = levels.map((_, i) => i).filter((i) => (dir > 0 ? levels[i] >= start : levels[i] <= start));
  if (dir < 0) idx.reverse();
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j];
    if (y[i] < 0.5) {
      if (j === 0) return levels[i];
      const p = idx[j - 1];
      return levels[p] + ((y[p] - 0.5) / (y[p] - y[i])) * (levels[i] - levels[p]);
    }
  }
  return null;
}

/** Parses the human-response CSV into mean probability and accuracy per (manipulation, level). */
export function parseHumanCsv(text: string): Map<string, { p: number[]; a: number[] }> {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const out = new Map<string, { p: number[]; a: number[] }>();
  const header = lines[0]?.split(',').map((s) => s.trim().toLowerCase()) ?? [];
  const col = (n: string) => header.indexOf(n);
  if (col('manipulation') < 0 || col('level') < 0 || col('probability') < 0) {
    throw new Error("human CSV: the header must name the columns 'manipulation', 'level', 'probability' (and optionally 'accuracy')");
  }
  lines.slice(1).forEach((line, i) => {
    const f = line.split(',').map((s) => s.trim());
    const m = f[col('manipulation')];
    if (!MANIPULATIONS.includes(m as Manipulation)) throw new Error(`human CSV line ${i + 2}: manipulation '${m}' is not one of ${MANIPULATIONS.join(', ')}`);
    const level = Number(f[col('level')]);
    const p = Number(f[col('probability')]);
    if (!Number.isFinite(level) || !(p >= 0 && p <= 1)) throw new Error(`human CSV line ${i + 2}: level must be a number and probability in [0, 1]`);
    const key = `${m}@${level.toFixed(4)}`;
    const e = out.get(key) ?? { p: [], a: [] };
    e.p.push(p);
    if (col('accuracy') >= 0 && f[col('accuracy')] !== undefined && f[col('accuracy')] !== '') e.a.push(Number(f[col('accuracy')]));
    out.set(key, e);
  });
  return out;
}

const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : null);

export async function generalisation(model: FaceModel, identities: Identity[], net: Network, options: Partial<GeneralisationOptions> = {}, onProgress?: OnProgress): Promise<GeneralisationResult> {
  const o = { ...GENERALISATION_DEFAULTS, ...options };
  if (identities.length < 2) throw new Error('generalisation needs at least 2 learned identities (morphs go towards another one)');
  const ids = o.identities ?? identities.slice(0, Math.min(8, identities.length)).map((_, i) => i);
  for (const i of ids) if (!(Number.isInteger(i) && i >= 0 && i < identities.length && i < net.classCount)) throw new Error(`identities: ${i} is not a learned identity index (0..${Math.min(identities.length, net.classCount) - 1})`);
  if (o.levels.length < 2 || o.morphLevels.length < 2) throw new Error('levels and morphLevels need at least 2 values each');
  const levelsOf = (m: Manipulation) => [...(m.endsWith('morph') ? o.morphLevels : o.levels)].sort((a, b) => a - b);
  const human = o.humanCsv ? parseHumanCsv(o.humanCsv) : null;
  const renderer = new StimulusRenderer(model);
  const P = o.posesYawDeg.length;
  const stages = new Stages(Object.fromEntries(MANIPULATIONS.map((m) => [m, 1])), onProgress);
  const K = net.classCount;
  const px = net.inputSize * net.inputSize * 3;
  const probsRow = new Float64Array(K);
  const seed = o.seed ?? 1;
  const morph = drawMorphTargets(identities, ids, seed);
  const result: GeneralisationResult = {
    identities: ids, posesYawDeg: o.posesYawDeg, sizePx: net.inputSize, curves: [], probability: [], correct: [], targetProbability: [],
    morphTargets: morph.target, morphScopes: morph.scope, asymmetry: { network: bootstrapMean([]), baseline: null, networkMinusBaseline: null },
  };
  for (const m of MANIPULATIONS) {
    const levels = levelsOf(m);
    const L = levels.length;
    // one stimulus per (identity, pose, level)
    const count = ids.length * P * L;
    const prob = new Float32Array(count);
    const correct = new Uint8Array(count);
    const isMorph = m.endsWith('morph');
    const probTarget = isMorph ? new Float32Array(count) : null;
    const options = o.posesYawDeg.map((yaw) => renderOptionsFor({ sizePx: net.inputSize, yawDeg: yaw }));
    await runBatched(net, count, o.batchSize, [],
      (start, n, out) => {
        for (let j = 0; j < n; j++) {
          const s = start + j;
          const i = Math.floor(s / (P * L)), p = Math.floor(s / L) % P, l = s % L;
          const id = identities[ids[i]];
          const other = identities[morph.target[i]];
          renderer.renderIdentity(manipulate(m, id, other, levels[l]), options[p], out.subarray(j * px, (j + 1) * px));
        }
      },
      (start, n, pred) => {
        for (let j = 0; j < n; j++) {
          const s = start + j;
          const i = Math.floor(s / (P * L));
          const target = ids[i];
          softmaxRow(pred.logits, j * K, K, probsRow);
          prob[s] = probsRow[target];
          if (probTarget) probTarget[s] = morph.target[i] < K ? probsRow[morph.target[i]] : 0;
          correct[s] = argmaxRow(pred.logits, j * K, K) === target ? 1 : 0;
        }
      },
      stages.sub(m));
    const probability = levels.map((_, l) => { let s = 0; for (let q = l; q < count; q += L) s += prob[q]; return s / (count / L); });
    const accuracy = levels.map((_, l) => { let s = 0; for (let q = l; q < count; q += L) s += correct[q]; return s / (count / L); });
    const curve: Curve = {
      manipulation: m, levels, probability, accuracy,
      auc: trapezoidArea(levels, probability),
      levelBelowHalf: m.endsWith('morph') ? levelBelowHalf(levels, probability, 0, 1) : levelBelowHalf(levels, probability, 1, -1),
    };
    const n = ids.length;
    if (probTarget) {
      curve.targetProbability = levels.map((_, l) => { let s = 0; for (let q = l; q < count; q += L) s += probTarget[q]; return s / (count / L); });
      curve.towardsTarget = levelSummary(prob, n, P, levels, isTowardsTarget, seed);
    } else {
      curve.antiCaricature = levelSummary(prob, n, P, levels, isAntiCaricature, seed);
      curve.caricature = levelSummary(prob, n, P, levels, isCaricature, seed);
    }
    if (human) {
      const rows = levels.map((lv) => human.get(`${m}@${lv.toFixed(4)}`));
      curve.human = { probability: rows.map((r) => (r ? mean(r.p) : null)), accuracy: rows.map((r) => (r ? mean(r.a) : null)) };
    }
    result.curves.push(curve);
    result.probability.push(prob);
    result.correct.push(correct);
    result.targetProbability.push(probTarget);
  }
  const scaleLevels = levelsOf('shape-scale');
  const asym = (r: GeneralisationResult) => asymmetryPerIdentity(r.probability[0], r.probability[1], ids.length, P, scaleLevels);
  const network = asym(result);
  result.asymmetry.network = bootstrapMean(network, { seed });
  if (o.baseline) {
    const b = await generalisation(model, identities, o.baseline, { ...o, identities: ids, baseline: undefined, humanCsv: undefined });
    const base = asym(b);
    result.baseline = { describe: o.baseline.describe(), curves: b.curves };
    result.asymmetry.baseline = bootstrapMean(base, { seed });
    result.asymmetry.networkMinusBaseline = pairedDifference(network, base, seed);
  }
  return result;
}
