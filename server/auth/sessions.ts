import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { sessions, users } from '../db/schema';
import { config, SESSION_COOKIE } from '../config';

export interface CookieOptions {
  secure: boolean;
}

/** sha256 hex of a session token: what the database stores. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export interface Session {
  id: string;
  user: SessionUser;
  expiresAt: Date;
}

/** Creates a session for a user; returns the token for the cookie (never stored in clear). */
export async function createSession(
  db: Db,
  userId: string,
  meta: { userAgent?: string | null; ip?: string | null } = {},
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + config.sessionDays * 86_400_000);
  await db.insert(sessions).values({
    tokenHash: hashToken(token),
    userId,
    expiresAt,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    ip: meta.ip ?? null,
  });
  return { token, expiresAt };
}

/**
 * Recently validated sessions by token hash, so that a burst of reads by one browser costs one
 * database lookup (with PGlite every query blocks the event loop for milliseconds; bench/auth-read.ts).
 * An entry lives SESSION_CACHE_MS (default 5,000; 0 turns the cache off); sign-out in this process
 * evicts it at once, so a session revoked through another web process stays usable here for at
 * most that long.
 */
function sessionCacheMs(): number {
  const n = Number(process.env.SESSION_CACHE_MS ?? 5_000);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 60_000) : 5_000;
}
const SESSION_CACHE_MAX = 10_000;
type SessionCache = Map<string, { session: Session; until: number; db: Db }>;
// On globalThis, one per process: the server bundle holds several copies of this module (Next's
// route handlers, and instrumentation.ts's for the direct API path of scripts/start.mjs), and a
// sign-out through one must evict the session in all.
const gc = globalThis as unknown as { __deeperSessionCache?: SessionCache };
const sessionCache: SessionCache = (gc.__deeperSessionCache ??= new Map());

/** The session for a token, or null when unknown or expired. */
export async function validateSession(db: Db, token: string | undefined | null): Promise<Session | null> {
  if (!token || token.length > 200) return null;
  const tokenHash = hashToken(token);
  const hit = sessionCache.get(tokenHash);
  const now = Date.now();
  if (hit && hit.db === db && hit.until > now && sessionCacheMs() > 0 && hit.session.expiresAt.getTime() > now) return hit.session;
  const session = await lookupSession(db, tokenHash);
  if (session && sessionCacheMs() > 0) {
    if (sessionCache.size >= SESSION_CACHE_MAX) sessionCache.clear();
    sessionCache.set(tokenHash, { session, until: now + sessionCacheMs(), db });
  } else sessionCache.delete(tokenHash);
  return session;
}

async function lookupSession(db: Db, tokenHash: string): Promise<Session | null> {
  const rows = await db
    .select({ id: sessions.id, expiresAt: sessions.expiresAt, lastSeenAt: sessions.lastSeenAt, userId: users.id, email: users.email, name: users.name })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, new Date())))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  // Record activity at most once an hour (one write per hour per session, not per request).
  if (Date.now() - row.lastSeenAt.getTime() > 3_600_000) {
    await db.update(sessions).set({ lastSeenAt: new Date() }).where(eq(sessions.id, row.id));
  }
  return { id: row.id, expiresAt: row.expiresAt, user: { id: row.userId, email: row.email, name: row.name } };
}

/** Deletes the session of a token (sign-out). */
export async function revokeSession(db: Db, token: string | undefined | null): Promise<void> {
  if (!token) return;
  sessionCache.delete(hashToken(token));
  await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)));
}

export async function pruneExpiredSessions(db: Db): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
}

/** Set-Cookie value for a new session: HttpOnly, SameSite=Lax, Secure in production. */
export function sessionCookie(token: string, expiresAt: Date, opts: CookieOptions): string {
  const parts = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Expires=${expiresAt.toUTCString()}`];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

/** Set-Cookie value that removes the session cookie. */
export function clearedSessionCookie(opts: CookieOptions): string {
  const parts = [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0'];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The session token from a Cookie header. */
export function tokenFromCookieHeader(cookieHeader: string | null | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(i + 1).trim()) || null;
  }
  return null;
}
