/**
 * Seed for tests/e2e/humans.spec.ts (run by playwright.config.ts before the server starts,
 * on the server's DATA_DIR: PGlite allows one owner): a team user and a finished run with the
 * oracle reverse-correlation maps (the network side of the dashboard) and stored stimuli (the
 * participants' images: plain poses, graded shape-only / texture-only changes and noise trials). Writes
 * <DATA_DIR>/humans-e2e.json with the user and the run id.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { openDb } from '../../server/db/client';
import { migrateDb } from '../../server/db/migrate';
import { signUp } from '../../server/auth/accounts';
import { memberships, users } from '../../server/db/schema';
import { FsArtifactStore } from '../../server/storage';
import { config } from '../../server/config';
import { cachedOracleBundle, seedOracleRun } from '../dashboards/seed-run';
import { seedHumanStimuli } from '../dashboards/seed-stimuli';

export const HUMANS_E2E_TEAM = { email: 'humans-team@example.com', password: 'observers-beside-1' };

async function main() {
  const handle = openDb({ url: config.databaseUrl, dataDir: path.join(config.dataDir, 'pg') });
  await migrateDb(handle);
  const db = handle.db;
  await signUp(db, { ...HUMANS_E2E_TEAM, name: 'Team', ip: 'seed' });
  const [user] = await db.select().from(users).where(eq(users.email, HUMANS_E2E_TEAM.email));
  const [m] = await db.select().from(memberships).where(eq(memberships.userId, user!.id));
  const store = new FsArtifactStore(path.join(config.dataDir, 'artifacts'));
  const { runId } = await seedOracleRun(db, store, { workspaceId: m!.workspaceId, experimentId: null, userId: user!.id, bundle: await cachedOracleBundle(), name: 'Faces beside people' });
  // Reverse-correlation images of identity 0 (40 of a 400-trial noise draw), compared with the run's oracle texture map.
  const { images } = await seedHumanStimuli(db, store, runId, {
    identities: 3, sizePx: 128,
    rc: { trials: 400, images: 40, network: { mi: 'rc/id0/texture.mi.f32', significant: 'rc/id0/texture.significant.u8', response: 'decision' } },
  });
  writeFileSync(path.join(config.dataDir, 'humans-e2e.json'), JSON.stringify({ runId, images, ...HUMANS_E2E_TEAM }));
  await handle.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
