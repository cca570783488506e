/**
 * What a vertex's information is about (issue 14 item 5): per vertex, stored beside each
 * reverse-correlation map so that the viewer can explain a clicked vertex without the raw trials.
 *
 * 1. FWER-corrected p-value of the map's statistic (MI in bits, or its TFCE score):
 *      p_v = (1 + #{p : maxNull_p ≥ stat_v}) / (1 + P)
 *    from the P permutation maxima over vertices (workers/info maxStatInference, the same null as
 *    the map's threshold: p_v ≤ alpha exactly when v is significant). NaN for a vertex that no noise
 *    moves and for maps without permutations (P = 0).
 * 2. Binned response summary: the vertex's scalar feature per trial (vertexScalarFeature), cut into
 *    B equal-count (quantile) bins by rank (ties broken by trial index); per bin the mean feature, the
 *    number of trials and the mean of each response (logit: mean target logit; decision: share
 *    correct). A vertex that no noise moves (constant feature) has count 0 and NaN means.
 *
 * Scalar features (units in the axis label):
 *   shape   — displacement along the mean face's unit vertex normal, n_v · d_v(t) (mm);
 *   texture — luminance change of the albedo, Rec. 709 weights 0.2126 R + 0.7152 G + 0.0722 B of the
 *             linear albedo change a_v(t) (before the renderer's clamp to [0, 1]); one band's
 *             components only for 'texture:<band>' features.
 *
 * Layouts: featureMean, responseMean Float32Array [V][B]; count Int32Array [V][B]; pValues Float32Array [V].
 */
import type { FaceModel } from '../faces/model';
import { computeVertexNormals } from '../faces';
import { maxStatInference } from '../info';
import type { FweMap } from './maps';
import { bandComponents, canonicalBasis, type TrialNoise } from './noise';
import { sparseSeries } from './bases/bubbles';

/** Bins per vertex (deciles of the feature). */
export const RESPONSE_BINS = 10;

/** Rec. 709 luminance weights of linear RGB. */
export const LUMINANCE_WEIGHTS = [0.2126, 0.7152, 0.0722] as const;

export interface ScalarFeature {
  /** Axis label with units, e.g. 'displacement along the normal (mm)'. */
  label: string;
  /** Writes the feature of vertex v for every trial into out [T]; false when no noise moves v. */
  fill(v: number, out: Float64Array): boolean;
}

/** The per-trial scalar feature of each vertex (see the header): normal displacement (mm) or albedo luminance change. */
export function vertexScalarFeature(model: FaceModel, noise: TrialNoise, kind: 'shape' | 'texture', band?: number): ScalarFeature {
  const T = noise.spec.trials;
  const V = noise.vertexCount;
  const label = kind === 'shape'
    ? 'displacement along the normal (mm)'
    : `albedo luminance change (linear, Rec. 709${band !== undefined ? `; ${model.textureBandNames[band]} band` : ''})`;
  const values = kind === 'shape' ? noise.shape : noise.texture;
  const sdOn = (kind === 'shape' ? noise.spec.shapeSd : noise.spec.textureSd) > 0;
  const basis = canonicalBasis(noise.spec.basis);
  if (band !== undefined && basis !== 'coefficients') throw new Error('texture bands exist only for the coefficients noise basis');
  if (!sdOn) return { label, fill: (_v, out) => (out.fill(0), false) };
  if (basis === 'vertex') {
    const slot = new Int32Array(V).fill(-1);
    noise.vertices!.forEach((v, i) => (slot[v] = i));
    const Vn = noise.vertices!.length;
    return {
      label,
      fill(v, out) {
        const i = slot[v];
        if (i < 0) return out.fill(0), false;
        // shape: [T][Vn] mm along the normal; texture: [T][Vn][3] linear albedo
        if (kind === 'shape') for (let t = 0; t < T; t++) out[t] = values[t * Vn + i];
        else for (let t = 0; t < T; t++) {
          const o = (t * Vn + i) * 3;
          out[t] = LUMINANCE_WEIGHTS[0] * values[o] + LUMINANCE_WEIGHTS[1] * values[o + 1] + LUMINANCE_WEIGHTS[2] * values[o + 2];
        }
        return true;
      },
    };
  }
  if (basis === 'bubbles') {
    const l = kind === 'shape' ? noise.bubbles!.shape : noise.bubbles!.texture;
    const channel = new Float64Array(T);
    return {
      label,
      fill(v, out) {
        out.fill(0);
        if (l.offsets[v + 1] === l.offsets[v]) return false;
        if (kind === 'shape') {
          sparseSeries(l, values, T, v, out); // the normal height h_v (mm)
          return true;
        }
        for (let c = 0; c < 3; c++) {
          channel.fill(0);
          sparseSeries(l, values, T, v, channel, c);
          for (let t = 0; t < T; t++) out[t] += LUMINANCE_WEIGHTS[c] * channel[t];
        }
        return true;
      },
    };
  }
  // coefficients: x_v(t) = Σ_k c_k(t) · w_k[v], w_k[v] = sd_k · (n_v · B_k[v]) or sd_k · (lum · T_k[v])
  const B = kind === 'shape' ? model.shapeBasis : model.textureBasis;
  const sd = kind === 'shape' ? model.shapeSd : model.textureSd;
  const ks = band !== undefined ? bandComponents(model, band) : Int32Array.from({ length: sd.length }, (_, k) => k);
  const normals = kind === 'shape' ? computeVertexNormals(model.mean, model.triangles) : null;
  const N = V * 3;
  return {
    label,
    fill(v, out) {
      out.fill(0);
      let moved = false;
      const dir = normals ? [normals[v * 3], normals[v * 3 + 1], normals[v * 3 + 2]] : LUMINANCE_WEIGHTS;
      for (const k of ks) {
        const o = k * N + v * 3;
        const w = sd[k] * (dir[0] * B[o] + dir[1] * B[o + 1] + dir[2] * B[o + 2]);
        if (w === 0) continue;
        moved = true;
        const c = values.subarray(k * T, (k + 1) * T);
        for (let t = 0; t < T; t++) out[t] += w * c[t];
      }
      return moved;
    },
  };
}

