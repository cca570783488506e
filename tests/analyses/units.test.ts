/** The analyses' building blocks, with numbers: FWER threshold, PCA, regions, feature ranks, curve summaries. */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { informationMap, type MapFeatures } from '../../workers/analyses/maps';
import { fwerThreshold as fweThreshold } from '../../workers/info';
import { drawNoise, noiseFeatures, vertexSubspaces } from '../../workers/analyses/noise';
import { pcaScores } from '../../workers/analyses/pca';
import { parseVertexList, recovery, resolveRegion } from '../../workers/analyses/regions';
import { levelBelowHalf, parseHumanCsv, trapezoidArea } from '../../workers/analyses/generalisation';
import { chiSquareQuantile, dice } from '../../workers/analyses/pose-invariance';
import { poolActivation, poolGrid } from '../../workers/analyses/trials';
import { createRng, gaussian } from '../../workers/faces/seeded-rng';

describe('family-wise error threshold', () => {
  it('is the ⌊alpha(P+1)⌋-th largest null maximum, +∞ when P is too small', () => {
    const maxNull = Float64Array.from({ length: 99 }, (_, i) => i + 1); // 1..99
    expect(fweThreshold(maxNull, 0.05)).toBe(95); // 5 allowed ≥: values 96..99 exceed → 4 ≥ mi allowed
    expect(fweThreshold(Float64Array.from({ length: 10 }, (_, i) => i), 0.05)).toBe(Infinity);
    expect(() => fweThreshold(maxNull, 1.5)).toThrow(/alpha/);
  });

  it('finds a planted variable among nulls and keeps the others', async () => {
    const T = 400, V = 50;
    const rng = createRng(5);
    const x = Float64Array.from({ length: V * T }, () => gaussian(rng));
    const y = new Float64Array(T);
    for (let t = 0; t < T; t++) y[t] = x[7 * T + t] + 0.5 * gaussian(rng);
    const features: MapFeatures = { nVar: V, nDim: 1, nTrial: T, skip: null, fill: (from, to, out) => out.set(x.subarray(from * T, to * T)) };
    const m = await informationMap(features, { kind: 'continuous', y }, { permutations: 99, alpha: 0.05, seed: 1 });
    expect(m.significant[7]).toBe(1);
    expect(m.significant.reduce((a, b) => a + b, 0)).toBe(1);
    // r² = 0.8 → I = −½ log2(1 − 0.8) ≈ 1.16 bits
    expect(m.mi[7]).toBeGreaterThan(0.9);
    expect(m.mi[7]).toBeLessThan(1.4);
  });
});

describe('PCA', () => {
  it('recovers the variances of three planted factors', () => {
    const T = 400, F = 60;
    const rng = createRng(3);
    const dirs = [0, 1, 2].map((j) => Float64Array.from({ length: F }, (_, f) => (f % 3 === j ? 1 / Math.sqrt(F / 3) : 0)));
    const data = new Float32Array(T * F);
    for (let t = 0; t < T; t++) {
      const z = [3 * gaussian(rng), 2 * gaussian(rng), gaussian(rng)];
      for (let f = 0; f < F; f++) data[t * F + f] = z[0] * dirs[0][f] + z[1] * dirs[1][f] + z[2] * dirs[2][f];
    }
    const r = pcaScores(data, T, F, 3, 1);
    expect(r.variances[0]).toBeGreaterThan(7);
    expect(r.variances[0]).toBeLessThan(11);
    expect(r.variances[1]).toBeGreaterThan(3);
    expect(r.variances[2]).toBeGreaterThan(0.7);
    expect(r.variances.reduce((a, b) => a + b, 0) / r.totalVariance).toBeGreaterThan(0.999);
  });
});

