import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from './db';
import { signUpUser, type TestUser } from './callers';
import type { DbHandle } from '../../server/db/client';
import { handleTrpc, MAX_BODY_BYTES } from '../../server/trpc/handler';
import { serveArtifact } from '../../server/dashboards/artifacts';
import { FsArtifactStore, storeArtifact } from '../../server/storage';
import { createLogger, withRequestId } from '../../server/log';
import { SESSION_COOKIE } from '../../server/config';

// The HTTP edges: status codes of /api/trpc, the body limit, request ids, and the artifact route.
let h: DbHandle;
let alice: TestUser;
let eve: TestUser;
let store: FsArtifactStore;
let dir: string;
beforeAll(async () => {
  h = await createTestDb('pglite');
  alice = await signUpUser(h.db, 'alice@example.com');
  eve = await signUpUser(h.db, 'eve@example.com');
  dir = mkdtempSync(path.join(tmpdir(), 'deeper-http-'));
  store = new FsArtifactStore(dir);
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cookie = (u: TestUser) => ({ cookie: `${SESSION_COOKIE}=${u.token}` });

function post(procPath: string, body: unknown, headers: Record<string, string> = {}) {
  return handleTrpc(
    new Request(`http://localhost/api/trpc/${procPath}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    { db: h.db },
  );
}

describe('/api/trpc', () => {
  it('answers bad input with 400 naming the field, and echoes the request id', async () => {
    const res = await post('auth.signUp', { email: 'nope', password: 'x' }, { 'x-request-id': 'req-123' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-request-id')).toBe('req-123');
    const body = (await res.json()) as { error: { message: string; data: { fieldErrors: Record<string, string> } } };
    expect(body.error.message).toBe('email: email must be a valid email address');
    expect(body.error.data.fieldErrors).toEqual({ email: 'email must be a valid email address' });
    // A fresh id when the caller sends none.
    const res2 = await post('auth.signIn', {});
    expect(res2.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 401 signed out, 404 for other workspaces, 413 for oversized bodies', async () => {
    const get = (url: string, headers: Record<string, string> = {}) => handleTrpc(new Request(`http://localhost/api/trpc/${url}`, { headers }), { db: h.db });
    const input = encodeURIComponent(JSON.stringify({ workspaceId: alice.personalWorkspaceId }));
    expect((await get(`workspace.get?input=${input}`)).status).toBe(401);
    expect((await get(`workspace.get?input=${input}`, cookie(eve))).status).toBe(404);
    expect((await get(`workspace.get?input=${input}`, cookie(alice))).status).toBe(200);
    const huge = await post('workspace.create', { name: 'x'.repeat(MAX_BODY_BYTES + 10) }, cookie(alice));
    expect(huge.status).toBe(413);
  });

  it('sets the session cookie on sign-in', async () => {
    const res = await post('auth.signIn', { email: 'alice@example.com', password: 'correct-horse-42' });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax`));
  });
});

describe('GET /api/artifacts/:id', () => {
  it('streams a Float32 map with its type and length to members only', async () => {
    const map = new Float32Array([0, 0.25, 1.5, -2, 1e-3]);
    const row = await storeArtifact(
      h.db,
      { workspaceId: alice.personalWorkspaceId, name: 'information-map.f32', contentType: 'application/x-float32', data: new Uint8Array(map.buffer) },
      store,
    );
    const req = (headers: Record<string, string> = {}) => new Request(`http://localhost/api/artifacts/${row.id}`, { headers });
    const res = await serveArtifact(req(cookie(alice)), row.id, { db: h.db, store });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-float32');
    expect(res.headers.get('content-length')).toBe('20');
    expect(Array.from(new Float32Array(await res.arrayBuffer()))).toEqual(Array.from(map));
    // Non-members, signed-out callers and unknown or malformed ids: the same 404.
    for (const [r, id] of [
      [req(cookie(eve)), row.id],
      [req(), row.id],
      [req(cookie(alice)), '0b9d3c3e-6c1e-4c55-9a55-3b8d7d0c1a11'],
      [req(cookie(alice)), 'not-an-id'],
    ] as const) {
      const denied = await serveArtifact(r, id, { db: h.db, store });
      expect([denied.status, await denied.text()]).toEqual([404, 'Not found']);
    }
  });
});

describe('logging', () => {
  it('writes JSON lines carrying the request id', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    const logger = createLogger(sink, 'info');
    withRequestId('req-abc', () => logger.info({ n: 1 }, 'inside'));
    logger.info('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l));
    expect(inside).toMatchObject({ reqId: 'req-abc', msg: 'inside', n: 1, level: 30 });
    expect(outside.reqId).toBeUndefined();
  });
});

describe('secureCookiesFor', () => {
  it('marks cookies Secure in production except plain http on loopback', async () => {
    const { secureCookiesFor } = await import('../../server/config');
    const env = process.env as Record<string, string | undefined>;
    const saved = { NODE_ENV: env.NODE_ENV, COOKIE_SECURE: env.COOKIE_SECURE };
    try {
      env.NODE_ENV = 'production';
      delete env.COOKIE_SECURE;
      const h = (o: Record<string, string>) => new Headers(o);
      expect(secureCookiesFor('http://0.0.0.0:3000/api/trpc', h({ host: 'localhost:3000' }))).toBe(false);
      expect(secureCookiesFor('http://0.0.0.0:3000/api/trpc', h({ host: '127.0.0.1:3000' }))).toBe(false);
      expect(secureCookiesFor('http://0.0.0.0:3000/api/trpc', h({ host: 'deeper.example.org' }))).toBe(true);
      expect(secureCookiesFor('http://localhost:3000/api/trpc', h({ host: 'localhost:3000', 'x-forwarded-proto': 'https' }))).toBe(true);
      env.COOKIE_SECURE = 'false';
      expect(secureCookiesFor('http://0.0.0.0:3000/', h({ host: 'deeper.example.org' }))).toBe(false);
      env.NODE_ENV = 'development';
      delete env.COOKIE_SECURE;
      expect(secureCookiesFor('http://0.0.0.0:3000/', h({ host: 'deeper.example.org' }))).toBe(false);
    } finally {
      Object.assign(env, saved);
      if (saved.COOKIE_SECURE === undefined) delete env.COOKIE_SECURE;
    }
  });
});
