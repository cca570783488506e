/**
 * Bayesian population prevalence (Ince et al. 2021): the closed form for k = n, the MAP formula,
 * and the frequentist coverage of the 95 % HPDI on binomial draws of k for known prevalences.
 */
import { describe, expect, it } from 'vitest';
import { bayesianPrevalence, prevalenceMap } from '../../workers/info/prevalence';
import { Rng } from '../../workers/info/permutation-rng';

describe('Bayesian prevalence', () => {
  it('k = n: the lower bound matches the closed form of the posterior θ^n on [α, 1]', () => {
    const n = 10, a = 0.05;
    const r = bayesianPrevalence(n, n, { alpha: a });
    // CDF(γ) = (θ^(n+1) − α^(n+1)) / (1 − α^(n+1)), θ = α + γ(1 − α)
    const thetaQ = Math.pow(a ** (n + 1) + 0.05 * (1 - a ** (n + 1)), 1 / (n + 1));
    expect(r.lowerBound).toBeCloseTo((thetaQ - a) / (1 - a), 3);
    expect(r.map).toBe(1);
    expect(r.hpdi[1]).toBeCloseTo(1, 6);
    // the HPDI of a posterior increasing in γ is [lower bound, 1]
    expect(r.hpdi[0]).toBeCloseTo(r.lowerBound, 3);
  });

  it('the lower bound and HPDI agree with the truncated Beta(k+1, n−k+1) posterior of θ computed exactly (binomial sums)', () => {
    // for integer parameters, I_x(k+1, n−k+1) = P(Binomial(n+1, x) ≥ k+1)
    const logChoose = (n: number, j: number) => { let s = 0; for (let i = 1; i <= j; i++) s += Math.log((n - j + i) / i); return s; };
    const betaCdf = (x: number, k: number, n: number) => {
      if (x <= 0) return 0;
      if (x >= 1) return 1;
      let s = 0;
      for (let j = k + 1; j <= n + 1; j++) s += Math.exp(logChoose(n + 1, j) + j * Math.log(x) + (n + 1 - j) * Math.log1p(-x));
      return s;
    };
    const inverse = (target: number, k: number, n: number) => {
      let lo = 0, hi = 1;
      for (let it = 0; it < 100; it++) { const mid = (lo + hi) / 2; if (betaCdf(mid, k, n) < target) lo = mid; else hi = mid; }
      return (lo + hi) / 2;
    };
    const pdf = (x: number, k: number, n: number) => Math.exp(k * Math.log(x) + (n - k) * Math.log1p(-x));
    for (const [k, n, a, b] of [[7, 20, 0.05, 1], [12, 25, 0.05, 0.8], [3, 30, 0.01, 1]]) {
      const r = bayesianPrevalence(k, n, { alpha: a, beta: b });
      const Fa = betaCdf(a, k, n), Fb = betaCdf(b, k, n);
      // lower bound: P(θ ≥ θ_c) = 0.95 within [a, b]
      const thetaC = inverse(0.05 * Fb + 0.95 * Fa, k, n);
      expect(r.lowerBound).toBeCloseTo((thetaC - a) / (b - a), 3);
      // HPDI: equal density at both ends, 95 % of the truncated mass between them
      const [g0, g1] = r.hpdi;
      const t0 = a + g0 * (b - a), t1 = a + g1 * (b - a);
      expect((betaCdf(t1, k, n) - betaCdf(t0, k, n)) / (Fb - Fa)).toBeCloseTo(0.95, 3);
      if (g0 > 0 && g1 < 1) expect(pdf(t0, k, n) / pdf(t1, k, n)).toBeCloseTo(1, 1);
    }
  });

  it('MAP = clamp((k/n − α)/(β − α)); k = 0 puts the interval at 0; a lower β raises the estimate', () => {
    expect(bayesianPrevalence(7, 20, { alpha: 0.05 }).map).toBeCloseTo((0.35 - 0.05) / 0.95, 12);
    const zero = bayesianPrevalence(0, 20, { alpha: 0.05 });
    expect(zero.map).toBe(0);
    expect(zero.hpdi[0]).toBe(0);
    expect(zero.hpdi[1]).toBeLessThan(0.2);
    const b1 = bayesianPrevalence(10, 20, { alpha: 0.05, beta: 1 });
    const b8 = bayesianPrevalence(10, 20, { alpha: 0.05, beta: 0.8 });
    expect(b8.map).toBeGreaterThan(b1.map);
    expect(b8.lowerBound).toBeGreaterThan(b1.lowerBound);
    expect(b1.hpdi[0]).toBeLessThan(b1.map);
    expect(b1.hpdi[1]).toBeGreaterThan(b1.map);
    expect(() => bayesianPrevalence(3, 20, { alpha: 1.5 })).toThrow(/alpha .* must be in \(0, 1\), got 1.5/);
    expect(() => bayesianPrevalence(21, 20, { alpha: 0.05 })).toThrow(/k .* must be an integer in \[0, n = 20\]/);
    expect(() => bayesianPrevalence(3, 20, { alpha: 0.05, beta: 0.01 })).toThrow(/beta .* must be in \(alpha = 0.05, 1\]/);
  });

  it('the 95 % HPDI covers the true prevalence in ≥ 90 % of 300 binomial populations of 20, for γ = 0.2, 0.5, 0.8', () => {
    const rng = new Rng(11);
    const n = 20, alpha = 0.05;
    const coverage: number[] = [];
    for (const gamma of [0.2, 0.5, 0.8]) {
      const theta = (1 - gamma) * alpha + gamma;
      let covered = 0;
      for (let s = 0; s < 300; s++) {
        let k = 0;
        for (let i = 0; i < n; i++) if (rng.nextU32() / 2 ** 32 < theta) k++;
        const r = bayesianPrevalence(k, n, { alpha, gridPoints: 2001 });
        if (r.hpdi[0] <= gamma && gamma <= r.hpdi[1]) covered++;
      }
      coverage.push(covered / 300);
    }
    console.log(`[prevalence] HPDI coverage at γ = 0.2, 0.5, 0.8 (n = 20): ${coverage.map((c) => c.toFixed(3)).join(', ')}`);
    for (const c of coverage) expect(c).toBeGreaterThanOrEqual(0.9);
  });

  it('per vertex: k counts the significant participants and shares one posterior per k', () => {
    const masks = [Uint8Array.from([1, 0, 1]), Uint8Array.from([1, 0, 0]), Uint8Array.from([1, 0, 1])];
    const m = prevalenceMap(masks, { alpha: 0.05 });
    expect(Array.from(m.k)).toEqual([3, 0, 2]);
    expect(m.map[0]).toBe(1);
    expect(m.map[1]).toBe(0);
    expect(m.lowerBound[0]).toBeGreaterThan(m.lowerBound[2]);
    expect(() => prevalenceMap([new Uint8Array(3), new Uint8Array(2)], { alpha: 0.05 })).toThrow(/mask 1 has 2 entries/);
  });
});
