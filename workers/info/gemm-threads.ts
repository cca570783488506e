/**
 * A helper thread for the float32 dot kernel (gemm.ts, engine 'f32'): the rows of each block are
 * cut into chunks that the calling thread and one worker thread claim in turn (work stealing on an
 * atomic counter), so a worker that gets no core (a busy machine) costs at most the chunk it holds;
 * run() stays synchronous. The worker is plain JavaScript (no TypeScript loader: it starts in tens
 * of milliseconds), holds its own instance of gemm.c with its own float32 copy of the matrix (made
 * from the SharedArrayBuffer float64 matrix while the caller works), and copies each finished chunk
 * into a shared output that the caller gathers.
 *
 * Shared control words (Int32Array): SEQ block number; NB responses in the block; CLAIM
 * (SEQ & 0x7fff) << 16 | next chunk, claimed by compare-and-swap so that a claim can never land
 * in another block; DONE chunks finished; READY 1 once the worker holds its copy of the matrix.
 */
import { Worker } from 'node:worker_threads';

import { DONE, SEQ, helperLoopSource, shareChunks } from './chunk-claims';

const READY = DONE + 1;

/** Rows per chunk (a multiple of 3, the kernel's tile). */
export function chunkRows(rows: number): number {
  return Math.max(3, Math.ceil(rows / 48 / 3) * 3);
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { mod, a64, ctlBuf, yBuf, outBuf, rows, n, maxCols, chunk } = workerData;
const ctl = new Int32Array(ctlBuf);
const inst = new WebAssembly.Instance(mod, {});
const mem = inst.exports.memory;
const base = Math.ceil(inst.exports.__heap_base.value / 16) * 16;
const aOff = base, yOff = aOff + rows * n * 4, outOff = Math.ceil((yOff + maxCols * n * 4) / 8) * 8;
const need = Math.ceil((outOff + rows * maxCols * 8) / 65536) - mem.buffer.byteLength / 65536;
if (need > 0) mem.grow(need);
new Float32Array(mem.buffer, aOff, rows * n).set(new Float64Array(a64, 0, rows * n));
const y32 = new Float32Array(mem.buffer, yOff, maxCols * n);
const ySh = new Float32Array(yBuf);
const outSh = new Float64Array(outBuf);
const dot = inst.exports.dot_block_f32;
const chunks = Math.ceil(rows / chunk);
Atomics.store(ctl, ${READY}, 1);
${helperLoopSource(
  'dot(aOff + r0 * n * 4, r1 - r0, n, yOff, nb, outOff + r0 * nb * 8); outSh.set(new Float64Array(mem.buffer, outOff + r0 * nb * 8, (r1 - r0) * nb), r0 * nb);',
  'y32.set(ySh.subarray(0, nb * n));',
)}`;

export interface HelperThread {
  /**
   * Run one block: `own(r0, r1)` computes rows r0..r1 into the caller's output (rows × nb at
   * r·nb); chunks the helper computed are copied into `out` from the shared output afterwards.
   */
  block(nb: number, ySource: Float32Array, own: (r0: number, r1: number) => void, out: Float64Array): void;
  /** chunks the helper has computed so far */
  readonly helped: number;
  terminate(): void;
}

/** Starts the helper; `a64` must live on a SharedArrayBuffer and be filled before the first block. */
export function startHelper(mod: WebAssembly.Module, a64: Float64Array, rows: number, n: number, maxCols: number): HelperThread {
  const chunk = chunkRows(rows);
  const chunks = Math.ceil(rows / chunk);
  if (chunks > 0xffff) throw new RangeError(`rows: ${rows} makes too many chunks`);
  const ctl = new Int32Array(new SharedArrayBuffer(8 * 4));
  const ySh = new Float32Array(new SharedArrayBuffer(maxCols * n * 4));
  const outSh = new Float64Array(new SharedArrayBuffer(rows * maxCols * 8));
  let worker: Worker | null = null;
  const started = () => {
    // started at the first block, once the caller has filled a64 (the worker copies it at start)
    if (worker) return;
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { mod, a64: a64.buffer, ctlBuf: ctl.buffer, yBuf: ySh.buffer, outBuf: outSh.buffer, rows, n, maxCols, chunk } });
    worker.unref();
    worker.on('error', () => {}); // a failed helper leaves every chunk to the caller
  };
  let seq = 0;
  let helped = 0;
  const mine = new Uint8Array(chunks);
  return {
    get helped() {
      return helped;
    },
    block(nb, ySource, own, out) {
      started();
      seq = (seq + 1) & 0x3fffffff;
      ySh.set(ySource.subarray(0, nb * n));
      mine.fill(0);
      const helperChunks = shareChunks(ctl, seq, nb, chunks, (c) => {
        own(c * chunk, Math.min(rows, (c + 1) * chunk));
        mine[c] = 1;
      }, 'permutation kernel: the helper thread stopped mid-block (kernel threads 1 avoids it)');
      helped += helperChunks;
      if (helperChunks > 0)
        for (let c = 0; c < chunks; c++) {
          if (mine[c]) continue;
          const r0 = c * chunk;
          const r1 = Math.min(rows, r0 + chunk);
          out.set(outSh.subarray(r0 * nb, r1 * nb), r0 * nb);
        }
    },
    terminate() {
      Atomics.store(ctl, SEQ, -1);
      Atomics.notify(ctl, SEQ);
      void worker?.terminate();
    },
  };
}
