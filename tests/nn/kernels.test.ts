/**
 * Deeper's wasm gradient kernels against the tfjs cpu backend on small random tensors: strides
 * 1–3, odd sizes, 'same', 'valid' and explicit padding. Relative error below 1e-5.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerDeeperKernels } from '../../workers/nn/kernels/register';
import { batchNormTrain, setBatchNormParts, BATCH_NORM_DEFAULT_PARTS, setBatchNormPositionParts, BATCH_NORM_DEFAULT_POSITION_PARTS } from '../../workers/nn/kernels/batch-norm';
import { MAX_POOL, MAX_POOL_GRAD, maxPoolTrain, setMaxPoolParts } from '../../workers/nn/kernels/max-pool';
import { simdKernels } from '../../workers/nn/kernels/simd';
import { setGroupTarget, GROUP_TARGET, setMaxGridWaste, MAX_GRID_WASTE, setFilterGradPath, setFilterGradParts, setRowFilterGrad } from '../../workers/nn/kernels/conv2d-backprop-filter';

function rand(shape: number[], seed: number): Float32Array {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

async function on<T>(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const arr = Array.isArray(out) ? out : [out];
  const vals = await Promise.all(arr.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(arr);
  return vals;
}

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / Math.max(den, 1e-12);
}

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
const cases: { x: number[]; k: number[]; s: number; pad: Pad }[] = [];
for (const s of [1, 2, 3]) {
  for (const pad of ['same', 'valid', [[0, 0], [1, 2], [2, 0], [0, 0]]] as Pad[]) {
    cases.push({ x: [2, 9, 7, 3], k: [3, 3, 3, 4], s, pad });
    cases.push({ x: [3, 11, 10, 2], k: [1, 1, 2, 5], s, pad });
    cases.push({ x: [1, 13, 12, 3], k: [7, 5, 3, 2], s, pad });
    cases.push({ x: [2, 8, 8, 4], k: [2, 4, 4, 3], s, pad });
    // Output channels a multiple of 4: our direct forward kernel and the row filter-gradient kernel (CO ≡ 4 mod 8 too).
    cases.push({ x: [2, 13, 11, 3], k: [7, 7, 3, 12], s, pad });
    cases.push({ x: [3, 9, 10, 6], k: [1, 1, 6, 8], s, pad });
    // Input channels ×4 and ≥ 4 columns per stride phase: the input gradient's phases on the direct kernel, straight into dx.
    cases.push({ x: [2, 15, 13, 8], k: [3, 3, 8, 12], s, pad });
    cases.push({ x: [2, 12, 14, 8], k: [1, 1, 8, 4], s, pad });
  }
}

describe('wasm convolution gradient kernels match cpu', () => {
  beforeAll(async () => {
    registerDeeperKernels();
    await tf.setBackend('wasm');
  });
  for (const c of cases) for (const path of ['rows', 'packed', 'shifted views', 'im2col'] as const) {
    const name = `x ${c.x} filter ${c.k} stride ${c.s} pad ${JSON.stringify(c.pad)} ${path}`;
    it(name, async () => {
      setFilterGradPath(path === 'packed' || path === 'rows' ? 'packed' : 'xnnpack');
      setRowFilterGrad(path === 'rows');
      setMaxGridWaste(path === 'shifted views' ? 100 : 0);
      const xv = rand(c.x, 1), wv = rand(c.k, 2);
      const grads = () => {
        const x = tf.tensor4d(xv, c.x as [number, number, number, number]);
        const w = tf.tensor4d(wv, c.k as [number, number, number, number]);
        const f = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, c.s, c.pad).square().sum();
        const [dx, dw] = tf.grads(f as never)([x, w]);
        return [tf.conv2d(x, w, c.s, c.pad), dx, dw];
      };
      const ref = await on('cpu', grads);
      const got = await on('wasm', grads);
      setMaxGridWaste(1.6);
      setFilterGradPath('packed');
      setRowFilterGrad(true);
      for (let i = 0; i < 3; i++) expect(relErr(got[i], ref[i])).toBeLessThan(1e-5);
    });
  }
});

describe('packed and row filter gradients over several chunks and parts', () => {
  // 3·20·19 = 1,140 output positions: three 512-position chunks in filter-grad.c; 1–3 parts split
  // the positions across image boundaries (parts beyond the helper threads run on this thread).
  // The 7×7 stride-2 case with 12 output channels takes the row kernel (direct-grad.c: 64-position
  // chunks of rows; 1–3 parts split the 2·21 rows).
  it.each([1, 2, 3])('%i part(s) match cpu', async (parts) => {
    setFilterGradPath('packed');
    setFilterGradParts(parts);
    try {
      for (const [xs, ks, s] of [[[3, 20, 19, 5], [3, 3, 5, 9], 1], [[2, 41, 37, 3], [4, 3, 3, 17], 2], [[2, 41, 37, 3], [7, 7, 3, 12], 2]] as [number[], number[], number][]) {
        const xv = rand(xs, 11), wv = rand(ks, 12);
        const g = () => {
          const x = tf.tensor4d(xv, xs as never), w = tf.tensor4d(wv, ks as never);
          return tf.grads(((a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, s, 'same').square().sum()) as never)([x, w]);
        };
        const ref = await on('cpu', g), got = await on('wasm', g);
        for (let i = 0; i < 2; i++) expect(relErr(got[i], ref[i])).toBeLessThan(1e-5);
      }
    } finally {
      setFilterGradParts(2);
    }
  });
});

describe('filter gradient with several image groups, both XNNPACK strategies', () => {
  it.each([['shifted views', 100], ['im2col', 0]])('%s match cpu when the reduction is split across groups', async (_name, waste) => {
    const saved = GROUP_TARGET, savedWaste = MAX_GRID_WASTE;
    setGroupTarget(40);
    setMaxGridWaste(waste);
    setFilterGradPath('xnnpack');
    try {
      const xs = [5, 9, 8, 3], ks = [3, 3, 3, 4];
      const xv = rand(xs, 7), wv = rand(ks, 8);
      const g = () => {
        const x = tf.tensor4d(xv, xs as never), w = tf.tensor4d(wv, ks as never);
        return tf.grads(((a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, 2, 'same').square().sum()) as never)([x, w]);
      };
      const ref = await on('cpu', g), got = await on('wasm', g);
      for (let i = 0; i < 2; i++) expect(relErr(got[i], ref[i])).toBeLessThan(1e-5);
    } finally {
      setFilterGradPath('packed');
      setGroupTarget(saved);
      setMaxGridWaste(savedWaste);
    }
  });
});

describe('fused batch norm (+ReLU) matches the stock composition', () => {
  // parts: channel ranges run as separate kernel calls (the channel path, setBatchNormPositionParts(0);
  // on this single-threaded build they run one after another): 3 parts of 14 channels are 4, 8 and 2 wide.
  // The default split over positions: tests/nn/batch-norm-positions.test.ts.
  for (const relu of [false, true]) for (const [C, parts] of [[6, 1], [14, 3]]) {
    it(`forward and gradients on cpu and wasm, relu ${relu}, ${C} channels in ${parts} part(s)`, async () => {
      const shape = [3, 5, 4, C];
      const xv = rand(shape, 3), gv = rand([C], 4).map((v) => v + 1), bv = rand([C], 5), dyv = rand(shape, 6);
      const make = () => [tf.tensor4d(xv, shape as never), tf.tensor1d(gv), tf.tensor1d(bv), tf.tensor4d(dyv, shape as never)];
      const stock = () => {
        const [x, g, b, dy] = make();
        const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(x, [0, 1, 2]);
          const y = tf.batchNorm(x, mean, variance, b, g, 1e-3);
          return (relu ? tf.relu(y) : y).mul(dy).sum();
        };
        return tf.grads(f as never)([x, g, b]);
      };
      const fused = () => {
        const [x, g, b, dy] = make();
        const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTrain(x, g, b, 1e-3, relu).y.mul(dy).sum();
        return tf.grads(f as never)([x, g, b]);
      };
      const ref = await on('cpu', stock);
      setBatchNormParts(parts);
      setBatchNormPositionParts(0);
      try {
        for (const backend of ['cpu', 'wasm']) {
          const got = await on(backend, fused);
          for (let i = 0; i < 3; i++) expect(relErr(got[i], ref[i])).toBeLessThan(1e-5);
        }
      } finally {
        setBatchNormParts(BATCH_NORM_DEFAULT_PARTS);
        setBatchNormPositionParts(BATCH_NORM_DEFAULT_POSITION_PARTS);
      }
    });
  }
});

describe('max pool with recorded indices matches tf.maxPool', () => {
  // Image parts (1 = all on the calling thread, the path before; on this single-threaded build the
  // parts run one after another): the same bits whatever the split, and the split must be what ran.
  for (const shape of [[2, 9, 9, 5], [1, 8, 6, 8], [3, 7, 10, 3], [4, 6, 7, 8]]) {
    it(`shape ${shape}, 1 to 3 image parts`, async () => {
      const xv = rand(shape, 9), dyShape = [shape[0], Math.ceil(shape[1] / 2), Math.ceil(shape[2] / 2), shape[3]], dyv = rand(dyShape, 10);
      const run = (mine: boolean) => () => {
        const x = tf.tensor4d(xv, shape as never), dy = tf.tensor4d(dyv, dyShape as never);
        const f = (x: tf.Tensor4D) => (mine ? maxPoolTrain(x, 3, 2) : tf.maxPool(x, 3, 2, 'same')).mul(dy).sum();
        return [mine ? maxPoolTrain(x, 3, 2) : tf.maxPool(x, 3, 2, 'same'), tf.grad(f as never)(x)];
      };
      const ref = await on('cpu', run(false));
      await tf.setBackend('wasm');
      const simd = simdKernels(tf.backend() as never);
      // Without the SIMD module maxPoolTrain falls back to tf.maxPool, which would match trivially:
      // the custom kernels must be what ran (registered on wasm, and the SIMD module loaded).
      expect(simd, 'the SIMD module (workers/nn/wasm) does not load: the custom max pool is not under test').not.toBeNull();
      const original = simd!.runParts, calls: [string, number][] = [];
      simd!.runParts = function (fn, parts) { calls.push([fn, parts.length]); return original.call(this, fn, parts); };
      let first: Float32Array[] | null = null;
      try {
        for (const parts of [1, 2, 3]) {
          setMaxPoolParts(parts);
          calls.length = 0;
          const got = await on('wasm', run(true));
          expect(tf.getBackend()).toBe('wasm');
          expect(tf.getKernel(MAX_POOL, 'wasm'), `${MAX_POOL} is not registered on wasm`).toBeDefined();
          expect(tf.getKernel(MAX_POOL_GRAD, 'wasm'), `${MAX_POOL_GRAD} is not registered on wasm`).toBeDefined();
          for (let i = 0; i < 2; i++) expect(relErr(got[i], ref[i])).toBeLessThan(1e-6);
          const want = Math.min(parts, shape[0]);
          expect(calls.filter(([fn]) => fn === 'max_pool').map(([, n]) => n)).toEqual([want, want]);
          expect(calls.filter(([fn]) => fn === 'max_pool_grad').map(([, n]) => n)).toEqual([want]);
          if (!first) first = got;
          else for (let i = 0; i < 2; i++) expect(Array.from(got[i])).toEqual(Array.from(first[i]));
        }
      } finally {
        simd!.runParts = original;
        setMaxPoolParts(0);
      }
    });
  }
});
