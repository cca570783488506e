/**
 * Batch norm (+ReLU) split over positions (kernels/batch-norm-positions.ts, wasm/batch-norm.c): 1, 2
 * and 3 parts on wasm against the stock composition on cpu (forward y, mean, variance and the three
 * gradients, relative error < 1e-5; 1 part runs the channel path's fused kernels), and the split must be what ran
 * (runParts was asked for bn_part_stats / bn_grad_sums with that many parts). Shapes with odd
 * channel counts (scalar tails), several chunks of bn_part_stats (64 KiB of rows each) and a large
 * mean (the merge of the parts' M2 is what keeps the variance accurate there).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerDeeperKernels } from '../../workers/nn/kernels/register';
import { batchNormTrain, setBatchNormPositionParts, BATCH_NORM_DEFAULT_POSITION_PARTS } from '../../workers/nn/kernels/batch-norm';
import { simdKernels, type SimdKernels } from '../../workers/nn/kernels/simd';
import { rand, relErr, on } from './numerics';

const shapes: { shape: number[]; offset: number }[] = [
  { shape: [3, 5, 4, 6], offset: 0 },
  { shape: [2, 7, 5, 14], offset: 0 },
  { shape: [4, 30, 30, 8], offset: 3 }, // 3,600 rows: two chunks of 2,048 rows in bn_part_stats
  { shape: [2, 16, 16, 32], offset: -5 },
];

describe('batch norm split over positions matches the stock composition on cpu', () => {
  let simd: SimdKernels;
  const calls: [string, number][] = [];
  let original: SimdKernels['runParts'];
  beforeAll(async () => {
    registerDeeperKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    const k = simdKernels(tf.backend() as never);
    expect(k, 'the SIMD module (workers/nn/wasm) does not load: the position split is not under test').not.toBeNull();
    simd = k!;
    original = simd.runParts;
    simd.runParts = function (fn, parts) { calls.push([fn, parts.length]); return original.call(this, fn, parts); };
  });
  afterAll(() => {
    simd.runParts = original;
    setBatchNormPositionParts(BATCH_NORM_DEFAULT_POSITION_PARTS);
  });

  for (const { shape, offset } of shapes) for (const relu of [false, true]) {
    it(`shape ${shape}, mean ${offset}, relu ${relu}: 1, 2, 3 parts and the channel path`, async () => {
      const C = shape[3];
      const xv = rand(shape, 3).map((v) => v + offset), gv = rand([C], 4).map((v) => v + 1), bv = rand([C], 5), dyv = rand(shape, 6);
      const make = () => [tf.tensor4d(xv, shape as never), tf.tensor1d(gv), tf.tensor1d(bv), tf.tensor4d(dyv, shape as never)];
      const stock = () => {
        const [x, g, b, dy] = make();
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(x, [0, 1, 2]);
          const y = tf.batchNorm(x, mean, variance, b, g, 1e-3);
          return (relu ? tf.relu(y) : y).mul(dy).sum();
        };
        const y = tf.batchNorm(x, mean, variance, b, g, 1e-3);
        return [relu ? tf.relu(y) : y, mean, variance, ...tf.grads(f as never)([x, g, b])];
      };
      const fused = () => {
        const [x, g, b, dy] = make();
        const { y, mean, variance } = batchNormTrain(x, g, b, 1e-3, relu);
        const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTrain(x, g, b, 1e-3, relu).y.mul(dy).sum();
        return [y, mean, variance, ...tf.grads(f as never)([x, g, b])];
      };
      const ref = await on('cpu', stock);
      const results: Float32Array[][] = [];
      for (const parts of [0, 1, 2, 3]) {
        setBatchNormPositionParts(parts, 1);
        calls.length = 0;
        const got = await on('wasm', fused);
        results.push(got);
        const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
        for (let i = 0; i < 6; i++) expect(relErr(got[i], ref[i]), `${names[i]}, ${parts} part(s)`).toBeLessThan(1e-5);
        if (parts > 1) {
          expect(calls.filter(([fn]) => fn === 'bn_part_stats').map(([, n]) => n)).toEqual([parts, parts]);
          expect(calls.filter(([fn]) => fn === 'bn_grad_sums').map(([, n]) => n)).toEqual([parts]);
        } else {  // 0: the channel path; 1 part: its fused one-call kernels
          expect(calls.some(([fn]) => fn.startsWith('bn_part') || fn.startsWith('bn_grad_'))).toBe(false);
        }
      }
      setBatchNormPositionParts(BATCH_NORM_DEFAULT_POSITION_PARTS);
    });
  }

  it('the default rule keeps small tensors in one part (the fused kernels) and splits large ones in two', async () => {
    setBatchNormPositionParts(BATCH_NORM_DEFAULT_POSITION_PARTS);
    await tf.setBackend('wasm');
    for (const [shape, parts] of [[[2, 8, 8, 32], undefined], [[4, 32, 32, 32], undefined], [[8, 32, 32, 32], 2]] as const) {
      calls.length = 0;
      tf.tidy(() => { batchNormTrain(tf.ones(shape as unknown as number[]), tf.ones([32]), tf.zeros([32]), 1e-3, true).y.dataSync(); });
      expect(calls.find(([fn]) => fn === 'bn_part_stats')?.[1], `shape ${shape}`).toBe(parts);
    }
  });
});