describe('regions and features of the default model', () => {
  const model = loadDefaultFaceModel();

  it('resolves names, landmarks and vertex lists, and scores recovery', () => {
    expect(resolveRegion(model, 'nose').length).toBe(model.regions.nose.length);
    const ball = resolveRegion(model, 'nose_tip', 10);
    expect(ball).toContain(model.landmarks.nose_tip);
    expect(ball.length).toBeGreaterThan(5);
    expect(Array.from(parseVertexList('3, 5-7', 10))).toEqual([3, 5, 6, 7]);
    expect(() => parseVertexList('9-12', 10)).toThrow(/< vertexCount 10/);
    const truth = Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(recovery(Uint8Array.from([1, 1, 1, 0, 1, 0, 0, 0]), truth)).toEqual({ precision: 0.75, recall: 0.75, significant: 4 });
  });

  it('gives each vertex the dimension its features really have (no singular covariances)', () => {
    const { rank } = vertexSubspaces(model.textureBasis, model.textureSd, Int32Array.from(model.textureSd, (_, k) => k), model.vertexCount);
    const counts = [0, 0, 0, 0];
    rank.forEach((r) => counts[r]++);
    expect(counts[3]).toBeGreaterThan(1000);
    // rotated features of a rank-r vertex: r rows with variance, the rest exactly zero
    const noise = drawNoise(model, { basis: 'components', trials: 50, shapeSd: 1, textureSd: 1, seed: 1 });
    const f = noiseFeatures(model, noise, 'texture');
    const v = rank.findIndex((r) => r > 0 && r < 3);
    if (v >= 0) {
      const out = new Float64Array(3 * 50);
      f.fill(v, v + 1, out);
      const varOf = (d: number) => out.subarray(d * 50, (d + 1) * 50).reduce((a, b) => a + b * b, 0);
      expect(varOf(rank[v] - 1)).toBeGreaterThan(0);
      expect(varOf(2)).toBe(0);
    }
  });
});

describe('summaries', () => {
  it('curve area, the level below one half, the human CSV', () => {
    expect(trapezoidArea([0, 1, 2], [1, 1, 0])).toBeCloseTo(1.5, 12);
    const levels = [0, 1 / 3, 2 / 3, 1, 4 / 3];
    expect(levelBelowHalf(levels, [0.1, 0.3, 0.7, 0.9, 0.8], 1, -1)).toBeCloseTo(1 / 3 + (0.2 / 0.4) * (1 / 3), 12);
    expect(levelBelowHalf(levels, [0.9, 0.9, 0.9, 0.9, 0.9], 1, -1)).toBeNull();
    expect(levelBelowHalf([0, 0.5, 1], [0.9, 0.4, 0.1], 0, 1)).toBeCloseTo(0.4, 12);
    const h = parseHumanCsv('manipulation,level,probability,accuracy\nshape-scale,1,0.9,1\nshape-scale,1,0.7,0\n');
    expect(h.get('shape-scale@1.0000')).toEqual({ p: [0.9, 0.7], a: [1, 0] });
    expect(() => parseHumanCsv('manipulation,level,probability\nnose,1,0.5')).toThrow(/manipulation 'nose'/);
  });

  it('Dice, the χ² quantile, activation pooling', () => {
    expect(dice(Uint8Array.from([1, 1, 0, 0]), Uint8Array.from([1, 0, 1, 0]))).toBe(0.5);
    // χ²(24) 0.999 quantile is 51.18
    expect(chiSquareQuantile(0.999, 24)).toBeCloseTo(51.18, 0);
    expect(poolGrid([32, 32, 32])).toBe(5);
    expect(poolGrid([256])).toBe(0);
    const a = { shape: [1, 2, 2, 1], data: Float32Array.from([1, 2, 3, 4]) };
    const out = new Float32Array(1);
    poolActivation(a, 0, 1, out);
    expect(out[0]).toBe(2.5);
  });
});

describe('TFCE option', () => {
  it('a planted nose-tip response survives TFCE with the maximum statistic, and nothing far away does', async () => {
    const { plantedResponse } = await import('../../workers/analyses/oracle');
    const model = loadDefaultFaceModel();
    const region = resolveRegion(model, 'nose_tip');
    const vertices = Uint32Array.from(model.regions.nose);
    const noise = drawNoise(model, { basis: 'vertex', trials: 600, shapeSd: 1, textureSd: 0, seed: 4, vertices });
    const y = plantedResponse(model, noise, 'shape', region);
    const m = await informationMap(noiseFeatures(model, noise, 'shape'), { kind: 'continuous', y }, { permutations: 39, alpha: 0.05, seed: 2, tfce: { triangles: model.triangles } });
    expect(m.tfce).not.toBeNull();
    const sig = m.significant.reduce((a, b) => a + b, 0);
    const r = recovery(m.significant, Uint8Array.from({ length: model.vertexCount }, (_, v) => (region.includes(v) ? 1 : 0)));
    expect(sig).toBeGreaterThan(0);
    expect(r.recall).toBeGreaterThan(0.5);
    // TFCE spreads support to neighbours, but not beyond the nose
    for (let v = 0; v < model.vertexCount; v++) if (m.significant[v]) expect(vertices.includes(v)).toBe(true);
  });
});
