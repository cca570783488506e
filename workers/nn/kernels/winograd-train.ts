/**
 * Winograd for training on wasm: the forward Conv2D and the input gradient (Conv2DBackpropInput)
 * of stride-1 3×3 'same' convolutions by F(m×m, 3×3) (wasm/winograd.c), the filter transformed in
 * the SIMD module on every call (the weights change every step; for the input gradient, the
 * flipped, channel-swapped filter is transformed directly from the forward one). Every other
 * Conv2D goes to our direct kernel (direct-conv.ts; setDirectConvPath('xnnpack'): to
 * tfjs-backend-wasm's own kernel, XNNPACK), the other input gradients to
 * conv2d-backprop-input.ts. Outputs do not depend on the thread count (no sum crosses tiles).
 */
import type { KernelConfig, KernelFunc, TensorInfo, Conv2DAttrs } from '@tensorflow/tfjs';
import { getKernel } from '@tensorflow/tfjs';
import { convGeometry } from './conv-geometry';
import { type WasmBackendLike, byteOffset } from './wasm-heap';
import { simdKernels } from './simd';
import { runWinograd, winogradTile, WINOGRAD_PARTS, WINOGRAD_SPLIT } from './winograd';
import { directConvApplies, directConvPacking } from './direct-conv';

/**
 * Whether training's stride-1 3×3 convolutions (forward and input gradient) run by Winograd.
 * On by default; tests and A/B benchmarks turn it off (XNNPACK, the path before).
 */
export let WINOGRAD_TRAINING = true;
export function setWinogradTraining(on: boolean): void { WINOGRAD_TRAINING = on; }

/**
 * act-free 3×3 stride-1 'same' convolution of x [N, H, W, C] by Winograd, filter at byte offset
 * wOff: [3][3][C][CO], or with flip the forward filter [3][3][CO][C] of the layer whose input
 * gradient this is. Null where it does not apply (path off, no SIMD module, channels not ×4).
 */
export function winogradConv3x3(backend: WasmBackendLike, x: TensorInfo, wOff: number, C: number, CO: number, flip: boolean): TensorInfo | null {
  if (!WINOGRAD_TRAINING || C % 4 !== 0 || CO % 4 !== 0) return null;
  const simd = simdKernels(backend);
  if (!simd) return null;
  const [, H, W] = x.shape;
  const m = winogradTile(H, W), a = m + 2;
  const u = backend.makeOutput([a * a * ((CO + 7) & ~7) * C], 'float32');
  const uOff = byteOffset(backend, u);
  // The transform was serial before the tiles split: up to 3 ms of an 8 ms call on 2 × 2 maps with
  // 256 channels (PERFORMANCE.md, "Balanced splits"); split by input channels, each part's rows of U alone.
  const parts = WINOGRAD_SPLIT === 'balanced' && C * CO >= MIN_SPLIT_FILTER ? Math.min(WINOGRAD_PARTS || simd.threads, C / 4) : 1;
  if (parts > 1) {
    simd.runParts('winograd_filter_part', Array.from({ length: parts }, (_, p) =>
      [wOff, C, CO, m, flip ? 1 : 0, uOff, 4 * Math.round((C / 4) * p / parts), 4 * Math.round((C / 4) * (p + 1) / parts)]));
  } else simd.winograd_filter(wOff, C, CO, m, flip ? 1 : 0, uOff);
  const y = runWinograd(backend, simd, x, uOff, 0, CO, m, false, 0);
  backend.disposeData(u.dataId);
  return y;
}

/** Fewest C·CO (filter transform of ≈ 0.2 ms at 64 × 64, 0.04 ms at 32 × 32 on 1 thread) worth splitting over the pool. */
const MIN_SPLIT_FILTER = 64 * 64;

/** Whether a convolution's geometry is stride-1 3×3 with one row/column of zeros on every side. */
export function isSame3x3(g: ReturnType<typeof convGeometry>): boolean {
  return g.kH === 3 && g.kW === 3 && g.sH === 1 && g.sW === 1 && g.padTop === 1 && g.padLeft === 1 && g.outH === g.inH && g.outW === g.inW;
}

let stockConv2D: KernelConfig | undefined;

