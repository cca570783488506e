import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openDb, wrapPglite, type DbHandle } from '../../server/db/client';
import { migrateDb, MIGRATIONS_FOLDER } from '../../server/db/migrate';
import { writeFileAtomicSync } from '../../workers/util';

/**
 * A migrated, empty PGlite data directory as a tarball, cached in the temp folder under a hash of
 * the migrations: starting PGlite from it skips initdb and the migrations (about 3x faster than a
 * fresh instance), so each test file can afford its own database.
 */
async function migratedTemplate(): Promise<Blob> {
  const hash = createHash('sha256');
  const version = JSON.parse(readFileSync(path.join(process.cwd(), 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version;
  hash.update(String(version));
  for (const f of readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).sort()) hash.update(f).update(readFileSync(path.join(MIGRATIONS_FOLDER, f)));
  hash.update(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json')));
  const file = path.join(tmpdir(), `deeper-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const handle = openDb({ dataDir: 'memory://' });
  await migrateDb(handle);
  const dump = await ((handle.db as unknown as { $client: PGlite }).$client).dumpDataDir('none');
  await handle.close();
  writeFileAtomicSync(file, new Uint8Array(await dump.arrayBuffer()));
  return dump;
}

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
    const handle = wrapPglite(new PGlite({ loadDataDir: await migratedTemplate() }));
    await migrateDb(handle); // nothing pending: the template is migrated (cheap check)
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
