/**
 * Security headers of every page and API response (set by proxy.ts; pure, no imports, so the
 * request guard can use it). The Content-Security-Policy is static, without per-request nonces,
 * so that published snapshots stay cacheable: Next's inline bootstrap scripts need
 * 'unsafe-inline' then, and everything else (scripts, styles, data, WebGL textures from blob:
 * URLs, workers) comes from this origin only.
 */
export interface SecurityHeaderInput {
  pathname: string;
  searchParams: URLSearchParams;
  /** Whether the client reached us over https (directly or through a trusted proxy). */
  https: boolean;
  /** next dev needs eval and a websocket for hot reload. */
  development: boolean;
}

/** Published dashboards may be framed by other sites with ?embed=1; nothing else may be framed. */
export function frameable(pathname: string, searchParams: URLSearchParams): boolean {
  return /^\/p\/[^/]+\/?$/.test(pathname) && searchParams.get('embed') === '1';
}

export function contentSecurityPolicy(opts: { frameable: boolean; development: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${opts.development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${opts.development ? ' ws: wss:' : ''}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${opts.frameable ? '*' : "'none'"}`,
  ].join('; ');
}

/** HSTS lifetime: one year. */
export const HSTS_SECONDS = 31_536_000;

export function securityHeaders(input: SecurityHeaderInput): Record<string, string> {
  const canFrame = frameable(input.pathname, input.searchParams);
  const headers: Record<string, string> = {
    'content-security-policy': contentSecurityPolicy({ frameable: canFrame, development: input.development }),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
  if (!canFrame) headers['x-frame-options'] = 'DENY';
  if (input.https) headers['strict-transport-security'] = `max-age=${HSTS_SECONDS}; includeSubDomains`;
  return headers;
}
