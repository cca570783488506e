import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapAgreement } from '../../workers/analyses/map-agreement';
import { ReverseCorrelationSummary, type MeshAttributionsSummary } from '../../workers/contract/result-bundles';
import { createTestDb, DB_TARGETS } from '../server/db';
import { signUpUser, type TestUser } from '../server/callers';
import type { DbHandle } from '../../server/db/client';
import { FsArtifactStore } from '../../server/storage';
import { serveArtifact } from '../../server/dashboards/artifacts';
import { SESSION_COOKIE } from '../../server/config';
import { seedOracleRun } from './seed-run';
import { tinyBundle } from './tiny-bundle';
import { analysisLabel, optionsFor, resolveChoice } from '../../app/components/viewer/map-selection';

/**
 * Issue 15 item 3: attribution maps stored by the reverse-correlation step reach the dashboard's
 * client beside the information maps (same viewer: analysis 'attributions', feature 'image', one
 * response per method), with their units, method and agreement; bundles without them still load.
 *
 * The tiny bundle's logit follows vertex 0's displacement; the attributions are those of the linear
 * model y = 1 · x₀ (∂y/∂x = e₀), so each method puts all its weight on vertex 0 with a method-specific
 * scale (gradient × input: mean |x₀|; integrated gradients: the same; occlusion: half of it).
 */
async function withAttributions() {
  const bundle = await tinyBundle();
  const V = 4;
  const mi = new Float32Array(bundle.files.get('rc/id0/shape.logit.mi.f32')!.slice().buffer);
  const files = new Map(bundle.files);
  const method = (name: 'gradient-x-input' | 'integrated-gradients' | 'occlusion', scale: number) => {
    const values = Float32Array.from({ length: V }, (_, v) => (v === 0 ? scale : 0.01 * v));
    const magnitude = Float32Array.from(values, Math.abs);
    const weight = Float32Array.from({ length: V }, () => 30);
    const ref = (file: string, data: Float32Array, unit: string) => {
      files.set(file, new Uint8Array(data.buffer));
      return { file, dtype: 'float32' as const, shape: [V], layout: '[vertex]', unit };
    };
    const a = mapAgreement(magnitude, mi, { topFraction: 0.25 });
    return {
      name: `attributions.${name}`, method: name, label: `${name} of the planted linear logit`, visibleVertices: V, maxAbs: scale,
      arrays: {
        values: ref(`rc/id0/attributions/${name}.f32`, values, 'logit units'),
        magnitude: ref(`rc/id0/attributions/${name}.abs.f32`, magnitude, 'logit units'),
        weight: ref(`rc/id0/attributions/${name}.weight.f32`, weight, 'barycentric weight'),
      },
      agreement: [{ map: 'shape.logit', vertices: a.vertices, pearson: a.pearson, spearman: a.spearman, topFraction: a.topFraction, diceTop: a.diceTop }],
    };
  };
  const attributions: MeshAttributionsSummary = {
    target: 0, trials: 30, unit: 'logit units (gradient: logit per unit input intensity, × input intensity, summed over RGB)',
    options: { baseline: 'black', integratedSteps: 8, integratedRule: 'trapezoid', occlusionPatch: 8, occlusionStride: 4, sizePx: 32 },
    completeness: { mean: 0, max: 0 },
    maps: [method('gradient-x-input', 0.8), method('integrated-gradients', 0.8), method('occlusion', 0.4)],
  };
  return { summary: ReverseCorrelationSummary.parse({ ...bundle.summary, attributions }), files, old: bundle };
}

