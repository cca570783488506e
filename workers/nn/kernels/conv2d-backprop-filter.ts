/**
 * Conv2DBackpropFilter for the wasm backend (tfjs-backend-wasm 4.22 has none):
 *
 *   dW[kh, kw, ci, co] = Σ_{n, oh, ow} xpad[n, oh·s + kh, ow·s + kw, ci] · dy[n, oh, ow, co]
 *
 * With kh = rh + s·jh, the input is split into stride phases laid out channel-major,
 * xT[rh][rw][group][ci][n][a][b] = xpad[n, a·s + rh, b·s + rw, ci] on a Hq × Wq grid, and dy is
 * zero-padded onto the same grid. Then every tap (jh, jw) is one matrix product
 *   dW[kh, kw] (ci × co) = xT-view(offset jh·Wq + jw) (ci × L) · dyGrid (L × co)
 * where the view is xT shifted by a constant offset: no im2col copy. Reading past a channel's row
 * lands in the next row, but only where dyGrid is zero (the grid's tail padding is exactly as long
 * as the largest shift). Images are grouped so that L ≈ GROUP_TARGET keeps operands cache-sized.
 */
import type { KernelConfig, KernelFunc, TensorInfo, Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';
import { convGeometry, phaseTaps } from './conv-geometry';
import { type WasmBackendLike, heapF32, makeView, disposeView, matMulInto, byteOffset } from './wasm-heap';
import { simdKernels } from './simd';
import { isSame3x3, winogradFilterGrad } from './winograd-train';

/**
 * Reduction length per matrix product. XNNPACK's fully-connected operator streams the whole packed
 * right operand (L × CO floats) for every tile of rows, so L is chosen to keep it cache-sized
 * (≈ BLOCK_BYTES); 0 = automatic. Tests set a fixed value to exercise the grouping.
 */
export let GROUP_TARGET = 0;
export function setGroupTarget(n: number): void { GROUP_TARGET = n; }
export let BLOCK_BYTES = 512 * 1024;
export function setBlockBytes(n: number): void { BLOCK_BYTES = n; }
function reductionTarget(CO: number): number {
  return GROUP_TARGET > 0 ? GROUP_TARGET : Math.max(256, Math.min(8192, Math.floor(BLOCK_BYTES / (4 * CO))));
}
/**
 * Which way to compute it: 'packed' = one SIMD kernel of our own (wasm/filter-grad.c: patches and
 * dy packed per chunk, a register-tiled product over the whole reduction); 'xnnpack' = XNNPACK
 * products over shifted views of a padded grid, or over im2col for small maps (MAX_GRID_WASTE).
 * Tests and A/B benchmarks set it; the default is 'packed' where the SIMD module has it.
 */
export type FilterGradPath = 'packed' | 'xnnpack';
export let FILTER_GRAD_PATH: FilterGradPath = 'packed';
export function setFilterGradPath(p: FilterGradPath): void { FILTER_GRAD_PATH = p; }
/**
 * Whether the 'packed' path runs the layers Winograd does not take (stem, stride-2, 1×1) on the
 * row kernel (wasm/direct-grad.c: no packing, reads the zero-padded input rows in place) instead of
 * filter-grad.c's packed patches. On by default; tests and A/B benchmarks turn it off.
 */
export let ROW_FILTER_GRAD = true;
export function setRowFilterGrad(on: boolean): void { ROW_FILTER_GRAD = on; }
/**
 * Largest dW (kH·kW·C·CO floats) the row kernel takes: it loads and stores all of dW once per
 * 64-position chunk, so past the L2 cache it loses (measured at paper scale: block4 conv a,
 * 2,304 × 512, 27.4 ms against 21.9 packed; 1,152 × 256 still 20.7 against 22.5).
 */
const ROW_GRAD_MAX_FLOATS = 1 << 19;
/** Tests force one path or the other. */
export let MAX_GRID_WASTE = 1.6;
export function setMaxGridWaste(r: number): void { MAX_GRID_WASTE = r; }

/** Largest im2col buffer (floats) per image group. */
const IM2COL_FLOATS = 4 * 2 ** 20;

/**
 * Small feature maps: the shifted-view grid would multiply the reduction by (Hq·Wq)/(OH·OW), so
 * build the transposed patch matrix P [kH·kW·C, n·OH·OW] (SIMD module) and take one product
 * dW = P · dy per image group, exact in FLOPs.
 */
function filterGradIm2col(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ReturnType<typeof convGeometry>, simd: NonNullable<ReturnType<typeof simdKernels>>): TensorInfo {
  const { n, inH, inW, inC: C, outH, outW, outC: CO, kH, kW, sH, sW, padTop, padLeft } = g;
  const K = kH * kW * C, per = outH * outW;
  const ng = Math.max(1, Math.min(n, Math.floor(reductionTarget(CO) / per), Math.floor(IM2COL_FLOATS / (K * per))));
  const patches = backend.makeOutput([K * ng * per], 'float32');
  const dW = backend.makeOutput([kH, kW, C, CO], 'float32');
  const tmp = ng < n ? backend.makeOutput([K * CO], 'float32') : null;
  if (tmp) heapF32(backend, dW).fill(0);
  for (let n0 = 0; n0 < n; n0 += ng) {
    const count = Math.min(ng, n - n0), L = count * per;
    simd.im2col_t(byteOffset(backend, x), inH, inW, C, kH, kW, sH, sW, padTop, padLeft, outH, outW, n0, count, byteOffset(backend, patches));
    const a = count === ng ? patches : makeView(backend, patches, 0, [K * L]);
    const b = makeView(backend, dy, n0 * per * CO, [L * CO]);
    matMulInto(backend, a, b, tmp ?? dW, K, L, CO);
    if (tmp) {
      const t = heapF32(backend, tmp), out = heapF32(backend, dW);
      for (let e = 0; e < K * CO; e++) out[e] += t[e];
    }
    disposeView(backend, b);
    if (a !== patches) disposeView(backend, a);
  }
  backend.disposeData(patches.dataId);
  if (tmp) backend.disposeData(tmp.dataId);
  return dW;
}

/**
 * Parts the packed kernel splits the output positions into, whatever the thread count (so the
 * summation order, and a trained model's last bits, do not depend on it): part 0 runs on the
 * calling thread, the others on the pool's helper threads where there are any, else one after
 * another on the calling thread. 2 = the 2-core target; tests set more.
 */
export let FILTER_GRAD_PARTS = 2;
export function setFilterGradParts(n: number): void { FILTER_GRAD_PARTS = n; }
/** Fewest output positions per part worth a helper thread's wake-up (≈ tens of µs). */
const MIN_POSITIONS_PER_PART = 64;

type Simd = NonNullable<ReturnType<typeof simdKernels>>;

/**
 * The packed SIMD kernel over all n·OH·OW output positions (or the row kernel, ROW_FILTER_GRAD, over
 * all n·OH output rows), split into contiguous ranges across the calling thread and the pool's
 * helper threads; each other part writes a partial dW into scratch, added into dW at the end.
 */
function filterGradPacked(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ReturnType<typeof convGeometry>, simd: Simd): TensorInfo {
  const { n, inH, inW, inC: C, outH, outW, outC: CO, kH, kW, sH, sW, padTop, padLeft } = g;
  const M = n * outH * outW, dwFloats = kH * kW * C * CO;
  const rowKernel = ROW_FILTER_GRAD && CO % 4 === 0 && dwFloats <= ROW_GRAD_MAX_FLOATS;
  const units = rowKernel ? n * outH : M; // the row kernel splits by output rows, the packed one by positions
  const parts = Math.max(1, Math.min(FILTER_GRAD_PARTS, units, Math.floor(M / MIN_POSITIONS_PER_PART)));
  const pool = parts > 1 && simd.threads > 1 ? simd.pool() : null;
  const helpers = pool ? Math.min(pool.helpers, parts - 1) : 0;
  const dW = backend.makeOutput([kH, kW, C, CO], 'float32');
  // Per part: its chunk scratch, then (parts after the first) a partial dW; 16-byte blocks.
  const chunkFloats = ((rowKernel ? simd.direct_grad_scratch(C, CO, kH, kW, outW, sW) : simd.filter_grad_scratch(C, CO, kH, kW)) + 3) & ~3;
  const per = chunkFloats + ((dwFloats + 3) & ~3);
  const scratch = simd.scratch(4 * per * parts);
  const xOff = byteOffset(backend, x), dyOff = byteOffset(backend, dy), dwOff = byteOffset(backend, dW);
  const bound = (p: number) => Math.round((units * p) / parts);
  const fn = rowKernel ? 'direct_filter_grad' : 'filter_grad';
  const args = (p: number): [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number] => [
    xOff, dyOff, inH, inW, C, outH, outW, CO, kH, kW, sH, sW, padTop, padLeft, bound(p), bound(p + 1),
    p === 0 ? dwOff : scratch + 4 * (per * p + chunkFloats), scratch + 4 * per * p];
  for (let p = 1; p <= helpers; p++) pool!.start(p - 1, fn, args(p));
  simd[fn](...args(0));
  for (let p = helpers + 1; p < parts; p++) simd[fn](...args(p));
  for (let p = 1; p < parts; p++) {
    if (p <= helpers) pool!.wait(p - 1, () => simd[fn](...args(p)));
    simd.add_into(dwOff, scratch + 4 * (per * p + chunkFloats), dwFloats);
  }
  return dW;
}

/** JS fallback of the SIMD phase_split (positions outside the image are left as they are: zero). */
function phaseSplitJS(xs: Float32Array, xt: Float32Array, g: ReturnType<typeof convGeometry>, PH: number, PW: number, Hq: number, Wq: number, ng: number): void {
  const { n, inH, inW, inC: C, sH, sW, padTop, padLeft } = g;
  const cell = Hq * Wq, phaseSize = n * cell * C;
  for (let rh = 0; rh < PH; rh++) for (let rw = 0; rw < PW; rw++) {
    const pbase = (rh * PW + rw) * phaseSize;
    for (let img = 0; img < n; img++) {
      const grp = Math.floor(img / ng), inGrp = img - grp * ng;
      const gsize = Math.min(ng, n - grp * ng);
      const gbase = pbase + grp * ng * cell * C;
      const rowLen = gsize * cell;
      for (let a = 0; a < Hq; a++) {
        const i = a * sH + rh - padTop;
        if (i < 0 || i >= inH) continue;
        for (let b = 0; b < Wq; b++) {
          const j = b * sW + rw - padLeft;
          if (j < 0 || j >= inW) continue;
          const src = ((img * inH + i) * inW + j) * C;
          let dst = gbase + inGrp * cell + a * Wq + b;
          for (let c = 0; c < C; c++, dst += rowLen) xt[dst] = xs[src + c];
        }
      }
    }
  }
}

function conv2DBackpropFilterWasm(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: unknown; attrs: unknown }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const g = convGeometry(x.shape, filterShape, strides, pad, dimRoundingMode, dataFormat);
  const { n, inH, inW, inC: C, outH, outW, outC: CO, kH, kW, sH, sW, padTop, padLeft } = g;
  const PH = Math.min(sH, kH), PW = Math.min(sW, kW);
  const JH = Math.ceil(kH / sH), JW = Math.ceil(kW / sW);
  const Hq = outH + JH - 1, Wq = outW + JW - 1;
  const cell = Hq * Wq;
  const simdK = simdKernels(backend);
  if (simdK && FILTER_GRAD_PATH === 'packed') {
    // Stride-1 3×3 'same' layers by Winograd (winograd-train.ts) unless it is switched off.
    const w = isSame3x3(g) ? winogradFilterGrad(backend, x, dy, C, CO) : null;
    return w ?? filterGradPacked(backend, x, dy, g, simdK);
  }
  if (simdK && cell / (outH * outW) > MAX_GRID_WASTE) return filterGradIm2col(backend, x, dy, g, simdK);
  const ng = Math.max(1, Math.min(n, Math.floor(reductionTarget(CO) / cell)));
  const groups = Math.ceil(n / ng);
  const slack = JH * Wq + JW + 4;
  const phaseSize = n * cell * C;
  const xT = backend.makeOutput([PH * PW * phaseSize + slack], 'float32');
  const dyGrid = backend.makeOutput([n * cell * CO], 'float32');
  const dW = backend.makeOutput([kH, kW, C, CO], 'float32');
  const tmp = groups > 1 ? backend.makeOutput([C * CO], 'float32') : null;
  // All allocations are done: heap views stay valid from here on.
  const xs = heapF32(backend, x), dys = heapF32(backend, dy);
  const xt = heapF32(backend, xT), dg = heapF32(backend, dyGrid), dw = heapF32(backend, dW);
  const simd = simdKernels(backend);
  // Phase split, channel-major per image group; the SIMD kernels write every element (zeros in the
  // padding), so only the slack past the end needs clearing.
  if (simd) {
    xt.fill(0, PH * PW * phaseSize);
    simd.phase_split(byteOffset(backend, x), n, inH, inW, C, sH, sW, PH, PW, padTop, padLeft, Hq, Wq, ng, byteOffset(backend, xT));
    simd.grid_pad(byteOffset(backend, dy), n, outH, outW, CO, Hq, Wq, byteOffset(backend, dyGrid));
  } else {
    xt.fill(0); dg.fill(0);
    phaseSplitJS(xs, xt, g, PH, PW, Hq, Wq, ng);
    for (let img = 0; img < n; img++) for (let a = 0; a < outH; a++) {
      const src = (img * outH + a) * outW * CO;
      dg.set(dys.subarray(src, src + outW * CO), ((img * Hq + a) * Wq) * CO);
    }
  }
  dw.fill(0);
  for (let grp = 0; grp < groups; grp++) {
    const gsize = Math.min(ng, n - grp * ng);
    const L = gsize * cell;
    const bView = makeView(backend, dyGrid, grp * ng * cell * CO, [L * CO]);
    for (let rh = 0; rh < PH; rh++) for (let rw = 0; rw < PW; rw++) {
      const base = (rh * PW + rw) * phaseSize + grp * ng * cell * C;
      for (let jh = 0; jh < phaseTaps(kH, sH, rh); jh++) for (let jw = 0; jw < phaseTaps(kW, sW, rw); jw++) {
        const kh = rh + sH * jh, kw = rw + sW * jw;
        const aView = makeView(backend, xT, base + jh * Wq + jw, [C * L]);
        const tapOffset = (kh * kW + kw) * C * CO;
        if (tmp === null) {
          const outView = makeView(backend, dW, tapOffset, [C * CO]);
          matMulInto(backend, aView, bView, outView, C, L, CO);
          disposeView(backend, outView);
        } else {
          matMulInto(backend, aView, bView, tmp, C, L, CO);
          const t = heapF32(backend, tmp), out = heapF32(backend, dW);
          for (let e = 0; e < C * CO; e++) out[tapOffset + e] += t[e];
        }
        disposeView(backend, aView);
      }
    }
    disposeView(backend, bView);
  }
  backend.disposeData(xT.dataId);
  backend.disposeData(dyGrid.dataId);
  if (tmp) backend.disposeData(tmp.dataId);
  return dW;
}

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as unknown as KernelFunc,
};
