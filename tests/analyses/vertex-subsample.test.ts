/**
 * Issue 12, vertex basis: noise on a farthest-point subsample at a minimum spacing (mm), so that the
 * largest named region's noise-carrying vertices fit the 20,000-trial cap (docs/oracles.md, "Vertex
 * noise"); the truth of a vertex oracle is the region's noise-carrying vertices.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { farthestPointSubsample } from '../../workers/analyses/bases/vertex-subsample';
import { DEFAULT_VERTEX_SPACING_MM, MAX_ORACLE_TRIALS, noisyVertices, oracleSetup, runOracle } from '../../workers/analyses/oracle';

const model = loadDefaultFaceModel();
const dist2 = (a: number, b: number) => {
  const m = model.mean;
  return (m[a * 3] - m[b * 3]) ** 2 + (m[a * 3 + 1] - m[b * 3 + 1]) ** 2 + (m[a * 3 + 2] - m[b * 3 + 2]) ** 2;
};

describe('farthest-point vertex subsample', () => {
  it('keeps vertices ≥ spacing apart that cover the set within the spacing; 0 mm keeps all', () => {
    const face = model.regions.face;
    const s = 4;
    const sub = farthestPointSubsample(model, face, s);
    expect(sub.length).toBeGreaterThan(100);
    expect(sub.length).toBeLessThan(face.length / 2);
    expect(Array.from(farthestPointSubsample(model, face, s))).toEqual(Array.from(sub)); // deterministic
    let closest = Infinity;
    for (let i = 0; i < sub.length; i++) for (let j = i + 1; j < sub.length; j++) closest = Math.min(closest, dist2(sub[i], sub[j]));
    expect(Math.sqrt(closest)).toBeGreaterThanOrEqual(s);
    let farthest = 0;
    for (const v of face) {
      let best = Infinity;
      for (const u of sub) best = Math.min(best, dist2(u, v));
      farthest = Math.max(farthest, best);
    }
    expect(Math.sqrt(farthest)).toBeLessThan(s);
    expect(farthestPointSubsample(model, face, 0)).toHaveLength(face.length);
    expect(() => farthestPointSubsample(model, face, -1)).toThrow(/spacing/);
  });

  it('every named region of the model needs at most the trial cap at the default spacing', () => {
    for (const name of ['nose', 'mouth', 'chin', 'forehead', 'left_eye', 'left_brow', 'left_cheek']) {
      const s = oracleSetup(model, { kind: 'texture', region: name, basis: 'vertex', seed: 1 });
      expect(s.spacingMm).toBe(DEFAULT_VERTEX_SPACING_MM);
      expect(s.carrying.length).toBeGreaterThan(5);
      // 50 / R² trials per noise-carrying vertex, within the cap
      expect(Math.ceil((50 * s.carrying.length) / s.r2)).toBeLessThanOrEqual(MAX_ORACLE_TRIALS);
      const all = new Set(s.vertices);
      expect(s.carrying.every((v) => all.has(v))).toBe(true);
      expect(s.vertices.length).toBeLessThan(noisyVertices(model, s.region).length);
    }
  });

  it('default trials per basis and kind: coefficients shape and texture 20,000 (the cap), bubbles shape 6,000 and texture 14,000, all within the cap', () => {
    const trials = (basis: 'coefficients' | 'bubbles', kind: 'shape' | 'texture') => oracleSetup(model, { kind, region: 'nose', basis, seed: 1 }).trials;
    expect(trials('coefficients', 'shape')).toBe(20_000);
    expect(trials('coefficients', 'texture')).toBe(20_000);
    expect(trials('coefficients', 'texture')).toBeLessThanOrEqual(MAX_ORACLE_TRIALS);
    expect(trials('bubbles', 'shape')).toBe(6_000);
    expect(trials('bubbles', 'texture')).toBe(14_000);
    expect(trials('bubbles', 'texture')).toBeLessThanOrEqual(MAX_ORACLE_TRIALS);
    // a stated count is used as given
    expect(oracleSetup(model, { kind: 'texture', region: 'nose', basis: 'bubbles', seed: 1, trials: 500 }).trials).toBe(500);
  });

  it('vertex oracle on the forehead (the largest region): the noise-carrying vertices are the truth and are found', async () => {
    const r = await runOracle(model, { kind: 'shape', region: 'forehead', basis: 'vertex', seed: 4, permutations: 40, maps: 'planted' });
    expect(r.trials).toBe(Math.max(2000, Math.ceil((50 * r.carrying.length) / 0.8)));
    expect(r.truth!.reduce((a, b) => a + b, 0)).toBe(r.carrying.length);
    expect(r.recovery.precision).toBeGreaterThanOrEqual(0.9);
    expect(r.recovery.recall).toBeGreaterThanOrEqual(0.9);
    // no vertex without noise is significant
    const noisy = new Set(r.noise.vertices!);
    r.planted!.significant.forEach((s, v) => { if (s) expect(noisy.has(v)).toBe(true); });
  });
});
