import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from './db';
import { addMember, signUpUser, type TestUser } from './callers';
import type { DbHandle } from '../../server/db/client';
import { SESSION_COOKIE } from '../../server/config';
import { FsArtifactStore } from '../../server/storage';
import { handleHumanUpload, HUMAN_TRIALS_TYPE, inspectHumanTrialsCsv } from '../../server/uploads/human-upload';
import { HUMAN_TRIAL_COLUMNS } from '../../workers/contract';
import { HUMAN_TRIALS_TYPE as APP_HUMAN_TRIALS_TYPE } from '../../app/components/humans/HumanUpload';
import { parseHumanTrialsCsv, trialTable } from '../../workers/analyses';

// Issue 14 item 6: human-response CSVs uploaded like models (session, Origin, editor; validated; listed).
const header = HUMAN_TRIAL_COLUMNS.map((c) => c.name).join(',');
// participant,trial,stimulus_id,condition,attention_check,manipulation,level,yaw_deg,noise_trial,target,response,confidence,rt_ms
const good = [
  header,
  'p01,0,s0,learning,false,,,0,,0,0,3,812',
  'p01,1,s1,generalisation,false,shape-scale,0.5,0,,1,1,2,900',
  'p02,0,s0,learning,true,,,0,,0,1,4,700',
].join('\r\n');

let h: DbHandle;
let owner: TestUser;
let viewer: TestUser;
let dir: string;
let store: FsArtifactStore;
beforeAll(async () => {
  h = await createTestDb('pglite');
  owner = await signUpUser(h.db, 'owner-humans-upload@example.com');
  viewer = await signUpUser(h.db, 'viewer-humans-upload@example.com');
  await addMember(owner, owner.personalWorkspaceId, viewer, 'viewer');
  dir = mkdtempSync(path.join(tmpdir(), 'human-upload-'));
  store = new FsArtifactStore(dir);
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

function upload(csv: string, opts: { token?: string; origin?: string; workspaceId?: string } = {}) {
  const form = new FormData();
  form.set('workspaceId', opts.workspaceId ?? owner.personalWorkspaceId);
  form.append('files', new File([csv], 'pilot.csv', { type: 'text/csv' }));
  const headers: Record<string, string> = { host: 'deeper.example', cookie: `${SESSION_COOKIE}=${opts.token ?? owner.token}` };
  if (opts.origin) headers.origin = opts.origin;
  return handleHumanUpload(new Request('http://deeper.example/api/uploads/humans', { method: 'POST', body: form, headers }), { db: h.db, store });
}
const body = async (r: Response) => (await r.json()) as { error?: string; id?: string; name?: string; rows?: number; participants?: number };

describe('human-response CSV upload', () => {
  it('validates rows against HumanTrial, naming the line and the column', () => {
    expect(inspectHumanTrialsCsv(good)).toEqual({ rows: 3, participants: 2 });
    const bad = (line: string) => () => inspectHumanTrialsCsv([header, 'p01,0,s0,learning,false,,,0,,0,0,3,812', line].join('\n'));
    expect(bad('p01,1,s1,learning,false,,,0,,0,0,12,812')).toThrow(/line 3, column confidence: .*9/);
    expect(bad('p01,1,s1,guessing,false,,,0,,0,0,3,812')).toThrow(/line 3, column condition/);
    expect(bad('p01,1,s1,generalisation,false,,,0,,0,0,3,812')).toThrow('line 3, column manipulation: generalisation trials need a manipulation and a level');
    expect(bad('p01,1,s1,learning,maybe,,,0,,0,0,3,812')).toThrow("line 3, column attention_check: 'maybe' must be true or false");
    expect(() => inspectHumanTrialsCsv('participant,trial\n')).toThrow(/lacks the column\(s\) stimulus_id/);
    expect(() => inspectHumanTrialsCsv(header + '\n')).toThrow(/no trial rows/);
  });

  it('stores a valid CSV for an editor, as it came, listed in the workspace and readable by the humans analysis', async () => {
    const res = await upload(good);
    expect(res.status).toBe(201);
    const b = await body(res);
    expect(b).toMatchObject({ name: 'pilot (3 trials, 2 participants)', rows: 3, participants: 2 });
    const list = await owner.caller.artifact.list({ workspaceId: owner.personalWorkspaceId });
    const row = list.find((a) => a.id === b.id)!;
    expect(row.contentType).toBe(HUMAN_TRIALS_TYPE);
    // The workspace page lists artifacts of the type it knows (app/components/humans/HumanUpload.tsx).
    expect(APP_HUMAN_TRIALS_TYPE).toBe(HUMAN_TRIALS_TYPE);
    const stored = new TextDecoder().decode(new Uint8Array(await new Response(await store.get(row.key)).arrayBuffer()));
    expect(stored).toBe(good);
    // What `analyse humans --csv` does with it (workers/cli/humans.ts).
    const table = trialTable(parseHumanTrialsCsv(stored), { minPassRate: 0.75 });
    expect(table.rows.length).toBe(3);
  });

  it('refuses a bad row (400), a viewer (403), a foreign Origin (403) and no session (401), storing nothing', async () => {
    const before = (await owner.caller.artifact.list({ workspaceId: owner.personalWorkspaceId })).length;
    const r1 = await upload(`${header}\np01,0,s0,learning,false,,,0,,x,0,3,812`);
    expect(r1.status).toBe(400);
    expect((await body(r1)).error).toBe("human trials CSV line 2, column target: 'x' must be an integer");
    const r2 = await upload(good, { token: viewer.token });
    expect(r2.status).toBe(403);
    expect((await body(r2)).error).toBe('Only editors and owners can upload human responses.');
    expect((await upload(good, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await upload(good, { token: 'nope' })).status).toBe(401);
    expect((await owner.caller.artifact.list({ workspaceId: owner.personalWorkspaceId })).length).toBe(before);
  });
});
