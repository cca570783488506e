import { describe, expect, it } from 'vitest';
import { coinformationFLD, coinformationTest, gaussianCoinformation, Rng } from '../../workers/info';
import type { Samples } from '../../workers/info';

/** Three jointly Gaussian scalars: F = a·S + e1, L = b·S + e2 (+ cross terms), D from the mixing below. */
function gaussian(n: number, seed: number, mix: (s: number[], out: number[]) => void): { f: Samples; l: Samples; d: Float64Array } {
  const rng = new Rng(seed);
  const f = new Float64Array(n), l = new Float64Array(n), d = new Float64Array(n);
  const s = [0, 0, 0, 0], out = [0, 0, 0];
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < 4; i++) s[i] = rng.normal();
    mix(s, out);
    f[t] = out[0]; l[t] = out[1]; d[t] = out[2];
  }
  return { f: { data: f, dims: 1, trials: n }, l: { data: l, dims: 1, trials: n }, d };
}
const corr = (a: Float64Array, b: Float64Array) => {
  const n = a.length; let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i] / n; mb += b[i] / n; }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
};

describe('co-information I(F;L) − I(F;L|D) (one Gaussian-copula estimator)', () => {
  it('redundant case (common source): positive and equal to the analytic value', () => {
    // F = S + e1, L = S + e2, D = S + e3 (unit variances): ρ = 1/2 for every pair
    const { f, l, d } = gaussian(20000, 3, (s, o) => { o[0] = s[0] + s[1]; o[1] = s[0] + s[2]; o[2] = s[0] + s[3]; });
    const analytic = gaussianCoinformation(0.5, 0.5, 0.5);
    expect(analytic).toBeCloseTo(-0.5 * Math.log2(0.75) + 0.5 * Math.log2(8 / 9), 10); // 0.1225 bits
    const c = coinformationFLD(f, l, d);
    expect(c.kind).toBe('redundancy');
    expect(Math.abs(c.coinfo - analytic)).toBeLessThan(0.02);
    expect(Math.abs(c.coinfo - gaussianCoinformation(corr(f.data, l.data), corr(f.data, d), corr(l.data, d)))).toBeLessThan(0.01);
  });

  it('synergistic case (D = F + L): negative and equal to the analytic value', () => {
    const { f, l, d } = gaussian(20000, 4, (s, o) => { o[0] = s[0]; o[1] = s[1]; o[2] = s[0] + s[1] + 0.5 * s[2]; });
    const sd = Math.sqrt(2.25);
    const analytic = gaussianCoinformation(0, 1 / sd, 1 / sd);
    expect(analytic).toBeLessThan(-0.5);
    const c = coinformationFLD(f, l, d);
    expect(c.kind).toBe('synergy');
    expect(Math.abs(c.coinfo - analytic)).toBeLessThan(0.05);
  });

  it('discrete decision: redundancy when D = sign(S), with a small permutation p', () => {
    const { f, l, d } = gaussian(2000, 5, (s, o) => { o[0] = s[0] + s[1]; o[1] = s[0] + s[2]; o[2] = s[0] + 0.3 * s[3]; });
    const labels = Int32Array.from(d, (x) => (x > 0 ? 1 : 0));
    const t = coinformationTest(f, l, labels, { k: 2, permutations: 99, seed: 2 });
    expect(t.kind).toBe('redundancy');
    expect(t.coinfo).toBeGreaterThan(0.05);
    expect(t.p).toBeCloseTo(0.01, 5);
  });

  it('null (D independent of F and L): p-values spread over (0, 1], few below 0.05', () => {
    const ps: number[] = [];
    for (let r = 0; r < 40; r++) {
      const { f, l, d } = gaussian(300, 100 + r, (s, o) => { o[0] = s[0] + s[1]; o[1] = s[0] + s[2]; o[2] = s[3]; });
      const labels = Int32Array.from(d, (x) => (x > 0 ? 1 : 0));
      ps.push(coinformationTest(f, l, labels, { permutations: 39, seed: r + 1 }).p);
    }
    const below = ps.filter((p) => p <= 0.05).length;
    expect(below).toBeLessThanOrEqual(6); // binomial(40, 0.05): P(≥ 7) < 0.01
    const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
    expect(mean).toBeGreaterThan(0.35);
    expect(mean).toBeLessThan(0.65);
    expect(ps.filter((p) => p > 0.5).length).toBeGreaterThan(10);
  });
});
