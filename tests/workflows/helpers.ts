import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, type DbHandle } from '../../server/db/client';
import { migrateDb } from '../../server/db/migrate';
import { users, workspaces } from '../../server/db/schema';
import { getRun, getSteps, type RunRow } from '../../server/workflows/record';
import type { PlannedStepInput } from '../../workers/contract';

export interface TestEnv {
  handle: DbHandle;
  workspaceId: string;
  userId: string;
  dataDir: string;
  artifactsDir: string;
  close(): Promise<void>;
}

/** A fresh migrated database (PGlite in memory), one user and workspace, an artifact folder. */
export async function testEnv(): Promise<TestEnv> {
  const handle = openDb({ dataDir: 'memory://' });
  await migrateDb(handle);
  const [u] = await handle.db.insert(users).values({ email: `u${Date.now()}@x.test`, passwordHash: 'x' }).returning();
  const [w] = await handle.db.insert(workspaces).values({ name: 'W' }).returning();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deeper-wf-'));
  return {
    handle,
    workspaceId: w!.id,
    userId: u!.id,
    dataDir,
    artifactsDir: path.join(dataDir, 'artifacts'),
    async close() {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A chain of diagnostic steps a → b → (c ∥ d) → e, like the real plan's shape. */
export function diagnosticPlan(params: Record<string, Record<string, unknown>> = {}, base: Record<string, unknown> = {}): PlannedStepInput[] {
  const step = (id: string, stage: PlannedStepInput['stage'], needs: string[]): PlannedStepInput => ({
    id,
    functionId: 'diagnostic-compute',
    stage,
    needs,
    params: { ...base, ...(params[id] ?? {}) },
  });
  return [
    step('faces', 'faces', []),
    step('render', 'render', ['faces']),
    step('train', 'train', ['render']),
    step('analysis-a', 'analyses', ['train']),
    step('analysis-b', 'analyses', ['train']),
    step('finalise', 'finalise', ['analysis-a', 'analysis-b']),
  ];
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 180_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function runState(env: TestEnv, runId: string): Promise<{ run: RunRow; steps: Awaited<ReturnType<typeof getSteps>> }> {
  return { run: (await getRun(env.handle.db, runId))!, steps: await getSteps(env.handle.db, runId) };
}
