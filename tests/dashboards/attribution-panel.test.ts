import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MapPanel } from '../../app/components/viewer/MapPanel';
import type { DashboardMap } from '../../workers/contract';
import { attributionDecls } from '../../server/dashboards/dashboard-results';
import { tinyBundle } from './tiny-bundle';

/**
 * Issue 15 item 2: the map panel (server-rendered markup, before any array is fetched) shows an
 * attribution map chosen in the selector with its unit, method and agreement, and an information
 * map of the same run still in bits.
 */
describe('map panel with attribution maps', () => {
  it('states the method, the agreement and logit units', async () => {
    const { summary } = await tinyBundle();
    const link = (name: string) => ({ id: '00000000-0000-4000-8000-000000000000', name, size: 16, contentType: 'application/octet-stream' });
    const ref = (file: string) => ({ file, dtype: 'float32' as const, shape: [4], layout: '[vertex]', unit: 'logit units' });
    const decl = attributionDecls(summary, {
      target: 0, trials: 10, unit: 'logit units (gradient: logit per unit input intensity, × input intensity, summed over RGB)',
      options: { baseline: 'black', integratedSteps: 4, integratedRule: 'trapezoid', occlusionPatch: 8, occlusionStride: 8, sizePx: 32 },
      completeness: { mean: 0.125, max: 0.125 },
      maps: [{
        name: 'attributions.occlusion', method: 'occlusion', label: 'Occlusion (Zeiler & Fergus 2014): logit drop under a 8 px patch set to the black baseline, stride 8 px',
        visibleVertices: 4, maxAbs: 0.16, arrays: { values: ref('o.f32'), magnitude: ref('o.abs.f32'), weight: ref('o.w.f32') },
        agreement: [{ map: 'shape.logit', vertices: 4, pearson: 0.5, spearman: 0.4, topFraction: 0.25, diceTop: 1 }],
      }],
    });
    const base = { band: 'all', identity: 'id0', layer: 'output', layerIndex: 1000, poseYawDeg: 0, mesh: 'default', offset: 0, sign: 1 as const, vertexCount: 4 };
    const maps: DashboardMap[] = [
      { ...base, key: 'rc', title: 'Shape → logit', analysis: 'reverse-correlation', feature: 'shape', response: 'logit', values: link('mi'), thresholdBits: 0.1, maxBits: 0.3 },
      ...decl.map((d) => ({ ...base, key: d.key, title: d.title ?? d.key, analysis: d.analysis!, feature: d.feature, response: d.response!, values: link(d.values), thresholdBits: null, maxBits: d.maxBits!, unit: d.unit, note: d.note })),
    ];
    const meshes = [{ key: 'default', label: 'face', vertexCount: 4, triangleCount: 4, positions: link('p'), triangles: link('t') }];
    // the panel opens on the first map: an information map, or (listed first) the attribution map
    const html = (list: DashboardMap[]) => renderToStaticMarkup(createElement(MapPanel, { sources: [{ id: 'run', label: 'Run', maps: list, meshes, urlOf: (id: string) => `/a/${id}` }] }));
    const info = html(maps);
    expect(info).toContain('>Attributions</button>');
    expect(info).toContain('mutual information (bits)');
    expect(info).toContain('Threshold: <strong data-testid="threshold-value">none</strong>');
    expect(info).not.toContain('data-testid="map-note"');
    const attr = html([maps[1]!, maps[0]!]);
    expect(attr).toContain('aria-checked="true" class="toggle on">Attributions</button>');
    expect(attr).toContain('|attribution| (logit units)');
    expect(attr).not.toContain('mutual information (bits)');
    const note = /data-testid="map-note">([^<]*)</.exec(attr)![1]!;
    expect(note).toContain('Occlusion (Zeiler &amp; Fergus 2014): logit drop under a 8 px patch set to the black baseline, stride 8 px.');
    expect(note).toContain('averaged over 10 reverse-correlation stimuli');
    expect(note).toContain('shape.logit: Pearson r 0.50, Spearman ρ 0.40, Dice of the top 25 % 1.00 (4 vertices)');
  });
});
