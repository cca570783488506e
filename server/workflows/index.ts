import path from 'node:path';
import { eq } from 'drizzle-orm';
import { ExperimentConfig, planRun, RUN_CANCELLED, RUN_REQUESTED, type PlannedStep } from '../../workers/contract';
import { config as serverConfig } from '../config';
import type { Db } from '../db/client';
import { getDb } from '../db/client';
import { runs } from '../db/schema';
import { log } from '../log';
import { estimateRun } from './estimate';
import { resolveConfigArtifacts } from './config-artifacts';
import { budgetRefusal, checkRunQuota, needsConfirmation, runLimits, type RunLimits } from './limits';
import { RefusedError } from '../errors';
import { LocalExecutor } from './executor';
import { finishRun, getRun, type RunRow } from './record';

export { LocalExecutor } from './executor';
export { estimateRun } from './estimate';
export { runLimits, needsConfirmation, budgetRefusal, type RunLimits } from './limits';
export * from './record';

/** Which engine drives runs: Inngest when configured (INNGEST_EVENT_KEY / INNGEST_BASE_URL / INNGEST_DEV), else embedded. */
export function workflowEngine(env: Record<string, string | undefined> = process.env): 'embedded' | 'inngest' {
  if (env.DEEPER_ENGINE === 'embedded' || env.DEEPER_ENGINE === 'inngest') return env.DEEPER_ENGINE;
  return env.INNGEST_EVENT_KEY || env.INNGEST_BASE_URL || env.INNGEST_DEV ? 'inngest' : 'embedded';
}

const g = globalThis as unknown as { __deeperExecutor?: { executor: LocalExecutor; started: Promise<string[]> } };

/**
 * The web process's embedded executor, created and started (resuming unfinished runs) on first
 * use: from instrumentation.ts register() at boot, or lazily by the first launch. Kept on
 * globalThis so that dev-mode module reloads reuse it. Step processes get DATA_DIR so that they
 * write to the same artifact store as the web app.
 */
export function getLocalExecutor(db: Db = getDb()): LocalExecutor {
  if (!g.__deeperExecutor) {
    const executor = new LocalExecutor({
      db,
      env: { ...process.env, DATA_DIR: serverConfig.dataDir, ARTIFACTS_DIR: process.env.ARTIFACTS_DIR ?? path.join(serverConfig.dataDir, 'artifacts') },
    });
    const started = executor.start();
    started.then(
      (ids) => ids.length && log.info({ runs: ids }, 'resumed unfinished runs'),
      (err: unknown) => log.error({ err }, 'could not resume runs'),
    );
    g.__deeperExecutor = { executor, started };
  }
  return g.__deeperExecutor.executor;
}

/** Boot hook (instrumentation.ts): resume embedded runs. Does nothing under Inngest. */
export async function startWorkflows(): Promise<void> {
  if (workflowEngine() !== 'embedded') return;
  getLocalExecutor();
  await g.__deeperExecutor!.started;
}

export async function stopWorkflows(): Promise<void> {
  const e = g.__deeperExecutor;
  g.__deeperExecutor = undefined;
  await e?.executor.stop();
}

export interface LaunchInput {
  workspaceId: string;
  experimentId: string | null;
  config: unknown;
  createdBy?: string | null;
  /** Override the plan (self-tests); planRun(config) by default. */
  plan?: PlannedStep[];
}

/**
 * Launches a run: validates the configuration, stores the run (config and plan snapshots, the
 * cost estimate), then hands it to the engine: the embedded executor, or an
 * `experiment/run.requested` event for Inngest.
 */
/** Sends an Inngest event (the web app's client by default; tests pass their own). */
export type SendEvent = (event: { name: string; data: Record<string, unknown> }) => Promise<unknown>;

async function defaultSend(event: { name: string; data: Record<string, unknown> }): Promise<unknown> {
  const { createWebClient } = await import('./inngest');
  return createWebClient().send(event);
}

export async function launchRun(
  db: Db,
  input: LaunchInput,
  opts: {
    executor?: LocalExecutor;
    engine?: 'embedded' | 'inngest';
    sendEvent?: SendEvent;
    limits?: RunLimits;
    /** false: the user has not confirmed, so a run above the confirmation threshold is refused; unset: no confirmation asked. */
    confirmed?: boolean;
  } = {},
): Promise<RunRow> {
  const config = await resolveConfigArtifacts(db, input.workspaceId, ExperimentConfig.parse(input.config));
  const estimate = estimateRun(config);
  const limits = opts.limits ?? runLimits();
  const overBudget = budgetRefusal(estimate, limits);
  if (overBudget) throw new RefusedError('BAD_REQUEST', overBudget);
  if (opts.confirmed === false && needsConfirmation(estimate, limits))
    throw new RefusedError(
      'PRECONDITION_FAILED',
      `confirm: this run is estimated at ${Math.round(estimate.totalSeconds)} s, above ${limits.confirmAboveSeconds} s (DEEPER_RUN_CONFIRM_SECONDS); launch with confirm: true`,
    );
  const seconds = new Map(estimate.steps.map((s) => [s.stepId, s.seconds]));
  const plan = (input.plan ?? planRun(config)).map((s) => ({ ...s, weight: input.plan ? s.weight : Math.max(1, seconds.get(s.id) ?? 1) }));
  const engine = opts.engine ?? workflowEngine();
  const run = await db.transaction(async (tx) => {
    await checkRunQuota(tx, input.workspaceId, limits);
    const [row] = await tx
      .insert(runs)
      .values({ workspaceId: input.workspaceId, experimentId: input.experimentId, config, plan, engine, estimate, createdBy: input.createdBy ?? null })
      .returning();
    return row;
  });
  if (engine === 'embedded') {
    (opts.executor ?? getLocalExecutor(db)).launch(run!.id);
  } else {
    await (opts.sendEvent ?? defaultSend)({
      name: RUN_REQUESTED,
      data: { runId: run!.id, workspaceId: input.workspaceId, experimentId: input.experimentId, config, plan },
    });
  }
  return run!;
}

/** Cancels a run: within 5 s its processes stop and it is marked cancelled. */
export async function cancelRun(db: Db, runId: string, opts: { executor?: LocalExecutor; sendEvent?: SendEvent } = {}): Promise<RunRow | null> {
  const run = await getRun(db, runId);
  if (!run || (run.status !== 'queued' && run.status !== 'running')) return run;
  if (run.engine === 'embedded') {
    await (opts.executor ?? getLocalExecutor(db)).cancel(runId);
  } else {
    await db.update(runs).set({ cancelRequestedAt: new Date() }).where(eq(runs.id, runId));
    await (opts.sendEvent ?? defaultSend)({ name: RUN_CANCELLED, data: { runId } });
    await finishRun(db, runId, 'cancelled');
  }
  return getRun(db, runId);
}
