/**
 * npx tsx bench/oracle-trials-curve.ts <model> <shape|texture> <regions,... | all> <T1,T2,...> [seeds 10] [k1,k2,... texture band octaves]
 *
 * A fast Gaussian simulator of a bubbles oracle's precision and recall against its analytic truth, per
 * trial count, over simulated samples (docs/oracles.md, "Why bubbles texture can miss 0.9"). It
 * replaces the estimator by its large-sample form: with the planted g, var(y) = |g|²/R² and the
 * sample cross-covariances ĉ_s = g_s + e_s, e_s ~ N(0, (var(y) + g_s²)/T) (independent across the
 * bump amplitudes s), each vertex's statistic is T·R̂²_v = T·|L_v ĉ|²/(|L_v|²·var(y)) in χ² units
 * minus its dimension (the bias correction); the FWER threshold is the 95 % quantile of the maximum
 * over vertices of 200 null maps (ĉ = e alone, which in χ² units does not depend on T); the truth is
 * {v : −T·ln(1 − R²_v) > threshold}. It keeps the shared, spatially smooth sampling error L_v e of the
 * real maps (their rim vertices move together) and drops the smaller terms (the sample covariance of
 * the features, copula normalisation). Prints per region and T: truth size, mean and min precision
 * and recall, and how many simulated samples fail 0.9. With a list of texture band laws k (octaves
 * between neighbouring bands' bump widths, bases/bubbles.ts textureBandOctaves; default: the basis's
 * default), each law is a row group of its own (the same T list), with its bump count and loading
 * entries per noisy vertex (the features' cost is proportional to the entries).
 */
import { loadBuiltinFaceModel, createRng } from '../workers/faces';
import { drawNoise } from '../workers/analyses/noise';
import { noisyVertices } from '../workers/analyses/oracle';
import { analyticOracleMap, plantedSourceWeights } from '../workers/analyses/oracle-truth';
import { resolveRegion } from '../workers/analyses/regions';
import { anatomicalRegions } from './oracles';
import { DEFAULT_PLANTED_R2 } from '../workers/analyses/oracle';
import { DEFAULT_TEXTURE_BAND_OCTAVES } from '../workers/analyses';
import { curveLine, scoreSimulatedMap } from './oracle-sim-score';
const [modelName, kind, regionsArg, TsArg, seedsArg, lawsArg] = process.argv.slice(2);
const model = loadBuiltinFaceModel(modelName);
const regions = regionsArg === 'all' ? anatomicalRegions(model) : regionsArg.split(',');
const Ts = TsArg.split(',').map(Number);
const seeds = Number(seedsArg ?? 10);
// ORACLE_R2: the planted response's share of variance (default: the oracle's, DEFAULT_PLANTED_R2.bubbles).
const R2 = Number(process.env.ORACLE_R2 ?? DEFAULT_PLANTED_R2.bubbles);
const d = kind === 'texture' ? 3 : 1;
const laws = lawsArg ? lawsArg.split(',').map(Number) : [DEFAULT_TEXTURE_BAND_OCTAVES];
function gauss(rng: () => number) { const u = rng() || 1e-12; return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng()); }
for (const name of regions) for (const k of laws) {
  const region = resolveRegion(model, name);
  const noise = drawNoise(model, { basis: 'bubbles', trials: 10, seed: 1, vertices: noisyVertices(model, region), shapeSd: kind === 'shape' ? 1 : 0, textureSd: kind === 'texture' ? 0.05 : 0, bubbles: { sigmaMm: 6, density: 1, textureBandOctaves: k } });
  const l = kind === 'shape' ? noise.bubbles!.shape : noise.bubbles!.texture;
  const g = plantedSourceWeights(model, noise, kind as any, region);
  const a = analyticOracleMap(model, noise, kind as any, region, R2);
  let gg = 0; for (const x of g) gg += x * x;
  const varY = gg / R2;
  const V = model.vertexCount;
  const w2 = new Float64Array(V);
  for (let v = 0; v < V; v++) for (let j = l.offsets[v]; j < l.offsets[v + 1]; j++) w2[v] += l.weight[j] ** 2;
  // chi2 units map for a source cross-covariance c [S]: T·R̂²_v
  const stat = (c: Float64Array, T: number, out: Float64Array) => {
    for (let v = 0; v < V; v++) {
      if (w2[v] === 0) { out[v] = -Infinity; continue; }
      let q = 0;
      for (let ch = 0; ch < d; ch++) {
        let s = 0;
        for (let j = l.offsets[v]; j < l.offsets[v + 1]; j++) s += l.weight[j] * c[l.source[j] + ch];
        q += s * s;
      }
      const r2 = Math.min(q / (w2[v] * varY), 0.999999);
      out[v] = -T * Math.log(1 - r2) - d;
    }
  };
  const S = g.length;
  const rng = createRng(12345);
  const tmp = new Float64Array(V);
  // null threshold (T-independent in chi2 units)
  const maxes: number[] = [];
  for (let p = 0; p < 200; p++) {
    const c = new Float64Array(S);
    for (let s = 0; s < S; s++) c[s] = gauss(rng) * Math.sqrt(varY / 1e6);
    stat(c, 1e6, tmp);
    let m = -Infinity; for (const x of tmp) if (x > m) m = x;
    maxes.push(m);
  }
  maxes.sort((x, y) => y - x);
  const thr = maxes[Math.floor(0.05 * 201) - 1];
  const lines: string[] = [];
  for (const T of Ts) {
    const truthChi = Float64Array.from(a.r2, (r) => -T * Math.log(1 - r));
    const Ps: number[] = [], Rs: number[] = [];
    for (let k = 0; k < seeds; k++) {
      const c = new Float64Array(S);
      for (let s = 0; s < S; s++) c[s] = g[s] + gauss(rng) * Math.sqrt((varY + g[s] * g[s]) / T);
      stat(c, T, tmp);
      const r = scoreSimulatedMap(tmp, truthChi, thr, (v) => w2[v] !== 0);
      Ps.push(r.precision); Rs.push(r.recall);
    }
    const truthN = truthChi.filter((x) => x > thr).length;
    lines.push(curveLine(T, truthN, Ps, Rs));
  }
  const loaded = w2.filter((x) => x > 0).length;
  const entries = l.offsets[V] / loaded;
  console.log(`${name} k=${k} bumps ${kind === 'texture' ? noise.bubbles!.textureBumps.join('+') : noise.bubbles!.shapeBumps} entries/vertex ${entries.toFixed(1)} thr chi2 ${thr.toFixed(2)}\n  ` + lines.join('\n  '));
}
