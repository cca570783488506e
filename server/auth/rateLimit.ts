import { and, count, eq, gt, lt, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { signInFailures } from '../db/schema';

/**
 * Sign-in rate limit, database-backed (table sign_in_failures) so that it holds across
 * processes and restarts: at most ACCOUNT_LIMIT failures per account and IP_LIMIT failures per
 * client address within WINDOW_MS; further attempts are refused until old failures age out.
 */
export const WINDOW_MS = 15 * 60_000;
export const ACCOUNT_LIMIT = 5;
export const IP_LIMIT = 20;

export interface RateLimitVerdict {
  allowed: boolean;
  reason?: 'account' | 'address';
  retryAfterSeconds?: number;
}

export async function checkSignInAllowed(db: Db, email: string, ip: string): Promise<RateLimitVerdict> {
  const since = new Date(Date.now() - WINDOW_MS);
  const [byAccount] = await db
    .select({ n: count() })
    .from(signInFailures)
    .where(and(eq(signInFailures.email, email), gt(signInFailures.at, since)));
  if ((byAccount?.n ?? 0) >= ACCOUNT_LIMIT) return { allowed: false, reason: 'account', retryAfterSeconds: WINDOW_MS / 1000 };
  const [byIp] = await db
    .select({ n: count() })
    .from(signInFailures)
    .where(and(eq(signInFailures.ip, ip), gt(signInFailures.at, since)));
  if ((byIp?.n ?? 0) >= IP_LIMIT) return { allowed: false, reason: 'address', retryAfterSeconds: WINDOW_MS / 1000 };
  return { allowed: true };
}

export async function recordSignInFailure(db: Db, email: string, ip: string): Promise<void> {
  await db.insert(signInFailures).values({ email, ip });
  // Keep the table small: failures older than the window no longer count.
  await db.delete(signInFailures).where(lt(signInFailures.at, new Date(Date.now() - WINDOW_MS)));
}

/** A successful sign-in clears the account's failures (not the address's). */
export async function clearAccountFailures(db: Db, email: string): Promise<void> {
  await db.delete(signInFailures).where(or(eq(signInFailures.email, email)));
}
