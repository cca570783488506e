/**
 * Generalisation curves of human observers, beside the network's (analyses/generalisation.ts):
 * for each manipulation and level, the proportion of trials on which the participant named the
 * original identity, p̂_j(level) = #{response = target} / #{trials} (a person gives one choice, so
 * this is their P(original) and their top-1 accuracy at once). Summaries per curve as for the
 * network: the area under p̂ over the levels (trapezoid) and the level where p̂ first falls below ½.
 *
 * Pooled curve: the mean over included participants of their p̂_j (each participant weighs the
 * same), with a percentile bootstrap interval: B resamples of the participants with replacement,
 * the 2.5 % and 97.5 % quantiles of the resampled means (Efron & Tibshirani 1993). Attention-check
 * trials and trials without a response are not part of the curves; flagged participants get their
 * own curve and stay out of the pool.
 */
import type { Manipulation } from '../../contract/result-bundles';
import { Rng } from '../../info';
import { levelBelowHalf, MANIPULATIONS, trapezoidArea } from '../generalisation';
import { isCorrect, type TrialTable } from './table';

export interface HumanCurve {
  manipulation: Manipulation;
  levels: number[];
  /** [L] proportion of "original identity" responses (NaN where the level has no trial). */
  proportion: number[];
  /** [L] trials per level. */
  trials: number[];
  auc: number;
  levelBelowHalf: number | null;
}

export interface PooledCurve {
  manipulation: Manipulation;
  levels: number[];
  /** [L] mean over participants of their proportion. */
  mean: number[];
  /** [L] 95 % percentile bootstrap interval of the mean. */
  lower: number[];
  upper: number[];
  /** [L] participants contributing to each level. */
  participants: number[];
  auc: number;
  aucInterval: [number, number];
  levelBelowHalf: number | null;
}

export interface HumanGeneralisation {
  perParticipant: { participant: string; flagged: boolean; curves: HumanCurve[] }[];
  pooled: PooledCurve[];
  /** Participants in the pool. */
  included: string[];
  bootstrap: { resamples: number; seed: number; level: number };
}

const key = (level: number) => level.toFixed(4);

function summary(m: Manipulation, levels: number[], y: number[]): { auc: number; levelBelowHalf: number | null } {
  const ok = levels.map((_, i) => i).filter((i) => Number.isFinite(y[i]));
  const lv = ok.map((i) => levels[i]), yy = ok.map((i) => y[i]);
  return {
    auc: lv.length >= 2 ? trapezoidArea(lv, yy) : Number.NaN,
    levelBelowHalf: m.endsWith('morph') ? levelBelowHalf(lv, yy, 0, 1) : levelBelowHalf(lv, yy, 1, -1),
  };
}

/** Percentile q ∈ [0, 1] of sorted values (linear interpolation). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q, lo = Math.floor(h), hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function humanGeneralisation(table: TrialTable, opts: { resamples?: number; seed?: number } = {}): HumanGeneralisation {
  const B = opts.resamples ?? 2000;
  const seed = opts.seed ?? 1;
  if (!(Number.isInteger(B) && B >= 100)) throw new Error(`resamples must be an integer ≥ 100, got ${B}`);
  // trials without a response in time (response −1) carry no choice: left out of the proportions
  const rows = table.rows.filter((r) => r.condition === 'generalisation' && !r.attention_check && r.response >= 0);
  const flagged = new Set(table.attention.filter((a) => a.flagged).map((a) => a.participant));
  const participants = [...new Set(rows.map((r) => r.participant))].sort();
  const manipulations = MANIPULATIONS.filter((m) => rows.some((r) => r.manipulation === m));
  const levelsOf = new Map(manipulations.map((m) => [m, [...new Set(rows.filter((r) => r.manipulation === m).map((r) => key(r.level!)))].map(Number).sort((a, b) => a - b)]));
  // counts[participant][manipulation][level] = [original responses, trials]
  const counts = new Map<string, number[]>();
  for (const r of rows) {
    const k = `${r.participant}|${r.manipulation}|${key(r.level!)}`;
    const c = counts.get(k) ?? [0, 0];
    c[0] += isCorrect(r) ? 1 : 0;
    c[1]++;
    counts.set(k, c);
  }
  const proportion = (p: string, m: Manipulation, lv: number) => {
    const c = counts.get(`${p}|${m}|${key(lv)}`);
    return c && c[1] > 0 ? c[0] / c[1] : Number.NaN;
  };
  const perParticipant = participants.map((p) => ({
    participant: p,
    flagged: flagged.has(p),
    curves: manipulations.map((m): HumanCurve => {
      const levels = levelsOf.get(m)!;
      const y = levels.map((lv) => proportion(p, m, lv));
      return { manipulation: m, levels, proportion: y, trials: levels.map((lv) => counts.get(`${p}|${m}|${key(lv)}`)?.[1] ?? 0), ...summary(m, levels, y) };
    }),
  }));
  const included = participants.filter((p) => !flagged.has(p));
  const rng = new Rng(seed);
  const pooled = manipulations.map((m): PooledCurve => {
    const levels = levelsOf.get(m)!;
    // [participant][level] proportions of the included participants
    const Y = included.map((p) => levels.map((lv) => proportion(p, m, lv)));
    const meanOf = (idx: number[]) => levels.map((_, l) => {
      let s = 0, n = 0;
      for (const i of idx) if (Number.isFinite(Y[i][l])) { s += Y[i][l]; n++; }
      return n > 0 ? s / n : Number.NaN;
    });
    const all = included.map((_, i) => i);
    const mean = meanOf(all);
    const boots = levels.map(() => new Float64Array(B));
    const aucs = new Float64Array(B);
    for (let b = 0; b < B && included.length > 0; b++) {
      const idx = all.map(() => rng.below(included.length));
      const mb = meanOf(idx);
      mb.forEach((v, l) => (boots[l][b] = v));
      aucs[b] = summary(m, levels, mb).auc;
    }
    boots.forEach((x) => x.sort());
    aucs.sort();
    return {
      manipulation: m, levels, mean,
      lower: boots.map((x) => quantileSorted(x, 0.025)),
      upper: boots.map((x) => quantileSorted(x, 0.975)),
      participants: levels.map((_, l) => Y.filter((y) => Number.isFinite(y[l])).length),
      ...summary(m, levels, mean),
      aucInterval: [quantileSorted(aucs, 0.025), quantileSorted(aucs, 0.975)],
    };
  });
  return { perParticipant, pooled, included, bootstrap: { resamples: B, seed, level: 0.95 } };
}
