import { NextResponse, type NextRequest } from 'next/server';
import { securityHeaders } from './server/http/security-headers';
import { withdrawnRewrite } from './server/dashboards/withdrawn-slugs';

// Keep in sync with server/config.ts SESSION_COOKIE (the proxy imports only pure modules of server/).
const SESSION_COOKIE = 'deeper_session';

/** Pages anyone may open; every other page needs a session cookie. */
const PUBLIC_PAGES = ['/', '/sign-in', '/sign-up'];
const PUBLIC_PREFIXES = ['/p/', '/h/', '/api/', '/_next/'];

/**
 * The request guard: an optimistic check, no database. A visitor without a session cookie who
 * opens a portal page is sent to /sign-in?next=<page>. The server still checks the session on
 * every tRPC call and artifact request.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  // One id per request, passed to the handlers (their log lines carry it) and back to the client.
  const given = request.headers.get('x-request-id');
  const reqId = given && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : crypto.randomUUID();
  // https as the client saw it: the URL's scheme, or X-Forwarded-Proto, which scripts/start.mjs
  // keeps only from trusted proxies (TRUST_PROXY_HOPS).
  const https = request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
  const secure = (res: NextResponse) => {
    const h = securityHeaders({ pathname, searchParams: request.nextUrl.searchParams, https, development: process.env.NODE_ENV === 'development' });
    for (const [k, v] of Object.entries(h)) res.headers.set(k, v);
    res.headers.set('x-request-id', reqId);
    return res;
  };
  const forward = () => {
    const headers = new Headers(request.headers);
    headers.set('x-request-id', reqId);
    return { request: { headers } };
  };
  const pass = () => secure(NextResponse.next(forward()));
  // The page of a withdrawn snapshot: 410 Gone, with a page that says so. A page cannot set 410
  // and this guard has no database, so unpublishing tells it the slug (withdrawn-slugs.ts) and it
  // rewrites, keeping the status; every other /p/ path (live or never published) goes on as before.
  const gone = pathname.startsWith('/p/') ? withdrawnRewrite(pathname) : null;
  if (gone) {
    // A clone of nextUrl keeps Next's own origin: a URL built from request.url can name another
    // host (localhost vs 127.0.0.1) and is then proxied as an external rewrite.
    const url = request.nextUrl.clone();
    url.pathname = gone;
    url.search = '';
    return secure(NextResponse.rewrite(url, { ...forward(), status: 410 }));
  }
  if (PUBLIC_PAGES.includes(pathname) || PUBLIC_PREFIXES.some((p) => pathname.startsWith(p))) return pass();
  if (request.cookies.get(SESSION_COOKIE)?.value) return pass();
  const url = request.nextUrl.clone();
  url.pathname = '/sign-in';
  url.search = `?next=${encodeURIComponent(pathname + search)}`;
  return secure(NextResponse.redirect(url));
}

export const config = {
  // Everything except static files (paths with a dot, like /favicon.ico) and Next's internals.
  matcher: ['/((?!_next/static|_next/image|.*\\..*).*)'],
};
