/**
 * Inference with batch norm folded into the convolutions (W' = W·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε),
 * one fused conv+bias+ReLU per layer: workers/nn/forward.ts) against the unfolded LayersModel
 * (conv, batch norm with moving statistics, ReLU as separate layers), on the cpu backend (the
 * reference) and on wasm. Batch-norm parameters and moving statistics are set to seeded values
 * away from the identity, so that the fold has something to do. Every named activation and the
 * logits agree to a relative error below 1e-4 (float rounding only).
 */
import { describe, it, expect, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerDeeperKernels } from '../../workers/nn/kernels/register';
import { buildResNet10, Predictor, LAYER_NAMES } from '../../workers/nn';

const S = 32, W = 0.25, K = 5, N = 3;

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** gamma ∈ [0.5, 1.5], beta ∈ [−0.2, 0.2], moving mean ∈ [−0.3, 0.3], moving variance ∈ [0.5, 2]. */
function randomiseBatchNorm(model: tf.LayersModel, seed: number): void {
  const r = seeded(seed);
  const range = (n: number, lo: number, hi: number) => tf.tensor1d(Float32Array.from({ length: n }, () => lo + (hi - lo) * r()));
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const c = layer.getWeights()[0].shape[0];
    const w = [range(c, 0.5, 1.5), range(c, -0.2, 0.2), range(c, -0.3, 0.3), range(c, 0.5, 2)];
    layer.setWeights(w);
    tf.dispose(w);
  }
}

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / Math.max(den, 1e-12);
}

describe('batch norm folded into the convolutions matches the unfolded model', () => {
  afterAll(async () => { await tf.setBackend('wasm'); });
  for (const backend of ['cpu', 'wasm']) {
    it(`on ${backend}: every named activation and the logits`, async () => {
      registerDeeperKernels();
      expect(await tf.setBackend(backend)).toBe(true);
      const model = buildResNet10({ inputSize: S, widthMultiplier: W, numClasses: K, seed: 3 });
      randomiseBatchNorm(model, 17);
      const r = seeded(5);
      const images = Float32Array.from({ length: N * S * S * 3 }, () => r());
      const predictor = new Predictor(model);
      const folded = predictor.predict(images, { layers: [...LAYER_NAMES] });
      // The unfolded reference: the LayersModel's own layers, batch norm in inference mode.
      const probe = tf.model({ inputs: model.inputs, outputs: LAYER_NAMES.map((l) => model.getLayer(l).output as tf.SymbolicTensor) });
      const x = tf.tensor4d(images, [N, S, S, 3]);
      const outs = probe.predict(x) as tf.Tensor[];
      const ref = outs.map((t) => t.dataSync() as Float32Array);
      LAYER_NAMES.forEach((l, i) => {
        const got = l === 'logits' ? folded.logits : folded.activations[l].data;
        expect(got.length).toBe(ref[i].length);
        const err = relErr(got, ref[i]);
        expect(err, `${l}: relative error ${err}`).toBeLessThan(1e-4);
      });
      // The fold is not the identity: the activations differ from a model with default batch norm.
      const plain = buildResNet10({ inputSize: S, widthMultiplier: W, numClasses: K, seed: 3 });
      const plainPredictor = new Predictor(plain);
      const defaults = plainPredictor.predict(images, { layers: ['block1'] });
      expect(relErr(defaults.activations.block1.data, ref[1])).toBeGreaterThan(1e-2);
      tf.dispose([x, ...outs]);
      predictor.dispose(); plainPredictor.dispose();
      model.dispose(); plain.dispose();
    });
  }
});