function conv2DWasm(args: { inputs: { x: TensorInfo; filter: TensorInfo }; backend: unknown; attrs: unknown }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, filter } = args.inputs;
  const a = args.attrs as unknown as Conv2DAttrs;
  const dil = Array.isArray(a.dilations) ? a.dilations : [a.dilations ?? 1, a.dilations ?? 1];
  if (WINOGRAD_TRAINING && dil[0] === 1 && dil[1] === 1 && filter.shape[0] === 3 && filter.shape[1] === 3) {
    const g = convGeometry(x.shape, filter.shape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
    if (isSame3x3(g)) {
      const y = winogradConv3x3(backend, x, byteOffset(backend, filter), g.inC, g.outC, false);
      if (y) return y;
    }
  }
  if (dil[0] === 1 && dil[1] === 1) {
    const g = convGeometry(x.shape, filter.shape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
    const simd = directConvApplies(backend, g.outC, g.outW);
    if (simd) return directConvPacking(backend, simd, x, byteOffset(backend, filter), g);
  }
  return stockConv2D!.kernelFunc(args as never) as TensorInfo;
}

/** The Conv2D kernel for wasm: this file's Winograd path in front of the stock kernel (kept with its setup). */
export function winogradConv2DConfig(): KernelConfig {
  stockConv2D ??= getKernel('Conv2D', 'wasm');
  if (!stockConv2D) throw new Error('wasm kernel Conv2D missing');
  return { ...stockConv2D, kernelFunc: conv2DWasm as unknown as KernelFunc };
}

/**
 * Whether the filter gradient of stride-1 3×3 'same' layers runs by Winograd (wasm/winograd-grad.c)
 * instead of the packed direct kernel (conv2d-backprop-filter.ts). Tests and A/B benchmarks set it.
 */
export let WINOGRAD_FILTER_GRAD = true;
export function setWinogradFilterGrad(on: boolean): void { WINOGRAD_FILTER_GRAD = on; }
/**
 * Parts the tiles are split into, whatever the thread count (each part sums its own dW, added at the
 * end: a fixed count keeps the summation order, and a seeded run's bits, independent of threads).
 */
export let WINOGRAD_GRAD_PARTS = 2;
export function setWinogradGradParts(n: number): void { WINOGRAD_GRAD_PARTS = n; }

/** dW [3, 3, C, CO] of a stride-1 3×3 'same' convolution by Winograd; null where it does not apply. */
export function winogradFilterGrad(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, C: number, CO: number): TensorInfo | null {
  if (!WINOGRAD_FILTER_GRAD || C % 4 !== 0 || CO % 4 !== 0) return null;
  const simd = simdKernels(backend);
  if (!simd) return null;
  const [N, H, W] = x.shape;
  const m = winogradTile(H, W);
  const tiles = N * Math.ceil(H / m) * Math.ceil(W / m);
  const parts = Math.max(1, Math.min(WINOGRAD_GRAD_PARTS, tiles));
  const pool = parts > 1 && simd.threads > 1 ? simd.pool() : null;
  const helpers = pool ? Math.min(pool.helpers, parts - 1) : 0;
  const dW = backend.makeOutput([3, 3, C, CO], 'float32');
  const dwFloats = 9 * C * CO, chunk = (simd.winograd_grad_scratch(C, CO, m) + 3) & ~3, per = chunk + ((dwFloats + 3) & ~3);
  const scratch = simd.scratch(4 * per * parts);
  const xOff = byteOffset(backend, x), dyOff = byteOffset(backend, dy), dwOff = byteOffset(backend, dW);
  const partial = (p: number) => scratch + 4 * (per * p + chunk);
  const args = (p: number) => [xOff, dyOff, H, W, C, CO, m, Math.round((tiles * p) / parts), Math.round((tiles * (p + 1)) / parts),
    p === 0 ? dwOff : partial(p), scratch + 4 * per * p] as const;
  for (let p = 1; p <= helpers; p++) pool!.start(p - 1, 'winograd_filter_grad', [...args(p)]);
  simd.winograd_filter_grad(...args(0));
  for (let p = helpers + 1; p < parts; p++) simd.winograd_filter_grad(...args(p));
  for (let p = 1; p < parts; p++) {
    if (p <= helpers) pool!.wait(p - 1, () => simd.winograd_filter_grad(...args(p)));
    simd.add_into(dwOff, partial(p), dwFloats);
  }
  return dW;
}
