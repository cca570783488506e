/**
 * Training-mode batch normalisation (optionally fused with the ReLU that follows it) as two
 * kernels with an analytic backward, for the cpu and wasm backends (the stock composition's
 * gradient spends seconds in Tile). Over the M = N·H·W positions of each channel c:
 *
 *   μ_c = mean x,  σ²_c = mean (x − μ_c)²  (biased, as used to normalise),  x̂ = (x − μ)/√(σ² + ε)
 *   y = γ·x̂ + β   (then max(y, 0) when fused with ReLU)
 *   g = dy (· [y > 0] with ReLU),  ∂β = Σ g,  ∂γ = Σ g·x̂,  ∂x = γ/√(σ² + ε) · (g − ∂β/M − x̂·∂γ/M)
 *
 * Layout: channels last; x is viewed as [M, C]. On wasm the loops run in the SIMD module
 * (workers/nn/wasm/kernels.c) when it loads, else in JS.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo, NamedAttrMap } from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-heap';
import { heapF32, byteOffset } from './wasm-heap';
import { simdKernels } from './simd';
import { bnTrainByPositions, bnGradByPositions } from './batch-norm-positions';

export const BN_TRAIN = 'DeeperBatchNormTrain';
export const BN_GRAD = 'DeeperBatchNormGrad';

interface BnAttrs { epsilon: number; relu: boolean }

/** Uniform typed-array access to kernel inputs and outputs on the cpu and wasm backends. */
interface ArrayIO {
  read(t: TensorInfo): Float32Array;
  /** Allocates every output first, then returns views (the wasm heap may move on allocation). */
  alloc(shapes: number[][]): { infos: TensorInfo[]; data: Float32Array[] };
}

function arrayIO(backendName: 'cpu' | 'wasm', backend: unknown): ArrayIO {
  if (backendName === 'wasm') {
    const b = backend as WasmBackendLike;
    return {
      read: (t) => heapF32(b, t),
      alloc: (shapes) => {
        const infos = shapes.map((s) => b.makeOutput(s, 'float32'));
        return { infos, data: infos.map((i) => heapF32(b, i)) };
      },
    };
  }
  const b = backend as { data: { get(id: object): { values: Float32Array } }; makeTensorInfo(s: number[], d: string, v: Float32Array): TensorInfo };
  return {
    read: (t) => b.data.get(t.dataId).values,
    alloc: (shapes) => {
      const data = shapes.map((s) => new Float32Array(s.reduce((a, c) => a * c, 1)));
      return { infos: shapes.map((s, i) => b.makeTensorInfo(s, 'float32', data[i])), data };
    },
  };
}

function trainJS(xs: Float32Array, g: Float32Array, b: Float32Array, C: number, a: BnAttrs, y: Float32Array, meanOut: Float32Array, varOut: Float32Array): void {
  const M = xs.length / C;
  const mean = new Float64Array(C), variance = new Float64Array(C);
  for (let o = 0; o < xs.length; o += C) for (let c = 0; c < C; c++) mean[c] += xs[o + c];
  for (let c = 0; c < C; c++) mean[c] /= M;
  for (let o = 0; o < xs.length; o += C) for (let c = 0; c < C; c++) { const d = xs[o + c] - mean[c]; variance[c] += d * d; }
  const scale = new Float32Array(C), shift = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    variance[c] /= M;
    scale[c] = g[c] / Math.sqrt(variance[c] + a.epsilon);
    shift[c] = b[c] - mean[c] * scale[c];
    meanOut[c] = mean[c]; varOut[c] = variance[c];
  }
  for (let o = 0; o < xs.length; o += C) for (let c = 0; c < C; c++) {
    const v = xs[o + c] * scale[c] + shift[c];
    y[o + c] = a.relu && v < 0 ? 0 : v;
  }
}

