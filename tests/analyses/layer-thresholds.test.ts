/**
 * Issue 12 item 3: the hidden-layer I(F_v; L) maps get a max-statistic permutation threshold and
 * the layer-level co-information I(F;L) − I(F;L|D) a permutation p-value. Synthetic trials (no
 * rendering): the coefficient noise of the default model, a layer of pure noise (null) and a layer
 * that reads the shape noise of the model's components (planted), decision = sign of that reading.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { hiddenLayers } from '../../workers/analyses/hidden-layers';
import { drawNoise } from '../../workers/analyses/noise';
import type { TrialRun } from '../../workers/analyses/trials';
import { copnorm, miGGSamples, Rng } from '../../workers/info';
import { FastLayerNull, permutedSamples, whiten } from '../../workers/analyses/layer-stats';

const model = loadDefaultFaceModel();
const T = 300;

function syntheticRun(seed: number): TrialRun {
  const noise = drawNoise(model, { basis: 'components', trials: T, shapeSd: 0.5, textureSd: 0, seed });
  const rng = new Rng(seed + 99);
  const F = 4;
  const nul = new Float32Array(T * F), planted = new Float32Array(T * F);
  const logit = new Float64Array(T), decision = new Int32Array(T);
  for (let t = 0; t < T; t++) {
    for (let f = 0; f < F; f++) {
      nul[t * F + f] = rng.normal();
      // noise.shape is [component][trial]: the planted layer reads the first 4 shape components
      planted[t * F + f] = noise.shape[f * T + t] + 0.3 * rng.normal();
    }
    logit[t] = noise.shape[t] + noise.shape[T + t] + 0.3 * rng.normal();
    decision[t] = logit[t] > 0 ? 1 : 0;
  }
  const layer = (data: Float32Array) => ({ data, features: F, shape: [F], grid: 0 });
  return {
    trials: T, target: 0, view: { sizePx: 32, yawDeg: 0 }, logit, probability: logit.map((x) => 1 / (1 + Math.exp(-x))),
    predicted: Int32Array.from(decision, (d) => 1 - d), decision, layers: { null: layer(nul), planted: layer(planted) },
  } as unknown as TrialRun;
}

describe('hidden-layer thresholds and co-information null', () => {
  it('the fast null (whitened cross-covariance) equals the estimator on permuted layers', () => {
    const rng = new Rng(4);
    const n = 200;
    const xr = Float64Array.from({ length: 3 * n }, () => rng.normal());
    const yr = Float64Array.from({ length: 4 * n }, (_, i) => rng.normal() + 0.5 * xr[i % (3 * n)]);
    const sx = { data: copnorm(xr, 3, n), dims: 3, trials: n };
    const sy = { data: copnorm(yr, 4, n), dims: 4, trials: n };
    const observed = miGGSamples(sx, sy, { demeaned: true });
    expect(observed).toBeGreaterThan(0.1);
    const fast = new FastLayerNull(sy, 5, 9).permutedMi(whiten(sx), 3, observed);
    const slow = permutedSamples(sy, 5, 9).map((py) => miGGSamples(sx, py, { demeaned: true }));
    fast.forEach((v, p) => expect(v).toBeCloseTo(slow[p], 9));
  });

  it('a planted layer has significant vertices and significant redundancy; a null layer mostly none', { timeout: 60_000 }, () => {
    let nullRunsWithSignificant = 0, nullCoinfoSignificant = 0;
    const runs = 6;
    for (let r = 0; r < runs; r++) {
      const run = syntheticRun(10 + r);
      const noise = drawNoise(model, { basis: 'components', trials: T, shapeSd: 0.5, textureSd: 0, seed: 10 + r });
      const h = hiddenLayers(model, run, noise, { pcaComponents: 3, vertexStride: 24, permutations: 19, seed: r + 1, diagnosticCap: 8 });
      const [nul, planted] = h.layers;
      expect(Number.isFinite(nul.shapeThresholdBits)).toBe(true);
      if (nul.shapeSignificant!.some((x) => x === 1)) nullRunsWithSignificant++;
      if (nul.shapeLayerCoinfo!.significant) nullCoinfoSignificant++;
      if (r === 0) {
        const sig = planted.shapeSignificant!.reduce((a, b) => a + b, 0);
        expect(sig).toBeGreaterThan(10);
        expect(planted.shapeLayerCoinfo!.kind).toBe('redundancy');
        expect(planted.shapeLayerCoinfo!.coinfoBits).toBeGreaterThan(0.02);
        expect(planted.shapeLayerCoinfo!.p).toBeLessThanOrEqual(0.05);
        expect(planted.shapeLayerCoinfo!.source).toBe('top-decision-mi');
      }
    }
    // FWER 5 %: P(≥ 2 of 6 runs) ≈ 3 %
    expect(nullRunsWithSignificant).toBeLessThanOrEqual(1);
    expect(nullCoinfoSignificant).toBeLessThanOrEqual(1);
  });
});
