/**
 * Config migrations: experiments and run snapshots stored before a field with a new default existed
 * keep the value they were made with; a stated value is never touched.
 * - drizzle/0006_bubbles_band_law.sql: the texture band law, k = 0.5;
 * - drizzle/0007_noise_design.sql: the coefficients noise design, 'independent'.
 * The SQL runs on the migrated schema (PGlite and, when TEST_DATABASE_URL is set, PostgreSQL).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../server/db/migrate';
import type { DbHandle } from '../../server/db/client';
import { createTestDb, DB_TARGETS } from './db';

const cases: Record<string, unknown> = {
  missing: { analyses: { reverseCorrelation: { bubbles: { sigmaMm: 4 } } } },
  noBubbles: { analyses: { reverseCorrelation: { trials: 100 } } },
  noAnalyses: { name: 'x' },
  stated: { analyses: { reverseCorrelation: { bubbles: { textureBandOctaves: 0 }, design: 'orthogonal' } } },
};

/** Runs one migration file's statements on a scratch table holding `cases`; returns the configs by name. */
async function migrate(handle: DbHandle, file: string): Promise<Record<string, any>> {
  const db = handle.db as unknown as { execute: (q: ReturnType<typeof sql>) => Promise<unknown> };
  const table = `cases_${file.slice(0, 4)}`;
  await db.execute(sql.raw(`CREATE TEMP TABLE ${table} (name text, config jsonb)`));
  for (const [name, config] of Object.entries(cases)) await db.execute(sql`INSERT INTO ${sql.raw(table)} VALUES (${name}, ${JSON.stringify(config)}::jsonb)`);
  for (const s of readFileSync(path.join(MIGRATIONS_FOLDER, file), 'utf8').split('--> statement-breakpoint')) {
    // the same statement, on the scratch table instead of "experiments"/"runs"
    await db.execute(sql.raw(s.replace(/UPDATE "(experiments|runs)"/, `UPDATE ${table}`)));
  }
  const res = (await db.execute(sql.raw(`SELECT name, config FROM ${table} ORDER BY name`))) as { rows: { name: string; config: any }[] };
  return Object.fromEntries(res.rows.map((r) => [r.name, typeof r.config === 'string' ? JSON.parse(r.config) : r.config]));
}

describe.each(DB_TARGETS)('config migrations (%s)', (target) => {
  let handle: DbHandle;
  beforeAll(async () => { handle = await createTestDb(target); });
  afterAll(async () => { await handle?.close(); });

  it('0006: fills k = 0.5 where the field is absent and keeps every other value', async () => {
    const byName = await migrate(handle, '0006_bubbles_band_law.sql');
    expect(byName.missing.analyses.reverseCorrelation.bubbles).toEqual({ sigmaMm: 4, textureBandOctaves: 0.5 });
    expect(byName.noBubbles.analyses.reverseCorrelation).toEqual({ trials: 100, bubbles: { textureBandOctaves: 0.5 } });
    expect(byName.noAnalyses).toEqual({ name: 'x', analyses: { reverseCorrelation: { bubbles: { textureBandOctaves: 0.5 } } } });
    expect(byName.stated.analyses.reverseCorrelation.bubbles).toEqual({ textureBandOctaves: 0 });
  });

  it("0007: fills design 'independent' where the field is absent and keeps every other value", async () => {
    const byName = await migrate(handle, '0007_noise_design.sql');
    expect(byName.missing.analyses.reverseCorrelation).toEqual({ bubbles: { sigmaMm: 4 }, design: 'independent' });
    expect(byName.noBubbles.analyses.reverseCorrelation).toEqual({ trials: 100, design: 'independent' });
    expect(byName.noAnalyses).toEqual({ name: 'x', analyses: { reverseCorrelation: { design: 'independent' } } });
    expect(byName.stated.analyses.reverseCorrelation.design).toBe('orthogonal');
  });
});
