/**
 * Max pooling that remembers where each maximum came from, so that its gradient is one scatter
 * (the wasm backend's MaxPoolGrad recomputes every window). Runs in the SIMD module on wasm;
 * elsewhere maxPoolTrain is tf.maxPool with its stock gradient. Forward and scatter split the
 * images into ranges across the SIMD pool's threads (no value crosses images, so the bits do not
 * depend on the split).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo, NamedAttrMap } from '@tensorflow/tfjs';
import { type WasmBackendLike, byteOffset } from './wasm-heap';
import { simdKernels } from './simd';
import { splitParts } from './simd-pool';

export const MAX_POOL = 'DeeperMaxPoolWithIndex';
export const MAX_POOL_GRAD = 'DeeperMaxPoolScatter';

interface PoolAttrs { filterSize: number; stride: number }

/** Image ranges per call: 0 = the pool's thread count (default); 1 = all on the calling thread (the path before). */
let MAX_POOL_PARTS = 0;
export function setMaxPoolParts(n: number): void { MAX_POOL_PARTS = Math.max(0, Math.floor(n)); }

function imageParts(threads: number, N: number, size: number): [number, number][] {
  const n = Math.max(1, Math.min(N, splitParts(threads, size, MAX_POOL_PARTS)));
  return Array.from({ length: n }, (_, i) => [Math.round((N * i) / n), Math.round((N * (i + 1)) / n)]);
}

const maxPoolWasm = (({ inputs, backend, attrs }) => {
  const b = backend as WasmBackendLike;
  const simd = simdKernels(b)!;
  const { x } = inputs as { x: TensorInfo };
  const { filterSize: k, stride: s } = attrs as unknown as PoolAttrs;
  const [N, H, W, C] = x.shape;
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], k, s, 1, 'same');
  const y = b.makeOutput([N, info.outHeight, info.outWidth, C], 'float32');
  const arg = b.makeOutput([N, info.outHeight, info.outWidth, C], 'int32');
  const parts = imageParts(simd.threads, N, N * H * W * C);
  simd.runParts('max_pool', parts.map(([n0, n1]) => [byteOffset(b, x), H, W, C, k, s, info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth,
    byteOffset(b, y), byteOffset(b, arg), n0, n1]));
  return [y, arg];
}) as KernelFunc;

const maxPoolGradWasm = (({ inputs, backend, attrs }) => {
  const b = backend as WasmBackendLike;
  const simd = simdKernels(b)!;
  const { dy, arg } = inputs as { dy: TensorInfo; arg: TensorInfo };
  const { inputShape } = attrs as unknown as { inputShape: number[] };
  const dx = b.makeOutput(inputShape, 'float32');
  const N = inputShape[0], count = dy.shape.reduce((p, v) => p * v, 1) / N, dxCount = inputShape.reduce((p, v) => p * v, 1) / N;
  const parts = imageParts(simd.threads, N, N * dxCount);
  simd.runParts('max_pool_grad', parts.map(([n0, n1]) => [byteOffset(b, dy), byteOffset(b, arg), n0 * count, n1 * count, byteOffset(b, dx), n0 * dxCount, n1 * dxCount]));
  return dx;
}) as KernelFunc;

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: MAX_POOL, backendName: 'wasm', kernelFunc: maxPoolWasm });
  tf.registerKernel({ kernelName: MAX_POOL_GRAD, backendName: 'wasm', kernelFunc: maxPoolGradWasm });
  tf.registerGradient({
    kernelName: MAX_POOL,
    inputsToSave: ['x'],
    outputsToSave: [false, true],
    gradFunc: (dys, saved) => {
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [x, arg] = saved;
      return { x: () => tf.engine().runKernel(MAX_POOL_GRAD, { dy, arg }, { inputShape: x.shape } as unknown as NamedAttrMap) as tf.Tensor };
    },
  });
}

/** k×k max pool, stride s, 'same' padding, channels last. */
export function maxPoolTrain(x: tf.Tensor4D, filterSize: number, stride: number): tf.Tensor4D {
  if (tf.getBackend() === 'wasm' && simdKernels(tf.backend() as unknown as WasmBackendLike)) {
    register();
    const [y] = tf.engine().runKernel(MAX_POOL, { x }, { filterSize, stride } as unknown as NamedAttrMap) as tf.Tensor[];
    return y as tf.Tensor4D;
  }
  return tf.maxPool(x, filterSize, stride, 'same');
}
