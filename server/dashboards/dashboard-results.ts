import type { z } from 'zod';
import type { ArrayRef } from '../../workers/contract';
import {
  BatterySummary,
  GeneralisationSummary,
  HiddenLayersSummary,
  PoseInvarianceSummary,
  ReverseCorrelationSummary,
} from '../../workers/contract';
import type { DashboardDecl, MeshAttributionsSummary } from '../../workers/contract';
import type { DashboardCurve } from '../../workers/contract';

/**
 * Turns analysis result summaries (workers/contract/result-bundles.ts) into dashboard declarations: one
 * map per (analysis, identity, feature, response, layer, pose), and the curves the paper plots
 * (generalisation, information versus depth, pose invariance). Array files are named as the
 * bundle names them; build.ts resolves them to the step's artifacts.
 */

type Decl = { maps: NonNullable<DashboardDecl['maps']>; curves: DashboardCurve[] };
type MapDecl = Decl['maps'][number];

/** 'texture:<band>' → ['texture', band]; 'shape' → ['shape', 'all']. */
function splitFeature(feature: string): ['shape' | 'texture', string] {
  const [kind, band] = feature.split(':');
  return [kind === 'texture' ? 'texture' : 'shape', band ?? 'all'];
}

const id = (n: number) => `id${n}`;
/** Too few permutations give no threshold (stored as +∞ or the largest double): the viewer then starts at none. */
const finiteThreshold = (t: number) => (Number.isFinite(t) && Math.abs(t) < 1e300 ? t : null);
/** Vertices per row of a [..][V] array: its last dimension. */
const rowLength = (a: ArrayRef) => a.shape[a.shape.length - 1] ?? 0;

/**
 * Every map states its noise basis (issue 12); 'components' is the old name of 'coefficients'.
 * Coefficients noise also states its design (a bundle without one was drawn independently).
 */
export function basisLabel(basis: string, design?: string): string {
  const name = basis === 'components' ? 'coefficients' : basis;
  return name === 'coefficients' ? `${name} noise (${design ?? 'independent'})` : `${name} noise`;
}

export function reverseCorrelationDecl(s: ReverseCorrelationSummary): Decl {
  const maps: MapDecl[] = s.maps.map((m) => {
    const [feature, band] = splitFeature(m.feature);
    return {
      key: `rc/${id(s.identity)}/${m.feature}/${m.response}`,
      title: `${feature === 'shape' ? 'Shape' : 'Texture'}${band !== 'all' ? ` (${band})` : ''} → ${m.response}, identity ${s.identity}, ${basisLabel(s.noise.basis, s.noise.design)}`,
      feature,
      band,
      identity: id(s.identity),
      layer: 'output',
      layerIndex: 1000,
      poseYawDeg: s.view.yawDeg,
      response: m.response,
      values: m.arrays.mi.file,
      vertexCount: rowLength(m.arrays.mi),
      // A TFCE threshold is in TFCE units, not bits: the viewer then starts at no threshold.
      thresholdBits: m.test.method === 'max-statistic' && m.test.permutations > 0 ? finiteThreshold(m.test.threshold) : null,
      maxBits: m.maxBits,
      // issue 14: per-vertex p-values and binned response summary (bundles written before lack them)
      ...(m.pValues ? { pValues: m.pValues.file } : {}),
      ...(m.responseBins ? {
        responseBins: {
          bins: m.responseBins.bins, featureLabel: m.responseBins.featureLabel, responseLabel: m.responseBins.responseLabel,
          featureMean: m.responseBins.featureMean.file, responseMean: m.responseBins.responseMean.file, count: m.responseBins.count.file,
        },
      } : {}),
    };
  });
  if (s.attributions) maps.push(...attributionDecls(s, s.attributions));
  return { maps, curves: [] };
}

const fmt = (x: number | null, d = 2) => (x === null ? 'n/a' : x.toFixed(d));

/**
 * Issue 15: the attribution maps of a reverse-correlation run, beside its information maps in the
 * same viewer (analysis 'attributions', feature 'image', response = the method). The viewer shows
 * |attribution| (logit units); the note states the method and its agreement with the logit
 * information maps of the same trials.
 */
