/**
 * Cross-site request checks for every route that changes state (tRPC mutations, uploads): a
 * browser sends Sec-Fetch-Site and Origin on such requests, and neither can be forged by a page
 * of another site. Non-browser clients (curl, scripts) send neither and pass; they hold no
 * victim's cookie.
 */

/** The host the client addressed: X-Forwarded-Host (set by a trusted proxy only, see
 * scripts/client-address.mjs), else Host, else the URL's. */
function requestHost(req: Request): string {
  return req.headers.get('x-forwarded-host')?.split(',')[0]?.trim() || req.headers.get('host') || new URL(req.url).host;
}

/** Why a state-changing request is refused as cross-site, or null when it is same-origin. */
export function crossSiteRefusal(req: Request): string | null {
  const site = req.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return `cross-site requests are refused (Sec-Fetch-Site: ${site})`;
  const origin = req.headers.get('origin');
  if (origin !== null) {
    let host: string | null = null;
    try {
      host = origin === 'null' ? null : new URL(origin).host;
    } catch {
      host = null;
    }
    if (host !== requestHost(req)) return `requests from another origin are refused (Origin: ${origin.slice(0, 200)})`;
  }
  return null;
}

/** Content types a JSON API accepts; form types (which a foreign page can send without CORS) are refused. */
export function isJsonContentType(value: string | null): boolean {
  return (value ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}
