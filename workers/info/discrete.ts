/**
 * MI (bits) between a Gaussian-modelled continuous x [dim][trial] and a discrete y with K classes.
 *
 * mi_model_gd: the ANOVA-style model, I = H(X) − Σ_y p(y) H(X|y), each entropy from a Gaussian fit
 *   (unconditional and per class), with the analytic bias correction per class size.
 * mi_mixture_gd: H(X) taken from the Gaussian mixture Σ_y p(y) N(m_y, C_y) instead of a single
 *   Gaussian; the mixture entropy is approximated by the unscented transform, with 2d sigma points
 *   per class at m_y ± √d · (column of the LOWER Cholesky factor L_y, C_y = L_y L_yᵀ). (The Python
 *   reference uses the upper factor's columns, which is wrong for d > 1; the MATLAB one is right.)
 */
import { LN2 } from './special';
import { cholesky, covariance, halfLogDet } from './covariance';
import { entropyBias, type GaussianOptions } from './gaussian';
import { type Continuous, type Discrete, type Samples, asLabels, asSamples, enoughTrials } from './validate';

/** Split x [dim][trial] by class: per class, a Samples holding that class's trials in sample order. */
export function splitByClass(s: Samples, labels: Int32Array, k: number): Samples[] {
  const counts = new Int32Array(k);
  for (const c of labels) counts[c]++;
  const parts = Array.from(counts, (n) => ({ data: new Float64Array(n * s.dims), dims: s.dims, trials: n }));
  const fill = new Int32Array(k);
  for (let t = 0; t < s.trials; t++) {
    const c = labels[t];
    const p = parts[c];
    const j = fill[c]++;
    for (let d = 0; d < s.dims; d++) p.data[d * p.trials + j] = s.data[d * s.trials + t];
  }
  return parts;
}

export function checkDiscreteArgs(x: Continuous, y: Discrete, k: number): { s: Samples; labels: Int32Array } {
  const s = asSamples(x, 'x');
  enoughTrials(s.trials, s.dims, 'x');
  const labels = asLabels(y, k, s.trials, 'y', s.dims);
  return { s, labels };
}

/** mi_model_gd (bits). */
export function miModelGD(x: Continuous, y: Discrete, k: number, opts: GaussianOptions = {}): number {
  const { s, labels } = checkDiscreteArgs(x, y, k);
  return miModelGDSamples(s, labels, k, opts);
}

export function miModelGDSamples(s: Samples, labels: Int32Array, k: number, opts: GaussianOptions = {}): number {
  const d = s.dims;
  const n = s.trials;
  const bias = opts.biasCorrect ?? true;
  let hcond = 0;
  for (const part of splitByClass(s, labels, k)) {
    let h = halfLogDet(cholesky(covariance(part.data, d, part.trials, true), d, 'x (within a class of y)'), d);
    if (bias) h -= entropyBias(d, part.trials);
    hcond += (part.trials / n) * h;
  }
  let hunc = halfLogDet(cholesky(covariance(s.data, d, n, !(opts.demeaned ?? false)), d, 'x'), d);
  if (bias) hunc -= entropyBias(d, n);
  return (hunc - hcond) / LN2;
}

/** log N(p; m, L Lᵀ) at point p (nats). */
function logGaussian(p: Float64Array, m: Float64Array, l: Float64Array, logDetHalf: number, d: number): number {
  let q = 0;
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let v = p[i] - m[i];
    for (let j = 0; j < i; j++) v -= l[i * d + j] * z[j];
    z[i] = v / l[i * d + i];
    q += z[i] * z[i];
  }
  return -0.5 * q - logDetHalf - 0.5 * d * Math.log(2 * Math.PI);
}

/** mi_mixture_gd (bits), no bias correction (as the reference). */
export function miMixtureGD(x: Continuous, y: Discrete, k: number): number {
  const { s, labels } = checkDiscreteArgs(x, y, k);
  return miMixtureGDSamples(s, labels, k);
}

/**
 * sigmaPoints 'upper' reproduces the Python reference's orientation (columns of Lᵀ) and exists only
 * so that tests can show why it is wrong; use the default.
 */
export function miMixtureGDSamples(s: Samples, labels: Int32Array, k: number, sigmaPoints: 'lower' | 'upper' = 'lower'): number {
  const d = s.dims;
  const parts = splitByClass(s, labels, k);
  const w = parts.map((p) => p.trials / s.trials);
  const means = parts.map((p) => {
    const m = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let t = 0;
      for (let j = 0; j < p.trials; j++) t += p.data[i * p.trials + j];
      m[i] = t / p.trials;
    }
    return m;
  });
  const chols = parts.map((p) => cholesky(covariance(p.data, d, p.trials, true), d, 'x (within a class of y)'));
  const hld = chols.map((l) => halfLogDet(l, d));
  // conditional entropy: Σ p(y) H(N(m_y, C_y)), with constants
  let hcond = 0;
  for (let c = 0; c < k; c++) hcond += w[c] * (hld[c] + 0.5 * d * (Math.log(2 * Math.PI) + 1));
  // mixture entropy by the unscented transform
  const scale = Math.sqrt(d);
  const point = new Float64Array(d);
  const logp = new Float64Array(k);
  let hmix = 0;
  for (let c = 0; c < k; c++) {
    let meanLog = 0;
    for (let col = 0; col < d; col++) {
      for (const sign of [1, -1]) {
        // sigma point: m_c ± √d · L_c[:, col]
        const l = chols[c];
        for (let i = 0; i < d; i++) point[i] = means[c][i] + sign * scale * (sigmaPoints === 'lower' ? l[i * d + col] : l[col * d + i]);
        let mx = -Infinity;
        for (let m = 0; m < k; m++) {
          logp[m] = Math.log(w[m]) + logGaussian(point, means[m], chols[m], hld[m], d);
          if (logp[m] > mx) mx = logp[m];
        }
        let se = 0;
        for (let m = 0; m < k; m++) se += Math.exp(logp[m] - mx);
        meanLog += mx + Math.log(se);
      }
    }
    hmix -= w[c] * (meanLog / (2 * d));
  }
  return (hmix - hcond) / LN2;
}
