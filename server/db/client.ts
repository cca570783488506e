import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import * as schema from './schema';
import { config } from '../config';

export type Schema = typeof schema;
/** A database handle, the same type for PGlite and node-postgres (both are PgDatabase). */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface DbHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/**
 * Opens a database. `url` (postgres://...) → a pg Pool; otherwise PGlite in `dataDir`
 * (or in memory when dataDir is 'memory://'). The caller owns the handle and closes it.
 */
export function openDb(opts: { url?: string; dataDir?: string }): DbHandle {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: Number(process.env.DATABASE_POOL_MAX ?? 10) });
    const db = drizzlePg({ client: pool, schema }) as unknown as Db;
    return { db, kind: 'postgres', close: () => pool.end() };
  }
  const dir = opts.dataDir ?? 'memory://';
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  return wrapPglite(new PGlite(dir));
}

/** A handle on an existing PGlite instance (e.g. one loaded from a dumped data directory). */
export function wrapPglite(client: PGlite): DbHandle {
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return { db, kind: 'pglite', close: () => client.close() };
}

// One handle per process: PGlite allows a single owner of a data directory, so the web process
// keeps one lazily opened instance (kept on globalThis so that dev-mode module reloads reuse it).
const g = globalThis as unknown as { __deeperDb?: DbHandle };

/** The process-wide database (DATABASE_URL, else PGlite in <DATA_DIR>/pg). */
export function getDb(): Db {
  return getDbHandle().db;
}

export function getDbHandle(): DbHandle {
  if (!g.__deeperDb) {
    g.__deeperDb = openDb({ url: config.databaseUrl, dataDir: path.join(config.dataDir, 'pg') });
  }
  return g.__deeperDb;
}

export async function closeDb(): Promise<void> {
  const h = g.__deeperDb;
  g.__deeperDb = undefined;
  if (h) await h.close();
}

export { schema };
