import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { createTestDb, DB_TARGETS } from '../server/db';
import { addMember, callerFor, signUpUser, type TestUser } from '../server/callers';
import type { DbHandle } from '../../server/db/client';
import { runSteps } from '../../server/db/schema';
import { FsArtifactStore, storeArtifact } from '../../server/storage';
import { loadWithdrawnSlugs, servePublishedArtifact, withdrawnAt, withdrawnSlugs } from '../../server/dashboards/public';
import { isWithdrawn } from '../../server/dashboards/withdrawn-slugs';
import { loadDashboard } from '../../server/dashboards/load';
import { seedOracleRun } from './seed-run';
import { tinyBundle } from './tiny-bundle';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
}

// The routers read the process-wide store (<DATA_DIR>/artifacts), created once per process: one
// folder for the whole file, shared by every database target.
let dir: string;
let store: FsArtifactStore;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'deeper-dash-'));
  process.env.DATA_DIR = dir;
  store = new FsArtifactStore(path.join(dir, 'artifacts'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DB_TARGETS)('dashboards, publications, comments on %s', (target) => {
  let h: DbHandle;
  let owner: TestUser, editor: TestUser, outsider: TestUser;
  let workspaceId: string, runId: string, experimentId: string;
  let bundle: Awaited<ReturnType<typeof tinyBundle>>;
  const get = (slug: string, id: string) => servePublishedArtifact(new Request(`http://x/p/${slug}/a/${id}`), slug, id, { db: h.db, store });

  beforeAll(async () => {
    h = await createTestDb(target);
    owner = await signUpUser(h.db, 'owner@example.com');
    editor = await signUpUser(h.db, 'editor@example.com');
    outsider = await signUpUser(h.db, 'outsider@example.com');
    workspaceId = owner.personalWorkspaceId;
    await addMember(owner, workspaceId, editor, 'editor');
    experimentId = (await owner.caller.experiment.create({ workspaceId, config: { name: 'Maps' } })).id;
    bundle = await tinyBundle();
    runId = (await seedOracleRun(h.db, store, { workspaceId, experimentId, userId: owner.id, bundle, name: 'Tiny maps' })).runId;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('builds the dashboard: mesh, the map with its FWER threshold, downloads', async () => {
    const d = await owner.caller.dashboards.get({ runId });
    expect(d.problems).toEqual([]);
    expect(d.manifest.meshes).toHaveLength(1);
    expect(d.manifest.meshes[0]).toMatchObject({ key: 'default', vertexCount: 4, triangleCount: 4 });
    expect(d.manifest.maps).toHaveLength(1);
    const m = d.manifest.maps[0]!;
    const s = bundle.summary.maps[0]!;
    expect(m).toMatchObject({ key: 'rc/id0/shape/logit', feature: 'shape', identity: 'id0', response: 'logit', vertexCount: 4, offset: 0, thresholdBits: s.test.threshold, maxBits: s.maxBits });
    expect(m.thresholdBits).toBeGreaterThan(0);
    // The planted vertex 0 carries the information.
    expect(s.peakVertex).toBe(0);
    expect(d.manifest.files.map((f) => f.name)).toContain('model/weights.bin');
    // Progress of the same run.
    const p = await owner.caller.dashboards.progress({ runId });
    expect([p.status, p.fraction, p.steps.find((x) => x.id === 'analysis-reverse-correlation')?.status]).toEqual(['succeeded', 1, 'completed']);
  });

  it('pins comments to vertices; only public ones go into a snapshot', async () => {
    await editor.caller.comments.addToRun({ runId, body: 'Nose tip lights up', pin: { vertex: 0, mapKey: 'rc/id0/shape/logit', position: [0, 0, 50] }, showInPublished: true });
    await editor.caller.comments.addToRun({ runId, body: 'internal: rerun with more trials', pin: { vertex: 2, mapKey: 'rc/id0/shape/logit', position: [-40, 0, 0] } });
    await owner.caller.comments.addToRun({ runId, body: 'General remark' });
    const list = await owner.caller.comments.forRun({ runId });
    expect(list.map((c) => [c.body, c.vertex, c.author])).toEqual([
      ['Nose tip lights up', 0, 'editor'],
      ['internal: rerun with more trials', 2, 'editor'],
      ['General remark', null, 'owner'],
    ]);
    expect((await owner.caller.comments.forExperiment({ experimentId })).length).toBe(3);
    expect(await code(editor.caller.comments.remove({ commentId: list[2]!.id }))).toBe('FORBIDDEN');
    expect(await code(editor.caller.comments.addToRun({ runId, body: ' ' }))).toBe('BAD_REQUEST');
  });

  it('publishes an immutable snapshot that serves exactly its own artifacts, then unpublishes: 404, and 410 for its page', async () => {
    const anonymous = (await callerFor(h.db, null)).caller;
    const pub = await editor.caller.publications.publish({ runId, title: 'Where the network looks' });
    expect(pub.url).toBe(`/p/${pub.slug}`);
    const view = await anonymous.publications.view({ slug: pub.slug });
    const snap = view.snapshot;
    expect(snap.title).toBe('Where the network looks');
    expect(snap.pins.map((p) => p.body)).toEqual(['Nose tip lights up']);
    expect(snap.files).toEqual([]);
    const dash = (await owner.caller.dashboards.get({ runId })).manifest;
    expect(snap.maps).toEqual(dash.maps);
    expect(snap.meshes).toEqual(dash.meshes);

    // Every referenced artifact is served, byte for byte.
    const ids = [snap.meshes[0]!.positions.id, snap.meshes[0]!.triangles.id, snap.maps[0]!.values.id];
    const mapRes = await get(pub.slug, snap.maps[0]!.values.id);
    expect(mapRes.status).toBe(200);
    expect(new Uint8Array(await mapRes.arrayBuffer())).toEqual(bundle.files.get('rc/id0/shape.logit.mi.f32'));
    // Served as immutable bytes with an ETag, kept out of shared caches (so unpublishing holds):
    // a conditional request with that ETag is answered 304 without a body.
    expect(mapRes.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const etag = mapRes.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await servePublishedArtifact(
      new Request(`http://x/p/${pub.slug}/a/${snap.maps[0]!.values.id}`, { headers: { 'if-none-match': etag } }), pub.slug, snap.maps[0]!.values.id, { db: h.db, store },
    );
    expect([again.status, (await again.arrayBuffer()).byteLength]).toEqual([304, 0]);
    for (const id of ids) expect((await get(pub.slug, id)).status).toBe(200);
    // Other artifacts of the same run and workspace are not: the weights, an unrelated upload, an unknown id.
    const weights = dash.files.find((f) => f.name === 'model/weights.bin')!;
    const other = await storeArtifact(h.db, { workspaceId, name: 'secret.bin', data: new Uint8Array([1]) }, store);
    for (const id of [weights.id, other.id, randomUUID(), 'not-a-uuid']) expect((await get(pub.slug, id)).status).toBe(404);
    expect((await get('unknownslug22', ids[0]!)).status).toBe(404);

    // Immutable: later comments and results do not change it.
    await editor.caller.comments.addToRun({ runId, body: 'Added after publishing', pin: { vertex: 1, mapKey: 'rc/id0/shape/logit', position: [40, 0, 0] }, showInPublished: true });
    await h.db.update(runSteps).set({ status: 'failed' }).where(eq(runSteps.runId, runId));
    expect((await anonymous.publications.view({ slug: pub.slug })).snapshot).toEqual(snap);
    await h.db.update(runSteps).set({ status: 'completed' }).where(eq(runSteps.runId, runId));

    // Live: not withdrawn, and the request guard passes its page on.
    expect([await withdrawnAt(h.db, pub.slug), isWithdrawn(pub.slug), (await withdrawnSlugs(h.db)).includes(pub.slug)]).toEqual([null, false, false]);

    // Outsiders cannot unpublish; the editor can, and then everything answers 404, except the
    // page itself: the request guard now knows the slug and sends it to the 410 "withdrawn" page,
    // which shows the time of withdrawal.
    expect(await code(outsider.caller.publications.unpublish({ publicationId: pub.id }))).toBe('NOT_FOUND');
    const down = await editor.caller.publications.unpublish({ publicationId: pub.id });
    expect(down.unpublishedAt).not.toBeNull();
    expect(isWithdrawn(pub.slug)).toBe(true);
    expect((await withdrawnAt(h.db, pub.slug))?.getTime()).toBe(new Date(down.unpublishedAt!).getTime());
    expect(await withdrawnAt(h.db, 'unknownslug22')).toBeNull();
    expect(await withdrawnAt(h.db, 'NOT A SLUG')).toBeNull();
    // After a restart the guard learns it from the database (instrumentation.ts).
    expect(await withdrawnSlugs(h.db)).toEqual([pub.slug]);
    expect(await loadWithdrawnSlugs(h.db)).toBe(1);
    expect(await code(anonymous.publications.view({ slug: pub.slug }))).toBe('NOT_FOUND');
    for (const id of ids) expect((await get(pub.slug, id)).status).toBe(404);
    expect((await owner.caller.publications.forRun({ runId })).map((p) => p.slug)).toEqual([pub.slug]);
  });

  it('feeds the activity of the workspace, newest first', async () => {
    const feed = await owner.caller.activity.list({ workspaceId });
    expect(feed.map((i) => i.kind)).toEqual(expect.arrayContaining(['run.created', 'run.finished', 'comment', 'publication']));
    const times = feed.map((i) => new Date(i.at).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(feed.find((i) => i.kind === 'publication')!.text).toMatch(/published “Where the network looks” \(since unpublished\)/);
    expect(await code(outsider.caller.activity.list({ workspaceId }))).toBe('NOT_FOUND');
  });

  it('refuses to publish a run without results', async () => {
    const { runs } = await import('../../server/db/schema');
    const { experimentPreset, planRun } = await import('../../workers/contract');
    const config = experimentPreset('tiny');
    const [r] = await h.db.insert(runs).values({ workspaceId, config, plan: planRun(config) }).returning({ id: runs.id });
    expect(await code(owner.caller.publications.publish({ runId: r!.id }))).toBe('PRECONDITION_FAILED');
    const d = await loadDashboard(h.db, r!.id, store);
    expect(d?.manifest.maps).toEqual([]);
  });
});
