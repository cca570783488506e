/**
 * InformationMap kernels: MI (bits) between every variable of a map and one response.
 *
 * Layout: x is a Float64Array [variable][dim][trial] (nVar × nDim × nTrial values), e.g. per
 * vertex its 3D displacement on every trial. The response y is continuous (Float64Array [trial])
 * or discrete (Int32Array [trial], labels 0..K−1). Sums are accumulated in one pass over the
 * trials per variable; the small covariance matrices are then factored in closed form.
 *
 * For continuous y, I(X;Y) = −½ log₂(1 − R²) + bias, where R² = cᵀ Cx⁻¹ c / Cyy is the squared
 * multiple correlation (c = cov(X, y)); this equals H(X) + H(Y) − H(X,Y) of the reference and makes
 * the bias correction a constant: ψ-terms of (d+1) dims minus those of d dims and of 1 dim.
 */
import { copnorm } from './copnorm';
import { entropyBias } from './gaussian';
import { cholesky, halfLogDet } from './covariance';
import { LN2 } from './special';
import { asLabels, checkFinite, enoughTrials, warn } from './validate';

export interface MapOptions {
  /** copula-normalise every row of x and y first (default true); false: x, y are used as given */
  copnorm?: boolean;
  /** analytic bias correction (default true) */
  biasCorrect?: boolean;
  /** treat x and y as zero-mean (default: true when copnorm is on, since copula scores have zero mean) */
  demeaned?: boolean;
}

