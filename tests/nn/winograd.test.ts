/**
 * Winograd inference convolutions (workers/nn/kernels/winograd.ts, wasm/winograd.c) against
 * tf.conv2d on the cpu backend: stride-1 3×3 'same' convolution + bias (+ residual), with and
 * without ReLU, F(2×2, 3×3) and F(4×4, 3×3), the four layer shapes of the 64 px width-0.5 network,
 * odd batch sizes and odd map sizes (partial edge tiles). Bound: the largest absolute error below
 * 1e-4 of the largest absolute reference value (Winograd's transforms add float rounding: F(4×4)
 * multiplies by up to 8 and divides by 24; measured ≈ 1e-6 for F(2×2) and ≈ 1e-5 for F(4×4)).
 * The output does not depend on how the tiles are split into parts (threads). A seeded ResNet-10's
 * activations and logits by Winograd match the direct (XNNPACK) path, and so do its predicted classes.
 */
import { describe, it, expect, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerDeeperKernels } from '../../workers/nn/kernels/register';
import { setConvInferPath, setWinogradParts, setWinogradSplit, setWinogradTile, transformFilter, winogradConv } from '../../workers/nn/kernels/winograd';
import { setWinogradTraining, setWinogradFilterGrad, setWinogradGradParts } from '../../workers/nn/kernels/winograd-train';
import { buildResNet10, Predictor, LAYER_NAMES } from '../../workers/nn';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const uniform = (n: number, r: () => number, scale = 1) => Float32Array.from({ length: n }, () => scale * (2 * r() - 1));

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / Math.max(den, 1e-12);
}

interface Case { N: number; H: number; W: number; C: number; CO: number }
const CASES: Case[] = [
  { N: 3, H: 16, W: 16, C: 32, CO: 32 },
  { N: 5, H: 8, W: 8, C: 64, CO: 64 },
  { N: 3, H: 4, W: 4, C: 128, CO: 128 },
  { N: 7, H: 2, W: 2, C: 256, CO: 256 },
  { N: 1, H: 7, W: 5, C: 12, CO: 20 },
];

describe('Winograd convolution (wasm) against tf.conv2d on cpu', () => {
  afterAll(async () => { setWinogradParts(0); setWinogradTile(0); setConvInferPath('winograd'); await tf.setBackend('wasm'); });

  for (const c of CASES) {
    it(`${c.N}×${c.H}×${c.W}×${c.C} → ${c.CO}: F(2×2) and F(4×4), bias, residual, ReLU`, async () => {
      registerDeeperKernels();
      const r = seeded(c.H * 1000 + c.C);
      const x = uniform(c.N * c.H * c.W * c.C, r), w = uniform(9 * c.C * c.CO, r, 1 / Math.sqrt(9 * c.C));
      const bias = uniform(c.CO, r, 0.3), res = uniform(c.N * c.H * c.W * c.CO, r);
      expect(await tf.setBackend('cpu')).toBe(true);
      const ref = tf.tidy(() => {
        const z = tf.add(tf.conv2d(tf.tensor4d(x, [c.N, c.H, c.W, c.C]), tf.tensor4d(w, [3, 3, c.C, c.CO]), 1, 'same'), tf.tensor1d(bias));
        const zr = tf.add(z, tf.tensor4d(res, [c.N, c.H, c.W, c.CO]));
        return [z, tf.relu(z), tf.relu(zr)].map((t) => t.dataSync() as Float32Array);
      });
      expect(await tf.setBackend('wasm')).toBe(true);
      for (const m of [2, 4] as const) {
        const got = tf.tidy(() => {
          const xt = tf.tensor4d(x, [c.N, c.H, c.W, c.C]), u = tf.tensor1d(transformFilter(w, c.C, c.CO, m)), b = tf.tensor1d(bias);
          const rt = tf.tensor4d(res, [c.N, c.H, c.W, c.CO]);
          const out = [winogradConv(xt, u, b, m, false), winogradConv(xt, u, b, m, true), winogradConv(xt, u, b, m, true, rt)];
          // Parts (threads) do not change a bit.
          setWinogradParts(3);
          const split = winogradConv(xt, u, b, m, true, rt).dataSync() as Float32Array;
          setWinogradParts(0);
          const all = out.map((t) => t.dataSync() as Float32Array);
          expect(Array.from(split)).toEqual(Array.from(all[2]));
          return all;
        });
        ['linear', 'relu', 'residual+relu'].forEach((name, i) => {
          const err = relErr(got[i], ref[i]);
          expect(err, `F(${m}×${m}) ${name}: relative error ${err}`).toBeLessThan(1e-4);
        });
      }
    });
  }

  it('a seeded ResNet-10 (64 px, width 0.5, batch 9): activations, logits and classes match the direct path', async () => {
    registerDeeperKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    const S = 64, N = 9, K = 20;
    const model = buildResNet10({ inputSize: S, widthMultiplier: 0.5, numClasses: K, seed: 11 });
    const r = seeded(7);
    const images = Float32Array.from({ length: N * S * S * 3 }, () => r());
    const run = (path: 'winograd' | 'direct') => {
      setConvInferPath(path);
      const p = new Predictor(model);
      try { return p.predict(images, { layers: [...LAYER_NAMES] }); } finally { p.dispose(); }
    };
    const direct = run('direct'), wino = run('winograd');
    setConvInferPath('winograd');
    for (const l of LAYER_NAMES) {
      const a = l === 'logits' ? wino.logits : wino.activations[l].data, b = l === 'logits' ? direct.logits : direct.activations[l].data;
      const err = relErr(a, b);
      expect(err, `${l}: relative error ${err}`).toBeLessThan(1e-4);
    }
    const argmax = (z: Float32Array, i: number) => { let best = 0; for (let k = 1; k < K; k++) if (z[i * K + k] > z[i * K + best]) best = k; return best; };
    for (let i = 0; i < N; i++) expect(argmax(wino.logits, i)).toBe(argmax(direct.logits, i));
    model.dispose();
  });
});

