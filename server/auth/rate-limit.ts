import { and, count, eq, gt, lt, max, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { signInAddresses, signInFailures, signUpAttempts } from '../db/schema';

/**
 * Sign-in rate limit: growing delays instead of a hard lock, database-backed (tables
 * sign_in_failures and sign_in_addresses) so that it holds across processes and restarts.
 *
 * Three counters over the last WINDOW_MS (one day), each with a number of free failures and then
 * a delay since the counter's latest failure that doubles per failure (1 s, 2 s, 4 s, ...) up to
 * a cap:
 * - per (account, address): PAIR, what a user who mistypes meets;
 * - per account, applied only to addresses the account has never signed in from: ACCOUNT, the
 *   bound on distributed guessing that cannot lock the real user out of the addresses they use;
 * - per address, over all accounts: ADDRESS, against one address spraying many accounts.
 *
 * An attempt is recorded (as a failure) in the same transaction that checks the counters, under
 * advisory locks on the account and the address, BEFORE the password is verified; a right
 * password deletes the row again. Parallel or batched guesses therefore see each other.
 */
export const WINDOW_MS = 24 * 3_600_000;
export const KNOWN_ADDRESS_MS = 90 * 24 * 3_600_000;

export interface DelayRule {
  /** Failures allowed without any delay. */
  free: number;
  /** Longest delay between two attempts (seconds). */
  capSeconds: number;
}
export const PAIR: DelayRule = { free: 5, capSeconds: 900 };
export const ACCOUNT: DelayRule = { free: 10, capSeconds: 900 };
export const ADDRESS: DelayRule = { free: 30, capSeconds: 900 };

/** Seconds that must pass after the latest of `failures` failures: 0, then 1, 2, 4, ... up to the cap. */
export function delaySeconds(failures: number, rule: DelayRule): number {
  if (failures < rule.free) return 0;
  return Math.min(rule.capSeconds, 2 ** (failures - rule.free));
}

/**
 * The most attempts a rule lets through in any day when the attacker tries as soon as allowed:
 * the free ones, the doubling ramp up to the cap, then one per cap. For ACCOUNT (and PAIR per
 * known address) this is the bound on guesses per account per day stated in README.md.
 */
export function attemptsPerDayBound(rule: DelayRule): number {
  let n = rule.free;
  let t = 0;
  for (;;) {
    const d = delaySeconds(n, rule);
    if (t + d > WINDOW_MS / 1000) return n;
    t += d;
    n++;
  }
}

export interface CounterState {
  failures: number;
  lastAt: Date | null;
}
export interface SignInState {
  pair: CounterState;
  account: CounterState;
  address: CounterState;
  /** Whether the account has signed in from this address before (then ACCOUNT does not apply). */
  knownAddress: boolean;
}

export interface RateLimitVerdict {
  allowed: boolean;
  reason?: 'account' | 'address';
  retryAfterSeconds?: number;
}

/** The policy, pure: whether an attempt at `now` is allowed given the counters. */
export function signInVerdict(state: SignInState, now: Date): RateLimitVerdict {
  const wait = (c: CounterState, rule: DelayRule) => (c.lastAt ? c.lastAt.getTime() + delaySeconds(c.failures, rule) * 1000 - now.getTime() : 0);
  const checks: [number, 'account' | 'address'][] = [
    [wait(state.pair, PAIR), 'account'],
    [state.knownAddress ? 0 : wait(state.account, ACCOUNT), 'account'],
    [wait(state.address, ADDRESS), 'address'],
  ];
  const [ms, reason] = checks.reduce((a, b) => (b[0] > a[0] ? b : a));
  return ms > 0 ? { allowed: false, reason, retryAfterSeconds: Math.ceil(ms / 1000) } : { allowed: true };
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

async function counter(tx: Tx, where: ReturnType<typeof and>): Promise<CounterState> {
  const [row] = await tx.select({ n: count(), last: max(signInFailures.at) }).from(signInFailures).where(where);
  return { failures: Number(row?.n ?? 0), lastAt: row?.last ? new Date(row.last) : null };
}

/**
 * Checks the counters and, when allowed, records the attempt as a failure, atomically.
 * Returns the attempt's id (pass it to recordSignInSuccess when the password was right).
 */
export async function beginSignInAttempt(db: Db, email: string, ip: string, now = new Date()): Promise<RateLimitVerdict & { attemptId?: string }> {
  return db.transaction(async (tx) => {
    // Serialises attempts on one account and on one address (always in this order: no deadlock).
    await tx.execute(sql`select pg_advisory_xact_lock(1, hashtext(${email})), pg_advisory_xact_lock(2, hashtext(${ip}))`);
    const since = new Date(now.getTime() - WINDOW_MS);
    const recent = gt(signInFailures.at, since);
    const [known] = await tx
      .select({ at: signInAddresses.lastSuccessAt })
      .from(signInAddresses)
      .where(and(eq(signInAddresses.email, email), eq(signInAddresses.ip, ip), gt(signInAddresses.lastSuccessAt, new Date(now.getTime() - KNOWN_ADDRESS_MS))));
    const state: SignInState = {
      pair: await counter(tx, and(eq(signInFailures.email, email), eq(signInFailures.ip, ip), recent)),
      account: await counter(tx, and(eq(signInFailures.email, email), recent)),
      address: await counter(tx, and(eq(signInFailures.ip, ip), recent)),
      knownAddress: Boolean(known),
    };
    const verdict = signInVerdict(state, now);
    if (!verdict.allowed) return verdict;
    const [row] = await tx.insert(signInFailures).values({ email, ip, at: now }).returning({ id: signInFailures.id });
    // Keep the table small: failures older than the window no longer count.
    await tx.delete(signInFailures).where(lt(signInFailures.at, since));
    return { allowed: true, attemptId: row!.id };
  });
}

/**
 * The password was right: the attempt is no failure, this address's failures on the account are
 * forgiven (not other addresses': the account's budget for strangers stays spent) and the
 * address becomes known to the account.
 */
export async function recordSignInSuccess(db: Db, email: string, ip: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(signInFailures).where(and(eq(signInFailures.email, email), eq(signInFailures.ip, ip)));
    await tx
      .insert(signInAddresses)
      .values({ email, ip, lastSuccessAt: new Date() })
      .onConflictDoUpdate({ target: [signInAddresses.email, signInAddresses.ip], set: { lastSuccessAt: new Date() } });
  });
}

