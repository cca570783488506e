/**
 * Training batch norm (+ReLU) on wasm split over the M = N·H·W positions (wasm/batch-norm.c): each
 * part's rows run on one thread of the SIMD pool (the first on the calling thread), the parts'
 * per-channel results are merged here in part order (float64), then a second split pass writes y
 * or dx. The split is fixed by the shape (POSITION_PARTS, whatever the thread count), so a seeded
 * model's bits do not depend on the thread count; with 1 thread the parts run one after another.
 * Used by kernels/batch-norm.ts unless setBatchNormPositionParts(0) (the channel path before).
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { type WasmBackendLike, byteOffset, heapBuffer } from './wasm-heap';
import type { SimdKernels } from './simd';

/** Position parts by default: 2 (one per thread on the 2-core target; 1 thread runs them in turn). */
export const BATCH_NORM_DEFAULT_POSITION_PARTS = 2;
/**
 * A tensor is split only into parts of at least this many elements; one part runs the fused one-call
 * kernels of the channel path (bn_train, bn_grad: no merge, no second call). At 64 px, width 0.5,
 * batch 64 that splits the stem, block1 and block2 layers (2^21, 2^19, 2^18 elements).
 */
export const BATCH_NORM_DEFAULT_MIN_PART_ELEMENTS = 131072;
let POSITION_PARTS = BATCH_NORM_DEFAULT_POSITION_PARTS;
let MIN_PART_ELEMENTS = BATCH_NORM_DEFAULT_MIN_PART_ELEMENTS;

/**
 * Parts over positions (0: off, the channel-range path of setBatchNormParts) and the smallest part in
 * elements (tests set 1 to split tiny tensors). Changes the sums' order, so the bits, not the function.
 */
export function setBatchNormPositionParts(n: number, minPartElements = BATCH_NORM_DEFAULT_MIN_PART_ELEMENTS): void {
  POSITION_PARTS = Math.max(0, Math.floor(n));
  MIN_PART_ELEMENTS = Math.max(1, minPartElements);
}
export function batchNormPositionParts(): number { return POSITION_PARTS; }

/** Row ranges [m0, m1) of M rows (C channels): at most POSITION_PARTS, each ≥ MIN_PART_ELEMENTS and ≥ 4 rows. */
function rowParts(M: number, C: number): [number, number][] {
  const n = Math.max(1, Math.min(POSITION_PARTS, Math.floor((M * C) / MIN_PART_ELEMENTS), Math.floor(M / 4)));
  return Array.from({ length: n }, (_, i) => [Math.round((M * i) / n), Math.round((M * (i + 1)) / n)]);
}

interface Args { simd: SimdKernels; b: WasmBackendLike; M: number; C: number; epsilon: number; relu: boolean }

/** Forward: y, mean, variance (already allocated outputs) from x, γ, β. Returns false when the path is off or one part. */
export function bnTrainByPositions({ simd, b, M, C, epsilon, relu }: Args, x: TensorInfo, gamma: TensorInfo, beta: TensorInfo,
  y: TensorInfo, meanOut: TensorInfo, varOut: TensorInfo): boolean {
  if (POSITION_PARTS === 0) return false;
  const parts = rowParts(M, C), per = 48 * C + 64;
  if (parts.length === 1) return false;
  const off = (t: TensorInfo) => byteOffset(b, t);
  const s = simd.scratch(per * parts.length + 8 * C + 64), shared = s + per * parts.length;
  simd.runParts('bn_part_stats', parts.map(([m0, m1], i) => [off(x) + 4 * m0 * C, m1 - m0, C, C, s + per * i, s + per * i + 16 * C]));
  const buf = heapBuffer(b);
  const f32 = (o: number, n: number) => new Float32Array(buf, o, n);
  const g = f32(off(gamma), C), be = f32(off(beta), C), mo = f32(off(meanOut), C), vo = f32(off(varOut), C);
  const scale = f32(shared, C), shift = f32(shared + 4 * C, C);
  // One float64 view over every part's [mean C][M2 C], `per` bytes apart; plain loops (this runs per layer and step).
  const stats = new Float64Array(buf, s, (per / 8) * parts.length), stride = per / 8, counts = parts.map(([m0, m1]) => m1 - m0);
  const eps = Math.fround(epsilon);
  for (let c = 0; c < C; c++) {
    let n = 0, mean = 0, m2 = 0;
    for (let i = 0; i < counts.length; i++) {
      const nb = counts[i], na = n, d = stats[stride * i + c] - mean;
      n += nb;
      mean += (d * nb) / n;
      m2 += stats[stride * i + C + c] + d * d * ((na * nb) / n);
    }
    const v = m2 / M;
    mo[c] = mean; vo[c] = v;
    const sc = g[c] / Math.sqrt(v + eps);
    scale[c] = sc;
    shift[c] = be[c] - mo[c] * sc;
  }
  simd.runParts('bn_apply', parts.map(([m0, m1]) => [off(x) + 4 * m0 * C, m1 - m0, C, C, shared, shared + 4 * C, relu ? 1 : 0, off(y) + 4 * m0 * C]));
  return true;
}