// The routers read the process-wide store (<DATA_DIR>/artifacts), created once per process: one
// folder for the whole file, shared by every database target.
let dir: string;
let store: FsArtifactStore;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'deeper-attr-'));
  process.env.DATA_DIR = dir;
  store = new FsArtifactStore(path.join(dir, 'artifacts'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DB_TARGETS)('attribution maps reach the dashboard client on %s', (target) => {
  let h: DbHandle, owner: TestUser, runId: string, oldRunId: string;
  let bundle: Awaited<ReturnType<typeof withAttributions>>;

  beforeAll(async () => {
    h = await createTestDb(target);
    owner = await signUpUser(h.db, 'owner@example.com');
    const workspaceId = owner.personalWorkspaceId;
    const experimentId = (await owner.caller.experiment.create({ workspaceId, config: { name: 'Attributions' } })).id;
    bundle = await withAttributions();
    runId = (await seedOracleRun(h.db, store, { workspaceId, experimentId, userId: owner.id, bundle, name: 'With attributions' })).runId;
    oldRunId = (await seedOracleRun(h.db, store, { workspaceId, experimentId, userId: owner.id, bundle: bundle.old, name: 'Before issue 15' })).runId;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists the three methods beside the information map, with unit, method and agreement', async () => {
    const d = await owner.caller.dashboards.get({ runId });
    expect(d.problems).toEqual([]);
    const info = d.manifest.maps.find((m) => m.analysis === 'reverse-correlation')!;
    expect(info.unit).toBeUndefined(); // bits
    const attr = d.manifest.maps.filter((m) => m.analysis === 'attributions');
    expect(attr.map((m) => m.response)).toEqual(['gradient-x-input', 'integrated-gradients', 'occlusion']);
    const s = bundle.summary.attributions!;
    for (const [i, m] of attr.entries()) {
      expect(m).toMatchObject({ feature: 'image', identity: 'id0', unit: 'logit units', thresholdBits: null, mesh: info.mesh, vertexCount: 4 });
      expect(m.maxBits).toBeCloseTo(s.maps[i]!.maxAbs!, 6);
      const g = s.maps[i]!.agreement[0]!;
      expect(m.note).toContain(s.maps[i]!.label);
      expect(m.note).toContain(`shape.logit: Pearson r ${g.pearson!.toFixed(2)}, Spearman ρ ${g.spearman!.toFixed(2)}, Dice of the top 25 % ${g.diceTop!.toFixed(2)} (4 vertices)`);
      // the magnitude array, through the artifact route the signed-in client uses
      const res = await serveArtifact(new Request(`http://x/api/artifacts/${m.values.id}`, { headers: { cookie: `${SESSION_COOKIE}=${owner.token}` } }), m.values.id, { db: h.db, store });
      expect(res.status).toBe(200);
      const values = new Float32Array((await res.arrayBuffer()).slice(0));
      expect(Array.from(values)).toEqual(Array.from(new Float32Array(bundle.files.get(s.maps[i]!.arrays.magnitude.file)!.slice().buffer)));
    }
    // vertex 0 carries both the planted information and the attribution: they agree at the top
    expect(s.maps[0]!.agreement[0]!.diceTop).toBe(1);
    expect(attr[1]!.note).toMatch(/Completeness error \(relative\): mean 0\.0000/);
  });

  it('the viewer\'s selector offers them as their own analysis, one response per method', async () => {
    const { manifest } = await owner.caller.dashboards.get({ runId });
    expect(optionsFor(manifest.maps, {}, 'analysis').map((a) => analysisLabel(String(a)))).toEqual(['Reverse correlation', 'Attributions']);
    expect(optionsFor(manifest.maps, { analysis: 'attributions' }, 'feature')).toEqual(['image']);
    expect(optionsFor(manifest.maps, { analysis: 'attributions', feature: 'image' }, 'response')).toEqual(['gradient-x-input', 'integrated-gradients', 'occlusion']);
    expect(resolveChoice(manifest.maps, { analysis: 'attributions', response: 'occlusion' }).map?.key).toBe('attr/id0/occlusion');
    // switching back keeps the information map
    expect(resolveChoice(manifest.maps, { analysis: 'reverse-correlation', response: 'occlusion' }).map?.key).toBe('rc/id0/shape/logit');
  });

  it('a bundle written before attribution maps still loads, without them', async () => {
    const d = await owner.caller.dashboards.get({ runId: oldRunId });
    expect(d.problems).toEqual([]);
    expect(d.manifest.maps.map((m) => m.analysis)).toEqual(['reverse-correlation']);
  });
});
