import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runLogs, runs, runSteps } from '../db/schema';

/**
 * A run as the UI follows it: status, stage, overall fraction and ETA, every planned step (pending
 * until the executor records it), and the last `logLines` log lines in time order. Null for an
 * unknown run. One reader for runs.get and dashboards.progress, so both show the same numbers.
 */
export async function readRunProgress(db: Db, runId: string, logLines: number) {
  const [run] = await db.select().from(runs).where(eq(runs.id, runId));
  if (!run) return null;
  const steps = await db.select().from(runSteps).where(eq(runSteps.runId, run.id));
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  const logs = logLines
    ? (await db.select().from(runLogs).where(eq(runLogs.runId, run.id)).orderBy(desc(runLogs.id)).limit(logLines)).reverse()
    : [];
  return {
    id: run.id,
    workspaceId: run.workspaceId,
    experimentId: run.experimentId,
    name: run.config.name,
    config: run.config,
    engine: run.engine,
    status: run.status,
    stage: run.stage,
    fraction: run.fraction,
    etaSeconds: run.etaSeconds,
    error: run.error,
    estimate: run.estimate,
    result: run.result,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    steps: run.plan.map((p) => {
      const s = byId.get(p.id);
      return {
        id: p.id,
        functionId: p.functionId,
        stage: p.stage,
        needs: p.needs,
        status: s?.status ?? 'pending',
        attempts: s?.attempts ?? 0,
        fraction: s?.status === 'completed' ? 1 : (s?.fraction ?? 0),
        etaSeconds: s?.etaSeconds ?? null,
        error: s?.error ?? null,
        startedAt: s?.startedAt ?? null,
        finishedAt: s?.finishedAt ?? null,
        artifacts: s?.output?.manifest.artifacts ?? [],
        summary: s?.output?.manifest.summary ?? null,
      };
    }),
    logs: logs.map((l) => ({ id: l.id, at: l.at, stepId: l.stepId, level: l.level, message: l.message })),
  };
}
