/** Issue 12: the dashboard marks significant co-information, uses the maps' FWER thresholds, and shows the baseline observer and the asymmetry. */
import { describe, expect, it } from 'vitest';
import { basisLabel, generalisationDecl, hiddenLayersDecl } from '../../server/dashboards/dashboard-results';
import { GeneralisationSummary, HiddenLayersSummary } from '../../workers/contract/result-bundles';

const ref = (file: string, shape: number[]) => ({ file, dtype: 'float32' as const, shape, layout: '[layer][vertex]', unit: 'bits' });
const stats = (bits: number, p: number) => ({
  meanBits: 0.1, maxBits: 0.3, meanCoinfoBits: bits, minCoinfoBits: -0.01, maxCoinfoBits: 0.2, thresholdBits: 0.12, significantVertices: 5,
  coinfo: { bits, kind: bits >= 0 ? 'redundancy' as const : 'synergy' as const, p, significant: p <= 0.05, vertices: 8, source: 'reverse-correlation' as const },
});

describe('dashboard declarations of the issue-12 statistics', () => {
  it('hidden layers: co-information per layer with significance, positive = redundancy, map thresholds', () => {
    const s = HiddenLayersSummary.parse({
      kind: 'hidden-layers', identity: 0, trials: 300, view: { sizePx: 64, yawDeg: 0 },
      layers: [0, 1].map((d) => ({ layer: `l${d}`, depth: d, pcaComponents: 4, explainedVariance: 0.9, decisionBits: 0.2, logitBits: 0.3, shape: stats(d ? 0.08 : -0.01, d ? 0.01 : 0.6), texture: stats(0.02, 0.3) })),
      arrays: { shapeMi: ref('s.f32', [2, 10]), shapeCoinfo: ref('c.f32', [2, 10]) },
    });
    const d = hiddenLayersDecl(s);
    const depth = d.curves.find((c) => c.title === 'Information versus depth')!;
    const co = depth.series.find((x) => x.name.startsWith('shape: co-information'))!;
    expect(co.y).toEqual([-0.01, 0.08]);
    expect(co.significant).toEqual([false, true]);
    const red = d.maps.find((m) => m.response === 'redundancy')!;
    expect(red.sign).toBe(1);
    expect(red.maxBits).toBeCloseTo(0.2, 9);
    expect(d.maps.find((m) => m.response === 'layer')!.thresholdBits).toBeCloseTo(0.12, 9);
  });

  it('generalisation: baseline observer series and the network − baseline asymmetry note', () => {
    const curve = (m: string, y: number[]) => ({ manipulation: m, levels: [0, 1, 2], probability: y, accuracy: y, auc: 1, levelBelowHalf: null });
    const s = GeneralisationSummary.parse({
      kind: 'generalisation', identities: [0, 1], posesYawDeg: [0], sizePx: 64,
      curves: [curve('shape-scale', [0.8, 0.9, 0.5]), curve('texture-scale', [0.2, 0.9, 0.4])],
      arrays: { probability: ref('p.f32', [12]), correct: { ...ref('c.u8', [12]), dtype: 'uint8' } },
      asymmetry: { network: { mean: 0.6, lo: 0.5, hi: 0.7, n: 2 }, baseline: { mean: 0.1, lo: 0, hi: 0.2, n: 2 }, networkMinusBaseline: { mean: 0.5, lo: 0.4, hi: 0.6, n: 2 } },
      baseline: { describe: { kind: 'baseline-observer' }, curves: [curve('shape-scale', [0.5, 0.9, 0.5])] },
    });
    const [scale] = generalisationDecl(s).curves;
    expect(scale.series.map((x) => x.source)).toEqual(['network', 'baseline', 'network']);
    expect(scale.note).toBe('Shape − texture asymmetry of P(original) over the anti-caricature levels: network 0.60 [95% CI 0.50, 0.70]; baseline observer 0.10 [95% CI 0.00, 0.20]; network − baseline 0.50 [95% CI 0.40, 0.60].');
  });

  it('every map names its noise basis, and coefficients noise its design (absent = independent, as drawn before it existed)', () => {
    expect(basisLabel('bubbles', 'orthogonal')).toBe('bubbles noise');
    expect(basisLabel('coefficients', 'orthogonal')).toBe('coefficients noise (orthogonal)');
    expect(basisLabel('components')).toBe('coefficients noise (independent)');
  });
});
