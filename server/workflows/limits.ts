import os from 'node:os';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { RunEstimate, StageName } from '../../workers/contract';
import type { Db } from '../db/client';
import { runs } from '../db/schema';
import { RefusedError } from '../errors';

/**
 * What one run and one workspace may ask of this installation, from the environment:
 * - DEEPER_RUN_MAX_SECONDS: largest estimated run time (default 172,800 s = 48 h);
 * - DEEPER_RUN_MAX_MEMORY_MIB: largest estimated peak memory of a step (default 75 % of RAM);
 * - DEEPER_RUN_CONFIRM_SECONDS: above this estimate the launch must be confirmed (default 3,600 s);
 * - DEEPER_MAX_ACTIVE_RUNS: queued + running runs per workspace (default 3).
 */
export interface RunLimits {
  maxSeconds: number;
  maxMemoryMiB: number;
  confirmAboveSeconds: number;
  maxActiveRunsPerWorkspace: number;
}

function positive(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
}

export function runLimits(env: Record<string, string | undefined> = process.env): RunLimits {
  return {
    maxSeconds: positive(env, 'DEEPER_RUN_MAX_SECONDS', 48 * 3600),
    maxMemoryMiB: positive(env, 'DEEPER_RUN_MAX_MEMORY_MIB', Math.floor((os.totalmem() / 2 ** 20) * 0.75)),
    confirmAboveSeconds: positive(env, 'DEEPER_RUN_CONFIRM_SECONDS', 3600),
    maxActiveRunsPerWorkspace: Math.floor(positive(env, 'DEEPER_MAX_ACTIVE_RUNS', 3)),
  };
}

/** The configuration fields that drive each stage's time and memory, largest effect first. */
const STAGE_FIELDS: Record<StageName, string[]> = {
  faces: ['faces.identities'],
  render: ['faces.identities', 'render.imagesPerIdentity', 'render.sizePx'],
  train: ['training.epochs', 'render.imagesPerIdentity', 'faces.identities', 'render.sizePx', 'training.width', 'training.batchSize'],
  analyses: ['analyses.reverseCorrelation.trials', 'analyses.reverseCorrelation.permutations', 'analyses.reverseCorrelation.identities', 'analyses.generalisation.identities', 'render.sizePx'],
  finalise: [],
};

function hours(s: number): string {
  return s >= 3600 ? `${(s / 3600).toPrecision(3)} h` : `${Math.round(s)} s`;
}

/** Why the estimate is over budget (naming the fields to reduce), or null. */
export function budgetRefusal(estimate: RunEstimate, limits: RunLimits = runLimits()): string | null {
  const problems: string[] = [];
  if (estimate.totalSeconds > limits.maxSeconds) {
    const worst = [...estimate.byStage].sort((a, b) => b.seconds - a.seconds)[0];
    const fields = worst ? STAGE_FIELDS[worst.stage] ?? [] : [];
    problems.push(
      `the run is estimated at ${hours(estimate.totalSeconds)}, over the limit of ${hours(limits.maxSeconds)} (DEEPER_RUN_MAX_SECONDS)` +
        (worst ? `; most of it is ${worst.stage} (${hours(worst.seconds)}): reduce ${fields.join(', ')}` : ''),
    );
  }
  if (estimate.peakMemoryMiB > limits.maxMemoryMiB) {
    const worst = [...estimate.steps].sort((a, b) => b.memoryMiB - a.memoryMiB)[0]!;
    const stage = estimate.byStage.find((s) => s.memoryMiB === worst.memoryMiB)?.stage ?? worst.stage;
    problems.push(
      `step ${worst.stepId} needs an estimated ${Math.round(worst.memoryMiB)} MiB, over the limit of ${Math.round(limits.maxMemoryMiB)} MiB (DEEPER_RUN_MAX_MEMORY_MIB): reduce ${(STAGE_FIELDS[stage] ?? []).join(', ')}`,
    );
  }
  return problems.length ? `Over budget: ${problems.join('. ')}.` : null;
}

/** Whether a launch of this estimate needs the user's confirmation. */
export function needsConfirmation(estimate: RunEstimate, limits: RunLimits = runLimits()): boolean {
  return estimate.totalSeconds > limits.confirmAboveSeconds;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Refuses a launch when the workspace already has its quota of queued + running runs. Call
 * inside the transaction that inserts the run: the advisory lock serialises launches of one
 * workspace, so parallel launches cannot overshoot.
 */
export async function checkRunQuota(tx: Tx, workspaceId: string, limits: RunLimits = runLimits()): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(4, hashtext(${workspaceId}))`);
  const [row] = await tx
    .select({ n: count() })
    .from(runs)
    .where(and(eq(runs.workspaceId, workspaceId), inArray(runs.status, ['queued', 'running'])));
  const n = Number(row?.n ?? 0);
  if (n >= limits.maxActiveRunsPerWorkspace)
    throw new RefusedError(
      'TOO_MANY_REQUESTS',
      `This workspace already has ${n} queued or running runs, its limit (DEEPER_MAX_ACTIVE_RUNS = ${limits.maxActiveRunsPerWorkspace}): wait for one to finish or cancel one.`,
    );
}
