/**
 * Gaussian-copula MI estimators (Ince et al. 2017), in bits: copula-normalise each dimension of
 * each continuous variable, then apply the parametric Gaussian estimator, with bias correction.
 */
import { copnorm } from './copnorm';
import { cmiGGGSamples, miGGSamples } from './gaussian';
import { miMixtureGDSamples, miModelGDSamples, splitByClass } from './discrete';
import {
  type Continuous,
  type Discrete,
  type Samples,
  asLabels,
  asSamples,
  enoughTrials,
  sameTrials,
  warnRepeated,
} from './validate';

/** Constant dimensions carry no information and break the covariance: reject them by name. */
export function checkNotConstant(s: Samples, name: string): void {
  for (let d = 0; d < s.dims; d++) {
    const first = s.data[d * s.trials];
    let constant = true;
    for (let t = 1; t < s.trials && constant; t++) constant = s.data[d * s.trials + t] === first;
    if (constant) throw new RangeError(`${name}: dimension ${d} is constant (${first} on every trial)`);
  }
}

/** Validate, warn about repeated values, and copula-normalise a continuous argument. */
function prepare(x: Continuous, name: string): Samples {
  const s = asSamples(x, name);
  checkNotConstant(s, name);
  warnRepeated(s, name);
  return { data: copnorm(s.data, s.dims, s.trials), dims: s.dims, trials: s.trials };
}

/** gcmi_cc: MI (bits) between continuous x and y [dim][trial]. */
export function gcmiCC(x: Continuous, y: Continuous): number {
  const cx = prepare(x, 'x');
  const cy = prepare(y, 'y');
  sameTrials(cx, cy, 'x', 'y');
  return miGGSamples(cx, cy, { biasCorrect: true, demeaned: true });
}

/** gcmi_model_cd: MI (bits) between continuous x and discrete y (K classes), Gaussian ANOVA model. */
export function gcmiModelCD(x: Continuous, y: Discrete, k: number): number {
  const cx = prepare(x, 'x');
  enoughTrials(cx.trials, cx.dims, 'x');
  const labels = asLabels(y, k, cx.trials, 'y', cx.dims);
  return miModelGDSamples(cx, labels, k, { biasCorrect: true, demeaned: true });
}

function median(v: Float64Array): number {
  const s = Float64Array.from(v).sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * gcmi_mixture_cd: MI (bits) between continuous x and discrete y from a Gaussian mixture. Each
 * class is copula-normalised on its own and then placed at its median with a scale from its median
 * absolute deviation (1.4826·MAD, a robust s.d.), a robust fit of the mixture components.
 */
export function gcmiMixtureCD(x: Continuous, y: Discrete, k: number): number {
  const s = asSamples(x, 'x');
  checkNotConstant(s, 'x');
  warnRepeated(s, 'x');
  enoughTrials(s.trials, s.dims, 'x');
  const labels = asLabels(y, k, s.trials, 'y', s.dims);
  const parts = splitByClass(s, labels, k);
  const d = s.dims;
  const data = new Float64Array(s.data.length);
  const newLabels = new Int32Array(s.trials);
  let off = 0;
  parts.forEach((p, c) => {
    const cp = copnorm(p.data, d, p.trials);
    for (let i = 0; i < d; i++) {
      const row = p.data.subarray(i * p.trials, (i + 1) * p.trials);
      const med = median(row);
      const mad = median(row.map((v) => Math.abs(v - med)));
      for (let j = 0; j < p.trials; j++) data[i * s.trials + off + j] = cp[i * p.trials + j] * (1.482602218505602 * mad) + med;
    }
    newLabels.fill(c, off, off + p.trials);
    off += p.trials;
  });
  return miMixtureGDSamples({ data, dims: d, trials: s.trials }, newLabels, k);
}

/** gccmi_ccc: conditional MI (bits) I(X;Y|Z), all continuous. */
export function gccmiCCC(x: Continuous, y: Continuous, z: Continuous): number {
  const cx = prepare(x, 'x');
  const cy = prepare(y, 'y');
  const cz = prepare(z, 'z');
  sameTrials(cx, cy, 'x', 'y');
  sameTrials(cx, cz, 'x', 'z');
  return cmiGGGSamples(cx, cy, cz, { biasCorrect: true, demeaned: true });
}

/**
 * gccmi_ccd: I(X;Y|Z) (bits) for continuous x, y and discrete z (K classes): x and y are
 * copula-normalised within each class of z, cmi = Σ_z p(z) I(X;Y|z); also returns mi, the MI of
 * the pooled within-class copula-normalised data (demeaned, bias corrected).
 */
export function gccmiCCD(x: Continuous, y: Continuous, z: Discrete, k: number): { cmi: number; mi: number } {
  const sx = asSamples(x, 'x');
  const sy = asSamples(y, 'y');
  sameTrials(sx, sy, 'x', 'y');
  checkNotConstant(sx, 'x');
  checkNotConstant(sy, 'y');
  warnRepeated(sx, 'x');
  warnRepeated(sy, 'y');
  const labels = asLabels(z, k, sx.trials, 'z', sx.dims + sy.dims);
  const px = splitByClass(sx, labels, k);
  const py = splitByClass(sy, labels, k);
  const n = sx.trials;
  const pooledX = new Float64Array(sx.data.length);
  const pooledY = new Float64Array(sy.data.length);
  let cmi = 0;
  let off = 0;
  for (let c = 0; c < k; c++) {
    const m = px[c].trials;
    const cx: Samples = { data: copnorm(px[c].data, sx.dims, m), dims: sx.dims, trials: m };
    const cy: Samples = { data: copnorm(py[c].data, sy.dims, m), dims: sy.dims, trials: m };
    cmi += (m / n) * miGGSamples(cx, cy, { biasCorrect: true, demeaned: true });
    for (let i = 0; i < sx.dims; i++) pooledX.set(cx.data.subarray(i * m, (i + 1) * m), i * n + off);
    for (let i = 0; i < sy.dims; i++) pooledY.set(cy.data.subarray(i * m, (i + 1) * m), i * n + off);
    off += m;
  }
  const mi = miGGSamples({ data: pooledX, dims: sx.dims, trials: n }, { data: pooledY, dims: sy.dims, trials: n }, { biasCorrect: true, demeaned: false });
  return { cmi, mi };
}
