/**
 * Per-vertex information maps with a family-wise error threshold (the reverse-correlation maps).
 *
 * I(feature_v; response) in bits for every vertex v (GCMI, workers/info), and the permutation
 * maximum statistic: the response is permuted P times, each permuted map's maximum over vertices
 * forms the null distribution of the maximum, and a vertex is significant when its MI exceeds all
 * but ⌊alpha·(P+1)⌋ − 1 of those maxima (Nichols & Holmes 2002; p = (1 + #{max ≥ mi}) / (P + 1)).
 * The features are produced in chunks of vertices (a full map of 7,000 vertices × 3 dims × 2,000
 * trials is 340 MB in float64) with the same permutations for every chunk, so the null maxima
 * combine across chunks exactly. TFCE (optional) needs whole maps and runs on the packed map.
 *
 * Layouts: a chunk's features Float64Array [vertex][dim][trial]; mi Float64Array [V] bits (0 for
 * vertices whose feature never varies: they carry no information and are never significant).
 */
import { chunkNull, copnormChunk, fwerThreshold, tfceMap, type MapResponse } from '../info';

export type Response = MapResponse;

export interface MapFeatures {
  /** Number of variables (vertices) and dimensions per variable. */
  nVar: number;
  nDim: number;
  nTrial: number;
  /** Adds the features of variables [from, to) into out [to − from][nDim][nTrial] (zeroed by the caller). */
  fill(from: number, to: number, out: Float64Array): void;
  /** Optional: the first `dims` rows of each of `vars` into out [vars.length][dims][nTrial] (zeroed), the same values as fill, computed in blocks (feature-blocks.ts). */
  fillVars?(vars: Uint32Array, dims: number, out: Float64Array): void;
  /** 1 = variable to skip (e.g. vertices that no component moves); null = none. */
  skip: Uint8Array | null;
  /**
   * Dimensions each variable really has (≤ nDim; fill puts them first, zeros after), e.g. a vertex
   * moved by one component only has a 1-D displacement. Absent: every variable has nDim.
   */
  rank?: Uint8Array;
}

export interface FweOptions {
  /** Number of permutations P (0: no test, threshold = +∞). */
  permutations: number;
  /** Family-wise error rate, e.g. 0.05. */
  alpha: number;
  seed: number;
  /** TFCE on the mesh instead of the raw MI as the statistic (needs the mesh). */
  tfce?: { triangles: Uint32Array; options?: { E?: number; H?: number }; areas?: Float64Array } | null;
  /** Worker threads for the permutation null (default 1). */
  threads?: number;
  /** Variables per chunk (memory: chunk × nDim × nTrial × 8 bytes × ~3). */
  chunk?: number;
}

export interface FweMap {
  /** [V] bits. */
  mi: Float64Array;
  /** [V] TFCE scores when the test used TFCE, else null. */
  tfce: Float64Array | null;
  /** [P] the maximum over vertices of each permuted statistic. */
  maxNull: Float64Array;
  /** The statistic's FWER threshold (bits, or TFCE units); +∞ without (enough) permutations. */
  threshold: number;
  /** [V] 1 = significant. */
  significant: Uint8Array;
  permutations: number;
  alpha: number;
  seed: number;
}

export function variablesByDim(f: MapFeatures): Map<number, Uint32Array> {
  const groups = new Map<number, number[]>();
  for (let v = 0; v < f.nVar; v++) {
    if (f.skip && f.skip[v]) continue;
    const d = f.rank ? f.rank[v] : f.nDim;
    if (d === 0) continue;
    if (!groups.has(d)) groups.set(d, []);
    groups.get(d)!.push(v);
  }
  return new Map([...groups].sort((a, b) => b[0] - a[0]).map(([d, vs]) => [d, Uint32Array.from(vs)]));
}

/** Packs the first `dims` feature rows of `vars` into [vars.length][dims][nTrial]. */
export function packFeatures(f: MapFeatures, vars: Uint32Array, dims = f.nDim): Float64Array {
  const T = f.nTrial;
  const out = new Float64Array(vars.length * dims * T);
  if (f.fillVars) {
    f.fillVars(vars, dims, out);
    return out;
  }
  const one = new Float64Array(f.nDim * T);
  vars.forEach((v, i) => {
    one.fill(0);
    f.fill(v, v + 1, one);
    out.set(one.subarray(0, dims * T), i * dims * T);
  });
  return out;
}

