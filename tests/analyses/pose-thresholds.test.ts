/**
 * Issue 12 item 3 (pose): pose invariance only on reverse correlation's significant vertices, rank
 * r < 3 features use r·k χ² degrees of freedom, and the conditional-MI maps get a max-statistic
 * permutation threshold. Network: activations drawn at random, independent of the image (null).
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { sampleIdentities } from '../../workers/faces/identity';
import { chiSquareQuantile, poseInvariance, rankDof } from '../../workers/analyses/pose-invariance';
import type { Network, Prediction } from '../../workers/analyses/network';
import { Rng } from '../../workers/info';

const SIZE = 32;

function nullNet(seed: number): Network {
  const rng = new Rng(seed);
  return {
    inputSize: SIZE, classCount: 3, layerNames: ['a', 'b'], describe: () => ({ kind: 'null-test-net' }),
    async predict(_images: Float32Array, n: number, layers: string[]): Promise<Prediction> {
      const draw = (m: number) => Float32Array.from({ length: m }, () => rng.normal());
      const all: Prediction['activations'] = { a: { shape: [n, 1, 1, 4], data: draw(n * 4) }, b: { shape: [n, 1, 1, 3], data: draw(n * 3) } };
      return { logits: draw(n * 3), activations: Object.fromEntries(layers.map((l) => [l, all[l]])) };
    },
  };
}

describe('pose invariance: vertex selection, rank dof, thresholds', () => {
  const model = loadDefaultFaceModel();
  const identities = sampleIdentities(model, { count: 3, seed: 1 });

  it('rank-r features use r·k degrees of freedom', () => {
    expect(rankDof(1, 4)).toBe(4);
    expect(rankDof(3, 4)).toBe(12);
    expect(() => rankDof(0, 4)).toThrow(/rank/);
    // Wilson–Hilferty against tabulated χ² quantiles (0.95: dof 4 → 9.488, dof 12 → 21.026)
    expect(chiSquareQuantile(0.95, 4)).toBeCloseTo(9.488, 1);
    expect(chiSquareQuantile(0.95, 12)).toBeCloseTo(21.026, 1);
  });

  it('null network: analyses only the given vertices, and the FWER threshold finds (almost) nothing', { timeout: 120_000 }, async () => {
    const V = model.vertexCount;
    const mask = new Uint8Array(V);
    for (let v = 0; v < V; v += 37) mask[v] = 1;
    const selected = mask.reduce((a, b) => a + b, 0);
    let runsWithSignificant = 0, mapsTested = 0;
    for (const seed of [1, 2, 3]) {
      const r = await poseInvariance(model, identities, nullNet(seed), {
        identity: 0, posesYawDeg: [-20, 20], trials: 60, pcaComponents: 2, seed, batchSize: 30, permutations: 19,
        significant: { shape: mask, texture: mask },
      });
      expect(r.selection).toBe('given');
      expect(r.analysedVertices).toBeLessThanOrEqual(selected);
      expect(r.analysedVertices).toBeGreaterThan(0.8 * selected);
      for (const f of r.features) for (const l of f.layers) {
        mapsTested++;
        expect(Number.isFinite(l.conditionalThresholdBits)).toBe(true);
        for (let v = 0; v < V; v++) if (!mask[v]) expect(l.conditionalMi[v]).toBeNaN();
        if (l.conditionalSignificant.some((x) => x === 1)) runsWithSignificant++;
      }
    }
    // 12 null maps at FWER 5 %: P(≥ 3) ≈ 2 %
    expect(mapsTested).toBe(12);
    expect(runsWithSignificant).toBeLessThanOrEqual(2);
  });
});
