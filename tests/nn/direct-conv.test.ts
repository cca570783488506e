/**
 * Our direct convolution kernel (workers/nn/kernels/direct-conv.ts, wasm/direct-conv.c) against
 * tf.conv2d on the cpu backend: the 7×7 stride-2 stem on 3 channels, stride-2 3×3 and 1×1 stride-2
 * projections of the 64 px width-0.5 network, odd batch and map sizes, output channels not a
 * multiple of 8, 'same', 'valid' and explicit padding, bias and ReLU. Bound: largest absolute error
 * below 1e-5 of the largest absolute reference value (the sums run in another order only; measured
 * ≈ 1e-7). Training's wasm Conv2D takes the same kernel; the output is the same bits whatever the
 * split of the rows into parts (threads).
 */
import { describe, it, expect, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerDeeperKernels } from '../../workers/nn/kernels/register';
import { directConv, packFilter, setDirectConvPath, setDirectParts } from '../../workers/nn/kernels/direct-conv';
import { setPhasePackSplit } from '../../workers/nn/kernels/conv2d-backprop-input';

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

interface Case { N: number; H: number; W: number; C: number; CO: number; k: number; s: number }
const CASES: Case[] = [
  { N: 3, H: 64, W: 64, C: 3, CO: 32, k: 7, s: 2 },   // stem, 64 px width 0.5
  { N: 2, H: 17, W: 15, C: 3, CO: 20, k: 7, s: 2 },   // odd map, CO not ×8
  { N: 3, H: 16, W: 16, C: 32, CO: 64, k: 3, s: 2 },  // block2 conv a
  { N: 5, H: 4, W: 4, C: 128, CO: 256, k: 3, s: 2 },  // block4 conv a (training: 2 columns, XNNPACK; the kernel itself here)
  { N: 3, H: 16, W: 16, C: 32, CO: 64, k: 1, s: 2 },  // block2 projection
  { N: 2, H: 16, W: 16, C: 32, CO: 32, k: 1, s: 1 },  // block1 projection
  { N: 1, H: 9, W: 7, C: 5, CO: 12, k: 3, s: 1 },     // odd everything
];

describe('direct convolution (wasm) against tf.conv2d on cpu', () => {
  afterAll(async () => { setDirectParts(0); setDirectConvPath('own'); await tf.setBackend('wasm'); });

  for (const c of CASES) {
    it(`${c.N}×${c.H}×${c.W}×${c.C} → ${c.CO}, ${c.k}×${c.k} stride ${c.s}: inference kernel and training Conv2D`, async () => {
      registerDeeperKernels();
      const r = seeded(c.H * 1000 + c.C * 10 + c.k);
      const x = uniform(c.N * c.H * c.W * c.C, r), w = uniform(c.k * c.k * c.C * c.CO, r, 1 / Math.sqrt(c.k * c.k * c.C));
      const bias = uniform(c.CO, r, 0.3);
      const pads: ('same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]])[] = ['same', 'valid', [[0, 0], [2, 1], [0, 3], [0, 0]]];
      expect(await tf.setBackend('cpu')).toBe(true);
      const ref = tf.tidy(() => {
        const xt = tf.tensor4d(x, [c.N, c.H, c.W, c.C]), wt = tf.tensor4d(w, [c.k, c.k, c.C, c.CO]);
        const z = tf.add(tf.conv2d(xt, wt, c.s, 'same'), tf.tensor1d(bias));
        return [z, tf.relu(z), ...pads.map((p) => tf.conv2d(xt, wt, c.s, p))].map((t) => t.dataSync() as Float32Array);
      });
      expect(await tf.setBackend('wasm')).toBe(true);
      setDirectConvPath('own');
      let first: Float32Array[] | null = null;
      for (const parts of [1, 2, 3]) {
        setDirectParts(parts);
        const got = tf.tidy(() => {
          const xt = tf.tensor4d(x, [c.N, c.H, c.W, c.C]), wt = tf.tensor4d(w, [c.k, c.k, c.C, c.CO]);
          const p = tf.tensor1d(packFilter(w, c.k * c.k * c.C, c.CO)), b = tf.tensor1d(bias);
          const out = [directConv(xt, p, b, c.k, c.k, c.s, false), directConv(xt, p, b, c.k, c.k, c.s, true),
            ...pads.map((pd) => (c.k === 3 && c.s === 1 ? tf.conv2d(xt, wt, c.s, pd === 'same' ? 'valid' : pd) : tf.conv2d(xt, wt, c.s, pd)))];
          return out.map((t) => t.dataSync() as Float32Array);
        });
        // (A stride-1 3×3 'same' Conv2D goes to Winograd, not this kernel: that case is checked with 'valid' twice.)
        const refs = c.k === 3 && c.s === 1 ? [ref[0], ref[1], ref[3], ref[3], ref[4]] : ref;
        for (let i = 0; i < got.length; i++) {
          expect(got[i].length).toBe(refs[i].length);
          expect(relErr(got[i], refs[i])).toBeLessThan(1e-5);
        }
        if (first) for (let i = 0; i < got.length; i++) expect(Buffer.from(got[i].buffer).equals(Buffer.from(first[i].buffer))).toBe(true);
        first = got;
      }
    }, 120_000);
  }
});

describe('direct input gradient (wasm): phase filters packed in the SIMD module and split', () => {
  afterAll(async () => { setDirectParts(0); setPhasePackSplit(true); await tf.setBackend('wasm'); });
  // [N, H, W, CI, CO, k, s]: stride-2 3×3 (CI not ×8 in the second), 1×1 stride 2, block4 conv a.
  const cases: [number, number, number, number, number, number, number][] = [[3, 16, 16, 32, 64, 3, 2], [2, 9, 7, 12, 64, 3, 2], [3, 8, 8, 64, 128, 1, 2], [5, 4, 4, 128, 256, 3, 2]];
  for (const [N, H, W, CI, CO, k, s] of cases) {
    it(`${N}×${H}×${W}×${CI} ← ${CO}, ${k}×${k} stride ${s}: the same bits as the JS pack, 1–3 parts; close to cpu`, async () => {
      registerDeeperKernels();
      const r = seeded(H * 31 + CI), OH = Math.ceil(H / s), OW = Math.ceil(W / s);
      const w = uniform(k * k * CI * CO, r, 1 / Math.sqrt(k * k * CI)), dy = uniform(N * OH * OW * CO, r);
      const dx = () => tf.tidy(() => tf.conv2dTranspose(tf.tensor4d(dy, [N, OH, OW, CO]), tf.tensor4d(w, [k, k, CI, CO]), [N, H, W, CI], s, 'same').dataSync() as Float32Array);
      expect(await tf.setBackend('cpu')).toBe(true);
      const ref = dx();
      expect(await tf.setBackend('wasm')).toBe(true);
      setPhasePackSplit(false);
      const before = dx();
      setPhasePackSplit(true);
      expect(relErr(before, ref)).toBeLessThan(1e-5);
      for (const parts of [1, 2, 3]) {
        setDirectParts(parts);
        expect(Array.from(dx())).toEqual(Array.from(before));
      }
      setDirectParts(0);
    });
  }
});
