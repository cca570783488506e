/**
 * The fused momentum SGD (kernels/momentum.ts, wasm/momentum.c) against tf.train.momentum: the same
 * variables and accumulations bit for bit after steps with a changing learning rate, on cpu and wasm;
 * the fused kernel must be what ran (a dispatch count), and setFusedMomentum(false) falls back.
 */
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerDeeperKernels } from '../../workers/nn/kernels/register';
import { momentumOptimizer, setFusedMomentum } from '../../workers/nn/kernels/momentum';
import { rand } from './numerics';

async function run(backend: string, fused: boolean): Promise<{ values: number[][]; kernels: string[] }> {
  expect(await tf.setBackend(backend)).toBe(true);
  const shapes = [[3, 3, 4, 5], [7], [300, 300]];
  const vars = shapes.map((s, i) => tf.variable(tf.tensor(rand(s, 10 + i), s), true, `v${backend}${fused}${i}`));
  const opt = fused ? momentumOptimizer(0.05, 0.9) : tf.train.momentum(0.05, 0.9);
  const kernels: string[] = [];
  for (let step = 0; step < 3; step++) {
    (opt as unknown as { setLearningRate(lr: number): void }).setLearningRate(0.05 / (step + 1));
    const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(rand(v.shape, 100 * step + i), v.shape)])) as Parameters<tf.MomentumOptimizer['applyGradients']>[0];
    const profile = await tf.profile(() => { opt.applyGradients(grads); });
    kernels.push(...profile.kernels.map((k) => k.name));
    tf.dispose(Object.values(grads) as tf.Tensor[]);
  }
  const weights = await opt.getWeights();
  const values = [...vars.map((v) => Array.from(v.dataSync())), ...weights.slice(1).map((w) => Array.from(w.tensor.dataSync()))];
  opt.dispose(); tf.dispose(vars);
  return { values, kernels };
}

describe('fused momentum SGD equals tf.train.momentum bit for bit', () => {
  registerDeeperKernels();
  for (const backend of ['cpu', 'wasm']) {
    it(`on ${backend}`, async () => {
      const ref = await run(backend, false), got = await run(backend, true);
      expect(got.values.length).toBe(6);
      for (let i = 0; i < 6; i++) expect(got.values[i]).toEqual(ref.values[i]);
      expect(got.kernels.filter((k) => k === 'DeeperMomentumUpdate').length).toBe(9);
      expect(got.kernels).not.toContain('Multiply');
      setFusedMomentum(false);
      try {
        const off = await run(backend, true);
        expect(off.kernels).not.toContain('DeeperMomentumUpdate');
        for (let i = 0; i < 6; i++) expect(off.values[i]).toEqual(ref.values[i]);
      } finally {
        setFusedMomentum(true);
      }
    });
  }
});
