/**
 * Entropy and (conditional) mutual information of Gaussian variables from their sample
 * covariance (Ince et al. 2017, eqs. 4-8), in bits. The optional bias correction is the analytic
 * one for the Gaussian entropy estimate: for d dimensions and N trials subtract
 * d·(ln 2 − ln(N−1))/2 + Σᵢ₌₁..d ψ((N−i)/2)/2 nats.
 */
import { LN2, digamma } from './special';
import { cholesky, covariance, halfLogDet, submatrix } from './covariance';
import { type Continuous, type Samples, asSamples, enoughTrials, sameTrials, stack } from './validate';

export interface GaussianOptions {
  /** analytic bias correction of the entropy estimates (default true) */
  biasCorrect?: boolean;
  /** the data are already zero-mean (skip demeaning; default false) */
  demeaned?: boolean;
}

/** Bias of the entropy estimate (nats) of a d-dimensional Gaussian from n trials: d·dterm + Σ psi terms. */
export function entropyBias(d: number, n: number): number {
  let s = (d * (LN2 - Math.log(n - 1))) / 2;
  for (let i = 1; i <= d; i++) s += digamma((n - i) / 2) / 2;
  return s;
}

/** ½ log det of the covariance of the selected rows (nats), i.e. entropy without constants. */
function halfLogDetOf(c: Float64Array, d: number, idx: readonly number[], name: string): number {
  const m = idx.length;
  return halfLogDet(cholesky(submatrix(c, d, idx), m, name), m);
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** ent_g: entropy (bits) of a Gaussian fitted to x [dim][trial], including the ½·d·(ln 2π + 1) constant. */
export function entG(x: Continuous, opts: GaussianOptions = {}): number {
  const s = asSamples(x, 'x');
  enoughTrials(s.trials, s.dims, 'x');
  const c = covariance(s.data, s.dims, s.trials, !(opts.demeaned ?? false));
  let h = halfLogDetOf(c, s.dims, range(0, s.dims), 'x') + 0.5 * s.dims * (Math.log(2 * Math.PI) + 1);
  if (opts.biasCorrect ?? true) h -= entropyBias(s.dims, s.trials);
  return h / LN2;
}

/** mi_gg: MI (bits) between Gaussian x and y, both [dim][trial]: H(X) + H(Y) − H(X,Y). */
export function miGG(x: Continuous, y: Continuous, opts: GaussianOptions = {}): number {
  const sx = asSamples(x, 'x');
  const sy = asSamples(y, 'y');
  sameTrials(sx, sy, 'x', 'y');
  return miGGSamples(sx, sy, opts);
}

export function miGGSamples(sx: Samples, sy: Samples, opts: GaussianOptions = {}): number {
  const dx = sx.dims;
  const dxy = dx + sy.dims;
  const n = sx.trials;
  enoughTrials(n, dxy, 'x, y');
  const c = covariance(stack(sx, sy).data, dxy, n, !(opts.demeaned ?? false));
  let hx = halfLogDetOf(c, dxy, range(0, dx), 'x');
  let hy = halfLogDetOf(c, dxy, range(dx, dxy), 'y');
  let hxy = halfLogDetOf(c, dxy, range(0, dxy), 'x, y');
  if (opts.biasCorrect ?? true) {
    hx -= entropyBias(dx, n);
    hy -= entropyBias(sy.dims, n);
    hxy -= entropyBias(dxy, n);
  }
  return (hx + hy - hxy) / LN2;
}

/** cmi_ggg: conditional MI (bits) I(X;Y|Z) of Gaussians = H(X,Z) + H(Y,Z) − H(X,Y,Z) − H(Z). */
export function cmiGGG(x: Continuous, y: Continuous, z: Continuous, opts: GaussianOptions = {}): number {
  const sx = asSamples(x, 'x');
  const sy = asSamples(y, 'y');
  const sz = asSamples(z, 'z');
  sameTrials(sx, sy, 'x', 'y');
  sameTrials(sx, sz, 'x', 'z');
  return cmiGGGSamples(sx, sy, sz, opts);
}

export function cmiGGGSamples(sx: Samples, sy: Samples, sz: Samples, opts: GaussianOptions = {}): number {
  const dx = sx.dims;
  const dy = sy.dims;
  const dz = sz.dims;
  const d = dx + dy + dz;
  const n = sx.trials;
  enoughTrials(n, d, 'x, y, z');
  const c = covariance(stack(sx, sy, sz).data, d, n, !(opts.demeaned ?? false));
  const zi = range(dx + dy, d);
  let hz = halfLogDetOf(c, d, zi, 'z');
  let hxz = halfLogDetOf(c, d, [...range(0, dx), ...zi], 'x, z');
  let hyz = halfLogDetOf(c, d, range(dx, d), 'y, z');
  let hxyz = halfLogDetOf(c, d, range(0, d), 'x, y, z');
  if (opts.biasCorrect ?? true) {
    hz -= entropyBias(dz, n);
    hxz -= entropyBias(dx + dz, n);
    hyz -= entropyBias(dy + dz, n);
    hxyz -= entropyBias(d, n);
  }
  return (hxz + hyz - hxyz - hz) / LN2;
}