export function checkMapArgs(x: Float64Array, nVar: number, nDim: number, nTrial: number): void {
  for (const [name, v] of [['nVar', nVar], ['nDim', nDim], ['nTrial', nTrial]] as const)
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name}: must be a positive integer, got ${v}`);
  if (!(x instanceof Float64Array)) throw new TypeError('x: must be a Float64Array laid out [variable][dim][trial]');
  if (x.length !== nVar * nDim * nTrial)
    throw new RangeError(`x: has ${x.length} values, expected nVar × nDim × nTrial = ${nVar * nDim * nTrial}`);
  enoughTrials(nTrial, nDim + 1, 'nTrial');
  checkFinite(x, 'x');
}

/**
 * Copula-normalise a map's x (into `out` if given) and find its constant variables. Warns, naming
 * x, when rows have more than 10% repeated values (as the reference does) or are constant; a
 * variable with a constant dimension gets NaN in every map (it carries no information, and after
 * the rank transform it would look like an arbitrary trial order). With cn = false x is used as is.
 */
export function prepareMapX(x: Float64Array, nVar: number, nDim: number, nTrial: number, cn: boolean, out?: Float64Array): { cx: Float64Array; constant: Uint8Array } {
  const rows = nVar * nDim;
  const repeated = new Int32Array(rows);
  let cx: Float64Array;
  if (cn) cx = copnorm(x, rows, nTrial, out, repeated);
  else {
    cx = out ? (out.set(x), out) : x;
    for (let r = 0; r < rows; r++) {
      const first = x[r * nTrial];
      let same = true;
      for (let t = 1; t < nTrial && same; t++) same = x[r * nTrial + t] === first;
      if (same) repeated[r] = nTrial - 1;
    }
  }
  return { cx, constant: constantVariables(repeated, nVar, nDim, nTrial) };
}

/**
 * Variables with a constant dimension (1) from each row's count of repeated values (copnorm's
 * `repeated`, [variable·nDim + dim]); warns about them and about rows with more than 10% repeats.
 */
export function constantVariables(repeated: Int32Array, nVar: number, nDim: number, nTrial: number): Uint8Array {
  const rows = nVar * nDim;
  const constant = new Uint8Array(nVar);
  let nConstant = 0;
  let nRepeated = 0;
  let firstRepeated = -1;
  for (let r = 0; r < rows; r++) {
    if (repeated[r] >= nTrial - 1) {
      if (!constant[Math.floor(r / nDim)]) nConstant++;
      constant[Math.floor(r / nDim)] = 1;
    } else if (repeated[r] > 0.1 * nTrial) {
      nRepeated++;
      if (firstRepeated < 0) firstRepeated = r;
    }
  }
  if (nConstant > 0) warn(`x: ${nConstant} variable(s) have a constant dimension; their MI is NaN`);
  if (nRepeated > 0)
    warn(`x: ${nRepeated} row(s) have more than 10% repeated values (first: variable ${Math.floor(firstRepeated / nDim)}, dim ${firstRepeated % nDim})`);
  return constant;
}

/** Constant offset (bits) that the bias correction adds to a cc map value: d-dim x, 1-dim y. */
export function ccBiasBits(nDim: number, nTrial: number): number {
  return (entropyBias(nDim + 1, nTrial) - entropyBias(nDim, nTrial) - entropyBias(1, nTrial)) / LN2;
}

/**
 * Squared multiple correlation R² = cᵀ C⁻¹ c / cyy for a d×d covariance C (row-major in cxx, at
 * offset 0), cross-covariance c, closed form for d ≤ 3 via the Cholesky factor, generic beyond.
 */
export function multipleR2(cxx: Float64Array, c: Float64Array, cyy: number, d: number): number {
  if (d === 1) return (c[0] * c[0]) / (cxx[0] * cyy);
  if (d === 2) {
    const l00 = Math.sqrt(cxx[0]);
    const l10 = cxx[2] / l00;
    const l11 = Math.sqrt(cxx[3] - l10 * l10);
    const z0 = c[0] / l00;
    const z1 = (c[1] - l10 * z0) / l11;
    return (z0 * z0 + z1 * z1) / cyy;
  }
  if (d === 3) {
    const l00 = Math.sqrt(cxx[0]);
    const l10 = cxx[3] / l00;
    const l20 = cxx[6] / l00;
    const l11 = Math.sqrt(cxx[4] - l10 * l10);
    const l21 = (cxx[7] - l20 * l10) / l11;
    const l22 = Math.sqrt(cxx[8] - l20 * l20 - l21 * l21);
    const z0 = c[0] / l00;
    const z1 = (c[1] - l10 * z0) / l11;
    const z2 = (c[2] - l20 * z0 - l21 * z1) / l22;
    return (z0 * z0 + z1 * z1 + z2 * z2) / cyy;
  }
  const l = cholesky(cxx, d, 'x');
  let s = 0;
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let v = c[i];
    for (let k = 0; k < i; k++) v -= l[i * d + k] * z[k];
    z[i] = v / l[i * d + i];
    s += z[i] * z[i];
  }
  return s / cyy;
}

/** Check a continuous response and copula-normalise it (cn). */
export function prepareY(y: Float64Array, nTrial: number, cn: boolean): Float64Array {
  if (!(y instanceof Float64Array)) throw new TypeError('y: must be a Float64Array [trial] (use gcmiMapCD for discrete y)');
  if (y.length !== nTrial) throw new RangeError(`y: has ${y.length} values, expected nTrial = ${nTrial}`);
  checkFinite(y, 'y');
  const first = y[0];
  if (y.every((v) => v === first)) throw new RangeError('y: is constant (it carries no information)');
  return cn ? copnorm(y, 1, nTrial) : y;
}

/**
 * MI (bits) between each variable of x [variable][dim][trial] and continuous y [trial]. Variables
 * that are constant get NaN with a warning (they carry no information and have no covariance).
 */
export function gcmiMapCC(x: Float64Array, nVar: number, nDim: number, nTrial: number, y: Float64Array, opts: MapOptions = {}): Float64Array {
  checkMapArgs(x, nVar, nDim, nTrial);
  const cn = opts.copnorm ?? true;
  const demeaned = opts.demeaned ?? cn;
  const cy = prepareY(y, nTrial, cn);
  const { cx, constant } = prepareMapX(x, nVar, nDim, nTrial, cn);
  return miMapCCKernel(cx, nVar, nDim, nTrial, cy, opts.biasCorrect ?? true, demeaned, 0, nVar, constant);
}

/** Covariances (÷ (n−1)) of a 3-D variable at `base` and of its dims with y, in one pass. */
function sums3(cx: Float64Array, base: number, n: number, mean: Float64Array, cy: Float64Array, my: number, cxx: Float64Array, c: Float64Array): void {
  const o0 = base;
  const o1 = base + n;
  const o2 = base + 2 * n;
  const m0 = mean[0];
  const m1 = mean[1];
  const m2 = mean[2];
  let s00 = 0, s01 = 0, s02 = 0, s11 = 0, s12 = 0, s22 = 0, s0y = 0, s1y = 0, s2y = 0;
  for (let t = 0; t < n; t++) {
    const a = cx[o0 + t] - m0;
    const b = cx[o1 + t] - m1;
    const e = cx[o2 + t] - m2;
    const w = cy[t] - my;
    s00 += a * a; s01 += a * b; s02 += a * e; s0y += a * w;
    s11 += b * b; s12 += b * e; s1y += b * w;
    s22 += e * e; s2y += e * w;
  }
  const f = 1 / (n - 1);
  cxx[0] = s00 * f; cxx[1] = cxx[3] = s01 * f; cxx[2] = cxx[6] = s02 * f;
  cxx[4] = s11 * f; cxx[5] = cxx[7] = s12 * f; cxx[8] = s22 * f;
  c[0] = s0y * f; c[1] = s1y * f; c[2] = s2y * f;
}

/**
 * The cc kernel on variables [from, to) of prepared data; output indexed from 0. Degenerate
 * variables get NaN and a warning, or their count goes to `onDegenerate` instead (callers that
 * work chunk by chunk warn once).
 */
export function miMapCCKernel(cx: Float64Array, nVar: number, nDim: number, n: number, cy: Float64Array, bias: boolean, demeaned: boolean, from: number, to: number, skip?: Uint8Array, onDegenerate?: (count: number) => void): Float64Array {
  const out = new Float64Array(to - from);
  let my = 0;
  if (!demeaned) {
    for (let t = 0; t < n; t++) my += cy[t];
    my /= n;
  }
  let syy = 0;
  for (let t = 0; t < n; t++) syy += (cy[t] - my) * (cy[t] - my);
  const cyy = syy / (n - 1);
  const offset = bias ? ccBiasBits(nDim, n) : 0;
  const d = nDim;
  const cxx = new Float64Array(d * d);
  const c = new Float64Array(d);
  const mean = new Float64Array(d);
  let constantVars = 0;
  for (let v = from; v < to; v++) {
    const base = v * d * n;
    if (skip?.[v]) {
      out[v - from] = NaN;
      continue;
    }
    for (let i = 0; i < d; i++) {
      let m = 0;
      if (!demeaned) {
        for (let t = 0; t < n; t++) m += cx[base + i * n + t];
        m /= n;
      }
      mean[i] = m;
    }
    if (d === 3) {
      // the common case (a vertex's 3-D displacement): all nine sums in one pass over the trials
      sums3(cx, base, n, mean, cy, my, cxx, c);
    } else {
      // one pass over trials per (i, j) pair: cross-products with y and within x
      for (let i = 0; i < d; i++) {
        const oi = base + i * n;
        const mi = mean[i];
        let sxy = 0;
        let sii = 0;
        for (let t = 0; t < n; t++) {
          const a = cx[oi + t] - mi;
          sxy += a * cy[t];
          sii += a * a;
        }
        c[i] = sxy / (n - 1);
        cxx[i * d + i] = sii / (n - 1);
        for (let j = 0; j < i; j++) {
          const oj = base + j * n;
          const mj = mean[j];
          let sij = 0;
          for (let t = 0; t < n; t++) sij += (cx[oi + t] - mi) * (cx[oj + t] - mj);
          cxx[i * d + j] = cxx[j * d + i] = sij / (n - 1);
        }
      }
    }
    const r2 = multipleR2(cxx, c, cyy, d);
    if (!(r2 >= 0 && r2 < 1)) {
      constantVars++;
      out[v - from] = NaN;
      continue;
    }
    out[v - from] = -0.5 * Math.log1p(-r2) / LN2 + offset;
  }
  if (onDegenerate) onDegenerate(constantVars);
  else if (constantVars > 0) warn(`x: ${constantVars} variable(s) are constant or degenerate; their MI is NaN`);
  return out;
}

/**
 * MI (bits) between each variable of x [variable][dim][trial] and discrete y [trial] with K
 * classes (the Gaussian model of mi_model_gd: H(X) − Σ p(y) H(X|y)).
 */
export function gcmiMapCD(x: Float64Array, nVar: number, nDim: number, nTrial: number, y: Int32Array | readonly number[], k: number, opts: MapOptions = {}): Float64Array {
  checkMapArgs(x, nVar, nDim, nTrial);
  const labels = asLabels(y, k, nTrial, 'y', nDim);
  const cn = opts.copnorm ?? true;
  const demeaned = opts.demeaned ?? cn;
  const { cx, constant } = prepareMapX(x, nVar, nDim, nTrial, cn);
  return miMapCDKernel(cx, nVar, nDim, nTrial, labels, k, opts.biasCorrect ?? true, demeaned, 0, nVar, constant);
}

export function miMapCDKernel(cx: Float64Array, nVar: number, d: number, n: number, labels: Int32Array, k: number, bias: boolean, demeaned: boolean, from: number, to: number, skip?: Uint8Array): Float64Array {
  const out = new Float64Array(to - from);
  const counts = new Float64Array(k);
  for (let t = 0; t < n; t++) counts[labels[t]]++;
  const classBias = Array.from(counts, (m) => (bias ? entropyBias(d, m) : 0));
  const uncBias = bias ? entropyBias(d, n) : 0;
  // per class: sums of x (d) and of products x_i x_j (d×d, lower triangle used)
  const s1 = new Float64Array(k * d);
  const s2 = new Float64Array(k * d * d);
  const cov = new Float64Array(d * d);
  const shift = new Float64Array(d);
  let degenerate = 0;
  for (let v = from; v < to; v++) {
    const base = v * d * n;
    if (skip?.[v]) {
      out[v - from] = NaN;
      continue;
    }
    s1.fill(0);
    s2.fill(0);
    // shift each row by its first value: keeps the one-pass sums accurate for data far from 0
    for (let i = 0; i < d; i++) shift[i] = cx[base + i * n];
    for (let i = 0; i < d; i++) {
      const oi = base + i * n;
      const si = shift[i];
      for (let t = 0; t < n; t++) s1[labels[t] * d + i] += cx[oi + t] - si;
      for (let j = 0; j <= i; j++) {
        const oj = base + j * n;
        const sj = shift[j];
        const slot = i * d + j;
        for (let t = 0; t < n; t++) s2[labels[t] * d * d + slot] += (cx[oi + t] - si) * (cx[oj + t] - sj);
      }
    }
    try {
      let hcond = 0;
      for (let c = 0; c < k; c++) {
        const m = counts[c];
        for (let i = 0; i < d; i++)
          for (let j = 0; j <= i; j++)
            cov[i * d + j] = cov[j * d + i] = (s2[c * d * d + i * d + j] - (s1[c * d + i] * s1[c * d + j]) / m) / (m - 1);
        hcond += (m / n) * (halfLogDet(cholesky(cov, d, 'x'), d) - classBias[c]);
      }
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) {
          let a = 0;
          let b = 0;
          let p = 0;
          for (let c = 0; c < k; c++) {
            a += s1[c * d + i];
            b += s1[c * d + j];
            p += s2[c * d * d + i * d + j];
          }
          // demeaned: the true data mean is 0, i.e. the shifted mean is −shift
          cov[i * d + j] = cov[j * d + i] = demeaned
            ? (p + shift[i] * b + shift[j] * a + n * shift[i] * shift[j]) / (n - 1)
            : (p - (a * b) / n) / (n - 1);
        }
      const hunc = halfLogDet(cholesky(cov, d, 'x'), d) - uncBias;
      out[v - from] = (hunc - hcond) / LN2;
    } catch {
      degenerate++;
      out[v - from] = NaN;
    }
  }
  if (degenerate > 0) warn(`x: ${degenerate} variable(s) are constant or degenerate within a class; their MI is NaN`);
  return out;
}
