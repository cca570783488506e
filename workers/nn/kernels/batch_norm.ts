/**
 * Training-mode batch normalisation as two kernels with an analytic backward, for the cpu and wasm
 * backends (the stock composition's gradient spends seconds in Tile). Over the M = N·H·W positions
 * of each channel c:
 *
 *   μ_c = mean x,  σ²_c = mean (x − μ_c)²  (biased, as used to normalise),  x̂ = (x − μ)/√(σ² + ε)
 *   y = γ·x̂ + β
 *   ∂β = Σ dy,  ∂γ = Σ dy·x̂,  ∂x = γ/√(σ² + ε) · (dy − ∂β/M − x̂·∂γ/M)
 *
 * Layout: channels last; x is viewed as [M, C].
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo, NamedAttrMap } from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm_heap';
import { heapF32 } from './wasm_heap';

export const BN_TRAIN = 'DeeperBatchNormTrain';
export const BN_GRAD_X = 'DeeperBatchNormGradX';
export const BN_GRAD_PARAMS = 'DeeperBatchNormGradParams';

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

function channelMoments(x: Float32Array, C: number): { mean: Float64Array; variance: Float64Array } {
  const M = x.length / C;
  const mean = new Float64Array(C), variance = new Float64Array(C);
  for (let m = 0, o = 0; m < M; m++, o += C) for (let c = 0; c < C; c++) mean[c] += x[o + c];
  for (let c = 0; c < C; c++) mean[c] /= M;
  for (let m = 0, o = 0; m < M; m++, o += C) for (let c = 0; c < C; c++) { const d = x[o + c] - mean[c]; variance[c] += d * d; }
  for (let c = 0; c < C; c++) variance[c] /= M;
  return { mean, variance };
}

/** Σ dy and Σ dy·x̂ per channel. */
function gradSums(dy: Float32Array, x: Float32Array, mean: Float32Array, invStd: Float64Array, C: number) {
  const M = x.length / C;
  const sumDy = new Float64Array(C), sumDyXhat = new Float64Array(C);
  for (let m = 0, o = 0; m < M; m++, o += C) for (let c = 0; c < C; c++) {
    const g = dy[o + c];
    sumDy[c] += g;
    sumDyXhat[c] += g * (x[o + c] - mean[c]) * invStd[c];
  }
  return { sumDy, sumDyXhat };
}

function invStdOf(variance: Float32Array, eps: number): Float64Array {
  return Float64Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
}

function kernels(backendName: 'cpu' | 'wasm') {
  const train = (({ inputs, backend, attrs }) => {
    const io = arrayIO(backendName, backend);
    const { x, gamma, beta } = inputs as Record<string, TensorInfo>;
    const eps = (attrs as { epsilon: number }).epsilon;
    const C = x.shape[x.shape.length - 1];
    const { infos, data: [y, meanOut, varOut] } = io.alloc([x.shape, [C], [C]]);
    const xs = io.read(x), g = io.read(gamma), b = io.read(beta);
    const { mean, variance } = channelMoments(xs, C);
    const scale = new Float32Array(C), shift = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      scale[c] = g[c] / Math.sqrt(variance[c] + eps);
      shift[c] = b[c] - mean[c] * scale[c];
      meanOut[c] = mean[c]; varOut[c] = variance[c];
    }
    for (let o = 0; o < xs.length; o += C) for (let c = 0; c < C; c++) y[o + c] = xs[o + c] * scale[c] + shift[c];
    return infos;
  }) as KernelFunc;

  const gradX = (({ inputs, backend, attrs }) => {
    const io = arrayIO(backendName, backend);
    const { dy, x, mean, variance, gamma } = inputs as Record<string, TensorInfo>;
    const eps = (attrs as { epsilon: number }).epsilon;
    const C = x.shape[x.shape.length - 1];
    const { infos, data: [dx] } = io.alloc([x.shape]);
    const dys = io.read(dy), xs = io.read(x), mu = io.read(mean), g = io.read(gamma);
    const invStd = invStdOf(io.read(variance), eps);
    const { sumDy, sumDyXhat } = gradSums(dys, xs, mu, invStd, C);
    const M = xs.length / C;
    const k = new Float32Array(C), a = new Float32Array(C), bb = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      k[c] = g[c] * invStd[c];
      a[c] = sumDy[c] / M;
      bb[c] = (sumDyXhat[c] / M) * invStd[c];
    }
    for (let o = 0; o < xs.length; o += C) for (let c = 0; c < C; c++) {
      dx[o + c] = k[c] * (dys[o + c] - a[c] - (xs[o + c] - mu[c]) * bb[c]);
    }
    return infos[0];
  }) as KernelFunc;

  const gradParams = (({ inputs, backend, attrs }) => {
    const io = arrayIO(backendName, backend);
    const { dy, x, mean, variance } = inputs as Record<string, TensorInfo>;
    const eps = (attrs as { epsilon: number }).epsilon;
    const C = x.shape[x.shape.length - 1];
    const { infos, data: [dGamma, dBeta] } = io.alloc([[C], [C]]);
    const invStd = invStdOf(io.read(variance), eps);
    const { sumDy, sumDyXhat } = gradSums(io.read(dy), io.read(x), io.read(mean), invStd, C);
    for (let c = 0; c < C; c++) { dGamma[c] = sumDyXhat[c]; dBeta[c] = sumDy[c]; }
    return infos;
  }) as KernelFunc;
  return { train, gradX, gradParams };
}

let registered = false;
/** Registers the kernels for cpu and wasm, and the gradient of the training kernel. Idempotent. */
export function registerBatchNormKernels(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['cpu', 'wasm'] as const) {
    const k = kernels(backendName);
    tf.registerKernel({ kernelName: BN_TRAIN, backendName, kernelFunc: k.train });
    tf.registerKernel({ kernelName: BN_GRAD_X, backendName, kernelFunc: k.gradX });
    tf.registerKernel({ kernelName: BN_GRAD_PARAMS, backendName, kernelFunc: k.gradParams });
  }
  tf.registerGradient({
    kernelName: BN_TRAIN,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      // Only y's gradient flows: mean and variance feed the moving statistics, not the loss.
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [x, gamma, mean, variance] = saved;
      const a = attrs as NamedAttrMap;
      return {
        x: () => tf.engine().runKernel(BN_GRAD_X, { dy, x, mean, variance, gamma }, a) as tf.Tensor,
        gamma: () => (tf.engine().runKernel(BN_GRAD_PARAMS, { dy, x, mean, variance }, a) as tf.Tensor[])[0],
        beta: () => (tf.engine().runKernel(BN_GRAD_PARAMS, { dy, x, mean, variance }, a) as tf.Tensor[])[1],
      };
    },
  });
}

/** Batch norm with batch statistics; returns y and the batch mean and (biased) variance. */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number) {
  registerBatchNormKernels();
  const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
  return { y, mean, variance };
}
