// InformationMap kernels, the permutation null and TFCE.
import { describe, expect, it } from 'vitest';
import { gcmiCC, gcmiMapCC, gcmiMapCD, gcmiModelCD, setWarningHandler } from '@/workers/info';
import { buildModelCC, buildModelCD, nullMaxima } from '@/workers/info/nullmodel';
import { fwerThreshold, maxStatInference, permutationMaxStat, permutationMaxStatSync, permutations } from '@/workers/info/permutation';
import { Rng } from '@/workers/info/permutation-rng';
import { clusterMass, gridAdjacency, meshAdjacency, tfce, tfceGrid, tfceMesh } from '@/workers/info/tfce';
import { copnorm } from '@/workers/info/copnorm';

const rng = new Rng(5);

/** A map [variable][dim][trial] where the first `informative` variables carry y in dim 0. */
function makeMap(nVar: number, nDim: number, n: number, informative: number, gain = 0.6) {
  const x = new Float64Array(nVar * nDim * n).map(() => rng.normal());
  const y = new Float64Array(n).map(() => rng.normal());
  for (let v = 0; v < informative; v++) for (let t = 0; t < n; t++) x[v * nDim * n + t] += gain * y[t];
  return { x, y };
}
const variable = (x: Float64Array, v: number, d: number, n: number) =>
  Array.from({ length: d }, (_, i) => x.subarray((v * d + i) * n, (v * d + i + 1) * n));

describe('map API', () => {
  it('gcmiMapCC equals gcmiCC for every variable, for 1 to 4 dims', () => {
    for (const d of [1, 2, 3, 4]) {
      const { x, y } = makeMap(7, d, 150, 2);
      const map = gcmiMapCC(x, 7, d, 150, y);
      for (let v = 0; v < 7; v++) expect(map[v]).toBeCloseTo(gcmiCC(variable(x, v, d, 150), y), 12);
    }
  });
  it('gcmiMapCD equals gcmiModelCD for every variable', () => {
    const { x } = makeMap(6, 3, 240, 0);
    const y = Int32Array.from({ length: 240 }, (_, t) => t % 3);
    for (let t = 0; t < 240; t++) x[t] += y[t]; // variable 0 depends on the class
    const map = gcmiMapCD(x, 6, 3, 240, y, 3);
    for (let v = 0; v < 6; v++) expect(map[v]).toBeCloseTo(gcmiModelCD(variable(x, v, 3, 240), y, 3), 12);
    expect(map[0]).toBeGreaterThan(0.3);
  });
  it('errors name the argument; constant variables give NaN with a warning', () => {
    expect(() => gcmiMapCC(new Float64Array(10), 2, 1, 6, new Float64Array(6))).toThrow(/^x: has 10 values, expected nVar × nDim × nTrial = 12/);
    expect(() => gcmiMapCC(new Float64Array(12), 2, 1, 6, new Float64Array(5))).toThrow(/^y: has 5 values/);
    expect(() => gcmiMapCC(new Float64Array(12), 2, 3, 2, new Float64Array(2))).toThrow(/^nTrial: 2 trials is too few/);
    expect(() => gcmiMapCD(new Float64Array(12), 2, 1, 6, [0, 0, 0, 0, 0, 0], 2)).toThrow(/^y: class 1 is empty/);
    const messages: string[] = [];
    const prev = setWarningHandler((m) => messages.push(m));
    try {
      const { x, y } = makeMap(3, 2, 50, 0);
      x.fill(1, 150, 200); // variable 1, dim 1 constant
      for (const copnorm of [false, true]) {
        const map = gcmiMapCC(x, 3, 2, 50, y, { copnorm });
        expect(Number.isNaN(map[1])).toBe(true);
        expect(Number.isFinite(map[0]) && Number.isFinite(map[2])).toBe(true);
      }
      expect(messages).toEqual([expect.stringMatching(/^x: 1 variable\(s\) have a constant dimension/), expect.stringMatching(/^x: 1 variable/)]);
      messages.length = 0;
      for (let t = 0; t < 10; t++) x[2 * 2 * 50 + t] = 0; // variable 2, dim 0: 10 of 50 values equal
      gcmiMapCD(x, 3, 2, 50, Int32Array.from(y, (v) => (v > 0 ? 1 : 0)), 2);
      expect(messages).toContainEqual(expect.stringMatching(/^x: 1 row\(s\) have more than 10% repeated values \(first: variable 2, dim 0\)/));
      const r = permutationMaxStatSync({ x, nVar: 3, nDim: 2, nTrial: 50, y, nPerm: 19 });
      expect(Number.isNaN(r.mi[1]) && Number.isNaN(r.pFwer[1]) && r.mask[1] === 0).toBe(true);
      expect(() => gcmiMapCC(x, 3, 2, 50, new Float64Array(50).fill(2))).toThrow(/^y: is constant/);
    } finally {
      setWarningHandler(prev);
    }
  });
});

