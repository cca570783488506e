import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, type DbHandle } from '../../server/db/client';
import { migrateDb } from '../../server/db/migrate';

/**
 * Database targets for `describe.each(DB_TARGETS)`: PGlite (in memory) always, PostgreSQL too
 * when TEST_DATABASE_URL is set (e.g. postgres://postgres@127.0.0.1:5432/test).
 */
export type DbTarget = 'pglite' | 'postgres';
export const DB_TARGETS: DbTarget[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * A fresh, migrated database for one test file. PGlite: a new in-memory instance. PostgreSQL: a
 * new database with a random name on TEST_DATABASE_URL's server, dropped by close().
 */
export async function createTestDb(target: DbTarget): Promise<DbHandle> {
  if (target === 'pglite') {
    const handle = openDb({ dataDir: 'memory://' });
    await migrateDb(handle);
    return handle;
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `deeper_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = openDb({ url: url.toString() });
  await migrateDb(handle);
  return {
    ...handle,
    async close() {
      await handle.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
