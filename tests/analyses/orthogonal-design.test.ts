/**
 * The orthogonal design of coefficient noise (workers/analyses/bases/orthogonal-design.ts, noise.ts
 * NoiseDesign): rows exactly centred and uncorrelated with the stated sd; the coefficients basis draws
 * it by default where T > K (else independent) and records the design; 'independent' is the earlier draw; and it removes the leakage
 * of a strong component into a weak one's sample covariance with the response (the reason for it).
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { createRng, hashInts } from '../../workers/faces';
import { drawNoise } from '../../workers/analyses/noise';
import { orthonormaliseRows } from '../../workers/analyses/bases/orthogonal-design';

/** Sample covariance (1/(T−1)) of rows i and j of a [K][T] array. */
function cov(x: Float32Array, T: number, i: number, j: number): number {
  let mi = 0, mj = 0;
  for (let t = 0; t < T; t++) { mi += x[i * T + t]; mj += x[j * T + t]; }
  mi /= T; mj /= T;
  let s = 0;
  for (let t = 0; t < T; t++) s += (x[i * T + t] - mi) * (x[j * T + t] - mj);
  return s / (T - 1);
}

function gaussianRows(K: number, T: number, seed: number): Float32Array {
  const rng = createRng(hashInts(seed, 3)), out = new Float32Array(K * T);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());
  return out;
}

describe('orthogonal noise design', () => {
  it('makes rows centred, uncorrelated and of sample sd exactly sd', () => {
    const K = 7, T = 60, sd = 0.5, x = gaussianRows(K, T, 1);
    orthonormaliseRows(x, K, T, sd);
    for (let i = 0; i < K; i++) {
      let m = 0;
      for (let t = 0; t < T; t++) m += x[i * T + t];
      expect(Math.abs(m / T)).toBeLessThan(1e-6);
      for (let j = 0; j < K; j++) expect(cov(x, T, i, j)).toBeCloseTo(i === j ? sd * sd : 0, 6);
    }
  });

  it('needs more trials than components, and says so', () => {
    expect(() => orthonormaliseRows(new Float32Array(5 * 5), 5, 5, 1)).toThrow(/5 trials for 5 components/);
  });

  it('is the coefficients basis default and is recorded; independent is the plain draw', () => {
    const model = loadDefaultFaceModel();
    const K = model.shapeSd.length, T = 4 * K;
    const o = drawNoise(model, { basis: 'coefficients', trials: T, shapeSd: 0.5, textureSd: 0, seed: 3 });
    expect(o.spec.design).toBe('orthogonal');
    const ind = drawNoise(model, { basis: 'coefficients', trials: T, shapeSd: 0.5, textureSd: 0, seed: 3, design: 'independent' });
    expect(ind.spec.design).toBe('independent');
    let maxOff = 0, maxOffInd = 0;
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) {
      if (i === j) { expect(cov(o.shape, T, i, i)).toBeCloseTo(0.25, 5); continue; }
      maxOff = Math.max(maxOff, Math.abs(cov(o.shape, T, i, j)));
      maxOffInd = Math.max(maxOffInd, Math.abs(cov(ind.shape, T, i, j)));
    }
    expect(maxOff).toBeLessThan(1e-6);
    expect(maxOffInd).toBeGreaterThan(0.01);  // chance correlations of the independent draw, ~0.25/√T
    // the other bases carry no design
    expect(drawNoise(model, { basis: 'vertex', trials: 20, shapeSd: 1, textureSd: 0, seed: 1, design: 'orthogonal' }).spec.design).toBeUndefined();
    // at T ≤ K the default falls back to independent (recorded); asked for, orthogonal says why it cannot
    expect(drawNoise(model, { basis: 'coefficients', trials: K, shapeSd: 0.5, textureSd: 0, seed: 1 }).spec.design).toBe('independent');
    expect(() => drawNoise(model, { basis: 'coefficients', trials: K, shapeSd: 0.5, textureSd: 0, seed: 1, design: 'orthogonal' })).toThrow(/more trials than components/);
  });

  it("removes a strong component's leakage into a weak one's covariance with the response", () => {
    // y = 3·c₁ + 0.3·c₂ + ε (sd 0.5): the error of ĝ₂ = cov(c₂, y) is ≈ √(var(y)/T) independent, √(var(ε)/T) orthogonal
    const K = 2, T = 2000, g = [3, 0.3];
    const rms = { independent: 0, orthogonal: 0 };
    for (let seed = 1; seed <= 30; seed++) {
      const eps = gaussianRows(1, T, 1000 + seed);
      for (const design of ['independent', 'orthogonal'] as const) {
        const c = gaussianRows(K, T, seed);
        if (design === 'orthogonal') orthonormaliseRows(c, K, T, 1);
        const y = new Float32Array(2 * T);
        for (let t = 0; t < T; t++) y[t] = g[0] * c[t] + g[1] * c[T + t] + 0.5 * eps[t];
        const both = new Float32Array(2 * T);
        both.set(c.subarray(T, 2 * T), 0); both.set(y.subarray(0, T), T);
        rms[design] += (cov(both, T, 0, 1) - g[1]) ** 2 / 30;
      }
    }
    const ratio = Math.sqrt(rms.orthogonal / rms.independent);
    // expected √(0.25 / 9.34) ≈ 0.16
    expect(ratio).toBeLessThan(0.3);
    expect(Math.sqrt(rms.orthogonal)).toBeLessThan(2.5 * Math.sqrt(0.25 / T));
  });
});