export async function informationMap(features: MapFeatures, response: Response, opts: FweOptions, onFraction: (f: number) => void = () => {}): Promise<FweMap> {
  return (await informationMaps(features, [response], opts, onFraction))[0];
}

/**
 * Maps of one feature against several responses (e.g. the logit and the decision): the features of
 * each chunk are produced and copula-normalised once for all of them.
 */
export async function informationMaps(features: MapFeatures, responses: Response[], opts: FweOptions, onFraction: (f: number) => void = () => {}): Promise<FweMap[]> {
  const { nVar, nDim, nTrial } = features;
  for (const r of responses) if (r.y.length !== nTrial) throw new Error(`response has ${r.y.length} trials, features have ${nTrial}`);
  const P = opts.permutations;
  if (!(Number.isInteger(P) && P >= 0)) throw new Error(`permutations must be an integer ≥ 0, got ${P}`);
  if (!(opts.alpha > 0 && opts.alpha < 1)) throw new Error(`alpha must be in (0, 1), got ${opts.alpha}`);
  const groups = variablesByDim(features);
  const total = [...groups.values()].reduce((a, g) => a + g.length, 0);
  const base = { permutations: P, alpha: opts.alpha, seed: opts.seed };
  const empty = (): FweMap => ({ ...base, mi: new Float64Array(nVar), tfce: null, maxNull: new Float64Array(P), threshold: Infinity, significant: new Uint8Array(nVar) });
  if (total === 0) return responses.map(empty);
  if (opts.tfce && P > 0) {
    // TFCE needs one whole map per permutation: the full-rank variables in nDim dims, one packed map.
    const vars = groups.get(nDim) ?? new Uint32Array(0);
    const x = packFeatures(features, vars);
    const out: FweMap[] = [];
    for (const [i, response] of responses.entries()) {
      const t = opts.tfce;
      const weights = t.areas ? Float64Array.from(vars, (v) => t.areas![v]) : undefined;
      const r = await tfceMap(x, vars, nDim, nTrial, response, P, opts.seed, opts.alpha, t.triangles, nVar, { ...t.options, weights });
      const m = empty();
      const tf = new Float64Array(nVar);
      vars.forEach((v, j) => {
        m.mi[v] = Number.isFinite(r.mi[j]) ? r.mi[j] : 0;
        tf[v] = Number.isFinite(r.tfce[j]) ? r.tfce[j] : 0;
        m.significant[v] = r.mask[j];
      });
      out.push({ ...m, tfce: tf, maxNull: r.maxNull, threshold: r.threshold });
      onFraction((i + 1) / responses.length);
    }
    return out;
  }
  const maps = responses.map(() => ({ mi: new Float64Array(nVar), maxNull: new Float64Array(P).fill(-Infinity) }));
  let done = 0;
  for (const [dims, vars] of groups) {
    const chunk = Math.max(1, Math.min(vars.length, opts.chunk ?? (Math.floor(3_000_000 / (dims * nTrial)) || 1)));
    for (let c0 = 0; c0 < vars.length; c0 += chunk) {
      const part = vars.subarray(c0, Math.min(vars.length, c0 + chunk));
      const cx = copnormChunk(packFeatures(features, part, dims), part.length, dims, nTrial);
      for (const [i, response] of responses.entries()) {
        const r = await chunkNull(cx, part.length, dims, nTrial, response, P, opts.seed, opts.threads ?? 1);
        const m = maps[i];
        part.forEach((v, j) => (m.mi[v] = Number.isFinite(r.observed[j]) ? r.observed[j] : 0));
        for (let p = 0; p < P; p++) if (r.maxNull[p] > m.maxNull[p]) m.maxNull[p] = r.maxNull[p];
      }
      done += part.length;
      onFraction(done / total);
    }
  }
  return maps.map(({ mi, maxNull }) => {
    const threshold = fwerThreshold(maxNull, opts.alpha); // workers/info's one rule, edge cases documented there
    const significant = new Uint8Array(nVar);
    for (let v = 0; v < nVar; v++) significant[v] = mi[v] > threshold ? 1 : 0;
    return { ...base, mi, tfce: null, maxNull, threshold, significant };
  });
}
