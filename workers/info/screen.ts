/**
 * The maximum-statistic null of a cc map (statistic 'mi') without computing every product exactly.
 *
 * Only the largest R² over variables matters for each permutation. An int16 kernel (gemm.c,
 * dot_block_i16: eight multiply-adds per instruction, twice the float32 rate, half the bytes)
 * gives every dot product z_r · y_π up to a proven bound; the few variables that could hold the
 * maximum are then recomputed exactly (float64 sums over the kernel's float32 z), so the maxima are
 * those of float64 arithmetic on the float32 matrix, not approximations.
 *
 * Quantisation: q = round(s_v z) per variable v (s_v a power of two, so s_v z is exact), and
 * p = round(s_y y) for the response (the same multiset of values for every permutation). With
 * z = (q + δ)/s_v and y = (p + ε)/s_y, |δ|, |ε| ≤ ½:
 *   |z·y − q·p/(s_v s_y)| ≤ (½ Σ|q| + ½ Σ|p| + ¼ n) / (s_v s_y) = e_r      (per row r)
 * and for the vector d of a variable's dims, ‖d − d̂‖ ≤ E_v = √(Σ e_r²), so ‖d‖ ∈ [‖d̂‖ − E_v, ‖d̂‖ + E_v].
 * A variable is a candidate for permutation b when ‖d̂‖ + E_v ≥ L_b = max_v (‖d̂_v‖ − E_v); the
 * variable with the largest lower bound is always one, so the maximum over the candidates' exact R²
 * is the maximum over all variables. Scales keep ‖q_r‖·‖p‖ < 2³¹, so by Cauchy-Schwarz every
 * partial sum in the kernel (a sum over a subset of trials) fits in int32: the integer sums are exact.
 * With unit-variance z and y (n = 1,000) the bound is about 0.4% of the largest null ‖d‖, and about
 * one or two variables per permutation are recomputed.
 */
import { instantiate, loadWasm } from './gemm';
import { type ScreenHelper, loadSharedWasm, startScreenHelper } from './screen-threads';

const I32_LIMIT = 2147483647 * (1 - 1e-9);
/** float64 values per quantize_vars call (1 MB: the chunk stays in cache) */
const SCRATCH_VALUES = 1 << 17;

function pow2Floor(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const s = 2 ** Math.floor(Math.log2(x));
  return s > x ? s / 2 : s; // log2 may round up just below a power of two
}

type Instance = ReturnType<typeof instantiate>;
/** A released screen's wasm instance, kept for the next screen of this process (fresh pages fault on first touch). */
let spare: Instance | null = null;

/** Exact Σ_t a[row][t]·y[yOff + t] over the caller's matrix (float64 sums). */
export type ExactDot = (row: number, y: Float64Array, yOff: number) => number;

/** An instance of the shared-memory build on a fresh shared memory with `bytes` past its heap base. */
function sharedInstance(mod: WebAssembly.Module, bytes: number): Instance {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((bytes + (2 << 20)) / 65536), maximum: 65536, shared: true });
  const instance = new WebAssembly.Instance(mod, { env: { memory } });
  const base = Math.ceil(((instance.exports.__heap_base as WebAssembly.Global).value as number) / 16) * 16;
  return { exports: instance.exports, memory, base };
}

export class NullScreen {
  readonly npad: number;
  private readonly inst: Instance;
  private readonly p: Int16Array;
  private readonly out: Int32Array;
  private readonly qOff: number;
  private readonly pOff: number;
  private readonly outOff: number;
  private readonly zOff: number;
  private readonly invOff: number;
  private readonly errOff: number;
  /** screen_pass's buffers: bad flags, low bounds per response, candidates (cap of them) */
  private readonly cap: number;
  private readonly badOff: number;
  private readonly lowOff: number;
  private readonly candOff: number;
  private readonly candHiOff: number;
  private readonly badView: Uint8Array;
  private readonly low: Float64Array;
  private readonly cand: Int32Array;
  private readonly candHi: Float64Array;
  /** variables per quantize_vars call, and their float64 scratch in wasm memory */
  private readonly scratchVars: number;
  private readonly scratch: Float64Array;
  /** per variable: 1/(s_v s_y) and E_v (dot-product units) */
  private readonly inv: Float64Array;
  private readonly err: Float64Array;
  private readonly sy: number;
  private readonly normP: number;
  private readonly normY: number;
  private readonly sumAbsP: number;
  private released = false;
  private readonly helper: ScreenHelper | null = null;
  /** row chunks the helper thread computed (diagnostics), or null without one */
  get helped(): number | null {
    return this.helper ? this.helper.helped : null;
  }

  /** exact recomputations so far (diagnostics: about one or two per permutation) */
  recomputed = 0;

