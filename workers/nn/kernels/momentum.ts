/**
 * Momentum SGD whose update of a variable is one kernel (acc' = m·acc + g, value' = c·acc' + value,
 * c = −learning rate) instead of tfjs's four (Mul, Add, Mul, Add): ≈ 120 fewer kernel dispatches per
 * training step of the ResNet-10 (41 variables). The same float32 operations in the same order, so
 * the weights are bit-identical to tf.train.momentum's; the optimizer state (accumulations, weights
 * for checkpoints) is MomentumOptimizer's own. On wasm the update runs in the SIMD module
 * (wasm/momentum.c; variables of ≥ 65,536 values split across the SIMD pool), on cpu in JS, elsewhere
 * (or with setFusedMomentum(false), or Nesterov) as tfjs's MomentumOptimizer.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo, NamedAttrMap } from '@tensorflow/tfjs';
import { type WasmBackendLike, byteOffset } from './wasm-heap';
import { simdKernels } from './simd';
import { splitParts, vectorRanges } from './simd-pool';

export const MOMENTUM_UPDATE = 'DeeperMomentumUpdate';

let FUSED = true;
export function setFusedMomentum(on: boolean): void { FUSED = on; }

interface Attrs { momentum: number; c: number }

const updateWasm = (({ inputs, backend, attrs }) => {
  const b = backend as WasmBackendLike, simd = simdKernels(b)!;
  const { value, acc, grad } = inputs as Record<string, TensorInfo>;
  const { momentum, c } = attrs as unknown as Attrs;
  const vOut = b.makeOutput(value.shape, 'float32'), aOut = b.makeOutput(value.shape, 'float32');
  const n = value.shape.reduce((p, s) => p * s, 1);
  simd.runParts('momentum_update', vectorRanges(n, splitParts(simd.threads, n)).map(([i0, i1]) => [byteOffset(b, value), byteOffset(b, acc), byteOffset(b, grad), i0, i1,
    momentum, c, byteOffset(b, vOut), byteOffset(b, aOut)]));
  return [vOut, aOut];
}) as KernelFunc;

const updateCpu = (({ inputs, backend, attrs }) => {
  const cb = backend as { data: { get(id: object): { values: Float32Array } }; makeTensorInfo(s: number[], d: string, v: Float32Array): TensorInfo };
  const { value, acc, grad } = inputs as Record<string, TensorInfo>;
  const { momentum, c } = attrs as unknown as Attrs;
  const v = cb.data.get(value.dataId).values, a = cb.data.get(acc.dataId).values, g = cb.data.get(grad.dataId).values;
  const m = Math.fround(momentum), cc = Math.fround(c), vOut = new Float32Array(v.length), aOut = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const an = Math.fround(Math.fround(m * a[i]) + g[i]);
    aOut[i] = an;
    vOut[i] = Math.fround(cc * an) + v[i];
  }
  return [cb.makeTensorInfo(value.shape, 'float32', vOut), cb.makeTensorInfo(value.shape, 'float32', aOut)];
}) as KernelFunc;

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: MOMENTUM_UPDATE, backendName: 'wasm', kernelFunc: updateWasm });
  tf.registerKernel({ kernelName: MOMENTUM_UPDATE, backendName: 'cpu', kernelFunc: updateCpu });
}

/** MomentumOptimizer's private state, as tfjs-core 4.22 keeps it. */
interface MomentumState {
  accumulations: { originalName: string; variable: tf.Variable }[];
  learningRate: number; momentum: number; useNesterov: boolean;
}

/** tf.train.momentum with the fused update (see the file comment). */
export class FusedMomentumOptimizer extends tf.MomentumOptimizer {
  override applyGradients(variableGradients: Parameters<tf.MomentumOptimizer['applyGradients']>[0]): void {
    const s = this as unknown as MomentumState;
    const backend = tf.getBackend();
    const usable = FUSED && !s.useNesterov && (backend === 'cpu' || (backend === 'wasm' && simdKernels(tf.backend() as unknown as WasmBackendLike) !== null));
    if (!usable) { super.applyGradients(variableGradients); return; }
    register();
    const names = Array.isArray(variableGradients) ? variableGradients.map((item) => item.name) : Object.keys(variableGradients);
    const attrs = { momentum: s.momentum, c: -s.learningRate } as unknown as NamedAttrMap;
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      if (s.accumulations[i] == null) {
        s.accumulations[i] = { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      const accumulation = s.accumulations[i].variable;
      const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
      if (gradient == null) return;
      tf.tidy(() => {
        const [newValue, newAcc] = tf.engine().runKernel(MOMENTUM_UPDATE, { value, acc: accumulation, grad: gradient }, attrs) as tf.Tensor[];
        accumulation.assign(newAcc);
        value.assign(newValue);
      });
    });
    this.incrementIterations();
  }
}

/** A momentum SGD optimizer: the fused one (bit-identical weights to tf.train.momentum's, fewer kernels). */
export function momentumOptimizer(learningRate: number, momentum: number): tf.MomentumOptimizer {
  return new FusedMomentumOptimizer(learningRate, momentum);
}