export function attributionDecls(s: ReverseCorrelationSummary, a: MeshAttributionsSummary): MapDecl[] {
  return a.maps.map((m) => {
    const agreement = m.agreement.map((g) => `${g.map}: Pearson r ${fmt(g.pearson)}, Spearman ρ ${fmt(g.spearman)}, Dice of the top ${Math.round(g.topFraction * 100)} % ${fmt(g.diceTop)} (${g.vertices} vertices)`);
    const completeness = m.method === 'integrated-gradients' && a.completeness ? ` Completeness error (relative): mean ${fmt(a.completeness.mean, 4)}, max ${fmt(a.completeness.max, 4)}.` : '';
    return {
      key: `attr/${id(s.identity)}/${m.method}`,
      title: `|${m.method}| of the target logit, identity ${s.identity}, ${a.trials} stimuli`,
      analysis: 'attributions',
      feature: 'image',
      band: 'all',
      identity: id(s.identity),
      layer: 'output',
      layerIndex: 1000,
      poseYawDeg: s.view.yawDeg,
      response: m.method,
      values: m.arrays.magnitude.file,
      vertexCount: rowLength(m.arrays.magnitude),
      thresholdBits: null,
      maxBits: Math.max(0, m.maxAbs ?? 0),
      unit: 'logit units',
      note: `${m.label}. |attribution| in ${a.unit}, averaged over ${a.trials} reverse-correlation stimuli. Agreement with the information maps: ${agreement.length ? agreement.join('; ') : 'none (no logit map)'}.${completeness}`,
    };
  });
}

/** null (a feature without noise, a constant decision) → NaN: the charts leave the point out. */
const n = (x: number | null | undefined) => (x === null || x === undefined ? NaN : x);

export function hiddenLayersDecl(s: HiddenLayersSummary): Decl {
  const maps: MapDecl[] = [];
  // Bundles with the layer-level co-information use C = I(F;L) − I(F;L|D) (> 0 redundancy); older
  // ones stored I(D;F,L) − I(D;F) − I(D;L) (< 0 redundancy).
  const redundancySign: 1 | -1 = s.layers.some((l) => l.shape.coinfo !== undefined || l.texture.coinfo !== undefined) ? 1 : -1;
  s.layers.forEach((layer, l) => {
    for (const feature of ['shape', 'texture'] as const) {
      const mi = feature === 'shape' ? s.arrays.shapeMi : s.arrays.textureMi;
      const co = feature === 'shape' ? s.arrays.shapeCoinfo : s.arrays.textureCoinfo;
      const stats = layer[feature];
      const base = { feature, band: 'all', identity: id(s.identity), layer: layer.layer, layerIndex: layer.depth, poseYawDeg: s.view.yawDeg, thresholdBits: null };
      if (mi) {
        const V = rowLength(mi);
        // the max-statistic FWER threshold of the I(feature_v; layer) map, when the bundle has one
        maps.push({ ...base, key: `hl/${id(s.identity)}/${feature}/layer/${layer.layer}`, title: `${feature} → layer ${layer.layer}`, response: 'layer', values: mi.file, vertexCount: V, offset: l * V, maxBits: stats.maxBits ?? 0, sign: 1, thresholdBits: finiteThreshold(stats.thresholdBits ?? Infinity) });
      }
      if (co) {
        const V = rowLength(co);
        const most = redundancySign > 0 ? Math.max(0, stats.maxCoinfoBits ?? 0) : Math.max(0, -(stats.minCoinfoBits ?? 0));
        maps.push({ ...base, key: `hl/${id(s.identity)}/${feature}/redundancy/${layer.layer}`, title: `${feature}: redundancy of layer ${layer.layer} and decision`, response: 'redundancy', values: co.file, vertexCount: V, offset: l * V, maxBits: most, sign: redundancySign });
      }
    }
  });
  const depth = s.layers.map((l) => l.depth);
  const curves: DashboardCurve[] = [
    {
      key: `hl/${id(s.identity)}/depth`,
      kind: 'depth',
      title: 'Information versus depth',
      xLabel: 'layer depth',
      yLabel: 'mean MI per vertex (bits)',
      series: [
        { name: 'shape → layer', x: depth, y: s.layers.map((l) => n(l.shape.meanBits)), source: 'network' },
        { name: 'texture → layer', x: depth, y: s.layers.map((l) => n(l.texture.meanBits)), source: 'network' },
        ...(redundancySign > 0
          ? (['shape', 'texture'] as const).map((f) => ({
            // the layer-level co-information I(F;L) − I(F;L|D) over the diagnostic vertices; ringed where its permutation p ≤ alpha
            name: `${f}: co-information with decision (> 0 redundancy, < 0 synergy)`, x: depth, y: s.layers.map((l) => n(l[f].coinfo?.bits)), source: 'network' as const,
            significant: s.layers.map((l) => l[f].coinfo?.significant === true),
          }))
          : [
            { name: 'shape redundancy with decision', x: depth, y: s.layers.map((l) => -n(l.shape.meanCoinfoBits)), source: 'network' as const },
            { name: 'texture redundancy with decision', x: depth, y: s.layers.map((l) => -n(l.texture.meanCoinfoBits)), source: 'network' as const },
          ]),
      ],
    },
    {
      key: `hl/${id(s.identity)}/decision`,
      kind: 'depth',
      title: 'Layer information about the decision',
      xLabel: 'layer depth',
      yLabel: 'MI (bits)',
      series: [
        { name: 'I(layer; decision)', x: depth, y: s.layers.map((l) => n(l.decisionBits)), source: 'network' },
        { name: 'I(layer; logit)', x: depth, y: s.layers.map((l) => n(l.logitBits)), source: 'network' },
      ],
    },
  ];
  return { maps, curves: curves.map((c) => ({ ...c, series: c.series.filter((x) => x.y.some(Number.isFinite)) })) };
}