describe('permutation null', () => {
  it('the identity permutation reproduces the observed map (cc and cd engines)', () => {
    const n = 120;
    const { x, y } = makeMap(10, 3, n, 3);
    const cx = copnorm(x, 30, n);
    const cy = copnorm(y, 1, n);
    const identity = Int32Array.from({ length: n }, (_, t) => t);
    const map = gcmiMapCC(x, 10, 3, n, y);
    const modelCC = buildModelCC(cx, 10, 3, n, cy, true, false);
    expect(nullMaxima(modelCC, identity, 0, 1, { type: 'mi' }, 'f64')[0]).toBeCloseTo(Math.max(...map), 12);
    // the default cc engine multiplies in float32 (sums in float64): a relative ~1e-7 of R²
    expect(Math.abs(nullMaxima(modelCC, identity, 0, 1)[0] - Math.max(...map))).toBeLessThan(1e-6 * Math.max(...map));
    const labels = Int32Array.from(y, (v) => (v > 0.4 ? 2 : v > -0.4 ? 1 : 0));
    const mapD = gcmiMapCD(x, 10, 3, n, labels, 3);
    expect(nullMaxima(buildModelCD(cx, 10, 3, n, labels, 3, true, false), identity, 0, 1)[0]).toBeCloseTo(Math.max(...mapD), 12);
  });

  it('finds the informative variables at FWER 0.05 and controls false positives', () => {
    const n = 200;
    const { x, y } = makeMap(60, 3, n, 4);
    const r = permutationMaxStatSync({ x, nVar: 60, nDim: 3, nTrial: n, y, nPerm: 199, seed: 7 });
    expect(Array.from(r.mask.subarray(0, 4))).toEqual([1, 1, 1, 1]);
    expect(r.mask.subarray(4).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
    expect(r.pFwer[0]).toBe(1 / 200);
    expect(r.maxNull.length).toBe(199);
    // threshold is the 10th largest null maximum: stat > threshold ⇔ p ≤ alpha
    const sorted = Array.from(r.maxNull).sort((a, b) => b - a);
    expect(r.threshold).toBe(sorted[9]);
    for (let v = 0; v < 60; v++) expect(r.mask[v] === 1).toBe(r.pFwer[v] <= 0.05);
  });

  it('discrete y, and worker threads give exactly the single-thread result for the same seed', async () => {
    const n = 150;
    const { x, y } = makeMap(40, 2, n, 2, 1.2);
    const labels = Int32Array.from(y, (v) => (v > 0 ? 1 : 0));
    const one = permutationMaxStatSync({ x, nVar: 40, nDim: 2, nTrial: n, y: labels, k: 2, nPerm: 99, seed: 3 });
    expect(Array.from(one.mask.subarray(0, 2))).toEqual([1, 1]);
    const two = await permutationMaxStat({ x, nVar: 40, nDim: 2, nTrial: n, y: labels, k: 2, nPerm: 99, seed: 3, threads: 2 });
    expect(two.maxNull).toEqual(one.maxNull);
    expect(two.mi).toEqual(one.mi);
  });

  it('cc null: float32 kernel against float64 and JavaScript over odd sizes, TFCE-style whole maps, and threads', async () => {
    for (const [nVar, d, n, nPerm] of [[7, 3, 61, 13], [5, 2, 300, 100], [4, 1, 517, 7]] as const) {
      const { x, y } = makeMap(nVar, d, n, 1);
      const model = buildModelCC(copnorm(x, nVar * d, n), nVar, d, n, copnorm(y, 1, n), true, false);
      const perms = permutations(nPerm, n, 5);
      const f64 = nullMaxima(model, perms, 0, nPerm, { type: 'mi' }, 'f64');
      const js = nullMaxima(model, perms, 0, nPerm, { type: 'mi' }, 'js');
      const f32 = nullMaxima(model, perms, 0, nPerm, { type: 'mi' }, 'f32');
      const screened = nullMaxima(model, perms, 0, nPerm); // 'auto': the int16 screen, exact float64 sums for the candidates
      for (let p = 0; p < nPerm; p++) {
        expect(f64[p]).toBeCloseTo(js[p], 12);
        expect(Math.abs(f32[p] - f64[p])).toBeLessThan(1e-7); // bits: R² (~d/n here) to a relative ~1e-6
        // float64 sums over the float32 matrix: only z's float32 rounding (relative ~6e-8 of R²) remains
        expect(Math.abs(screened[p] - f64[p])).toBeLessThan(1e-8);
      }
      // chunks of the permutations give the same maxima as one call (the kernel's blocking does not matter)
      const parts = Float64Array.from([...nullMaxima(model, perms, 0, 5), ...nullMaxima(model, perms, 5, nPerm)]);
      expect(parts).toEqual(screened);
    }
    const { x, y } = makeMap(30, 3, 200, 2);
    const one = permutationMaxStatSync({ x, nVar: 30, nDim: 3, nTrial: 200, y, nPerm: 150, seed: 9 });
    const two = await permutationMaxStat({ x, nVar: 30, nDim: 3, nTrial: 200, y, nPerm: 150, seed: 9, threads: 2 });
    expect(two.maxNull).toEqual(one.maxNull);
  });

  it('p-values and threshold by hand', () => {
    const r = maxStatInference(Float64Array.of(0.5, 3.5, 10), Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19), 0.1);
    // alpha·(P+1) = 2 → threshold = 2nd largest = 18
    expect(r.threshold).toBe(18);
    expect(Array.from(r.pFwer)).toEqual([20 / 20, 17 / 20, 11 / 20]);
    expect(() => permutationMaxStatSync({ x: new Float64Array(30), nVar: 1, nDim: 1, nTrial: 30, y: new Float64Array(30), nPerm: 0 })).toThrow(/^nPerm/);
  });

  it('one FWER threshold rule: rank tolerance, too few permutations, NaN maxima, ties', () => {
    const oneTo = (n: number) => Float64Array.from({ length: n }, (_, i) => i + 1);
    // alpha·(P+1) = 0.29·100 = 28.999999999999996 in floating point: still the 29th largest (99 - 29 + 1 = 71)
    expect(0.29 * 100).toBeLessThan(29);
    expect(fwerThreshold(oneTo(99), 0.29)).toBe(71);
    // P = 18 < 1/0.05 − 1 = 19: no permutation count reaches alpha → +∞, and P = 0 → +∞
    expect(fwerThreshold(oneTo(18), 0.05)).toBe(Infinity);
    expect(fwerThreshold(oneTo(19), 0.05)).toBe(19);
    expect(fwerThreshold(new Float64Array(0), 0.05)).toBe(Infinity);
    // a NaN null maximum counts as +∞: with 1..18 and one NaN (P = 19, alpha = 0.1) the 2nd largest is 18, not 17
    const withNaN = Float64Array.of(...oneTo(18), NaN);
    expect(fwerThreshold(withNaN, 0.1)).toBe(18);
    const r = maxStatInference(Float64Array.of(18, 18.5, NaN), withNaN, 0.1);
    // ties: a statistic equal to the threshold is not significant; p counts null maxima >= it (NaN as +∞)
    expect(Array.from(r.mask)).toEqual([0, 1, 0]);
    expect(r.pFwer[0]).toBeCloseTo(3 / 20, 15); // 18 and NaN (+∞) are >= 18, plus the observed one
    expect(r.pFwer[1]).toBeCloseTo(2 / 20, 15);
    expect(r.pFwer[2]).toBeNaN();
    expect(() => fwerThreshold(oneTo(99), 0)).toThrow(/^alpha: must lie in \(0, 1\)/);
    expect(() => fwerThreshold(oneTo(99), Number.NaN)).toThrow(/alpha/);
  });
});

