/**
 * The permutation engine's one heavy operation: dot products of many rows with a block of
 * permuted responses, out[r][b] = Σ_t a[r][t] · y[b][t] (a: rows × n, y: nb × n, out: rows × nb,
 * all row-major). Blocked 3 rows × 3 responses so that nine accumulators stay in registers and each
 * loaded value is used three times.
 */
import { GEMM_WASM_BASE64 } from './gemm-wasm';
import { type HelperThread, startHelper } from './gemm-threads';
export function dotBlock(a: Float64Array, rows: number, n: number, y: Float64Array, nb: number, out: Float64Array): void {
  const r3 = rows - (rows % 3);
  const b3 = nb - (nb % 3);
  for (let r = 0; r < r3; r += 3) {
    const o0 = r * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    for (let b = 0; b < b3; b += 3) {
      const p0 = b * n;
      const p1 = p0 + n;
      const p2 = p1 + n;
      let a00 = 0, a01 = 0, a02 = 0, a10 = 0, a11 = 0, a12 = 0, a20 = 0, a21 = 0, a22 = 0;
      for (let t = 0; t < n; t++) {
        const y0 = y[p0 + t];
        const y1 = y[p1 + t];
        const y2 = y[p2 + t];
        const z0 = a[o0 + t];
        const z1 = a[o1 + t];
        const z2 = a[o2 + t];
        a00 += z0 * y0; a01 += z0 * y1; a02 += z0 * y2;
        a10 += z1 * y0; a11 += z1 * y1; a12 += z1 * y2;
        a20 += z2 * y0; a21 += z2 * y1; a22 += z2 * y2;
      }
      const q0 = r * nb + b;
      const q1 = q0 + nb;
      const q2 = q1 + nb;
      out[q0] = a00; out[q0 + 1] = a01; out[q0 + 2] = a02;
      out[q1] = a10; out[q1 + 1] = a11; out[q1 + 2] = a12;
      out[q2] = a20; out[q2 + 1] = a21; out[q2 + 2] = a22;
    }
    for (let b = b3; b < nb; b++) {
      const p0 = b * n;
      let s0 = 0, s1 = 0, s2 = 0;
      for (let t = 0; t < n; t++) {
        const yv = y[p0 + t];
        s0 += a[o0 + t] * yv; s1 += a[o1 + t] * yv; s2 += a[o2 + t] * yv;
      }
      out[r * nb + b] = s0; out[(r + 1) * nb + b] = s1; out[(r + 2) * nb + b] = s2;
    }
  }
  for (let r = r3; r < rows; r++) {
    const o = r * n;
    for (let b = 0; b < nb; b++) {
      const p = b * n;
      let s = 0;
      for (let t = 0; t < n; t++) s += a[o + t] * y[p + t];
      out[r * nb + b] = s;
    }
  }
}

/**
 * A reusable kernel for one left matrix a (rows × n): fill `a` (or let bindDotKernel hand it in),
 * then run(y, nb) returns out (rows × nb) for a block of nb ≤ maxCols responses. Engines:
 *  - 'f64' (the WebAssembly SIMD build of gemm.c, dot_block; several times the JavaScript speed):
 *    `a` lives in the kernel's memory so that the big matrix is never copied;
 *  - 'f32' (dot_block_f32): float32 products, summed in float32 over 256 trials and then in
 *    float64, about twice the float64 speed; each product carries the float32 rounding of its
 *    inputs, so a dot product is exact to a relative ~1e-7 (the permutation null needs no more).
 *    `a` is a float64 matrix that the kernel converts into its memory at the first run();
 *  - 'js': dotBlock, where WebAssembly SIMD is missing (both wasm engines fall back to it);
 *  - 'auto': 'f64'.
 * The array run() returns is a view that the next run() overwrites.
 */
export type DotEngine = 'auto' | 'f64' | 'f32' | 'js';

