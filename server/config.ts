import path from 'node:path';

/**
 * Configuration read from the environment, in one place. Everything has a working default for a
 * single machine (`npm start`); production sets DATABASE_URL, S3_* and the cookie settings.
 */
export const config = {
  /** Root of local state: PGlite database in <dataDir>/pg, artifacts in <dataDir>/artifacts. */
  get dataDir(): string {
    return path.resolve(process.env.DATA_DIR ?? '.data');
  },
  get databaseUrl(): string | undefined {
    return process.env.DATABASE_URL || undefined;
  },
  get production(): boolean {
    return process.env.NODE_ENV === 'production';
  },
  /** Secure cookies: on in production unless COOKIE_SECURE=false (e.g. plain http on a LAN). */
  get cookieSecure(): boolean {
    const v = process.env.COOKIE_SECURE;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    return this.production && !process.env.E2E;
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
