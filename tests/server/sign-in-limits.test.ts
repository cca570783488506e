import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { createTestDb } from './db';
import { GOOD_PASSWORD, signUpUser } from './callers';
import type { DbHandle } from '../../server/db/client';
import { signInFailures } from '../../server/db/schema';
import { handleTrpc, MAX_BATCH } from '../../server/trpc/handler';
import { ACCOUNT, attemptsPerDayBound, PAIR, signInVerdict, WINDOW_MS, type CounterState } from '../../server/auth/rate-limit';

// Issue 13, items 1, 4 and 9: the sign-in limiter counts an attempt before the password is
// verified (batched and parallel guesses see each other), slows down instead of locking, and
// cannot be used by a stranger to lock the real user out of the addresses they sign in from.
let h: DbHandle;
beforeAll(async () => {
  h = await createTestDb('pglite');
});
afterAll(async () => h?.close());

function post(procPath: string, body: unknown, ip: string, query = '') {
  return handleTrpc(
    new Request(`http://localhost/api/trpc/${procPath}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify(body),
    }),
    { db: h.db },
  );
}

async function failuresOf(email: string): Promise<number> {
  const [row] = await h.db.select({ n: count() }).from(signInFailures).where(eq(signInFailures.email, email));
  return Number(row!.n);
}

describe('batched and parallel sign-in guesses', () => {
  it('refuses a batch of 30 sign-ins without verifying any password', async () => {
    await signUpUser(h.db, 'batch@example.com');
    const path = Array.from({ length: 30 }, () => 'auth.signIn').join(',');
    const body = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [i, { email: 'batch@example.com', password: `wrong-password-${i}` }]));
    const res = await post(path, body, '10.5.0.1', '?batch=1');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/at most 10 procedures/);
    // Two sign-ins in one batch: refused too.
    const two = await post('auth.signIn,auth.signIn', { 0: { email: 'batch@example.com', password: 'x' }, 1: { email: 'batch@example.com', password: 'y' } }, '10.5.0.1', '?batch=1');
    expect(two.status).toBe(400);
    expect(((await two.json()) as { error: { message: string } }).error.message).toMatch(/sign-in and sign-up cannot be batched/);
    expect(await failuresOf('batch@example.com')).toBe(0);
  });

  it('caps batches of any procedure at MAX_BATCH', async () => {
    const u = await signUpUser(h.db, 'reader@example.com');
    const get = (n: number) =>
      handleTrpc(
        new Request(`http://localhost/api/trpc/${Array.from({ length: n }, () => 'workspace.list').join(',')}?batch=1&input=${encodeURIComponent('{}')}`, {
          headers: { cookie: `deeper_session=${u.token}` },
        }),
        { db: h.db },
      );
    expect(MAX_BATCH).toBe(10);
    expect((await get(MAX_BATCH)).status).toBe(200);
    expect((await get(MAX_BATCH + 1)).status).toBe(400);
  });

  it('lets at most PAIR.free of 12 parallel wrong passwords be verified', async () => {
    await signUpUser(h.db, 'parallel@example.com');
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post('auth.signIn', { email: 'parallel@example.com', password: `wrong-password-${i}` }, '10.6.0.1')),
    );
    const statuses = responses.map((r) => r.status);
    const verified = statuses.filter((s) => s === 401).length;
    // PAIR.free, or one more if the machine stalled for the 1 s delay between two attempts.
    expect(verified).toBeGreaterThanOrEqual(PAIR.free);
    expect(verified).toBeLessThanOrEqual(PAIR.free + 1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - verified);
    expect(await failuresOf('parallel@example.com')).toBe(verified);
  });
});

