/**
 * ResNet-10 end to end on the wasm backend with a tiny network (32 px, width 0.125, 3 classes):
 * activation shapes, learning a separable toy problem, checkpoint resume, import/export,
 * cancellation and tensor leaks.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { folderFiles } from '../../workers/util';
import {
  chooseBackend, buildResNet10, activationShape, arraySource, train, evaluate, predict, Predictor,
  saveModel, loadModel, LAYER_NAMES, type DataSource,
} from '../../workers/nn';

const S = 32, W = 0.125, K = 3;

/** Class k: a soft blob of colour k at a class-specific position, plus seeded noise. */
function toyData(perClass: number, seed: number): DataSource {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const n = perClass * K;
  const images = new Float32Array(n * S * S * 3), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % K;
    labels[i] = k;
    const cx = 8 + 8 * k, cy = 16;
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const g = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 30);
      for (let c = 0; c < 3; c++) images[((i * S + y) * S + x) * 3 + c] = 0.3 * r() + (c === k ? 0.7 * g : 0);
    }
  }
  return arraySource({ images, labels });
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('ResNet-10 (tiny) on the default backend', () => {
  beforeAll(async () => { await chooseBackend({ log: () => {} }); });

  it('returns activations with the documented shapes', () => {
    const model = buildResNet10({ inputSize: S, widthMultiplier: W, numClasses: K, seed: 1 });
    const images = new Uint8Array(5 * S * S * 3).fill(128);
    const p = predict(model, images, { layers: [...LAYER_NAMES], batchSize: 2 });
    for (const l of LAYER_NAMES) expect(p.activations[l].shape).toEqual([5, ...activationShape(l, S, W, K)]);
    expect(p.activations.block4.shape).toEqual([5, 1, 1, 64]);
    const probs = p.probabilities;
    for (let i = 0; i < 5; i++) expect(probs[i * K] + probs[i * K + 1] + probs[i * K + 2]).toBeCloseTo(1, 5);
    // Folded batch norm gives the layers model's own output.
    const ref = (model.predict(tf.tensor4d(Float32Array.from(images, (v) => v / 255), [5, S, S, 3])) as tf.Tensor).dataSync();
    for (let i = 0; i < ref.length; i++) expect(Math.abs(ref[i] - probs[i])).toBeLessThan(1e-5);
    expect(p.backend?.name).toBe('wasm');
    model.dispose();
  });

  it('learns a separable toy problem to 100% training accuracy', async () => {
    const data = toyData(8, 7);
    const model = buildResNet10({ inputSize: S, widthMultiplier: W, numClasses: K, seed: 2 });
    const result = await train(model, data, { epochs: 12, batchSize: 8, learningRate: 0.05, augment: false, schedule: 'constant', seed: 3 });
    expect(result.history).toHaveLength(12);
    expect(evaluate(model, data).accuracy).toBe(1);
    expect(result.history[11].trainLoss).toBeLessThan(result.history[0].trainLoss);
    model.dispose();
  });

  it('resuming from a checkpoint reproduces the uninterrupted run exactly', async () => {
    const data = toyData(4, 11);
    const opts = { epochs: 3, batchSize: 4, learningRate: 0.02, seed: 5, augment: { shiftPx: 2, zoom: 0.1 } } as const;
    const dirA = mkdtempSync(path.join(tmpdir(), 'nn-a-')), dirB = mkdtempSync(path.join(tmpdir(), 'nn-b-'));
    try {
      const a = buildResNet10({ inputSize: S, widthMultiplier: W, numClasses: K, seed: 4 });
      await train(a, data, { ...opts }, { checkpoints: folderFiles(dirA) });
      const b = buildResNet10({ inputSize: S, widthMultiplier: W, numClasses: K, seed: 4 });
      const ctrl = new AbortController();
      const first = await train(b, data, { ...opts }, { checkpoints: folderFiles(dirB), onEpoch: (r) => { if (r.epoch === 0) ctrl.abort(); }, signal: ctrl.signal });
      expect(first.cancelled).toBe(true);
      expect(first.epochsCompleted).toBe(1);
      const c = buildResNet10({ inputSize: S, widthMultiplier: W, numClasses: K, seed: 99 });
      const resumed = await train(c, data, { ...opts }, { checkpoints: folderFiles(dirB) });
      expect(resumed.resumedFromEpoch).toBe(1);
      expect(resumed.history).toHaveLength(3);
      const wa = weightsOf(a), wc = weightsOf(c);
      wa.forEach((w, i) => expect(Array.from(wc[i])).toEqual(Array.from(w)));
      [a, b, c].forEach((m) => m.dispose());
    } finally {
      rmSync(dirA, { recursive: true, force: true });
      rmSync(dirB, { recursive: true, force: true });
    }
  });

  it('exports and imports the LayersModel format, checking shape and classes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nn-io-'));
    try {
      const model = buildResNet10({ inputSize: S, widthMultiplier: W, numClasses: K, seed: 6 });
      await saveModel(model, folderFiles(dir));
      const loaded = await loadModel(folderFiles(dir), { inputSize: S, numClasses: K });
      const images = new Uint8Array(3 * S * S * 3).map((_, i) => (i * 37) % 256);
      const p1 = predict(model, images, { layers: ['block2'] }), p2 = predict(loaded, images, { layers: ['block2'] });
      expect(Array.from(p2.logits)).toEqual(Array.from(p1.logits));
      expect(Array.from(p2.activations.block2.data)).toEqual(Array.from(p1.activations.block2.data));
      await expect(loadModel(folderFiles(dir), { numClasses: 10 })).rejects.toThrow(/10 classes/);
      await expect(loadModel(folderFiles(dir), { inputSize: 64 })).rejects.toThrow(/64×64/);
      await expect(loadModel(folderFiles(path.join(dir, 'missing')))).rejects.toThrow(/cannot read/);
      model.dispose(); loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs an imported non-ResNet LayersModel through tf.layers, with its own layer activations', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nn-foreign-'));
    try {
      const input = tf.input({ shape: [S, S, 3] });
      const conv = tf.layers.conv2d({ name: 'features', filters: 4, kernelSize: 3, strides: 4, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
      const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
      const out = tf.layers.dense({ name: 'scores', units: K, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
      await saveModel(tf.model({ inputs: input, outputs: out }), folderFiles(dir));
      const model = await loadModel(folderFiles(dir), { inputSize: S, numClasses: K });
      const images = new Float32Array(2 * S * S * 3).fill(0.25);
      const p = predict(model, images, { layers: ['features'] });
      expect(p.activations.features.shape).toEqual([2, 8, 8, 4]);
      const ref = (model.predict(tf.tensor4d(images, [2, S, S, 3])) as tf.Tensor).dataSync();
      for (let i = 0; i < ref.length; i++) expect(p.probabilities[i]).toBeCloseTo(ref[i], 6);
      await expect(loadModel(folderFiles(dir), { numClasses: K + 1 })).rejects.toThrow(/classes/);
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaks no tensors over 1,000 inference batches', () => {
    const model = buildResNet10({ inputSize: S, widthMultiplier: W, numClasses: K, seed: 8 });
    const predictor = new Predictor(model);
    const images = new Float32Array(S * S * 3).fill(0.5);
    predictor.predict(images, { layers: ['pool'] });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) predictor.predict(images, { layers: ['pool', 'block1'], batchSize: 1 });
    expect(tf.memory().numTensors).toBe(before);
    predictor.dispose();
    model.dispose();
  });
});
