/**
 * Helper threads for Deeper's own SIMD kernels (wasm/filter-grad.c) under the threaded wasm build:
 * each helper is a Node worker thread with its own instance of the SIMD module on the backend's
 * shared memory, so a kernel call can be split by ranges across the main thread and the helpers.
 * A job is posted through a shared Int32Array (sequence number, then the arguments) and the helper
 * wakes with Atomics.wait/notify: idle helpers sleep (no spinning on a busy shared machine).
 * Helpers are unref'd, so they never keep the process alive.
 */
import { Worker } from 'node:worker_threads';

/** Control block (Int32 slots): [0] job sequence, [1] done sequence, [2] argument count, [3…] arguments, [31] failed. */
const SEQ = 0, DONE = 1, ARGC = 2, ARGS = 3, SLOTS = 32, FAILED = 31;

const HELPER = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl } = workerData;
const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(ctl);
let seq = 0;
for (;;) {
  Atomics.wait(c, ${SEQ}, seq);
  seq = Atomics.load(c, ${SEQ});
  const argc = c[${ARGC}];
  if (argc < 0) break;
  const a = Array.from(c.subarray(${ARGS}, ${ARGS} + argc));
  try { e.filter_grad(...a); } catch (err) { c[${FAILED}] = 1; }
  Atomics.store(c, ${DONE}, seq);
  Atomics.notify(c, ${DONE});
}
`;

export interface SimdPool {
  /** Helper count (the main thread works too). */
  readonly helpers: number;
  /** Starts filter_grad(args) on helper i (returns at once). */
  startFilterGrad(i: number, args: number[]): void;
  /** Waits until helper i has finished its job. */
  wait(i: number): void;
}

export function createSimdPool(module: WebAssembly.Module, memory: WebAssembly.Memory, helpers: number): SimdPool {
  const ctls = Array.from({ length: helpers }, () => new Int32Array(new SharedArrayBuffer(4 * SLOTS)));
  for (const ctl of ctls) {
    const w = new Worker(HELPER, { eval: true, workerData: { module, memory, ctl: ctl.buffer } });
    w.unref();
  }
  return {
    helpers,
    startFilterGrad(i, args) {
      const c = ctls[i];
      if (args.length > FAILED - ARGS) throw new Error('simd pool: too many arguments');
      c[ARGC] = args.length;
      c.set(args.map((v) => v | 0), ARGS);
      Atomics.add(c, SEQ, 1);
      Atomics.notify(c, SEQ);
    },
    wait(i) {
      const c = ctls[i];
      const seq = Atomics.load(c, SEQ);
      while (Atomics.load(c, DONE) !== seq) Atomics.wait(c, DONE, Atomics.load(c, DONE));
      if (c[FAILED]) { c[FAILED] = 0; throw new Error('simd pool: filter_grad failed on a helper thread'); }
    },
  };
}
