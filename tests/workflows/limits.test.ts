import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { FairSlots, LocalExecutor } from '../../server/workflows/executor';
import { launchRun } from '../../server/workflows/index';
import { runLimits, type RunLimits } from '../../server/workflows/limits';
import { stepPriority } from '../../server/workflows/child';
import { RefusedError } from '../../server/errors';
import { runs } from '../../server/db/schema';
import { PlannedStep } from '../../workers/contract';
import { TRPCError } from '@trpc/server';
import { mkdtempSync, rmSync } from 'node:fs';
import { diagnosticPlan, waitFor } from './helpers';
import { getRun } from '../../server/workflows/record';
import { createTestDb } from '../server/db';
import { signUpUser, type TestUser } from '../server/callers';
import type { DbHandle } from '../../server/db/client';

// Issue 13 item 2: budgets, quotas, fair scheduling, step time-outs and step priority.
const cwd = path.resolve(__dirname, '../..');
// A migrated database from the cached template (tests/server/db.ts) and one user's workspace.
let env: { handle: DbHandle; workspaceId: string; artifactsDir: string };
let user: TestUser;
beforeAll(async () => {
  const handle = await createTestDb('pglite');
  user = await signUpUser(handle.db, 'limits@example.com');
  env = { handle, workspaceId: user.personalWorkspaceId, artifactsDir: mkdtempSync(path.join(os.tmpdir(), 'deeper-limits-')) };
});
afterAll(async () => {
  await env?.handle.close();
  if (env) rmSync(env.artifactsDir, { recursive: true, force: true });
});

const limits = (o: Partial<RunLimits> = {}): RunLimits => ({ ...runLimits({}), maxActiveRunsPerWorkspace: 100, ...o });
const queued = () => ({ engine: 'inngest' as const, sendEvent: async () => undefined });

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof RefusedError) return `${e.code}: ${e.message}`;
    throw e;
  }
}

describe('run budget', () => {
  it("refuses the attack's 2,000 identities × 20,000 images at 256 px for 200 epochs, naming the fields to reduce", async () => {
    const config = { name: 'huge', faces: { identities: 2000 }, render: { imagesPerIdentity: 20_000, sizePx: 256 }, training: { epochs: 200 } };
    const r = await refusal(launchRun(env.handle.db, { workspaceId: env.workspaceId, experimentId: null, config }, { ...queued(), limits: limits({ maxMemoryMiB: 2048 }) }));
    expect(r).toMatch(/^BAD_REQUEST: Over budget: the run is estimated at [\d.e+]+ h, over the limit of 48\.0 h \(DEEPER_RUN_MAX_SECONDS\); most of it is (train|render) \([^)]*\): reduce [a-z.]+(, [a-zA-Z.]+)+/);
    expect(r).toMatch(/training\.epochs|render\.imagesPerIdentity/);
    expect(r).toMatch(/MiB, over the limit of 2048 MiB \(DEEPER_RUN_MAX_MEMORY_MIB\): reduce /);
    expect(await env.handle.db.select().from(runs).where(eq(runs.workspaceId, env.workspaceId))).toHaveLength(0);
  });

  it('accepts the tiny preset under the default limits', async () => {
    const { experimentPreset } = await import('../../workers/contract');
    const run = await launchRun(env.handle.db, { workspaceId: env.workspaceId, experimentId: null, config: experimentPreset('tiny') }, { ...queued(), limits: limits() });
    expect(run.status).toBe('queued');
    await env.handle.db.update(runs).set({ status: 'cancelled' }).where(eq(runs.id, run.id));
  });
});

