/**
 * Copula normalisation (Ince et al. 2017, eq. 2): replace each value by the standard normal
 * quantile of its empirical CDF, ndtri(rank / (N + 1)) with ranks 1..N. Ties are broken by sample
 * order (a stable sort), as the reference does, so the output is always a permutation of the same
 * N normal quantiles and has exactly zero mean up to rounding.
 */
import { instantiate, loadWasm } from './gemm';
import { ndtri } from './special';
import { checkFinite } from './validate';

const quantileTables = new Map<number, Float64Array>();

/** The N normal scores ndtri(r / (N + 1)), r = 1..N, cached per N. */
export function normalScores(n: number): Float64Array {
  let t = quantileTables.get(n);
  if (!t) {
    t = new Float64Array(n);
    for (let r = 0; r < n; r++) t[r] = ndtri((r + 1) / (n + 1));
    if (quantileTables.size > 32) quantileTables.clear();
    quantileTables.set(n, t);
  }
  return t;
}

/** Scratch buffers for copnormRow, reusable across rows of the same length. */
export class RankScratch {
  readonly keys: Float64Array;
  readonly words: Uint32Array;
  readonly idx: Uint32Array;
  readonly tmp: Uint32Array;
  readonly key: Uint32Array;
  readonly count = new Uint32Array(256);
  constructor(readonly n: number) {
    this.keys = new Float64Array(n);
    this.words = new Uint32Array(this.keys.buffer);
    this.idx = new Uint32Array(n);
    this.tmp = new Uint32Array(n);
    this.key = new Uint32Array(n);
  }
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Order of the values, stable (ties keep sample order). An LSD radix sort, 8 bits per pass, on the
 * high 32 bits of each double mapped to unsigned order (negative: flip all bits; positive: flip the
 * sign bit) puts the values in order up to their low mantissa bits; a final insertion pass on the
 * full values (then sample index) fixes the rare neighbours that share the high word. Passes whose
 * byte is equal for every value are skipped. Returns scratch.idx.
 */
export function stableOrder(row: ArrayLike<number>, s: RankScratch): Uint32Array {
  const n = s.n;
  const { keys, words, count } = s;
  const hiOff = littleEndian ? 1 : 0;
  for (let i = 0; i < n; i++) keys[i] = row[i] === 0 ? 0 : row[i]; // −0 ranks as +0, as in a comparison sort
  const key = s.key;
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + hiOff];
    key[i] = h & 0x80000000 ? ~h >>> 0 : (h ^ 0x80000000) >>> 0;
  }
  let idx = s.idx;
  let tmp = s.tmp;
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let shift = 0; shift < 32; shift += 8) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(key[i] >>> shift) & 255]++;
    if (count[(key[0] >>> shift) & 255] === n) continue; // one bucket: nothing to reorder
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let j = 0; j < n; j++) {
      const i = idx[j];
      tmp[count[(key[i] >>> shift) & 255]++] = i;
    }
    const t = idx;
    idx = tmp;
    tmp = t;
  }
  if (idx !== s.idx) s.idx.set(idx);
  idx = s.idx;
  // insertion pass on the full values: nearly sorted input, so about n comparisons
  for (let j = 1; j < n; j++) {
    const i = idx[j];
    const v = keys[i];
    let m = j - 1;
    while (m >= 0 && (keys[idx[m]] > v || (keys[idx[m]] === v && idx[m] > i))) {
      idx[m + 1] = idx[m];
      m--;
    }
    idx[m + 1] = i;
  }
  return idx;
}

/**
 * Copula-normalise one row into `out` (length n): value of rank r (0-based) → ndtri((r+1)/(n+1)).
 * Returns how many values repeat an earlier one (n − distinct values; n − 1 for a constant row).
 */
export function copnormRow(row: ArrayLike<number>, out: Float64Array, scratch = new RankScratch(out.length)): number {
  const order = stableOrder(row, scratch);
  const scores = normalScores(out.length);
  const keys = scratch.keys;
  let repeated = 0;
  out[order[0]] = scores[0];
  for (let r = 1; r < out.length; r++) {
    out[order[r]] = scores[r];
    if (keys[order[r]] === keys[order[r - 1]]) repeated++;
  }
  return repeated;
}

/**
 * Copula-normalise every row of x, laid out [row][trial] with `rows` × `trials` values (a
 * multi-dimensional variable [dim][trial], or a whole map [variable][dim][trial] with
 * rows = variables × dims). Returns a new Float64Array of the same layout (or fills `out`, which
 * may not be x itself); each row independently. `repeated` (length rows), if given, receives each
 * row's count of repeated values (the reference warns above 10%; trials − 1 means constant).
 */
