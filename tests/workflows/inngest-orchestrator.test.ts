import { InngestTestEngine } from '@inngest/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runs } from '../../server/db/schema';
import { createOrchestrator, createProgressRecorder, createWebClient } from '../../server/workflows/inngest';
import { getRun, getSteps } from '../../server/workflows/record';
import { cancelRun, launchRun, workflowEngine } from '../../server/workflows/index';
import { experimentPreset, planRun, RUN_CANCELLED, RUN_PROGRESS, RUN_REQUESTED, RunRequested, type StepOutput } from '../../workers/contract';
import { testEnv, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(async () => {
  await env.close();
});

const KEY = (n: number) => n.toString(16).padStart(64, '0');

async function newRun(config = experimentPreset('tiny')) {
  const [run] = await env.handle.db.insert(runs).values({ workspaceId: env.workspaceId, experimentId: null, config, plan: planRun(config), engine: 'inngest' }).returning();
  return run!;
}

/** What a worker function returns for a step (the invoke is mocked: the worker app is elsewhere). */
function fakeOutput(runId: string, stepId: string, functionId: string, i: number): StepOutput {
  return {
    manifestKey: KEY(1000 + i),
    manifest: { runId, stepId, functionId: functionId as StepOutput['manifest']['functionId'], artifacts: [{ name: `${stepId}.bin`, key: KEY(i), size: 10, contentType: 'application/octet-stream' }], summary: { i } },
  };
}

describe('orchestrator (experiment/run.requested) under @inngest/test', () => {
  const client = createWebClient();
  const orchestrator = createOrchestrator(client, () => env.handle.db);

  it('invokes every worker function in plan order, analyses in parallel, and records the run', async () => {
    const config = experimentPreset('tiny');
    const run = await newRun(config);
    const plan = planRun(config);
    const t = new InngestTestEngine({
      function: orchestrator,
      events: [{ name: RUN_REQUESTED, data: { runId: run.id, workspaceId: env.workspaceId, experimentId: null, config } }],
      steps: plan.map((s, i) => ({ id: s.id, handler: () => fakeOutput(run.id, s.id, s.functionId, i) })),
    });
    const { result, ctx } = await t.execute();
    expect(result).toEqual({ runId: run.id, steps: plan.length, resultKey: KEY(1000 + plan.length - 1) });
    // Each worker function was invoked by reference (app deeper-worker, function id), with its inputs.
    const invokes = (ctx.step.invoke as unknown as { mock: { calls: [string, { function: unknown; data: { stepId: string; inputs: Record<string, unknown> } }][] } }).mock.calls;
    expect(invokes.map(([id]) => id).sort()).toEqual(plan.map((s) => s.id).sort());
    const train = invokes.find(([id]) => id === 'train-model')![1];
    expect(Object.keys(train.data.inputs).sort()).toEqual(['render-dataset', 'sample-identities']);
    const done = await getRun(env.handle.db, run.id);
    expect(done!.status).toBe('succeeded');
    expect(done!.result!.stepId).toBe('finalise');
    const steps = await getSteps(env.handle.db, run.id);
    expect(steps.filter((s) => s.status === 'completed')).toHaveLength(plan.length);
  });

  it('rejects an invalid configuration, naming the field, and marks the run failed', async () => {
    const run = await newRun();
    const t = new InngestTestEngine({
      function: orchestrator,
      events: [{ name: RUN_REQUESTED, data: { runId: run.id, workspaceId: env.workspaceId, experimentId: null, config: { name: 'bad', render: { sizePx: 4 } } } }],
    });
    const { error } = await t.execute();
    expect(String((error as Error)?.message ?? error)).toContain('render.sizePx must be ≥ 16');
    const failed = await getRun(env.handle.db, run.id);
    expect(failed!.status).toBe('failed');
    expect(failed!.error).toContain('config.render.sizePx');
  });

  it('is cancelled by experiment/run.cancelled for the same run, and retries', () => {
    const opts = (orchestrator as unknown as { opts: { cancelOn: unknown; retries: number; triggers: unknown } }).opts;
    expect(opts.cancelOn).toEqual([{ event: RUN_CANCELLED, if: 'async.data.runId == event.data.runId' }]);
    expect(opts.retries).toBe(2);
  });

  it('records progress events from the workers', async () => {
    const run = await newRun();
    const plan = planRun(run.config);
    await env.handle.db.insert((await import('../../server/db/schema')).runSteps).values({ runId: run.id, stepId: 'render-dataset', functionId: 'render-dataset', stage: 'render', status: 'running' });
    const t = new InngestTestEngine({
      function: createProgressRecorder(client, () => env.handle.db),
      events: [{ name: RUN_PROGRESS, data: { runId: run.id, stepId: 'render-dataset', fraction: 0.5, etaSeconds: 12, message: '6/12 images' } }],
    });
    const { result } = await t.execute();
    expect(result).toEqual({ recorded: true });
    const s = (await getSteps(env.handle.db, run.id))[0]!;
    expect([s.fraction, s.etaSeconds]).toEqual([0.5, 12]);
    const r = await getRun(env.handle.db, run.id);
    expect(r!.fraction).toBeGreaterThan(0);
    expect(r!.fraction).toBeLessThan(1);
    expect(plan.length).toBeGreaterThan(2);
  });
});

describe('launching on Inngest', () => {
  it('picks the engine from the environment', () => {
    expect(workflowEngine({})).toBe('embedded');
    expect(workflowEngine({ INNGEST_EVENT_KEY: 'k' })).toBe('inngest');
    expect(workflowEngine({ INNGEST_BASE_URL: 'http://inngest:8288' })).toBe('inngest');
    expect(workflowEngine({ INNGEST_EVENT_KEY: 'k', DEEPER_ENGINE: 'embedded' })).toBe('embedded');
  });

  it('sends experiment/run.requested with the run, and experiment/run.cancelled on cancel', async () => {
    const sent: { name: string; data: Record<string, unknown> }[] = [];
    const sendEvent = async (e: { name: string; data: Record<string, unknown> }) => sent.push(e);
    const run = await launchRun(env.handle.db, { workspaceId: env.workspaceId, experimentId: null, config: experimentPreset('tiny') }, { engine: 'inngest', sendEvent });
    expect(run.engine).toBe('inngest');
    expect(run.status).toBe('queued');
    expect(sent[0]!.name).toBe(RUN_REQUESTED);
    const req = RunRequested.parse(sent[0]!.data);
    expect(req.runId).toBe(run.id);
    expect(req.plan!.map((s) => s.id)).toEqual(planRun(req.config).map((s) => s.id));
    const cancelled = await cancelRun(env.handle.db, run.id, { sendEvent });
    expect(sent[1]).toEqual({ name: RUN_CANCELLED, data: { runId: run.id } });
    expect(cancelled!.status).toBe('cancelled');
  });
});
