/**
 * npx tsx bench/oracle-rim.ts <model> <shape|texture> <region> <basis> <seed> [trials | analytic:<threshold bits>]
 *
 * One oracle run (planted map only) and the rim of its truth: the distribution of analytic I_v /
 * threshold over the true vertices, the missed ones and the false positives, and the estimated map's
 * mean error (estimate − analytic, threshold units) in bands of analytic I (docs/methods.md, "Why
 * coefficients shape chin can miss 0.9"). With analytic:<bits> (coefficients basis) it runs no oracle and
 * prints, for the vertices with analytic I in (0.5, 1) × that threshold, which planted components carry
 * their information: per top component k of g (share g_k²/|g|²), the mean share of their I left with g_k = 0.
 */
import { loadBuiltinFaceModel } from '../workers/faces';
import { runOracle, noisyVertices } from '../workers/analyses/oracle';
import { drawNoise } from '../workers/analyses/noise';
import { plantedSourceWeights, vertexLoadings } from '../workers/analyses/oracle-truth';
import { resolveRegion } from '../workers/analyses/regions';
import { jacobiEigen } from '../workers/analyses/pca';
const [modelName, kind, region, basis, seedArg, trialsArg] = process.argv.slice(2);
const model = loadBuiltinFaceModel(modelName);
if (trialsArg?.startsWith('analytic:')) {
  componentShares(Number(trialsArg.slice(9)));
  process.exit(0);
}
const t0 = Date.now();
const r = await runOracle(model, { kind: kind as 'shape', region, basis: basis as 'coefficients', seed: Number(seedArg), trials: trialsArg ? Number(trialsArg) : undefined, maps: 'planted' });
const th = r.planted!.threshold, a = r.analytic!.mi, est = r.planted!.mi, truth = r.truth!, sig = r.planted!.significant;
const edges = [0, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 5, 10, Infinity];
const band = (x: number) => edges.findIndex((e, i) => x >= e && x < edges[i + 1]);
const hist = (pick: (v: number) => boolean) => {
  const h = new Array(edges.length - 1).fill(0);
  for (let v = 0; v < a.length; v++) if (pick(v)) h[band(a[v] / th)]++;
  return h;
};
const err = new Array(edges.length - 1).fill(0), n = new Array(edges.length - 1).fill(0);
for (let v = 0; v < a.length; v++) if (a[v] > 0) { const b = band(a[v] / th); err[b] += (est[v] - a[v]) / th; n[b]++; }
console.log(JSON.stringify({ model: modelName, kind, region, basis, seed: Number(seedArg), trials: r.trials, thresholdBits: th,
  precision: r.recovery.precision, recall: r.recovery.recall, truth: truth.reduce((s, x) => s + x, 0), significant: sig.reduce((s, x) => s + x, 0),
  analyticR: r.analyticCorrelation, seconds: (Date.now() - t0) / 1000 }));
console.log('bands (analytic I / threshold):', edges.slice(0, -1).map((e, i) => `[${e},${edges[i + 1]})`).join(' '));
console.log('truth    ', hist((v) => truth[v] === 1).join(' '));
console.log('missed   ', hist((v) => truth[v] === 1 && !sig[v]).join(' '));
console.log('false pos', hist((v) => truth[v] === 0 && sig[v] === 1).join(' '));
console.log('all noisy', n.join(' '));
console.log('mean err ', err.map((e, i) => (n[i] ? e / n[i] : NaN).toFixed(3)).join(' '));

/** Coefficients basis: which components of g carry the analytic I of the vertices just below the threshold. */
function componentShares(th: number) {
  const k0 = kind as 'shape' | 'texture';
  const R = resolveRegion(model, region);
  const noise = drawNoise(model, { basis: 'coefficients', trials: 10, seed: 1, vertices: noisyVertices(model, R), shapeSd: k0 === 'shape' ? 0.5 : 0, textureSd: k0 === 'texture' ? 0.5 : 0 });
  const g = plantedSourceWeights(model, noise, k0, R);
  const gg = g.reduce((s, x) => s + x * x, 0);
  const varY = gg / 0.5;
  const loads = Array.from({ length: model.vertexCount }, (_, v) => vertexLoadings(model, noise, k0, v));
  const mi = (gw: Float64Array, v: number) => {
    const L = loads[v], D = L.dims;
    if (L.src.length === 0) return 0;
    const a = new Float64Array(D), S = new Float64Array(D * D);
    L.src.forEach((s, j) => { for (let d = 0; d < D; d++) { a[d] += L.w[j * D + d] * gw[s]; for (let e = 0; e < D; e++) S[d * D + e] += L.w[j * D + d] * L.w[j * D + e]; } });
    const { values, vectors } = jacobiEigen(S, D);
    const top = Math.max(...values);
    let q = 0;
    for (let e = 0; e < D; e++) if (values[e] > 1e-6 * top) { let p = 0; for (let d = 0; d < D; d++) p += vectors[d * D + e] * a[d]; q += (p * p) / values[e]; }
    return -0.5 * Math.log2(1 - Math.min(q / varY, 1 - 1e-12));
  };
  const band: number[] = [];
  const full = new Float64Array(model.vertexCount);
  for (let v = 0; v < model.vertexCount; v++) { full[v] = mi(g, v); if (full[v] > 0.5 * th && full[v] <= th) band.push(v); }
  const order = Array.from(g.keys()).sort((i, j) => g[j] ** 2 - g[i] ** 2).slice(0, 8);
  console.log(JSON.stringify({ model: modelName, kind, region, thresholdBits: th, below: band.length }));
  for (const k of order) {
    const g2 = Float64Array.from(g); g2[k] = 0;
    let left = 0, lost = 0;
    for (const v of band) { const r = mi(g2, v) / full[v]; left += r; if (r < 0.25) lost++; }
    console.log(`component ${k}: g share ${(g[k] ** 2 / gg).toFixed(4)}; without it the band keeps ${(left / band.length).toFixed(3)} of its I, ${lost} vertices < 25 %`);
  }
}
