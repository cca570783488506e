import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestDb } from './db';
import { signUpUser, type TestUser } from './callers';
import type { DbHandle } from '../../server/db/client';
import { FsArtifactStore, storeArtifact, type ArtifactRow } from '../../server/storage';
import { launchRun } from '../../server/workflows';

// Issue 13 item 3: a configuration names uploaded models by artifact id, resolved inside the run's
// workspace at launch; another workspace's id is refused exactly like one that does not exist,
// and a content hash is no way in.
let h: DbHandle;
let dir: string;
let alice: TestUser;
let bob: TestUser;
let alicesModel: ArtifactRow;
let bobsModel: ArtifactRow;
beforeAll(async () => {
  h = await createTestDb('pglite');
  dir = mkdtempSync(path.join(tmpdir(), 'deeper-cfg-art-'));
  const store = new FsArtifactStore(dir);
  alice = await signUpUser(h.db, 'alice-models@example.com');
  bob = await signUpUser(h.db, 'bob-models@example.com');
  const bundle = (s: string) => new TextEncoder().encode(JSON.stringify({ files: { 'model.json': Buffer.from(s).toString('base64') } }));
  alicesModel = await storeArtifact(h.db, { workspaceId: alice.personalWorkspaceId, name: 'model-bundle.json', data: bundle('alice') }, store);
  bobsModel = await storeArtifact(h.db, { workspaceId: bob.personalWorkspaceId, name: 'model-bundle.json', data: bundle('bob') }, store);
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function launchAs(user: TestUser, training: Record<string, unknown>, faces: Record<string, unknown> = {}): Promise<string> {
  const exp = await user.caller.experiment.create({ workspaceId: user.personalWorkspaceId, config: { name: 'Imported', training, faces } });
  try {
    await user.caller.runs.launch({ experimentId: exp.id });
    return 'OK';
  } catch (e) {
    if (e instanceof TRPCError) return `${e.code}: ${e.message}`;
    throw e;
  }
}

describe('artifact references in a run configuration', () => {
  it("refuses another workspace's model with the same answer as a model that does not exist", async () => {
    const foreign = await launchAs(alice, { source: 'import', importedModel: bobsModel.id });
    const missing = await launchAs(alice, { source: 'import', importedModel: bobsModel.id.replace(/^.{8}/, randomUUID().slice(0, 8)) });
    expect(foreign).toBe(`BAD_REQUEST: training.importedModel: no uploaded model with id ${bobsModel.id} in this workspace`);
    expect(missing.replace(/id \S+ in/, 'id X in')).toBe(foreign.replace(/id \S+ in/, 'id X in'));
    // The same for a face model.
    expect(await launchAs(alice, {}, { model: bobsModel.id })).toBe(`BAD_REQUEST: faces.model: no uploaded model with id ${bobsModel.id} in this workspace`);
  });

  it('refuses content keys (sha256) in place of ids', async () => {
    expect(await launchAs(alice, { source: 'import', importedModel: bobsModel.key })).toBe('BAD_REQUEST: training.importedModel must be the id (a UUID) of a model uploaded to this workspace');
    expect(await launchAs(alice, {}, { model: bobsModel.key })).toBe('BAD_REQUEST: faces.model must be the id (a UUID) of a model uploaded to this workspace');
  });

  it("resolves the workspace's own model to its content key for the workers; built-in names pass", async () => {
    const events: { name: string; data: Record<string, unknown> }[] = [];
    const run = await launchRun(
      h.db,
      { workspaceId: alice.personalWorkspaceId, experimentId: null, config: { name: 'Own model', training: { source: 'import', importedModel: alicesModel.id }, faces: { model: 'default' } } },
      { engine: 'inngest', sendEvent: async (e) => void events.push(e) },
    );
    expect(run.config.training.importedModel).toBe(alicesModel.key);
    expect(run.config.faces.model).toBe('default');
    expect((events[0]!.data.config as { training: { importedModel: string } }).training.importedModel).toBe(alicesModel.key);
  });
});
