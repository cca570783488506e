/**
 * Helper threads for Deeper's own SIMD kernels (wasm/*.c) under the threaded wasm build:
 * each helper is a Node worker thread with its own instance of the SIMD module on the backend's
 * shared memory, so a kernel call can be split by ranges across the main thread and the helpers.
 * A job is posted through a shared control block (sequence number, the export's index in
 * POOL_EXPORTS, then the arguments as float64: integers and float parameters alike) and the helper
 * wakes with Atomics.wait/notify: idle helpers sleep (no spinning on a busy shared machine).
 * Helpers are unref'd, so they never keep the process alive.
 */
import { Worker } from 'node:worker_threads';

/** Tensors of at least this many elements are split across the pool's threads; smaller ones run in one call. */
export const MIN_ELEMENTS_TO_SPLIT = 65536;

/** How many parts a kernel over `size` elements runs in: `forced` when > 0 (tests), else the pool's threads from MIN_ELEMENTS_TO_SPLIT up, else 1. */
export function splitParts(threads: number, size: number, forced = 0): number {
  return forced || (size >= MIN_ELEMENTS_TO_SPLIT ? threads : 1);
}

/** [i0, i1) element ranges of `parts` near-equal parts; every bound but the last a multiple of 4, so each part but the last runs whole SIMD vectors. */
export function vectorRanges(size: number, parts: number): [number, number][] {
  const bound = (i: number) => (i === parts ? size : 4 * Math.round((size * i) / parts / 4));
  return Array.from({ length: parts }, (_, i) => [bound(i), bound(i + 1)]);
}

/** The exports a helper can run. */
export const POOL_EXPORTS = ['filter_grad', 'bn_train', 'bn_grad', 'winograd_conv', 'winograd_filter_part', 'winograd_filter_grad', 'direct_conv', 'direct_pack_phase', 'direct_filter_grad', 'direct_conv_small', 'bn_part_stats', 'bn_apply', 'bn_grad_sums', 'bn_grad_apply', 'max_pool', 'max_pool_grad', 'add_into', 'add_relu', 'relu_grad', 'momentum_update'] as const;
export type PoolExport = (typeof POOL_EXPORTS)[number];

/**
 * Int32 slots: [0] job sequence, [1] done sequence, [2] argument count, [3] export index, [4] failed, [5] started, [6] spin polls,
 * [7] claimed sequence (the helper or the caller takes job s by moving it from s − 1 to s); then float64 arguments.
 */
const SEQ = 0, DONE = 1, ARGC = 2, FN = 3, FAILED = 4, STARTED = 5, SPIN = 6, CLAIM = 7, ARGS_BYTE = 32, MAX_ARGS = 24;

/**
 * Polls of the control block before a thread sleeps in Atomics.wait: the helper after its job (for
 * the next one), the caller before it sleeps on a helper's result. 0: sleep at once.
 */
let spinPolls = 0;
export function setSimdPoolSpin(polls: number): void { spinPolls = Math.max(0, Math.floor(polls)); }
/** A helper that has not started after this long is taken to have failed to start (ms). */
const START_TIMEOUT_MS = 60_000;

const HELPER = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl, names } = workerData;
const c = new Int32Array(ctl), args = new Float64Array(ctl, ${ARGS_BYTE});
let e = null;
try { e = new WebAssembly.Instance(module, { env: { memory } }).exports; } catch (err) { e = null; }
Atomics.store(c, ${STARTED}, 1);
let seq = 0;
for (;;) {
  for (let k = c[${SPIN}]; k > 0 && Atomics.load(c, ${SEQ}) === seq; k--);
  Atomics.wait(c, ${SEQ}, seq);
  seq = Atomics.load(c, ${SEQ});
  const argc = c[${ARGC}];
  if (argc < 0) break;
  // The caller may have taken the job back (it finished its own part first and we had not woken yet).
  if (Atomics.compareExchange(c, ${CLAIM}, seq - 1, seq) !== seq - 1) continue;
  const a = Array.from(args.subarray(0, argc));
  try { e[names[c[${FN}]]](...a); } catch (err) { c[${FAILED}] = 1; }  // e === null: fails too
  Atomics.store(c, ${DONE}, seq);
  Atomics.notify(c, ${DONE});
}
`;

export interface SimdPool {
  /** Helper count (the main thread works too). */
  readonly helpers: number;
  /** Starts export fn(args) on helper i (returns at once). */
  start(i: number, fn: PoolExport, args: number[]): void;
  /**
   * Waits until helper i has finished its job; with `run`, first tries to take the job back and, if the
   * helper has not started it yet (asleep, or waiting for a core on a busy machine), runs it on this
   * thread instead (run must compute exactly what the helper would: the same export and arguments).
   */
  wait(i: number, run?: () => void): void;
}

let stolen = 0, takeBack = true;
/** Whether SimdPool.wait may take a job back from a helper that has not started it (default on; off: always wait for the helper). */
export function setSimdPoolTakeBack(on: boolean): void { takeBack = on; }
/** Jobs the callers took back from helpers that had not started them (a count since the process started; for benches). */
export function simdPoolJobsTakenBack(): number { return stolen; }

export function createSimdPool(module: WebAssembly.Module, memory: WebAssembly.Memory, helpers: number): SimdPool {
  const ctls = Array.from({ length: helpers }, () => new Int32Array(new SharedArrayBuffer(ARGS_BYTE + 8 * MAX_ARGS)));
  for (const ctl of ctls) {
    const w = new Worker(HELPER, { eval: true, workerData: { module, memory, ctl: ctl.buffer, names: POOL_EXPORTS } });
    w.unref();
  }
  return {
    helpers,
    start(i, fn, args) {
      const c = ctls[i];
      if (args.length > MAX_ARGS) throw new Error('simd pool: too many arguments');
      c[ARGC] = args.length;
      c[FN] = POOL_EXPORTS.indexOf(fn);
      c[SPIN] = spinPolls;
      new Float64Array(c.buffer, ARGS_BYTE, args.length).set(args);
      Atomics.add(c, SEQ, 1);
      Atomics.notify(c, SEQ);
    },
    wait(i, run) {
      const c = ctls[i];
      const seq = Atomics.load(c, SEQ);
      if (run && takeBack && Atomics.compareExchange(c, CLAIM, seq - 1, seq) === seq - 1) {
        stolen++;
        run();
        Atomics.store(c, DONE, seq);
        return;
      }
      const t0 = Date.now();
      for (let k = spinPolls; k > 0 && Atomics.load(c, DONE) !== seq; k--);
      // Sleep only on the value just seen: reading DONE afresh for Atomics.wait lost the wake-up when
      // the helper finished in between, and the wait ran its full 1,000 ms (≈ 1 step in 30 on 2 threads).
      for (let done = Atomics.load(c, DONE); done !== seq; done = Atomics.load(c, DONE)) {
        Atomics.wait(c, DONE, done, 1000);
        if (!Atomics.load(c, STARTED) && Date.now() - t0 > START_TIMEOUT_MS) throw new Error('simd pool: a helper thread did not start');
      }
      if (c[FAILED]) { c[FAILED] = 0; throw new Error(`simd pool: ${POOL_EXPORTS[c[FN]]} failed on a helper thread`); }
    },
  };
}
