/**
 * Co-information of a feature F and a layer L about the decision D, written as the difference of
 * two terms from ONE estimator (Gaussian-copula, Ince et al. 2017), in bits:
 *
 *   C(F; L; D) = I(F; L) − I(F; L | D)
 *
 *   I(F; L)      gcmi_cc on the globally copula-normalised data (Gaussian estimator, bias corrected);
 *   I(F; L | D)  for discrete D (K classes): gccmi_ccd = Σ_d p(d) I(F; L | D = d), each class
 *                copula-normalised on its own, the same Gaussian estimator;
 *                for continuous D: gccmi_ccc, the Gaussian conditional MI of the copulas.
 *
 * C > 0: redundancy (the layer and the decision share information about the feature);
 * C < 0: synergy (the decision makes the layer more informative about the feature).
 * The sign convention is the opposite of synergy.ts's II = I(Y;X1,X2) − I(Y;X1) − I(Y;X2), which
 * equals −C for Gaussian variables.
 *
 * Null: D permuted across trials (P seeded permutations; I(F; L) is unchanged, only the
 * conditional term varies), two-sided p = (1 + #{|C_perm| ≥ |C|}) / (P + 1).
 *
 * Layout: f, l Samples {data [dim][trial]}, copula-normalised or raw (copnorm is rank-based, so
 * repeated normalisation is harmless); d Int32Array [trial] labels 0..K−1, or Float64Array [trial].
 */
import { copnorm } from './copnorm';
import { cmiGGGSamples, miGGSamples } from './gaussian';
import { splitByClass } from './discrete';
import { Rng } from './permutation-rng';
import type { Samples } from './validate';

export interface Coinformation {
  /** I(F; L) − I(F; L | D), bits: > 0 redundancy, < 0 synergy. */
  coinfo: number;
  /** I(F; L), bits. */
  miFL: number;
  /** I(F; L | D), bits. */
  cmiFLgivenD: number;
  kind: 'redundancy' | 'synergy';
}

export interface CoinformationTest extends Coinformation {
  /** Two-sided permutation p-value (NaN when permutations = 0). */
  p: number;
  permutations: number;
  /** [P] co-information of each permutation of D, bits. */
  nullCoinfo: Float64Array;
}

const cn = (s: Samples): Samples => ({ data: copnorm(s.data, s.dims, s.trials), dims: s.dims, trials: s.trials });

/** I(F; L | D) for discrete labels d (K classes): Σ_d p(d) I(F; L | D = d), bits. */
export function gccmiGivenDiscrete(f: Samples, l: Samples, d: Int32Array, k: number): number {
  return gccmiFromClassCopulas(classCopulas(f, d, k), classCopulas(l, d, k));
}

/** The within-class copulas of s ([class] Samples, empty classes have 0 trials): reusable across pairs. */
export function classCopulas(s: Samples, d: Int32Array, k: number): Samples[] {
  return splitByClass(s, d, k).map((p) => (p.trials > 0 ? cn(p) : p));
}

/** Σ_d p(d) I(F; L | D = d) (bits) from within-class copulas of F and of L (classCopulas). */
export function gccmiFromClassCopulas(fc: Samples[], lc: Samples[]): number {
  const n = fc.reduce((a, s) => a + s.trials, 0);
  let cmi = 0;
  for (let c = 0; c < fc.length; c++) {
    const m = fc[c].trials;
    if (m === 0) continue;
    cmi += (m / n) * miGGSamples(fc[c], lc[c], { biasCorrect: true, demeaned: false });
  }
  return cmi;
}

/** I(F; L | D) for continuous d [trial], bits. */
export function gccmiGivenContinuous(f: Samples, l: Samples, d: Float64Array): number {
  const sd: Samples = { data: copnorm(d, 1, d.length), dims: 1, trials: d.length };
  return cmiGGGSamples(cn(f), cn(l), sd, { biasCorrect: true, demeaned: true });
}

const label = (c: number): Coinformation['kind'] => (c >= 0 ? 'redundancy' : 'synergy');

/** C(F; L; D) = I(F; L) − I(F; L | D), bits. d: Int32Array labels with k classes, or Float64Array. */
export function coinformationFLD(f: Samples, l: Samples, d: Int32Array | Float64Array, k = 2): Coinformation {
  const miFL = miGGSamples(cn(f), cn(l), { biasCorrect: true, demeaned: true });
  const cmiFLgivenD = d instanceof Int32Array ? gccmiGivenDiscrete(f, l, d, k) : gccmiGivenContinuous(f, l, d);
  const coinfo = miFL - cmiFLgivenD;
  return { coinfo, miFL, cmiFLgivenD, kind: label(coinfo) };
}

/** Permutes d with a seeded RNG into out (a copy). */
function permuted<T extends Int32Array | Float64Array>(d: T, order: Int32Array, out: T): T {
  for (let i = 0; i < order.length; i++) out[i] = d[order[i]];
  return out;
}

/**
 * Co-information with its permutation null (D shuffled across trials). `statistic` lets a caller
 * average over several features (e.g. the diagnostic vertices): it receives a D and returns C.
 */
export function coinformationTest(f: Samples, l: Samples, d: Int32Array | Float64Array, { k = 2, permutations = 200, seed = 1 } = {}): CoinformationTest {
  const observed = coinformationFLD(f, l, d, k);
  const r = permutationTestOfD((dd) => coinformationFLD(f, l, dd, k).coinfo, observed.coinfo, d, permutations, seed);
  return { ...observed, ...r };
}

/**
 * The permutation null of any co-information statistic c(D): D shuffled P times (seeded);
 * two-sided p = (1 + #{|c_perm| ≥ |c_obs|}) / (P + 1).
 */
export function permutationTestOfD<T extends Int32Array | Float64Array>(c: (d: T) => number, observed: number, d: T, permutations: number, seed: number): { p: number; permutations: number; nullCoinfo: Float64Array } {
  const nullCoinfo = new Float64Array(permutations);
  if (permutations === 0) return { p: NaN, permutations, nullCoinfo };
  const rng = new Rng(seed);
  const order = new Int32Array(d.length);
  const buf = (d instanceof Int32Array ? new Int32Array(d.length) : new Float64Array(d.length)) as T;
  let exceed = 0;
  for (let p = 0; p < permutations; p++) {
    rng.permutation(d.length, order);
    nullCoinfo[p] = c(permuted(d, order, buf));
    if (!(Math.abs(nullCoinfo[p]) < Math.abs(observed))) exceed++;
  }
  return { p: (1 + exceed) / (permutations + 1), permutations, nullCoinfo };
}

/**
 * Analytic co-information (bits) of three jointly Gaussian scalars from their correlations:
 * I(F;L) = −½ log2(1 − ρ²_FL), I(F;L|D) = −½ log2(1 − ρ²_FL·D) with the partial correlation
 * ρ_FL·D = (ρ_FL − ρ_FD ρ_LD) / √((1 − ρ²_FD)(1 − ρ²_LD)).
 */
export function gaussianCoinformation(rhoFL: number, rhoFD: number, rhoLD: number): number {
  const partial = (rhoFL - rhoFD * rhoLD) / Math.sqrt((1 - rhoFD ** 2) * (1 - rhoLD ** 2));
  return -0.5 * Math.log2(1 - rhoFL ** 2) + 0.5 * Math.log2(1 - partial ** 2);
}
