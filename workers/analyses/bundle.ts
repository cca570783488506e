/**
 * Result bundles (workers/contract/result-bundles.ts): a directory with summary.json and raw little-endian
 * arrays. BundleWriter makes the bytes and hands each file to a sink given by the caller (the edge:
 * workers/util stagedFolderSync writes into a temporary sibling directory and renames it into place
 * at the end, so a reader never sees half a bundle). Also converts the in-memory analysis results
 * into their summaries.
 */
import { NEGATIVE_MI_NOTE } from '../contract';
import type { FaceModel } from '../faces/model';
import type {
  ArrayRef, GeneralisationSummary, HiddenLayersSummary, InformationMapSummary, PoseInvarianceSummary, ReverseCorrelationSummary,
} from '../contract/result-bundles';
import type { GeneralisationResult } from './generalisation';
import { mapStats, type HiddenLayersResult, type LayerCoinformation } from './hidden-layers';
import type { FweMap } from './maps';
import type { PoseInvarianceResult } from './pose-invariance';
import type { ReverseCorrelationResult } from './reverse-correlation';
import type { VertexSummary } from './vertex-summary';

type Typed = Float32Array | Uint8Array | Int32Array;

/** null for NaN/±∞ (JSON has no NaN). */
export const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Where a bundle's files go: put each (path relative to the bundle), then commit the whole, or abort. */
export interface BundleSink {
  put(file: string, data: Uint8Array | string): void;
  /** Makes the bundle visible; returns where it is. */
  commit(): string;
  abort(): void;
}

export class BundleWriter {
  private closed = false;
  private written = new WeakMap<object, ArrayRef>();

  constructor(readonly sink: BundleSink) {}

  /** Writes one array; `file` is relative to the bundle (sub-directories allowed). */
  array(file: string, data: Typed, shape: number[], layout: string, unit = '', columns?: string[]): ArrayRef {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`bundle array '${file}': shape ${JSON.stringify(shape)} holds ${n} values, data has ${data.length}`);
    const dtype = data instanceof Float32Array ? 'float32' : data instanceof Uint8Array ? 'uint8' : 'int32';
    // typed arrays are little-endian on every platform Node runs on (x86, arm64)
    this.sink.put(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return { file, dtype, shape, layout, unit, ...(columns ? { columns } : {}) };
  }

  /** Like array, but an array object already written (e.g. bins shared by a feature's maps) is referenced, not written again. */
  arrayOnce(file: string, data: Typed, shape: number[], layout: string, unit = ''): ArrayRef {
    const had = this.written.get(data);
    if (had) return had;
    const ref = this.array(file, data, shape, layout, unit);
    this.written.set(data, ref);
    return ref;
  }

  /** Another file of the bundle (text or bytes), e.g. a CSV beside the arrays. */
  file(file: string, data: Uint8Array | string): void {
    this.sink.put(file, data);
  }

