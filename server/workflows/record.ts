import { and, eq, sql } from 'drizzle-orm';
import type { PlannedStep, StepOutput } from '../../workers/contract';
import type { Db } from '../db/client';
import { runLogs, runs, runSteps } from '../db/schema';
import { redactPaths } from './redact';

/**
 * Run and step state in the database: the one place both engines (embedded executor, Inngest
 * orchestrator) write progress, results and errors, and the UI reads them.
 */

export type RunRow = typeof runs.$inferSelect;
export type RunStepRow = typeof runSteps.$inferSelect;

export async function getRun(db: Db, runId: string): Promise<RunRow | null> {
  const [row] = await db.select().from(runs).where(eq(runs.id, runId));
  return row ?? null;
}

export async function getSteps(db: Db, runId: string): Promise<RunStepRow[]> {
  return db.select().from(runSteps).where(eq(runSteps.runId, runId));
}

/** The memoised output of a finished step, or null (the key is (run, step id)). */
export async function completedOutput(db: Db, runId: string, stepId: string): Promise<StepOutput | null> {
  const [row] = await db
    .select({ output: runSteps.output, status: runSteps.status })
    .from(runSteps)
    .where(and(eq(runSteps.runId, runId), eq(runSteps.stepId, stepId)));
  return row?.status === 'completed' && row.output ? row.output : null;
}

export async function appendLog(db: Db, runId: string, stepId: string | null, message: string, level: 'info' | 'warn' | 'error' = 'info'): Promise<void> {
  await db.insert(runLogs).values({ runId, stepId, message: redactPaths(message).slice(0, 4000), level });
}

export async function markRunStarted(db: Db, runId: string): Promise<void> {
  await db
    .update(runs)
    .set({ status: 'running', startedAt: sql`coalesce(${runs.startedAt}, now())` })
    .where(and(eq(runs.id, runId), eq(runs.status, 'queued')));
}

/** A step starts (attempt n+1): upsert its row, count the attempt, move the run to its stage. */
export async function markStepStarted(db: Db, runId: string, step: PlannedStep): Promise<number> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(runSteps)
      .values({ runId, stepId: step.id, functionId: step.functionId, stage: step.stage, status: 'running', attempts: 1, startedAt: new Date() })
      .onConflictDoUpdate({
        target: [runSteps.runId, runSteps.stepId],
        set: { status: 'running', attempts: sql`${runSteps.attempts} + 1`, error: null, fraction: 0, etaSeconds: null, startedAt: new Date() },
      })
      .returning({ attempts: runSteps.attempts });
    await tx.update(runs).set({ stage: step.stage }).where(eq(runs.id, runId));
    return row!.attempts;
  });
}

export async function recordStepProgress(db: Db, runId: string, stepId: string, fraction: number, etaSeconds: number | null): Promise<void> {
  await db
    .update(runSteps)
    .set({ fraction, etaSeconds })
    .where(and(eq(runSteps.runId, runId), eq(runSteps.stepId, stepId), eq(runSteps.status, 'running')));
  await refreshRunProgress(db, runId);
}

/** The step's result, stored with its status in one statement: it is memoised from now on. */
export async function markStepCompleted(db: Db, runId: string, stepId: string, output: StepOutput): Promise<void> {
  await db
    .update(runSteps)
    .set({ status: 'completed', output, fraction: 1, etaSeconds: 0, error: null, finishedAt: new Date() })
    .where(and(eq(runSteps.runId, runId), eq(runSteps.stepId, stepId)));
  await refreshRunProgress(db, runId);
}

export async function markStepFailed(db: Db, runId: string, stepId: string, error: string, final: boolean): Promise<void> {
  await db
    .update(runSteps)
    .set({ status: final ? 'failed' : 'retrying', error: redactPaths(error).slice(0, 4000), finishedAt: final ? new Date() : null })
    .where(and(eq(runSteps.runId, runId), eq(runSteps.stepId, stepId)));
}

/**
 * Overall fraction = Σ weight·fraction / Σ weight over the plan; ETA from the running steps'
 * ETAs plus the estimated seconds of steps not started (weights are estimated seconds).
 */
export async function refreshRunProgress(db: Db, runId: string): Promise<void> {
  const run = await getRun(db, runId);
  if (!run) return;
  const steps = new Map((await getSteps(db, runId)).map((s) => [s.stepId, s]));
  let total = 0;
  let done = 0;
  let left = 0;
  for (const p of run.plan) {
    const s = steps.get(p.id);
    const f = s?.status === 'completed' ? 1 : (s?.fraction ?? 0);
    total += p.weight;
    done += p.weight * f;
    if (!s || s.status === 'pending') left += p.weight;
    else if (s.status !== 'completed') left += s.etaSeconds ?? p.weight * (1 - f);
  }
  await db
    .update(runs)
    .set({ fraction: total > 0 ? done / total : 0, etaSeconds: left })
    .where(eq(runs.id, runId));
}

export async function finishRun(db: Db, runId: string, status: 'succeeded' | 'failed' | 'cancelled', fields: { error?: string; result?: StepOutput['manifest'] } = {}): Promise<void> {
  await db
    .update(runs)
    .set({
      status,
      error: fields.error === undefined ? null : redactPaths(fields.error).slice(0, 4000),
      result: fields.result ?? null,
      finishedAt: new Date(),
      ...(status === 'succeeded' ? { fraction: 1, etaSeconds: 0, stage: 'finalise' } : {}),
    })
    .where(eq(runs.id, runId));
  if (status !== 'succeeded') {
    // Steps still marked as running (a cancelled run, or the siblings of the step that failed) stopped too.
    await db
      .update(runSteps)
      .set({ status: 'cancelled', finishedAt: new Date() })
      .where(and(eq(runSteps.runId, runId), sql`${runSteps.status} in ('running', 'retrying', 'pending')`));
  }
}