describe('TFCE and cluster mass', () => {
  it('matches a hand-computed chain: values 1, 2, 1 with 2 steps', () => {
    // dh = 1. h = 2: cluster {1}, e = 1 → vertex 1 gets 1^0.5·2²·1 = 4.
    // h = 1: cluster {0,1,2}, e = 3 → every vertex gets √3·1²·1.
    const adj = meshAdjacency([0, 1, 1, 1, 2, 2], 3); // degenerate triangles make the edges 0-1, 1-2
    const t = tfce(Float64Array.of(1, 2, 1), adj, { steps: 2 });
    expect(t[0]).toBeCloseTo(Math.sqrt(3), 14);
    expect(t[1]).toBeCloseTo(4 + Math.sqrt(3), 14);
    expect(t[2]).toBeCloseTo(Math.sqrt(3), 14);
  });

  it('mesh adjacency from triangles and an image grid', () => {
    // two triangles sharing edge 1-2: 0-1-2, 1-3-2
    const adj = meshAdjacency(Uint32Array.of(0, 1, 2, 1, 3, 2), 4);
    expect(Array.from(adj.indices.subarray(adj.offsets[0], adj.offsets[1]))).toEqual([1, 2]);
    expect(Array.from(adj.indices.subarray(adj.offsets[1], adj.offsets[2]))).toEqual([0, 2, 3]);
    // 3×3 grid, 4-connected: a peak in the centre and one isolated corner of the same height
    const img = Float64Array.of(0, 0, 4, 0, 4, 0, 0, 0, 0);
    const g4 = tfceGrid(img, 3, 3, { connectivity: 4, steps: 4 });
    // both peaks alone at every level: Σ_{h=1..4} 1·h²·1 = 30
    expect(g4[4]).toBeCloseTo(30, 12);
    expect(g4[2]).toBeCloseTo(30, 12);
    // 8-connected they touch diagonally: extent 2 at every level → 30·√2
    expect(tfceGrid(img, 3, 3, { connectivity: 8, steps: 4 })[4]).toBeCloseTo(30 * Math.SQRT2, 12);
    expect(gridAdjacency(2, 2, 4).indices.length).toBe(8);
  });

  it('larger supported clusters are enhanced more than an isolated peak of the same height; weights scale extent', () => {
    const values = Float64Array.of(1, 1, 1, 1, 0, 1);
    const adj = meshAdjacency([0, 1, 2, 1, 2, 3, 4, 5, 4], 6); // 0-3 connected, 5 apart
    const t = tfceMesh(values, adj);
    expect(t[0]).toBeGreaterThan(t[5]);
    const weighted = tfce(values, adj, { weights: Float64Array.of(4, 4, 4, 4, 4, 4) });
    expect(weighted[0]).toBeCloseTo(2 * t[0], 12);
  });

  it('cluster mass sums the values of connected supra-threshold vertices', () => {
    const adj = gridAdjacency(1, 6, 4);
    const r = clusterMass(Float64Array.of(3, 2, 0.5, 4, 4, 0), adj, 1);
    expect(Array.from(r.labels)).toEqual([0, 0, -1, 1, 1, -1]);
    expect(Array.from(r.masses)).toEqual([5, 8]);
    expect(Array.from(r.vertexMass)).toEqual([5, 5, 0, 8, 8, 0]);
    expect(() => tfce(new Float64Array(5), adj)).toThrow(/^values: has 5 entries/);
  });

  it('permutation test with TFCE and with cluster mass on a mesh', () => {
    // a strip mesh of 30 vertices; vertices 10..14 share the signal, weakly each
    const nVar = 30;
    const tris: number[] = [];
    for (let v = 0; v + 2 < nVar; v++) tris.push(v, v + 1, v + 2);
    const adjacency = meshAdjacency(tris, nVar);
    const n = 200;
    const { x, y } = makeMap(nVar, 1, n, 0);
    for (let v = 10; v < 15; v++) for (let t = 0; t < n; t++) x[v * n + t] += 0.3 * y[t];
    const base = { x, nVar, nDim: 1, nTrial: n, y, nPerm: 99, seed: 2 };
    const rt = permutationMaxStatSync({ ...base, statistic: { type: 'tfce', adjacency } });
    expect(rt.mask.subarray(10, 15).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
    expect(rt.mask.subarray(0, 8).reduce((a, b) => a + b, 0)).toBe(0);
    const rc = permutationMaxStatSync({ ...base, statistic: { type: 'clusterMass', adjacency, threshold: 0.01 } });
    expect(rc.mask[12]).toBe(1);
    expect(rc.statistic[12]).toBeGreaterThan(rc.mi[12]);
  });
});

describe('maps over worker threads', () => {
  it('gcmiMapCCParallel and gcmiMapCDParallel give exactly the single-thread maps', async () => {
    const { gcmiMapCCParallel, gcmiMapCDParallel } = await import('@/workers/info/map-threads');
    const n = 100;
    const { x, y } = makeMap(21, 3, n, 3);
    expect(await gcmiMapCCParallel(x, 21, 3, n, y, { threads: 2 })).toEqual(gcmiMapCC(x, 21, 3, n, y));
    const labels = Int32Array.from(y, (v) => (v > 0 ? 1 : 0));
    expect(await gcmiMapCDParallel(x, 21, 3, n, labels, 2, { threads: 2 })).toEqual(gcmiMapCD(x, 21, 3, n, labels, 2));
  });
});

describe('the cc null model built chunk by chunk into the kernel (permutation.ts, one thread)', () => {
  it('equals the whole-map build (worker threads) bit for bit across chunks, with constant and degenerate variables warned once', async () => {
    const own = new Rng(21);
    const [nVar, d, n] = [500, 3, 200]; // 218 variables per 1 MB chunk: three chunks
    const x = Float64Array.from({ length: nVar * d * n }, () => own.normal());
    const y = Float64Array.from({ length: n }, () => own.normal());
    for (let v = 0; v < 5; v++) for (let t = 0; t < n; t++) x[v * d * n + t] += 0.6 * y[t];
    x.fill(2.5, (300 * d + 1) * n, (300 * d + 2) * n); // variable 300: a constant dimension
    x.copyWithin((450 * d + 2) * n, (450 * d) * n, (450 * d + 1) * n); // variable 450: dims 0 and 2 equal (degenerate)
    for (let t = 0; t < n; t++) x[(100 * d + 1) * n + t] = Math.round(x[(100 * d + 1) * n + t]); // variable 100: many ties
    const run = async (threads: number) => {
      const messages: string[] = [];
      const prev = setWarningHandler((m) => messages.push(m));
      try {
        const r = await permutationMaxStat({ x, nVar, nDim: d, nTrial: n, y, nPerm: 60, seed: 4, threads });
        return { r, messages };
      } finally {
        setWarningHandler(prev);
      }
    };
    const one = await run(1);
    const two = await run(2);
    expect(Array.from(one.r.mi)).toEqual(Array.from(two.r.mi));
    expect(Array.from(one.r.maxNull)).toEqual(Array.from(two.r.maxNull));
    expect(Array.from(one.r.mask)).toEqual(Array.from(two.r.mask));
    expect(one.messages).toEqual(two.messages);
    expect(one.messages.filter((m) => /constant dimension/.test(m))).toHaveLength(1);
    expect(one.messages.filter((m) => /more than 10% repeated/.test(m))).toHaveLength(1);
    expect(Number.isNaN(one.r.mi[300]) && Number.isNaN(one.r.mi[450])).toBe(true);
    expect(Array.from(one.r.mask.subarray(0, 5))).toEqual([1, 1, 1, 1, 1]);
    expect(one.r.mask.reduce((a, b) => a + b, 0)).toBeLessThan(10);
  });
});
