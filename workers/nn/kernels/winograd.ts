/**
 * Winograd convolution for the folded-BN inference path (wasm only): a stride-1 3×3 'same'
 * convolution fused with bias, an optional residual add and an optional ReLU, by F(m×m, 3×3) with
 * m = 2 (16 multiplications per 2×2 output tile and channel pair, 2.25× fewer than direct) or
 * m = 4 (36 per 4×4 tile, 4× fewer), in the SIMD module (wasm/winograd.c). The filter transform
 * U = G w Gᵀ is computed here once per filter (float64, then float32) and kept by the caller.
 *
 * Layouts: x [N, H, W, C], w [3, 3, C, CO], bias [CO], residual and y [N, H, W, CO];
 * U [α²][⌈CO/8⌉][C][8] with α = m + 2 (output channels padded with zeros to a multiple of 8).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { type WasmBackendLike, byteOffset } from './wasm-heap';
import { simdKernels } from './simd';

export const WINOGRAD_CONV = 'DeeperWinogradConv';

/**
 * Which way the inference forward pass runs its stride-1 3×3 convolutions: 'winograd' (this file,
 * where the SIMD module loads) or 'direct' (XNNPACK's fused conv2d, the path before; kept for A/B
 * and as the fallback on other backends). Tests and benchmarks set it.
 */
export type ConvInferPath = 'winograd' | 'direct';
export let CONV_INFER_PATH: ConvInferPath = 'winograd';
export function setConvInferPath(p: ConvInferPath): void { CONV_INFER_PATH = p; }

/** Forces the tile size (2 or 4) for every layer; 0 = chosen per layer shape (winogradTile). */
export let WINOGRAD_TILE = 0;
export function setWinogradTile(m: 0 | 2 | 4): void { WINOGRAD_TILE = m; }

/**
 * Parts the tiles are split into (0 = the backend's thread count): part 0 on the calling thread,
 * the others on the SIMD pool's helpers. No sum crosses tiles, so the output is the same bits
 * whatever the split. Tests set it.
 */
export let WINOGRAD_PARTS = 0;
export function setWinogradParts(n: number): void { WINOGRAD_PARTS = n; }
/**
 * How the Winograd convolutions split their work (issue 16, session 9): 'balanced' (the default)
 * splits training's per-call filter transform G w Gᵀ over the pool by input channels, and where the
 * transformed filter U passes 512 KiB it takes 4× larger chunks of tiles of equal size (every chunk
 * reads all of U; wasm/winograd.c); 'tiles' (the path before, kept for A/B) runs the transform on
 * the calling thread and keeps the old chunks. Inference and training alike. Same bits either way.
 */
export type WinogradSplit = 'tiles' | 'balanced';
export let WINOGRAD_SPLIT: WinogradSplit = 'balanced';
export function setWinogradSplit(s: WinogradSplit): void { WINOGRAD_SPLIT = s; }
/** Fewest tiles per part worth a helper thread's wake-up. */
const MIN_TILES_PER_PART = 16;

/**
 * The tile size for a layer (H × W map, C → CO channels): measured per shape (workers/nn/PERFORMANCE.md,
 * "Winograd convolutions"): m = 4 wherever the map is at least 4 × 4, m = 2 on 2 × 2 maps (a 4 × 4
 * tile there would be three quarters padding).
 */
export function winogradTile(H: number, W: number): 2 | 4 {
  if (WINOGRAD_TILE) return WINOGRAD_TILE as 2 | 4;
  return H >= 4 && W >= 4 ? 4 : 2;
}

/** Whether the current backend runs this convolution by Winograd (path, backend, shape). */
export function useWinograd(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number): boolean {
  if (CONV_INFER_PATH !== 'winograd' || stride !== 1) return false;
  const [kH, kW, C, CO] = filter.shape;
  if (kH !== 3 || kW !== 3 || C % 4 !== 0 || CO % 4 !== 0 || x.shape[3] !== C) return false;
  if (tf.getBackend() !== 'wasm') return false;
  return simdKernels(tf.backend() as unknown as WasmBackendLike) !== null;
}

const G2 = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]];
const G4 = [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]];

