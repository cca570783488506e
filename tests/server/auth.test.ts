import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { createTestDb, DB_TARGETS } from './db';
import { callerFor, GOOD_PASSWORD, signUpUser, tokenFromSetCookie } from './callers';
import type { DbHandle } from '../../server/db/client';
import { sessions, users } from '../../server/db/schema';
import { hashToken } from '../../server/auth/sessions';
import { isCommonPassword, passwordWeakness } from '../../server/auth/password';
import { ADDRESS, PAIR } from '../../server/auth/rate-limit';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'OK';
}

describe('passwordWeakness', () => {
  it('names what is wrong', () => {
    expect(passwordWeakness('short1')).toMatch(/at least 10 characters/);
    expect(passwordWeakness('onlyletterslong')).toMatch(/mix letters/);
    expect(passwordWeakness('aaaaaaaaaa1')).toMatch(/too few characters/);
    expect(passwordWeakness('alice-secret-1', 'alice@example.com')).toMatch(/email name/);
    expect(passwordWeakness(GOOD_PASSWORD, 'bob@example.com')).toBeNull();
  });

  it('refuses the most common passwords, whatever their case (issue 13 item 10)', () => {
    for (const p of ['password12', 'qwerty1234', 'Password123', 'PASSWORD123', '1q2w3e4r5t', 'iloveyou12'])
      expect(passwordWeakness(p, 'bob@example.com'), p).toBe('This password is one of the most common ones; choose another.');
    expect(isCommonPassword('correct-horse-42')).toBe(false);
    expect(isCommonPassword('123456')).toBe(true);
  });
});