export function poseInvarianceDecl(s: PoseInvarianceSummary): Decl {
  const maps: MapDecl[] = [];
  const curves: DashboardCurve[] = [];
  const P = s.posesYawDeg.length;
  for (const f of s.features) {
    const V = rowLength(f.arrays.pooledMi);
    f.layers.forEach((layer, l) => {
      const base = { feature: f.feature, band: 'all', identity: id(s.identity), layer: layer.layer, layerIndex: layer.depth, vertexCount: V, sign: 1 as const, maxBits: 0 };
      maps.push({ ...base, key: `pi/${id(s.identity)}/${f.feature}/pooled/${layer.layer}`, title: `${f.feature} → layer ${layer.layer}, pooled over poses`, response: 'pooled', poseYawDeg: 0, values: f.arrays.pooledMi.file, offset: l * V, thresholdBits: null });
      maps.push({ ...base, key: `pi/${id(s.identity)}/${f.feature}/conditional/${layer.layer}`, title: `${f.feature} → layer ${layer.layer} given pose`, response: 'conditional', poseYawDeg: 0, values: f.arrays.conditionalMi.file, offset: l * V, thresholdBits: finiteThreshold(layer.conditionalThresholdBits ?? Infinity) });
      s.posesYawDeg.forEach((yaw, p) =>
        maps.push({ ...base, key: `pi/${id(s.identity)}/${f.feature}/pose/${yaw}/${layer.layer}`, title: `${f.feature} → layer ${layer.layer} at yaw ${yaw}°`, response: 'per pose', poseYawDeg: yaw, values: f.arrays.perPoseMi.file, offset: (l * P + p) * V, thresholdBits: finiteThreshold(s.thresholdBits) }),
      );
    });
    const depth = f.layers.map((l) => l.depth);
    curves.push({
      key: `pi/${id(s.identity)}/${f.feature}/invariance`,
      kind: 'pose',
      title: `Pose invariance of ${f.feature} information`,
      xLabel: 'layer depth',
      yLabel: 'index (0–1)',
      series: [
        { name: 'invariance index (pooled / conditional)', x: depth, y: f.layers.map((l) => n(l.invarianceIndex)), source: 'network' },
        { name: 'Dice overlap across poses', x: depth, y: f.layers.map((l) => n(l.dice)), source: 'network' },
      ],
    });
  }
  return { maps, curves };
}