describe('confirmation above a threshold', () => {
  it('tells the UI in the estimate and refuses an unconfirmed launch', async () => {
    const saved = { ...process.env };
    process.env.DEEPER_RUN_CONFIRM_SECONDS = '1';
    try {
      const config = { name: 'long' };
      const est = await user.caller.runs.estimate({ workspaceId: user.personalWorkspaceId, config });
      expect([est.needsConfirmation, est.confirmAboveSeconds, est.overBudget]).toEqual([true, 1, null]);
      const exp = await user.caller.experiment.create({ workspaceId: user.personalWorkspaceId, config });
      const code = async (p: Promise<unknown>) => p.then(() => 'OK', (e: unknown) => (e instanceof TRPCError ? `${e.code}: ${e.message}` : Promise.reject(e)));
      expect(await code(user.caller.runs.launch({ experimentId: exp.id }))).toMatch(/^PRECONDITION_FAILED: confirm: this run is estimated at \d+ s, above 1 s/);
      // Confirmed, it passes that gate (and here meets a 2 s budget, so that no run starts).
      process.env.DEEPER_RUN_MAX_SECONDS = '2';
      expect(await code(user.caller.runs.launch({ experimentId: exp.id, confirm: true }))).toMatch(/^BAD_REQUEST: Over budget: the run is estimated at/);
    } finally {
      for (const k of ['DEEPER_RUN_CONFIRM_SECONDS', 'DEEPER_RUN_MAX_SECONDS']) if (saved[k] === undefined) delete process.env[k];
    }
  });
});

describe('run quota', () => {
  it('refuses a launch beyond the queued + running runs a workspace may have, also in parallel', async () => {
    const lim = limits({ maxActiveRunsPerWorkspace: 2 });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => refusal(launchRun(env.handle.db, { workspaceId: env.workspaceId, experimentId: null, config: { name: `q${i}` } }, { ...queued(), limits: lim }))),
    );
    expect(results.filter((r) => r === 'OK')).toHaveLength(2);
    expect(results.filter((r) => r.startsWith('TOO_MANY_REQUESTS: This workspace already has 2 queued or running runs'))).toHaveLength(3);
    await env.handle.db.update(runs).set({ status: 'cancelled' }).where(eq(runs.workspaceId, env.workspaceId));
  });
});

describe('fair scheduling', () => {
  it('gives a free slot to the workspace holding the fewest, not to the longest queue', async () => {
    const slots = new FairSlots(1);
    const never = new AbortController().signal;
    const order: string[] = [];
    await slots.acquire('A', never); // A runs its first step
    const waits = [
      slots.acquire('A', never).then(() => order.push('A2')),
      slots.acquire('A', never).then(() => order.push('A3')),
      slots.acquire('B', never).then(() => order.push('B1')),
    ];
    slots.release('A');
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual(['B1']); // B came last but holds nothing
    slots.release('B');
    await new Promise((r) => setTimeout(r, 0));
    slots.release('A');
    await Promise.all(waits);
    expect(order).toEqual(['B1', 'A2', 'A3']);
  });

  it('lets a waiter give up on cancellation', async () => {
    const slots = new FairSlots(1);
    await slots.acquire('A', new AbortController().signal);
    const c = new AbortController();
    const waiting = slots.acquire('B', c.signal);
    c.abort();
    await expect(waiting).rejects.toThrow('cancelled');
    slots.release('A');
    expect(slots.heldBy('B')).toBe(0);
  });
});

describe('step processes', () => {
  it('kill a step past its time-out (a failure, retried like one) and run at a lower priority', async () => {
    const ex = new LocalExecutor({ db: env.handle.db, cwd, env: { ...process.env, ARTIFACTS_DIR: env.artifactsDir }, retries: 0, stepTimeoutMinMs: 4000, stepTimeoutFactor: 1 });
    try {
      const plan = diagnosticPlan({}, { durationMs: 60_000, chunks: 600 }).slice(0, 1).map((s) => PlannedStep.parse(s));
      const run = await launchRun(env.handle.db, { workspaceId: env.workspaceId, experimentId: null, config: { name: 'slow' }, plan }, { executor: ex, engine: 'embedded', limits: limits() });
      const step = await waitFor('the step process', async () => ex.runningSteps().find((s) => s.runId === run.id && s.priority !== null));
      expect(step.priority).toBe(stepPriority());
      expect(step.priority).toBe(Math.min(19, os.getPriority() + 10));
      await ex.wait(run.id);
      const done = (await getRun(env.handle.db, run.id))!;
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/step faces failed after 1 attempt: timed out after 4 s/);
    } finally {
      await ex.stop();
    }
  });
});
