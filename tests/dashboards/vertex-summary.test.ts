import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { informationMap, type MapFeatures } from '../../workers/analyses/maps';
import { addShapeNoise, addTextureNoise, drawNoise } from '../../workers/analyses/noise';
import { LUMINANCE_WEIGHTS, mapPValues, responseBins, vertexScalarFeature } from '../../workers/analyses/vertex-summary';
import { computeVertexNormals, loadDefaultFaceModel } from '../../workers/faces';
import { formatP, vertexBins } from '../../app/components/viewer/vertex-bins';
import { createTestDb, DB_TARGETS } from '../server/db';
import { callerFor, signUpUser, type TestUser } from '../server/callers';
import type { DbHandle } from '../../server/db/client';
import { FsArtifactStore } from '../../server/storage';
import { servePublishedArtifact } from '../../server/dashboards/public';
import { serveArtifact } from '../../server/dashboards/artifacts';
import { SESSION_COOKIE } from '../../server/config';
import { seedOracleRun } from './seed-run';
import { tinyBundle } from './tiny-bundle';

/**
 * Issue 14 item 5: per-vertex p-values and binned response summaries, from the analyses library to
 * the dashboard's client (manifest links and artifact bytes, also in a published snapshot).
 */

/** Park–Miller LCG → Box–Muller: reproducible Gaussian draws. */
function gaussian(seed: number) {
  let s = seed;
  const uni = () => ((s = (s * 48271) % 2147483647) / 2147483647);
  return () => Math.sqrt(-2 * Math.log(uni())) * Math.cos(2 * Math.PI * uni());
}

describe('binned response summary and p-values on planted data', () => {
  // Three "vertices", 2,000 trials: y follows vertex 0's feature (R² = 0.5); vertex 1 is independent
  // noise (null); vertex 2 never varies (no noise).
  const V = 3, T = 2000, B = 10, P = 99;
  const normal = gaussian(2024);
  const x = new Float64Array(V * T);
  for (let t = 0; t < T; t++) {
    x[t] = normal();
    x[T + t] = normal();
    x[2 * T + t] = 0.25;
  }
  const y = Float64Array.from({ length: T }, (_, t) => x[t]! + normal());
  const feature = { label: 'planted feature (mm)', fill: (v: number, out: Float64Array) => (out.set(x.subarray(v * T, (v + 1) * T)), v !== 2) };

  it('a planted vertex has a monotone curve, a null vertex a flat one, a constant one none', () => {
    const b = responseBins(feature, V, T, [{ label: 'mean target logit', y }], B);
    expect(b.featureLabel).toBe('planted feature (mm)');
    expect(b.responseLabels).toEqual(['mean target logit']);
    const row = (a: Float32Array | Int32Array, v: number) => Array.from(a.subarray(v * B, (v + 1) * B));
    // equal-count (decile) bins of 200 trials, feature means ascending
    expect(row(b.count, 0)).toEqual(Array(B).fill(T / B));
    const f0 = row(b.featureMean, 0);
    for (let i = 1; i < B; i++) expect(f0[i]!).toBeGreaterThan(f0[i - 1]!);
    // planted: the mean response rises with the feature (slope 1: within 0.25 of the bin's mean feature)
    const r0 = row(b.responseMean[0]!, 0);
    for (let i = 1; i < B; i++) expect(r0[i]!).toBeGreaterThan(r0[i - 1]!);
    r0.forEach((r, i) => expect(Math.abs(r - f0[i]!)).toBeLessThan(0.25));
    expect(r0[B - 1]! - r0[0]!).toBeGreaterThan(2.5);
    // null: flat (every bin within 0.3 of the overall mean; the planted curve spans > 2.5)
    const r1 = row(b.responseMean[0]!, 1);
    const mean = y.reduce((a, c) => a + c, 0) / T;
    for (const r of r1) expect(Math.abs(r - mean)).toBeLessThan(0.3);
    expect(Math.max(...r1) - Math.min(...r1)).toBeLessThan(0.6);
    // no noise: no bins
    expect(row(b.count, 2)).toEqual(Array(B).fill(0));
    expect(row(b.responseMean[0]!, 2).every(Number.isNaN)).toBe(true);
  });

  it('p-values are the max-statistic corrected p of the map: planted tiny, null large, none NaN', async () => {
    const features: MapFeatures = { nVar: V, nDim: 1, nTrial: T, skip: Uint8Array.from([0, 0, 1]), fill: (from, to, out) => out.set(x.subarray(from * T, to * T)) };
    const map = await informationMap(features, { kind: 'continuous', y }, { permutations: P, alpha: 0.05, seed: 3 });
    const p = mapPValues(map, features.skip);
    expect(p[0]).toBeCloseTo(1 / (P + 1), 6); // no permuted maximum reaches the planted vertex's 0.5 bits
    expect(p[1]).toBeGreaterThan(0.05);
    expect(Number.isNaN(p[2]!)).toBe(true);
    // the definition, counted by hand
    const ge = Array.from(map.maxNull).filter((m) => m >= map.mi[1]!).length;
    expect(p[1]).toBeCloseTo((1 + ge) / (P + 1), 6);
    // consistent with the map's significance mask
    expect([p[0]! <= 0.05, p[1]! <= 0.05]).toEqual([map.significant[0] === 1, map.significant[1] === 1]);
    // without permutations there is no p-value
    const none = await informationMap(features, { kind: 'continuous', y }, { permutations: 0, alpha: 0.05, seed: 3 });
    expect(Array.from(mapPValues(none, null)).every(Number.isNaN)).toBe(true);
  });
});

