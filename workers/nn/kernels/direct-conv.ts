/**
 * Our own register-tiled direct convolution on wasm (wasm/direct-conv.c) for the layers Winograd
 * does not take: the 7×7 stride-2 stem on 3 channels, the stride-2 3×3 convolutions and the 1×1
 * projections. Used by the folded-BN inference path (forward.ts: filter packed once per model, bias
 * and ReLU fused) and by training's wasm Conv2D (winograd-train.ts: filter packed per call). The
 * output rows are split across the SIMD pool's threads; no sum crosses rows, so the output is the
 * same bits whatever the thread count.
 *
 * Layouts: x [N, H, W, C], w [kH, kW, C, CO], bias [CO], y [N, OH, OW, CO]; packed P[⌈CO/8⌉][kH·kW·C][8].
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { type WasmBackendLike, byteOffset } from './wasm-heap';
import { simdKernels } from './simd';
import type { ConvGeometry } from './conv-geometry';

/**
 * Which convolutions run on our direct kernel: 'own' (this file, where the SIMD module loads) for
 * every non-Winograd layer with CO a multiple of 4, or 'xnnpack' (the stock kernels, the path
 * before; kept for A/B and as the fallback). Tests and benchmarks set it.
 */
export type DirectConvPath = 'own' | 'xnnpack';
export let DIRECT_CONV_PATH: DirectConvPath = 'own';
export function setDirectConvPath(p: DirectConvPath): void { DIRECT_CONV_PATH = p; }

/** Parts the rows are split into (0 = the backend's thread count). Tests set it. */
export let DIRECT_PARTS = 0;
export function setDirectParts(n: number): void { DIRECT_PARTS = n; }
/** Fewest output rows per part worth a helper thread's wake-up. */
const MIN_ROWS_PER_PART = 8;

export const DIRECT_CONV = 'DeeperDirectConv';

type Simd = NonNullable<ReturnType<typeof simdKernels>>;

/** Geometry of a convolution as the kernel needs it (the fields of ConvGeometry it reads). */
export type DirectGeometry = Pick<ConvGeometry, 'kH' | 'kW' | 'sH' | 'sW' | 'padTop' | 'padLeft' | 'outH' | 'outW' | 'outC'>;

/**
 * Fewest output columns for direct_conv: its tile is 4 pixels of one output row, so a 2-wide map
 * wastes half of it (measured: block4's 2 × 2 outputs at 64 px 1.2–1.5× slower than XNNPACK).
 * Narrower maps take direct_conv_small (the tile across rows) where DIRECT_SMALL_MAPS, else XNNPACK.
 */
export const MIN_OUT_WIDTH = 4;
export let DIRECT_SMALL_MAPS = true;
export function setDirectSmallMaps(on: boolean): void { DIRECT_SMALL_MAPS = on; }

/** Whether the direct kernel takes a convolution with CO output channels and OW output columns on this backend. */
export function directConvApplies(backend: WasmBackendLike, CO: number, OW: number): Simd | null {
  if (DIRECT_CONV_PATH !== 'own' || CO % 4 !== 0 || (OW < MIN_OUT_WIDTH && !DIRECT_SMALL_MAPS)) return null;
  return simdKernels(backend);
}

/** Where the output pixels go: byte offset of pixel (0, 0, 0) and floats per column, row and image. */
export interface OutputLayout { yOff: number; yPix: number; yRow: number; yImg: number }

/** act(conv(x) (+ bias)) from a packed filter at byte offset pOff (biasOff 0: none) into an output laid out as `out`. */
export function runDirectInto(simd: Simd, b: WasmBackendLike, x: TensorInfo, pOff: number, biasOff: number, g: DirectGeometry, relu: boolean, out: OutputLayout): void {
  const [N, H, W, C] = x.shape;
  const { outH: OH, outW: OW, outC: CO } = g;
  const rows = N * OH;
  const want = DIRECT_PARTS || simd.threads;
  const parts = Math.max(1, Math.min(want, Math.floor(rows / MIN_ROWS_PER_PART)));
  const small = OW < MIN_OUT_WIDTH;
  const per = 4 * (((small ? simd.direct_small_scratch : simd.direct_scratch)(C, OW, g.kH, g.kW, g.sW) + 3) & ~3);
  const scratch = simd.scratch(per * parts);
  const xOff = byteOffset(b, x);
  simd.runParts(small ? 'direct_conv_small' : 'direct_conv', Array.from({ length: parts }, (_, p) => [
    xOff, H, W, C, pOff, biasOff, CO, g.kH, g.kW, g.sH, g.sW, g.padTop, g.padLeft, OH, OW, relu ? 1 : 0, out.yOff, out.yPix, out.yRow, out.yImg,
    Math.round((rows * p) / parts), Math.round((rows * (p + 1)) / parts), scratch + per * p]));
}

