/**
 * Statistics of the generalisation test, over identities (the unit of replication):
 *
 *   score_i(m, S) = mean over poses and the levels in S of P(original | identity i, manipulation m)
 *   anti-caricature levels S⁻ = {level < 1}, caricature levels S⁺ = {level > 1} (scale curves);
 *   for morphs the levels > 0 (towards the target) — summarised apart, never mixed in one AUC;
 *   asymmetry_i = score_i(shape-scale, S⁻) − score_i(texture-scale, S⁻): how much more the observer
 *   keeps the identity when its shape deviation shrinks than when its texture deviation does
 *   (the paper's finding for the network: > 0, over-generalisation across shape);
 *   network minus baseline: asymmetry_i(network) − asymmetry_i(baseline), paired per identity.
 *
 * Intervals: percentile bootstrap over identities (B resamples with replacement, seeded), 95 %.
 * Layout of `prob`: Float32Array [identity][pose][level] (generalisation.ts).
 */
import { Rng } from '../info';

export interface Interval {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** Percentile bootstrap interval of the mean of `values` (resampling the entries; NaN-free input). */
export function bootstrapMean(values: ArrayLike<number>, { resamples = 2000, level = 0.95, seed = 1 } = {}): Interval {
  const n = values.length;
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, n };
  let m = 0;
  for (let i = 0; i < n; i++) m += values[i] / n;
  const rng = new Rng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(rng.uniform() * n)];
    means[b] = s / n;
  }
  means.sort();
  const q = (p: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(p * resamples)))];
  return { mean: m, lo: q((1 - level) / 2), hi: q(1 - (1 - level) / 2), n };
}

/** score_i: mean P over poses and the selected levels, per identity ([identity]). */
export function identityScores(prob: Float32Array, identities: number, poses: number, levels: number[], select: (level: number) => boolean): Float64Array {
  const L = levels.length;
  const keep = levels.map((l, j) => (select(l) ? j : -1)).filter((j) => j >= 0);
  const out = new Float64Array(identities);
  if (keep.length === 0) return out.fill(NaN);
  for (let i = 0; i < identities; i++) {
    let s = 0;
    for (let p = 0; p < poses; p++) for (const j of keep) s += prob[(i * poses + p) * L + j];
    out[i] = s / (poses * keep.length);
  }
  return out;
}

export const isAntiCaricature = (level: number) => level < 1;
export const isCaricature = (level: number) => level > 1;
export const isTowardsTarget = (level: number) => level > 0;

export interface LevelSummary {
  /** The levels averaged. */
  levels: number[];
  probability: Interval;
}

export function levelSummary(prob: Float32Array, identities: number, poses: number, levels: number[], select: (level: number) => boolean, seed: number): LevelSummary | null {
  const chosen = levels.filter(select);
  if (chosen.length === 0) return null;
  return { levels: chosen, probability: bootstrapMean(identityScores(prob, identities, poses, levels, select), { seed }) };
}

/** Per identity: score(shape-scale, S⁻) − score(texture-scale, S⁻). */
export function asymmetryPerIdentity(shape: Float32Array, texture: Float32Array, identities: number, poses: number, levels: number[]): Float64Array {
  const a = identityScores(shape, identities, poses, levels, isAntiCaricature);
  const b = identityScores(texture, identities, poses, levels, isAntiCaricature);
  return a.map((x, i) => x - b[i]);
}

/** Paired difference per identity (network minus baseline) with its bootstrap interval. */
export function pairedDifference(a: Float64Array, b: Float64Array, seed: number): Interval {
  if (a.length !== b.length) throw new Error(`paired difference: ${a.length} vs ${b.length} identities`);
  return bootstrapMean(a.map((x, i) => x - b[i]), { seed });
}