describe('the scalar feature of a vertex is what the renderer adds', () => {
  const model = loadDefaultFaceModel();
  const V = model.vertexCount, T = 12;
  const normals = computeVertexNormals(model.mean, model.triangles);
  const face = model.regions.face!;
  const probe = [face[0]!, face[Math.floor(face.length / 2)]!, face[face.length - 1]!];

  for (const basis of ['coefficients', 'vertex', 'bubbles'] as const) {
    it(`${basis}: shape = normal displacement (mm), texture = luminance change`, () => {
      const noise = drawNoise(model, { basis, trials: T, shapeSd: basis === 'coefficients' ? 0.5 : 1, textureSd: basis === 'coefficients' ? 0.3 : 0.02, seed: 5 });
      const shape = vertexScalarFeature(model, noise, 'shape');
      const texture = vertexScalarFeature(model, noise, 'texture');
      expect(shape.label).toBe('displacement along the normal (mm)');
      expect(texture.label).toMatch(/^albedo luminance change/);
      const xs = new Float64Array(T), xt = new Float64Array(T);
      const rows = probe.map((v) => ({ v, s: (shape.fill(v, xs), Float64Array.from(xs)), a: (texture.fill(v, xt), Float64Array.from(xt)) }));
      let moved = 0;
      for (let t = 0; t < T; t++) {
        const pos = new Float32Array(V * 3);
        addShapeNoise(model, noise, t, pos);
        const alb = new Float32Array(V * 3).fill(0.5); // mid-grey: no clamping at these sds
        addTextureNoise(model, noise, t, alb);
        for (const { v, s, a } of rows) {
          const d = normals[v * 3]! * pos[v * 3]! + normals[v * 3 + 1]! * pos[v * 3 + 1]! + normals[v * 3 + 2]! * pos[v * 3 + 2]!;
          const l = LUMINANCE_WEIGHTS[0] * (alb[v * 3]! - 0.5) + LUMINANCE_WEIGHTS[1] * (alb[v * 3 + 1]! - 0.5) + LUMINANCE_WEIGHTS[2] * (alb[v * 3 + 2]! - 0.5);
          expect(s[t]).toBeCloseTo(d, 3);
          expect(a[t]).toBeCloseTo(l, 3);
          if (Math.abs(d) > 1e-3) moved++;
        }
      }
      expect(moved).toBeGreaterThan(T); // the probes really move
    });
  }
});

