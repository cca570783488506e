import os from 'node:os';
import { Inngest, type InngestFunction } from 'inngest';
import { RUN_CANCELLED, RUN_PROGRESS, StepInput, WORKER_APP_ID } from '../contract';
import { executeWorkerFunction, type StepReporter, type WorkerFunction } from './define';
import { workerStoreFromEnv, type WorkerStore } from './worker-artifact-store';

/**
 * The worker functions as Inngest functions of the worker app. The orchestrator (web app) calls
 * them with step.invoke(referenceFunction({ appId: WORKER_APP_ID, functionId })); each is one
 * memoised step ('compute'). Production configuration comes from the environment:
 * INNGEST_EVENT_KEY, INNGEST_SIGNING_KEY, INNGEST_BASE_URL (self-hosted server), INNGEST_DEV=1.
 */
export function createWorkerClient(): Inngest {
  return new Inngest({ id: WORKER_APP_ID });
}

/** Slots per worker host: one per GPU by default (DEEPER_WORKER_CONCURRENCY). */
export function workerHostConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.DEEPER_WORKER_CONCURRENCY ?? env.DEEPER_GPUS ?? 1);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** This host's key: the concurrency key of its functions (one queue per GPU host). */
export function workerHostKey(env: NodeJS.ProcessEnv = process.env): string {
  return (env.DEEPER_WORKER_HOST ?? os.hostname()).replace(/[^A-Za-z0-9._-]/g, '-');
}

/** Progress as RUN_PROGRESS events, at most one per second per step (plus the final one). */
export function eventReporter(client: Pick<Inngest, 'send'>, input: StepInput): StepReporter {
  let last = 0;
  const send = (data: Record<string, unknown>) => {
    // Progress is best effort: a lost report must never fail the step.
    client.send({ name: RUN_PROGRESS, data: { runId: input.runId, stepId: input.stepId, ...data } }).catch(() => undefined);
  };
  return {
    progress(fraction, etaSeconds, message) {
      const now = Date.now();
      if (fraction < 1 && now - last < 1000) return;
      last = now;
      send({ fraction, etaSeconds, message });
    },
    log(message) {
      send({ message, log: true });
    },
  };
}

export function toInngestFunction(
  client: Inngest,
  fn: WorkerFunction,
  opts: { store?: WorkerStore; env?: NodeJS.ProcessEnv; reporter?: (input: StepInput) => StepReporter } = {},
): InngestFunction.Any {
  const env = opts.env ?? process.env;
  const store = opts.store ?? workerStoreFromEnv(env);
  const reporter = opts.reporter ?? ((input: StepInput) => eventReporter(client, input));
  return client.createFunction(
    {
      id: fn.id,
      name: fn.title,
      retries: fn.retries as 0,
      // One queue per worker host: at most workerHostConcurrency() steps at once on its GPUs.
      concurrency: [{ limit: workerHostConcurrency(env), key: `"${workerHostKey(env)}"` }],
      cancelOn: [{ event: RUN_CANCELLED, if: 'async.data.runId == event.data.runId' }],
      triggers: [{ event: `deeper/${fn.id}` }],
    },
    async ({ event, step }) => {
      const input = StepInput.parse(event.data);
      return step.run('compute', () => executeWorkerFunction(fn, input, { store, reporter: reporter(input) }));
    },
  ) as unknown as InngestFunction.Any;
}
