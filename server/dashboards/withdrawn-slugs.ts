/**
 * The slugs of withdrawn (unpublished) snapshots that this server process knows, so that the
 * request guard (proxy.ts, no database by design) can send /p/<slug> of a withdrawn snapshot to
 * its "withdrawn" page, answered with HTTP 410 Gone, while published pages keep coming straight
 * from Next's page cache (issue 13) and a slug never published stays 404.
 *
 * Why here and not in the page: an App Router page can answer 200 or, through notFound(), 404,
 * but not 410; a rewrite from the proxy can (NextResponse.rewrite(url, { status: 410 })). The
 * proxy checks only this set (a lookup in memory, no I/O), so published pages pay nothing more.
 *
 * Filled at start-up from the database (instrumentation.ts, loadWithdrawnSlugs) and on every
 * unpublish (server/trpc/routers/publications.ts). A withdrawal is final (a slug is never reused),
 * so entries are never removed. One process holds the set, as it holds the page cache: with
 * several replicas, each learns of a withdrawal made elsewhere when it restarts (README,
 * "Published snapshots"); until then it answers that slug 404.
 *
 * Pure: no imports, so the proxy can use it. The set lives on globalThis because the proxy and the
 * server's routes are separate bundles loaded into one Node.js process (Next 16 runs proxy.ts in
 * process, on the nodejs runtime): a module-level variable would be two different sets.
 */

const KEY = Symbol.for('deeper.withdrawnSlugs');

function registry(): Set<string> {
  const g = globalThis as typeof globalThis & { [KEY]?: Set<string> };
  return (g[KEY] ??= new Set<string>());
}

/** Records that the snapshot at /p/<slug> was withdrawn. */
export function markWithdrawn(slug: string): void {
  registry().add(slug);
}

/** Whether this process knows /p/<slug> to be withdrawn. */
export function isWithdrawn(slug: string): boolean {
  return registry().has(slug);
}

/** How many withdrawn slugs this process knows (start-up log, tests). */
export function withdrawnCount(): number {
  return registry().size;
}

/**
 * A snapshot's page, /p/<slug>, or its withdrawn page, /p/<slug>/withdrawn (so that opening the
 * latter directly answers 410 too), with or without a trailing slash.
 */
const PUBLISHED_PAGE_RE = /^\/p\/([a-z2-9]{6,40})(?:\/withdrawn)?\/?$/;

/**
 * Where the request guard sends a request for `pathname`, with status 410: the withdrawn page's
 * path when it is a page of a withdrawn snapshot, else null (the request goes on unchanged).
 */
export function withdrawnRewrite(pathname: string): string | null {
  const m = PUBLISHED_PAGE_RE.exec(pathname);
  return m && isWithdrawn(m[1]!) ? `/p/${m[1]}/withdrawn` : null;
}
