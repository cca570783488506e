/**
 * Conv2DBackpropInput for the wasm backend, replacing tfjs-backend-wasm 4.22's naive loop with
 * XNNPACK convolutions. For stride phase (rh, rw), input rows i with i + padTop ≡ rh (mod s)
 * receive only taps kh = rh + s·j:
 *
 *   dx[q·s + rh − padTop] = Σ_j dy[q − j] · W[rh + s·j]ᵀ
 *
 * a stride-1 correlation of dy with the phase's flipped, channel-swapped sub-filter
 * (Wsub[j', co, ci] = W[rh + s·(J−1−j'), ci, co]). Each phase is one Conv2D computing exactly the
 * rows it owns; the phases are then interleaved into dx. Stride 1 is a single phase, no copy;
 * stride-1 3×3 'same' layers go to Winograd (winograd-train.ts) unless it is switched off.
 */
import type { KernelConfig, KernelFunc, TensorInfo, Conv2DBackpropInputAttrs } from '@tensorflow/tfjs';
import { getKernel } from '@tensorflow/tfjs';
import { convGeometry, phaseTaps } from './conv-geometry';
import { type WasmBackendLike, heapF32, heapBuffer, byteOffset } from './wasm-heap';
import { isSame3x3, winogradConv3x3 } from './winograd-train';
import { DIRECT_PARTS, DIRECT_SMALL_MAPS, MIN_OUT_WIDTH, directConvApplies, runDirectInto } from './direct-conv';
import type { ConvGeometry } from './conv-geometry';

/**
 * Whether the stride phases run on our direct kernel writing straight into every s-th pixel of dx
 * (no slicing of dy, no phase buffers, no interleaving copy); off: one Conv2D per phase, interleaved
 * (the path before; also taken where a phase is under MIN_OUT_WIDTH columns or CI is not ×4).
 */
export let DIRECT_INPUT_GRAD = true;
export function setDirectInputGrad(on: boolean): void { DIRECT_INPUT_GRAD = on; }
/**
 * Whether the direct input gradient packs each phase's filter in the SIMD module, split over the pool
 * (direct_pack_phase; default), or by a JS transpose and direct_pack on the calling thread (the path
 * before, kept for A/B). The same bits either way.
 */
export let PHASE_PACK_SPLIT = true;
export function setPhasePackSplit(on: boolean): void { PHASE_PACK_SPLIT = on; }
/** Fewest packed floats worth splitting over the pool. */
const MIN_SPLIT_PACK = 16384;

