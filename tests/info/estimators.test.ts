// Properties of the GCMI estimators that hold whatever the reference says.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  cmiGGG, coinformation, copnorm, entG, gccmiCCC, gccmiCCD, gcmiCC, gcmiMixtureCD, gcmiModelCD, miGG, miMixtureGD,
  miModelGD, normalScores, pidMMI, setWarningHandler,
} from '@/workers/info';
import { Rng } from '@/workers/info/permutation-rng';
import { miMixtureGDSamples } from '@/workers/info/discrete';

// Each test draws from its own stream, seeded the same (11) before every test, so that a test sees the
// same samples whether it runs alone, filtered, or after the others (it does not depend on their order).
let rng = new Rng(11);
beforeEach(() => {
  rng = new Rng(11);
});
const normals = (n: number) => Float64Array.from({ length: n }, () => rng.normal());

/** Bivariate Gaussian with correlation r. */
function correlated(n: number, r: number): [Float64Array, Float64Array] {
  const a = normals(n);
  const b = normals(n).map((v, i) => r * a[i] + Math.sqrt(1 - r * r) * v);
  return [a, b];
}

describe('copnorm', () => {
  it('maps ranks to normal scores, ties in sample order, −0 equal to 0', () => {
    const x = Float64Array.from([2, -1, 2, 0, -0, 1e300, -5e-300, 2]);
    const c = copnorm(x);
    const s = normalScores(8);
    // order: -1, -5e-300, 0, -0, 2 (sample 0), 2 (sample 2), 2 (sample 7), 1e300
    expect(Array.from(c)).toEqual([s[4], s[0], s[5], s[2], s[3], s[7], s[1], s[6]]);
  });
  it('agrees with a comparison sort on random rows with repeats', () => {
    for (let rep = 0; rep < 20; rep++) {
      const n = 50 + rep * 37;
      const x = Float64Array.from({ length: n }, () => (rng.uniform() < 0.3 ? Math.round(rng.normal() * 3) : rng.normal() * 10 ** rng.below(8)));
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
      const expected = new Float64Array(n);
      order.forEach((i, r) => (expected[i] = normalScores(n)[r]));
      expect(copnorm(x)).toEqual(expected);
    }
  });
  it('normalises each row of a [row][trial] array independently', () => {
    const x = Float64Array.from([3, 1, 2, 300, 100, 200]);
    const c = copnorm(x, 2, 3);
    expect(Array.from(c.subarray(3))).toEqual(Array.from(c.subarray(0, 3)));
    expect(c[2]).toBeCloseTo(0, 15);
  });
});

