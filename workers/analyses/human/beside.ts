/**
 * Humans beside the network, on one scale: the similarity measures a dashboard shows next to the
 * side-by-side curves and maps.
 *
 * Curves: a person's answer is one choice, so their proportion of "original identity" answers is
 * compared with the network's top-1 accuracy (the fraction of its choices that are the original) at
 * the levels both were measured at (levels matched to 1e-4): Pearson r over those levels (NaN below
 * 3), root-mean-square difference, and how many network values fall inside the humans' 95 %
 * bootstrap interval. Maps: both are per-vertex MI in bits with FWER masks, compared by
 * map-agreement.ts (Pearson, Spearman, Dice of top and significant sets).
 */
import type { GeneralisationCurve, Manipulation } from '../../contract/result-bundles';
import { mapAgreement, pearson, type MapAgreement } from '../map-agreement';
import type { FweMap } from '../maps';
import type { PooledCurve } from './generalisation';

export interface CurveBeside {
  manipulation: Manipulation;
  levels: number[];
  human: number[];
  humanLower: number[];
  humanUpper: number[];
  /** The network's top-1 accuracy and P(original) at the same levels. */
  networkAccuracy: number[];
  networkProbability: number[];
  pearson: number;
  rmse: number;
  /** Levels where the network's accuracy lies inside the humans' interval. */
  networkInsideHumanInterval: number;
}

export function curvesBeside(human: PooledCurve[], network: Pick<GeneralisationCurve, 'manipulation' | 'levels' | 'accuracy' | 'probability'>[]): CurveBeside[] {
  const out: CurveBeside[] = [];
  for (const h of human) {
    const n = network.find((c) => c.manipulation === h.manipulation);
    if (!n) continue;
    const idx: [number, number][] = [];
    h.levels.forEach((lv, i) => {
      const j = n.levels.findIndex((x) => Math.abs(x - lv) < 1e-4);
      if (j >= 0 && Number.isFinite(h.mean[i])) idx.push([i, j]);
    });
    if (idx.length === 0) continue;
    const hm = idx.map(([i]) => h.mean[i]);
    const na = idx.map(([, j]) => n.accuracy[j]);
    let ss = 0, inside = 0;
    idx.forEach(([i, j], q) => {
      ss += (hm[q] - na[q]) ** 2;
      if (n.accuracy[j] >= h.lower[i] && n.accuracy[j] <= h.upper[i]) inside++;
    });
    out.push({
      manipulation: h.manipulation,
      levels: idx.map(([i]) => h.levels[i]),
      human: hm,
      humanLower: idx.map(([i]) => h.lower[i]),
      humanUpper: idx.map(([i]) => h.upper[i]),
      networkAccuracy: na,
      networkProbability: idx.map(([, j]) => n.probability[j]),
      pearson: idx.length >= 3 ? pearson(hm, na) : Number.NaN,
      rmse: Math.sqrt(ss / idx.length),
      networkInsideHumanInterval: inside,
    });
  }
  return out;
}

/** The human map (bits, FWER mask) against the network's map of the same feature (bits [V], mask [V] optional). */
export function mapsBeside(human: FweMap, networkMi: ArrayLike<number>, networkSignificant?: Uint8Array): MapAgreement {
  return mapAgreement(human.mi, networkMi, { topFraction: 0.05, significantA: networkSignificant ? human.significant : undefined, significantB: networkSignificant });
}