function call(name: string, backend: WasmBackendLike, inputs: Record<string, TensorInfo>, attrs: object): TensorInfo {
  const k = getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} missing`);
  return k.kernelFunc({ inputs, backend: backend as never, attrs: attrs as never }) as TensorInfo;
}

/** Flipped, channel-swapped sub-filter of phase (rh, rw): shape [JH, JW, CO, CI]. */
function phaseFilter(backend: WasmBackendLike, filter: TensorInfo, kH: number, kW: number, sH: number, sW: number, rh: number, rw: number): TensorInfo {
  const [, , CI, CO] = filter.shape;
  const JH = phaseTaps(kH, sH, rh), JW = phaseTaps(kW, sW, rw);
  const out = backend.makeOutput([JH, JW, CO, CI], 'float32');
  const w = heapF32(backend, filter), o = heapF32(backend, out);
  for (let jh = 0; jh < JH; jh++) for (let jw = 0; jw < JW; jw++) {
    const kh = rh + sH * (JH - 1 - jh), kw = rw + sW * (JW - 1 - jw);
    const src = (kh * kW + kw) * CI * CO, dst = (jh * JW + jw) * CO * CI;
    for (let ci = 0; ci < CI; ci++) for (let co = 0; co < CO; co++) o[dst + co * CI + ci] = w[src + ci * CO + co];
  }
  return out;
}

/** Rows q (phase-grid index) of phase r that land inside the input: [qmin, qmax]. */
function phaseRange(r: number, s: number, pad: number, size: number): [number, number] {
  return [Math.ceil((pad - r) / s), Math.floor((pad + size - 1 - r) / s)];
}

/** dx by the direct kernel, one call per stride phase into dx's own pixels; null where it does not apply. */
function inputGradDirect(backend: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo | null {
  const { n, inH, inW, inC: CI, outC: CO, kH, kW, sH, sW, padTop, padLeft } = g;
  const simd = DIRECT_INPUT_GRAD && CI % 4 === 0 ? directConvApplies(backend, CI, MIN_OUT_WIDTH) : null;
  if (!simd) return null;
  const phases: { rh: number; rw: number; qh0: number; qw0: number; nh: number; nw: number; JH: number; JW: number }[] = [];
  let complete = true;
  for (let rh = 0; rh < sH; rh++) for (let rw = 0; rw < sW; rw++) {
    const [qh0, qh1] = phaseRange(rh, sH, padTop, inH), [qw0, qw1] = phaseRange(rw, sW, padLeft, inW);
    if (qh1 < qh0 || qw1 < qw0) continue;
    const JH = phaseTaps(kH, sH, rh), JW = phaseTaps(kW, sW, rw);
    if (JH === 0 || JW === 0) { complete = false; continue; }
    if (qw1 - qw0 + 1 < MIN_OUT_WIDTH && !DIRECT_SMALL_MAPS) return null;
    phases.push({ rh, rw, qh0, qw0, nh: qh1 - qh0 + 1, nw: qw1 - qw0 + 1, JH, JW });
  }
  const dx = backend.makeOutput([n, inH, inW, CI], 'float32');
  if (!complete) heapF32(backend, dx).fill(0);
  for (const p of phases) {
    const K = p.JH * p.JW * CO, CI8 = (CI + 7) & ~7;
    const packed = backend.makeOutput([CI8 * K], 'float32');
    if (PHASE_PACK_SPLIT) {
      // Packed straight from the forward filter, split by blocks of 8 output channels (was a JS transpose
      // and a pack on the calling thread: ≈ 0.3–0.6 ms of a 2-thread step, PERFORMANCE.md "Balanced splits").
      const blocks = CI8 / 8, parts = K * CI8 >= MIN_SPLIT_PACK ? Math.min(DIRECT_PARTS || simd.threads, blocks) : 1, pOff = byteOffset(backend, packed);
      simd.runParts('direct_pack_phase', Array.from({ length: parts }, (_, i) =>
        [byteOffset(backend, filter), kW, CI, CO, sH, sW, p.rh, p.rw, p.JH, p.JW, pOff, 8 * Math.round((blocks * i) / parts), 8 * Math.round((blocks * (i + 1)) / parts)]));
    } else {
      const wsub = phaseFilter(backend, filter, kH, kW, sH, sW, p.rh, p.rw);
      simd.direct_pack(byteOffset(backend, wsub), K, CI, byteOffset(backend, packed));
      backend.disposeData(wsub.dataId);
    }
    // Phase output (a, b) is dx pixel ((qh0 + a)·sH + rh − padTop, (qw0 + b)·sW + rw − padLeft); it reads dy rows qh0 + a − JH + 1 + jh.
    const i0 = p.qh0 * sH + p.rh - padTop, j0 = p.qw0 * sW + p.rw - padLeft;
    runDirectInto(simd, backend, dy, byteOffset(backend, packed), 0,
      { kH: p.JH, kW: p.JW, sH: 1, sW: 1, padTop: p.JH - 1 - p.qh0, padLeft: p.JW - 1 - p.qw0, outH: p.nh, outW: p.nw, outC: CI }, false,
      { yOff: byteOffset(backend, dx) + 4 * (i0 * inW + j0) * CI, yPix: sW * CI, yRow: sH * inW * CI, yImg: inH * inW * CI });
    backend.disposeData(packed.dataId);
  }
  return dx;
}

function conv2DBackpropInputWasm(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: unknown; attrs: unknown }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, filter } = args.inputs;
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const g = convGeometry(inputShape, filter.shape, strides, pad, dimRoundingMode, dataFormat);
  const { n, inH, inW, inC: CI, outH, outW, outC: CO, kH, kW, sH, sW, padTop, padLeft } = g;
  // Stride-1 3×3 'same': one Winograd convolution of dy with the flipped, channel-swapped filter.
  if (isSame3x3(g)) {
    const dx = winogradConv3x3(backend, dy, byteOffset(backend, filter), CO, CI, true);
    if (dx) return dx;
  }
  if (sH > 1 || sW > 1 || kH > 1 || kW > 1) {
    const dx = inputGradDirect(backend, dy, filter, g);
    if (dx) return dx;
  }
  const phases: { rh: number; rw: number; out: TensorInfo; qh0: number; qw0: number }[] = [];
  let complete = true; // every input pixel belongs to a phase with taps
  for (let rh = 0; rh < sH; rh++) for (let rw = 0; rw < sW; rw++) {
    const [qh0, qh1] = phaseRange(rh, sH, padTop, inH), [qw0, qw1] = phaseRange(rw, sW, padLeft, inW);
    if (qh1 < qh0 || qw1 < qw0) continue;
    const JH = phaseTaps(kH, sH, rh), JW = phaseTaps(kW, sW, rw);
    if (JH === 0 || JW === 0) { complete = false; continue; }
    // Output q needs dy rows q−JH+1 … q; take the rows that exist, zero-pad the rest.
    const lo = qh0 - JH + 1, hi = qh1, loW = qw0 - JW + 1, hiW = qw1;
    const r0 = Math.max(0, lo), r1 = Math.min(outH - 1, hi), c0 = Math.max(0, loW), c1 = Math.min(outW - 1, hiW);
    const nOutH = qh1 - qh0 + 1, nOutW = qw1 - qw0 + 1;
    let out: TensorInfo;
    if (r1 < r0 || c1 < c0) {
      out = call('Fill', backend, {}, { shape: [n, nOutH, nOutW, CI], value: 0, dtype: 'float32' });
    } else {
      const sliced = r0 > 0 || c0 > 0 || r1 < outH - 1 || c1 < outW - 1;
      const src = sliced ? call('Slice', backend, { x: dy }, { begin: [0, r0, c0, 0], size: [n, r1 - r0 + 1, c1 - c0 + 1, CO] }) : dy;
      const wsub = phaseFilter(backend, filter, kH, kW, sH, sW, rh, rw);
      const padding = [[0, 0], [r0 - lo, hi - r1], [c0 - loW, hiW - c1], [0, 0]];
      out = call('Conv2D', backend, { x: src, filter: wsub }, { strides: [1, 1], pad: padding, dataFormat: 'NHWC', dilations: [1, 1] });
      backend.disposeData(wsub.dataId);
      if (sliced) backend.disposeData(src.dataId);
    }
    phases.push({ rh, rw, out, qh0, qw0 });
  }
  if (phases.length === 1 && complete && sH === 1 && sW === 1) return phases[0].out;
  const dx = backend.makeOutput([n, inH, inW, CI], 'float32');
  if (!complete) heapF32(backend, dx).fill(0);
  // One view of the whole heap (taken after the last allocation): pixels move with copyWithin,
  // without a typed-array object per pixel. Offsets in floats (tensors are 4-byte aligned).
  const heap = new Float32Array(heapBuffer(backend));
  const dx0 = byteOffset(backend, dx) / 4;
  for (const p of phases) {
    const o0 = byteOffset(backend, p.out) / 4;
    const [, ph, pw] = p.out.shape;
    for (let img = 0; img < n; img++) for (let a = 0; a < ph; a++) {
      const i = (p.qh0 + a) * sH + p.rh - padTop;
      let src = o0 + ((img * ph + a) * pw) * CI;
      let dst = dx0 + ((img * inH + i) * inW + p.qw0 * sW + p.rw - padLeft) * CI;
      for (let b = 0; b < pw; b++, src += CI, dst += sW * CI) heap.copyWithin(dst, src, src + CI);
    }
    backend.disposeData(p.out.dataId);
  }
  return dx;
}

export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm as unknown as KernelFunc,
};
