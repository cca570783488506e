import { Inngest, NonRetriableError, referenceFunction } from 'inngest';
import { z } from 'zod';
import {
  planRun,
  RUN_CANCELLED,
  RUN_PROGRESS,
  RUN_REQUESTED,
  RunRequested,
  StepOutput,
  WEB_APP_ID,
  WORKER_APP_ID,
} from '../../workers/contract';
import type { Db } from '../db/client';
import { finalOutput, orchestrate } from './orchestrate';
import { appendLog, finishRun, markRunStarted, markStepCompleted, markStepStarted, recordStepProgress } from './record';

/**
 * The production engine: Inngest (Inngest Cloud, or a self-hosted Inngest server with PostgreSQL and
 * Redis). Configured by INNGEST_EVENT_KEY, INNGEST_SIGNING_KEY and INNGEST_BASE_URL (self-hosted),
 * or INNGEST_DEV=1 for a local dev server. The web app serves the orchestrator and the progress
 * recorder at /api/inngest (server/workflows/serve.ts); GPU hosts serve the worker functions
 * (workers/main.ts) under the app id WORKER_APP_ID.
 */
export function createWebClient(): Inngest {
  return new Inngest({ id: WEB_APP_ID });
}

/** How long one worker step may take before the orchestrator gives up on it. */
const STEP_TIMEOUT = '24h';

const ProgressEvent = z.object({
  runId: z.uuid(),
  stepId: z.string(),
  fraction: z.number().min(0).max(1).optional(),
  etaSeconds: z.number().nullable().optional(),
  message: z.string().optional(),
});

/**
 * The orchestrator for `experiment/run.requested`: validates the configuration, then invokes the
 * worker functions by id in the plan's order (analyses in parallel), recording each step's start
 * and result in the database as memoised Inngest steps. Cancelled by `experiment/run.cancelled`
 * with the same runId; a run that fails for good is marked failed with the error message.
 */
export function createOrchestrator(client: Inngest, getDb: () => Db) {
  return client.createFunction(
    {
      id: 'experiment-run',
      name: 'Experiment run',
      retries: 2,
      cancelOn: [{ event: RUN_CANCELLED, if: 'async.data.runId == event.data.runId' }],
      triggers: [{ event: RUN_REQUESTED }],
      onFailure: async ({ event, error }) => {
        const runId = (event.data.event.data as { runId?: string }).runId;
        if (runId) await finishRun(getDb(), runId, 'failed', { error: error.message });
      },
    },
    async ({ event, step }) => {
      const parsed = RunRequested.safeParse(event.data);
      if (!parsed.success) {
        const runId = (event.data as { runId?: string }).runId;
        const message = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        if (runId) await step.run('reject', () => finishRun(getDb(), runId, 'failed', { error: `invalid run request: ${message}` }));
        throw new NonRetriableError(`invalid run request: ${message}`);
      }
      const req = parsed.data;
      const spec = { runId: req.runId, workspaceId: req.workspaceId, config: req.config, plan: req.plan ?? planRun(req.config) };
      await step.run('start-run', () => markRunStarted(getDb(), req.runId));
      const outputs = await orchestrate(spec, async (planned, input) => {
        await step.run(`start-${planned.id}`, () => markStepStarted(getDb(), req.runId, planned));
        const raw = await step.invoke(planned.id, {
          function: referenceFunction({ appId: WORKER_APP_ID, functionId: planned.functionId }),
          data: input,
          timeout: STEP_TIMEOUT,
        });
        const output = StepOutput.parse(raw);
        await step.run(`record-${planned.id}`, () => markStepCompleted(getDb(), req.runId, planned.id, output));
        return output;
      });
      const result = finalOutput(spec, outputs)?.manifest;
      await step.run('finish-run', async () => {
        await finishRun(getDb(), req.runId, 'succeeded', { result });
        await appendLog(getDb(), req.runId, null, 'run succeeded');
      });
      return { runId: req.runId, steps: outputs.size, resultKey: finalOutput(spec, outputs)?.manifestKey ?? null };
    },
  );
}

/** Records the progress events that worker functions send while they compute. */
export function createProgressRecorder(client: Inngest, getDb: () => Db) {
  return client.createFunction(
    { id: 'record-run-progress', name: 'Record run progress', retries: 1, triggers: [{ event: RUN_PROGRESS }] },
    async ({ event }) => {
      const p = ProgressEvent.parse(event.data);
      if (p.fraction !== undefined) await recordStepProgress(getDb(), p.runId, p.stepId, p.fraction, p.etaSeconds ?? null);
      if (p.message) await appendLog(getDb(), p.runId, p.stepId, p.message);
      return { recorded: true };
    },
  );
}

export function createWebFunctions(client: Inngest, getDb: () => Db) {
  return [createOrchestrator(client, getDb), createProgressRecorder(client, getDb)];
}