/** Backward: dx, ∂γ, ∂β (already allocated outputs). Returns false when the path is off or one part. */
export function bnGradByPositions({ simd, b, M, C, epsilon, relu }: Args, dy: TensorInfo, y: TensorInfo, x: TensorInfo, mean: TensorInfo,
  variance: TensorInfo, gamma: TensorInfo, dx: TensorInfo, dGamma: TensorInfo, dBeta: TensorInfo): boolean {
  if (POSITION_PARTS === 0) return false;
  const parts = rowParts(M, C), per = 24 * C + 64;
  if (parts.length === 1) return false;
  const off = (t: TensorInfo) => byteOffset(b, t);
  const s = simd.scratch(per * parts.length + 16 * C + 64), shared = s + per * parts.length;
  const istdOff = shared, k1Off = shared + 4 * C, bOff = shared + 8 * C, c0Off = shared + 12 * C;
  let buf = heapBuffer(b);
  const eps = Math.fround(epsilon);
  {
    const v = new Float32Array(buf, off(variance), C), istd = new Float32Array(buf, istdOff, C);
    for (let c = 0; c < C; c++) istd[c] = 1 / Math.sqrt(v[c] + eps);
  }
  const rows = (o: number, m0: number) => o + 4 * m0 * C, r = relu ? 1 : 0;
  simd.runParts('bn_grad_sums', parts.map(([m0, m1], i) => [rows(off(dy), m0), rows(off(y), m0), rows(off(x), m0), m1 - m0, C, C,
    off(mean), istdOff, r, s + per * i, s + per * i + 16 * C]));
  buf = heapBuffer(b);
  const f32 = (o: number) => new Float32Array(buf, o, C);
  const g = f32(off(gamma)), mu = f32(off(mean)), istd = f32(istdOff), k1 = f32(k1Off), bb = f32(bOff), c0 = f32(c0Off), dg = f32(off(dGamma)), db = f32(off(dBeta));
  const sums = new Float64Array(buf, s, (per / 8) * parts.length), stride = per / 8;
  for (let c = 0; c < C; c++) {
    let sum = 0, sumX = 0;
    for (let i = 0; i < parts.length; i++) { sum += sums[stride * i + c]; sumX += sums[stride * i + C + c]; }
    db[c] = sum; dg[c] = sumX;
    k1[c] = g[c] * istd[c];
    bb[c] = ((k1[c] * sumX) / M) * istd[c];
    c0[c] = mu[c] * bb[c] - (k1[c] * sum) / M;  // dx = g·k1 − x·b + c0 = g·k1 − k1·Σg/M − (x − μ)·b
  }
  simd.runParts('bn_grad_apply', parts.map(([m0, m1]) => [rows(off(dy), m0), rows(off(y), m0), rows(off(x), m0), m1 - m0, C, C,
    k1Off, bOff, c0Off, r, rows(off(dx), m0)]));
  return true;
}
