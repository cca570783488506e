/**
 * The space-to-depth stem (workers/nn/stem.ts) against tf.conv2d(x, w, 2, 'same') on the cpu
 * backend (the reference) and on wasm: outputs and both gradients, for even, odd and non-square
 * inputs and kernel sizes 3, 5, 7; stemConvTrain (strided forward, blocked filter gradient) the
 * same way; and the ResNet-10 training forward pass and its stem gradient with the stem in either form. Relative error below 1e-5 (kernels) and 1e-4 (the whole network).
 */
import { describe, it, expect, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerDeeperKernels } from '../../workers/nn/kernels/register';
import { stemConv, stemConvTrain, stemGeometry } from '../../workers/nn/stem';
import { buildResNet10 } from '../../workers/nn/resnet10';
import { resNetParams, forwardTrain, setStemSpaceToDepth, STEM_SPACE_TO_DEPTH, type BatchStat } from '../../workers/nn/forward';
import { on, rand, relErr } from './numerics';

describe('space-to-depth stem equals the strided convolution', () => {
  afterAll(async () => { await tf.setBackend('wasm'); });
  registerDeeperKernels();
  const cases: { x: [number, number, number, number]; k: number }[] = [
    { x: [2, 32, 32, 3], k: 7 }, { x: [2, 33, 33, 3], k: 7 }, { x: [1, 35, 30, 3], k: 7 },
    { x: [3, 9, 12, 2], k: 5 }, { x: [2, 10, 7, 4], k: 3 }, { x: [1, 64, 64, 3], k: 7 },
  ];
  for (const c of cases) {
    it(`x ${c.x}, ${c.k}×${c.k}: output and gradients on cpu and wasm`, async () => {
      const ws = [c.k, c.k, c.x[3], 5] as [number, number, number, number];
      const xv = rand(c.x, 1), wv = rand(ws, 2), dyv = rand([c.x[0], Math.ceil(c.x[1] / 2), Math.ceil(c.x[2] / 2), 5], 3);
      const run = (mine: boolean) => () => {
        const x = tf.tensor4d(xv, c.x), w = tf.tensor4d(wv, ws), dy = tf.tensor4d(dyv, [c.x[0], Math.ceil(c.x[1] / 2), Math.ceil(c.x[2] / 2), 5]);
        const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => (mine ? stemConv(a, b) : tf.conv2d(a, b, 2, 'same'));
        const [dx, dw] = tf.grads(((a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.mul(conv(a, b), dy))) as never)([x, w]);
        return [conv(x, w), dx, dw];
      };
      const ref = await on('cpu', run(false));
      // stemConvTrain: the strided forward, the filter gradient from the blocked form (x gets none).
      const train = () => {
        const x = tf.tensor4d(xv, c.x), w = tf.tensor4d(wv, ws), dy = tf.tensor4d(dyv, [c.x[0], Math.ceil(c.x[1] / 2), Math.ceil(c.x[2] / 2), 5]);
        const dw = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(stemConvTrain(x, b as tf.Tensor4D), dy)))(w);
        return [stemConvTrain(x, w), dw];
      };
      for (const backend of ['cpu', 'wasm']) {
        const got = await on(backend, run(true));
        for (let i = 0; i < 3; i++) {
          expect(got[i].length).toBe(ref[i].length);
          expect(relErr(got[i], ref[i]), `${backend} output ${i}`).toBeLessThan(1e-5);
        }
        const [y, dw] = await on(backend, train);
        expect(relErr(y, ref[0]), `${backend} stemConvTrain output`).toBeLessThan(1e-5);
        expect(relErr(dw, ref[2]), `${backend} stemConvTrain filter gradient`).toBeLessThan(1e-5);
      }
    });
  }

  it('pads only where the geometry needs it', () => {
    // 64 px, 7×7: 'same' pads 2 above and 3 below: one whole block above, no pixel padding.
    expect(stemGeometry(64, 64, 7)).toEqual({ prePad: null, blockPad: [[0, 0], [1, 2], [1, 2], [0, 0]] });
    // 33 px: 3 above (odd): one pixel, then one block.
    expect(stemGeometry(33, 33, 7).prePad).toEqual([[0, 0], [1, 0], [1, 0], [0, 0]]);
  });

  it('the ResNet-10 training loss and stem gradient are the same either way', async () => {
    await tf.setBackend('wasm');
    const model = buildResNet10({ inputSize: 32, widthMultiplier: 0.25, numClasses: 4, seed: 1 });
    const p = resNetParams(model);
    const x = tf.tensor4d(rand([3, 32, 32, 3], 4).map((v) => v + 0.5), [3, 32, 32, 3]);
    const saved = STEM_SPACE_TO_DEPTH;
    const run = (on: boolean) => {
      setStemSpaceToDepth(on);
      const stats: BatchStat[] = [];
      const out = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(forwardTrain(p, x, stats))) as tf.Scalar, [p.stem.kernel]);
        return { loss: value.dataSync()[0], dStem: grads[p.stem.kernel.name].dataSync() as Float32Array };
      });
      tf.dispose(stats.flatMap((s) => [s.mean, s.variance]));
      return out;
    };
    try {
      const a = run(true), b = run(false);
      expect(Math.abs(a.loss - b.loss) / Math.abs(b.loss)).toBeLessThan(1e-5);
      expect(relErr(a.dStem, b.dStem)).toBeLessThan(1e-4);
    } finally {
      setStemSpaceToDepth(saved);
      x.dispose(); model.dispose();
    }
  });
});
