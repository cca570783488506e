import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from '../../server/db/client';
import { migrateDb } from '../../server/db/migrate';
import { runs, users, workspaces } from '../../server/db/schema';
import { LocalExecutor } from '../../server/workflows/executor';
import { getRun, getSteps } from '../../server/workflows/record';
import { artifactFsPath, ExperimentConfig, PlannedStep, type PlannedStepInput } from '../../workers/contract';
import { diagnosticPlan, waitFor } from './helpers';

const root = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'deeper-resume-'));
const pgDir = path.join(dir, 'pg');
const artifactsDir = path.join(dir, 'artifacts');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function insertRun(handle: DbHandle, workspaceId: string, plan: PlannedStepInput[], config: unknown) {
  const [run] = await handle.db
    .insert(runs)
    .values({ workspaceId, experimentId: null, config: ExperimentConfig.parse(config), plan: plan.map((p) => PlannedStep.parse(p)), engine: 'embedded' })
    .returning();
  return run!;
}

/** sha256 of every artifact a run's steps wrote, by step id and artifact name, read back from the store. */
async function artifactDigests(handle: DbHandle, runId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of await getSteps(handle.db, runId)) {
    for (const a of s.output!.manifest.artifacts) {
      const bytes = readFileSync(path.join(artifactsDir, artifactFsPath(a.key)));
      out[`${s.stepId}/${a.name}`] = createHash('sha256').update(bytes).digest('hex');
    }
  }
  return out;
}

describe('restart after SIGKILL', () => {
  it('resumes from the last finished step and ends with byte-identical artifacts', { timeout: 600_000 }, async () => {
    // 1. A database with one queued run; the "server" process will pick it up.
    let handle = openDb({ dataDir: pgDir });
    await migrateDb(handle);
    const [w] = await handle.db.insert(workspaces).values({ name: 'W' }).returning();
    await handle.db.insert(users).values({ email: 'r@x.test', passwordHash: 'x' });
    // 'train' is slow on its first attempt only (then the marker exists): the kill lands mid-step.
    const plan = diagnosticPlan({ train: { slowOnceMarker: path.join(dir, 'slow-once'), chunks: 100 } }, { durationMs: 50, chunks: 1, bytes: 100_000 }).filter(
      (s) => !s.id.startsWith('analysis'),
    );
    plan[plan.length - 1]!.needs = ['train'];
    const config = { name: 'resume', seed: 3 };
    const run = await insertRun(handle, w!.id, plan, config);
    await handle.close();

    // 2. The server runs it; SIGKILL the compute process in the middle of 'train', and the server.
    const server = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/embedded-server.ts'), pgDir, artifactsDir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const trainPid = await new Promise<number>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('the server never reached the train step')), 300_000);
      server.stdout!.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        for (const line of buf.split('\n').slice(0, -1)) {
          const msg = JSON.parse(line) as { running?: { stepId: string; pid: number; startedAt: number } };
          // Give it a moment of computing so that the kill lands mid-step.
          if (msg.running?.stepId === 'train' && Date.now() - msg.running.startedAt > 1500) {
            clearTimeout(timer);
            resolve(msg.running.pid);
          }
        }
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
      });
    });
    process.kill(trainPid, 'SIGKILL');
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));

    // 3. Restart: a new executor on the same database resumes the run.
    handle = openDb({ dataDir: pgDir });
    await migrateDb(handle);
    const before = new Map((await getSteps(handle.db, run.id)).map((s) => [s.stepId, s]));
    expect(before.get('faces')!.status).toBe('completed');
    expect(before.get('render')!.status).toBe('completed');
    expect(before.get('train')!.status).toBe('running');
    const executor = new LocalExecutor({ db: handle.db, cwd: root, env: { ...process.env, ARTIFACTS_DIR: artifactsDir }, backoffMs: 50 });
    try {
      expect(await executor.start()).toEqual([run.id]);
      await executor.wait(run.id);
      const after = new Map((await getSteps(handle.db, run.id)).map((s) => [s.stepId, s]));
      expect((await getRun(handle.db, run.id))!.status).toBe('succeeded');
      // Finished steps were not redone: one attempt each, same start time.
      for (const id of ['faces', 'render']) {
        expect(after.get(id)!.attempts).toBe(1);
        expect(after.get(id)!.startedAt).toEqual(before.get(id)!.startedAt);
      }
      expect(after.get('train')!.attempts).toBe(2);

      // 4. An uninterrupted run of the same plan writes the same bytes.
      const clean = await insertRun(handle, w!.id, plan, config);
      executor.launch(clean.id);
      await executor.wait(clean.id);
      expect((await getRun(handle.db, clean.id))!.status).toBe('succeeded');
      const resumed = await artifactDigests(handle, run.id);
      expect(Object.keys(resumed)).toHaveLength(plan.length);
      expect(await artifactDigests(handle, clean.id)).toEqual(resumed);
    } finally {
      await executor.stop();
      await handle.close();
    }
  });
});