describe.each(DB_TARGETS)('accounts and sessions on %s', (target) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await createTestDb(target);
  });
  afterAll(async () => h?.close());

  it('signs up with an argon2id hash, a hashed session and a safe cookie', async () => {
    const { caller, resHeaders } = await callerFor(h.db, null);
    const user = await caller.auth.signUp({ email: '  Ada@Example.com ', password: GOOD_PASSWORD, name: 'Ada' });
    expect(user.email).toBe('ada@example.com');
    const [row] = await h.db.select().from(users).where(eq(users.id, user.id));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const cookie = resHeaders.getSetCookie()[0]!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // NODE_ENV=test: not production
    const token = tokenFromSetCookie(resHeaders)!;
    expect(token.length).toBeGreaterThanOrEqual(43); // 32 random bytes, base64url
    const stored = await h.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).toBe(hashToken(token));
    expect(stored[0]!.tokenHash).not.toContain(token);
    const me = await (await callerFor(h.db, token)).caller.auth.me();
    expect(me?.email).toBe('ada@example.com');
    // A personal workspace with the user as owner.
    const ws = await (await callerFor(h.db, token)).caller.workspace.list();
    expect(ws).toEqual([expect.objectContaining({ id: user.personalWorkspaceId, personal: true, role: 'owner' })]);
  });

  it('refuses a taken email, a weak password and a malformed email with clear messages', async () => {
    const { caller } = await callerFor(h.db, null);
    await signUpUser(h.db, 'taken@example.com');
    expect(await codeOf(caller.auth.signUp({ email: 'TAKEN@example.com', password: GOOD_PASSWORD }))).toBe(
      'CONFLICT: An account with this email already exists.',
    );
    expect(await codeOf(caller.auth.signUp({ email: 'new@example.com', password: 'abc' }))).toBe(
      'BAD_REQUEST: Password must be at least 10 characters.',
    );
    expect(await codeOf(caller.auth.signUp({ email: 'not-an-email', password: GOOD_PASSWORD }))).toMatch(/^BAD_REQUEST/);
  });

  it('signs in, and sign-out revokes the session', async () => {
    await signUpUser(h.db, 'grace@example.com');
    const { caller, resHeaders } = await callerFor(h.db, null);
    expect(await codeOf(caller.auth.signIn({ email: 'grace@example.com', password: 'wrong-password-1' }))).toBe('UNAUTHORIZED: Wrong email or password.');
    expect(await codeOf(caller.auth.signIn({ email: 'nobody@example.com', password: 'wrong-password-1' }))).toBe('UNAUTHORIZED: Wrong email or password.');
    await caller.auth.signIn({ email: 'Grace@example.com', password: GOOD_PASSWORD });
    const token = tokenFromSetCookie(resHeaders)!;
    const signedIn = (await callerFor(h.db, token)).caller;
    expect((await signedIn.auth.me())?.email).toBe('grace@example.com');
    const out = await callerFor(h.db, token);
    await out.caller.auth.signOut();
    expect(out.resHeaders.getSetCookie()[0]).toMatch(/Max-Age=0/);
    expect(await (await callerFor(h.db, token)).caller.auth.me()).toBeNull();
    expect(await codeOf((await callerFor(h.db, token)).caller.workspace.list())).toMatch(/^UNAUTHORIZED/);
    const left = await h.db.select().from(sessions).where(eq(sessions.tokenHash, hashToken(token)));
    expect(left).toHaveLength(0);
  });

  it('slows failed sign-ins down per account and address, and per address (tests/server/sign-in-limits.test.ts: the rest)', async () => {
    await signUpUser(h.db, 'limited@example.com');
    const { caller } = await callerFor(h.db, null, { ip: '10.1.1.1' });
    for (let i = 0; i < PAIR.free; i++) {
      expect(await codeOf(caller.auth.signIn({ email: 'limited@example.com', password: `wrong-password-${i}` }))).toMatch(/^UNAUTHORIZED/);
    }
    expect(await codeOf(caller.auth.signIn({ email: 'limited@example.com', password: GOOD_PASSWORD }))).toMatch(
      /^TOO_MANY_REQUESTS: Too many failed sign-ins for this account\. Try again in 1 second\./,
    );
    // Another address is not slowed down by these failures.
    const other = (await callerFor(h.db, null, { ip: '10.9.9.9' })).caller;
    expect(await codeOf(other.auth.signIn({ email: 'limited@example.com', password: GOOD_PASSWORD }))).toBe('OK');
    // Per address: ADDRESS.free failures spread over many accounts slow that address only.
    const spray = (await callerFor(h.db, null, { ip: '10.2.2.2' })).caller;
    for (let i = 0; i < ADDRESS.free; i++) await codeOf(spray.auth.signIn({ email: `spray${i}@example.com`, password: 'wrong-password-1' }));
    await signUpUser(h.db, 'innocent@example.com');
    expect(await codeOf(spray.auth.signIn({ email: 'innocent@example.com', password: GOOD_PASSWORD }))).toMatch(/^TOO_MANY_REQUESTS: .*your address/);
    const elsewhere = (await callerFor(h.db, null, { ip: '10.3.3.3' })).caller;
    expect(await codeOf(elsewhere.auth.signIn({ email: 'innocent@example.com', password: GOOD_PASSWORD }))).toBe('OK');
  });

  it('keeps invitations for a new account waiting until it accepts them', async () => {
    const owner = await signUpUser(h.db, 'owner-inv@example.com');
    const ws = await owner.caller.workspace.create({ name: 'Lab' });
    expect(await owner.caller.member.invite({ workspaceId: ws.id, email: 'Later@Example.com', role: 'editor' })).toMatchObject({ status: 'invited' });
    const later = await signUpUser(h.db, 'later@example.com');
    expect((await later.caller.workspace.list()).map((w) => w.id)).not.toContain(ws.id);
    expect((await later.caller.member.invitations()).map((i) => [i.workspaceName, i.role])).toEqual([['Lab', 'editor']]);
    await later.caller.member.accept({ workspaceId: ws.id });
    expect((await later.caller.workspace.list()).find((w) => w.id === ws.id)?.role).toBe('editor');
    expect((await owner.caller.member.list({ workspaceId: ws.id })).invitations).toHaveLength(0);
  });
});
