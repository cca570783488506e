/**
 * Regression: hidden layers and pose invariance at the tiny preset's size (50 trials, PCA k = 2,
 * two poses) on layers that do not span k dimensions used to throw "covariance is not positive
 * definite" (the rounding-noise PCA component had the ranks of the real one) or give bits from
 * rounding noise. The network is a fixed function of the rendered pixels (like the image oracle):
 *   dead        [1][1][4] all zero (dead ReLUs): rank 0 → 0 bits everywhere, a note;
 *   duplicated  [1][1][4] the image's mean intensity four times: rank 1 → k = 1;
 *   quadrants   [2][2][3] the mean RGB of each image quadrant: full rank → k = 2;
 * logits = (brightness, −brightness, 0).
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { sampleIdentities } from '../../workers/faces/identity';
import { hiddenLayers } from '../../workers/analyses/hidden-layers';
import { poseInvariance } from '../../workers/analyses/pose-invariance';
import { drawNoise, noiseFeatures } from '../../workers/analyses/noise';
import { runNoiseTrials } from '../../workers/analyses/trials';
import { pcaScores } from '../../workers/analyses/pca';
import type { Network, Prediction } from '../../workers/analyses/network';
import { gccmiCCD } from '../../workers/info/gcmi';
import { miGGSamples } from '../../workers/info/gaussian';
import { copnorm } from '../../workers/info/copnorm';

const SIZE = 32;

/** A fixed network of the pixels with a dead, a rank-1 and a full-rank layer. */
const degenerateNet: Network = {
  inputSize: SIZE,
  classCount: 3,
  layerNames: ['dead', 'duplicated', 'quadrants'],
  describe: () => ({ kind: 'degenerate-test-net' }),
  async predict(images: Float32Array, n: number, layers: string[]): Promise<Prediction> {
    const px = SIZE * SIZE * 3;
    const logits = new Float32Array(n * 3);
    const dead = new Float32Array(n * 4);
    const duplicated = new Float32Array(n * 4);
    const quadrants = new Float32Array(n * 12);
    for (let i = 0; i < n; i++) {
      const img = images.subarray(i * px, (i + 1) * px);
      let sum = 0;
      for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) {
        const q = (y < SIZE / 2 ? 0 : 2) + (x < SIZE / 2 ? 0 : 1);
        for (let c = 0; c < 3; c++) {
          const v = img[(y * SIZE + x) * 3 + c];
          sum += v;
          quadrants[i * 12 + q * 3 + c] += v / ((SIZE * SIZE) / 4);
        }
      }
      const brightness = sum / px;
      duplicated.fill(brightness, i * 4, (i + 1) * 4);
      logits.set([brightness, -brightness, 0], i * 3);
    }
    const all: Prediction['activations'] = {
      dead: { shape: [n, 1, 1, 4], data: dead },
      duplicated: { shape: [n, 1, 1, 4], data: duplicated },
      quadrants: { shape: [n, 2, 2, 3], data: quadrants },
    };
    return { logits, activations: Object.fromEntries(layers.map((l) => [l, all[l]])) };
  },
};

