import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDb } from './db';
import { signUpUser, type TestUser } from './callers';
import type { DbHandle } from '../../server/db/client';
import { isApiRead, serveApiRead } from '../../server/trpc/node-api';
import { handleTrpc } from '../../server/trpc/handler';
import { securityHeaders } from '../../server/http/security-headers';
import { setClientAddress } from '../../scripts/client-address.mjs';
import { SESSION_COOKIE } from '../../server/config';

// Issue 13 (load): tRPC queries served by scripts/start.mjs without Next's pipeline must answer as
// the Next path does: same statuses, the security headers of proxy.ts, request ids, batch caps.
let h: DbHandle;
let alice: TestUser;
let eve: TestUser;
let server: Server;
let port = 0;
let hops = 0;
beforeAll(async () => {
  h = await createTestDb('pglite');
  alice = await signUpUser(h.db, 'alice@example.com');
  eve = await signUpUser(h.db, 'eve@example.com');
  // The wiring of scripts/start.mjs: the client address first, then the direct path.
  server = createServer((req, res) => {
    setClientAddress(req, hops);
    if (!isApiRead(req.method, req.url)) return void res.writeHead(418).end();
    void serveApiRead(req, res, { db: h.db });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await h?.close();
});

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
const input = (v: unknown) => encodeURIComponent(JSON.stringify(v));
const cookie = (u: TestUser) => ({ cookie: `${SESSION_COOKIE}=${u.token}` });

describe('isApiRead', () => {
  it('takes only GET requests under /api/trpc/', () => {
    expect(isApiRead('GET', '/api/trpc/experiment.list?input=%7B%7D')).toBe(true);
    expect(isApiRead('POST', '/api/trpc/auth.signIn')).toBe(false);
    expect(isApiRead('HEAD', '/api/trpc/experiment.list')).toBe(false);
    expect(isApiRead('GET', '/api/trpcx')).toBe(false);
    expect(isApiRead('GET', '/p/abc')).toBe(false);
    expect(isApiRead('GET', undefined)).toBe(false);
  });
});

describe('GET /api/trpc on the direct path', () => {
  it('answers members 200, strangers 404 and signed-out callers 401, with the JSON body of tRPC', async () => {
    const q = `/api/trpc/workspace.get?input=${input({ workspaceId: alice.personalWorkspaceId })}`;
    const ok = await get(q, cookie(alice));
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^application\/json/);
    expect(Number(ok.headers['content-length'])).toBe(Buffer.byteLength(ok.body));
    expect((JSON.parse(ok.body) as { result: { data: { id: string } } }).result.data.id).toBe(alice.personalWorkspaceId);
    expect((await get(q, cookie(eve))).status).toBe(404);
    expect((await get(q)).status).toBe(401);
  });

  it("sets proxy.ts's security headers and echoes a valid request id (a fresh one otherwise)", async () => {
    const res = await get(`/api/trpc/workspace.list?input=${input({})}`, { ...cookie(alice), 'x-request-id': 'req-77' });
    expect(res.status).toBe(200);
    const expected = securityHeaders({ pathname: '/api/trpc/workspace.list', searchParams: new URLSearchParams(), https: false, development: false });
    for (const [k, v] of Object.entries(expected)) expect(res.headers[k]).toBe(v);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-request-id']).toBe('req-77');
    const fresh = await get(`/api/trpc/workspace.list?input=${input({})}`, { ...cookie(alice), 'x-request-id': 'bad id with spaces' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends HSTS only when a trusted proxy says https; a client claiming https without one is ignored', async () => {
    const path = `/api/trpc/workspace.list?input=${input({})}`;
    expect((await get(path, { ...cookie(alice), 'x-forwarded-proto': 'https' })).headers['strict-transport-security']).toBeUndefined();
    hops = 1;
    try {
      const behind = await get(path, { ...cookie(alice), 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' });
      expect(behind.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    } finally {
      hops = 0;
    }
  });

  it('refuses batches over the cap and sign-in over GET', async () => {
    const eleven = Array.from({ length: 11 }, () => 'workspace.list').join(',');
    const batch = await get(`/api/trpc/${eleven}?batch=1&input=${input({})}`, cookie(alice));
    expect(batch.status).toBe(400);
    expect(batch.body).toContain('at most 10 procedures');
    expect(batch.headers['x-content-type-options']).toBe('nosniff');
    // Mutations are never served over GET (tRPC answers 405), so nothing here can change state.
    const signIn = await get(`/api/trpc/auth.signIn?input=${input({ email: 'alice@example.com', password: 'x' })}`);
    expect(signIn.status).toBe(405);
    expect(signIn.headers['set-cookie']).toBeUndefined();
  });
});

describe('POST /api/trpc through Next (handleTrpc)', () => {
  it('carries the security headers too, on answers and refusals (Next drops those proxy.ts sets)', async () => {
    const post = (headers: Record<string, string>) =>
      handleTrpc(new Request('http://localhost/api/trpc/auth.signOut', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' }), { db: h.db });
    const ok = await post({});
    const refused = await post({ origin: 'https://evil.example' });
    expect([ok.status, refused.status]).toEqual([200, 403]);
    for (const res of [ok, refused]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
  });
});

describe('the session cache', () => {
  it('is one per process: a sign-out through one copy of the module evicts the session in every copy', async () => {
    const a = await import('../../server/auth/sessions');
    vi.resetModules(); // the next import is a second instance of the module, as in the server bundle
    const other = await import('../../server/auth/sessions');
    expect(other.validateSession).not.toBe(a.validateSession);
    const user = await signUpUser(h.db, 'bob@example.com');
    expect((await a.validateSession(h.db, user.token))?.user.email).toBe('bob@example.com');
    await other.revokeSession(h.db, user.token);
    expect(await a.validateSession(h.db, user.token)).toBeNull();
  });
});
