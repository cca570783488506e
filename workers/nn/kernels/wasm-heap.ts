/**
 * Zero-copy access to the tfjs wasm backend's heap, for kernels composed from XNNPACK calls.
 *
 * A "view" is a tensor registered with the wasm backend whose memory lies inside another tensor's
 * buffer (BackendWasm.makeOutput with a memoryOffset). Views must be released with disposeView,
 * never backend.disposeData, which would free memory the view does not own.
 */
import type { TensorInfo, DataType } from '@tensorflow/tfjs';

/** The parts of BackendWasm (tfjs-backend-wasm 4.22) these kernels use. */
export interface WasmBackendLike {
  wasm: {
    HEAPU8: Uint8Array;
    /** Present in the threaded build; the non-threaded build exposes it as asm.memory. */
    wasmMemory?: WebAssembly.Memory;
    asm?: { memory?: WebAssembly.Memory };
    cwrap: (name: string, ret: null | string, args: string[]) => (...a: unknown[]) => unknown;
    tfjs: { disposeData: (id: number) => void };
  };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined; delete(dataId: object): void };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

export function tensorId(backend: WasmBackendLike, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.id;
}

export function byteOffset(backend: WasmBackendLike, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId)!.memoryOffset;
}

/** A Float32Array over the tensor's heap memory. Re-take it after any allocation (the heap may grow). */
export function heapF32(backend: WasmBackendLike, info: TensorInfo, length?: number): Float32Array {
  const n = length ?? info.shape.reduce((a, b) => a * b, 1);
  return new Float32Array(heapBuffer(backend), byteOffset(backend, info), n);
}

/** The current heap buffer (Module.HEAPU8 can lag behind a growth made by another thread). */
export function heapBuffer(backend: WasmBackendLike): ArrayBufferLike {
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  return memory ? memory.buffer : backend.wasm.HEAPU8.buffer;
}

/** A tensor aliasing `base` starting `offsetFloats` floats in, with the given shape. */
export function makeView(backend: WasmBackendLike, base: TensorInfo, offsetFloats: number, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32', byteOffset(backend, base) + 4 * offsetFloats);
}

/** Unregisters a view (running XNNPACK operator-cache disposal callbacks) without freeing memory. */
export function disposeView(backend: WasmBackendLike, view: TensorInfo): void {
  const d = backend.dataIdMap.get(view.dataId);
  if (!d) return;
  backend.wasm.tfjs.disposeData(d.id);
  backend.dataIdMap.delete(view.dataId);
}

let matMulFn: ((...a: unknown[]) => unknown) | null = null;
let matMulOwner: unknown = null;

/**
 * out[1, m, n] = a[1, m, k] · b[1, k, n] on XNNPACK's fully-connected operator (the wasm
 * BatchMatMul fast path: batch 1, no transposes), writing into an existing tensor (possibly a
 * view). XNNPACK packs b once per tensor id and caches the operator until b is disposed.
 */
export function matMulInto(backend: WasmBackendLike, a: TensorInfo, b: TensorInfo, out: TensorInfo, m: number, k: number, n: number): void {
  if (matMulOwner !== backend) {
    matMulFn = backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    matMulOwner = backend;
  }
  const aShape = new Uint8Array(new Int32Array([1, m, k]).buffer);
  const bShape = new Uint8Array(new Int32Array([1, k, n]).buffer);
  matMulFn!(tensorId(backend, a), aShape, 3, tensorId(backend, b), bShape, 3, false, false, tensorId(backend, out));
}
