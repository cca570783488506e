import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../server/db/client';
import { stopWorkflows } from '../../server/workflows';
import { createTestDb, DB_TARGETS } from '../server/db';
import { addMember, signUpUser, type TestUser } from '../server/callers';
import { waitFor } from './helpers';

/** The runs router through tRPC callers: estimate, launch (embedded engine), progress, list, cancel. */
describe.each(DB_TARGETS)('runs router on %s', (target) => {
  let h: DbHandle;
  let owner: TestUser;
  let viewer: TestUser;
  let experimentId: string;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deeper-runs-'));
  const savedDataDir = process.env.DATA_DIR;

  beforeAll(async () => {
    process.env.DATA_DIR = dataDir; // the executor's step processes write artifacts here
    h = await createTestDb(target);
    owner = await signUpUser(h.db, `owner-${target}@example.com`);
    viewer = await signUpUser(h.db, `viewer-${target}@example.com`);
    await addMember(owner, owner.personalWorkspaceId, viewer, 'viewer');
    const exp = await owner.caller.experiment.create({ workspaceId: owner.personalWorkspaceId, config: { name: 'Runs router', faces: { identities: 3 }, render: { sizePx: 32, imagesPerIdentity: 4 } } });
    experimentId = exp.id;
  });
  afterAll(async () => {
    await stopWorkflows();
    await h?.close();
    process.env.DATA_DIR = savedDataDir;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('estimates time and memory by stage before launch, and names a bad field', async () => {
    const e = await owner.caller.runs.estimate({ workspaceId: owner.personalWorkspaceId, config: { name: 'x', faces: { identities: 100 }, render: { imagesPerIdentity: 100 } } });
    expect(e.byStage.map((s) => s.stage)).toEqual(['faces', 'render', 'train', 'analyses', 'finalise']);
    expect(e.totalSeconds).toBeGreaterThan(0);
    expect(e.steps.find((s) => s.stepId === 'render-dataset')!.basis).toContain('10,000 images');
    const bigger = await owner.caller.runs.estimate({ workspaceId: owner.personalWorkspaceId, config: { name: 'x', faces: { identities: 100 }, render: { imagesPerIdentity: 200 } } });
    expect(bigger.byStage.find((s) => s.stage === 'render')!.seconds).toBeGreaterThan(e.byStage.find((s) => s.stage === 'render')!.seconds);
    await expect(owner.caller.runs.estimate({ workspaceId: owner.personalWorkspaceId, config: { name: 'x', render: { sizePx: 1000 } } })).rejects.toThrow('config.render.sizePx: render.sizePx must be ≤ 256');
  });

  it('launches, reports progress, lists, and cancels within 5 s; viewers may read but not launch', async () => {
    await expect(viewer.caller.runs.launch({ experimentId })).rejects.toThrow(/editor/);
    const launched = await owner.caller.runs.launch({ experimentId, confirm: true }); // the default analyses take over an hour: confirmed
    expect(launched.engine).toBe('embedded');
    expect(launched.estimate!.steps.length).toBeGreaterThan(4);
    const running = await waitFor('the first step to start', async () => {
      const r = await viewer.caller.runs.get({ runId: launched.id });
      // (run and steps are read one after the other: wait for both to show the start)
      return r.status === 'running' && r.stage === 'faces' && r.steps[0]!.status === 'running' ? r : null;
    });
    expect(running.steps.map((s) => s.id)[0]).toBe('sample-identities');
    const list = await viewer.caller.runs.list({ workspaceId: owner.personalWorkspaceId, experimentId });
    expect(list.items.map((r) => [r.id, r.name])).toEqual([[launched.id, 'Runs router']]);
    await expect(viewer.caller.runs.cancel({ runId: launched.id })).rejects.toThrow(/editor/);
    const t0 = Date.now();
    const cancelled = await owner.caller.runs.cancel({ runId: launched.id });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(cancelled.status).toBe('cancelled');
    const after = await owner.caller.runs.get({ runId: launched.id });
    expect(after.steps[0]!.status).toBe('cancelled');
    expect((await owner.caller.runs.list({ workspaceId: owner.personalWorkspaceId, status: 'cancelled' })).total).toBe(1);
  });
});
