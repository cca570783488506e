import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestDb, DB_TARGETS } from './db';
import { callerFor, signUpUser, type Caller, type TestUser } from './callers';
import type { DbHandle } from '../../server/db/client';
import { appRouter } from '../../server/trpc/router';
import type { Access } from '../../server/trpc/init';
import { FsArtifactStore, storeArtifact } from '../../server/storage';
import { seedDashboardVictim } from '../dashboards/victim';

/**
 * Walks EVERY procedure of the appRouter and proves that a signed-out caller is refused and that
 * a member of another workspace can neither see nor change anything of the victim's workspace,
 * getting the same NOT_FOUND as for an id that does not exist.
 *
 * Adding a procedure? Give it `access` (the procedure factories do) and, when it needs more input
 * than its scope id, an entry in EXTRA_INPUT below; the walk fails until then.
 */

/** The only procedures open to signed-out callers. */
const PUBLIC = ['auth.me', 'auth.signIn', 'auth.signOut', 'auth.signUp', 'publications.view'];

/** Valid input besides the scope id (workspaceId, experimentId, ...) for each procedure. */
const EXTRA_INPUT: Record<string, (v: Victim) => Record<string, unknown>> = {
  'workspace.list': () => ({}),
  'workspace.create': () => ({ name: 'Mallory lab' }),
  'workspace.get': () => ({}),
  'workspace.rename': () => ({ name: 'pwned' }),
  'member.list': () => ({}),
  'member.invite': () => ({ email: 'mallory@example.com', role: 'owner' }),
  'member.revokeInvitation': () => ({ email: 'pending@example.com' }),
  'member.setRole': (v) => ({ userId: v.ownerId, role: 'viewer' }),
  'member.remove': (v) => ({ userId: v.ownerId }),
  'member.leave': () => ({}),
  // issue 13: invitations are accepted by the invitee (access 'user': the victim's workspace id gives nothing away)
  'member.invitations': () => ({}),
  'member.accept': (v) => ({ workspaceId: v.ids.workspaceId }),
  'member.decline': (v) => ({ workspaceId: v.ids.workspaceId }),
  'experiment.list': () => ({}),
  'experiment.recent': () => ({}),
  'experiment.get': () => ({}),
  'experiment.create': () => ({ config: { name: 'injected' } }),
  'experiment.update': () => ({ config: { name: 'pwned' } }),
  'experiment.setArchived': () => ({ archived: true }),
  'artifact.list': () => ({}),
  'artifact.get': () => ({}),
  // issue 8: dashboards, publications, comments, activity (victim run/comment/publication: seedDashboardVictim)
  'dashboards.get': () => ({}),
  'dashboards.progress': () => ({}),
  'dashboards.runDemo': () => ({ preset: 'tiny' }),
  'dashboards.configSchema': () => ({}),
  'dashboards.configPresets': () => ({}),
  'publications.publish': () => ({ title: 'pwned' }),
  'publications.list': () => ({}),
  'publications.forRun': () => ({}),
  'publications.unpublish': () => ({}),
  'comments.forRun': () => ({}),
  'comments.forExperiment': () => ({}),
  'comments.addToRun': () => ({ body: 'pwned' }),
  'comments.addToExperiment': () => ({ body: 'pwned' }),
  'comments.remove': () => ({}),
  'activity.list': () => ({}),
  // issue 7: runs (launch, cancel, list, progress, estimate)
  'runs.estimate': () => ({ config: { name: 'x' } }),
  'runs.launch': () => ({}),
  'runs.cancel': () => ({}),
  'runs.list': () => ({}),
  'runs.get': () => ({}),
  // issue 15: human sessions (scoped by runId; sessionId must belong to that run)
  'humans.create': () => ({ title: 'pwned', consentText: 'A consent text long enough to pass.', opensAt: new Date(), closesAt: new Date(Date.now() + 3_600_000) }),
  'humans.list': () => ({}),
  'humans.setPublished': () => ({ sessionId: '00000000-0000-4000-8000-000000000000', published: false }),
  'humans.analyse': () => ({ sessionId: '00000000-0000-4000-8000-000000000000' }),
  'humans.analysis': () => ({ sessionId: '00000000-0000-4000-8000-000000000000' }),
  'humans.exportCsv': () => ({ sessionId: '00000000-0000-4000-8000-000000000000' }),
};

interface Victim {
  ownerId: string;
  /** Ids of the victim's objects by the input field that names them. */
  ids: Record<string, string>;
}

function call(caller: Caller, procPath: string, input: unknown): Promise<unknown> {
  const fn = procPath.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], caller) as (i: unknown) => Promise<unknown>;
  return fn(input);
}

async function outcome(p: Promise<unknown>): Promise<{ code: string; message?: string; data?: unknown }> {
  try {
    return { code: 'OK', data: await p };
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: { access?: Access } } }>);

