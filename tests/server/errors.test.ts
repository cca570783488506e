import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from './db';
import { signUpUser, type TestUser } from './callers';
import type { Db, DbHandle } from '../../server/db/client';
import { handleTrpc } from '../../server/trpc/handler';
import { textProblem } from '../../workers/contract';
import { SESSION_COOKIE } from '../../server/config';

// Issue 13 items 7 and 12: text that PostgreSQL cannot store or that misleads readers is refused
// by validation (400 naming the field), and an internal error reaches the client as a generic
// message with the request id, never with SQL, parameters or hashes.
let h: DbHandle;
let alice: TestUser;
beforeAll(async () => {
  h = await createTestDb('pglite');
  alice = await signUpUser(h.db, 'alice-errors@example.com');
});
afterAll(async () => h?.close());

function post(procPath: string, body: unknown, opts: { db?: Db; headers?: Record<string, string> } = {}) {
  return handleTrpc(
    new Request(`http://localhost/api/trpc/${procPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.8.0.1', ...opts.headers },
      body: JSON.stringify(body),
    }),
    { db: opts.db ?? h.db },
  );
}

async function errorOf(res: Response): Promise<{ status: number; message: string; body: string }> {
  const body = await res.text();
  return { status: res.status, message: (JSON.parse(body) as { error: { message: string } }).error.message, body };
}

describe('text validation', () => {
  it('refuses NUL, unpaired surrogates and bidi controls in names with a 400 naming the field', async () => {
    const as = { headers: { cookie: `${SESSION_COOKIE}=${alice.token}` } };
    expect(await errorOf(await post('workspace.create', { name: 'lab\u0000x' }, as))).toMatchObject({ status: 400, message: 'name: name must not contain NUL characters' });
    expect(await errorOf(await post('workspace.create', { name: 'lab \ud800 x' }, as))).toMatchObject({
      status: 400,
      message: 'name: name must be valid Unicode (it holds an unpaired surrogate)',
    });
    expect(await errorOf(await post('workspace.create', { name: 'invoice\u202Egpj.exe' }, as))).toMatchObject({
      status: 400,
      message: 'name: name must not contain bidirectional control characters',
    });
    const signUp = await errorOf(await post('auth.signUp', { email: 'nul@example.com', password: 'correct-horse-42', name: 'Eve\u0000' }));
    expect(signUp).toMatchObject({ status: 400, message: 'name: name must not contain NUL characters' });
    const exp = await errorOf(
      await post('experiment.create', { workspaceId: alice.personalWorkspaceId, config: { name: 'x\u2066y' } }, as),
    );
    expect(exp.status).toBe(400);
    expect(exp.message).toMatch(/name must not contain bidirectional control characters/);
  });

  it('keeps ordinary text, emoji (paired surrogates) and newlines in multi-line fields', () => {
    expect(textProblem('Lab 🧪 Ünïcødé – עברית')).toBeNull();
    expect(textProblem('line one\nline two\ttab', true)).toBeNull();
    expect(textProblem('line one\nline two')).toMatch(/line breaks/);
    expect(textProblem('\udc00')).toMatch(/unpaired surrogate/);
    expect(textProblem('a\u200Fb')).toMatch(/bidirectional/);
  });
});

describe('internal errors', () => {
  it('answer 500 with a generic message and the request id, no SQL and no hash', async () => {
    const leaky = 'Failed query: select "password_hash" from "users" where "email" = $1 params: $argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g';
    const broken = new Proxy({} as Db, {
      get() {
        throw new Error(leaky);
      },
    });
    const res = await post('auth.signIn', { email: 'alice-errors@example.com', password: 'correct-horse-42' }, { db: broken, headers: { 'x-request-id': 'req-500' } });
    const err = await errorOf(res);
    expect(err.status).toBe(500);
    expect(err.message).toBe('Internal error. Quote request id req-500 when you report it.');
    expect(err.body).not.toMatch(/argon2|select|password_hash|params/i);
    expect(JSON.parse(err.body).error.data.requestId).toBe('req-500');
  });
});
