/**
 * Attributions (issue 15, item 3) on planted models whose answer is known:
 * - a linear model f(x) = w · x: integrated gradients equal gradient × (input − baseline) to float
 *   precision for both quadrature rules and both baselines, and completeness holds;
 * - occlusion of a linear model: each patch's drop is the patch sum of w · (x − baseline);
 * - a linear model whose weights sit on the pixels of one face region: the attributions carried
 *   onto the mesh put their mass on that region's vertices;
 * - a ResNet-10 on the wasm backend: the target logit's gradient matches finite differences.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend, buildResNet10 } from '../../workers/nn';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { demographicNorm, identityAlbedo, identityPositions } from '../../workers/faces/identity';
import { createRng, fillGaussian } from '../../workers/faces/seeded-rng';
import {
  type LogitFunction, gradientTimesInput, integratedGradients, logitGradient, logitValues, occlusion, patchOffsets, pathQuadrature, targetLogit,
} from '../../workers/analyses/attributions';
import { massFraction, meshAttributions } from '../../workers/analyses/attribution-mesh';
import { mapAgreement, spearman } from '../../workers/analyses/map-agreement';
import { averageDemographics, renderOptionsFor, StimulusRenderer } from '../../workers/analyses/stimuli';
import { projectedRegionMask } from '../../workers/analyses/image-oracle';
import { resolveRegion } from '../../workers/analyses/regions';

/** f(x) = Σ_i w_i x_i as a real LayersModel (flatten + dense without bias). */
function linearModel(size: number, w: Float32Array): tf.LayersModel {
  const m = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [size, size, 3] }), tf.layers.dense({ units: 1, useBias: false })] });
  m.layers[1].setWeights([tf.tensor2d(w, [w.length, 1])]);
  return m;
}

function randomArray(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  const a = new Float32Array(n);
  fillGaussian(createRng(seed), a);
  for (let i = 0; i < n; i++) a[i] = offset + scale * a[i];
  return a;
}

beforeAll(async () => { await chooseBackend({ log: () => {} }); });

