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
  if (PUBLIC_PAGES.includes(pathname) || PUBLIC_PREFIXES.some((p) => pathname.startsWith(p))) return NextResponse.next();
  if (request.cookies.get(SESSION_COOKIE)?.value) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = '/sign-in';
  url.search = `?next=${encodeURIComponent(pathname + search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Everything except static files (paths with a dot, like /favicon.ico) and Next's internals.
  matcher: ['/((?!_next/static|_next/image|.*\\..*).*)'],
};
