/**
 * The synthetic demographic norm of the ICT built-in model, in COEFFICIENT space (the GMF's linear
 * model). ICT ships no demographic labels, so everything here is synthetic and labelled so:
 *
 * 1. Directions (truth of the simulation): a hand-made displacement field per demographic variable
 *    (demographicFields: gender = a 3 % larger face with a heavier brow ridge, jaw and nose; age =
 *    sagging lower face, longer nose, thinner lips; groups A/B/C = nose width and bridge height, lip
 *    fullness, midface width), projected onto the ICT identity axes:
 *      β_j[k] = (axis_k · field_j) / sd_k,   rescaled to |β_j| = DIRECTION_NORM_SD[j] (coefficient sd).
 * 2. A sampled "scan population" (simulatePopulation): design rows x = (gender ±1, (age − 40)/20,
 *    one-hot group) and coefficients c = x·β + ε, ε ~ N(0, I).
 * 3. The linear model fitted on it (fitDemographicModel, ordinary least squares): β̂ = (XᵀX)⁻¹Xᵀ C.
 *    The identity coefficients of a face are the residuals c − x·β̂: uncorrelated with the
 *    demographics across the population, while the identity fields (axes) are unchanged and no
 *    component is removed. The model's shape directions are shapeDemo_j = Σ_k β̂_j[k] sd_k axis_k.
 */
import { createRng, gaussian } from '../seeded-rng';

export const DEMOGRAPHIC_NAMES = ['gender', 'age', 'ethnicity:A', 'ethnicity:B', 'ethnicity:C'];
export const ETHNICITY_GROUPS = ['A', 'B', 'C'];
export const AGE_REFERENCE = 40;
export const AGE_PER_UNIT = 20;
export const AGE_RANGE: [number, number] = [18, 75];
/** |β_j| in coefficient sd per unit of the demographic variable. */
export const DIRECTION_NORM_SD = [3, 3.5, 3, 3, 3];

export interface DemographicLandmarks {
  /** mm positions. */
  noseTip: number[]; chin: number[]; browCentre: number[]; mouthCentre: number[]; eyeCentre: number[];
  noseHalfWidth: number;
}

const bump = (d2: number, sigma: number) => Math.exp(-d2 / (2 * sigma * sigma));
const dist2 = (m: Float32Array, v: number, p: number[]) => (m[v * 3] - p[0]) ** 2 + (m[v * 3 + 1] - p[1]) ** 2 + (m[v * 3 + 2] - p[2]) ** 2;

/** The synthetic displacement fields [V*3] mm per unit of each demographic variable (see file comment). */
export function demographicFields(mean: Float32Array, skin: Float32Array, lm: DemographicLandmarks): Float64Array[] {
  const V = skin.length;
  const f = () => new Float64Array(V * 3);
  const gender = f(), age = f(), A = f(), B = f(), C = f();
  const centre = [0, (lm.eyeCentre[1] + lm.chin[1]) / 2, lm.noseTip[2] - 90];
  for (let v = 0; v < V; v++) {
    const w = skin[v];
    if (w === 0) continue;
    const x = mean[v * 3], y = mean[v * 3 + 1], z = mean[v * 3 + 2];
    // Gender (+1 = male): larger face, brow ridge forward, wider jaw, bigger nose.
    const brow = bump(dist2(mean, v, lm.browCentre) + x * x * 0.15, 18);
    const jaw = y < lm.mouthCentre[1] ? Math.min(1, (lm.mouthCentre[1] - y) / 30) : 0;
    const nose = bump(dist2(mean, v, lm.noseTip), 14);
    gender[v * 3] = w * (0.03 * x + 3 * Math.sign(x) * jaw * Math.min(1, Math.abs(x) / 40));
    gender[v * 3 + 1] = w * 0.03 * (y - centre[1]);
    gender[v * 3 + 2] = w * (0.03 * (z - centre[2]) + 2.5 * brow + 2 * nose);
    // Age (+1 = +20 years): sagging lower face and cheeks, longer nose, thinner lips.
    const lower = y < lm.noseTip[1] ? Math.min(1, (lm.noseTip[1] - y) / 40) : 0;
    const lips = bump(dist2(mean, v, lm.mouthCentre), 9);
    age[v * 3 + 1] = w * (-2.5 * lower - 1.5 * nose);
    age[v * 3 + 2] = w * (-1.2 * lips - 1 * lower);
    age[v * 3] = w * 1.5 * Math.sign(x) * lower * Math.min(1, Math.abs(x) / 45);
    // Groups: nose width / bridge, lips, midface width.
    const alar = bump(dist2(mean, v, [0, lm.noseTip[1] - 8, lm.noseTip[2] - 12]), 10);
    const bridge = bump((x * x) + (y - lm.eyeCentre[1]) ** 2, 10) * (z > lm.eyeCentre[2] ? 1 : 0);
    const mid = bump((y - (lm.eyeCentre[1] + lm.noseTip[1]) / 2) ** 2, 18) * Math.min(1, Math.abs(x) / 50);
    A[v * 3] = w * -2.5 * Math.sign(x) * alar; A[v * 3 + 2] = w * (2.5 * bridge - 1 * lips);
    B[v * 3] = w * 3 * Math.sign(x) * alar; B[v * 3 + 2] = w * (-1.5 * bridge + 2 * lips);
    C[v * 3] = w * 3.5 * Math.sign(x) * mid; C[v * 3 + 2] = w * (-1.5 * brow - 1 * bridge);
  }
  return [gender, age, A, B, C];
}

