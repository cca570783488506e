import type { Db } from '../db/client';
import { getDb } from '../db/client';
import { validateSession, tokenFromCookieHeader, type Session } from '../auth/sessions';
import { requestIdFrom } from '../log';
import { secureCookiesFor } from '../config';

/** What every procedure sees: the database, the caller's session (or null) and request facts. */
export interface Context {
  db: Db;
  session: Session | null;
  /** The raw session token from the cookie (sign-out revokes it). */
  token: string | null;
  ip: string;
  userAgent: string | null;
  reqId: string;
  /** Whether Set-Cookie carries Secure (production over https; see secureCookiesFor). */
  secureCookies: boolean;
  /** Headers added to the HTTP response (Set-Cookie on sign-in and sign-out). */
  resHeaders: Headers;
}

/** The client address: first hop of x-forwarded-for (Next's server sets it), else x-real-ip. */
export function clientIp(headers: Headers): string {
  const xff = headers.get('x-forwarded-for');
  const first = xff?.split(',')[0]?.trim();
  return (first || headers.get('x-real-ip') || 'unknown').slice(0, 64);
}

export async function createContext(opts: { req: Request; resHeaders: Headers; db?: Db; reqId?: string }): Promise<Context> {
  const db = opts.db ?? getDb();
  const token = tokenFromCookieHeader(opts.req.headers.get('cookie'));
  const session = await validateSession(db, token);
  return {
    db,
    session,
    token,
    ip: clientIp(opts.req.headers),
    userAgent: opts.req.headers.get('user-agent'),
    reqId: opts.reqId ?? requestIdFrom(opts.req.headers),
    secureCookies: secureCookiesFor(opts.req.url, opts.req.headers),
    resHeaders: opts.resHeaders,
  };
}