describe('attributions of a planted linear model', () => {
  const S = 12, px = S * S * 3, n = 3;
  const w = randomArray(px, 1);
  let f: LogitFunction;
  beforeAll(() => { f = targetLogit(linearModel(S, w), 0); });
  const images = randomArray(n * px, 2, 0.2, 0.5);

  it('runs on the wasm backend, and its gradient is w', () => {
    expect(tf.getBackend()).toBe('wasm');
    const { gradient, logit } = logitGradient(f, images, S);
    for (let j = 0; j < n; j++) for (let i = 0; i < px; i++) expect(gradient[j * px + i]).toBeCloseTo(w[i], 5);
    let dot = 0;
    for (let i = 0; i < px; i++) dot += w[i] * images[i];
    expect(logit[0]).toBeCloseTo(dot, 3);
  });

  for (const rule of ['trapezoid', 'riemann-right'] as const) {
    for (const baselineKind of ['black', 'mean'] as const) {
      it(`integrated gradients = gradient × (input − baseline) exactly (${rule}, ${baselineKind} baseline, 16 steps)`, () => {
        const baseline = new Float32Array(px);
        if (baselineKind === 'mean') for (let j = 0; j < n; j++) for (let i = 0; i < px; i++) baseline[i] += images[j * px + i] / n;
        const ig = integratedGradients(f, images, S, { steps: 16, rule, baseline });
        let maxDiff = 0, maxAbs = 0;
        for (let i = 0; i < images.length; i++) {
          const expected = w[i % px] * (images[i] - baseline[i % px]);
          maxDiff = Math.max(maxDiff, Math.abs(ig.attribution[i] - expected));
          maxAbs = Math.max(maxAbs, Math.abs(expected));
        }
        expect(maxDiff / maxAbs).toBeLessThan(1e-5);
        // completeness: Σ_i A_i = f(x) − f(x')
        for (const e of ig.completenessError) expect(e).toBeLessThan(1e-4);
        if (baselineKind === 'black') expect(ig.baselineLogit).toBe(0);
      });
    }
  }

  it('gradient × input is w ⊙ x, the quadrature weights sum to 1, and no tensor is left behind', () => {
    const before = tf.memory().numTensors;
    const gx = gradientTimesInput(f, images, S);
    integratedGradients(f, images, S, { steps: 3, rule: 'trapezoid', baseline: new Float32Array(px) });
    occlusion(f, images, S, { patch: 6, stride: 6, baseline: new Float32Array(px) });
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 50; i++) expect(gx[i]).toBeCloseTo(w[i] * images[i], 5);
    for (const rule of ['trapezoid', 'riemann-right'] as const) {
      const q = pathQuadrature(7, rule);
      expect(q.weight.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    expect(() => pathQuadrature(0, 'trapezoid')).toThrow(/steps must be an integer in \[1, 1024\]/);
  });

  it('occlusion drops equal the patch sums of w · (x − baseline) (patch 4, stride 3)', () => {
    const baseline = randomArray(px, 3, 0.1, 0.3);
    const occ = occlusion(f, images, S, { patch: 4, stride: 3, baseline, batchSize: 7 });
    expect(occ.offsets).toEqual([0, 3, 6, 8]);
    const G = occ.offsets.length;
    let maxDiff = 0;
    for (let j = 0; j < n; j++) {
      occ.offsets.forEach((y0, gy) => occ.offsets.forEach((x0, gx) => {
        let s = 0;
        for (let y = y0; y < y0 + 4; y++) for (let x = x0; x < x0 + 4; x++) for (let c = 0; c < 3; c++) {
          const i = (y * S + x) * 3 + c;
          s += w[i] * (images[j * px + i] - baseline[i]);
        }
        maxDiff = Math.max(maxDiff, Math.abs(occ.drop[(j * G + gy) * G + gx] - s));
      }));
    }
    expect(maxDiff).toBeLessThan(1e-4);
    expect(() => patchOffsets(S, 4, 5)).toThrow(/stride must be an integer in \[1, patch = 4\]/);
  });
});

describe('attributions carried onto the mesh', () => {
  const model = loadDefaultFaceModel();

  it('a linear model reading the nose pixels puts its attribution on the nose vertices', async () => {
    const S = 32;
    const region = resolveRegion(model, 'nose');
    const id = demographicNorm(model, averageDemographics(model));
    const renderer = new StimulusRenderer(model);
    const mask = projectedRegionMask(renderer, identityPositions(model, id), identityAlbedo(model, id), renderOptionsFor({ sizePx: S, yawDeg: 0 }, true), region);
    const maskPixels = mask.reduce((a, b) => a + b, 0);
    expect(maskPixels).toBeGreaterThan(10);
    // w: Rec. 709 luminance on the mask pixels, 0 elsewhere (f = summed luminance of the nose pixels)
    const w = new Float32Array(S * S * 3);
    for (let p = 0; p < S * S; p++) if (mask[p]) w.set([0.2126, 0.7152, 0.0722], p * 3);
    const f = targetLogit(linearModel(S, w), 0);
    const r = await meshAttributions(model, id, f, {
      sizePx: S, trials: 12, basis: 'vertex', shapeNoiseSd: 0, textureNoiseSd: 0.05, seed: 3,
      baseline: 'mean', igSteps: 4, occlusionPatch: 4, occlusionStride: 2, batchSize: 6,
    });
    expect(r.logit.length).toBe(12);
    expect(r.completeness!.max).toBeLessThan(1e-3);
    const byMethod = Object.fromEntries(r.maps.map((m) => [m.method, m]));
    const gxi = byMethod['gradient-x-input'];
    const inRegion = new Uint8Array(model.vertexCount);
    for (const v of region) inRegion[v] = 1;
    // every pixel of the mask shows a triangle with all three vertices in the region
    expect(massFraction(gxi, region)).toBeGreaterThan(0.999);
    expect(massFraction(byMethod['integrated-gradients'], region)).toBeGreaterThan(0.999);
    // occlusion patches (4 px) reach past the mask's edge: most, not all, of the mass
    const occFraction = massFraction(byMethod.occlusion, region);
    expect(occFraction).toBeGreaterThan(0.5);
    // the 20 most attributed vertices are nose vertices, for every method
    const top20 = (m: { values: Float32Array }) => Array.from(m.values.keys()).filter((v) => Number.isFinite(m.values[v])).sort((a, b) => m.values[b] - m.values[a]).slice(0, 20).filter((v) => inRegion[v]).length;
    expect(top20(gxi)).toBe(20);
    expect(top20(byMethod['integrated-gradients'])).toBe(20);
    // measured: 13 of 20 (patches of 4 px at 32 px straddle the nose's outline)
    expect(top20(byMethod.occlusion)).toBeGreaterThanOrEqual(10);
    // agreement of gradient × input with the truth (the region indicator) over the visible vertices
    const truth = Float64Array.from(inRegion);
    const ag = mapAgreement(gxi.values, truth, { topFraction: 0.05, absolute: true });
    expect(ag.spearman).toBeGreaterThan(0.3);
    console.log(`[attributions] mesh: mass on nose GxI ${massFraction(gxi, region).toFixed(4)}, IG ${massFraction(byMethod['integrated-gradients'], region).toFixed(4)}, occlusion ${occFraction.toFixed(3)} (top 20: ${top20(byMethod.occlusion)} on the nose); GxI vs truth ρ ${ag.spearman.toFixed(3)} r ${ag.pearson.toFixed(3)} (${ag.vertices} visible vertices)`);
  });
});

describe('map agreement', () => {
  it('Pearson, Spearman and Dice on maps with known answers; NaN vertices left out', () => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NaN];
    const b = [2, 4, 6, 8, 10, 12, 14, 16, 18, 1000, 3];
    const ag = mapAgreement(a, b, { topFraction: 0.2, significantA: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]), significantB: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]) });
    expect(ag.vertices).toBe(10);
    expect(ag.spearman).toBeCloseTo(1, 12);
    expect(ag.pearson).toBeLessThan(0.7);
    expect(ag.diceTop).toBe(1);
    // significant sets {7, 8, 9} and {8, 9} over the compared vertices: 2·2 / (3 + 2)
    expect(ag.diceSignificant).toBeCloseTo(0.8, 12);
    const signed = mapAgreement([-5, 1, 2, 3], [5, 1, 2, 3], { absolute: true, topFraction: 0.25 });
    expect(signed.pearson).toBeCloseTo(1, 12);
    expect(signed.diceTop).toBe(1);
    expect(() => mapAgreement([1, 2], [1, 2, 3])).toThrow(/map a has 2 vertices, map b 3/);
  });
});