  /** y: the response as the null uses it (zero mean), [trial]; every block is a permutation of it. */
  constructor(
    readonly nVar: number,
    readonly d: number,
    readonly n: number,
    readonly maxCols: number,
    y: Float64Array,
    /** 2: the int16 kernel shares its rows with a helper thread (screen-threads.ts), on a shared memory */
    kernelThreads = 1,
  ) {
    const mod = loadWasm();
    if (!mod) throw new Error('NullScreen: WebAssembly SIMD is not available');
    const npad = (this.npad = Math.ceil(n / 8) * 8);
    const rows = nVar * d;
    const qBytes = rows * npad * 2;
    const pBytes = maxCols * npad * 2;
    const outBytes = rows * maxCols * 4;
    this.scratchVars = Math.max(1, Math.floor(SCRATCH_VALUES / (d * n)));
    const zBytes = this.scratchVars * d * n * 8;
    const align = (b: number) => Math.ceil(b / 16) * 16;
    this.cap = Math.ceil((nVar * maxCols) / 8) + 1024;
    const passBytes = align(nVar) + align(maxCols * 8) + align(this.cap * 4) + align(this.cap * 8);
    const bytes = align(qBytes) + align(pBytes) + align(outBytes) + align(zBytes) + 2 * align(nVar * 8) + passBytes;
    const shared = kernelThreads >= 2 && nVar * d * n >= 1e6 ? loadSharedWasm() : null;
    const inst = shared ? sharedInstance(shared, bytes) : (spare ?? instantiate(mod, bytes));
    if (!shared) spare = null;
    const grow = Math.ceil((inst.base + bytes) / 65536) - inst.memory.buffer.byteLength / 65536;
    if (grow > 0) inst.memory.grow(grow);
    this.inst = inst;
    this.qOff = inst.base;
    this.pOff = this.qOff + align(qBytes);
    this.outOff = this.pOff + align(pBytes);
    this.zOff = this.outOff + align(outBytes);
    this.invOff = this.zOff + align(zBytes);
    this.errOff = this.invOff + align(nVar * 8);
    const buf = inst.memory.buffer;
    this.p = new Int16Array(buf, this.pOff, maxCols * npad);
    this.out = new Int32Array(buf, this.outOff, rows * maxCols);
    this.scratch = new Float64Array(buf, this.zOff, this.scratchVars * d * n);
    this.inv = new Float64Array(buf, this.invOff, nVar);
    this.err = new Float64Array(buf, this.errOff, nVar);
    this.badOff = this.errOff + align(nVar * 8);
    this.lowOff = this.badOff + align(nVar);
    this.candOff = this.lowOff + align(maxCols * 8);
    this.candHiOff = this.candOff + align(this.cap * 4);
    this.badView = new Uint8Array(buf, this.badOff, nVar);
    this.low = new Float64Array(buf, this.lowOff, maxCols);
    this.cand = new Int32Array(buf, this.candOff, this.cap);
    this.candHi = new Float64Array(buf, this.candHiOff, this.cap);
    this.p.fill(0); // the padding stays zero
    if (shared) {
      const dot = inst.exports.dot_block_i16 as (a: number, rows: number, npad: number, y: number, nb: number, out: number) => void;
      this.helper = startScreenHelper(shared, inst.memory, { qOff: this.qOff, pOff: this.pOff, outOff: this.outOff, rows, npad }, dot);
    }
    let ymax = 0;
    let yy = 0;
    for (let t = 0; t < n; t++) {
      ymax = Math.max(ymax, Math.abs(y[t]));
      yy += y[t] * y[t];
    }
    this.normY = Math.sqrt(yy);
    let sy = pow2Floor(Math.min(32767 / ymax, Math.sqrt(I32_LIMIT) / Math.sqrt(yy)));
    for (;;) {
      let pp = 0;
      let pa = 0;
      let ok = true;
      for (let t = 0; t < n; t++) {
        const v = Math.round(y[t] * sy);
        if (v > 32767 || v < -32767) ok = false;
        pp += v * v;
        pa += Math.abs(v);
      }
      if (ok || sy < 2 ** -40) {
        this.sy = sy;
        this.normP = Math.sqrt(pp);
        this.sumAbsP = pa;
        break;
      }
      sy /= 2;
    }
  }

