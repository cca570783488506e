import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { experimentPreset, planRun, type Manifest } from '../../workers/contract';
import { createTestDb, DB_TARGETS } from './db';
import { addMember, signUpUser, type TestUser } from './callers';
import type { DbHandle } from '../../server/db/client';
import { humanResponses, humanSessions, runs, runSteps } from '../../server/db/schema';
import { FsArtifactStore } from '../../server/storage';
import { handleHumanGet, handleHumanPost, serveHumanStimulus, type HumanApiDeps } from '../../server/humans/participant';
import { seedHumanStimuli } from '../dashboards/seed-stimuli';

/**
 * Human sessions (issue 15.1) against PGlite: the team's procedures, the anonymous participant API
 * (consent, code, resume, dedupe, caps, rate limits, closed links, cross-site writes) and the
 * analysis of the stored responses (attention-failed participant flagged, out of the pooled
 * statistics, kept in the export).
 */
async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
}

let dir: string;
let store: FsArtifactStore;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'deeper-humans-'));
  process.env.DATA_DIR = dir;
  store = new FsArtifactStore(path.join(dir, 'artifacts'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown> & { trial?: { index: number; shownLabel: number | null; attentionCheck: boolean } | null };

describe.each(DB_TARGETS)('human sessions on %s', (target) => {
  let h: DbHandle;
  let owner: TestUser, viewer: TestUser;
  let runId: string, bareRunId: string, token: string, sessionId: string;
  const limits = { perLink: 10_000, perAddress: 10_000 };
  const deps = (): HumanApiDeps => ({ db: h.db, store, limits });

  /** A browser of one participant: its own cookie jar (the participant cookie) and address. */
  function browser(ip: string, d: () => HumanApiDeps = deps, tok?: string) {
    let cookie = '';
    const token0 = () => tok ?? token;
    const req = (method: string, body?: unknown, extra: Record<string, string> = {}) =>
      new Request(`http://localhost/api/h/${token0()}`, {
        method,
        headers: { 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json', origin: 'http://localhost', 'sec-fetch-site': 'same-origin' } : {}), ...extra },
        body: body ? JSON.stringify(body) : undefined,
      });
    return {
      async get(): Promise<{ status: number; body: Json }> {
        const r = await handleHumanGet(req('GET'), token0(), d());
        return { status: r.status, body: (await r.json()) as Json };
      },
      async post(body: unknown, extra: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
        const r = await handleHumanPost(req('POST', body, extra), token0(), d());
        const set = r.headers.get('set-cookie');
        if (set) cookie = set.split(';')[0]!;
        return { status: r.status, body: (await r.json()) as Json };
      },
      image: (trial: number) => serveHumanStimulus(req('GET'), token0(), trial, d()),
    };
  }

  beforeAll(async () => {
    h = await createTestDb(target);
    owner = await signUpUser(h.db, 'owner@example.com');
    viewer = await signUpUser(h.db, 'viewer@example.com');
    const workspaceId = owner.personalWorkspaceId;
    await addMember(owner, workspaceId, viewer, 'viewer');
    const config = experimentPreset('demo');
    const insertRun = async () =>
      (await h.db.insert(runs).values({ workspaceId, experimentId: null, config, plan: planRun(config), status: 'succeeded', stage: 'finalise', fraction: 1, createdBy: owner.id }).returning({ id: runs.id }))[0]!.id;
    runId = await insertRun();
    bareRunId = await insertRun();
    await seedHumanStimuli(h.db, store, runId, { identities: 3, sizePx: 32 });
  });
  afterAll(async () => {
    await h?.close();
  });

  const consent = 'You will see faces and say which one you learned. Your answers are anonymous.';
  const window = () => ({ opensAt: new Date(Date.now() - 60_000), closesAt: new Date(Date.now() + 3_600_000) });

  it('editors create a session on a run with stored stimuli; viewers cannot; a run without stimuli is refused', async () => {
    const settings = { identities: 3, timeLimitMs: 5000, maxTrials: 30, attentionChecks: 3 };
    expect(await code(viewer.caller.humans.create({ runId, title: 'Faces', consentText: consent, ...window(), settings }))).toBe('FORBIDDEN');
    expect(await code(owner.caller.humans.create({ runId: bareRunId, title: 'Faces', consentText: consent, ...window(), settings }))).toBe('PRECONDITION_FAILED');
    expect(await code(owner.caller.humans.create({ runId, title: 'Faces', consentText: consent, opensAt: new Date(), closesAt: new Date(Date.now() - 1), settings }))).toBe('BAD_REQUEST');
    const s = await owner.caller.humans.create({ runId, title: 'Faces', consentText: consent, ...window(), settings });
    expect(s.identities).toBe(3);
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    token = s.token;
    sessionId = s.id;
    const list = await viewer.caller.humans.list({ runId });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ state: 'open', participants: 0, responses: 0 });
  });

  it('consent, a pseudonymous code, a capped plan with learning first and attention checks, resume from the next unanswered trial', async () => {
    const b = browser('10.1.0.1');
    const first = await b.get();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ state: 'consent', consent });
    expect((await b.post({ action: 'join', consent: false })).status).toBe(400);
    const joined = await b.post({ action: 'join', consent: true });
    expect(joined.status).toBe(200);
    expect(joined.body.participant).toMatch(/^P[0-9A-F]{12}$/);
    expect(joined.body.total).toBe(30);
    expect(joined.body.identities).toEqual([1, 2, 3]);
    expect(joined.body.trial).toMatchObject({ index: 0, shownLabel: 1, attentionCheck: false });
    expect(String(joined.body.secret)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const img = await b.image(0);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect((await b.image(30)).status).toBe(404);
    // Answer two trials, then "reload": the state resumes at trial 2, also from the header secret alone.
    for (const t of [0, 1]) expect((await b.post({ action: 'respond', trial: t, response: 1, confidence: 4, rtMs: 800 })).body.stored).toBe(true);
    expect((await b.get()).body.trial?.index).toBe(2);
    const fromHeader = await handleHumanGet(new Request(`http://localhost/api/h/${token}`, { headers: { 'x-participant': String(joined.body.secret) } }), token, deps());
    expect(((await fromHeader.json()) as Json).trial?.index).toBe(2);
    // Joining again from the same browser resumes instead of issuing a second code.
    const again = await b.post({ action: 'join', consent: true });
    expect(again.body.participant).toBe(joined.body.participant);
  });

  it('a duplicate submission is stored once; skipping ahead, answering beyond the cap and unknown responses are refused; late answers count as none', async () => {
    const b = browser('10.1.0.2');
    const j = await b.post({ action: 'join', consent: true });
    const r1 = await b.post({ action: 'respond', trial: 0, response: 1, confidence: 3, rtMs: 900 });
    const r2 = await b.post({ action: 'respond', trial: 0, response: 2, confidence: 1, rtMs: 400 });
    expect(r1.body).toMatchObject({ stored: true, duplicate: false });
    expect(r2.status).toBe(200);
    expect(r2.body).toMatchObject({ stored: false, duplicate: true });
    const p = await h.db.select().from(humanResponses).where(eq(humanResponses.sessionId, sessionId));
    const mine = p.filter((r) => r.row.participant === j.body.participant);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.row).toMatchObject({ trial: 0, response: 0, confidence: 3, rt_ms: 900, condition: 'learning' });
    expect((await b.post({ action: 'respond', trial: 5, response: 1, confidence: 3, rtMs: 900 })).status).toBe(409);
    expect((await b.post({ action: 'respond', trial: 30, response: 1, confidence: 3, rtMs: 900 })).status).toBe(409);
    expect((await b.post({ action: 'respond', trial: 1, response: 7, confidence: 3, rtMs: 900 })).status).toBe(400);
    expect((await b.post({ action: 'respond', trial: 1, response: 1, confidence: null, rtMs: 900 })).status).toBe(400);
    const late = await b.post({ action: 'respond', trial: 1, response: 1, confidence: 4, rtMs: 9000 });
    expect(late.body.stored).toBe(true);
    const [row] = (await h.db.select().from(humanResponses).where(eq(humanResponses.sessionId, sessionId))).filter((r) => r.row.participant === j.body.participant && r.trial === 1);
    expect(row!.row).toMatchObject({ response: -1, confidence: null, rt_ms: null });
  });

  it('writes are same-origin JSON only', async () => {
    const b = browser('10.1.0.3');
    expect((await b.post({ action: 'join', consent: true }, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })).status).toBe(403);
    const r = await handleHumanPost(new Request(`http://localhost/api/h/${token}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"action":"join","consent":true}' }), token, deps());
    expect(r.status).toBe(415);
  });

  it('rate limits: per address, then per link (429 with Retry-After)', async () => {
    const tight = (): HumanApiDeps => ({ db: h.db, store, limits: { perLink: 5, perAddress: 3 } });
    // A link of its own: the other tests' writes of the last minute count against the first link.
    const own = (await owner.caller.humans.create({ runId, title: 'Limits', consentText: consent, ...window() })).token;
    const a = browser('10.9.0.1', tight, own);
    for (let i = 0; i < 3; i++) expect((await a.post({ action: 'join', consent: true })).status).toBe(200);
    const refused = await handleHumanPost(
      new Request(`http://localhost/api/h/${own}`, { method: 'POST', headers: { 'x-forwarded-for': '10.9.0.1', 'content-type': 'application/json' }, body: '{"action":"join","consent":true}' }),
      own,
      tight(),
    );
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: string }).error).toMatch(/this address/);
    const b = browser('10.9.0.2', tight, own);
    expect((await b.post({ action: 'join', consent: true })).status).toBe(200);
    expect((await b.post({ action: 'join', consent: true })).status).toBe(200);
    const c = await browser('10.9.0.3', tight, own).post({ action: 'join', consent: true });
    expect(c.status).toBe(429);
    expect(String(c.body.error)).toMatch(/this study link/);
  });

  it('a closed, not yet open, withdrawn or unknown link answers 410 with a sentence to show', async () => {
    const b = browser('10.1.0.4');
    await h.db.update(humanSessions).set({ closesAt: new Date(Date.now() - 1000) }).where(eq(humanSessions.id, sessionId));
    let r = await b.get();
    expect(r.status).toBe(410);
    expect(r.body).toMatchObject({ state: 'closed' });
    expect(String(r.body.error)).toMatch(/closed on .* UTC/);
    expect((await b.post({ action: 'join', consent: true })).status).toBe(410);
    await h.db.update(humanSessions).set({ opensAt: new Date(Date.now() + 3_600_000), closesAt: new Date(Date.now() + 7_200_000) }).where(eq(humanSessions.id, sessionId));
    expect((await b.get()).body.state).toBe('not-yet-open');
    await h.db.update(humanSessions).set({ opensAt: new Date(Date.now() - 60_000) }).where(eq(humanSessions.id, sessionId));
    await owner.caller.humans.setPublished({ runId, sessionId, published: false });
    r = await b.get();
    expect(r.status).toBe(410);
    expect(r.body.state).toBe('unpublished');
    const unknown = await handleHumanGet(new Request('http://localhost/api/h/AAAAAAAAAAAAAAAAAAAAAA'), 'AAAAAAAAAAAAAAAAAAAAAA', deps());
    expect(unknown.status).toBe(410);
    await owner.caller.humans.setPublished({ runId, sessionId, published: true });
    expect((await b.get()).status).toBe(200);
  });

  it('two participants complete the session; the one who fails the attention checks is flagged, out of the pooled curves, kept in the CSV', async () => {
    const finish = async (ip: string, attentive: boolean) => {
      const b = browser(ip);
      let s = (await b.post({ action: 'join', consent: true })).body;
      // What a participant answers: the shown number on learning and check trials (an inattentive one
      // answers 3 on every check: wrong on the checks showing 1 or 2), else face 1.
      while (s.trial) {
        const t = s.trial;
        const response = t.attentionCheck && !attentive ? (t.shownLabel === 3 ? 1 : 3) : (t.shownLabel ?? 1);
        s = (await b.post({ action: 'respond', trial: t.index, response, confidence: 2, rtMs: 700 })).body;
      }
      return String(s.participant);
    };
    const good = await finish('10.2.0.1', true);
    const bad = await finish('10.2.0.2', false);
    // The run's generalisation result (a network's curves at the seeded levels, a fixture): the analysis puts the humans beside it.
    const levels = [0, 0.5, 1, 1.5];
    const netCurve = (manipulation: string, accuracy: number[]) => ({ manipulation, levels, probability: accuracy, accuracy, auc: 0, levelBelowHalf: null });
    const ref = { file: 'x.f32', dtype: 'float32', shape: [1], layout: '[x]', unit: '' };
    const netSummary = { kind: 'generalisation', identities: [0, 1, 2], posesYawDeg: [0], sizePx: 32, curves: [netCurve('shape-scale', [0.9, 1, 1, 1]), netCurve('texture-scale', [0.1, 0.4, 1, 0.7])], arrays: { probability: ref, correct: ref } };
    const put = await store.put(new TextEncoder().encode(JSON.stringify(netSummary)));
    const manifest: Manifest = { runId, stepId: 'analysis-generalisation', functionId: 'analysis-generalisation', artifacts: [{ name: 'summary.json', key: put.key, size: put.size, contentType: 'application/json' }], summary: { kind: 'generalisation' } };
    await h.db.insert(runSteps).values({ runId, stepId: 'analysis-generalisation', functionId: 'analysis-generalisation', stage: 'analyses', status: 'completed', attempts: 1, fraction: 1, output: { manifestKey: 'k', manifest } });
    const a = await owner.caller.humans.analyse({ runId, sessionId });
    const beside = a.summary.curvesBesideNetwork!;
    expect(beside.map((c) => c.manipulation).sort()).toEqual(['shape-scale', 'texture-scale']);
    const tex = beside.find((c) => c.manipulation === 'texture-scale')!;
    expect(tex.levels.length).toBeGreaterThan(0);
    tex.levels.forEach((lv, i) => expect(tex.networkAccuracy[i]).toBe([0.1, 0.4, 1, 0.7][levels.indexOf(lv)]));
    const score = (p: string) => a.summary.attention.find((x) => x.participant === p)!;
    expect(score(good)).toMatchObject({ checks: 3, passed: 3, flagged: false });
    expect(score(bad).flagged).toBe(true);
    expect(score(bad).passed).toBe(0);
    expect(a.summary.included).toContain(good);
    expect(a.summary.included).not.toContain(bad);
    expect(a.summary.generalisation!.included).not.toContain(bad);
    expect(a.summary.generalisation!.pooled.map((c) => c.manipulation).sort()).toEqual(['shape-scale', 'texture-scale']);
    const csv = (await viewer.caller.humans.exportCsv({ runId, sessionId })).csv.split(/\r?\n/);
    expect(csv[0]).toBe('participant,trial,stimulus_id,condition,attention_check,manipulation,level,yaw_deg,noise_trial,target,response,confidence,rt_ms');
    expect(csv.filter((l) => l.startsWith(`${bad},`))).toHaveLength(30);
    expect(csv.filter((l) => l.startsWith(`${good},`))).toHaveLength(30);
    const stored = await viewer.caller.humans.analysis({ runId, sessionId });
    expect(stored!.rows).toBe(a.rows);
  }, 120_000);
});
