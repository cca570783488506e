/**
 * Loader for the hand-written WebAssembly SIMD kernels (workers/nn/wasm/kernels.c), instantiated
 * on the tfjs wasm backend's own memory so that they read and write tensors in place. Returns
 * null where they cannot run (another backend, no SIMD); callers then use their JS fallback.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { WasmBackendLike } from './wasm-heap';
import { createSimdPool, type SimdPool, type PoolExport } from './simd-pool';

export interface SimdKernels {
  bn_train(x: number, M: number, C: number, ld: number, gamma: number, beta: number, eps: number, relu: number, y: number, mean: number, variance: number, scratch: number): void;
  bn_grad(dy: number, y: number, x: number, M: number, C: number, ld: number, mean: number, variance: number, gamma: number, eps: number, relu: number,
    dx: number, dgamma: number, dbeta: number, scratch: number): void;
  /** Mean and M2 per channel of one part's rows, as doubles out[2C] (wasm/batch-norm.c). */
  bn_part_stats(x: number, M: number, C: number, ld: number, out: number, scratch: number): void;
  /** y = x·scale + shift (ReLU if relu) over M rows (wasm/batch-norm.c). */
  bn_apply(x: number, M: number, C: number, ld: number, scale: number, shift: number, relu: number, y: number): void;
  /** Σ g and Σ g·x̂ per channel of one part's rows, as doubles out[2C] (wasm/batch-norm.c). */
  bn_grad_sums(dy: number, y: number, x: number, M: number, C: number, ld: number, mean: number, istd: number, relu: number, out: number, scratch: number): void;
  /** dx = g·k1 − x·b + c0 over M rows (wasm/batch-norm.c). */
  bn_grad_apply(dy: number, y: number, x: number, M: number, C: number, ld: number, k1: number, b: number, c0: number, relu: number, dx: number): void;
  /** Max pool with argmax over images [n0, n1) (wasm/kernels.c). */
  /** y = max(a + b, 0) over elements [i0, i1) (wasm/residual.c). */
  add_relu(a: number, b: number, i0: number, i1: number, y: number): void;
  /** dx = dy · [y > 0] over elements [i0, i1) (wasm/residual.c). */
  relu_grad(dy: number, y: number, i0: number, i1: number, dx: number): void;
  /** acc' = m·acc + g, value' = c·acc' + value over elements [i0, i1) (wasm/momentum.c). */
  momentum_update(value: number, acc: number, grad: number, i0: number, i1: number, m: number, c: number, valueOut: number, accOut: number): void;
  max_pool(x: number, H: number, W: number, C: number, k: number, s: number, pt: number, pl: number, OH: number, OW: number, y: number, arg: number, n0: number, n1: number): void;
  /** dx[j0, j1) = 0, then dx[arg[i]] += dy[i] for i in [i0, i1) (element indices; wasm/kernels.c). */
  max_pool_grad(dy: number, arg: number, i0: number, i1: number, dx: number, j0: number, j1: number): void;
  phase_split(x: number, N: number, H: number, W: number, C: number, sH: number, sW: number, PH: number, PW: number, pt: number, pl: number,
    Hq: number, Wq: number, ng: number, xt: number): void;
  im2col_t(x: number, H: number, W: number, C: number, kH: number, kW: number, sH: number, sW: number, pt: number, pl: number,
    OH: number, OW: number, n0: number, count: number, out: number): void;
  grid_pad(dy: number, N: number, OH: number, OW: number, CO: number, Hq: number, Wq: number, out: number): void;
  /** Floats of scratch filter_grad needs (wasm/filter-grad.c). */
  filter_grad_scratch(C: number, CO: number, kH: number, kW: number): number;
  /** dw[kH][kW][C][CO] = the filter gradient summed over output positions [m0, m1) (wasm/filter-grad.c). */
  filter_grad(x: number, dy: number, H: number, W: number, C: number, OH: number, OW: number, CO: number,
    kH: number, kW: number, sH: number, sW: number, pt: number, pl: number, m0: number, m1: number, dw: number, scratch: number): void;
  add_into(dst: number, src: number, n: number): void;
  /** Floats of scratch winograd_conv needs per part (wasm/winograd.c). */
  winograd_scratch(C: number, CO: number, m: number): number;
  /** Tiles [t0, t1) of a stride-1 3×3 'same' convolution by Winograd F(m×m, 3×3), + bias (+ res), ReLU if relu (wasm/winograd.c). */
  winograd_conv(x: number, H: number, W: number, C: number, U: number, bias: number, CO: number, m: number, relu: number,
    res: number, y: number, t0: number, t1: number, scratch: number, legacy?: number): void;
  /** U = G w Gᵀ (flip: of the flipped, channel-swapped filter, for an input gradient) into U[α²][⌈CO/8⌉][C][8] (wasm/winograd.c). */
  winograd_filter(w: number, C: number, CO: number, m: number, flip: number, U: number): void;
  /** The same for the input channels [c0, c1) of U only (a part of a split transform). */
  winograd_filter_part(w: number, C: number, CO: number, m: number, flip: number, U: number, c0: number, c1: number): void;
  /** Floats of scratch winograd_filter_grad needs per part (wasm/winograd-grad.c). */
  winograd_grad_scratch(C: number, CO: number, m: number): number;
  /** dw[3][3][C][CO] = the stride-1 3×3 'same' filter gradient summed over tiles [t0, t1), by Winograd F(m×m, 3×3) (wasm/winograd-grad.c). */
  winograd_filter_grad(x: number, dy: number, H: number, W: number, C: number, CO: number, m: number, t0: number, t1: number, dw: number, scratch: number): void;
  /** Floats of scratch direct_conv needs per part (wasm/direct-conv.c). */
  direct_scratch(C: number, OW: number, kH: number, kW: number, sW: number): number;
  /** P[⌈CO/8⌉][K][8] from w[K][CO] (wasm/direct-conv.c). */
  direct_pack(w: number, K: number, CO: number, P: number): void;
  /** An input gradient's stride-phase filter packed straight from the forward filter, output-channel blocks [b0, b1) (wasm/direct-conv.c). */
  direct_pack_phase(w: number, kW: number, CI: number, CO: number, sH: number, sW: number, rh: number, rw: number, JH: number, JW: number, P: number, b0: number, b1: number): void;
  /** Output rows [r0, r1) of N·OH of a direct convolution from a packed filter, + bias, ReLU if relu (wasm/direct-conv.c). */
  direct_conv(x: number, H: number, W: number, C: number, P: number, bias: number, CO: number, kH: number, kW: number, sH: number, sW: number,
    pt: number, pl: number, OH: number, OW: number, relu: number, y: number, yPix: number, yRow: number, yImg: number, r0: number, r1: number, scratch: number): void;
  /** direct_conv's variant for maps under 4 columns (the 4-pixel tile across rows) and its scratch floats (wasm/direct-conv.c). */
  direct_small_scratch(C: number, OW: number, kH: number, kW: number, sW: number): number;
  direct_conv_small(x: number, H: number, W: number, C: number, P: number, bias: number, CO: number, kH: number, kW: number, sH: number, sW: number,
    pt: number, pl: number, OH: number, OW: number, relu: number, y: number, yPix: number, yRow: number, yImg: number, r0: number, r1: number, scratch: number): void;
  /** Floats of scratch direct_filter_grad needs per part (wasm/direct-grad.c). */
  direct_grad_scratch(C: number, CO: number, kH: number, kW: number, OW: number, sW: number): number;
  /** dw[kH][kW][C][CO] = the filter gradient summed over output rows [r0, r1) of N·OH, no packing (wasm/direct-grad.c). */
  direct_filter_grad(x: number, dy: number, H: number, W: number, C: number, OH: number, OW: number, CO: number,
    kH: number, kW: number, sH: number, sW: number, pt: number, pl: number, r0: number, r1: number, dw: number, scratch: number): void;
  /** Threads our kernels split over where the memory is shared (the threaded build; setSimdPoolThreads, else XNNPACK's count), else 1. */
  threads: number;
  /** Helper threads (threads − 1 of them) running the module on the same memory; null with 1 thread. */
  pool(): SimdPool | null;
  /**
   * Runs fn once per argument list: the first on this thread, the next ones on the pool's helpers
   * while it works (lists beyond the helpers: on this thread after it), and returns when all are done;
   * a helper's list that it has not started by then runs on this thread (SimdPool.wait's take-back).
   */
  runParts(fn: PoolExport, parts: number[][]): void;
  /** Byte offset of at least `bytes` bytes of scratch in the backend's heap (reused between calls). */
  scratch(bytes: number): number;
}

