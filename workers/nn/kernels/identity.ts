/**
 * Identity for 'wasm' without a copy: the output shares the input's data (reference-counted, as the
 * wasm backend's own Reshape and the cpu backend's Identity do). tfjs-core clones every tensor it
 * saves for the backward pass (engine.saveTensorsForBackwardMode → Identity), and the stock wasm
 * kernel copies each one: ≈ 3–4 ms of a 64 px training step (workers/nn/PERFORMANCE.md, "Threads on a quiet machine").
 * Tensors are immutable, so the shared data cannot change under either. setSharedIdentity(false)
 * restores the copy.
 */
import { getKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';

let SHARED = true;
export function setSharedIdentity(on: boolean): void { SHARED = on; }

interface RefCountingBackend { incRef(dataId: unknown): void }

let stockIdentity: KernelConfig | undefined;

function identityWasm(args: { inputs: { x: TensorInfo }; backend: unknown; attrs: unknown }): TensorInfo {
  const { x } = args.inputs;
  if (!SHARED || x.dtype === 'string') return stockIdentity!.kernelFunc(args as never) as TensorInfo;
  (args.backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** The Identity kernel for wasm: shared data in front of the stock copying kernel (kept for setSharedIdentity(false)). */
export function sharedIdentityConfig(): KernelConfig {
  stockIdentity ??= getKernel('Identity', 'wasm');
  if (!stockIdentity) throw new Error('wasm kernel Identity missing');
  return { ...stockIdentity, kernelFunc: identityWasm as unknown as KernelFunc };
}
