/**
 * The e2e seed (run by playwright.config.ts before the web server starts, on its fresh DATA_DIR):
 * a user, their workspace, an experiment, and two finished runs of it holding real oracle maps
 * (tests/dashboards/seed-run.ts), so that specs whose subject is not a run never compute one.
 * Writes <DATA_DIR>/e2e-seed.json: { email, password, workspaceId, experimentId, runIds }.
 *   DATA_DIR=/tmp/x npx tsx tests/e2e/seed.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { openDb } from '../../server/db/client';
import { migrateDb } from '../../server/db/migrate';
import { signUp } from '../../server/auth/accounts';
import { experiments, memberships, runs, users } from '../../server/db/schema';
import { FsArtifactStore } from '../../server/storage';
import { config } from '../../server/config';
import { experimentPreset, type ExperimentConfig } from '../../workers/contract';
import { cachedOracleBundle, seedOracleRun } from '../dashboards/seed-run';

export const SEED_USER = { email: 'seeded-researcher@example.com', password: 'violet-lantern-orbit-58' };

async function main() {
  const handle = openDb({ url: config.databaseUrl, dataDir: path.join(config.dataDir, 'pg') });
  await migrateDb(handle);
  const db = handle.db;
  await signUp(db, { email: SEED_USER.email, password: SEED_USER.password, name: 'Seeded researcher', ip: 'seed' });
  const [user] = await db.select().from(users).where(eq(users.email, SEED_USER.email));
  const [m] = await db.select().from(memberships).where(eq(memberships.userId, user!.id));
  const workspaceId = m!.workspaceId;
  // The tiny preset with two epochs; stored with a key this version does not know (a config saved
  // by an older version), which the page must load with a warning naming it.
  const tiny = experimentPreset('tiny');
  const stored = { ...tiny, name: 'Seeded comparison', training: { ...tiny.training, epochs: 2, legacyDropout: 0.2 } } as unknown as ExperimentConfig;
  const [exp] = await db.insert(experiments).values({ workspaceId, name: stored.name, description: 'Seeded for the e2e', config: stored, createdBy: user!.id }).returning({ id: experiments.id });
  const bundle = await cachedOracleBundle();
  const store = new FsArtifactStore(path.join(config.dataDir, 'artifacts'));
  // Fixture training histories (not from training) so the runs table and the overlaid curves have something to show.
  const history = (n: number, rate: number) =>
    Array.from({ length: n }, (_, i) => ({ epoch: i + 1, trainLoss: 3 * Math.exp(-rate * (i + 1)), trainAccuracy: 1 - Math.exp(-rate * (i + 1)), valLoss: 3.2 * Math.exp(-rate * (i + 1)), valAccuracy: 0.9 * (1 - Math.exp(-rate * (i + 1))) }));
  const a = await seedOracleRun(db, store, { workspaceId, experimentId: exp!.id, userId: user!.id, bundle, name: 'Run A (lr 0.01)', history: history(4, 0.5) });
  const b = await seedOracleRun(db, store, { workspaceId, experimentId: exp!.id, userId: user!.id, bundle, name: 'Run B (lr 0.001)', history: history(6, 0.2) });
  // The two runs' training settings, as their names say (whatever the demo preset holds today).
  for (const [id, training] of [[a.runId, { learningRate: 0.01, epochs: 4 }], [b.runId, { learningRate: 0.001, epochs: 6 }]] as const) {
    const [row] = await db.select().from(runs).where(eq(runs.id, id));
    const cfg = row!.config as ExperimentConfig;
    await db.update(runs).set({ config: { ...cfg, training: { ...cfg.training, ...training } } }).where(eq(runs.id, id));
  }
  writeFileSync(path.join(config.dataDir, 'e2e-seed.json'), JSON.stringify({ ...SEED_USER, workspaceId, experimentId: exp!.id, runIds: [a.runId, b.runId] }));
  await handle.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
