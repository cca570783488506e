/**
 * The residual join of a ResNet block in training, relu(a + b), as one kernel with its own gradient
 * (dy · [y > 0] for both inputs, one kernel) instead of the stock Add, Relu, Step and Multiply: one
 * pass instead of two each way, on wasm in the SIMD module (wasm/residual.c) split into element
 * ranges across the SIMD pool (no sums, so the bits do not depend on the split); a JS kernel on cpu.
 * setFusedAddRelu(false): the stock ops (the path before).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { type WasmBackendLike, byteOffset } from './wasm-heap';
import { simdKernels } from './simd';
import { splitParts, vectorRanges } from './simd-pool';

export const ADD_RELU = 'DeeperAddRelu';
export const RELU_GRAD = 'DeeperReluGrad';

let FUSED = true;
export function setFusedAddRelu(on: boolean): void { FUSED = on; }
/** Element ranges per call: 0 = the pool's thread count for tensors of ≥ MIN_ELEMENTS_TO_SPLIT (default); tests set more. */
let PARTS = 0;
export function setAddReluParts(n: number): void { PARTS = Math.max(0, Math.floor(n)); }

function ranges(threads: number, size: number): [number, number][] {
  return vectorRanges(size, Math.max(1, Math.min(splitParts(threads, size, PARTS), Math.floor(size / 4))));
}

const size = (t: TensorInfo) => t.shape.reduce((p, s) => p * s, 1);

const addReluWasm = (({ inputs, backend }) => {
  const b = backend as WasmBackendLike, simd = simdKernels(b)!;
  const { a, b: c } = inputs as { a: TensorInfo; b: TensorInfo };
  const y = b.makeOutput(a.shape, 'float32');
  simd.runParts('add_relu', ranges(simd.threads, size(a)).map(([i0, i1]) => [byteOffset(b, a), byteOffset(b, c), i0, i1, byteOffset(b, y)]));
  return y;
}) as KernelFunc;

const reluGradWasm = (({ inputs, backend }) => {
  const b = backend as WasmBackendLike, simd = simdKernels(b)!;
  const { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
  const dx = b.makeOutput(y.shape, 'float32');
  simd.runParts('relu_grad', ranges(simd.threads, size(y)).map(([i0, i1]) => [byteOffset(b, dy), byteOffset(b, y), i0, i1, byteOffset(b, dx)]));
  return dx;
}) as KernelFunc;

type CpuBackend = { data: { get(id: object): { values: Float32Array } }; makeTensorInfo(s: number[], d: string, v: Float32Array): TensorInfo };
const addReluCpu = (({ inputs, backend }) => {
  const cb = backend as CpuBackend, { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const av = cb.data.get(a.dataId).values, bv = cb.data.get(b.dataId).values, y = new Float32Array(av.length);
  for (let i = 0; i < y.length; i++) { const v = av[i] + bv[i]; y[i] = v > 0 ? v : 0; }
  return cb.makeTensorInfo(a.shape, 'float32', y);
}) as KernelFunc;
const reluGradCpu = (({ inputs, backend }) => {
  const cb = backend as CpuBackend, { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
  const dv = cb.data.get(dy.dataId).values, yv = cb.data.get(y.dataId).values, dx = new Float32Array(yv.length);
  for (let i = 0; i < dx.length; i++) dx[i] = yv[i] > 0 ? dv[i] : 0;
  return cb.makeTensorInfo(y.shape, 'float32', dx);
}) as KernelFunc;

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: ADD_RELU, backendName: 'wasm', kernelFunc: addReluWasm });
  tf.registerKernel({ kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGradWasm });
  tf.registerKernel({ kernelName: ADD_RELU, backendName: 'cpu', kernelFunc: addReluCpu });
  tf.registerKernel({ kernelName: RELU_GRAD, backendName: 'cpu', kernelFunc: reluGradCpu });
  tf.registerGradient({
    kernelName: ADD_RELU,
    inputsToSave: [],
    outputsToSave: [true],
    gradFunc: (dys, saved) => {
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [y] = saved;
      // One kernel for both inputs: the first call computes it, the second gets a clone (shared data on wasm, identity.ts).
      let g: tf.Tensor | null = null;
      const grad = () => (g ? g.clone() : (g = tf.engine().runKernel(RELU_GRAD, { dy, y }, {}) as tf.Tensor));
      return { a: grad, b: grad };
    },
  });
}

/** relu(a + b) for same-shape float32 tensors; the fused kernel on wasm (with the SIMD module) and cpu, else the stock ops. */
export function addReluTrain<T extends tf.Tensor>(a: T, b: T): T {
  const backend = tf.getBackend();
  const ok = FUSED && a.dtype === 'float32' && b.dtype === 'float32' && a.shape.length === b.shape.length && a.shape.every((s, i) => s === b.shape[i]) &&
    (backend === 'cpu' || (backend === 'wasm' && simdKernels(tf.backend() as unknown as WasmBackendLike) !== null));
  if (!ok) return tf.relu(tf.add(a, b)) as T;
  register();
  return tf.engine().runKernel(ADD_RELU, { a, b }, {}) as T;
}