describe('Winograd in training (wasm): Conv2D and its input gradient against cpu', () => {
  afterAll(async () => { setWinogradTraining(true); await tf.setBackend('wasm'); });
  for (const c of CASES) {
    it(`${c.N}×${c.H}×${c.W}×${c.C} → ${c.CO}: forward and dx`, async () => {
      registerDeeperKernels();
      const r = seeded(c.H * 77 + c.C);
      const x = uniform(c.N * c.H * c.W * c.C, r), w = uniform(9 * c.C * c.CO, r, 1 / Math.sqrt(9 * c.C)), dy = uniform(c.N * c.H * c.W * c.CO, r);
      const both = () => tf.tidy(() => {
        const xt = tf.tensor4d(x, [c.N, c.H, c.W, c.C]), wt = tf.tensor4d(w, [3, 3, c.C, c.CO]), dyt = tf.tensor4d(dy, [c.N, c.H, c.W, c.CO]);
        const y = tf.conv2d(xt, wt, 1, 'same');
        const dx = tf.conv2dTranspose(dyt, wt, [c.N, c.H, c.W, c.C], 1, 'same');
        return [y.dataSync() as Float32Array, dx.dataSync() as Float32Array];
      });
      expect(await tf.setBackend('cpu')).toBe(true);
      const ref = both();
      expect(await tf.setBackend('wasm')).toBe(true);
      setWinogradTraining(true);
      const got = both();
      setWinogradParts(3);
      const split = both();
      setWinogradSplit('tiles');
      const tilesOnly = both();
      setWinogradSplit('balanced');
      setWinogradParts(0);
      ['forward', 'dx'].forEach((name, i) => {
        const err = relErr(got[i], ref[i]);
        expect(err, `${name}: relative error ${err}`).toBeLessThan(1e-4);
        // Parts (threads) and how the filter transform is split do not change a bit.
        expect(Array.from(split[i])).toEqual(Array.from(got[i]));
        expect(Array.from(tilesOnly[i])).toEqual(Array.from(got[i]));
      });
      setWinogradTraining(false);
      const direct = both();
      setWinogradTraining(true);
      // Off means the XNNPACK path, not the same bits.
      expect(relErr(direct[0], ref[0])).toBeLessThan(1e-5);
    });
  }
});

describe('Winograd filter gradient (wasm) against cpu', () => {
  afterAll(async () => { setWinogradTile(0); setWinogradGradParts(2); setWinogradFilterGrad(true); await tf.setBackend('wasm'); });
  for (const c of CASES) {
    it(`${c.N}×${c.H}×${c.W}×${c.C} → ${c.CO}: F(2×2) and F(4×4), 1–3 parts`, async () => {
      registerDeeperKernels();
      const r = seeded(c.H * 31 + c.C);
      const x = uniform(c.N * c.H * c.W * c.C, r), dy = uniform(c.N * c.H * c.W * c.CO, r);
      const dw = () => tf.tidy(() => (tf.engine().runKernel('Conv2DBackpropFilter',
        { x: tf.tensor4d(x, [c.N, c.H, c.W, c.C]), dy: tf.tensor4d(dy, [c.N, c.H, c.W, c.CO]) },
        { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, c.C, c.CO] }) as tf.Tensor).dataSync() as Float32Array);
      expect(await tf.setBackend('cpu')).toBe(true);
      const ref = dw();
      expect(await tf.setBackend('wasm')).toBe(true);
      for (const m of [2, 4] as const) {
        setWinogradTile(m);
        const runs = [1, 2, 3].map((parts) => { setWinogradGradParts(parts); return dw(); });
        for (const got of runs) {
          const err = relErr(got, ref);
          expect(err, `F(${m}×${m}): relative error ${err}`).toBeLessThan(1e-4);
        }
      }
      setWinogradTile(0); setWinogradGradParts(2);
      // The Winograd path was the one taken: the packed direct kernel sums in another order.
      const wino = dw();
      setWinogradFilterGrad(false);
      const packed = dw();
      setWinogradFilterGrad(true);
      expect(relErr(packed, ref)).toBeLessThan(1e-5);
      expect(Array.from(wino)).not.toEqual(Array.from(packed));
    });
  }
});