/** β_j[k] = (axis_k · field_j) / sd_k, rescaled to DIRECTION_NORM_SD[j]. axes: [K][N] rows. */
export function directionsInCoefficientSpace(axes: Float32Array, sd: Float32Array, fields: Float64Array[]): Float64Array[] {
  const K = sd.length;
  const N = axes.length / K;
  return fields.map((field, j) => {
    const beta = new Float64Array(K);
    for (let k = 0; k < K; k++) { let s = 0; for (let i = 0; i < N; i++) s += axes[k * N + i] * field[i]; beta[k] = s / sd[k]; }
    const n = Math.hypot(...beta);
    for (let k = 0; k < K; k++) beta[k] *= DIRECTION_NORM_SD[j] / n;
    return beta;
  });
}

export interface Population {
  /** [n] rows of the design (gender, age units, one-hot A, B, C). */
  x: Float64Array[];
  /** [n] raw coefficient vectors [K]. */
  c: Float64Array[];
  ageYears: Float64Array;
}

/** A seeded synthetic population: c = x·β + ε (see file comment). Balanced gender and groups, uniform age. */
export function simulatePopulation(beta: Float64Array[], seed: number, n: number): Population {
  const K = beta[0].length;
  const rng = createRng(seed);
  const x: Float64Array[] = [], c: Float64Array[] = [];
  const ageYears = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(5);
    row[0] = i % 2 === 0 ? -1 : 1;
    ageYears[i] = AGE_RANGE[0] + (AGE_RANGE[1] - AGE_RANGE[0]) * rng();
    row[1] = (ageYears[i] - AGE_REFERENCE) / AGE_PER_UNIT;
    row[2 + (Math.floor(i / 2) % 3)] = 1;
    const ci = new Float64Array(K);
    for (let k = 0; k < K; k++) { let s = gaussian(rng); for (let j = 0; j < 5; j++) s += row[j] * beta[j][k]; ci[k] = s; }
    x.push(row); c.push(ci);
  }
  return { x, c, ageYears };
}

/** Ordinary least squares β̂ [5][K] of c on x (the one-hot groups act as intercepts). */
export function fitDemographicModel(pop: Population): Float64Array[] {
  const D = 5, K = pop.c[0].length;
  const XtX = new Float64Array(D * D);
  const XtC = Array.from({ length: D }, () => new Float64Array(K));
  pop.x.forEach((x, i) => {
    for (let a = 0; a < D; a++) {
      for (let b = 0; b < D; b++) XtX[a * D + b] += x[a] * x[b];
      if (x[a] !== 0) for (let k = 0; k < K; k++) XtC[a][k] += x[a] * pop.c[i][k];
    }
  });
  // Gauss-Jordan inverse of the 5×5 normal matrix.
  const A = Array.from({ length: D }, (_, r) => [...Array.from(XtX.subarray(r * D, r * D + D)), ...Array.from({ length: D }, (_, c) => (c === r ? 1 : 0))]);
  for (let col = 0; col < D; col++) {
    let piv = col;
    for (let r = col + 1; r < D; r++) if (Math.abs(A[r][col]) > Math.abs(A[piv][col])) piv = r;
    [A[col], A[piv]] = [A[piv], A[col]];
    const p = A[col][col];
    if (Math.abs(p) < 1e-12) throw new Error('fitDemographicModel: the design is singular (a demographic variable does not vary)');
    for (let c = 0; c < 2 * D; c++) A[col][c] /= p;
    for (let r = 0; r < D; r++) if (r !== col) { const f = A[r][col]; for (let c = 0; c < 2 * D; c++) A[r][c] -= f * A[col][c]; }
  }
  return Array.from({ length: D }, (_, a) => {
    const out = new Float64Array(K);
    for (let b = 0; b < D; b++) { const w = A[a][D + b]; for (let k = 0; k < K; k++) out[k] += w * XtC[b][k]; }
    return out;
  });
}

/** Identity coefficients of a population under a fitted model: the residuals c − x·β̂. */
export function identityResiduals(pop: Population, betaHat: Float64Array[]): Float64Array[] {
  return pop.c.map((c, i) => {
    const r = Float64Array.from(c);
    for (let j = 0; j < betaHat.length; j++) { const x = pop.x[i][j]; if (x !== 0) for (let k = 0; k < r.length; k++) r[k] -= x * betaHat[j][k]; }
    return r;
  });
}

/** The seeds of the population the shipped norm is fitted on, and its size. */
export const NORM_FIT_SEED = 0xa11ce;
export const NORM_TRUTH_SEED = 0x5eed;
export const NORM_FIT_SIZE = 50_000;
