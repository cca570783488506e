/**
 * The dense layer's training product (workers/nn/dense.ts: gradients from explicit transposes)
 * against tf.matMul with its own gradient on the cpu backend (the reference) and on wasm: output and
 * both gradients, relative error below 1e-5, for the ResNet-10 head's shapes and an odd one.
 */
import { describe, it, expect, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { denseMatMulTrain } from '../../workers/nn/dense';
import { on, rand, relErr } from './numerics';

describe('dense product with transposed-operand gradients equals tf.matMul', () => {
  afterAll(async () => { await tf.setBackend('wasm'); });
  for (const [n, k, m] of [[64, 256, 200], [7, 13, 5]]) {
    it(`x [${n}, ${k}] · W [${k}, ${m}]: value and both gradients`, async () => {
      const run = (mm: (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D) => () => {
        const x = tf.tensor2d(rand([n, k], 1), [n, k]), w = tf.tensor2d(rand([k, m], 2), [k, m]), dy = tf.tensor2d(rand([n, m], 3), [n, m]);
        const f = (a: tf.Tensor, b: tf.Tensor) => mm(a as tf.Tensor2D, b as tf.Tensor2D).mul(dy).sum();
        const { value, grads } = tf.valueAndGrads(f as never)([x, w]);
        return [mm(x, w), value, ...grads];
      };
      const ref = await on('cpu', run((x, w) => tf.matMul(x, w)));
      for (const backend of ['cpu', 'wasm']) {
        const got = await on(backend, run(denseMatMulTrain));
        expect(got.length).toBe(4);
        for (let i = 0; i < 4; i++) expect(relErr(got[i], ref[i])).toBeLessThan(1e-5);
      }
    });
  }
});
