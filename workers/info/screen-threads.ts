/**
 * A helper thread for the null screen's int16 kernel (screen.ts, dot_block_i16), on one shared
 * WebAssembly.Memory: the screen's whole memory (quantised matrix, responses, output) is shared,
 * the helper instantiates the same code (the shared-memory build of gemm.c) on it, and both threads
 * claim chunks of rows in turn (work stealing on an atomic counter) and write their products
 * straight into the one output. Nothing is copied; a helper that gets no core (a busy machine)
 * costs at most the chunk it holds. The helper only ever calls dot_block_i16, which uses no stack,
 * so the two instances' shadow stacks (one region of the shared memory) never meet.
 *
 * Shared control words (Int32Array): SEQ block number (−1: stop); NB responses in the block; CLAIM
 * (SEQ & 0x7fff) << 16 | next chunk, claimed by compare-and-swap so that a claim can never land in
 * another block; DONE chunks finished.
 */
import { Worker } from 'node:worker_threads';
import { SEQ, helperLoopSource, shareChunks } from './chunk-claims';
import { GEMM_WASM_SHARED_BASE64 } from './gemm-wasm';

let sharedModule: WebAssembly.Module | null | undefined;

/** The shared-memory build of gemm.c and rank.c, or null where threads or WebAssembly SIMD are missing. */
export function loadSharedWasm(): WebAssembly.Module | null {
  if (sharedModule === undefined) {
    try {
      if (typeof SharedArrayBuffer === 'undefined') throw new Error('no SharedArrayBuffer');
      sharedModule = new WebAssembly.Module(Uint8Array.from(atob(GEMM_WASM_SHARED_BASE64), (c) => c.charCodeAt(0)));
    } catch {
      sharedModule = null;
    }
  }
  return sharedModule;
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { mod, memory, ctlBuf, qOff, pOff, outOff, rows, npad, chunk } = workerData;
const ctl = new Int32Array(ctlBuf);
const dot = new WebAssembly.Instance(mod, { env: { memory } }).exports.dot_block_i16;
const chunks = Math.ceil(rows / chunk);
${helperLoopSource('dot(qOff + r0 * npad * 2, r1 - r0, npad, pOff, nb, outOff + r0 * nb * 4);')}`;

export interface ScreenLayout {
  qOff: number;
  pOff: number;
  outOff: number;
  rows: number;
  npad: number;
}

export interface ScreenHelper {
  /** dot_block_i16 over all rows for nb responses, shared with the helper; returns when every chunk is done */
  run(nb: number): void;
  /** chunks the helper has computed so far */
  readonly helped: number;
  terminate(): void;
}

/** `dot` is the calling thread's dot_block_i16 on the same shared memory. */
export function startScreenHelper(mod: WebAssembly.Module, memory: WebAssembly.Memory, layout: ScreenLayout, dot: (a: number, rows: number, npad: number, y: number, nb: number, out: number) => void): ScreenHelper {
  const { qOff, pOff, outOff, rows, npad } = layout;
  const chunk = Math.max(3, Math.ceil(rows / 48 / 3) * 3);
  const chunks = Math.ceil(rows / chunk);
  if (chunks > 0xffff) throw new RangeError(`rows: ${rows} makes too many chunks`);
  const ctl = new Int32Array(new SharedArrayBuffer(8 * 4));
  let worker: Worker | null = null;
  let seq = 0;
  let helped = 0;
  return {
    get helped() {
      return helped;
    },
    run(nb) {
      if (!worker) {
        worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { mod, memory, ctlBuf: ctl.buffer, ...layout, chunk } });
        worker.unref();
        worker.on('error', () => {}); // a failed helper leaves every chunk to the caller
      }
      seq = (seq + 1) & 0x3fffffff;
      helped += shareChunks(ctl, seq, nb, chunks, (c) => {
        const r0 = c * chunk;
        const r1 = Math.min(rows, r0 + chunk);
        dot(qOff + r0 * npad * 2, r1 - r0, npad, pOff, nb, outOff + r0 * nb * 4);
      }, 'null screen: the helper thread stopped mid-block (kernel threads 1 avoids it)');
    },
    terminate() {
      Atomics.store(ctl, SEQ, -1);
      Atomics.notify(ctl, SEQ);
      void worker?.terminate();
    },
  };
}