export interface DotKernel {
  readonly engine: 'wasm-simd' | 'wasm-simd-f32' | 'js';
  /** the left matrix, rows × n, row-major (float64) */
  readonly a: Float64Array;
  run(y: Float64Array, nb: number): Float64Array;
  /**
   * Write rows r0.. of the left matrix from `rows` (float64, whole rows) straight into the kernel's
   * memory: the float32 engine converts them here (its `a` then stays untouched, so a caller that
   * builds the matrix chunk by chunk never holds a float64 copy of it).
   */
  setRows(r0: number, rows: Float64Array): void;
  /**
   * Σ_t a[row][t]·y[yOff + t] in float64 from the matrix the engine multiplies (the f32 engine's
   * float32 values): one product, exactly as accurate as float64 sums allow (workers/info/screen.ts).
   */
  exactDot(row: number, y: Float64Array, yOff: number): number;
  /** row chunks computed by the f32 engine's helper thread, if it has one (diagnostics) */
  readonly helperChunks?: number;
  /**
   * Done with this kernel: the f32 engine keeps its wasm memory for the next f32 kernel of this
   * process (see spareF32); run() and setRows() throw afterwards. Optional: an unreleased kernel is
   * simply garbage-collected.
   */
  release(): void;
}

type Instance = ReturnType<typeof instantiate>;
/**
 * One released f32 kernel instance, kept for the next f32 kernel (grown if it needs more). Fresh
 * memory is expensive (every page faults on first touch: about 0.3-0.5 s for the 57 MB matrix of a
 * 4,735 × 3 × 1,000 map on the development machine), so a process that runs several permutation
 * tests reuses the pages; the cost is that the largest released kernel's memory stays with the
 * process.
 */
let spareF32: Instance | null = null;

function f32Instance(mod: WebAssembly.Module, bytes: number): Instance {
  const spare = spareF32;
  spareF32 = null;
  if (!spare) return instantiate(mod, bytes);
  const pages = Math.ceil((spare.base + bytes) / 65536) - spare.memory.buffer.byteLength / 65536;
  if (pages > 0) spare.memory.grow(pages);
  return spare;
}

let wasmModule: WebAssembly.Module | null | undefined;

/** The compiled module of gemm.c and rank.c, or null where WebAssembly SIMD is missing. */
export function loadWasm(): WebAssembly.Module | null {
  if (wasmModule === undefined) {
    try {
      const bytes = Uint8Array.from(atob(GEMM_WASM_BASE64), (c) => c.charCodeAt(0));
      wasmModule = new WebAssembly.Module(bytes);
    } catch {
      wasmModule = null; // no SIMD support: fall back to JavaScript
    }
  }
  return wasmModule;
}