/** Sign-up: at most SIGN_UPS_PER_HOUR (default 10) attempts per client address per hour. */
export const SIGN_UP_WINDOW_MS = 3_600_000;
export function signUpsPerAddress(): number {
  const n = Number(process.env.SIGN_UPS_PER_HOUR ?? 10);
  return Number.isInteger(n) && n > 0 ? n : 10;
}

/** Records a sign-up attempt from `ip` unless the address used up its budget (atomically). */
export async function beginSignUpAttempt(db: Db, ip: string, now = new Date()): Promise<RateLimitVerdict> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(3, hashtext(${ip}))`);
    const since = new Date(now.getTime() - SIGN_UP_WINDOW_MS);
    const [row] = await tx
      .select({ n: count(), first: sql<string | null>`min(${signUpAttempts.at})` })
      .from(signUpAttempts)
      .where(and(eq(signUpAttempts.ip, ip), gt(signUpAttempts.at, since)));
    if (Number(row?.n ?? 0) >= signUpsPerAddress()) {
      const first = row?.first ? new Date(row.first).getTime() : now.getTime();
      return { allowed: false, reason: 'address', retryAfterSeconds: Math.max(1, Math.ceil((first + SIGN_UP_WINDOW_MS - now.getTime()) / 1000)) };
    }
    await tx.insert(signUpAttempts).values({ ip, at: now });
    await tx.delete(signUpAttempts).where(lt(signUpAttempts.at, since));
    return { allowed: true };
  });
}