const cache = new WeakMap<object, SimdKernels | null>();
let disabledBy: string | null = null;

/**
 * Switches the SIMD kernels off (`reason` given) or on (null) for backends not yet asked: the JS
 * fallbacks run instead. A test and debugging knob, set by the process's entry (DEEPER_NN_NO_SIMD,
 * read in workers/main.ts and workers/cli.ts, passed through configureBackend).
 */
export function disableSimdKernels(reason: string | null): void {
  disabledBy = reason;
}

let poolThreads: number | null = null;

/**
 * Threads our own kernels split over (the calling thread plus n − 1 helpers) under the threaded
 * build; null: XNNPACK's thread count. Set by chooseBackend before the kernels are first used, so
 * XNNPACK can run on 1 thread while our pool runs on all (workers/nn/PERFORMANCE.md, "Threads on a quiet machine").
 */
export function setSimdPoolThreads(n: number | null): void {
  poolThreads = n;
}

export function simdKernels(backend: WasmBackendLike): SimdKernels | null {
  if (cache.has(backend)) return cache.get(backend)!;
  let kernels: SimdKernels | null = null;
  try {
    if (disabledBy) throw new Error(`disabled by ${disabledBy}`);
    const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
    if (!memory) throw new Error('the wasm backend exposes no memory');
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const file = fileURLToPath(new URL(`../wasm/${shared ? 'kernels-shared' : 'kernels'}.wasm`, import.meta.url));
    const module = new WebAssembly.Module(readFileSync(file));
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const threads = shared ? Math.max(1, poolThreads ?? getThreadsCount()) : 1;
    let pool: SimdPool | null | undefined;
    const e = instance.exports as unknown as Omit<SimdKernels, 'scratch' | 'threads' | 'pool' | 'runParts'>;
    const malloc = (backend.wasm as unknown as { _malloc(n: number): number; _free(p: number): void });
    let scratchPtr = 0, scratchBytes = 0;
    kernels = {
      bn_train: e.bn_train, bn_grad: e.bn_grad, bn_part_stats: e.bn_part_stats, bn_apply: e.bn_apply, bn_grad_sums: e.bn_grad_sums, bn_grad_apply: e.bn_grad_apply,
      momentum_update: e.momentum_update, add_relu: e.add_relu, relu_grad: e.relu_grad, max_pool: e.max_pool, max_pool_grad: e.max_pool_grad, phase_split: e.phase_split, im2col_t: e.im2col_t, grid_pad: e.grid_pad,
      filter_grad_scratch: e.filter_grad_scratch, filter_grad: e.filter_grad, add_into: e.add_into,
      winograd_scratch: e.winograd_scratch, winograd_conv: e.winograd_conv, winograd_filter: e.winograd_filter, winograd_filter_part: e.winograd_filter_part,
      winograd_grad_scratch: e.winograd_grad_scratch, winograd_filter_grad: e.winograd_filter_grad,
      direct_scratch: e.direct_scratch, direct_pack: e.direct_pack, direct_pack_phase: e.direct_pack_phase, direct_conv: e.direct_conv,
      direct_small_scratch: e.direct_small_scratch, direct_conv_small: e.direct_conv_small,
      direct_grad_scratch: e.direct_grad_scratch, direct_filter_grad: e.direct_filter_grad, threads,
      pool() {
        if (pool === undefined) pool = threads > 1 ? createSimdPool(module, memory, threads - 1) : null;
        return pool;
      },
      runParts(fn, parts) {
        const p = parts.length > 1 ? this.pool() : null;
        const helpers = p ? Math.min(p.helpers, parts.length - 1) : 0;
        const call = e[fn] as unknown as (...a: number[]) => void;
        for (let i = 1; i <= helpers; i++) p!.start(i - 1, fn, parts[i]);
        call(...parts[0]);
        for (let i = helpers + 1; i < parts.length; i++) call(...parts[i]);
        for (let i = 1; i <= helpers; i++) p!.wait(i - 1, () => call(...parts[i]));
      },
      scratch(bytes: number) {
        if (bytes > scratchBytes) {
          if (scratchPtr) malloc._free(scratchPtr);
          scratchBytes = Math.max(bytes, 2 * scratchBytes, 65536);
          scratchPtr = malloc._malloc(scratchBytes) >>> 0;
        }
        return scratchPtr;
      },
    };
  } catch (err) {
    process.stderr.write(`[nn] SIMD kernels unavailable, using JS fallbacks: ${err instanceof Error ? err.message : String(err)}\n`);
    kernels = null;
  }
  cache.set(backend, kernels);
  return kernels;
}