const MANIPULATION_LABEL: Record<string, string> = {
  'shape-scale': 'shape changed',
  'texture-scale': 'texture changed',
  'shape-morph': 'shape morphed',
  'texture-morph': 'texture morphed',
};

type Ci = { mean: number | null; lo: number | null; hi: number | null };
const ci = (x: Ci) => (x.mean === null ? 'n/a' : `${x.mean.toFixed(2)} [95% CI ${x.lo?.toFixed(2)}, ${x.hi?.toFixed(2)}]`);

/** The shape − texture asymmetry sentence of the generalisation chart (bootstrap intervals over identities). */
export function asymmetryNote(a: NonNullable<GeneralisationSummary['asymmetry']>): string {
  const head = `Shape − texture asymmetry of P(original) over the anti-caricature levels: network ${ci(a.network)}`;
  if (!a.baseline || !a.networkMinusBaseline) return `${head}.`;
  return `${head}; baseline observer ${ci(a.baseline)}; network − baseline ${ci(a.networkMinusBaseline)}.`;
}

export function generalisationDecl(s: GeneralisationSummary): Decl {
  const curves: DashboardCurve[] = [];
  for (const family of ['scale', 'morph'] as const) {
    const chosen = s.curves.filter((c) => c.manipulation.endsWith(family));
    if (!chosen.length) continue;
    const series: DashboardCurve['series'] = [];
    for (const c of chosen) {
      series.push({ name: `network: ${MANIPULATION_LABEL[c.manipulation]}`, x: c.levels, y: c.probability, source: 'network' });
      const b = s.baseline?.curves.find((x) => x.manipulation === c.manipulation);
      if (b) series.push({ name: `baseline observer: ${MANIPULATION_LABEL[c.manipulation]}`, x: b.levels, y: b.probability, source: 'baseline' });
      if (c.human) {
        const pts = c.levels.map((x, i) => [x, c.human!.probability[i]] as const).filter((p): p is readonly [number, number] => p[1] !== null);
        series.push({ name: `human: ${MANIPULATION_LABEL[c.manipulation]}`, x: pts.map((p) => p[0]), y: pts.map((p) => p[1]), source: 'human' });
      }
    }
    curves.push({
      key: `gen/${family}`,
      kind: 'generalisation',
      title: family === 'scale' ? 'Generalisation: shape vs texture deviation' : 'Generalisation: morphs towards another identity',
      xLabel: family === 'scale' ? 'amplification of the identity deviation (1 = the learned face)' : 'morph level (0 = self, 1 = other)',
      yLabel: 'P(original identity)',
      series,
      ...(family === 'scale' && s.asymmetry ? { note: asymmetryNote(s.asymmetry) } : {}),
    });
  }
  return { maps: [], curves };
}

/** Declarations from any result summary (a single analysis or a battery); empty for other JSON. */
export function declFromResult(raw: unknown): Decl {
  const out: Decl = { maps: [], curves: [] };
  const add = (d: Decl) => {
    out.maps.push(...d.maps);
    out.curves.push(...d.curves);
  };
  const kind = (raw as { kind?: unknown } | null)?.kind;
  const parse = <T>(schema: z.ZodType<T>, f: (v: T) => Decl) => {
    const r = schema.safeParse(raw);
    if (r.success) add(f(r.data));
  };
  if (kind === 'reverse-correlation') parse(ReverseCorrelationSummary, reverseCorrelationDecl);
  else if (kind === 'hidden-layers') parse(HiddenLayersSummary, hiddenLayersDecl);
  else if (kind === 'pose-invariance') parse(PoseInvarianceSummary, poseInvarianceDecl);
  else if (kind === 'generalisation') parse(GeneralisationSummary, generalisationDecl);
  else if (kind === 'battery') {
    const r = BatterySummary.safeParse(raw);
    if (r.success) {
      if (r.data.generalisation) add(generalisationDecl(r.data.generalisation));
      r.data.reverseCorrelation.forEach((s) => add(reverseCorrelationDecl(s)));
      r.data.hiddenLayers.forEach((s) => add(hiddenLayersDecl(s)));
      r.data.poseInvariance.forEach((s) => add(poseInvarianceDecl(s)));
    }
  }
  return out;
}
