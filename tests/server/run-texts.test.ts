import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { createTestDb } from './db';
import { signUpUser, type TestUser } from './callers';
import type { DbHandle } from '../../server/db/client';
import { runLogs, runs } from '../../server/db/schema';
import { FsArtifactStore } from '../../server/storage';
import { appendLog, finishRun } from '../../server/workflows/record';
import { redactPaths } from '../../server/workflows/redact';
import { seedOracleRun } from '../dashboards/seed-run';
import { tinyBundle } from '../dashboards/tiny-bundle';

// Issue 13 item 12: pins must name a vertex of the map's mesh and a sane position; run errors and
// logs that members read carry no server paths.
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof TRPCError) return `${e.code}: ${e.message}`;
    throw e;
  }
}

let dir: string;
let h: DbHandle;
let owner: TestUser;
let runId: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'deeper-pins-'));
  process.env.DATA_DIR = dir; // the routers read <DATA_DIR>/artifacts
  h = await createTestDb('pglite');
  owner = await signUpUser(h.db, 'pins@example.com');
  const workspaceId = owner.personalWorkspaceId;
  const experimentId = (await owner.caller.experiment.create({ workspaceId, config: { name: 'Pins' } })).id;
  runId = (await seedOracleRun(h.db, new FsArtifactStore(path.join(dir, 'artifacts')), { workspaceId, experimentId, userId: owner.id, bundle: await tinyBundle(), name: 'Pins' })).runId;
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pins', () => {
  const pin = (vertex: number, position: [number, number, number] = [0, 0, 50], mapKey = 'rc/id0/shape/logit') => ({ runId, body: 'here', pin: { vertex, mapKey, position } });

  it('accept a vertex of the mesh (4 vertices) and refuse vertex ≥ 4, 9,999,999 and unknown maps', async () => {
    expect(await refusal(owner.caller.comments.addToRun(pin(3)))).toBe('OK');
    expect(await refusal(owner.caller.comments.addToRun(pin(4)))).toBe("BAD_REQUEST: pin.vertex must be < 4 (the vertices of the map's mesh), got 4");
    expect(await refusal(owner.caller.comments.addToRun(pin(9_999_999)))).toMatch(/^BAD_REQUEST: pin\.vertex must be < 4/);
    expect(await refusal(owner.caller.comments.addToRun(pin(0, [0, 0, 0], 'no/such/map')))).toBe('BAD_REQUEST: pin.mapKey: this run\'s dashboard has no map "no/such/map"');
  });

  it('refuse huge and non-finite coordinates', async () => {
    expect(await refusal(owner.caller.comments.addToRun(pin(0, [1e308, 0, 0])))).toMatch(/^BAD_REQUEST: pin\.position\.0: pin\.position must lie within ±10000 mm/);
    expect(await refusal(owner.caller.comments.addToRun(pin(0, [0, -20_000, 0])))).toMatch(/must lie within ±10000 mm/);
    expect(await refusal(owner.caller.comments.addToRun(pin(0, [0, 0, Number.NaN])))).toMatch(/^BAD_REQUEST: pin\.position\.2/);
    expect(await refusal(owner.caller.comments.addToRun(pin(0, [Infinity, 0, 0])))).toMatch(/^BAD_REQUEST: pin\.position\.0/);
  });
});

describe('run errors without server paths', () => {
  it('redacts absolute paths to their last component', () => {
    expect(redactPaths("ENOENT: no such file or directory, open '/srv/deeper/.data/artifacts/ab/abcd'")).toBe("ENOENT: no such file or directory, open '…/abcd'");
    expect(redactPaths('    at train (/home/ci/deeper/workers/functions/train.ts:12:5)')).toBe('    at train (…/train.ts:12:5)');
    expect(redactPaths('file:///home/ci/deeper/workers/main.ts:3')).toBe('…/main.ts:3');
    expect(redactPaths('C:\\Users\\ci\\deeper\\model.bin is missing')).toBe('…/model.bin is missing');
    // URLs, ratios and relative names stay.
    expect(redactPaths('see https://example.org/a/b/c; ratio 3/4; faces/model.ts')).toBe('see https://example.org/a/b/c; ratio 3/4; faces/model.ts');
  });

  it('stores the run error and log lines redacted', async () => {
    await appendLog(h.db, runId, null, "train: attempt 1 failed: Error: cannot read '/work/deeper/.data/checkpoints/run/epoch-3.json'", 'error');
    await finishRun(h.db, runId, 'failed', { error: 'Error: boom\n    at x (/work/deeper/workers/nn/train.ts:10:2)' });
    const [run] = await h.db.select({ error: runs.error }).from(runs).where(eq(runs.id, runId));
    expect(run!.error).toBe('Error: boom\n    at x (…/train.ts:10:2)');
    const logs = await h.db.select({ message: runLogs.message }).from(runLogs).where(eq(runLogs.runId, runId));
    expect(logs.map((l) => l.message)).toContain("train: attempt 1 failed: Error: cannot read '…/epoch-3.json'");
    expect(JSON.stringify(await owner.caller.dashboards.progress({ runId }))).not.toMatch(/\/work\//);
  });
});
