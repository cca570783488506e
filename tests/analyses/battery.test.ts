/**
 * The battery end to end on a real (small, untrained) ResNet-10 from the nn engine: every stage
 * runs, the bundle validates against contract/result-bundles.ts, and every array file has the size its
 * ArrayRef declares. Sizes are tiny; the demo-size timing lives in bench/analyses.ts.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { sampleIdentities } from '../../workers/faces/identity';
import { buildResNet10, chooseBackend } from '../../workers/nn';
import * as tf from '@tensorflow/tfjs';
import { saveModel } from '../../workers/nn';
import { loadNetwork, networkFromModel } from '../../workers/analyses/nn-adapter';
import { reverseCorrelation } from '../../workers/analyses/reverse-correlation';
import { hiddenLayers } from '../../workers/analyses/hidden-layers';
import { runBattery, type BatteryConfig } from '../../workers/analyses/battery';
import { folderFiles, stagedFolderSync } from '../../workers/util';
import { BatterySummary, type ArrayRef } from '../../workers/contract/result-bundles';

const dir = mkdtempSync(path.join(os.tmpdir(), 'deeper-battery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function arrayRefs(x: unknown, out: ArrayRef[] = []): ArrayRef[] {
  if (Array.isArray(x)) x.forEach((v) => arrayRefs(v, out));
  else if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (typeof o.file === 'string' && typeof o.dtype === 'string' && Array.isArray(o.shape)) out.push(o as unknown as ArrayRef);
    else Object.values(o).forEach((v) => arrayRefs(v, out));
  }
  return out;
}

describe('analyse battery', { timeout: 300_000 }, () => {
  it('runs the four analyses on a ResNet-10 and writes a valid bundle', async () => {
    await chooseBackend({ log: () => {} });
    const model = loadDefaultFaceModel();
    const identities = sampleIdentities(model, { count: 3, seed: 1 });
    const net = networkFromModel(buildResNet10({ inputSize: 32, widthMultiplier: 0.125, numClasses: 3, seed: 1 }));
    const cfg: BatteryConfig = {
      generalisation: { enabled: true, identityCount: 2, levels: [0, 1], morphLevels: [0, 1], posesYawDeg: [0] },
      reverseCorrelation: { enabled: true, identities: [0], trials: 60, shapeNoiseSd: 0.5, textureNoiseSd: 0.5, basis: 'components', permutations: 19, alpha: 0.05, tfce: false, bands: true, seed: 1, threads: 1 },
      hiddenLayers: { enabled: true, pcaComponents: 2, vertexStride: 16 },
      poseInvariance: { enabled: true, posesYawDeg: [-20, 20], trials: 30, vertexStride: 16 },
      attributions: { enabled: true, trials: 10, integratedSteps: 4, occlusionPatch: 8, occlusionStride: 8 },
      batchSize: 32,
    };
    const out = path.join(dir, 'bundle');
    const fractions: number[] = [];
    const summary = await runBattery(model, identities, net, cfg, stagedFolderSync(out), (p) => fractions.push(p.fraction));
    const onDisk = BatterySummary.parse(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')));
    expect(onDisk.stages.map((s) => s.stage)).toEqual(['generalisation', 'reverse-correlation:id0', 'attributions:id0', 'hidden-layers:id0', 'pose-invariance:id0']);
    // issue 15: the three attribution maps of the target logit on the first 10 of the same stimuli,
    // finite where seen, with their agreement with the shape and texture logit information maps
    const attr = onDisk.reverseCorrelation[0].attributions!;
    expect(attr.trials).toBe(10);
    expect(attr.maps.map((m) => m.method)).toEqual(['gradient-x-input', 'integrated-gradients', 'occlusion']);
    expect(attr.unit).toMatch(/^logit units/);
    for (const m of attr.maps) {
      const values = new Float32Array(readFileSync(path.join(out, m.arrays.values.file)).buffer.slice(0));
      const magnitude = new Float32Array(readFileSync(path.join(out, m.arrays.magnitude.file)).buffer.slice(0));
      const weight = new Float32Array(readFileSync(path.join(out, m.arrays.weight.file)).buffer.slice(0));
      expect(values.length).toBe(model.vertexCount);
      // seen vertices (weight > 0) have finite values, unseen ones NaN; a frontal face shows hundreds
      const seen = Array.from(weight.keys()).filter((v) => weight[v]! > 0);
      expect(seen.length, m.method).toBe(m.visibleVertices);
      expect(seen.length).toBeGreaterThan(100);
      expect(seen.every((v) => Number.isFinite(values[v]!) && magnitude[v] === Math.abs(values[v]!))).toBe(true);
      expect(Array.from(weight.keys()).filter((v) => !(weight[v]! > 0)).every((v) => Number.isNaN(values[v]!))).toBe(true);
      expect(m.maxAbs!).toBeGreaterThan(0);
      expect(m.maxAbs!).toBeCloseTo(Math.max(...seen.map((v) => magnitude[v]!)), 6);
      expect(m.agreement.map((a) => a.map)).toEqual(['shape.logit', 'texture.logit']);
      for (const a of m.agreement) {
        expect([a.vertices, a.topFraction]).toEqual([seen.length, 0.05]);
        for (const x of [a.pearson!, a.spearman!, a.diceTop!]) expect(Number.isFinite(x) && Math.abs(x) <= 1).toBe(true);
      }
    }
    // integrated gradients at 4 intervals on a ReLU network: completeness holds only roughly
    expect(Number.isFinite(attr.completeness!.mean!)).toBe(true);
    expect(summary.generalisation!.curves.map((c) => c.manipulation)).toEqual(['shape-scale', 'texture-scale', 'shape-morph', 'texture-morph']);
    // maps: shape and texture (all bands and each of the 3 bands), for the logit at least
    const names = onDisk.reverseCorrelation[0].maps.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['shape.logit', 'texture.logit', 'texture:low.logit', 'texture:mid.logit', 'texture:high.logit']));
    expect(onDisk.hiddenLayers[0].layers.map((l) => l.layer)).toEqual(['conv1', 'block1', 'block2', 'block3', 'block4', 'pool']);
    expect(onDisk.poseInvariance[0].features.map((f) => f.feature)).toEqual(['shape', 'texture']);
    const bytes = { float32: 4, uint8: 1, int32: 4 } as const;
    const refs = arrayRefs(onDisk);
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) expect(statSync(path.join(out, r.file)).size, r.file).toBe(r.shape.reduce((a, b) => a * b, 1) * bytes[r.dtype]);
    // MI maps are per vertex of the model, in bits, non-negative up to the bias correction
    const mi = new Float32Array(readFileSync(path.join(out, onDisk.reverseCorrelation[0].maps[0].arrays.mi.file)).buffer.slice(0));
    expect(mi.length).toBe(model.vertexCount);
    expect(Math.min(...mi)).toBeGreaterThan(-0.2);
    // issue 14: every map has per-vertex p-values in [1/(P+1), 1] and 10 response bins of 6 trials (60 trials)
    for (const m of onDisk.reverseCorrelation[0].maps) {
      expect(m.pValues?.shape).toEqual([model.vertexCount]);
      expect(m.responseBins?.bins).toBe(10);
      const p = new Float32Array(readFileSync(path.join(out, m.pValues!.file)).buffer.slice(0)).filter(Number.isFinite);
      expect(p.length).toBeGreaterThan(0);
      expect([Math.min(...p) >= 1 / 20 - 1e-6, Math.max(...p) <= 1]).toEqual([true, true]);
      const count = new Int32Array(readFileSync(path.join(out, m.responseBins!.count.file)).buffer.slice(0));
      expect(new Set(count).size <= 2 && count.every((c) => c === 0 || c === 6)).toBe(true);
    }
    expect(fractions.at(-1)).toBeCloseTo(1, 6);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1] - 1e-9)).toBe(true);
  });

  it('probes an imported LayersModel (any architecture) through the same interface', async () => {
    await chooseBackend({ log: () => {} });
    const model = loadDefaultFaceModel();
    const identities = sampleIdentities(model, { count: 4, seed: 1 });
    const seqModel = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [24, 24, 3], filters: 4, kernelSize: 3, strides: 2, activation: 'relu', name: 'conv_a' }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dense({ units: 4, activation: 'softmax', name: 'probs' }),
      ],
    });
    const modelDir = path.join(dir, 'imported');
    await saveModel(seqModel, folderFiles(modelDir));
    const net = await loadNetwork(folderFiles(modelDir), { numClasses: 4 });
    expect(net.inputSize).toBe(24);
    expect(net.layerNames).toEqual(['conv_a']);
    const rc = await reverseCorrelation(model, identities, net, { identity: 1, trials: 60, permutations: 0, bands: false, layers: net.layerNames });
    expect(rc.maps.map((m) => m.name)).toEqual(expect.arrayContaining(['shape.logit', 'texture.logit']));
    expect(rc.run.layers.conv_a.features).toBeGreaterThan(0);
    const h = hiddenLayers(model, rc.run, rc.noise, { pcaComponents: 2, vertexStride: 32 });
    expect(h.layers[0].layer).toBe('conv_a');
    expect(Number.isFinite(h.layers[0].logitBits)).toBe(true);
    await expect(loadNetwork(folderFiles(modelDir), { numClasses: 7 })).rejects.toThrow(/class/);
  });
});
