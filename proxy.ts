import { NextResponse, type NextRequest } from 'next/server';

// Keep in sync with server/config.ts SESSION_COOKIE (the proxy imports nothing from server/).
const SESSION_COOKIE = 'deeper_session';

/** Pages anyone may open; every other page needs a session cookie. */
const PUBLIC_PAGES = ['/', '/sign-in', '/sign-up'];
const PUBLIC_PREFIXES = ['/p/', '/api/', '/_next/'];

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
  const pass = () => {
    const headers = new Headers(request.headers);
    headers.set('x-request-id', reqId);
    const res = NextResponse.next({ request: { headers } });
    res.headers.set('x-request-id', reqId);
    return res;
  };
  if (PUBLIC_PAGES.includes(pathname) || PUBLIC_PREFIXES.some((p) => pathname.startsWith(p))) return pass();
  if (request.cookies.get(SESSION_COOKIE)?.value) return pass();
  const url = request.nextUrl.clone();
  url.pathname = '/sign-in';
  url.search = `?next=${encodeURIComponent(pathname + search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Everything except static files (paths with a dot, like /favicon.ico) and Next's internals.
  matcher: ['/((?!_next/static|_next/image|.*\\..*).*)'],
};