export function copnorm(x: Float64Array | readonly number[], rows = 1, trials = x.length / rows, out?: Float64Array, repeated?: Int32Array): Float64Array {
  checkShape(x, rows, trials);
  checkFinite(x, 'x');
  return copnormFinite(x, rows, trials, out, repeated);
}

function checkShape(x: ArrayLike<number>, rows: number, trials: number): void {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows: must be a positive integer, got ${rows}`);
  if (!Number.isInteger(trials) || trials < 1 || rows * trials !== x.length)
    throw new RangeError(`x: has ${x.length} values, expected rows × trials = ${rows} × ${trials}`);
}

/** copnorm of values the caller has already checked to be finite (permutation.ts checks each chunk once). */
export function copnormFinite(x: Float64Array | readonly number[], rows = 1, trials = x.length / rows, out?: Float64Array, repeated?: Int32Array): Float64Array {
  checkShape(x, rows, trials);
  if (out && out.length < x.length) throw new RangeError(`out: has ${out.length} values, needs ${x.length}`);
  out ??= new Float64Array(x.length);
  const src = x instanceof Float64Array ? x : Float64Array.from(x);
  if (rows >= WASM_MIN_ROWS && copnormWasm(src, rows, trials, out, repeated)) return out;
  const scratch = new RankScratch(trials);
  for (let r = 0; r < rows; r++) {
    const rep = copnormRow(src.subarray(r * trials, (r + 1) * trials), out.subarray(r * trials, (r + 1) * trials), scratch);
    if (repeated) repeated[r] = rep;
  }
  return out;
}

/** Below this many rows the JavaScript path is as fast (no copies in and out of wasm memory). */
const WASM_MIN_ROWS = 8;
/** Rows per call into wasm: about 1 MB of input, copied in, ranked, copied out. */
const CHUNK_BYTES = 1 << 20;

interface Ranker {
  n: number;
  chunkRows: number;
  run: (rows: number) => void;
  x: Float64Array;
  out: Float64Array;
  repeated: Int32Array;
}
let ranker: Ranker | null | undefined;

/** One instance of rank.c for rows of n trials, kept for the next call with the same n. */
function rankerFor(n: number): Ranker | null {
  if (ranker && ranker.n === n) return ranker;
  const mod = loadWasm();
  if (!mod) return (ranker = null);
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / (8 * n)));
  // layout past the heap base: scores [n] f64, x [chunkRows][n] f64, out [chunkRows][n] f64,
  // items [n] u64, tmp [n] u64, count [4][256] u32, repeated [chunkRows] i32
  const scoresOff = 0;
  const xOff = scoresOff + n * 8;
  const outOff = xOff + chunkRows * n * 8;
  const itemsOff = outOff + chunkRows * n * 8;
  const tmpOff = itemsOff + n * 8;
  const countOff = tmpOff + n * 8;
  const repOff = countOff + 4 * 256 * 4;
  const { exports, memory, base } = instantiate(mod, repOff + chunkRows * 4);
  const fn = exports.copnorm_rows as (...args: number[]) => void;
  new Float64Array(memory.buffer, base + scoresOff, n).set(normalScores(n));
  ranker = {
    n,
    chunkRows,
    run: (rows) => fn(base + xOff, rows, n, base + scoresOff, base + outOff, base + repOff, base + itemsOff, base + tmpOff, base + countOff),
    x: new Float64Array(memory.buffer, base + xOff, chunkRows * n),
    out: new Float64Array(memory.buffer, base + outOff, chunkRows * n),
    repeated: new Int32Array(memory.buffer, base + repOff, chunkRows),
  };
  return ranker;
}

/** copnorm through rank.c (the same ranks, ties and repeat counts as copnormRow); false without wasm. */
function copnormWasm(x: Float64Array, rows: number, n: number, out: Float64Array, repeated?: Int32Array): boolean {
  const rk = rankerFor(n);
  if (!rk) return false;
  for (let r0 = 0; r0 < rows; r0 += rk.chunkRows) {
    const m = Math.min(rk.chunkRows, rows - r0);
    rk.x.set(x.subarray(r0 * n, (r0 + m) * n));
    rk.run(m);
    out.set(rk.out.subarray(0, m * n), r0 * n);
    if (repeated) repeated.set(rk.repeated.subarray(0, m), r0);
  }
  return true;
}
