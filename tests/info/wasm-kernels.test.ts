/**
 * The information engine's WebAssembly kernels (gemm.c, rank.c → gemm-wasm.ts): the copula ranks
 * of rank.c against the JavaScript copnormRow, and the committed base64 against a rebuild.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copnorm, copnormRow } from '@/workers/info/copnorm';
import { createDotKernel, dotBlock, kernelThreads, setKernelThreads } from '@/workers/info/gemm';
import { Rng } from '@/workers/info/permutation-rng';

/** Rows that exercise the rank kernel: normal data, ties, ±0, huge offsets with tiny spread, constants. */
function awkwardRows(rows: number, n: number): Float64Array {
  const rng = new Rng(11);
  const x = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const kind = r % 6;
    for (let t = 0; t < n; t++) {
      const z = rng.normal();
      x[r * n + t] =
        kind === 0 ? z
        : kind === 1 ? Math.round(z * 3) / 3 // many ties
        : kind === 2 ? (t % 3 === 0 ? -0 : t % 3 === 1 ? 0 : z) // signed zeros
        : kind === 3 ? 1e4 + z * 1e-9 // values sharing their high word
        : kind === 4 ? 7.5 // constant
        : z * 10 ** Math.round(z * 30); // wide exponent range, subnormal-free
    }
  }
  return x;
}

describe('rank.c (copula normalisation in wasm)', () => {
  it('gives exactly the JavaScript ranks and repeat counts, row by row', () => {
    for (const n of [1, 2, 7, 100, 1001]) {
      const rows = 24;
      const x = awkwardRows(rows, n);
      const repeated = new Int32Array(rows);
      const fast = copnorm(x, rows, n, undefined, repeated); // ≥ 8 rows: the wasm path
      const one = new Float64Array(n);
      for (let r = 0; r < rows; r++) {
        const rep = copnormRow(x.subarray(r * n, (r + 1) * n), one);
        expect(Array.from(fast.subarray(r * n, (r + 1) * n)), `n ${n} row ${r}`).toEqual(Array.from(one));
        expect(repeated[r], `repeats, n ${n} row ${r}`).toBe(rep);
      }
    }
  });

  it('a permutation of the N normal scores per row, in chunks across many rows', () => {
    const rows = 700; // more rows than one wasm call takes (1 MB of input)
    const n = 400;
    const x = awkwardRows(rows, n).map((v, i) => (Math.floor(i / n) % 6 === 4 ? i : v));
    const out = copnorm(x, rows, n);
    const ref = Float64Array.from({ length: n }, (_, t) => t);
    const scores = new Float64Array(n);
    copnormRow(ref, scores); // scores in rank order
    for (const r of [0, 5, 350, 699]) expect(Float64Array.from(out.subarray(r * n, (r + 1) * n)).sort()).toEqual(Float64Array.from(scores).sort());
  });
});

describe('gemm.c dot kernels', () => {
  it('float64 wasm equals the JavaScript dotBlock; float32 agrees to a relative 1e-6', () => {
    const rng = new Rng(3);
    for (const [rows, n, nb] of [[7, 5, 5], [9, 257, 7], [14, 1000, 12], [3, 513, 1]] as const) {
      const a = Float64Array.from({ length: rows * n }, () => rng.normal());
      const y = Float64Array.from({ length: nb * n }, () => rng.normal());
      const ref = new Float64Array(rows * nb);
      dotBlock(a, rows, n, y, nb, ref);
      const k64 = createDotKernel(rows, n, nb, 'f64');
      k64.a.set(a);
      const g64 = k64.run(y, nb);
      const k32 = createDotKernel(rows, n, nb, 'f32');
      k32.a.set(a);
      const g32 = k32.run(y, nb);
      expect(k32.engine).toBe('wasm-simd-f32');
      for (let i = 0; i < rows * nb; i++) {
        expect(g64[i]).toBeCloseTo(ref[i], 10);
        expect(Math.abs(g32[i] - ref[i])).toBeLessThan(1e-6 * Math.sqrt(n) * 4);
      }
    }
  });
});

describe('f32 kernel memory reuse (release)', () => {
  it('a released kernel\'s memory serves the next f32 kernel, with the same products; the released one refuses work', () => {
    const rng = new Rng(8);
    const [rows, n, nb] = [30, 300, 9];
    const a = Float64Array.from({ length: rows * n }, () => rng.normal());
    const y = Float64Array.from({ length: nb * n }, () => rng.normal());
    const first = createDotKernel(rows, n, nb, 'f32');
    first.setRows(0, a);
    const want = Array.from(first.run(y, nb).subarray(0, rows * nb));
    const firstOut = first.run(y, nb);
    first.release();
    expect(() => first.run(y, nb)).toThrow(/after release/);
    // a bigger kernel takes the released memory (grown) and overwrites it: garbage from before must not leak in
    const big = createDotKernel(rows * 2, n, nb, 'f32');
    expect(firstOut.buffer.byteLength).toBe(0); // the released memory was taken and grown (growing detaches old views)
    big.setRows(0, a);
    big.setRows(rows, a.map((v) => -v));
    const got = big.run(y, nb);
    for (let r = 0; r < rows; r++)
      for (let b = 0; b < nb; b++) {
        expect(got[r * nb + b]).toBe(want[r * nb + b]);
        expect(got[(rows + r) * nb + b]).toBe(-want[r * nb + b]);
      }
  });
});

describe('gemm-threads (the f32 kernel with a work-stealing helper thread)', () => {
  it('gives exactly the single-thread products, block after block', () => {
    const rows = 1005; // rows × n ≥ 1e6: the helper starts
    const n = 1000;
    const prev = kernelThreads();
    try {
      setKernelThreads(1);
      const one = createDotKernel(rows, n, 24, 'f32');
      setKernelThreads(2);
      const two = createDotKernel(rows, n, 24, 'f32');
      expect(two.a.buffer).toBeInstanceOf(SharedArrayBuffer);
      for (let i = 0; i < rows * n; i++) one.a[i] = two.a[i] = Math.sin(i * 1.3);
      // blocks until the helper has taken part (it starts at the first block and may wait for a core)
      const t0 = Date.now();
      for (let k = 0; k < 4 || (two.helperChunks === 0 && Date.now() - t0 < 15_000); k++) {
        const nb = [24, 7, 24, 1][k % 4];
        const y = Float64Array.from({ length: nb * n }, (_, i) => Math.cos(i * 0.7 + nb + k));
        expect(Array.from(two.run(y, nb).subarray(0, rows * nb))).toEqual(Array.from(one.run(y, nb).subarray(0, rows * nb)));
      }
      expect(two.helperChunks).toBeGreaterThan(0);
      expect(one.helperChunks).toBeUndefined();
    } finally {
      setKernelThreads(prev);
    }
  });
});

const hasClang = spawnSync('clang-14', ['--version']).status === 0 && spawnSync('wasm-ld-14', ['--version']).status === 0;
describe.skipIf(!hasClang)('workers/info wasm build (needs clang-14, lld-14)', () => {
  it('a rebuild of gemm.c and rank.c reproduces the committed gemm-wasm.ts byte for byte', () => {
    const dir = path.resolve(__dirname, '../../workers/info');
    const out = mkdtempSync(path.join(tmpdir(), 'info-wasm-'));
    try {
      execFileSync('sh', [path.join(dir, 'build-gemm-wasm.sh')], { env: { ...process.env, OUT: out }, stdio: 'pipe' });
      expect(readFileSync(path.join(out, 'gemm-wasm.ts'), 'utf8')).toBe(readFileSync(path.join(dir, 'gemm-wasm.ts'), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