/** y = act(conv(x) (+ bias)) from a packed filter at byte offset pOff (biasOff 0: none). */
export function runDirect(b: WasmBackendLike, simd: Simd, x: TensorInfo, pOff: number, biasOff: number, g: DirectGeometry, relu: boolean): TensorInfo {
  const [N] = x.shape;
  const { outH: OH, outW: OW, outC: CO } = g;
  const y = b.makeOutput([N, OH, OW, CO], 'float32');
  runDirectInto(simd, b, x, pOff, biasOff, g, relu, { yOff: byteOffset(b, y), yPix: CO, yRow: OW * CO, yImg: OH * OW * CO });
  return y;
}

/** A convolution by the direct kernel with the filter [kH, kW, C, CO] at byte offset wOff packed for this call. */
export function directConvPacking(b: WasmBackendLike, simd: Simd, x: TensorInfo, wOff: number, g: DirectGeometry): TensorInfo {
  const K = g.kH * g.kW * x.shape[3];
  const p = b.makeOutput([((g.outC + 7) & ~7) * K], 'float32');
  simd.direct_pack(wOff, K, g.outC, byteOffset(b, p));
  const y = runDirect(b, simd, x, byteOffset(b, p), 0, g, false);
  b.disposeData(p.dataId);
  return y;
}

/** P[⌈CO/8⌉][K][8] from a filter [kH, kW, C, CO] (JS, once per model in inference). */
export function packFilter(w: Float32Array, K: number, CO: number): Float32Array {
  const CO8 = (CO + 7) & ~7, P = new Float32Array(CO8 * K);
  for (let b = 0; b < CO8; b += 8) for (let k = 0; k < K; k++) for (let i = 0; i < 8 && b + i < CO; i++) P[b * K + k * 8 + i] = w[k * CO + b + i];
  return P;
}

interface DirectAttrs { relu: boolean; kH: number; kW: number; stride: number }

const directConvWasm = (({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: unknown; attrs: unknown }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x, p, bias } = inputs as { x: TensorInfo; p: TensorInfo; bias: TensorInfo };
  const { relu, kH, kW, stride } = attrs as unknown as DirectAttrs;
  const simd = simdKernels(b);
  if (!simd) throw new Error('direct convolution: the SIMD module is not loaded');
  const [, H, W] = x.shape, CO = bias.shape[0];
  // TensorFlow 'same' padding: total = max((out − 1)·s + k − in, 0), the smaller half before.
  const OH = Math.ceil(H / stride), OW = Math.ceil(W / stride);
  const padTop = Math.floor(Math.max((OH - 1) * stride + kH - H, 0) / 2), padLeft = Math.floor(Math.max((OW - 1) * stride + kW - W, 0) / 2);
  return runDirect(b, simd, x, byteOffset(b, p), byteOffset(b, bias), { kH, kW, sH: stride, sW: stride, padTop, padLeft, outH: OH, outW: OW, outC: CO }, relu);
}) as unknown as KernelFunc;

let registered = false;

/** Whether inference runs this convolution (input [N, H, W, C], filter [kH, kW, C, CO], 'same') on the direct kernel. */
export function useDirectInfer(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number): boolean {
  if (DIRECT_CONV_PATH !== 'own' || filter.shape[3] % 4 !== 0 || (Math.ceil(x.shape[2] / stride) < MIN_OUT_WIDTH && !DIRECT_SMALL_MAPS) || tf.getBackend() !== 'wasm') return false;
  return simdKernels(tf.backend() as unknown as WasmBackendLike) !== null;
}

/** The packed filter of a layer, made once and kept in `cache` under key 0 (caller disposes). */
export function directFilter(filter: tf.Tensor4D, cache: Map<number, tf.Tensor>): tf.Tensor {
  let p = cache.get(0);
  if (!p) {
    const [kH, kW, C, CO] = filter.shape;
    p = tf.keep(tf.tensor1d(packFilter(filter.dataSync() as Float32Array, kH * kW * C, CO)));
    cache.set(0, p);
  }
  return p;
}

/** act(conv(x, w) + bias), 'same' padding, on the direct kernel; `p` from directFilter(w). Inference only (no gradient). */
export function directConv(x: tf.Tensor4D, p: tf.Tensor, bias: tf.Tensor1D, kH: number, kW: number, stride: number, relu: boolean): tf.Tensor4D {
  if (!registered) {
    registered = true;
    tf.registerKernel({ kernelName: DIRECT_CONV, backendName: 'wasm', kernelFunc: directConvWasm });
  }
  return tf.engine().runKernel(DIRECT_CONV, { x, p, bias }, { relu, kH, kW, stride } as unknown as NamedAttrMap) as tf.Tensor4D;
}
