import { and, count, eq, gt, lt, min, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { RateLimitVerdict } from '../auth/rate-limit';
import { humanWrites } from '../db/schema';
import { sha256 } from './sessions';

/**
 * Rate limits of the anonymous participant writes (join, respond), in the style of
 * server/auth/rate-limit.ts's sign-up limit: a fixed budget per sliding window, database-backed
 * (table human_writes) so it holds across processes, checked and recorded in one transaction
 * under advisory locks. Two budgets per WINDOW_MS (one minute):
 * - per link: all participants of one session together (a flood through one link);
 * - per address: one client address over all links (one machine scripting many participants).
 * The address is kept only as a salted sha256 and rows older than the window are deleted.
 */
export const HUMAN_WRITE_WINDOW_MS = 60_000;

export interface HumanWriteLimits {
  perLink: number;
  perAddress: number;
}

function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** DEEPER_HUMAN_WRITES_PER_LINK (default 600 a minute) and DEEPER_HUMAN_WRITES_PER_ADDRESS (default 120 a minute). */
export function humanWriteLimits(): HumanWriteLimits {
  return { perLink: envInt('DEEPER_HUMAN_WRITES_PER_LINK', 600), perAddress: envInt('DEEPER_HUMAN_WRITES_PER_ADDRESS', 120) };
}

export function addressHash(ip: string): string {
  return sha256(`${process.env.DEEPER_HUMAN_ADDRESS_SALT ?? 'deeper-human-address'}:${ip}`);
}

/** Records one write of `ip` on session `sessionId` unless either budget is spent (atomically). */
export async function beginHumanWrite(db: Db, sessionId: string, ip: string, limits = humanWriteLimits(), now = new Date()): Promise<RateLimitVerdict> {
  const addr = addressHash(ip);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(4, hashtext(${sessionId})), pg_advisory_xact_lock(5, hashtext(${addr}))`);
    const since = new Date(now.getTime() - HUMAN_WRITE_WINDOW_MS);
    const budget = async (where: ReturnType<typeof and>, limit: number, reason: 'account' | 'address'): Promise<RateLimitVerdict | null> => {
      const [row] = await tx.select({ n: count(), first: min(humanWrites.at) }).from(humanWrites).where(where);
      if (Number(row?.n ?? 0) < limit) return null;
      const first = row?.first ? new Date(row.first).getTime() : now.getTime();
      return { allowed: false, reason, retryAfterSeconds: Math.max(1, Math.ceil((first + HUMAN_WRITE_WINDOW_MS - now.getTime()) / 1000)) };
    };
    const refused =
      (await budget(and(eq(humanWrites.sessionId, sessionId), gt(humanWrites.at, since)), limits.perLink, 'account')) ??
      (await budget(and(eq(humanWrites.addressHash, addr), gt(humanWrites.at, since)), limits.perAddress, 'address'));
    if (refused) return refused;
    await tx.insert(humanWrites).values({ sessionId, addressHash: addr, at: now });
    await tx.delete(humanWrites).where(lt(humanWrites.at, since));
    return { allowed: true };
  });
}
