/**
 * npx tsx bench/oracle-rim.ts <model> <shape|texture> <region> <basis> <seed> [trials | analytic:<threshold bits> | errors:<threshold bits>[@trials]]
 *
 * One oracle run (planted map only) and the rim of its truth: the distribution of analytic I_v /
 * threshold over the true vertices, the missed ones and the false positives, and the estimated map's
 * mean error (estimate − analytic, threshold units) in bands of analytic I (docs/oracles.md, "Why
 * coefficients shape chin can miss 0.9"). With analytic:<bits> (coefficients basis) it runs no oracle and
 * prints, for the vertices with analytic I in (0.5, 1) × that threshold, which planted components carry
 * their information: per top component k of g (share g_k²/|g|²), the mean share of their I left with g_k = 0.
 * A coefficients run also prints its sample cross-covariances' errors and the rim shift each causes (componentErrors);
 * errors:<bits>[@trials] prints only that, for the same noise and response as a run of that seed (no map: seconds).
 */
import { loadBuiltinFaceModel } from '../workers/faces';
import { runOracle, noisyVertices, plantedResponse, withExplainedShare, DEFAULT_PLANTED_R2 } from '../workers/analyses/oracle';
import { drawNoise, type TrialNoise } from '../workers/analyses/noise';
import { analyticOracleMap, plantedSourceWeights, vertexLoadings } from '../workers/analyses/oracle-truth';
import { resolveRegion } from '../workers/analyses/regions';
import { jacobiEigen } from '../workers/analyses/pca';
import { whitenedLoadings, whitenedSquare } from './oracle-whitened';
const [modelName, kind, region, basis, seedArg, trialsArg] = process.argv.slice(2);
const model = loadBuiltinFaceModel(modelName);
if (trialsArg?.startsWith('analytic:')) {
  componentShares(Number(trialsArg.slice(9)));
  process.exit(0);
}
if (trialsArg?.startsWith('errors:')) {
  const [thBits, T] = trialsArg.slice(7).split('@').map(Number);
  const R = resolveRegion(model, region), k0 = kind as 'shape' | 'texture', r2 = DEFAULT_PLANTED_R2.coefficients;
  const noise = drawNoise(model, { basis: 'coefficients', trials: T || 10_000, seed: Number(seedArg), vertices: noisyVertices(model, R), shapeSd: k0 === 'shape' ? 0.5 : 0, textureSd: k0 === 'texture' ? 0.5 : 0 });
  const am = analyticOracleMap(model, noise, k0, R, r2);
  const y = withExplainedShare(plantedResponse(model, noise, k0, R), am.signalVariance, r2, Number(seedArg));
  console.log(JSON.stringify({ model: modelName, kind, region, seed: Number(seedArg), trials: noise.spec.trials, thresholdBits: thBits }));
  componentErrors(noise, y, R, r2, thBits, am.mi, Uint8Array.from(am.mi, (x) => (x > thBits ? 1 : 0)), null);
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
if (basis === 'coefficients' || basis === 'components') componentErrors(r.noise, r.response, r.region, r.r2Planted, th, a, truth, sig);

/**
 * Coefficients basis: the sample cross-covariances ĉ_k = cov(z_k, y) of this run, their errors e = ĉ − g in
 * sd units (sd_k = √((var(y) + g_k²)/T)), the plug-in map (χ² = −T·ln(1 − |W_v ĉ|²/var(y)) − d_v against the
 * run's threshold, 2T·ln2 × bits) scored against the truth and the run's map, and the mean shift of the rim
 * (analytic I in [0.75, 1.25) × threshold, threshold units) from each component's error alone (largest 8).
 */
function componentErrors(noise: TrialNoise, y: Float64Array, R: Uint32Array, r2: number, th: number, a: Float64Array, truth: Uint8Array, sig: Uint8Array | null) {
  const k0 = kind as 'shape' | 'texture', T = noise.spec.trials;
  const z = k0 === 'shape' ? noise.shape : noise.texture, sdz = k0 === 'shape' ? noise.spec.shapeSd : noise.spec.textureSd;
  const g = plantedSourceWeights(model, noise, k0, R), K = g.length;
  const gg = g.reduce((s, x) => s + x * x, 0), varY = gg / r2;
  let yBar = 0;
  for (let t = 0; t < T; t++) yBar += y[t] / T;
  const c = new Float64Array(K), e = new Float64Array(K), sdE = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let zBar = 0, s = 0;
    for (let t = 0; t < T; t++) zBar += z[k * T + t] / T;
    for (let t = 0; t < T; t++) s += (z[k * T + t] - zBar) * (y[t] - yBar);
    c[k] = s / (T - 1) / sdz; e[k] = c[k] - g[k]; sdE[k] = Math.sqrt((varY + g[k] * g[k]) / T);
  }
  const wl = whitenedLoadings(model, noise, k0), thChi = 2 * T * Math.LN2 * th;
  const chi = (q: number, v: number) => -T * Math.log(1 - Math.min(q / varY, 1 - 1e-12)) - wl.dims[v];
  let tp = 0, fp = 0, fn = 0, agree = 0, carried = 0;
  const rim: number[] = [];
  let rimShift = 0;
  for (let v = 0; v < a.length; v++) {
    if (wl.dims[v] === 0) continue;
    carried++;
    const s = chi(whitenedSquare(wl, c, v), v) > thChi;
    if (s && truth[v]) tp++; else if (s) fp++; else if (truth[v]) fn++;
    if (sig && s === (sig[v] === 1)) agree++;
    const x = a[v] / th;
    if (x >= 0.75 && x < 1.25) { rim.push(v); rimShift += chi(whitenedSquare(wl, c, v), v) / thChi - x; }
  }
  console.log(`plug-in map (ĉ): precision ${(tp / (tp + fp)).toFixed(3)} recall ${(tp / (tp + fn)).toFixed(3)}; ${sig ? `same call as the run on ${agree} of ${carried} vertices; ` : ''} rim [0.75,1.25) ${rim.length} vertices, mean shift ${(rimShift / rim.length).toFixed(3)} threshold units (bias-corrected, as the run's map)`);
  const gRows = rim.map((v) => Array.from({ length: wl.dims[v] }, (_, i) => { let p = 0; const o = (v * 3 + i) * K; for (let k = 0; k < K; k++) p += wl.W[o + k] * g[k]; return p; }));
  const shifts = Array.from({ length: K }, (_, k) => {
    let sum = 0;
    rim.forEach((v, j) => { let q = 0; gRows[j].forEach((p, i) => { q += (p + e[k] * wl.W[(v * 3 + i) * K + k]) ** 2; }); sum += (-T * Math.log(1 - Math.min(q / varY, 1 - 1e-12))) / thChi - a[v] / th; });
    return sum / rim.length;
  });
  // the rim shift's two parts (χ² ≈ T·|W_v ĉ|²/var(y) at R²_v ≪ 1): linear 2T·(W_v g)·(W_v e)/var(y), quadratic T·|W_v e|²/var(y) − d_v
  let lin = 0, quad = 0;
  rim.forEach((v, j) => gRows[j].forEach((p, i) => { let b = 0; const o = (v * 3 + i) * K; for (let k = 0; k < K; k++) b += wl.W[o + k] * e[k]; lin += (2 * T * p * b) / varY; quad += (T * b * b) / varY - 1; }));
  // sd of the linear part over draws of e (cov(e) = (var(y)·I + g gᵀ)/T for Gaussian z and y): (2T/(var(y)·thChi))·√((var(y)|h|² + (h·g)²)/T),
  // h = mean over the rim of W_vᵀW_v g
  const h = new Float64Array(K);
  rim.forEach((v, j) => gRows[j].forEach((p, i) => { const o = (v * 3 + i) * K; for (let k = 0; k < K; k++) h[k] += (p * wl.W[o + k]) / rim.length; }));
  const hg = h.reduce((s, x, k) => s + x * g[k], 0);
  const sdLin = ((2 * T) / (varY * thChi)) * Math.sqrt((varY * h.reduce((s, x) => s + x * x, 0) + hg * hg) / T);
  console.log(`rim shift parts: linear in e ${(lin / rim.length / thChi).toFixed(3)} (its sd over draws ${sdLin.toFixed(3)}), quadratic (after the d_v bias) ${(quad / rim.length / thChi).toFixed(3)} threshold units; ${K} components`);
  const order = Array.from(shifts.keys()).sort((i, j) => Math.abs(shifts[j]) - Math.abs(shifts[i])).slice(0, 8);
  for (const k of order) console.log(`component ${k}: g share ${(g[k] ** 2 / gg).toFixed(4)}, error ${(e[k] / sdE[k]).toFixed(2)} sd; rim shift from it alone ${shifts[k].toFixed(3)} threshold units`);
}

/** Coefficients basis: which components of g carry the analytic I of the vertices just below the threshold. */
function componentShares(th: number) {
  const k0 = kind as 'shape' | 'texture';
  const R = resolveRegion(model, region);
  const noise = drawNoise(model, { basis: 'coefficients', design: 'independent', trials: 10, seed: 1, vertices: noisyVertices(model, R), shapeSd: k0 === 'shape' ? 0.5 : 0, textureSd: k0 === 'texture' ? 0.5 : 0 });
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
