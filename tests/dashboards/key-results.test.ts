import { describe, expect, it } from 'vitest';
import type { DashboardCurve, DashboardManifest, DashboardMap } from '../../workers/contract';
import { keyResultsOf } from '../../server/dashboards/key-results';
import { overlayCurves } from '../../app/components/dashboard/overlay-curves';
import { featureSummary } from '../../app/components/runs/RunsTable';

const link = { id: '00000000-0000-4000-8000-000000000000', name: 'x', size: 12, contentType: '' };
const map = (key: string, feature: 'shape' | 'texture', maxBits: number): DashboardMap => ({
  key, title: key, analysis: 'reverse-correlation', feature, band: 'all', identity: 'id0', layer: 'output', layerIndex: 0, poseYawDeg: 0,
  response: 'logit', mesh: 'default', values: link, offset: 0, sign: 1, vertexCount: 3, thresholdBits: null, maxBits,
});
const training = (key: string, val: number[], train: number[]): DashboardCurve => ({
  key, kind: 'training', title: key === 'training/loss' ? 'Training loss' : 'Identification accuracy', xLabel: 'epoch', yLabel: 'y',
  series: [{ name: 'training', x: train.map((_, i) => i + 1), y: train, source: 'network' }, { name: 'validation', x: val.map((_, i) => i + 1), y: val, source: 'network' }],
});
const levels = [0, 1 / 3, 2 / 3, 1, 4 / 3];
const gen: DashboardCurve = {
  key: 'gen/scale', kind: 'generalisation', title: 'g', xLabel: 'x', yLabel: 'P(original identity)',
  series: [
    { name: 'network: shape changed', x: levels, y: [0.6, 0.8, 0.9, 1, 1], source: 'network' },
    { name: 'baseline observer: shape changed', x: levels, y: [0, 0, 0, 1, 1], source: 'baseline' },
    { name: 'network: texture changed', x: levels, y: [0.1, 0.2, 0.3, 1, 1], source: 'network' },
  ],
};
const manifest = (maps: DashboardMap[], curves: DashboardCurve[]) => ({ maps, curves }) as unknown as DashboardManifest;

describe('key results of a run (runs table)', () => {
  it('last validation accuracy, peak bits overall and per feature, P(original) over anti-caricature levels', () => {
    const r = keyResultsOf(manifest([map('a', 'shape', 0.2), map('b', 'shape', 0.5), map('c', 'texture', 0.7)], [training('training/accuracy', [0.3, 0.55, 0.625], [0.4, 0.7, 0.9]), gen]));
    expect(r.valAccuracy).toBe(0.625);
    expect(r.peakBits).toBe(0.7);
    expect(r.shape.peakBits).toBe(0.5);
    expect(r.shape.maps).toBe(2);
    // Levels < 1: mean of 0.6, 0.8, 0.9 (network only; the baseline is left out).
    expect(r.shape.generalisation).toBeCloseTo(2.3 / 3, 12);
    expect(r.texture.generalisation).toBeCloseTo(0.2, 12);
    expect(featureSummary(r.shape)).toBe('peak 0.500 bits (2 maps) · P(original) 0.77 when changed');
  });

  it('what a run does not have is null', () => {
    const r = keyResultsOf(manifest([], []));
    expect(r).toEqual({ valAccuracy: null, peakBits: null, shape: { peakBits: null, maps: 0, generalisation: null }, texture: { peakBits: null, maps: 0, generalisation: null } });
    expect(featureSummary(r.texture)).toBe('—');
  });
});

describe('training curves of two runs overlaid', () => {
  it('one chart per curve key with both runs’ series, named by run', () => {
    const a = { label: 'this run', curves: [training('training/loss', [2, 1], [2.5, 1.5]), training('training/accuracy', [0.3, 0.6], [0.4, 0.7]), gen] };
    const b = { label: 'compared', curves: [training('training/loss', [3, 2, 1.2], [3, 2.2, 1])] };
    const o = overlayCurves(a, b, 'training');
    expect(o.map((c) => c.key)).toEqual(['training/loss', 'training/accuracy']);
    expect(o[0]!.series.map((s) => [s.name, s.y])).toEqual([
      ['this run: training', [2.5, 1.5]], ['this run: validation', [2, 1]],
      ['compared: training', [3, 2.2, 1]], ['compared: validation', [3, 2, 1.2]],
    ]);
    expect(o[0]!.title).toBe('Training loss: this run vs compared');
    // Accuracy only in this run: its own series only.
    expect(o[1]!.series.map((s) => s.name)).toEqual(['this run: training', 'this run: validation']);
  });
});
