import os from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { and, eq, inArray } from 'drizzle-orm';
import type { PlannedStep, StepInputData, StepOutput } from '../../workers/contract';
import type { Db } from '../db/client';
import { runs } from '../db/schema';
import { log } from '../log';
import { runStepInChild } from './child';
import { finalOutput, orchestrate } from './orchestrate';
import {
  appendLog,
  completedOutput,
  finishRun,
  getRun,
  markRunStarted,
  markStepCompleted,
  markStepFailed,
  markStepStarted,
  recordStepProgress,
} from './record';

export interface LocalExecutorOptions {
  db: Db;
  /** Step processes at once, over all runs (DEEPER_EXECUTOR_CONCURRENCY, default 1). */
  concurrency?: number;
  /** Retries of a failing step (DEEPER_STEP_RETRIES, default 2): it runs at most retries + 1 times. */
  retries?: number;
  /** Backoff before retry n: backoffMs · 2^(n-1) (DEEPER_STEP_BACKOFF_MS, default 2000). */
  backoffMs?: number;
  /** Repository root holding workers/main.ts (default process.cwd()). */
  cwd?: string;
  /** Environment of the step processes (default process.env): DATA_DIR / ARTIFACTS_DIR / S3_*. */
  env?: NodeJS.ProcessEnv;
  /**
   * A step attempt is killed after max(stepTimeoutMinMs, stepTimeoutFactor × its estimated
   * seconds) and counts as a failure (DEEPER_STEP_TIMEOUT_MIN_S, default 600 s;
   * DEEPER_STEP_TIMEOUT_FACTOR, default 10).
   */
  stepTimeoutMinMs?: number;
  stepTimeoutFactor?: number;
}

/** A step process the executor is running (for status pages and tests). */
export interface RunningStep {
  runId: string;
  stepId: string;
  pid: number;
  startedAt: number;
  /** The process's scheduling priority (nice), lower than the web process's. */
  priority: number | null;
}

class StepFailedError extends Error {}

/**
 * A counting semaphore shared fairly between groups (workspaces): a free slot goes to the waiter
 * whose group holds the fewest slots; among those, to the group served longest ago (round robin),
 * then to the earliest waiter. One workspace with many queued steps therefore cannot starve
 * another. Waiters can give up (on cancellation).
 */
export class FairSlots {
  private waiters: { group: string; seq: number; wake: () => void }[] = [];
  private readonly held = new Map<string, number>();
  /** When each group was last given a slot (a grant counter). */
  private readonly lastGrant = new Map<string, number>();
  private grants = 0;
  private used = 0;
  private seq = 0;
  constructor(readonly size: number) {}

  async acquire(group: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new Error('cancelled');
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('cancelled'));
      };
      const waiter = {
        group,
        seq: this.seq++,
        wake: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.waiters.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
      this.dispatch();
    });
  }

  release(group: string): void {
    this.used--;
    const n = (this.held.get(group) ?? 1) - 1;
    if (n > 0) this.held.set(group, n);
    else this.held.delete(group);
    this.dispatch();
  }

  /** Slots held by a group now. */
  heldBy(group: string): number {
    return this.held.get(group) ?? 0;
  }

  private dispatch(): void {
    while (this.used < this.size && this.waiters.length > 0) {
      let best = this.waiters[0]!;
      const rank = (w: { group: string; seq: number }) => [this.heldBy(w.group), this.lastGrant.get(w.group) ?? -1, w.seq];
      for (const w of this.waiters) {
        const [a, b] = [rank(w), rank(best)];
        if (a[0]! < b[0]! || (a[0] === b[0] && (a[1]! < b[1]! || (a[1] === b[1] && a[2]! < b[2]!)))) best = w;
      }
      this.lastGrant.set(best.group, this.grants++);
      this.waiters = this.waiters.filter((w) => w !== best);
      this.used++;
      this.held.set(best.group, this.heldBy(best.group) + 1);
      best.wake();
    }
  }
}

function envNumber(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(n) && n >= 0 ? n : fallback;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('cancelled'));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

interface ActiveRun {
  controller: AbortController;
  /** The run's workspace: the group its steps share slots under (fair scheduling). */
  workspaceId?: string;
  /** Why it was aborted: the user cancelled, or this executor stops (the run resumes later). */
  reason?: 'cancel' | 'stop';
  done: Promise<void>;
}

