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
import { convGeometry, phaseTaps } from './conv_geometry';
import { type WasmBackendLike, heapF32, makeView, disposeView, matMulInto } from './wasm_heap';

/** Target length (grid positions) of the reduction dimension per matrix product. */
export let GROUP_TARGET = 4096;
export function setGroupTarget(n: number): void { GROUP_TARGET = n; }

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
  const ng = Math.max(1, Math.min(n, Math.floor(GROUP_TARGET / cell)));
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
  xt.fill(0); dg.fill(0);
  // Phase split, channel-major per image group.
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
  for (let img = 0; img < n; img++) for (let a = 0; a < outH; a++) {
    const src = (img * outH + a) * outW * CO;
    dg.set(dys.subarray(src, src + outW * CO), ((img * Hq + a) * Wq) * CO);
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