describe('hidden layers and pose invariance on degenerate layers (tiny size)', () => {
  const model = loadDefaultFaceModel();
  const identities = sampleIdentities(model, { count: 3, seed: 1 });
  const trials = 50, k = 2, stride = 16;

  it('PCA keeps only the components a layer varies along', () => {
    const T = 50;
    const rank1 = new Float32Array(T * 4);
    for (let t = 0; t < T; t++) rank1.fill(Math.sin(t), t * 4, t * 4 + 4);
    expect(pcaScores(rank1, T, 4, 2).k).toBe(1);
    expect(pcaScores(rank1, T, 4, 2).dropped).toBe(1);
    expect(pcaScores(new Float32Array(T * 4).fill(0.25), T, 4, 2).k).toBe(0);
    // k ≥ T: at most T − 1 components
    expect(pcaScores(Float32Array.from({ length: 5 * 8 }, (_, i) => Math.sin(i * i * 0.37)), 5, 8, 8).k).toBe(4);
  });

  it('pose invariance computes gccmi_ccd from per-pose copulas: same conditional and pooled bits', () => {
    const T = 50, P = 2, N = P * T, dx = 3, k = 2;
    const rnd = (i: number) => Math.sin(i * 12.9898 + 78.233) * 43758.5453 % 1;
    const x = Float64Array.from({ length: dx * T }, (_, i) => rnd(i));
    const y = Float64Array.from({ length: k * N }, (_, i) => rnd(10_000 + i) + 0.5 * x[(Math.floor(i / N) * T) + (i % T)]);
    const xAll = new Float64Array(dx * N);
    for (let d = 0; d < dx; d++) for (let p = 0; p < P; p++) xAll.set(x.subarray(d * T, (d + 1) * T), d * N + p * T);
    const pose = Int32Array.from({ length: N }, (_, i) => Math.floor(i / T));
    const ref = gccmiCCD({ data: xAll, dims: dx, trials: N }, { data: y, dims: k, trials: N }, pose, P);
    const sx = { data: copnorm(x, dx, T), dims: dx, trials: T };
    const pooledX = new Float64Array(dx * N), pooledY = new Float64Array(k * N);
    let cmi = 0;
    for (let p = 0; p < P; p++) {
      const part = new Float64Array(k * T);
      for (let d = 0; d < k; d++) part.set(y.subarray(d * N + p * T, d * N + (p + 1) * T), d * T);
      const sy = { data: copnorm(part, k, T), dims: k, trials: T };
      cmi += miGGSamples(sx, sy, { demeaned: true }) / P;
      for (let d = 0; d < dx; d++) pooledX.set(sx.data.subarray(d * T, (d + 1) * T), d * N + p * T);
      for (let d = 0; d < k; d++) pooledY.set(sy.data.subarray(d * T, (d + 1) * T), d * N + p * T);
    }
    const mi = miGGSamples({ data: pooledX, dims: dx, trials: N }, { data: pooledY, dims: k, trials: N }, { demeaned: false });
    expect(ref.cmi).toBeGreaterThan(0.1);
    expect(cmi).toBeCloseTo(ref.cmi, 10);
    expect(mi).toBeCloseTo(ref.mi, 10);
  });

  it('hidden layers: 0 bits for a dead layer, k = 1 for a duplicated one, no crash', { timeout: 60_000 }, async () => {
    const noise = drawNoise(model, { basis: 'components', trials, shapeSd: 0.5, textureSd: 0.5, seed: 1 });
    const run = await runNoiseTrials(model, identities[0], noise, degenerateNet, { sizePx: SIZE, yawDeg: 0 }, degenerateNet.layerNames, 25);
    const r = hiddenLayers(model, run, noise, { pcaComponents: k, vertexStride: stride, seed: 1 });
    const [dead, dup, quad] = r.layers;
    expect(r.layers.map((l) => l.k)).toEqual([0, 1, 2]);
    expect(dead.logitBits).toBe(0);
    expect(r.notes.join('\n')).toMatch(/layer 'dead' does not vary/);
    expect(r.notes.join('\n')).toMatch(/layer 'duplicated': 1 of 2 PCA components kept/);
    // the duplicated layer is the logit itself (a monotone copy): unbounded information, NaN with a note
    expect(dup.logitBits).toBeNaN();
    expect(r.notes.join('\n')).toMatch(/layer 'duplicated': I\(layer; logit\) not estimable/);
    expect(quad.logitBits).toBeGreaterThan(0.5);
    const strided = Array.from({ length: Math.ceil(model.vertexCount / stride) }, (_, i) => i * stride);
    for (const key of ['shapeMi', 'textureMi'] as const) {
      const deadMap = dead[key]!, dupMap = dup[key]!, quadMap = quad[key]!;
      // every vertex the noise moves (rank > 0) is analysed; the few left NaN (clamped albedo) are reported
      const f = noiseFeatures(model, noise, key === 'shapeMi' ? 'shape' : 'texture');
      const analysed = strided.filter((v) => !f.skip || !f.skip[v]);
      const finite = analysed.filter((v) => Number.isFinite(dupMap[v]));
      expect(analysed.length).toBeGreaterThan(100);
      expect(finite.length).toBeGreaterThan(0.95 * analysed.length);
      if (finite.length < analysed.length) expect(r.notes.join('\n')).toMatch(/vertices with a singular feature covariance left NaN/);
      for (const v of finite) {
        expect(deadMap[v]).toBe(0);
        expect(dupMap[v]).toBeGreaterThan(-0.1); // bias-corrected: ≈ 0 can be slightly negative
        expect(Number.isFinite(quadMap[v])).toBe(true);
      }
    }
  });

  it('pose invariance: the same layers at two poses run through, the dead layer at 0 bits', { timeout: 120_000 }, async () => {
    const r = await poseInvariance(model, identities, degenerateNet, {
      identity: 0, posesYawDeg: [-20, 20], trials, pcaComponents: k, vertexStride: stride, seed: 1, batchSize: 25,
      // every vertex (the degenerate layers are the subject here, not the vertex selection)
      significant: { shape: new Uint8Array(model.vertexCount).fill(1), texture: new Uint8Array(model.vertexCount).fill(1) }, permutations: 19,
    });
    expect(r.features.map((f) => f.feature)).toEqual(['shape', 'texture']);
    expect(r.notes.join('\n')).toMatch(/layer 'dead' does not vary/);
    for (const f of r.features) {
      const [dead, dup, quad] = f.layers;
      expect(dead.conditionalBits).toBe(0);
      expect(dead.pooledBits).toBe(0);
      for (const l of [dup, quad]) {
        expect(Number.isFinite(l.conditionalBits)).toBe(true);
        expect(Number.isFinite(l.pooledBits)).toBe(true);
        expect(l.conditionalBits).toBeGreaterThan(0);
        expect(l.dice).toBeGreaterThanOrEqual(0);
        expect(l.dice).toBeLessThanOrEqual(1);
      }
    }
  });
});
