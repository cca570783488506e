/**
 * npx tsx bench/oracle-coefficients-curve.ts <model> <shape|texture> <regions,... | all> <T1,T2,...> [samples 10]
 *
 * The coefficients-basis counterpart of bench/oracle-trials-curve.ts (same large-sample simulator,
 * docs/oracles.md "Why coefficients shape chin can miss 0.9"): with the planted g over the K identity
 * components, var(y) = |g|²/R² and ĉ_k = g_k + e_k, e_k ~ N(0, (var(y) + g_k²)/T), each vertex's
 * statistic in χ² units is T·R̂²_v − d_v with R̂²_v = |W_v ĉ|²/var(y), W_v = Σ_v^(−½) L_v on the rank d_v
 * of its loadings (the same rank rule as noise.ts); the FWER threshold is the 95 % quantile of the
 * maximum over vertices of 200 null maps (ĉ = e); the truth is {v : −T·ln(1 − R²_v) > threshold}.
 * Prints per region and T: truth size, mean and min precision and recall, the failing samples and the rim
 * (vertices with analytic χ² in [0.75, 1.25) × the threshold).
 */
import { loadBuiltinFaceModel, createRng } from '../workers/faces';
import { drawNoise } from '../workers/analyses/noise';
import { noisyVertices, DEFAULT_PLANTED_R2 } from '../workers/analyses/oracle';
import { analyticOracleMap, plantedSourceWeights } from '../workers/analyses/oracle-truth';
import { resolveRegion } from '../workers/analyses/regions';
import { anatomicalRegions } from './oracles';
import { curveLine, scoreSimulatedMap } from './oracle-sim-score';
import { whitenedLoadings, whitenedSquare } from './oracle-whitened';
const [modelName, kind, regionsArg, TsArg, samplesArg] = process.argv.slice(2);
const k0 = kind as 'shape' | 'texture';
const model = loadBuiltinFaceModel(modelName);
const regions = regionsArg === 'all' ? anatomicalRegions(model) : regionsArg.split(',');
const Ts = TsArg.split(',').map(Number);
const samples = Number(samplesArg ?? 10);
const R2 = Number(process.env.ORACLE_R2 ?? DEFAULT_PLANTED_R2.coefficients);
// ORACLE_DESIGN=orthogonal: the T×K noise coefficients exactly orthonormal in sample, so ĉ_k's error is the response noise's alone, var(ε)/T.
const orthogonal = process.env.ORACLE_DESIGN === 'orthogonal';
const V = model.vertexCount;
function gauss(rng: () => number) { const u = rng() || 1e-12; return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng()); }
for (const name of regions) {
  const region = resolveRegion(model, name);
  const noise = drawNoise(model, { basis: 'coefficients', design: 'independent', trials: 10, seed: 1, vertices: noisyVertices(model, region), shapeSd: k0 === 'shape' ? 0.5 : 0, textureSd: k0 === 'texture' ? 0.5 : 0 });
  const g = plantedSourceWeights(model, noise, k0, region);
  const a = analyticOracleMap(model, noise, k0, region, R2);
  const varY = g.reduce((s, x) => s + x * x, 0) / R2;
  const wl = whitenedLoadings(model, noise, k0);
  const dims = wl.dims;
  const stat = (c: Float64Array, T: number, out: Float64Array) => {
    for (let v = 0; v < V; v++) {
      if (dims[v] === 0) { out[v] = -Infinity; continue; }
      out[v] = -T * Math.log(1 - Math.min(whitenedSquare(wl, c, v) / varY, 0.999999)) - dims[v];
    }
  };
  const rng = createRng(12345);
  const tmp = new Float64Array(V);
  const maxes: number[] = [];
  for (let p = 0; p < 200; p++) {
    const c = Float64Array.from(g, () => gauss(rng) * Math.sqrt(varY / 1e6));
    stat(c, 1e6, tmp);
    maxes.push(Math.max(...tmp));
  }
  maxes.sort((x, y) => y - x);
  const thr = maxes[Math.floor(0.05 * 201) - 1];
  const lines: string[] = [];
  for (const T of Ts) {
    const truthChi = Float64Array.from(a.r2, (r) => -T * Math.log(1 - r));
    const Ps: number[] = [], Rs: number[] = [];
    for (let s = 0; s < samples; s++) {
      const c = Float64Array.from(g, (gk) => gk + gauss(rng) * Math.sqrt((orthogonal ? varY * (1 - R2) : varY + gk * gk) / T));
      stat(c, T, tmp);
      const r = scoreSimulatedMap(tmp, truthChi, thr, (v) => dims[v] !== 0);
      Ps.push(r.precision); Rs.push(r.recall);
    }
    const truthN = truthChi.filter((x, v) => dims[v] > 0 && x > thr).length;
    const rimN = truthChi.filter((x, v) => dims[v] > 0 && x >= 0.75 * thr && x < 1.25 * thr).length;
    lines.push(`${curveLine(T, truthN, Ps, Rs)} | rim ${rimN}`);
  }
  console.log(`${name} thr chi2 ${thr.toFixed(2)}\n  ` + lines.join('\n  '));
}
