import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from './db';
import { callerFor, signUpUser, type TestUser } from './callers';
import type { DbHandle } from '../../server/db/client';
import { handleTrpc } from '../../server/trpc/handler';
import { SESSION_COOKIE } from '../../server/config';

// Issue 13 item 11: a page of another site cannot make the browser change state here.
let h: DbHandle;
let alice: TestUser;
beforeAll(async () => {
  h = await createTestDb('pglite');
  alice = await signUpUser(h.db, 'alice-csrf@example.com');
});
afterAll(async () => h?.close());

const signOut = (init: RequestInit & { headers: Record<string, string> }) =>
  handleTrpc(new Request('http://deeper.example/api/trpc/auth.signOut', { method: 'POST', ...init, headers: { host: 'deeper.example', ...init.headers } }), { db: h.db });

async function stillSignedIn(): Promise<boolean> {
  return (await (await callerFor(h.db, alice.token)).caller.auth.me()) !== null;
}

describe('cross-site mutations', () => {
  it('refuses a multipart sign-out from a foreign Origin, and the session survives', async () => {
    const form = new FormData();
    form.set('x', '1');
    const res = await signOut({ body: form, headers: { cookie: `${SESSION_COOKIE}=${alice.token}`, origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('requests from another origin are refused (Origin: https://evil.example)');
    expect(await stillSignedIn()).toBe(true);
  });

  it('refuses Sec-Fetch-Site cross-site or same-site, and Origin null', async () => {
    const json = { body: '{}', headers: { cookie: `${SESSION_COOKIE}=${alice.token}`, 'content-type': 'application/json' } };
    for (const site of ['cross-site', 'same-site']) {
      expect((await signOut({ ...json, headers: { ...json.headers, 'sec-fetch-site': site } })).status).toBe(403);
    }
    expect((await signOut({ ...json, headers: { ...json.headers, origin: 'null' } })).status).toBe(403);
    expect(await stillSignedIn()).toBe(true);
  });

  it('refuses form content types even from the same origin', async () => {
    for (const type of ['multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'text/plain', 'text/plain;charset=UTF-8']) {
      const res = await signOut({ body: 'x=1', headers: { cookie: `${SESSION_COOKIE}=${alice.token}`, origin: 'http://deeper.example', 'content-type': type } });
      expect(res.status, type).toBe(415);
    }
    expect(await stillSignedIn()).toBe(true);
  });

  it('accepts a same-origin JSON sign-out', async () => {
    const res = await signOut({
      body: '{}',
      headers: { cookie: `${SESSION_COOKIE}=${alice.token}`, origin: 'http://deeper.example', 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(await stillSignedIn()).toBe(false);
  });
});
