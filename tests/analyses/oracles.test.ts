/**
 * Issue 12, items 1–2: the noise bases (bubbles, coefficients, vertex), the analytic ground truth of
 * planted-region oracles, FWER calibration and coefficient-space maps, at small sizes (the full sweep
 * is `npm run bench:oracles`).
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { drawNoise, noiseFeatures, addShapeNoise, addTextureNoise } from '../../workers/analyses/noise';
import { runOracle, plantedResponse } from '../../workers/analyses/oracle';
import { analyticOracleMap } from '../../workers/analyses/oracle-truth';
import { binomialUpperBound, fwerCalibration } from '../../workers/analyses/fwer-calibration';
import { coefficientMap } from '../../workers/analyses/coefficient-map';
import { resolveRegion } from '../../workers/analyses/regions';

const model = loadDefaultFaceModel();

describe('bubbles noise basis', () => {
  it('features equal the noise added to the mesh, and the median sd is the requested one', () => {
    const T = 400;
    const noise = drawNoise(model, { basis: 'bubbles', trials: T, shapeSd: 1, textureSd: 0.05, seed: 3 });
    const b = noise.bubbles!;
    expect(b.shapeBumps).toBeGreaterThan(100);
    expect(b.textureBumps).toHaveLength(model.textureBandNames.length);
    const fs = noiseFeatures(model, noise, 'shape');
    const ft = noiseFeatures(model, noise, 'texture');
    expect(fs.nDim).toBe(1);
    const v = model.regions.nose[10];
    const hs = new Float64Array(T); fs.fill(v, v + 1, hs);
    const ha = new Float64Array(3 * T); ft.fill(v, v + 1, ha);
    const pos = new Float32Array(model.mean.length);
    addShapeNoise(model, noise, 7, pos);
    const n = noise.normals!;
    for (let d = 0; d < 3; d++) expect(pos[v * 3 + d]).toBeCloseTo(hs[7] * n[v * 3 + d], 5);
    const alb = new Float32Array(model.mean.length).fill(0.5);
    addTextureNoise(model, noise, 7, alb);
    for (let c = 0; c < 3; c++) expect(alb[v * 3 + c] - 0.5).toBeCloseTo(ha[c * T + 7], 5);
    // per-vertex sd over trials near 1 mm on the face (the median is set to 1 mm)
    const sds: number[] = [];
    for (const u of model.regions.face.filter((_, i) => i % 25 === 0)) {
      const h = new Float64Array(T); fs.fill(u, u + 1, h);
      sds.push(Math.sqrt(h.reduce((a, x) => a + x * x, 0) / T));
    }
    sds.sort((a, b2) => a - b2);
    expect(sds[sds.length >> 1]).toBeGreaterThan(0.85);
    expect(sds[sds.length >> 1]).toBeLessThan(1.15);
  });
});

describe('analytic truth', () => {
  it('the planted signal variance and each vertex R² match their sample values (coefficients)', () => {
    const T = 4000;
    const noise = drawNoise(model, { basis: 'coefficients', trials: T, shapeSd: 0.5, textureSd: 0, seed: 5 });
    const region = resolveRegion(model, 'nose');
    const a = analyticOracleMap(model, noise, 'shape', region, 1);
    const s = plantedResponse(model, noise, 'shape', region);
    const varS = s.reduce((acc, x) => acc + x * x, 0) / T;
    expect(varS / a.signalVariance).toBeGreaterThan(0.9);
    expect(varS / a.signalVariance).toBeLessThan(1.1);
    // a nose vertex: with R² = 1, regress s on its 3-D (rank-rotated) feature
    const f = noiseFeatures(model, noise, 'shape');
    const v = region[0];
    const x = new Float64Array(3 * T); f.fill(v, v + 1, x);
    const r = f.rank![v];
    // normal equations on the first r rows
    const G = Array.from({ length: r }, (_, i) => Array.from({ length: r }, (_, j) => { let q = 0; for (let t = 0; t < T; t++) q += x[i * T + t] * x[j * T + t]; return q; }));
    const c = Array.from({ length: r }, (_, i) => { let q = 0; for (let t = 0; t < T; t++) q += x[i * T + t] * s[t]; return q; });
    const beta = solve(G, c);
    let fit = 0; for (let i = 0; i < r; i++) fit += beta[i] * c[i];
    const r2Sample = fit / (varS * T);
    expect(Math.abs(r2Sample - a.r2[v])).toBeLessThan(0.03);
  });
});

function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let i = 0; i < n; i++) {
    const p = M[i][i];
    for (let j = i; j <= n; j++) M[i][j] /= p;
    for (let k = 0; k < n; k++) if (k !== i) { const f = M[k][i]; for (let j = i; j <= n; j++) M[k][j] -= f * M[i][j]; }
  }
  return M.map((row) => row[n]);
}

describe('planted-region oracles (small)', () => {
  it('bubbles: nose shape recovered against the analytic truth', async () => {
    const r = await runOracle(model, { kind: 'shape', region: 'nose', basis: 'bubbles', seed: 1, trials: 3000, permutations: 100, maps: 'planted' });
    expect(r.r2Planted).toBe(0.5);
    expect(r.recovery.precision).toBeGreaterThanOrEqual(0.9);
    expect(r.recovery.recall).toBeGreaterThanOrEqual(0.9);
    expect(r.analyticCorrelation).toBeGreaterThanOrEqual(0.95);
  });
  it('vertex: left_eye shape recovered against the region, default trials and R²', async () => {
    const r = await runOracle(model, { kind: 'shape', region: 'left_eye', basis: 'vertex', seed: 2, permutations: 60, maps: 'planted' });
    expect(r.r2Planted).toBe(0.8);
    expect(r.trials).toBeLessThanOrEqual(20_000);
    expect(r.recovery.precision).toBeGreaterThanOrEqual(0.9);
    expect(r.recovery.recall).toBeGreaterThanOrEqual(0.9);
  });
  it('coefficients (the alias components): chin shape at 2,000 trials, orthogonal design, R² 0.9', async () => {
    const r = await runOracle(model, { kind: 'shape', region: 'chin', basis: 'components', seed: 3, trials: 2000, permutations: 60, maps: 'planted' });
    expect(r.basis).toBe('coefficients');
    expect(r.noise.spec.design).toBe('orthogonal');
    expect(r.r2Planted).toBe(0.9);
    expect(r.recovery.precision).toBeGreaterThanOrEqual(0.9);
    expect(r.recovery.recall).toBeGreaterThanOrEqual(0.9);
    expect(r.analyticCorrelation).toBeGreaterThanOrEqual(0.95);
  });
});

describe('FWER calibration', () => {
  it('the binomial bound of 100 null runs at 5 % is 9', () => {
    expect(binomialUpperBound(100, 0.05)).toBe(9);
    expect(binomialUpperBound(20, 0.05)).toBe(3);
  });
  it('bubbles null runs: at most the bound have any significant vertex', async () => {
    const c = await fwerCalibration(model, { basis: 'bubbles', kind: 'shape', runs: 20, trials: 150, permutations: 39, alpha: 0.05, seed: 11 });
    expect(c.runsWithAny, `significant per run: ${c.significantPerRun.join(',')}`).toBeLessThanOrEqual(c.bound);
  });
  it('coefficients null runs under the default (orthogonal) design: at most the bound have any significant vertex', async () => {
    expect(drawNoise(model, { basis: 'coefficients', trials: 150, shapeSd: 0.5, textureSd: 0, seed: 1 }).spec.design).toBe('orthogonal');
    const c = await fwerCalibration(model, { basis: 'coefficients', kind: 'shape', runs: 20, trials: 150, permutations: 39, alpha: 0.05, seed: 12 });
    expect(c.runsWithAny, `significant per run: ${c.significantPerRun.join(',')}`).toBeLessThanOrEqual(c.bound);
  });
});

describe('coefficient-space maps', () => {
  it('a response on one shape component is found there only, and projected where it moves the mesh', async () => {
    const T = 1500;
    const noise = drawNoise(model, { basis: 'coefficients', trials: T, shapeSd: 0.5, textureSd: 0, seed: 9 });
    const k = 4;
    const y = Float64Array.from({ length: T }, (_, t) => noise.shape[k * T + t] + 0.5 * noise.shape[((t * 7919) % T) + 20 * T]);
    const m = await coefficientMap(model, noise, 'shape', { kind: 'continuous', y }, { permutations: 100, alpha: 0.05, seed: 1 });
    expect(m.components.significant[k]).toBe(1);
    const sig = m.components.significant.reduce((a, b) => a + b, 0);
    expect(sig).toBe(1);
    // the projection is largest where component k carries most of the vertex's noise
    const N = model.vertexCount * 3;
    let best = 0, bestV = -1, top = 0, topV = -1;
    for (let v = 0; v < model.vertexCount; v++) {
      if (m.projected[v] > best) { best = m.projected[v]; bestV = v; }
      const o = k * N + v * 3;
      const e = model.shapeBasis[o] ** 2 + model.shapeBasis[o + 1] ** 2 + model.shapeBasis[o + 2] ** 2;
      if (e > top) { top = e; topV = v; }
    }
    expect(bestV).toBeGreaterThanOrEqual(0);
    expect(m.projected[topV]).toBeGreaterThan(0.3 * best);
  });
});