  /**
   * Quantise whole variables v0.. from their float64 z ([variable][dim][trial]), in gemm.c
   * (quantize_vars): from Math.fround of the values, the float32 matrix that the kernel's exact
   * recomputation uses. Copied into wasm memory a chunk of about 1 MB at a time.
   */
  setVariables(v0: number, z: Float64Array): void {
    if (this.released) throw new Error('NullScreen: used after release()');
    const { d, n, npad } = this;
    const m = z.length / (d * n);
    const per = this.scratchVars;
    const quantize = this.inst.exports.quantize_vars as (...a: number[]) => void;
    for (let c0 = 0; c0 < m; c0 += per) {
      const k = Math.min(per, m - c0);
      this.scratch.set(z.subarray(c0 * d * n, (c0 + k) * d * n));
      const v = v0 + c0;
      quantize(this.zOff, k, d, n, npad, this.qOff + v * d * npad * 2, this.normP, this.sumAbsP, this.sy, this.normY, this.invOff + v * 8, this.errOff + v * 8);
    }
  }

  /**
   * The largest R²·(n−1)²·cyy (the squared norm of the dims' dot products) over variables, for each
   * permutation of the block yb ([perm][trial], nb ≤ maxCols); variables with bad[v] are skipped
   * (−∞ when all are). `exact` gives the float64 dot product of a matrix row with a response.
   */
  maxima(yb: Float64Array, nb: number, bad: Uint8Array, exact: ExactDot, out: Float64Array): void {
    if (this.released) throw new Error('NullScreen: used after release()');
    const { n, npad, p, d, nVar } = this;
    const sy = this.sy;
    for (let b = 0; b < nb; b++)
      for (let t = 0; t < n; t++) p[b * npad + t] = Math.round(yb[b * n + t] * sy);
    const dot = this.inst.exports.dot_block_i16 as (a: number, rows: number, npad: number, y: number, nb: number, out: number) => void;
    if (this.helper) this.helper.run(nb);
    else {
      // in chunks of rows: V8 runs a wasm function's first calls in its baseline tier and only later
      // calls in optimised code (no on-stack replacement), so one call per block would leave the
      // whole first block, about a tenth of a 1,000-permutation null, 3-4 times slower
      const rows = nVar * d;
      const step = Math.max(3, Math.ceil(rows / 48 / 3) * 3);
      for (let r0 = 0; r0 < rows; r0 += step) dot(this.qOff + r0 * npad * 2, Math.min(step, rows - r0), npad, this.pOff, nb, this.outOff + r0 * nb * 4);
    }
    this.badView.set(bad.subarray(0, nVar));
    const pass = this.inst.exports.screen_pass as (...a: number[]) => number;
    const count = pass(this.outOff, nVar, d, nb, this.invOff, this.errOff, this.badOff, this.lowOff, this.candOff, this.candHiOff, this.cap);
    out.fill(-Infinity, 0, nb);
    if (count > this.cap) {
      this.passJs(nb, bad, exact, yb, out); // more possible candidates than the buffer holds (never seen)
      return;
    }
    const { low, cand, candHi } = this;
    for (let k = 0; k < count; k++) {
      const vb = cand[k];
      const b = vb % nb;
      if (candHi[k] < low[b]) continue;
      this.exactMax((vb - b) / nb, b, yb, exact, out);
    }
  }

  /** out[b] = max(out[b], the exact squared norm of variable v's dot products with response b) */
  private exactMax(v: number, b: number, yb: Float64Array, exact: ExactDot, out: Float64Array): void {
    const { d, n } = this;
    let s = 0;
    for (let i = 0; i < d; i++) {
      const c = exact(v * d + i, yb, b * n);
      s += c * c;
    }
    this.recomputed++;
    if (s > out[b]) out[b] = s;
  }

  /** screen_pass in JavaScript, keeping every candidate (the fallback when they overflow its buffer). */
  private passJs(nb: number, bad: Uint8Array, exact: ExactDot, yb: Float64Array, out: Float64Array): void {
    const { d, nVar, inv, err } = this;
    const g = this.out;
    const low = new Float64Array(nb).fill(-Infinity);
    const hiOf = new Float64Array(nVar * nb).fill(-Infinity);
    for (let v = 0; v < nVar; v++) {
      if (bad[v]) continue;
      for (let b = 0; b < nb; b++) {
        let s = 0;
        for (let i = 0; i < d; i++) {
          const c = g[(v * d + i) * nb + b];
          s += c * c;
        }
        const dh = Math.sqrt(s) * inv[v];
        hiOf[v * nb + b] = dh + err[v];
        low[b] = Math.max(low[b], dh - err[v]);
      }
    }
    for (let v = 0; v < nVar; v++) for (let b = 0; b < nb; b++) if (!bad[v] && hiOf[v * nb + b] >= low[b]) this.exactMax(v, b, yb, exact, out);
  }

  /** Done: the wasm memory serves the next screen of this process; maxima() throws afterwards. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.helper) this.helper.terminate();
    else spare = this.inst;
  }
}
