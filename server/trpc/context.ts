import type { Db } from '../db/client';
import { getDb } from '../db/client';
import { validateSession, tokenFromCookieHeader, type Session } from '../auth/sessions';
import { requestIdFrom } from '../log';
import { secureCookiesFor } from '../config';
import { clientIp } from '../http/client-ip';

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


/**
 * The context from what a request carries, without a Request object: the caller's headers (cookie,
 * forwarding, user agent) and, for the Secure-cookie decision, the URL it asked for. Server components
 * (app/(portal)/home/page.tsx) call this with the page's headers and no URL: they set no cookies, and
 * without a URL any cookie would be marked Secure (the safe side).
 */
export async function createContextInner(opts: { headers: Headers; url?: string; resHeaders?: Headers; db?: Db; reqId?: string }): Promise<Context> {
  const db = opts.db ?? getDb();
  const token = tokenFromCookieHeader(opts.headers.get('cookie'));
  const session = await validateSession(db, token);
  return {
    db,
    session,
    token,
    ip: clientIp(opts.headers),
    userAgent: opts.headers.get('user-agent'),
    reqId: opts.reqId ?? requestIdFrom(opts.headers),
    secureCookies: opts.url === undefined ? true : secureCookiesFor(opts.url, opts.headers),
    resHeaders: opts.resHeaders ?? new Headers(),
  };
}

/** The context of an HTTP request (the tRPC route handler, server/trpc/handler.ts). */
export function createContext(opts: { req: Request; resHeaders: Headers; db?: Db; reqId?: string }): Promise<Context> {
  return createContextInner({ headers: opts.req.headers, url: opts.req.url, resHeaders: opts.resHeaders, db: opts.db, reqId: opts.reqId });
}
