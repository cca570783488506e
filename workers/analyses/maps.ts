/**
 * Per-vertex information maps with a family-wise error threshold (the reverse-correlation maps).
 *
 * I(feature_v; response) in bits for every vertex v (GCMI from workers/info), and the permutation
 * maximum statistic: the response is permuted P times, each permuted map's maximum over vertices
 * forms the null distribution of the maximum, and its (1 − alpha) quantile is the FWER threshold
 * (Nichols & Holmes 2002). The features are produced in chunks of vertices (a full map of 7,000
 * vertices × 3 dims × 2,000 trials is 340 MB in float64), with the same permutations for every
 * chunk, so the null maxima combine across chunks exactly.
 *
 * Layouts: a chunk's features Float64Array [vertex][dim][trial]; mi Float64Array [V] bits (0 for
 * vertices whose feature never varies: they carry no information and are never significant).
 */
import { permutedMaps } from './info-adapter';

export type Response =
  | { kind: 'continuous'; y: Float64Array }
  | { kind: 'discrete'; y: Int32Array; classes: number };

export interface MapFeatures {
  /** Number of variables (vertices) and dimensions per variable. */
  nVar: number;
  nDim: number;
  nTrial: number;
  /** Writes the features of variables [from, to) into out [to − from][nDim][nTrial]. */
  fill(from: number, to: number, out: Float64Array): void;
  /** Variables to skip (e.g. vertices that no component moves); null = none. */
  skip: Uint8Array | null;
}

export interface FweOptions {
  /** Number of permutations P (0: no test, threshold = +∞). */
  permutations: number;
  /** Family-wise error rate, e.g. 0.05. */
  alpha: number;
  seed: number;
  /** Keep every permuted map (needed for TFCE); Float32 [P][V]. */
  keepNullMaps?: boolean;
  /** Vertices per chunk (memory: chunk × nDim × nTrial × 8 bytes). */
  chunk?: number;
}

export interface FweMap {
  /** [V] bits. */
  mi: Float64Array;
  /** [P] the maximum over vertices of each permuted map (bits). */
  maxNull: Float64Array;
  /** (1 − alpha) quantile of maxNull (bits); +∞ without permutations. */
  threshold: number;
  /** [V] 1 = mi > threshold. */
  significant: Uint8Array;
  /** [P][V] permuted maps (bits) when keepNullMaps. */
  nullMaps: Float32Array | null;
}

/**
 * The FWER threshold from the null maxima, with the permutation p-value p = (1 + #{max ≥ mi}) / (P + 1)
 * (Phipson & Smyth 2010: never zero, exact level): mi is significant when at most ⌊alpha·(P+1)⌋ − 1
 * null maxima reach it, i.e. when it exceeds the returned order statistic. +∞ when P is too small.
 */
export function fweThreshold(maxNull: Float64Array, alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be in (0, 1), got ${alpha}`);
  const P = maxNull.length;
  const allowed = Math.floor(alpha * (P + 1) + 1e-9) - 1;
  if (P === 0 || allowed < 0) return Infinity;
  const sorted = Float64Array.from(maxNull).sort();
  return sorted[P - 1 - allowed];
}

export function informationMap(features: MapFeatures, response: Response, opts: FweOptions, onFraction: (f: number) => void = () => {}): FweMap {
  const { nVar, nDim, nTrial } = features;
  if (response.y.length !== nTrial) throw new Error(`response has ${response.y.length} trials, features have ${nTrial}`);
  const P = opts.permutations;
  if (!(Number.isInteger(P) && P >= 0)) throw new Error(`permutations must be an integer ≥ 0, got ${P}`);
  const chunk = Math.max(1, Math.min(nVar, opts.chunk ?? (Math.floor(4_000_000 / (nDim * nTrial)) || 1)));
  const mi = new Float64Array(nVar);
  const maxNull = new Float64Array(P).fill(-Infinity);
  const nullMaps = opts.keepNullMaps && P > 0 ? new Float32Array(P * nVar) : null;
  const buf = new Float64Array(chunk * nDim * nTrial);
  const idx: number[] = [];
  for (let from = 0; from < nVar; from += chunk) {
    const to = Math.min(nVar, from + chunk);
    // the kept variables of this chunk, packed
    idx.length = 0;
    for (let v = from; v < to; v++) if (!features.skip || !features.skip[v]) idx.push(v);
    if (idx.length > 0) {
      const raw = buf.subarray(0, (to - from) * nDim * nTrial);
      raw.fill(0);
      features.fill(from, to, raw);
      const stride = nDim * nTrial;
      const packed = new Float64Array(idx.length * stride);
      idx.forEach((v, i) => packed.set(raw.subarray((v - from) * stride, (v - from + 1) * stride), i * stride));
      const res = permutedMaps(packed, idx.length, nDim, nTrial, response, P, opts.seed);
      idx.forEach((v, i) => (mi[v] = Number.isFinite(res.observed[i]) ? res.observed[i] : 0));
      for (let p = 0; p < P; p++) {
        const row = res.permuted.subarray(p * idx.length, (p + 1) * idx.length);
        let m = maxNull[p];
        for (let i = 0; i < row.length; i++) if (row[i] > m) m = row[i];
        maxNull[p] = m;
        if (nullMaps) idx.forEach((v, i) => (nullMaps[p * nVar + v] = Number.isFinite(row[i]) ? row[i] : 0));
      }
    }
    onFraction(to / nVar);
  }
  const threshold = fweThreshold(maxNull, opts.alpha);
  const significant = new Uint8Array(nVar);
  for (let v = 0; v < nVar; v++) significant[v] = mi[v] > threshold ? 1 : 0;
  return { mi, maxNull, threshold, significant, nullMaps };
}