/** U[α²][⌈CO/8⌉][C][8] = G w Gᵀ per (c, co), from w [3][3][C][CO] (row-major). */
export function transformFilter(w: Float32Array, C: number, CO: number, m: 2 | 4): Float32Array {
  const G = m === 2 ? G2 : G4, a = m + 2, CO8 = (CO + 7) & ~7;
  const U = new Float32Array(a * a * CO8 * C);
  const t = new Float64Array(a * 3);
  for (let c = 0; c < C; c++) for (let co = 0; co < CO; co++) {
    const at = (kh: number, kw: number) => w[((kh * 3 + kw) * C + c) * CO + co];
    for (let i = 0; i < a; i++) for (let kw = 0; kw < 3; kw++) t[i * 3 + kw] = G[i][0] * at(0, kw) + G[i][1] * at(1, kw) + G[i][2] * at(2, kw);
    for (let i = 0; i < a; i++) for (let j = 0; j < a; j++) {
      const u = t[i * 3] * G[j][0] + t[i * 3 + 1] * G[j][1] + t[i * 3 + 2] * G[j][2];
      U[(((i * a + j) * (CO8 >> 3) + (co >> 3)) * C + c) * 8 + (co & 7)] = u;
    }
  }
  return U;
}

/** The transformed filter for tile size m, made once per filter and kept in `cache` (caller disposes). */
export function winogradFilter(filter: tf.Tensor4D, m: 2 | 4, cache: Map<number, tf.Tensor>): tf.Tensor {
  let u = cache.get(m);
  if (!u) {
    const [, , C, CO] = filter.shape;
    u = tf.keep(tf.tensor1d(transformFilter(filter.dataSync() as Float32Array, C, CO, m)));
    cache.set(m, u);
  }
  return u;
}

type Simd = NonNullable<ReturnType<typeof simdKernels>>;
interface WinogradAttrs { m: number; relu: boolean; outChannels: number }

/**
 * y [N, H, W, CO] = act(conv3×3(x) (+ bias) (+ residual)) by F(m×m, 3×3) from a transformed filter
 * at byte offset uOff (biasOff, resOff: 0 = none), tiles split into parts across the SIMD pool.
 */
export function runWinograd(b: WasmBackendLike, simd: Simd, x: TensorInfo, uOff: number, biasOff: number, CO: number, m: number, relu: boolean, resOff: number): TensorInfo {
  const [N, H, W, C] = x.shape;
  const y = b.makeOutput([N, H, W, CO], 'float32');
  const tiles = N * Math.ceil(H / m) * Math.ceil(W / m);
  const want = WINOGRAD_PARTS || simd.threads;
  const parts = Math.max(1, Math.min(want, Math.floor(tiles / MIN_TILES_PER_PART)));
  const per = 4 * ((simd.winograd_scratch(C, CO, m) + 3) & ~3);
  const scratch = simd.scratch(per * parts);
  const xOff = byteOffset(b, x), yOff = byteOffset(b, y);
  simd.runParts('winograd_conv', Array.from({ length: parts }, (_, p) => [
    xOff, H, W, C, uOff, biasOff, CO, m, relu ? 1 : 0, resOff, yOff,
    Math.round((tiles * p) / parts), Math.round((tiles * (p + 1)) / parts), scratch + per * p, WINOGRAD_SPLIT === 'tiles' ? 1 : 0]));
  return y;
}

const winogradConvWasm = (({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: unknown; attrs: unknown }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x, u, bias, residual } = inputs as { x: TensorInfo; u: TensorInfo; bias: TensorInfo; residual?: TensorInfo };
  const { m, relu, outChannels: CO } = attrs as unknown as WinogradAttrs;
  const simd = simdKernels(b);
  if (!simd) throw new Error('Winograd convolution: the SIMD module is not loaded');
  return runWinograd(b, simd, x, byteOffset(b, u), byteOffset(b, bias), CO, m, relu, residual ? byteOffset(b, residual) : 0);
}) as unknown as KernelFunc;

let registered = false;
function registerWinograd(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: WINOGRAD_CONV, backendName: 'wasm', kernelFunc: winogradConvWasm });
}

/**
 * act(conv3×3(x, w) + bias (+ residual)), 'same' padding, stride 1, by Winograd F(m×m, 3×3) on
 * wasm; `u` from winogradFilter(w, m). Inference only (no gradient).
 */
export function winogradConv(x: tf.Tensor4D, u: tf.Tensor, bias: tf.Tensor1D, m: 2 | 4, relu: boolean, residual?: tf.Tensor4D): tf.Tensor4D {
  registerWinograd();
  const inputs: Record<string, tf.Tensor> = { x, u, bias };
  if (residual) inputs.residual = residual;
  return tf.engine().runKernel(WINOGRAD_CONV, inputs, { m, relu, outChannels: bias.shape[0] } as unknown as NamedAttrMap) as tf.Tensor4D;
}
