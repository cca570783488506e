/**
 * FWER calibration of the reverse-correlation maps: null runs, with a response independent of the
 * noise (no planted response), under a noise basis. With the maximum-statistic threshold at α, a
 * run has any significant vertex with probability ≤ α; over N runs the count of runs with any
 * significant vertex is Binomial(N, α) at most, whose one-sided 95 % upper bound at N = 100,
 * α = 0.05 is 9 (P(X ≥ 10) = 0.028 < 0.05 ≤ P(X ≥ 9) = 0.063).
 */
import type { FaceModel } from '../faces/model';
import { createRng, hashInts } from '../faces';
import { informationMap } from './maps';
import { drawNoise, noiseFeatures, type NoiseBasis } from './noise';
import type { BubbleOptions } from './bases/bubbles';
import { surfaceTfce } from './oracle';

export interface FwerCalibrationOptions {
  basis: NoiseBasis;
  kind: 'shape' | 'texture';
  runs: number;
  trials: number;
  permutations: number;
  alpha: number;
  seed: number;
  tfce?: boolean;
  bubbles?: BubbleOptions;
}

export interface FwerCalibration {
  runs: number;
  /** Runs with at least one significant vertex. */
  runsWithAny: number;
  /** runsWithAny / runs. */
  rate: number;
  /** Significant vertices per run. */
  significantPerRun: number[];
  /** The one-sided 95 % binomial upper bound of runsWithAny for a true rate α (9 for 100 runs at 0.05). */
  bound: number;
}

/** The smallest k with P(X ≥ k + 1) < 0.05 for X ~ Binomial(n, p): runs above k reject a true rate p. */
export function binomialUpperBound(n: number, p: number, level = 0.05): number {
  let pmf = Math.pow(1 - p, n); // P(X = 0)
  let cdf = pmf;
  for (let k = 0; k < n; k++) {
    if (1 - cdf < level) return k;
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
    cdf += pmf;
  }
  return n;
}

export async function fwerCalibration(model: FaceModel, o: FwerCalibrationOptions, onRun: (i: number, significant: number) => void = () => {}): Promise<FwerCalibration> {
  const significantPerRun: number[] = [];
  const tfce = o.tfce ? surfaceTfce(model) : null;
  for (let i = 0; i < o.runs; i++) {
    const seed = hashInts(o.seed, i) >>> 1;
    const noise = drawNoise(model, {
      basis: o.basis, trials: o.trials, seed, bubbles: o.bubbles,
      shapeSd: o.kind === 'shape' ? (o.basis === 'coefficients' || o.basis === 'components' ? 0.5 : 1) : 0,
      textureSd: o.kind === 'texture' ? (o.basis === 'coefficients' || o.basis === 'components' ? 0.5 : 0.05) : 0,
    });
    const rng = createRng(hashInts(seed, 0x0dd));
    const y = Float64Array.from({ length: o.trials }, () => Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng()));
    const m = await informationMap(noiseFeatures(model, noise, o.kind), { kind: 'continuous', y },
      { permutations: o.permutations, alpha: o.alpha, seed: seed ^ 0x5eed, tfce });
    significantPerRun.push(m.significant.reduce((a, b) => a + b, 0));
    onRun(i + 1, significantPerRun[i]);
  }
  const runsWithAny = significantPerRun.filter((n) => n > 0).length;
  return { runs: o.runs, runsWithAny, rate: runsWithAny / o.runs, significantPerRun, bound: binomialUpperBound(o.runs, o.alpha) };
}
