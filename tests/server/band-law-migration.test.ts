/**
 * drizzle/0006_bubbles_band_law.sql: experiments and run snapshots stored before the texture band law
 * became a config field keep the law they were made with (k = 0.5); a stated k is never touched.
 * The SQL runs on the migrated schema (PGlite and, when TEST_DATABASE_URL is set, PostgreSQL).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../server/db/migrate';
import type { DbHandle } from '../../server/db/client';
import { createTestDb, DB_TARGETS } from './db';

const statements = readFileSync(path.join(MIGRATIONS_FOLDER, '0006_bubbles_band_law.sql'), 'utf8').split('--> statement-breakpoint');

describe.each(DB_TARGETS)('band-law migration (%s)', (target) => {
  let handle: DbHandle;
  beforeAll(async () => { handle = await createTestDb(target); });
  afterAll(async () => { await handle?.close(); });

  const cases: Record<string, unknown> = {
    missing: { analyses: { reverseCorrelation: { bubbles: { sigmaMm: 4 } } } },
    noBubbles: { analyses: { reverseCorrelation: { trials: 100 } } },
    noAnalyses: { name: 'x' },
    stated: { analyses: { reverseCorrelation: { bubbles: { textureBandOctaves: 0 } } } },
  };

  it('fills k = 0.5 where the field is absent and keeps every other value', async () => {
    const db = handle.db as unknown as { execute: (q: ReturnType<typeof sql>) => Promise<unknown> };
    await db.execute(sql`CREATE TEMP TABLE band_law_cases (name text, config jsonb)`);
    for (const [name, config] of Object.entries(cases)) {
      await db.execute(sql`INSERT INTO band_law_cases VALUES (${name}, ${JSON.stringify(config)}::jsonb)`);
    }
    for (const s of statements) {
      // the same statement, on the scratch table instead of "experiments"/"runs"
      await db.execute(sql.raw(s.replace(/UPDATE "(experiments|runs)"/, 'UPDATE band_law_cases')));
    }
    const res = (await db.execute(sql`SELECT name, config FROM band_law_cases ORDER BY name`)) as { rows: { name: string; config: any }[] };
    const byName = Object.fromEntries(res.rows.map((r) => [r.name, typeof r.config === 'string' ? JSON.parse(r.config) : r.config]));
    expect(byName.missing.analyses.reverseCorrelation.bubbles).toEqual({ sigmaMm: 4, textureBandOctaves: 0.5 });
    expect(byName.noBubbles.analyses.reverseCorrelation).toEqual({ trials: 100, bubbles: { textureBandOctaves: 0.5 } });
    expect(byName.noAnalyses).toEqual({ name: 'x', analyses: { reverseCorrelation: { bubbles: { textureBandOctaves: 0.5 } } } });
    expect(byName.stated.analyses.reverseCorrelation.bubbles).toEqual({ textureBandOctaves: 0 });
  });
});
