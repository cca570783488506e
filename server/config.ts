import path from 'node:path';

/**
 * Configuration read from the environment, in one place. Everything has a working default for a
 * single machine (`npm start`); production sets DATABASE_URL, S3_* and the cookie settings.
 */
export const config = {
  /** Root of local state: PGlite database in <dataDir>/pg, artifacts in <dataDir>/artifacts. */
  get dataDir(): string {
    return path.resolve(/*turbopackIgnore: true*/ process.env.DATA_DIR ?? '.data');
  },
  get databaseUrl(): string | undefined {
    return process.env.DATABASE_URL || undefined;
  },
  get production(): boolean {
    return process.env.NODE_ENV === 'production';
  },
  /** COOKIE_SECURE=true|false forces the Secure cookie flag; unset: see secureCookiesFor(). */
  get cookieSecureOverride(): boolean | undefined {
    const v = process.env.COOKIE_SECURE;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    return undefined;
  },
  /** Session lifetime in days (SESSION_DAYS, default 30). */
  get sessionDays(): number {
    const n = Number(process.env.SESSION_DAYS ?? 30);
    return Number.isFinite(n) && n > 0 ? n : 30;
  },
  get logLevel(): string {
    return process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info');
  },
};

export const SESSION_COOKIE = 'deeper_session';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether session cookies carry the Secure flag for this request: always in production, except
 * for plain http on the loopback address (the single-machine `npm start` at http://localhost:3000,
 * which some browsers would otherwise refuse); never in development. COOKIE_SECURE overrides.
 */
export function secureCookiesFor(url: string, headers: Headers): boolean {
  const forced = config.cookieSecureOverride;
  if (forced !== undefined) return forced;
  if (!config.production) return false;
  const u = new URL(url);
  const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim() || u.protocol.replace(':', '');
  // The Host the browser used (the server may listen on 0.0.0.0 and see another URL).
  const host = headers.get('host') ?? u.host;
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return !(proto === 'http' && LOOPBACK.has(hostname));
}
