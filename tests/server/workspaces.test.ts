import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestDb, DB_TARGETS } from './db';
import { signUpUser, type TestUser } from './callers';
import type { DbHandle } from '../../server/db/client';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'OK';
}

describe.each(DB_TARGETS)('workspaces, members and experiments on %s', (target) => {
  let h: DbHandle;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let lab: string;
  beforeAll(async () => {
    h = await createTestDb(target);
    alice = await signUpUser(h.db, 'alice@example.com');
    bob = await signUpUser(h.db, 'bob@example.com');
    carol = await signUpUser(h.db, 'carol@example.com');
    lab = (await alice.caller.workspace.create({ name: 'Vision lab' })).id;
  });
  afterAll(async () => h?.close());

  it('invites by email (idempotently), lists members, changes roles', async () => {
    // The same answer for an email with an account (Bob) and one without (Zoe): no enumeration.
    expect(await alice.caller.member.invite({ workspaceId: lab, email: 'BOB@example.com', role: 'viewer' })).toEqual({ status: 'invited', email: 'bob@example.com', role: 'viewer' });
    expect(await alice.caller.member.invite({ workspaceId: lab, email: 'zoe@example.com', role: 'viewer' })).toEqual({ status: 'invited', email: 'zoe@example.com', role: 'viewer' });
    await alice.caller.member.revokeInvitation({ workspaceId: lab, email: 'zoe@example.com' });
    // Bob is not a member until he accepts.
    expect(await codeOf(bob.caller.member.list({ workspaceId: lab }))).toMatch(/^NOT_FOUND/);
    expect(await bob.caller.member.invitations()).toEqual([expect.objectContaining({ workspaceId: lab, workspaceName: 'Vision lab', role: 'viewer' })]);
    expect(await codeOf(carol.caller.member.accept({ workspaceId: lab }))).toBe('NOT_FOUND: No such invitation.');
    expect(await bob.caller.member.accept({ workspaceId: lab })).toEqual({ workspaceId: lab, role: 'viewer' });
    expect(await bob.caller.member.invitations()).toEqual([]);
    // A second identical invitation changes nothing.
    expect(await alice.caller.member.invite({ workspaceId: lab, email: 'bob@example.com', role: 'viewer' })).toMatchObject({ status: 'already_member', role: 'viewer' });
    await alice.caller.member.invite({ workspaceId: lab, email: 'carol@example.com', role: 'editor' });
    await carol.caller.member.accept({ workspaceId: lab });
    await alice.caller.member.invite({ workspaceId: lab, email: 'dave@example.com', role: 'viewer' });
    await alice.caller.member.invite({ workspaceId: lab, email: 'dave@example.com', role: 'editor' });
    const list = await bob.caller.member.list({ workspaceId: lab });
    expect(list.members.map((m) => [m.email, m.role])).toEqual([
      ['alice@example.com', 'owner'],
      ['bob@example.com', 'viewer'],
      ['carol@example.com', 'editor'],
    ]);
    expect(list.invitations.map((i) => [i.email, i.role])).toEqual([['dave@example.com', 'editor']]);
    expect(list.myRole).toBe('viewer');
    // Only owners manage members.
    expect(await codeOf(bob.caller.member.invite({ workspaceId: lab, email: 'x@example.com', role: 'viewer' }))).toMatch(/^FORBIDDEN/);
    expect(await codeOf(carol.caller.member.setRole({ workspaceId: lab, userId: bob.id, role: 'owner' }))).toMatch(/^FORBIDDEN/);
    await alice.caller.member.setRole({ workspaceId: lab, userId: carol.id, role: 'owner' });
    await carol.caller.member.setRole({ workspaceId: lab, userId: carol.id, role: 'editor' });
    await alice.caller.member.revokeInvitation({ workspaceId: lab, email: 'dave@example.com' });
    expect((await alice.caller.member.list({ workspaceId: lab })).invitations).toEqual([]);
  });

  it('keeps at least one owner: the last owner cannot leave, be demoted or removed', async () => {
    expect(await codeOf(alice.caller.member.leave({ workspaceId: lab }))).toMatch(/^PRECONDITION_FAILED: The last owner cannot leave/);
    expect(await codeOf(alice.caller.member.setRole({ workspaceId: lab, userId: alice.id, role: 'editor' }))).toMatch(/^PRECONDITION_FAILED: The last owner cannot be demoted/);
    expect(await codeOf(alice.caller.member.remove({ workspaceId: lab, userId: alice.id }))).toMatch(/^PRECONDITION_FAILED/);
    expect(await codeOf(alice.caller.member.remove({ workspaceId: lab, userId: alice.personalWorkspaceId }))).toMatch(/^NOT_FOUND/);
    await alice.caller.member.setRole({ workspaceId: lab, userId: carol.id, role: 'owner' });
    await alice.caller.member.leave({ workspaceId: lab });
    expect((await alice.caller.workspace.list()).map((w) => w.id)).not.toContain(lab);
    expect(await codeOf(alice.caller.workspace.get({ workspaceId: lab }))).toMatch(/^NOT_FOUND/);
    // Carol (now the only owner) brings Alice back and removes Bob.
    await carol.caller.member.invite({ workspaceId: lab, email: 'alice@example.com', role: 'owner' });
    await alice.caller.member.accept({ workspaceId: lab });
    await carol.caller.member.remove({ workspaceId: lab, userId: bob.id });
    expect(await codeOf(bob.caller.member.list({ workspaceId: lab }))).toMatch(/^NOT_FOUND/);
    await alice.caller.member.invite({ workspaceId: lab, email: 'bob@example.com', role: 'viewer' });
    // Bob declines this time: no membership.
    await bob.caller.member.decline({ workspaceId: lab });
    expect(await codeOf(bob.caller.member.list({ workspaceId: lab }))).toMatch(/^NOT_FOUND/);
    await alice.caller.member.invite({ workspaceId: lab, email: 'bob@example.com', role: 'viewer' });
    await bob.caller.member.accept({ workspaceId: lab });
  });

  it('creates, edits, archives and pages experiments; viewers only read', async () => {
    const e1 = await alice.caller.experiment.create({ workspaceId: lab, config: { name: 'Shape vs texture', description: 'Generalisation test', seed: 7 } });
    expect(e1.config).toMatchObject({ name: 'Shape vs texture', seed: 7 });
    expect(await codeOf(bob.caller.experiment.create({ workspaceId: lab, config: { name: 'nope' } }))).toMatch(/^FORBIDDEN: This needs the editor role/);
    expect(await codeOf(bob.caller.experiment.update({ experimentId: e1.id, config: { name: 'x' } }))).toMatch(/^FORBIDDEN/);
    expect(await codeOf(bob.caller.experiment.setArchived({ experimentId: e1.id, archived: true }))).toMatch(/^FORBIDDEN/);
    expect((await bob.caller.experiment.get({ experimentId: e1.id })).name).toBe('Shape vs texture');
    // Bad configuration: a 400 naming the field.
    expect(await codeOf(carol.caller.experiment.create({ workspaceId: lab, config: { name: '', seed: -1 } }))).toBe(
      'BAD_REQUEST: config.name: name is required; config.seed: seed must be ≥ 0',
    );
    const renamed = await carol.caller.experiment.update({ experimentId: e1.id, config: { name: 'Shape vs texture (v2)', seed: 8 } });
    expect(renamed.name).toBe('Shape vs texture (v2)');
    expect(renamed.config).toMatchObject({ name: 'Shape vs texture (v2)', description: 'Generalisation test', seed: 8 });
    for (let i = 0; i < 24; i++) await carol.caller.experiment.create({ workspaceId: lab, config: { name: `Reverse correlation ${String(i).padStart(2, '0')}` } });
    const page1 = await bob.caller.experiment.list({ workspaceId: lab, pageSize: 10 });
    expect(page1.total).toBe(25);
    expect(page1.items).toHaveLength(10);
    const page3 = await bob.caller.experiment.list({ workspaceId: lab, pageSize: 10, page: 3 });
    expect(page3.items).toHaveLength(5);
    const ids = new Set([...page1.items, ...(await bob.caller.experiment.list({ workspaceId: lab, pageSize: 10, page: 2 })).items, ...page3.items].map((e) => e.id));
    expect(ids.size).toBe(25);
    const found = await bob.caller.experiment.list({ workspaceId: lab, search: 'TEXTURE' });
    expect(found.items.map((e) => e.id)).toEqual([e1.id]);
    expect((await bob.caller.experiment.list({ workspaceId: lab, search: '100%' })).total).toBe(0);
    await carol.caller.experiment.setArchived({ experimentId: e1.id, archived: true });
    expect((await bob.caller.experiment.list({ workspaceId: lab, search: 'texture' })).total).toBe(0);
    expect((await bob.caller.experiment.list({ workspaceId: lab, search: 'texture', archived: 'archived' })).total).toBe(1);
    await carol.caller.experiment.setArchived({ experimentId: e1.id, archived: false });
    const recent = await bob.caller.experiment.recent({ limit: 3 });
    expect(recent[0]).toMatchObject({ id: e1.id, workspaceName: 'Vision lab' });
    expect(await codeOf(bob.caller.experiment.list({ workspaceId: lab, pageSize: 1000 }))).toBe('BAD_REQUEST: pageSize: pageSize must be 1 to 100');
  });

  it('creates workspaces and renames them as owner only', async () => {
    const ws = await bob.caller.workspace.create({ name: '  Bob lab ' });
    expect(ws.name).toBe('Bob lab');
    expect(await codeOf(bob.caller.workspace.create({ name: '' }))).toBe('BAD_REQUEST: name: name is required');
    await bob.caller.workspace.rename({ workspaceId: ws.id, name: 'Bob & co' });
    expect((await bob.caller.workspace.get({ workspaceId: ws.id })).name).toBe('Bob & co');
    expect(await codeOf(bob.caller.workspace.rename({ workspaceId: lab, name: 'mine' }))).toMatch(/^FORBIDDEN/);
  });
});
