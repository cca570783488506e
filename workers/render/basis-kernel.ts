/**
 * Identity sums (workers/faces identitySum: the base plus Σ w_k · row_k, rounded to float32 after every
 * row) in WebAssembly (basis.c, in the raster module): the same bytes as applyIdentitySum, about twice as
 * fast (f64x2 lanes, blocks of the sum kept in cache while each row streams past). The rows live in the
 * kernel's own linear memory, copied there once per array (ICT: ~72 MB for positions and albedo), so
 * there is one kernel per face model and thread (BasisKernel.forModel), made on demand.
 */
import type { FaceModel, IdentitySum } from '../faces';
import { rasterModule } from './raster-kernels';

interface Exports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  sum_rows(n: number, base: number, out: number, K: number, rows: number, w: number): void;
}

const kernels = new WeakMap<FaceModel, BasisKernel>();

export class BasisKernel {
  private readonly x: Exports;
  /** Where each copied array starts in linear memory (bytes). */
  private readonly at = new Map<Float32Array, number>();
  private end: number;
  /** Row pointers [K] and weights [K] of one sum, and the sum [n], reallocated when they grow. */
  private scratch = { rows: 0, w: 0, out: 0, K: 0, n: 0 };

  private constructor(mod: WebAssembly.Module) {
    this.x = new WebAssembly.Instance(mod, {}).exports as unknown as Exports;
    this.end = Math.ceil((this.x.__heap_base.value as number) / 16) * 16;
  }

  /** The kernel of `model` on this thread, or null where WebAssembly (with SIMD) is unavailable. */
  static forModel(model: FaceModel): BasisKernel | null {
    let k = kernels.get(model);
    if (!k) {
      const mod = rasterModule();
      if (!mod) return null;
      k = new BasisKernel(mod);
      kernels.set(model, k);
    }
    return k;
  }

  /** Computes `s` into out [n] (the bytes of workers/faces applyIdentitySum). */
  sum(s: IdentitySum, out: Float32Array): Float32Array {
    const n = s.base.length;
    if (out.length !== n) throw new Error(`BasisKernel.sum: out has length ${out.length}, the sum ${n}`);
    let K = 0;
    for (const t of s.terms) K += t.weights.length;
    const base = this.place(s.base);
    for (const t of s.terms) this.place(t.rows);
    const sc = this.scratchFor(K, n);
    const mem = this.x.memory.buffer;
    const rows = new Int32Array(mem, sc.rows, K), w = new Float64Array(mem, sc.w, K);
    let m = 0;
    for (const t of s.terms) {
      const at = this.at.get(t.rows)!;
      for (let k = 0; k < t.weights.length; k++) {
        const wk = t.weights[k] * (t.scales ? t.scales[k] : 1); // as workers/faces accumulate
        if (wk === 0) continue;
        rows[m] = at + k * n * 4;
        w[m++] = wk;
      }
    }
    this.x.sum_rows(n, base, sc.out, m, sc.rows, sc.w);
    out.set(new Float32Array(this.x.memory.buffer, sc.out, n));
    if (s.clamp01) for (let i = 0; i < n; i++) out[i] = out[i] < 0 ? 0 : out[i] > 1 ? 1 : out[i];
    return out;
  }

  /** Copies `a` into linear memory on first use; its offset. */
  private place(a: Float32Array): number {
    let at = this.at.get(a);
    if (at === undefined) {
      at = this.take(a.length * 4);
      new Float32Array(this.x.memory.buffer, at, a.length).set(a);
      this.at.set(a, at);
    }
    return at;
  }

  private scratchFor(K: number, n: number) {
    const sc = this.scratch;
    if (K > sc.K || n > sc.n) this.scratch = { rows: this.take(K * 4), w: this.take(K * 8), out: this.take(n * 4), K, n };
    return this.scratch;
  }

  /** `bytes` more of linear memory (16-byte aligned), growing it as needed. */
  private take(bytes: number): number {
    const at = this.end;
    this.end += Math.ceil(bytes / 16) * 16;
    const mem = this.x.memory, pages = Math.ceil(this.end / 65536) - mem.buffer.byteLength / 65536;
    if (pages > 0) mem.grow(pages);
    return at;
  }
}