/** A wasm instance with `bytes` of memory past its heap base; returns the instance and the base (16-aligned). */
export function instantiate(mod: WebAssembly.Module, bytes: number): { exports: WebAssembly.Exports; memory: WebAssembly.Memory; base: number } {
  const instance = new WebAssembly.Instance(mod, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  const base = Math.ceil(((instance.exports.__heap_base as WebAssembly.Global).value as number) / 16) * 16;
  // grow once, before any view is taken (growing detaches earlier views)
  const pages = Math.ceil((base + bytes) / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  return { exports: instance.exports, memory, base };
}

type Kernel = (a: number, rows: number, n: number, y: number, nb: number, out: number) => void;

let defaultKernelThreads = 1;

function rowDot(a: Float64Array | Float32Array, o: number, n: number, y: Float64Array, yOff: number): number {
  let s0 = 0;
  let s1 = 0;
  let t = 0;
  for (; t + 1 < n; t += 2) {
    s0 += a[o + t] * y[yOff + t];
    s1 += a[o + t + 1] * y[yOff + t + 1];
  }
  if (t < n) s0 += a[o + t] * y[yOff + t];
  return s0 + s1;
}

/**
 * Threads for the f32 engine's kernels made by createDotKernel without `a` (the permutation test's
 * own kernel): 1 or 2, default 1. The second thread is a work-stealing helper (gemm-threads.ts); on
 * the shared 2-core development machine it could not be shown to win, so it is opt-in until
 * measured on an idle one (`npm run bench:info -- --kernel-threads 2`). The process's entry sets it
 * (workers/main.ts and workers/cli.ts from DEEPER_INFO_KERNEL_THREADS, bench/info.ts from its flag).
 */
export function setKernelThreads(threads: number): void {
  defaultKernelThreads = threads >= 2 ? 2 : 1;
}

/** The threads set by setKernelThreads (default 1). */
export function kernelThreads(): number {
  return defaultKernelThreads;
}

/** Helpers of kernels that were garbage-collected: stop their threads. */
const helpers = new FinalizationRegistry<HelperThread>((h) => h.terminate());

/**
 * `a`, for the f32 engine only: use this float64 matrix as the kernel's `a` instead of a fresh one
 * (no copy). `threads` 2: the f32 engine's helper thread (gemm-threads.ts), for a kernel without `a`.
 */
export function createDotKernel(rows: number, n: number, maxCols: number, engine: DotEngine = 'auto', a?: Float64Array, threads = kernelThreads()): DotKernel {
  const mod = engine === 'js' ? null : loadWasm();
  if (mod && engine === 'f32') {
    const inst = f32Instance(mod, rows * n * 4 + maxCols * n * 4 + rows * maxCols * 8 + 16);
    const { exports, memory, base } = inst;
    const dot = exports.dot_block_f32 as Kernel;
    const aOff = base;
    const yOff = aOff + rows * n * 4;
    const outOff = Math.ceil((yOff + maxCols * n * 4) / 8) * 8;
    const a32 = new Float32Array(memory.buffer, aOff, rows * n);
    const y32 = new Float32Array(memory.buffer, yOff, maxCols * n);
    const outView = new Float64Array(memory.buffer, outOff, rows * maxCols);
    const threaded = !a && threads > 1 && rows * n >= 1e6 && typeof SharedArrayBuffer !== 'undefined';
    const a64 = a ?? (threaded ? new Float64Array(new SharedArrayBuffer(rows * n * 8)) : new Float64Array(rows * n));
    const helper = threaded ? startHelper(mod, a64, rows, n, maxCols) : null;
    let converted = false;
    let released = false;
    const kernel: DotKernel = {
      engine: 'wasm-simd-f32',
      a: a64,
      get helperChunks() {
        return helper?.helped;
      },
      exactDot(row, y, yOff) {
        if (released) throw new Error('dot kernel: used after release()');
        if (!converted) {
          a32.set(a64.subarray(0, rows * n));
          converted = true;
        }
        return rowDot(a32, row * n, n, y, yOff);
      },
      setRows(r0, src) {
        if (released) throw new Error('dot kernel: used after release()');
        a32.set(src, r0 * n);
        if (helper) a64.set(src, r0 * n); // the helper copies its matrix from a64
        converted = true;
      },
      release() {
        if (released) return;
        released = true;
        helper?.terminate();
        spareF32 = inst;
      },
      run(y, nb) {
        if (released) throw new Error('dot kernel: used after release()');
        if (!converted) {
          a32.set(a64.subarray(0, rows * n));
          converted = true;
        }
        y32.set(y.subarray(0, nb * n));
        if (helper) helper.block(nb, y32, (r0, r1) => dot(aOff + r0 * n * 4, r1 - r0, n, yOff, nb, outOff + r0 * nb * 8), outView);
        else dot(aOff, rows, n, yOff, nb, outOff);
        return outView;
      },
    };
    if (helper) helpers.register(kernel, helper);
    return kernel;
  }
  if (mod) {
    const { exports, memory, base } = instantiate(mod, (rows * n + maxCols * n + rows * maxCols) * 8);
    const dot = exports.dot_block as Kernel;
    const aOff = base;
    const yOff = aOff + rows * n * 8;
    const outOff = yOff + maxCols * n * 8;
    const aView = new Float64Array(memory.buffer, aOff, rows * n);
    const yView = new Float64Array(memory.buffer, yOff, maxCols * n);
    const outView = new Float64Array(memory.buffer, outOff, rows * maxCols);
    return {
      engine: 'wasm-simd',
      a: aView,
      setRows: (r0, src) => aView.set(src, r0 * n),
      exactDot: (row, y, yOff) => rowDot(aView, row * n, n, y, yOff),
      release: () => {},
      run(y, nb) {
        yView.set(y.subarray(0, nb * n));
        dot(aOff, rows, n, yOff, nb, outOff);
        return outView;
      },
    };
  }
  const aJs = new Float64Array(rows * n);
  const out = new Float64Array(rows * maxCols);
  return {
    engine: 'js',
    a: aJs,
    setRows: (r0, src) => aJs.set(src, r0 * n),
    exactDot: (row, y, yOff) => rowDot(aJs, row * n, n, y, yOff),
    release: () => {},
    run(y, nb) {
      dotBlock(aJs, rows, n, y, nb, out);
      return out;
    },
  };
}

/** A kernel for the matrix `a` (copied into the kernel's memory; the f32 engine converts it at its first run). */
export function bindDotKernel(a: Float64Array, rows: number, n: number, maxCols: number, engine: DotEngine = 'auto'): DotKernel {
  if (engine === 'f32' && a.length === rows * n) return createDotKernel(rows, n, maxCols, engine, a);
  const k = createDotKernel(rows, n, maxCols, engine);
  k.a.set(a.subarray(0, rows * n));
  return k;
}
