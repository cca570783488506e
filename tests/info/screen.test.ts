/**
 * The int16 screen of the cc permutation null (workers/info/screen.ts, gemm.c dot_block_i16):
 * exact integer products, and maxima equal to the float64 engine's wherever the screen is used.
 */
import { describe, expect, it } from 'vitest';
import { copnorm } from '@/workers/info/copnorm';
import { instantiate, kernelThreads, loadWasm, setKernelThreads } from '@/workers/info/gemm';
import { NullEvaluator, buildModelCC, nullMaxima } from '@/workers/info/nullmodel';
import { permutationMaxStatSync, permutations } from '@/workers/info/permutation';
import { Rng } from '@/workers/info/permutation-rng';
import { NullScreen } from '@/workers/info/screen';

describe('gemm.c dot_block_i16', () => {
  it('gives the exact integer dot products over odd tile and padding sizes', () => {
    const rng = new Rng(21);
    const mod = loadWasm()!;
    for (const [rows, npad, nb] of [[7, 8, 5], [9, 16, 7], [14, 1000, 12], [3, 520, 1], [1, 8, 4]] as const) {
      const q = Int16Array.from({ length: rows * npad }, () => Math.round(rng.normal() * 3000));
      const p = Int16Array.from({ length: nb * npad }, () => Math.round(rng.normal() * 3000));
      const { exports, memory, base } = instantiate(mod, q.byteLength + p.byteLength + rows * nb * 4 + 32);
      new Int16Array(memory.buffer, base, q.length).set(q);
      const pOff = base + q.byteLength;
      new Int16Array(memory.buffer, pOff, p.length).set(p);
      const outOff = pOff + p.byteLength;
      (exports.dot_block_i16 as (...a: number[]) => void)(base, rows, npad, pOff, nb, outOff);
      const out = new Int32Array(memory.buffer, outOff, rows * nb);
      for (let r = 0; r < rows; r++)
        for (let b = 0; b < nb; b++) {
          let s = 0;
          for (let t = 0; t < npad; t++) s += q[r * npad + t] * p[b * npad + t];
          expect(out[r * nb + b], `${rows}×${npad}×${nb} [${r}][${b}]`).toBe(s);
        }
    }
  });
});

