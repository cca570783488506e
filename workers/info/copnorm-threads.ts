/**
 * A helper thread for copnorm's wasm path (rank.c), used when the output lives on a
 * SharedArrayBuffer (the permutation test's float32 kernel with its helper thread builds its matrix
 * there): the rows are cut into chunks that the calling thread and one worker claim in turn from an
 * atomic counter (work stealing), so a worker that gets no core, or starts late, costs nothing
 * beyond the chunk it holds; copnorm stays synchronous. The data are ranked in place: `data` holds
 * the raw rows on entry and the copula-normalised rows on return (each chunk is copied into wasm
 * memory before its result is written back). The worker is plain JavaScript (it starts in tens of
 * milliseconds) with its own instance of the module; it writes each row's repeat count into a
 * shared array.
 *
 * Shared control words (Int32Array): CLAIM next chunk; DONE chunks finished; READY 1 once `data`
 * holds the raw rows (the caller fills it while the worker starts).
 */
import { Worker } from 'node:worker_threads';

const CLAIM = 0;
const DONE = 1;
const READY = 2;

/** Memory layout of one rank.c instance for rows of n trials (byte offsets past the heap base). */
export interface RankLayout {
  n: number;
  chunkRows: number;
  scoresOff: number;
  xOff: number;
  outOff: number;
  itemsOff: number;
  tmpOff: number;
  countOff: number;
  repOff: number;
  bytes: number;
}

export function rankLayout(n: number, chunkRows: number): RankLayout {
  // scores [n] f64, x [chunkRows][n] f64, out [chunkRows][n] f64, items [n] u64, tmp [n] u64,
  // count [4][256] u32, repeated [chunkRows] i32
  const scoresOff = 0;
  const xOff = scoresOff + n * 8;
  const outOff = xOff + chunkRows * n * 8;
  const itemsOff = outOff + chunkRows * n * 8;
  const tmpOff = itemsOff + n * 8;
  const countOff = tmpOff + n * 8;
  const repOff = countOff + 4 * 256 * 4;
  return { n, chunkRows, scoresOff, xOff, outOff, itemsOff, tmpOff, countOff, repOff, bytes: repOff + chunkRows * 4 };
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { mod, dataBuf, repBuf, ctlBuf, rows, L, scores } = workerData;
const ctl = new Int32Array(ctlBuf);
const data = new Float64Array(dataBuf);
const rep = new Int32Array(repBuf);
const inst = new WebAssembly.Instance(mod, {});
const mem = inst.exports.memory;
const base = Math.ceil(inst.exports.__heap_base.value / 16) * 16;
const need = Math.ceil((base + L.bytes) / 65536) - mem.buffer.byteLength / 65536;
if (need > 0) mem.grow(need);
const n = L.n;
new Float64Array(mem.buffer, base + L.scoresOff, n).set(scores);
const xw = new Float64Array(mem.buffer, base + L.xOff, L.chunkRows * n);
const ow = new Float64Array(mem.buffer, base + L.outOff, L.chunkRows * n);
const rw = new Int32Array(mem.buffer, base + L.repOff, L.chunkRows);
const fn = inst.exports.copnorm_rows;
const chunks = Math.ceil(rows / L.chunkRows);
Atomics.wait(ctl, ${READY}, 0);
for (;;) {
  const c = Atomics.add(ctl, ${CLAIM}, 1);
  if (c >= chunks) break;
  const r0 = c * L.chunkRows, m = Math.min(L.chunkRows, rows - r0);
  xw.set(data.subarray(r0 * n, (r0 + m) * n));
  fn(base + L.xOff, m, n, base + L.scoresOff, base + L.outOff, base + L.repOff, base + L.itemsOff, base + L.tmpOff, base + L.countOff);
  data.set(ow.subarray(0, m * n), r0 * n);
  rep.set(rw.subarray(0, m), r0);
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

/**
 * Copula-normalise `rows` rows of n trials in place in `data` (SharedArrayBuffer-backed) on the
 * calling thread and one helper: `fill()` puts the raw rows into data (run while the worker
 * starts); `own(r0, m)` ranks rows r0..r0+m−1 of data in place on the
 * calling thread and writes their repeat counts into `repeated` at r0. The helper's repeat counts
 * are copied into `repeated` at the end. Returns the chunks the helper ranked.
 */
export function copnormShared(mod: WebAssembly.Module, data: Float64Array, rows: number, L: RankLayout, scores: Float64Array, repeated: Int32Array, fill: () => void, own: (r0: number, m: number) => void): number {
  const chunks = Math.ceil(rows / L.chunkRows);
  const ctl = new Int32Array(new SharedArrayBuffer(3 * 4));
  const repSh = new Int32Array(new SharedArrayBuffer(rows * 4));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { mod, dataBuf: data.buffer, repBuf: repSh.buffer, ctlBuf: ctl.buffer, rows, L, scores } });
  worker.unref();
  worker.on('error', () => {}); // a failed helper leaves every chunk to the caller
  fill();
  Atomics.store(ctl, READY, 1);
  Atomics.notify(ctl, READY);
  let done = 0;
  const mine = new Uint8Array(chunks);
  for (;;) {
    const c = Atomics.add(ctl, CLAIM, 1);
    if (c >= chunks) break;
    const r0 = c * L.chunkRows;
    own(r0, Math.min(L.chunkRows, rows - r0));
    mine[c] = 1;
    done++;
    Atomics.add(ctl, DONE, 1);
  }
  // the helper's last chunk; one that stops mid-chunk (short of a crash it cannot) fails the call after a minute
  let last = Atomics.load(ctl, DONE);
  for (let since = Date.now(), d = last; d < chunks; d = Atomics.load(ctl, DONE)) {
    if (d !== last) [last, since] = [d, Date.now()];
    else if (Date.now() - since > 60_000) throw new Error('copnorm: the helper thread stopped mid-chunk (DEEPER_INFO_KERNEL_THREADS=1 avoids it)');
    Atomics.wait(ctl, DONE, d, 20);
  }
  for (let c = 0; c < chunks; c++) {
    if (mine[c]) continue;
    const r0 = c * L.chunkRows;
    repeated.set(repSh.subarray(r0, Math.min(rows, r0 + L.chunkRows)), r0);
  }
  return chunks - done;
}