export interface ResponseBins {
  bins: number;
  /** Axis labels with units: the feature (x) and one per response (y). */
  featureLabel: string;
  responseLabels: string[];
  /** [V][B] mean feature per bin (feature units), NaN where count is 0. */
  featureMean: Float32Array;
  /** [V][B] trials per bin. */
  count: Int32Array;
  /** One per response: [V][B] mean response per bin, NaN where count is 0. */
  responseMean: Float32Array[];
}

/**
 * Quantile bins of one vertex: x [T] the feature, ys the responses [T] each; writes bin b's mean
 * feature, count and mean responses at out offset `o + b`. Bin b holds the trials of ranks
 * [⌊bT/B⌋, ⌊(b+1)T/B⌋) in ascending feature order (ties by trial index). Returns false (NaN, 0)
 * for a constant feature.
 */
export function binVertex(x: Float64Array, ys: ArrayLike<number>[], B: number, featureMean: Float32Array, count: Int32Array, responseMean: Float32Array[], o: number, order = new Uint32Array(x.length)): boolean {
  const T = x.length;
  let lo = Infinity, hi = -Infinity;
  for (let t = 0; t < T; t++) { if (x[t] < lo) lo = x[t]; if (x[t] > hi) hi = x[t]; }
  if (!(hi > lo)) {
    featureMean.fill(NaN, o, o + B);
    count.fill(0, o, o + B);
    for (const r of responseMean) r.fill(NaN, o, o + B);
    return false;
  }
  for (let t = 0; t < T; t++) order[t] = t;
  order.sort((a, b) => x[a] - x[b] || a - b);
  for (let b = 0; b < B; b++) {
    const from = Math.floor((b * T) / B), to = Math.floor(((b + 1) * T) / B);
    const n = to - from;
    let sx = 0;
    for (let i = from; i < to; i++) sx += x[order[i]];
    featureMean[o + b] = n ? sx / n : NaN;
    count[o + b] = n;
    ys.forEach((y, r) => {
      let s = 0;
      for (let i = from; i < to; i++) s += y[order[i]];
      responseMean[r][o + b] = n ? s / n : NaN;
    });
  }
  return true;
}

/** The binned response summary of every vertex (header): feature from vertexScalarFeature, responses [T] each. */
export function responseBins(feature: ScalarFeature, V: number, T: number, responses: { label: string; y: ArrayLike<number> }[], B = RESPONSE_BINS): ResponseBins {
  if (!(Number.isInteger(B) && B >= 2 && B <= T)) throw new Error(`bins must be an integer in [2, ${T}], got ${B}`);
  for (const r of responses) if (r.y.length !== T) throw new Error(`response '${r.label}' has ${r.y.length} trials, expected ${T}`);
  const featureMean = new Float32Array(V * B);
  const count = new Int32Array(V * B);
  const responseMean = responses.map(() => new Float32Array(V * B));
  const x = new Float64Array(T);
  const order = new Uint32Array(T);
  const ys = responses.map((r) => r.y);
  for (let v = 0; v < V; v++) {
    if (feature.fill(v, x)) binVertex(x, ys, B, featureMean, count, responseMean, v * B, order);
    else {
      featureMean.fill(NaN, v * B, (v + 1) * B);
      for (const r of responseMean) r.fill(NaN, v * B, (v + 1) * B);
    }
  }
  return { bins: B, featureLabel: feature.label, responseLabels: responses.map((r) => r.label), featureMean, count, responseMean };
}

/**
 * FWER-corrected p-value per vertex (header, item 1) from a map's permutation maxima; `skip` [V]
 * 1 = no noise moves the vertex (NaN). All NaN without permutations.
 */
export function mapPValues(m: FweMap, skip: Uint8Array | null): Float32Array {
  const V = m.mi.length;
  if (m.permutations === 0 || m.maxNull.length === 0) return new Float32Array(V).fill(NaN);
  const { pFwer } = maxStatInference(m.tfce ?? m.mi, m.maxNull, m.alpha);
  const out = Float32Array.from(pFwer);
  if (skip) for (let v = 0; v < V; v++) if (skip[v]) out[v] = NaN;
  return out;
}

/** Axis label of a response's mean per bin. */
export function responseLabel(response: string): string {
  return response === 'logit' ? 'mean target logit' : response === 'decision' ? 'P(correct)' : `mean ${response} response`;
}

/** What the bundle stores beside one map: its p-values and its binned summary (one response of a ResponseBins). */
export interface VertexSummary {
  pValues: Float32Array;
  bins: { bins: number; featureLabel: string; responseLabel: string; featureMean: Float32Array; count: Int32Array; responseMean: Float32Array };
}

/** The VertexSummary of response r of a ResponseBins (featureMean and count are shared by the feature's maps). */
export function vertexSummary(pValues: Float32Array, b: ResponseBins, r: number): VertexSummary {
  return { pValues, bins: { bins: b.bins, featureLabel: b.featureLabel, responseLabel: b.responseLabels[r]!, featureMean: b.featureMean, count: b.count, responseMean: b.responseMean[r]! } };
}