describe('every procedure declares who may call it', () => {
  it('has an access declaration and a fixture', () => {
    for (const [p, proc] of procedures) {
      expect(proc._def.meta?.access, `${p} declares no access`).toBeDefined();
      if (proc._def.meta?.access !== 'public') expect(EXTRA_INPUT[p], `add ${p} to EXTRA_INPUT in tests/server/authorization.test.ts`).toBeDefined();
    }
    expect(procedures.filter(([, proc]) => proc._def.meta?.access === 'public').map(([p]) => p).sort()).toEqual(PUBLIC);
  });
});

describe.each(DB_TARGETS)('authorization walk on %s', (target) => {
  let h: DbHandle;
  let victim: Victim;
  let owner: TestUser;
  let mallory: TestUser;
  let anonymous: Caller;
  let artifactsDir: string;

  beforeAll(async () => {
    h = await createTestDb(target);
    owner = await signUpUser(h.db, 'victim@example.com');
    mallory = await signUpUser(h.db, 'mallory@example.com');
    anonymous = (await callerFor(h.db, null)).caller;
    const ws = await owner.caller.workspace.create({ name: 'Secret lab' });
    await owner.caller.member.invite({ workspaceId: ws.id, email: 'pending@example.com', role: 'viewer' });
    const exp = await owner.caller.experiment.create({ workspaceId: ws.id, config: { name: 'Secret experiment' } });
    artifactsDir = mkdtempSync(path.join(tmpdir(), 'deeper-authz-'));
    const art = await storeArtifact(h.db, { workspaceId: ws.id, name: 'secret.bin', data: new Uint8Array([1, 2, 3]) }, new FsArtifactStore(artifactsDir));
    victim = { ownerId: owner.id, ids: { workspaceId: ws.id, experimentId: exp.id, artifactId: art.id, ...(await seedDashboardVictim(h.db, owner, ws.id, exp.id)) } };
  });
  afterAll(async () => {
    await h?.close();
    if (artifactsDir) rmSync(artifactsDir, { recursive: true, force: true });
  });

  it.each(procedures.filter(([, proc]) => proc._def.meta?.access !== 'public').map(([p]) => p))('%s refuses outsiders', async (p) => {
    const access = (appRouter._def.procedures as unknown as Record<string, { _def: { meta?: { access?: Access } } }>)[p]!._def.meta!.access!;
    const extra = EXTRA_INPUT[p]!(victim);
    if (access === 'user') {
      expect((await outcome(call(anonymous, p, extra))).code).toBe('UNAUTHORIZED');
      // A signed-in user's view contains nothing of other workspaces.
      const r = await outcome(call(mallory.caller, p, extra));
      expect(JSON.stringify(r)).not.toMatch(new RegExp(Object.values(victim.ids).join('|')));
      expect(JSON.stringify(r)).not.toMatch(/Secret/);
      return;
    }
    if (access === 'public') return;
    const scoped = { ...extra, [access.scope]: victim.ids[access.scope] };
    expect(victim.ids[access.scope], `no victim object for scope ${access.scope}`).toBeDefined();
    expect((await outcome(call(anonymous, p, scoped))).code).toBe('UNAUTHORIZED');
    const asOutsider = await outcome(call(mallory.caller, p, scoped));
    const unknownId = await outcome(call(mallory.caller, p, { ...extra, [access.scope]: randomUUID() }));
    expect(asOutsider).toEqual({ code: 'NOT_FOUND', message: 'Not found.' });
    // Indistinguishable from an id that does not exist.
    expect(unknownId).toEqual(asOutsider);
  });

  it('left the victim workspace untouched', async () => {
    const ws = await owner.caller.workspace.get({ workspaceId: victim.ids.workspaceId! });
    expect(ws.name).toBe('Secret lab');
    const members = await owner.caller.member.list({ workspaceId: victim.ids.workspaceId! });
    expect(members.members.map((m) => [m.email, m.role])).toEqual([['victim@example.com', 'owner']]);
    expect(members.invitations.map((i) => i.email)).toEqual(['pending@example.com']);
    const exp = await owner.caller.experiment.get({ experimentId: victim.ids.experimentId! });
    expect([exp.name, exp.archivedAt]).toEqual(['Secret experiment', null]);
    expect((await owner.caller.experiment.list({ workspaceId: victim.ids.workspaceId! })).total).toBe(1);
  });

  it('answers malformed ids with a 400 naming the field', async () => {
    const r = await outcome(mallory.caller.experiment.get({ experimentId: 'not-a-uuid' }));
    expect(r).toEqual({ code: 'BAD_REQUEST', message: 'experimentId: experimentId must be a UUID' });
  });
});