describe('Gaussian estimators', () => {
  it('mi_gg equals −½·log2(1 − r²) for bivariate Gaussians (exactly for the sample r, approximately for the true r)', () => {
    const [a, b] = correlated(20000, 0.6);
    const n = a.length;
    const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / n;
    const ma = mean(a);
    const mb = mean(b);
    let sab = 0, saa = 0, sbb = 0;
    for (let i = 0; i < n; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
      sbb += (b[i] - mb) ** 2;
    }
    const r = sab / Math.sqrt(saa * sbb);
    expect(miGG(a, b, { biasCorrect: false })).toBeCloseTo(-0.5 * Math.log2(1 - r * r), 12);
    expect(miGG(a, b)).toBeCloseTo(-0.5 * Math.log2(1 - 0.36), 2);
  });

  it('MI of independent data is near 0 with bias correction, within the sampling error', () => {
    // bias-corrected estimates average to ~0; each one's s.d. is about 1/(n ln 2)·√(d_x d_y /2)·...: check the mean of many
    const vals = Array.from({ length: 40 }, () => gcmiCC([normals(200), normals(200)], normals(200)));
    const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
    const sd = Math.sqrt(vals.reduce((s, v) => s + (v - mean) ** 2, 0) / (vals.length - 1));
    expect(Math.abs(mean)).toBeLessThan((3 * sd) / Math.sqrt(vals.length));
    // without the correction the estimate is biased upwards by about d_x d_y / (2 n ln 2) bits
    const raw = Array.from({ length: 40 }, () => miGG([normals(200), normals(200)], normals(200), { biasCorrect: false }));
    expect(raw.reduce((s, v) => s + v, 0) / raw.length).toBeGreaterThan(mean + 2 / (2 * 200 * Math.LN2) - 3 * sd);
  });

  it('GCMI is invariant to monotonic transforms of either variable', () => {
    const [a, b] = correlated(500, 0.4);
    const i0 = gcmiCC(a, b);
    expect(gcmiCC(a.map(Math.exp), b)).toBe(i0);
    expect(gcmiCC(a, b.map((v) => v ** 3 + 2 * v))).toBe(i0);
    const labels = Int32Array.from(b, (v) => (v > 0.5 ? 2 : v > -0.5 ? 1 : 0));
    expect(gcmiModelCD(a.map((v) => Math.atan(v) * 7 - 3), labels, 3)).toBe(gcmiModelCD(a, labels, 3));
  });

  it('chain rule: I(X;Y,Z) = I(X;Z) + I(X;Y|Z)', () => {
    const x = normals(400);
    const z = x.map((v) => 0.5 * v + rng.normal());
    const y = x.map((v, i) => 0.3 * v + 0.4 * z[i] + rng.normal());
    expect(gcmiCC(x, [y, z])).toBeCloseTo(gcmiCC(x, z) + gccmiCCC(x, y, z), 12);
    expect(miGG(x, [y, z], { biasCorrect: false })).toBeCloseTo(miGG(x, z, { biasCorrect: false }) + cmiGGG(x, y, z, { biasCorrect: false }), 12);
  });

  it('entropy of a standard normal is ½·log2(2πe) bits, within 4 standard errors', () => {
    // ½·log2 of the sample variance has standard error (1/ln 2)·√(1/(2n)) bits: 0.0046 bits at n = 50,000
    const n = 50000;
    const se = Math.sqrt(1 / (2 * n)) / Math.LN2;
    expect(Math.abs(entG(normals(n)) - 0.5 * Math.log2(2 * Math.PI * Math.E))).toBeLessThan(4 * se);
  });

  it('gccmi_ccd: conditioning on the discrete cause of a correlation removes it', () => {
    const z = Int32Array.from({ length: 900 }, (_, i) => i % 3);
    const x = Float64Array.from(z, (c) => c + 0.3 * rng.normal());
    const y = Float64Array.from(z, (c) => c + 0.3 * rng.normal());
    const { cmi, mi } = gccmiCCD(x, y, z, 3);
    expect(gcmiCC(x, y)).toBeGreaterThan(0.5);
    expect(Math.abs(cmi)).toBeLessThan(0.02);
    expect(Math.abs(mi)).toBeLessThan(0.02);
  });
});

describe('mixtures: multivariate x against Monte-Carlo', () => {
  it('mi_mixture_gd with lower-Cholesky sigma points matches a Monte-Carlo estimate of the same mixture', () => {
    // two classes, 2-D, correlated and anisotropic covariances, so the sigma point orientation matters
    const n = 4000;
    const y = Int32Array.from({ length: n }, (_, i) => (i < 1500 ? 0 : 1));
    const L = [
      [1.5, 0, 1.2, 0.3],
      [0.4, 0, -0.9, 0.5],
    ]; // lower factors [l00, 0, l10, l11] per class
    const m = [[0, 0], [4, -3]]; // well separated: the unscented transform is then near exact
    const x = new Float64Array(2 * n);
    for (let t = 0; t < n; t++) {
      const c = y[t];
      const e0 = rng.normal();
      const e1 = rng.normal();
      x[t] = m[c][0] + L[c][0] * e0;
      x[n + t] = m[c][1] + L[c][2] * e0 + L[c][3] * e1;
    }
    const ut = miMixtureGD({ data: x, dims: 2, trials: n }, y, 2);
    // Monte-Carlo of the fitted mixture: refit means/covariances as the estimator does
    const fit = [0, 1].map((c) => {
      const idx = Array.from({ length: n }, (_, t) => t).filter((t) => y[t] === c);
      const k = idx.length;
      const mu = [0, 1].map((d) => idx.reduce((s, t) => s + x[d * n + t], 0) / k);
      const cov = [0, 1].map((a) => [0, 1].map((b) => idx.reduce((s, t) => s + (x[a * n + t] - mu[a]) * (x[b * n + t] - mu[b]), 0) / (k - 1)));
      const l00 = Math.sqrt(cov[0][0]);
      const l10 = cov[1][0] / l00;
      const l11 = Math.sqrt(cov[1][1] - l10 * l10);
      return { w: k / n, mu, l00, l10, l11 };
    });
    const logpdf = (p0: number, p1: number, f: (typeof fit)[0]) => {
      const z0 = (p0 - f.mu[0]) / f.l00;
      const z1 = (p1 - f.mu[1] - f.l10 * z0) / f.l11;
      return -0.5 * (z0 * z0 + z1 * z1) - Math.log(f.l00 * f.l11) - Math.log(2 * Math.PI);
    };
    // I = E[log p(x|c) − log p(x)] over draws of the mixture: the common terms cancel, so the
    // Monte-Carlo error is far below the tolerance
    let sum = 0;
    const draws = 100000;
    for (let i = 0; i < draws; i++) {
      const f = rng.uniform() < fit[0].w ? fit[0] : fit[1];
      const e0 = rng.normal();
      const e1 = rng.normal();
      const p0 = f.mu[0] + f.l00 * e0;
      const p1 = f.mu[1] + f.l10 * e0 + f.l11 * e1;
      const mix = Math.log(fit[0].w * Math.exp(logpdf(p0, p1, fit[0])) + fit[1].w * Math.exp(logpdf(p0, p1, fit[1])));
      sum += logpdf(p0, p1, f) - mix;
    }
    const mc = sum / draws / Math.LN2;
    expect(mc).toBeGreaterThan(0.3);
    expect(Math.abs(ut - mc)).toBeLessThan(0.01);
    // the Python reference's orientation (columns of the upper factor) misses by much more
    const upper = miMixtureGDSamples({ data: x, dims: 2, trials: n }, y, 2, 'upper');
    expect(Math.abs(upper - mc)).toBeGreaterThan(5 * Math.abs(ut - mc));
    // the copula version refits each class robustly: same range
    expect(Math.abs(gcmiMixtureCD({ data: x, dims: 2, trials: n }, y, 2) - mc)).toBeLessThan(0.05);
  });
});