function gradJS(dys: Float32Array, ys: Float32Array, xs: Float32Array, mu: Float32Array, v: Float32Array, g: Float32Array, C: number, a: BnAttrs,
  dx: Float32Array, dGamma: Float32Array, dBeta: Float32Array): void {
  const M = xs.length / C;
  const invStd = Float64Array.from(v, (s) => 1 / Math.sqrt(s + a.epsilon));
  const sum = new Float64Array(C), sumX = new Float64Array(C);
  for (let o = 0; o < xs.length; o += C) for (let c = 0; c < C; c++) {
    const gv = a.relu && !(ys[o + c] > 0) ? 0 : dys[o + c];
    sum[c] += gv;
    sumX[c] += gv * (xs[o + c] - mu[c]) * invStd[c];
  }
  const k = new Float32Array(C), p = new Float32Array(C), q = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    dBeta[c] = sum[c]; dGamma[c] = sumX[c];
    k[c] = g[c] * invStd[c];
    p[c] = (k[c] * sum[c]) / M;
    q[c] = ((k[c] * sumX[c]) / M) * invStd[c];
  }
  for (let o = 0; o < xs.length; o += C) for (let c = 0; c < C; c++) {
    const gv = a.relu && !(ys[o + c] > 0) ? 0 : dys[o + c];
    dx[o + c] = gv * k[c] - p[c] - (xs[o + c] - mu[c]) * q[c];
  }
}

/**
 * The channel-range path (used with setBatchNormPositionParts(0); the position split is the default).
 * Channel ranges [c0, c1) the SIMD batch norm splits a tensor into across threads: 0 = the backend's
 * thread count; ranges are multiples of 4 channels and at least MIN_CHANNELS_PER_PART wide (one
 * 64-byte line of a row per thread), and small tensors stay on one thread. Tests set it.
 * Default 1 (the calling thread): on a quiet 2-core machine the split by channels made the whole
 * training step 3–8 % slower (bench/nn-step-ab.ts --ab bn, workers/nn/PERFORMANCE.md "Threads on a quiet machine").
 * The per-channel sums are the same either way, so the bits do not depend on it.
 */
export const BATCH_NORM_DEFAULT_PARTS = 1;
export let BATCH_NORM_PARTS = BATCH_NORM_DEFAULT_PARTS;
export function setBatchNormParts(n: number): void { BATCH_NORM_PARTS = n; }
const MIN_CHANNELS_PER_PART = 16, MIN_ELEMENTS_TO_SPLIT = 32768;
function channelParts(threads: number, C: number, size: number): [number, number][] {
  const want = BATCH_NORM_PARTS || (size >= MIN_ELEMENTS_TO_SPLIT ? threads : 1);
  const n = Math.max(1, Math.min(want, BATCH_NORM_PARTS ? Math.floor(C / 4) : Math.floor(C / MIN_CHANNELS_PER_PART)));
  const quads = Math.ceil(C / 4);
  return Array.from({ length: n }, (_, i) => [Math.min(C, 4 * Math.round((quads * i) / n)), Math.min(C, 4 * Math.round((quads * (i + 1)) / n))]);
}