describe('NullScreen (the default cc null for the MI statistic)', () => {
  it('gives the float64 maxima where many variables are nearly tied, with degenerate variables and odd sizes', () => {
    const rng = new Rng(5);
    for (const [nVar, d, n, nPerm] of [[40, 3, 203, 50], [25, 1, 97, 40], [12, 2, 1001, 30], [9, 4, 64, 30]] as const) {
      // variable v is a slightly perturbed copy of variable 0: the null maxima of all of them are near ties
      const x = new Float64Array(nVar * d * n);
      for (let i = 0; i < d * n; i++) x[i] = rng.normal();
      for (let v = 1; v < nVar; v++) for (let i = 0; i < d * n; i++) x[v * d * n + i] = x[i] + 1e-3 * rng.normal();
      // the last variable has two identical dims: whitening leaves rounding noise blown up to huge
      // values (a tiny quantisation scale); the one before is marked degenerate and must be skipped
      if (d > 1) for (let t = 0; t < n; t++) x[((nVar - 1) * d + 1) * n + t] = x[(nVar - 1) * d * n + t];
      const y = Float64Array.from({ length: n }, () => rng.normal());
      const model = buildModelCC(copnorm(x, nVar * d, n), nVar, d, n, copnorm(y, 1, n), true, false);
      model.bad[nVar - 2] = 1;
      const perms = permutations(nPerm, n, 3);
      const f64 = nullMaxima(model, perms, 0, nPerm, { type: 'mi' }, 'f64');
      const ev = new NullEvaluator(model);
      const screened = ev.maxima(perms, 0, nPerm);
      expect(ev.screened).toBeGreaterThanOrEqual(nPerm); // at least one exact variable per permutation
      for (let p = 0; p < nPerm; p++) expect(Math.abs(screened[p] - f64[p]), `${nVar}×${d}×${n} perm ${p}`).toBeLessThan(1e-8);
      ev.release();
    }
  });

  it('recomputes about one variable per permutation on a null map, and the whole test keeps its mask', () => {
    const rng = new Rng(9);
    const [nVar, d, n, nPerm] = [300, 3, 400, 99];
    const x = Float64Array.from({ length: nVar * d * n }, () => rng.normal());
    const y = Float64Array.from({ length: n }, () => rng.normal());
    for (let v = 0; v < 3; v++) for (let t = 0; t < n; t++) x[v * d * n + t] += 0.6 * y[t];
    const model = buildModelCC(copnorm(x, nVar * d, n), nVar, d, n, copnorm(y, 1, n), true, false);
    const perms = permutations(nPerm, n, 1);
    const ev = new NullEvaluator(model);
    ev.maxima(perms, 0, nPerm);
    expect(ev.screened! / nPerm).toBeLessThan(4);
    ev.release();
    const r = permutationMaxStatSync({ x, nVar, nDim: d, nTrial: n, y, nPerm, seed: 1 });
    const f64 = nullMaxima(model, permutations(nPerm, n, 1), 0, nPerm, { type: 'mi' }, 'f64');
    for (let p = 0; p < nPerm; p++) expect(Math.abs(r.maxNull[p] - f64[p])).toBeLessThan(1e-8);
    expect(Array.from(r.mask.subarray(0, 3))).toEqual([1, 1, 1]);
  });

  it('rows with a spike (|q| would pass 32767) or all zeros: the scale halves, the maxima stay exact', () => {
    const rng = new Rng(13);
    const [nVar, d, n, nb] = [6, 2, 250, 5];
    const z = Float64Array.from({ length: nVar * d * n }, () => rng.normal());
    z[3 * d * n + 17] = 150; // variable 3: one trial far out
    z.fill(0, 5 * d * n, 6 * d * n); // variable 5: zeros
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const yb = new Float64Array(nb * n);
    for (let b = 0; b < nb; b++) {
      const perm = rng.permutation(n, new Int32Array(n));
      for (let t = 0; t < n; t++) yb[b * n + t] = y[perm[t]];
    }
    const exact = (row: number, yy: Float64Array, off: number) => {
      let s = 0;
      for (let t = 0; t < n; t++) s += Math.fround(z[row * n + t]) * yy[off + t];
      return s;
    };
    const screen = new NullScreen(nVar, d, n, nb, y);
    screen.setVariables(0, z.subarray(0, 3 * d * n));
    screen.setVariables(3, z.subarray(3 * d * n)); // in two calls, as permutation.ts does chunk by chunk
    const got = new Float64Array(nb);
    screen.maxima(yb, nb, new Uint8Array(nVar), exact, got);
    for (let b = 0; b < nb; b++) {
      let want = -Infinity;
      for (let v = 0; v < nVar; v++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += exact(v * d + i, yb, b * n) ** 2;
        want = Math.max(want, s);
      }
      expect(got[b]).toBe(want);
    }
    screen.release();
    expect(() => screen.maxima(yb, nb, new Uint8Array(nVar), exact, got)).toThrow(/after release/);
  });

  it('identical variables (all tied, every one a candidate: more than the wasm pass keeps) give the float64 maxima', () => {
    const rng = new Rng(17);
    const [nVar, d, n, nPerm] = [200, 2, 60, 96];
    const one = Float64Array.from({ length: d * n }, () => rng.normal());
    const x = new Float64Array(nVar * d * n);
    for (let v = 0; v < nVar; v++) x.set(one, v * d * n);
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const model = buildModelCC(copnorm(x, nVar * d, n), nVar, d, n, copnorm(y, 1, n), true, false);
    const perms = permutations(nPerm, n, 2);
    const f64 = nullMaxima(model, perms, 0, nPerm, { type: 'mi' }, 'f64');
    const ev = new NullEvaluator(model);
    const got = ev.maxima(perms, 0, nPerm);
    expect(ev.screened).toBe(nVar * nPerm); // all of them, through the JavaScript fallback
    for (let p = 0; p < nPerm; p++) expect(Math.abs(got[p] - f64[p])).toBeLessThan(1e-8);
    ev.release();
  });

  it('a non-finite value in a later chunk of the map is reported with its index in the whole map', () => {
    const rng = new Rng(23);
    const [nVar, d, n] = [100, 3, 500]; // 87 variables per chunk of the chunked build
    const x = Float64Array.from({ length: nVar * d * n }, () => rng.normal());
    const y = Float64Array.from({ length: n }, () => rng.normal());
    x[90 * d * n + 7] = Infinity;
    expect(() => permutationMaxStatSync({ x, nVar, nDim: d, nTrial: n, y, nPerm: 19 })).toThrow(/^x: value 135007 is Infinity/);
  });

  it('with a helper thread on a shared memory (kernel threads 2): exactly the single-thread maxima', () => {
    const rng = new Rng(29);
    const [nVar, d, n, nPerm] = [350, 3, 1000, 96 * 3]; // rows × n ≥ 1e6: the helper starts
    const x = Float64Array.from({ length: nVar * d * n }, () => rng.normal());
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const model = buildModelCC(copnorm(x, nVar * d, n), nVar, d, n, copnorm(y, 1, n), true, false);
    const perms = permutations(nPerm, n, 4);
    const prev = kernelThreads();
    try {
      setKernelThreads(1);
      const one = new NullEvaluator(model);
      const want = one.maxima(perms, 0, nPerm);
      one.release();
      setKernelThreads(2);
      const two = new NullEvaluator(model);
      const screen = (two as unknown as { screen: NullScreen }).screen;
      // blocks until the helper has taken part (it starts at the first block and may wait for a core)
      const t0 = Date.now();
      for (let k = 0; k < 1 || (screen.helped === 0 && Date.now() - t0 < 15_000); k++) expect(Array.from(two.maxima(perms, 0, nPerm))).toEqual(Array.from(want));
      expect(screen.helped).toBeGreaterThan(0);
      two.release();
    } finally {
      setKernelThreads(prev);
    }
  });
});
