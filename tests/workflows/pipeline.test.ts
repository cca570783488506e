import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../server/workflows/executor';
import { launchRun } from '../../server/workflows/index';
import { orchestrate } from '../../server/workflows/orchestrate';
import { artifactFsPath, experimentPreset, type ExperimentConfigInput } from '../../workers/contract';
import { executeWorkerFunction, loadWorkerFunction } from '../../workers/functions/index';
import { FsWorkerStore } from '../../workers/functions/worker-artifact-store';
import { runState, testEnv, waitFor, type TestEnv } from './helpers';

/**
 * The demo-size run, really: the tiny preset through the embedded executor, every step in a child
 * process (sample identities → render → train → analyses → finalise), artifacts in the store.
 */
const cwd = path.resolve(__dirname, '../..');
let env: TestEnv;
let executor: LocalExecutor;
const newExecutor = () =>
  new LocalExecutor({
    db: env.handle.db,
    cwd,
    concurrency: 2,
    backoffMs: 100,
    env: { ...process.env, ARTIFACTS_DIR: env.artifactsDir, DEEPER_CHECKPOINT_DIR: path.join(env.dataDir, 'checkpoints') },
  });
beforeAll(async () => {
  env = await testEnv();
  executor = newExecutor();
});
afterAll(async () => {
  await executor.stop();
  await env.close();
});

const config: ExperimentConfigInput = experimentPreset('tiny');

describe('a demo-size run on the embedded executor', () => {
  it('completes every stage after SIGKILL of the training process and a restart, byte-identical to an uninterrupted run', { timeout: 600_000 }, async () => {
    const launched = await launchRun(env.handle.db, { workspaceId: env.workspaceId, experimentId: null, config, createdBy: env.userId }, { executor, engine: 'embedded' });
    // Kill the compute process in the middle of training, and the "server" (this executor) with it.
    const train = await waitFor('training to be under way', async () => executor.runningSteps().find((s) => s.stepId === 'train-model' && Date.now() - s.startedAt > 2000), 300_000);
    process.kill(train.pid, 'SIGKILL');
    await executor.stop();
    const interrupted = await runState(env, launched.id);
    expect(interrupted.run.status).toBe('running');
    expect(interrupted.steps.find((s) => s.stepId === 'render-dataset')!.status).toBe('completed');
    // Restart: a new executor resumes the run from the last finished step.
    executor = newExecutor();
    expect(await executor.start()).toEqual([launched.id]);
    await executor.wait(launched.id);
    const { run, steps } = await runState(env, launched.id);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    expect(run.fraction).toBe(1);
    expect(run.estimate!.totalSeconds).toBeGreaterThan(0);
    expect(steps.map((s) => s.stepId).sort()).toEqual([
      'analysis-generalisation',
      'analysis-hidden-layers',
      'analysis-pose-invariance',
      'analysis-reverse-correlation',
      'finalise',
      'render-dataset',
      'sample-identities',
      'train-model',
    ]);
    expect(steps.every((s) => s.status === 'completed')).toBe(true);
    const attempts = Object.fromEntries(steps.map((s) => [s.stepId, s.attempts]));
    expect(attempts).toMatchObject({ 'sample-identities': 1, 'render-dataset': 1, 'train-model': 2, finalise: 1 });
    const rc = steps.find((s) => s.stepId === 'analysis-reverse-correlation')!.output!.manifest;
    expect(rc.summary).toMatchObject({ kind: 'reverse-correlation' });
    expect(rc.artifacts.map((a) => a.name)).toContain('summary.json');
    const kinds = Object.fromEntries(steps.filter((s) => s.stage === 'analyses').map((s) => [s.stepId, s.output!.manifest.summary.kind]));
    expect(kinds).toEqual({
      'analysis-generalisation': 'generalisation',
      'analysis-reverse-correlation': 'reverse-correlation',
      'analysis-hidden-layers': 'hidden-layers',
      'analysis-pose-invariance': 'pose-invariance',
    });
    const bundleRef = run.result!.artifacts.find((a) => a.name === 'result.json')!;
    const bundle = JSON.parse(readFileSync(path.join(env.artifactsDir, artifactFsPath(bundleRef.key)), 'utf8'));
    expect(Object.keys(bundle.steps)).toHaveLength(7);
    expect(bundle.steps['train-model'].summary).toMatchObject({ epochs: 1, classes: 3 });

    // The same plan uninterrupted, in this process: every artifact has the same bytes (same keys).
    const store = new FsWorkerStore(env.artifactsDir);
    const clean = await orchestrate({ runId: run.id, workspaceId: env.workspaceId, config: run.config, plan: run.plan }, async (step, input) =>
      executeWorkerFunction(await loadWorkerFunction(step.functionId), input, { store }),
    );
    for (const s of steps) expect(clean.get(s.stepId)!.manifest.artifacts, s.stepId).toEqual(s.output!.manifest.artifacts);
  });
});