function kernels(backendName: 'cpu' | 'wasm') {
  const train = (({ inputs, backend, attrs }) => {
    const a = attrs as unknown as BnAttrs;
    const io = arrayIO(backendName, backend);
    const { x, gamma, beta } = inputs as Record<string, TensorInfo>;
    const C = x.shape[x.shape.length - 1], size = x.shape.reduce((p, s) => p * s, 1);
    const { infos, data: [y, meanOut, varOut] } = io.alloc([x.shape, [C], [C]]);
    const simd = backendName === 'wasm' ? simdKernels(backend as WasmBackendLike) : null;
    const pos = simd && { simd, b: backend as WasmBackendLike, M: size / C, C, epsilon: a.epsilon, relu: a.relu };
    if (pos && bnTrainByPositions(pos, x, gamma, beta, infos[0], infos[1], infos[2])) {
      // split over positions (kernels/batch-norm-positions.ts)
    } else if (simd) {
      const b = backend as WasmBackendLike, off = (t: TensorInfo) => byteOffset(b, t);
      const parts = channelParts(simd.threads, C, size), per = 32 * C + 64;
      const scratch = simd.scratch(per * parts.length);
      simd.runParts('bn_train', parts.map(([c0, c1], i) => [off(x) + 4 * c0, size / C, c1 - c0, C, off(gamma) + 4 * c0, off(beta) + 4 * c0,
        a.epsilon, a.relu ? 1 : 0, off(infos[0]) + 4 * c0, off(infos[1]) + 4 * c0, off(infos[2]) + 4 * c0, scratch + per * i]));
    } else {
      trainJS(io.read(x), io.read(gamma), io.read(beta), C, a, y, meanOut, varOut);
    }
    return infos;
  }) as KernelFunc;

  const grad = (({ inputs, backend, attrs }) => {
    const a = attrs as unknown as BnAttrs;
    const io = arrayIO(backendName, backend);
    const { dy, y, x, mean, variance, gamma } = inputs as Record<string, TensorInfo>;
    const C = x.shape[x.shape.length - 1], size = x.shape.reduce((p, s) => p * s, 1);
    const { infos, data: [dx, dGamma, dBeta] } = io.alloc([x.shape, [C], [C]]);
    const simd = backendName === 'wasm' ? simdKernels(backend as WasmBackendLike) : null;
    const pos = simd && { simd, b: backend as WasmBackendLike, M: size / C, C, epsilon: a.epsilon, relu: a.relu };
    if (pos && bnGradByPositions(pos, dy, y, x, mean, variance, gamma, infos[0], infos[1], infos[2])) {
      // split over positions (kernels/batch-norm-positions.ts)
    } else if (simd) {
      const b = backend as WasmBackendLike, off = (t: TensorInfo) => byteOffset(b, t);
      const parts = channelParts(simd.threads, C, size), per = 48 * C + 64;
      const scratch = simd.scratch(per * parts.length);
      simd.runParts('bn_grad', parts.map(([c0, c1], i) => [off(dy) + 4 * c0, off(y) + 4 * c0, off(x) + 4 * c0, size / C, c1 - c0, C,
        off(mean) + 4 * c0, off(variance) + 4 * c0, off(gamma) + 4 * c0, a.epsilon, a.relu ? 1 : 0,
        off(infos[0]) + 4 * c0, off(infos[1]) + 4 * c0, off(infos[2]) + 4 * c0, scratch + per * i]));
    } else {
      gradJS(io.read(dy), io.read(y), io.read(x), io.read(mean), io.read(variance), io.read(gamma), C, a, dx, dGamma, dBeta);
    }
    return infos;
  }) as KernelFunc;
  return { train, grad };
}

let registered = false;
/** Registers the kernels for cpu and wasm, and the gradient of the training kernel. Idempotent. */
export function registerBatchNormKernels(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['cpu', 'wasm'] as const) {
    const k = kernels(backendName);
    tf.registerKernel({ kernelName: BN_TRAIN, backendName, kernelFunc: k.train });
    tf.registerKernel({ kernelName: BN_GRAD, backendName, kernelFunc: k.grad });
  }
  tf.registerGradient({
    kernelName: BN_TRAIN,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [true, true, true],
    gradFunc: (dys, saved, attrs) => {
      // Only y's gradient flows: mean and variance feed the moving statistics, not the loss.
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [x, gamma, y, mean, variance] = saved;
      // One kernel computes all three gradients. The engine asks for x first: that call runs the
      // kernel and keeps ∂γ, ∂β as plain arrays (C values) for the other two, so no tensor
      // outlives the engine's scopes. Asked in another order, the kernel simply runs again.
      let sums: { gamma: Float32Array; beta: Float32Array } | null = null;
      const run = () => {
        const [dx, dGamma, dBeta] = tf.engine().runKernel(BN_GRAD, { dy, y, x, mean, variance, gamma }, attrs as NamedAttrMap) as tf.Tensor[];
        sums = { gamma: dGamma.dataSync() as Float32Array, beta: dBeta.dataSync() as Float32Array };
        dGamma.dispose(); dBeta.dispose();
        return dx;
      };
      const param = (name: 'gamma' | 'beta') => () => {
        if (!sums) run().dispose();
        return tf.tensor1d(sums![name]);
      };
      return { x: run, gamma: param('gamma'), beta: param('beta') };
    },
  });
}

export { setBatchNormPositionParts, BATCH_NORM_DEFAULT_POSITION_PARTS } from './batch-norm-positions';

/** Batch norm with batch statistics (then ReLU when `relu`); returns y and the batch mean and (biased) variance. */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number, relu = false) {
  registerBatchNormKernels();
  const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN, { x, gamma, beta }, { epsilon, relu } as unknown as NamedAttrMap) as tf.Tensor[];
  return { y, mean, variance };
}