  /** Writes summary.json and commits the bundle (the sink moves it into place); returns the sink's answer. */
  finish(summary: unknown): string {
    if (this.closed) throw new Error('bundle already finished');
    this.sink.put('summary.json', `${JSON.stringify(summary, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
    const target = this.sink.commit();
    this.closed = true;
    return target;
  }

  abort(): void {
    this.sink.abort();
    this.closed = true;
  }
}

/** Count and minimum of the values below 0 bits, with the explanation (never clamped: the mi array keeps them). */
export function negativeBits(mi: Float64Array): { count: number; minBits: number; note: string } {
  let count = 0, minBits = 0;
  for (const x of mi) if (x < 0) { count++; if (x < minBits) minBits = x; }
  return { count, minBits, note: NEGATIVE_MI_NOTE };
}

/** Significant vertices inside the face region and their share of all significant ones (null when none is). */
export function significantOnFace(significant: Uint8Array, face: ArrayLike<number>): { significant: number; share: number | null } {
  let all = 0, on = 0;
  for (const x of significant) all += x ? 1 : 0;
  for (let i = 0; i < face.length; i++) on += significant[face[i]!] ? 1 : 0;
  return { significant: on, share: all ? on / all : null };
}

/**
 * The p-values ([V] float32) and the binned response summary ([V][B]) of a map (vertex-summary.ts);
 * the feature's bin means and counts are written once for all its maps.
 */
export function vertexSummaryRefs(w: Pick<BundleWriter, 'array' | 'arrayOnce'>, prefix: string, name: string, feature: string, s: VertexSummary, unit: string): Pick<InformationMapSummary, 'pValues' | 'responseBins'> {
  const V = s.pValues.length;
  const B = s.bins.bins;
  return {
    pValues: w.array(`${prefix}${name}.p.f32`, s.pValues, [V], '[vertex] FWER-corrected p = (1 + #{null maxima ≥ statistic}) / (1 + permutations); NaN: no noise, no test'),
    responseBins: {
      bins: B, featureLabel: s.bins.featureLabel, responseLabel: s.bins.responseLabel,
      featureMean: w.arrayOnce(`${prefix}${feature}.bins.feature.f32`, s.bins.featureMean, [V, B], '[vertex][bin] mean feature per quantile bin', unit),
      count: w.arrayOnce(`${prefix}${feature}.bins.count.i32`, s.bins.count, [V, B], '[vertex][bin] trials per bin'),
      responseMean: w.array(`${prefix}${name}.bins.response.f32`, s.bins.responseMean, [V, B], '[vertex][bin] mean response per bin'),
    },
  };
}

/**
 * `face`: the model's face region (vertex list), to report how much of the map lies on the face;
 * `summary`: the map's per-vertex p-values and binned responses, when computed.
 */
export function mapSummary(w: BundleWriter, prefix: string, name: string, feature: string, response: InformationMapSummary['response'], m: FweMap, face?: ArrayLike<number>, summary?: VertexSummary): InformationMapSummary {
  const V = m.mi.length;
  let peak = 0;
  for (let v = 1; v < V; v++) if (m.mi[v] > m.mi[peak]) peak = v;
  const stat = m.tfce ? 'TFCE' : 'MI';
  return {
    name, feature, response,
    test: {
      method: m.permutations === 0 ? 'none' : m.tfce ? 'tfce-max-statistic' : 'max-statistic',
      permutations: m.permutations, alpha: m.alpha, threshold: Number.isFinite(m.threshold) ? m.threshold : Number.MAX_VALUE, seed: m.seed,
    },
    maxBits: m.mi[peak], peakVertex: peak,
    negative: negativeBits(m.mi),
    significant: m.significant.reduce((a, b) => a + b, 0),
    ...(face ? { onFace: significantOnFace(m.significant, face) } : {}),
    arrays: {
      mi: w.array(`${prefix}${name}.mi.f32`, Float32Array.from(m.mi), [V], '[vertex]', 'bits'),
      significant: w.array(`${prefix}${name}.significant.u8`, m.significant, [V], '[vertex]'),
      ...(m.tfce ? { tfce: w.array(`${prefix}${name}.tfce.f32`, Float32Array.from(m.tfce), [V], `[vertex] (${stat} score)`) } : {}),
    },
    ...(summary ? vertexSummaryRefs(w, prefix, name, feature, summary, feature.startsWith('shape') ? 'mm' : 'albedo') : {}),
  };
}

export function reverseCorrelationSummary(w: BundleWriter, prefix: string, r: ReverseCorrelationResult, face?: ArrayLike<number>): ReverseCorrelationSummary {
  const o = r.options;
  const K = r.shapeComponents + r.textureComponents;
  return {
    kind: 'reverse-correlation', identity: r.identity, trials: o.trials,
    view: { sizePx: r.run.view.sizePx, yawDeg: r.run.view.yawDeg, pitchDeg: 0 },
    noise: { shapeSd: o.shapeNoiseSd, textureSd: o.textureNoiseSd, seed: o.seed, basis: o.basis, ...(r.noise.spec.design ? { design: r.noise.spec.design } : {}) },
    accuracy: r.accuracy,
    maps: r.maps.map((m) => mapSummary(w, prefix, m.name, m.feature, m.response, m.map, face, m.summary)),
    notes: r.notes,
    componentMi: {
      responses: ['logit', 'decision'], shapeComponents: r.shapeComponents, textureComponents: r.textureComponents,
      array: w.array(`${prefix}component-mi.f32`, r.componentMi, [2, K], '[response][component] (shape components, then texture)', 'bits'),
    },
    trialTable: w.array(`${prefix}trials.f32`, r.trialTable, [o.trials, 4], '[trial][column]', '', ['logit', 'probability', 'decision', 'predicted']),
  };
}

function stack(rows: (Float32Array | null)[], V: number): Float32Array | null {
  if (rows.some((r) => r === null)) return null;
  const out = new Float32Array(rows.length * V);
  rows.forEach((r, i) => out.set(r!, i * V));
  return out;
}

export function hiddenLayersSummary(w: BundleWriter, prefix: string, model: FaceModel, identity: number, view: { sizePx: number; yawDeg: number }, r: HiddenLayersResult): HiddenLayersSummary {
  const V = model.vertexCount;
  const L = r.layers.length;
  const arrays: HiddenLayersSummary['arrays'] = {};
  for (const key of ['shapeMi', 'textureMi', 'shapeCoinfo', 'textureCoinfo'] as const) {
    const data = stack(r.layers.map((l) => l[key]), V);
    if (data) arrays[key] = w.array(`${prefix}${key}.f32`, data, [L, V], '[layer][vertex]', 'bits');
  }
  for (const key of ['shapeSignificant', 'textureSignificant'] as const) {
    if (r.layers.some((l) => l[key] === null)) continue;
    const data = new Uint8Array(L * V);
    r.layers.forEach((l, i) => data.set(l[key]!, i * V));
    arrays[key] = w.array(`${prefix}${key}.u8`, data, [L, V], '[layer][vertex] 1 = I(feature; layer) above the FWER threshold');
  }
  const stats = (mi: Float32Array | null, co: Float32Array | null, threshold: number, sig: Uint8Array | null, lc: LayerCoinformation | null) => {
    const a = mapStats(mi), b = mapStats(co);
    return {
      meanBits: finiteOrNull(a.mean), maxBits: finiteOrNull(a.max), meanCoinfoBits: finiteOrNull(b.mean), minCoinfoBits: finiteOrNull(b.min), maxCoinfoBits: finiteOrNull(b.max),
      thresholdBits: finiteOrNull(threshold), significantVertices: sig ? sig.reduce((s, x) => s + x, 0) : 0,
      coinfo: lc ? { bits: finiteOrNull(lc.coinfoBits), kind: lc.kind, p: finiteOrNull(lc.p), significant: lc.significant, vertices: lc.vertices, source: lc.source } : null,
    };
  };
  return {
    kind: 'hidden-layers', identity, trials: r.trials, view: { ...view, pitchDeg: 0 },
    layers: r.layers.map((l) => ({
      layer: l.layer, depth: l.depth, pcaComponents: l.k, explainedVariance: l.explainedVariance,
      decisionBits: finiteOrNull(l.decisionBits), logitBits: finiteOrNull(l.logitBits),
      shape: stats(l.shapeMi, l.shapeCoinfo, l.shapeThresholdBits, l.shapeSignificant, l.shapeLayerCoinfo),
      texture: stats(l.textureMi, l.textureCoinfo, l.textureThresholdBits, l.textureSignificant, l.textureLayerCoinfo),
    })),
    arrays, notes: r.notes,
  };
}

export function poseInvarianceSummary(w: BundleWriter, prefix: string, model: FaceModel, r: PoseInvarianceResult): PoseInvarianceSummary {
  const V = model.vertexCount;
  const P = r.options.posesYawDeg.length;
  return {
    kind: 'pose-invariance', identity: r.options.identity, trialsPerPose: r.options.trials, posesYawDeg: r.options.posesYawDeg,
    thresholdBits: r.thresholdBits,
    accuracyPerPose: r.runs.map((run) => run.decision.reduce((a, b) => a + b, 0) / run.trials),
    analysedVertices: r.analysedVertices, selection: r.selection,
    features: r.features.map((f) => {
      const L = f.layers.length;
      const cat = <T extends Float32Array | Uint8Array>(pick: (l: (typeof f.layers)[number]) => T, per: number, make: (n: number) => T): T => {
        const out = make(L * per);
        f.layers.forEach((l, i) => out.set(pick(l), i * per));
        return out;
      };
      return {
        feature: f.feature,
        layers: f.layers.map((l) => ({
          layer: l.layer, depth: l.depth, pooledBits: finiteOrNull(l.pooledBits), conditionalBits: finiteOrNull(l.conditionalBits),
          invarianceIndex: finiteOrNull(l.invarianceIndex), dice: finiteOrNull(l.dice),
          conditionalThresholdBits: finiteOrNull(l.conditionalThresholdBits),
          conditionalSignificantVertices: l.conditionalSignificant.reduce((a, b) => a + b, 0),
        })),
        arrays: {
          pooledMi: w.array(`${prefix}${f.feature}.pooled-mi.f32`, cat((l) => l.pooledMi, V, (n) => new Float32Array(n)), [L, V], '[layer][vertex]', 'bits'),
          conditionalMi: w.array(`${prefix}${f.feature}.conditional-mi.f32`, cat((l) => l.conditionalMi, V, (n) => new Float32Array(n)), [L, V], '[layer][vertex]', 'bits'),
          perPoseMi: w.array(`${prefix}${f.feature}.per-pose-mi.f32`, cat((l) => l.perPoseMi, P * V, (n) => new Float32Array(n)), [L, P, V], '[layer][pose][vertex]', 'bits'),
          conditionalSignificant: w.array(`${prefix}${f.feature}.conditional-significant.u8`, cat((l) => l.conditionalSignificant, V, (n) => new Uint8Array(n)), [L, V], '[layer][vertex] 1 = I(feature; layer | pose) above the FWER threshold'),
          selected: w.array(`${prefix}${f.feature}.selected.u8`, cat((l) => l.selected, P * V, (n) => new Uint8Array(n)), [L, P, V], '[layer][pose][vertex]'),
        },
      };
    }),
  };
}

export function generalisationSummary(w: BundleWriter, prefix: string, r: GeneralisationResult): GeneralisationSummary {
  // levels differ between scale and morph curves, so the curves are concatenated, not a rectangle
  const curves = r.curves.map((c) => ({ ...c }));
  const probability = w.array(`${prefix}probability.f32`, concat(r.probability), [r.probability.reduce((a, b) => a + b.length, 0)],
    '[curve][identity][pose][level] concatenated in curve order (levels per curve: curves[i].levels)', '');
  const correct = w.array(`${prefix}correct.u8`, concatU8(r.correct), [r.correct.reduce((a, b) => a + b.length, 0)],
    '[curve][identity][pose][level] concatenated in curve order; 1 = top-1 is the original identity', '');
  const morphTargets = r.targetProbability.filter((x): x is Float32Array => x !== null);
  const targetProbability = morphTargets.length
    ? w.array(`${prefix}target-probability.f32`, concat(morphTargets), [morphTargets.reduce((a, b) => a + b.length, 0)],
      '[morph curve][identity][pose][level] concatenated over the morph curves in curve order; P(morph target)', '')
    : undefined;
  return {
    kind: 'generalisation', identities: r.identities, posesYawDeg: r.posesYawDeg, sizePx: r.sizePx, curves,
    arrays: { probability, correct, ...(targetProbability ? { targetProbability } : {}) },
    morphTargets: r.morphTargets, morphScopes: r.morphScopes, asymmetry: r.asymmetry,
    ...(r.baseline ? { baseline: r.baseline } : {}),
  };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
function concatU8(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
