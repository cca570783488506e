import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../server/workflows/executor';
import { launchRun } from '../../server/workflows/index';
import { runLogs } from '../../server/db/schema';
import { eq } from 'drizzle-orm';
import { diagnosticPlan, runState, testEnv, waitFor, type TestEnv } from './helpers';
import { PlannedStep } from '../../workers/contract';

const cwd = path.resolve(__dirname, '../..');
let env: TestEnv;
let executor: LocalExecutor | undefined;

// One database for the file (migrations cost seconds); each test makes its own runs.
beforeAll(async () => {
  env = await testEnv();
});
afterEach(async () => {
  await executor?.stop();
  executor = undefined;
});
afterAll(async () => {
  await env.close();
});

function newExecutor(opts: { concurrency?: number; retries?: number; backoffMs?: number } = {}): LocalExecutor {
  executor = new LocalExecutor({ db: env.handle.db, cwd, env: { ...process.env, ARTIFACTS_DIR: env.artifactsDir }, backoffMs: 50, ...opts });
  return executor;
}

async function launch(ex: LocalExecutor, plan = diagnosticPlan(), name = 'diag') {
  return launchRun(
    env.handle.db,
    { workspaceId: env.workspaceId, experimentId: null, config: { name, seed: 7 }, createdBy: env.userId, plan: plan.map((s) => PlannedStep.parse(s)) },
    { executor: ex, engine: 'embedded' },
  );
}

describe('local executor', () => {
  it('runs a plan to completion in child processes, recording progress and logs', async () => {
    const ex = newExecutor({ concurrency: 2 });
    const plan = diagnosticPlan({}, { durationMs: 100, chunks: 2 }).filter((p) => p.id !== 'render' && p.id !== 'train');
    plan[1]!.needs = plan[2]!.needs = ['faces'];
    const run = await launch(ex, plan);
    await ex.wait(run.id);
    const { run: done, steps } = await runState(env, run.id);
    expect(done.status).toBe('succeeded');
    expect(done.fraction).toBe(1);
    expect(steps.map((s) => s.status).every((s) => s === 'completed')).toBe(true);
    expect(steps.every((s) => s.attempts === 1)).toBe(true);
    expect(done.result?.stepId).toBe('finalise');
    // The result's artifact is in the store at the portal's layout.
    const key = done.result!.artifacts[0]!.key;
    expect(existsSync(path.join(env.artifactsDir, key.slice(0, 2), key.slice(2, 4), key))).toBe(true);
    const logs = await env.handle.db.select().from(runLogs).where(eq(runLogs.runId, run.id));
    expect(logs.some((l) => l.message === 'chunk 2/2')).toBe(true);
    // The analyses ran side by side (concurrency 2).
    expect(ex.maxConcurrentSeen).toBe(2);
  });

  it('retries a failing step the configured number of times and surfaces its error on the run', async () => {
    const ex = newExecutor({ retries: 2 });
    const run = await launch(ex, diagnosticPlan({ render: { fail: 'renderer exploded: sizePx 17 is odd' } }, { durationMs: 0, chunks: 1 }).slice(0, 3));
    await ex.wait(run.id);
    const { run: failed, steps } = await runState(env, run.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('renderer exploded: sizePx 17 is odd');
    expect(failed.error).toContain('after 3 attempts');
    const render = steps.find((s) => s.stepId === 'render')!;
    expect(render.attempts).toBe(3);
    expect(render.status).toBe('failed');
    expect(steps.find((s) => s.stepId === 'train')).toBeUndefined();
  });

  it('a step that fails once succeeds on its retry', async () => {
    const ex = newExecutor({ retries: 1 });
    const marker = path.join(env.dataDir, 'failed-once');
    const run = await launch(ex, diagnosticPlan({ faces: { failOnceMarker: marker } }, { durationMs: 0, chunks: 1 }).slice(0, 1));
    await ex.wait(run.id);
    const { run: done, steps } = await runState(env, run.id);
    expect(done.status).toBe('succeeded');
    expect(steps.find((s) => s.stepId === 'faces')!.attempts).toBe(2);
  });

  it('cancellation stops the step process within 5 s and marks the run cancelled', async () => {
    const ex = newExecutor();
    const run = await launch(ex, diagnosticPlan({ faces: { durationMs: 60_000, chunks: 600 } }));
    const pid = await waitFor('the step process', async () => ex.runningSteps()[0]?.pid, 30_000);
    await waitFor('first progress', async () => (await runState(env, run.id)).steps[0]?.fraction! > 0, 30_000);
    const t0 = Date.now();
    await ex.cancel(run.id);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(5000);
    const alive = (() => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    })();
    expect(alive).toBe(false);
    const { run: cancelled, steps } = await runState(env, run.id);
    expect(cancelled.status).toBe('cancelled');
    expect(steps[0]!.status).toBe('cancelled');
  });

  it('two runs at once respect the concurrency bound', async () => {
    const ex = newExecutor({ concurrency: 1 });
    const trace = path.join(env.dataDir, 'trace.txt');
    const plan = diagnosticPlan({}, { durationMs: 150, chunks: 1, traceFile: trace }).slice(0, 2);
    const [a, b] = [await launch(ex, plan, 'a'), await launch(ex, plan, 'b')];
    await Promise.all([ex.wait(a.id), ex.wait(b.id)]);
    expect((await runState(env, a.id)).run.status).toBe('succeeded');
    expect((await runState(env, b.id)).run.status).toBe('succeeded');
    expect(ex.maxConcurrentSeen).toBe(1);
    const spans = readFileSync(trace, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(0, 2).map(Number) as [number, number]);
    expect(spans).toHaveLength(4);
    spans.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    // Both runs ran their steps through the single slot.
    const runsOfSpans = readFileSync(trace, 'utf8').trim().split('\n').map((l) => l.split(' ')[2]);
    expect(new Set(runsOfSpans).size).toBe(2);
  });
});