describe('the network: ResNet-10 on wasm', () => {
  it("the target logit's gradient equals the cpu reference backend's and central differences", async () => {
    const S = 32;
    const net = buildResNet10({ inputSize: S, widthMultiplier: 0.25, numClasses: 5, seed: 4 });
    const f = targetLogit(net, 2);
    const x = randomArray(S * S * 3, 5, 0.1, 0.5);
    const v = randomArray(S * S * 3, 6);
    const { gradient, logit } = logitGradient(f, x, S);
    await tf.setBackend('cpu');
    const reference = logitGradient(f, x, S).gradient;
    await tf.setBackend('wasm');
    let maxDiff = 0, maxAbs = 0;
    for (let i = 0; i < x.length; i++) { maxDiff = Math.max(maxDiff, Math.abs(gradient[i] - reference[i])); maxAbs = Math.max(maxAbs, Math.abs(reference[i])); }
    expect(maxDiff / maxAbs).toBeLessThan(1e-4);
    // a ReLU network is piecewise linear: a small step (1e-3 per unit of a random direction) stays near one piece
    let gv = 0;
    for (let i = 0; i < x.length; i++) gv += gradient[i] * v[i];
    const eps = 1e-3;
    const fd = (logitValues(f, Float32Array.from(x, (a, i) => a + eps * v[i]), S)[0] - logitValues(f, Float32Array.from(x, (a, i) => a - eps * v[i]), S)[0]) / (2 * eps);
    expect(Math.abs(gv - fd) / Math.abs(fd)).toBeLessThan(0.1);
    // the explained score is the pre-softmax logit, not the probability
    const z = tf.tidy(() => (tf.model({ inputs: net.inputs, outputs: net.getLayer('logits').output as tf.SymbolicTensor }).predict(tf.tensor4d(x, [1, S, S, 3])) as tf.Tensor).dataSync());
    expect(logit[0]).toBeCloseTo(z[2], 4);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 25])).toBeCloseTo(0.8, 10);
    expect(() => targetLogit(net, 5)).toThrow(/target must be a class index in \[0, 4\]/);
  });
});