describe('interactions', () => {
  it('co-information is negative for redundant sources and positive for synergistic ones; the MMI PID adds up', () => {
    const n = 2000;
    const s = normals(n);
    const red = coinformation(s.map((v) => v + 0.3 * rng.normal()), s.map((v) => v + 0.3 * rng.normal()), s);
    expect(red).toBeLessThan(-0.3);
    const a = normals(n);
    const b = normals(n);
    const sum = a.map((v, i) => v + b[i] + 0.1 * rng.normal());
    expect(coinformation(a, b, sum)).toBeGreaterThan(0.5);
    const pid = pidMMI(a, b, sum);
    const total = gcmiCC([a, b], sum);
    expect(pid.redundancy + pid.unique1 + pid.unique2 + pid.synergy).toBeCloseTo(total, 12);
    expect(Math.min(pid.unique1, pid.unique2)).toBe(0);
    const labels = Int32Array.from(sum, (v) => (v > 0 ? 1 : 0));
    expect(coinformation(a, b, labels, 2)).toBeGreaterThan(0);
  });
});

describe('bad input', () => {
  it('errors name the argument', () => {
    expect(() => gcmiCC(normals(10), normals(11))).toThrow(/^y: has 11 trials but x has 10/);
    expect(() => gcmiCC(Float64Array.of(1, 2, NaN, 4), normals(4))).toThrow(/^x: value 2 is NaN/);
    expect(() => gcmiCC(normals(4), Float64Array.of(1, Infinity, 3, 4))).toThrow(/^y: value 1 is Infinity/);
    expect(() => gcmiCC(new Float64Array(5).fill(3), normals(5))).toThrow(/^x: dimension 0 is constant/);
    expect(() => gcmiCC([normals(3), normals(3), normals(3)], normals(3))).toThrow(/too few/);
    expect(() => miModelGD(normals(6), [0, 0, 0, 2, 2, 2], 3)).toThrow(/^y: class 1 is empty/);
    expect(() => miModelGD(normals(6), [0, 0, 0, 1, 1, 5], 2)).toThrow(/^y: label 5 is 5, must be an integer in \[0, 1\]/);
    expect(() => gcmiModelCD([normals(6), normals(6)], [0, 0, 0, 0, 1, 1], 2)).toThrow(/^y: class 1 has 2 trials/);
    expect(() => gcmiCC([[1, 2], [1]], normals(2))).toThrow(/^x: row 1/);
  });
  it('many repeated values → a warning, as the reference gives', () => {
    const messages: string[] = [];
    const prev = setWarningHandler((m) => messages.push(m));
    try {
      const x = Float64Array.from({ length: 100 }, (_, i) => (i < 30 ? 0 : i));
      gcmiCC(x, normals(100));
      expect(messages).toEqual([expect.stringMatching(/^x: dimension 0 has more than 10% repeated values/)]);
    } finally {
      setWarningHandler(prev);
    }
  });
});
