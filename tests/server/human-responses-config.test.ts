import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createTestDb } from './db';
import { signUpUser, type TestUser } from './callers';
import type { DbHandle } from '../../server/db/client';
import { FsArtifactStore, storeArtifact, type ArtifactRow } from '../../server/storage';
import { launchRun } from '../../server/workflows';
import { HUMAN_TRIALS_TYPE } from '../../server/uploads/human-upload';
import { humanTrialsCsv } from '../../workers/analyses/human/export';
import { humanCurveCsvFromTrials } from '../../workers/analyses/human/curve-csv';
import { parseHumanCsv } from '../../workers/analyses/generalisation';
import { humanCurveCsv } from '../../workers/functions/human-responses';
import { FsWorkerStore } from '../../workers/functions/worker-artifact-store';
import type { StepContext } from '../../workers/functions/define';
import type { HumanTrial } from '../../workers/contract';

// Issue 14 item 2: an uploaded human-trials CSV chosen as a run's human data. The configuration
// names it by artifact id; launch resolves it inside the run's workspace (an upload of another kind
// or of another workspace is refused); the generalisation step reads it and pools it into the
// human curves drawn beside the network's.

/** Two included participants and one who fails the attention checks, shape-scale at levels 0 and 1. */
function trials(): HumanTrial[] {
  const rows: HumanTrial[] = [];
  const base = { stimulus_id: 's', yaw_deg: 0, noise_trial: null, confidence: null, rt_ms: 900 } as const;
  const add = (participant: string, level: number, correct: number, of: number) => {
    for (let i = 0; i < of; i++) {
      rows.push({ ...base, participant, trial: rows.filter((r) => r.participant === participant).length, condition: 'generalisation', attention_check: false, manipulation: 'shape-scale', level, target: 1, response: i < correct ? 1 : 2 });
    }
  };
  const check = (participant: string, pass: boolean) =>
    rows.push({ ...base, participant, trial: rows.filter((r) => r.participant === participant).length, condition: 'learning', attention_check: true, manipulation: null, level: null, target: 0, response: pass ? 0 : 3 });
  add('p1', 0, 3, 4); add('p1', 1, 4, 4); check('p1', true); check('p1', true);
  add('p2', 0, 1, 4); add('p2', 1, 2, 4); check('p2', true); check('p2', true);
  add('p3', 0, 0, 4); add('p3', 1, 0, 4); check('p3', false); check('p3', false); // flagged: left out
  return rows;
}

let h: DbHandle;
let dir: string;
let alice: TestUser, bob: TestUser;
let csv: string;
let alicesCsv: ArtifactRow, bobsCsv: ArtifactRow, alicesModel: ArtifactRow;
beforeAll(async () => {
  h = await createTestDb('pglite');
  dir = mkdtempSync(path.join(tmpdir(), 'deeper-human-cfg-'));
  const store = new FsArtifactStore(dir);
  alice = await signUpUser(h.db, 'alice-humans@example.com');
  bob = await signUpUser(h.db, 'bob-humans@example.com');
  csv = humanTrialsCsv(trials());
  const data = new TextEncoder().encode(csv);
  alicesCsv = await storeArtifact(h.db, { workspaceId: alice.personalWorkspaceId, name: 'Lab (40 trials, 3 participants)', contentType: HUMAN_TRIALS_TYPE, data }, store);
  bobsCsv = await storeArtifact(h.db, { workspaceId: bob.personalWorkspaceId, name: 'Lab', contentType: HUMAN_TRIALS_TYPE, data }, store);
  alicesModel = await storeArtifact(h.db, { workspaceId: alice.personalWorkspaceId, name: 'model-bundle.json', data: new TextEncoder().encode('{"files":{}}') }, store);
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function launchAs(user: TestUser, humanResponses: string): Promise<string> {
  const exp = await user.caller.experiment.create({ workspaceId: user.personalWorkspaceId, config: { name: 'With people', analyses: { generalisation: { humanResponses } } } });
  try {
    await user.caller.runs.launch({ experimentId: exp.id });
    return 'OK';
  } catch (e) {
    if (e instanceof TRPCError) return `${e.code}: ${e.message}`;
    throw e;
  }
}

describe('human responses chosen in a run configuration', () => {
  it('pools the generalisation trials per level over the included participants', () => {
    const curves = parseHumanCsv(humanCurveCsvFromTrials(csv));
    // p1 3/4 and p2 1/4 at level 0 → 0.5; 4/4 and 2/4 at level 1 → 0.75; p3 (failed checks) left out
    expect(curves.get('shape-scale@0.0000')?.p).toEqual([0.5]);
    expect(curves.get('shape-scale@1.0000')?.p).toEqual([0.75]);
    expect([...curves.keys()].sort()).toEqual(['shape-scale@0.0000', 'shape-scale@1.0000']);
    const noGeneralisation = humanTrialsCsv(trials().filter((r) => r.condition !== 'generalisation'));
    expect(() => humanCurveCsvFromTrials(noGeneralisation)).toThrow(/no generalisation trial/);
  });

  it("refuses another workspace's upload like a missing one, an upload of another kind, and content keys", async () => {
    expect(await launchAs(alice, bobsCsv.id)).toBe(`BAD_REQUEST: analyses.generalisation.humanResponses: no uploaded human-trials CSV with id ${bobsCsv.id} in this workspace`);
    expect(await launchAs(alice, alicesModel.id)).toMatch(/^BAD_REQUEST: analyses\.generalisation\.humanResponses: the upload \S+ is not a human-trials CSV/);
    expect(await launchAs(alice, alicesCsv.key)).toBe('BAD_REQUEST: analyses.generalisation.humanResponses must be the id (a UUID) of a human-trials CSV uploaded to this workspace');
  });

  it("resolves the workspace's own upload to its content key, which the generalisation step reads", async () => {
    const events: { name: string; data: Record<string, unknown> }[] = [];
    const run = await launchRun(
      h.db,
      { workspaceId: alice.personalWorkspaceId, experimentId: null, config: { name: 'With people', analyses: { generalisation: { humanResponses: alicesCsv.id } } } },
      { engine: 'inngest', sendEvent: async (e) => void events.push(e) },
    );
    expect(run.config.analyses.generalisation.humanResponses).toBe(alicesCsv.key);
    const sent = events[0]!.data.config as typeof run.config;
    expect(sent.analyses.generalisation.humanResponses).toBe(alicesCsv.key);
    // The worker's side: the same store (content-addressed), the key from the run's configuration.
    const ctx = { input: { config: sent }, store: new FsWorkerStore(dir) } as unknown as StepContext;
    expect(await humanCurveCsv(ctx)).toBe(humanCurveCsvFromTrials(csv));
    const none = { input: { config: { ...sent, analyses: { ...sent.analyses, generalisation: { ...sent.analyses.generalisation, humanResponses: undefined } } } }, store: new FsWorkerStore(dir) } as unknown as StepContext;
    expect(await humanCurveCsv(none)).toBeUndefined();
  });
});