describe('growing delays instead of a lock', () => {
  it('lets the real user sign in from a known address while strangers guess from many addresses', async () => {
    await signUpUser(h.db, 'target@example.com');
    // The real user has signed in from home before.
    expect((await post('auth.signIn', { email: 'target@example.com', password: GOOD_PASSWORD }, '192.0.2.10')).status).toBe(200);
    // Strangers guess from 20 addresses; after ACCOUNT.free failures the account is slowed down.
    const statuses: number[] = [];
    for (let i = 0; i < ACCOUNT.free + 1; i++) statuses.push((await post('auth.signIn', { email: 'target@example.com', password: `guess-${i}-abcdef` }, `203.0.113.${i}`)).status);
    expect(statuses.slice(0, ACCOUNT.free).every((s) => s === 401)).toBe(true);
    expect(statuses[ACCOUNT.free]).toBe(429); // within the 1 s delay after the last free failure
    // Many more guesses from elsewhere (written directly: the delays would take minutes in real time).
    await h.db.insert(signInFailures).values(Array.from({ length: 20 }, (_, i) => ({ email: 'target@example.com', ip: `198.18.0.${i}`, at: new Date() })));
    // Even the right password from an unknown address waits...
    const fresh = await post('auth.signIn', { email: 'target@example.com', password: GOOD_PASSWORD }, '198.51.100.7');
    expect(fresh.status).toBe(429);
    expect(((await fresh.json()) as { error: { message: string } }).error.message).toMatch(/Too many failed sign-ins for this account\. Try again in 15 minutes\./);
    // ...but the real user at home is not stopped, even after a typo.
    expect((await post('auth.signIn', { email: 'target@example.com', password: 'typo-password-1' }, '192.0.2.10')).status).toBe(401);
    expect((await post('auth.signIn', { email: 'target@example.com', password: GOOD_PASSWORD }, '192.0.2.10')).status).toBe(200);
  });

  it('slows one address down after PAIR.free failures with the delay doubling', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const none: CounterState = { failures: 0, lastAt: null };
    const at = (failures: number, secondsAgo: number) =>
      signInVerdict({ pair: { failures, lastAt: new Date(t0.getTime() - secondsAgo * 1000) }, account: none, address: none, knownAddress: true }, t0);
    expect(at(PAIR.free - 1, 0).allowed).toBe(true);
    expect(at(PAIR.free, 0)).toEqual({ allowed: false, reason: 'account', retryAfterSeconds: 1 });
    expect(at(PAIR.free + 3, 7)).toEqual({ allowed: false, reason: 'account', retryAfterSeconds: 1 });
    expect(at(PAIR.free + 3, 8).allowed).toBe(true);
    expect(at(PAIR.free + 40, 899).retryAfterSeconds).toBe(1); // capped at 15 minutes
  });

  it('bounds distributed guessing at attemptsPerDayBound(ACCOUNT) = 114 per account per day', () => {
    // An attacker with an unlimited supply of fresh addresses tries every second for two days.
    const bound = attemptsPerDayBound(ACCOUNT);
    expect(bound).toBe(114); // the number README.md states
    const failures: number[] = []; // times (s) of recorded failures
    const none: CounterState = { failures: 0, lastAt: null };
    let worstDay = 0;
    let first = 0; // index of the oldest failure inside the window
    for (let t = 0; t < 2 * 86_400; t++) {
      while (first < failures.length && failures[first]! <= t - WINDOW_MS / 1000) first++;
      const n = failures.length - first;
      const account = { failures: n, lastAt: n ? new Date(failures[failures.length - 1]! * 1000) : null };
      if (signInVerdict({ pair: none, account, address: none, knownAddress: false }, new Date(t * 1000)).allowed) {
        failures.push(t);
        worstDay = Math.max(worstDay, failures.length - first);
      }
    }
    expect(worstDay).toBeLessThanOrEqual(bound);
    expect(worstDay).toBeGreaterThan(bound - 5);
  });
});

describe('sign-up', () => {
  it('is rate-limited per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await post('auth.signUp', { email: `bulk${i}@example.com`, password: GOOD_PASSWORD }, '10.7.0.1');
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