// The routers read the process-wide store (<DATA_DIR>/artifacts), created once per process: one
// folder for the whole file, shared by every database target.
let dir: string;
let store: FsArtifactStore;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'deeper-vsum-'));
  process.env.DATA_DIR = dir;
  store = new FsArtifactStore(path.join(dir, 'artifacts'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DB_TARGETS)('p-values and response bins reach the dashboard client on %s', (target) => {
  let h: DbHandle, owner: TestUser, runId: string, oldRunId: string;
  let bundle: Awaited<ReturnType<typeof tinyBundle>>;

  beforeAll(async () => {
    h = await createTestDb(target);
    owner = await signUpUser(h.db, 'owner@example.com');
    const workspaceId = owner.personalWorkspaceId;
    const experimentId = (await owner.caller.experiment.create({ workspaceId, config: { name: 'Maps' } })).id;
    bundle = await tinyBundle();
    runId = (await seedOracleRun(h.db, store, { workspaceId, experimentId, userId: owner.id, bundle, name: 'With summaries' })).runId;
    // A bundle written before issue 14: no p-values, no bins.
    const old = structuredClone(bundle.summary);
    for (const m of old.maps) {
      delete m.pValues;
      delete m.responseBins;
    }
    oldRunId = (await seedOracleRun(h.db, store, { workspaceId, experimentId, userId: owner.id, bundle: { summary: old, files: bundle.files }, name: 'Before' })).runId;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the manifest links them and the artifact bytes are the bundle\'s', async () => {
    const d = await owner.caller.dashboards.get({ runId });
    expect(d.problems).toEqual([]);
    const m = d.manifest.maps[0]!;
    const s = bundle.summary.maps[0]!;
    expect(m.pValues?.name).toBe('rc/id0/shape.logit.p.f32');
    expect(m.responseBins).toMatchObject({ bins: 10, featureLabel: 'displacement along z (mm)', responseLabel: 'mean target logit' });
    // through the artifact route, as the signed-in client fetches them
    const read = async (id: string) => {
      const res = await serveArtifact(new Request(`http://x/api/artifacts/${id}`, { headers: { cookie: `${SESSION_COOKIE}=${owner.token}` } }), id, { db: h.db, store });
      expect(res.status).toBe(200);
      return new Uint8Array(await res.arrayBuffer());
    };
    expect(await read(m.pValues!.id)).toEqual(bundle.files.get(s.pValues!.file));
    expect(await read(m.responseBins!.responseMean.id)).toEqual(bundle.files.get(s.responseBins!.responseMean.file));
    // What the client computes from them: the planted vertex 0 is the smallest p, its curve rises.
    const p = new Float32Array((await read(m.pValues!.id)).slice().buffer);
    expect(p[0]).toBeCloseTo(1 / 20, 6);
    const r = new Float32Array((await read(m.responseBins!.responseMean.id)).slice().buffer);
    expect(r[9]! - r[0]!).toBeGreaterThan(1.5);
    const c = new Int32Array((await read(m.responseBins!.count.id)).slice().buffer);
    expect(c.reduce((a, b) => a + b, 0)).toBe(4 * 300);
    // The viewer's plot of vertex 0: ten points, rising; the readout's p text.
    const f = new Float32Array((await read(m.responseBins!.featureMean.id)).slice().buffer);
    const plot = vertexBins(f, r, c, 0, m.responseBins!.bins);
    expect(plot.x).toHaveLength(10);
    expect(plot.n).toEqual(Array(10).fill(30));
    for (let i = 1; i < 10; i++) expect(plot.x[i]!).toBeGreaterThan(plot.x[i - 1]!);
    expect(plot.y[9]! - plot.y[0]!).toBeGreaterThan(1.5);
    expect(formatP(p[0]!)).toBe('0.050');
    expect(formatP(0.0004)).toBe('4.0e-4');
    // A published snapshot serves them too.
    const pub = await owner.caller.publications.publish({ runId, title: 'With summaries' });
    const view = await (await callerFor(h.db, null)).caller.publications.view({ slug: pub.slug });
    const sm = view.snapshot.maps[0]!;
    for (const id of [sm.pValues!.id, sm.responseBins!.featureMean.id, sm.responseBins!.responseMean.id, sm.responseBins!.count.id]) {
      const res = await servePublishedArtifact(new Request(`http://x/p/${pub.slug}/a/${id}`), pub.slug, id, { db: h.db, store });
      expect(res.status).toBe(200);
    }
  });

  it('an older bundle without them still loads', async () => {
    const d = await owner.caller.dashboards.get({ runId: oldRunId });
    expect(d.problems).toEqual([]);
    expect(d.manifest.maps).toHaveLength(1);
    expect(d.manifest.maps[0]!.pValues).toBeUndefined();
    expect(d.manifest.maps[0]!.responseBins).toBeUndefined();
  });
});
