/**
 * The fused residual join relu(a + b) (kernels/add-relu.ts, wasm/residual.c) against tf.relu(tf.add)
 * on cpu: value and both gradients, on cpu and on wasm in 1–3 element ranges (odd sizes: scalar tails),
 * bit-equal across ranges; the wasm kernels must be what ran.
 */
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerDeeperKernels } from '../../workers/nn/kernels/register';
import { addReluTrain, setAddReluParts, setFusedAddRelu } from '../../workers/nn/kernels/add-relu';
import { simdKernels } from '../../workers/nn/kernels/simd';
import { rand, relErr, on } from './numerics';

describe('fused add + ReLU matches tf.relu(tf.add)', () => {
  registerDeeperKernels();
  for (const shape of [[2, 5, 3, 7], [3, 8, 8, 16]]) {
    it(`shape ${shape}: value and gradients on cpu and wasm, 1 to 3 ranges`, async () => {
      const av = rand(shape, 1), bv = rand(shape, 2), dyv = rand(shape, 3), wv = rand(shape, 4);
      const run = (fused: boolean) => () => {
        setFusedAddRelu(fused);
        const a = tf.tensor(av, shape), b = tf.tensor(bv, shape), dy = tf.tensor(dyv, shape), w = tf.tensor(wv, shape);
        // a also feeds a second path, so its gradient is a sum (the engine accumulates the join's share).
        const f = (a: tf.Tensor, b: tf.Tensor) => addReluTrain(a, b).mul(dy).sum().add(a.mul(w).sum());
        return [addReluTrain(a, b), ...tf.grads(f as never)([a, b])];
      };
      try {
        const ref = await on('cpu', run(false));
        expect((await on('cpu', run(true))).map((g, i) => relErr(g, ref[i]))).toEqual([0, 0, 0]);
        expect(await tf.setBackend('wasm')).toBe(true);
        const simd = simdKernels(tf.backend() as never);
        expect(simd, 'the SIMD module (workers/nn/wasm) does not load: the fused join is not under test').not.toBeNull();
        const original = simd!.runParts, calls: [string, number][] = [];
        simd!.runParts = function (fn, parts) { calls.push([fn, parts.length]); return original.call(this, fn, parts); };
        let first: Float32Array[] | null = null;
        try {
          for (const parts of [1, 2, 3]) {
            setAddReluParts(parts);
            calls.length = 0;
            const got = await on('wasm', run(true));
            for (let i = 0; i < 3; i++) expect(relErr(got[i], ref[i])).toBeLessThan(1e-6);
            expect(calls.filter(([fn]) => fn === 'add_relu').map(([, n]) => n)).toEqual([parts, parts]);
            expect(calls.filter(([fn]) => fn === 'relu_grad').map(([, n]) => n)).toEqual([parts]);
            if (!first) first = got;
            else for (let i = 0; i < 3; i++) expect(Array.from(got[i])).toEqual(Array.from(first[i]));
          }
        } finally {
          simd!.runParts = original;
        }
      } finally {
        setAddReluParts(0);
        setFusedAddRelu(true);
      }
    });
  }
});
