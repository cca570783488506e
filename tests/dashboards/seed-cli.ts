/**
 * Development seed: a user, a workspace and a finished run with real oracle maps in DATA_DIR.
 *   DATA_DIR=.data-dev npx tsx tests/dashboards/seed-cli.ts you@example.com 'a long password'
 * Prints the run's dashboard path. The web server must not be running on the same DATA_DIR (PGlite
 * allows one owner).
 */
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { openDb } from '../../server/db/client';
import { migrateDb } from '../../server/db/migrate';
import { signUp } from '../../server/auth/accounts';
import { users, memberships } from '../../server/db/schema';
import { FsArtifactStore } from '../../server/storage';
import { config } from '../../server/config';
import { cachedOracleBundle, seedOracleRun } from './seed-run';

async function main() {
  const [email = 'demo@example.com', password = 'correct-horse-42'] = process.argv.slice(2);
  const handle = openDb({ url: config.databaseUrl, dataDir: path.join(config.dataDir, 'pg') });
  await migrateDb(handle);
  const db = handle.db;
  let [user] = await db.select().from(users).where(eq(users.email, email));
  if (!user) await signUp(db, { email, password, name: 'Demo', ip: 'seed' });
  [user] = await db.select().from(users).where(eq(users.email, email));
  const [m] = await db.select().from(memberships).where(eq(memberships.userId, user!.id));
  const bundle = await cachedOracleBundle();
  const { runId } = await seedOracleRun(db, new FsArtifactStore(path.join(config.dataDir, 'artifacts')), { workspaceId: m!.workspaceId, experimentId: null, userId: user!.id, bundle });
  console.log(`/runs/${runId}`);
  await handle.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