/**
 * The embedded engine: runs the same plan as the Inngest orchestrator on this machine. Compute
 * happens in child processes (workers/main.ts exec), at most `concurrency` at once; each finished
 * step's output is stored in run_steps keyed by (run, step id), so after a restart start() resumes
 * every unfinished run without redoing finished steps. Failing steps are retried with
 * exponential backoff; cancel() kills the run's processes (SIGTERM, SIGKILL after 2 s).
 */
export class LocalExecutor {
  readonly db: Db;
  readonly concurrency: number;
  readonly retries: number;
  readonly backoffMs: number;
  private readonly cwd: string;
  private readonly env: NodeJS.ProcessEnv;
  readonly stepTimeoutMinMs: number;
  readonly stepTimeoutFactor: number;
  private readonly slots: FairSlots;
  private readonly active = new Map<string, ActiveRun>();
  private readonly children = new Map<ChildProcess, RunningStep>();
  private stopped = false;
  /** Most step processes seen at once (the concurrency bound, observed). */
  maxConcurrentSeen = 0;

  constructor(opts: LocalExecutorOptions) {
    this.db = opts.db;
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? envNumber('DEEPER_EXECUTOR_CONCURRENCY', 1)));
    this.retries = Math.floor(opts.retries ?? envNumber('DEEPER_STEP_RETRIES', 2));
    this.backoffMs = opts.backoffMs ?? envNumber('DEEPER_STEP_BACKOFF_MS', 2000);
    this.cwd = opts.cwd ?? process.cwd();
    this.env = opts.env ?? process.env;
    this.slots = new FairSlots(this.concurrency);
    this.stepTimeoutMinMs = opts.stepTimeoutMinMs ?? envNumber('DEEPER_STEP_TIMEOUT_MIN_S', 600) * 1000;
    this.stepTimeoutFactor = opts.stepTimeoutFactor ?? envNumber('DEEPER_STEP_TIMEOUT_FACTOR', 10);
  }

  /** Resumes the runs that were queued or running when the last executor stopped. Returns their ids. */
  async start(): Promise<string[]> {
    const pending = await this.db
      .select({ id: runs.id, cancelRequestedAt: runs.cancelRequestedAt })
      .from(runs)
      .where(and(eq(runs.engine, 'embedded'), inArray(runs.status, ['queued', 'running'])));
    for (const r of pending) {
      if (r.cancelRequestedAt) await finishRun(this.db, r.id, 'cancelled');
      else this.launch(r.id);
    }
    return pending.filter((r) => !r.cancelRequestedAt).map((r) => r.id);
  }

  /** Starts driving a run (idempotent while it is active). */
  launch(runId: string): void {
    if (this.stopped) throw new Error('the executor is stopped');
    if (this.active.has(runId)) return;
    const controller = new AbortController();
    const entry: ActiveRun = { controller, done: Promise.resolve() };
    entry.done = this.drive(runId, entry).finally(() => this.active.delete(runId));
    this.active.set(runId, entry);
  }

  /** Resolves when the run is no longer active here. */
  async wait(runId: string): Promise<void> {
    await this.active.get(runId)?.done;
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  runningSteps(): RunningStep[] {
    return [...this.children.values()];
  }

  /** Cancels a run: its processes are killed and it is marked cancelled. */
  async cancel(runId: string): Promise<void> {
    await this.db.update(runs).set({ cancelRequestedAt: new Date() }).where(eq(runs.id, runId));
    const a = this.active.get(runId);
    if (a) {
      a.reason = 'cancel';
      a.controller.abort();
      await a.done;
    } else {
      const run = await getRun(this.db, runId);
      if (run && (run.status === 'queued' || run.status === 'running')) await finishRun(this.db, runId, 'cancelled');
    }
  }

  /**
   * Stops this executor (server shutdown): kills the step processes and leaves the runs as they
   * are in the database, so that the next executor's start() resumes them.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const a of this.active.values()) {
      a.reason = 'stop';
      a.controller.abort();
    }
    await Promise.all([...this.active.values()].map((a) => a.done));
  }

  private async drive(runId: string, a: ActiveRun): Promise<void> {
    const run = await getRun(this.db, runId);
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return;
    a.workspaceId = run.workspaceId;
    await markRunStarted(this.db, runId);
    const spec = { runId, workspaceId: run.workspaceId, config: run.config, plan: run.plan };
    try {
      const outputs = await orchestrate(spec, (step, input) => this.runStep(runId, step, input, a));
      await finishRun(this.db, runId, 'succeeded', { result: finalOutput(spec, outputs)?.manifest });
      await appendLog(this.db, runId, null, 'run succeeded');
    } catch (err) {
      if (a.reason === 'stop') return; // resumes at the next start()
      // One step failed for good: stop its siblings of the same wave too.
      if (!a.controller.signal.aborted) a.controller.abort();
      if (a.reason === 'cancel') {
        await finishRun(this.db, runId, 'cancelled');
        await appendLog(this.db, runId, null, 'run cancelled', 'warn');
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ runId, err: message }, 'run failed');
      await finishRun(this.db, runId, 'failed', { error: message });
      await appendLog(this.db, runId, null, `run failed: ${message}`, 'error');
    }
  }

  /** One step: memoised result, else a child process, retried with backoff. */
  private async runStep(runId: string, step: PlannedStep, input: StepInputData, a: ActiveRun): Promise<StepOutput> {
    const memo = await completedOutput(this.db, runId, step.id);
    if (memo) return memo;
    const signal = a.controller.signal;
    const group = a.workspaceId ?? runId;
    const timeoutMs = Math.max(this.stepTimeoutMinMs, step.weight * 1000 * this.stepTimeoutFactor);
    for (;;) {
      await this.slots.acquire(group, signal);
      let attempts = 0;
      // This attempt stops when the run is aborted or when it runs past its time-out.
      const attempt = new AbortController();
      const onRunAbort = () => attempt.abort();
      signal.addEventListener('abort', onRunAbort, { once: true });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attempt.abort();
      }, timeoutMs);
      try {
        attempts = await markStepStarted(this.db, runId, step);
        await appendLog(this.db, runId, step.id, `${step.id}: attempt ${attempts} started`);
        const output = await runStepInChild({
          functionId: step.functionId,
          input,
          cwd: this.cwd,
          env: this.env,
          signal: attempt.signal,
          onSpawn: (child) => this.track(child, runId, step.id),
          onProgress: (fraction, eta, message) => {
            void recordStepProgress(this.db, runId, step.id, fraction, eta).catch(() => undefined);
            if (message) void appendLog(this.db, runId, step.id, message).catch(() => undefined);
          },
          onLog: (line) => void appendLog(this.db, runId, step.id, line).catch(() => undefined),
        });
        await markStepCompleted(this.db, runId, step.id, output);
        await appendLog(this.db, runId, step.id, `${step.id}: completed`);
        return output;
      } catch (err) {
        if (signal.aborted) throw err;
        const message = timedOut
          ? `timed out after ${Math.round(timeoutMs / 1000)} s (estimate ${Math.round(step.weight)} s × DEEPER_STEP_TIMEOUT_FACTOR ${this.stepTimeoutFactor}, at least DEEPER_STEP_TIMEOUT_MIN_S ${Math.round(this.stepTimeoutMinMs / 1000)} s)`
          : err instanceof Error
            ? err.message
            : String(err);
        const final = attempts > this.retries;
        await markStepFailed(this.db, runId, step.id, message, final);
        await appendLog(this.db, runId, step.id, `${step.id}: attempt ${attempts} failed: ${message}`, 'error');
        if (final) throw new StepFailedError(`step ${step.id} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${message}`);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onRunAbort);
        this.slots.release(group);
      }
      await abortableSleep(this.backoffMs * 2 ** (attempts - 1), signal);
    }
  }

  private track(child: ChildProcess, runId: string, stepId: string): void {
    let priority: number | null = null;
    try {
      priority = child.pid === undefined ? null : os.getPriority(child.pid);
    } catch {
      priority = null;
    }
    this.children.set(child, { runId, stepId, pid: child.pid ?? -1, startedAt: Date.now(), priority });
    this.maxConcurrentSeen = Math.max(this.maxConcurrentSeen, this.children.size);
    child.once('exit', () => this.children.delete(child));
  }
}
