import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { experimentPreset, planRun } from '../../workers/contract';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { drawNoise } from '../../workers/analyses/noise';
import { recovery, regionMask, resolveRegion } from '../../workers/analyses/regions';
import { simulateObserver } from '../../workers/analyses/human/observer';
import { createTestDb, DB_TARGETS } from './db';
import { signUpUser, type TestUser } from './callers';
import type { DbHandle } from '../../server/db/client';
import { humanResponses, runs } from '../../server/db/schema';
import { FsArtifactStore, getArtifactRow } from '../../server/storage';
import { handleHumanPost, serveHumanStimulus, type HumanApiDeps } from '../../server/humans/participant';
import { seedHumanStimuli } from '../dashboards/seed-stimuli';

/**
 * Reverse-correlation trials for people (issue 15) through the stored-trial path: a run whose
 * analysis step stored its noise trials as images (human-rc/<i>.png + captions + the noise spec,
 * seeded as the step stores them); participants get them after the generalisation block as
 * "Is this face N?" trials, and each stored response carries the image's noise trial index. A
 * planted observer answering through the participant API from one known feature (the luminance of
 * the nose tip, internal noise σ = 0.5) is recovered by the map that the session analysis
 * (`analyse humans` child process on the stored rows, the run's noise spec) computes.
 */
type Trial = { index: number; shownLabel: number | null; attentionCheck: boolean; ask: number | null };
type Json = Record<string, unknown> & { trial?: Trial | null };

const model = loadDefaultFaceModel();
const noseTip = resolveRegion(model, 'nose_tip', 5);
const TRIALS = 400;

let dir: string;
let store: FsArtifactStore;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'deeper-human-rc-'));
  process.env.DATA_DIR = dir;
  store = new FsArtifactStore(path.join(dir, 'artifacts'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.each(DB_TARGETS)('reverse-correlation trials for people on %s', (target) => {
  let h: DbHandle;
  let owner: TestUser;
  let runId: string;
  /** sha256 of each stored human-rc PNG → its noise trial. */
  const noiseTrialOfImage = new Map<string, number>();
  const deps = (): HumanApiDeps => ({ db: h.db, store, limits: { perLink: 100_000, perAddress: 100_000 } });

  function browser(ip: string, token: string) {
    let cookie = '';
    const req = (method: string, body?: unknown) =>
      new Request(`http://localhost/api/h/${token}`, {
        method,
        headers: { 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json', origin: 'http://localhost', 'sec-fetch-site': 'same-origin' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    return {
      async post(body: unknown): Promise<{ status: number; body: Json }> {
        const r = await handleHumanPost(req('POST', body), token, deps());
        const set = r.headers.get('set-cookie');
        if (set) cookie = set.split(';')[0]!;
        return { status: r.status, body: (await r.json()) as Json };
      },
      /** The noise trial of the image on screen (null for an image that is not a noise stimulus). */
      async seen(trial: number): Promise<number | null> {
        const r = await serveHumanStimulus(req('GET'), token, trial, deps());
        expect(r.status).toBe(200);
        return noiseTrialOfImage.get(sha(new Uint8Array(await r.arrayBuffer()))) ?? null;
      },
    };
  }

  beforeAll(async () => {
    h = await createTestDb(target);
    owner = await signUpUser(h.db, 'rc-owner@example.com');
    const config = experimentPreset('demo');
    runId = (await h.db.insert(runs).values({ workspaceId: owner.personalWorkspaceId, experimentId: null, config, plan: planRun(config), status: 'succeeded', stage: 'finalise', fraction: 1, createdBy: owner.id }).returning({ id: runs.id }))[0]!.id;
    const seeded = await seedHumanStimuli(h.db, store, runId, { identities: 3, sizePx: 48, rc: { trials: TRIALS, images: TRIALS, textureSd: 0.05, seed: 1 } });
    for (const [i, key] of seeded.rc!.keys.entries()) noiseTrialOfImage.set(sha(new Uint8Array(await new Response(await store.get(key)).arrayBuffer())), seeded.rc!.captions[i]!.noiseTrial);
    // Every noise image differs from every other: the image identifies its noise trial.
    expect(noiseTrialOfImage.size).toBe(TRIALS);
  }, 300_000);
  afterAll(async () => {
    await h?.close();
  });

  const window = () => ({ opensAt: new Date(Date.now() - 60_000), closesAt: new Date(Date.now() + 3_600_000) });

  it('serves "Is this face N?" trials after the generalisation block and stores each answer with the noise trial of its image', async () => {
    const s = await owner.caller.humans.create({ runId, title: 'Noise', consentText: 'Your answers are anonymous and stored under a code.', ...window(), settings: { identities: 3, timeLimitMs: 5000, maxTrials: 60, attentionChecks: 2 } });
    const b = browser('10.3.0.1', s.token);
    let st = (await b.post({ action: 'join', consent: true })).body;
    const code = String(st.participant);
    const shown = new Map<number, number | null>();
    let rcSeen = 0;
    while (st.trial) {
      const t = st.trial;
      const noiseTrial = await b.seen(t.index);
      shown.set(t.index, noiseTrial);
      let response: number;
      if (noiseTrial !== null) {
        // Identity 0 is face 1; only yes (1) or no (0) is taken.
        expect(t.ask).toBe(1);
        expect(t.shownLabel).toBeNull();
        if (rcSeen === 0) expect((await b.post({ action: 'respond', trial: t.index, response: 2, confidence: 2, rtMs: 600 })).status).toBe(400);
        response = rcSeen++ % 2 === 0 ? 1 : 0;
      } else {
        expect(t.ask).toBeNull();
        response = t.shownLabel ?? 2;
      }
      st = (await b.post({ action: 'respond', trial: t.index, response, confidence: 3, rtMs: 700 })).body;
    }
    // 60 − 6 learning − 2 checks = 52: half (26) noise trials, 26 of the 33 pose and graded ones.
    expect(rcSeen).toBe(26);
    const rows = (await h.db.select().from(humanResponses).where(eq(humanResponses.sessionId, s.id))).map((r) => r.row).filter((r) => r.participant === code);
    expect(rows).toHaveLength(60);
    const rc = rows.filter((r) => r.condition === 'reverse-correlation');
    const gen = rows.filter((r) => r.condition === 'generalisation');
    expect(rc).toHaveLength(26);
    expect(gen.length).toBeGreaterThan(0);
    expect(Math.min(...rc.map((r) => r.trial))).toBeGreaterThan(Math.max(...gen.map((r) => r.trial)));
    for (const r of rc) {
      expect(r.noise_trial).toBe(shown.get(r.trial));
      expect(r.stimulus_id).toBe(`human-rc/${r.noise_trial}.png`);
      expect(r.target).toBe(0);
    }
    // yes → the target (class 0); no → the next learned face (class 1).
    const order = rc.sort((x, y) => x.trial - y.trial);
    expect(order.map((r) => r.response)).toEqual(order.map((_, i) => (i % 2 === 0 ? 0 : 1)));
    expect(rows.filter((r) => r.condition !== 'reverse-correlation').every((r) => r.noise_trial === null)).toBe(true);
  }, 120_000);

  it('a planted observer (nose-tip luminance, σ = 0.5, ≤ 400 trials) answering through the API is recovered by the session map', async () => {
    const s = await owner.caller.humans.create({ runId, title: 'Planted', consentText: 'Your answers are anonymous and stored under a code.', ...window(), settings: { identities: 3, timeLimitMs: 5000, maxTrials: 400, attentionChecks: 4 } });
    // The observer's decision on every noise trial of the run's draw (observer.ts), looked up by the image it is shown.
    const noise = drawNoise(model, { basis: 'vertex', trials: TRIALS, shapeSd: 0, textureSd: 0.05, seed: 1 });
    const planted = simulateObserver(model, noise, {
      participant: 'planted', kind: 'texture', region: noseTip, noiseSd: 0.5, noiseTrials: Array.from({ length: TRIALS }, (_, i) => i), target: 0, foil: 1, attentionChecks: 0, attentionPassRate: 1, seed: 7,
    });
    const yes = planted.map((r) => r.response === r.target);
    const b = browser('10.3.0.2', s.token);
    let st = (await b.post({ action: 'join', consent: true })).body;
    let rcTrials = 0;
    while (st.trial) {
      const t = st.trial;
      const noiseTrial = t.ask !== null ? await b.seen(t.index) : null;
      if (t.ask !== null) {
        rcTrials++;
        expect(noiseTrial).not.toBeNull();
      }
      const response = noiseTrial !== null ? (yes[noiseTrial] ? t.ask! : 0) : (t.shownLabel ?? 1);
      st = (await b.post({ action: 'respond', trial: t.index, response, confidence: 3, rtMs: 700 })).body;
    }
    expect(st.total).toBe(400);
    const a = await owner.caller.humans.analyse({ runId, sessionId: s.id });
    const rc = a.summary.reverseCorrelation!;
    expect(rc.noise).toBe('vertex');
    expect(rc.options.feature).toBe('texture');
    expect(rc.participants).toHaveLength(1);
    expect(rc.participants[0]!.trials).toBe(rcTrials);
    const stored = await owner.caller.humans.analysis({ runId, sessionId: s.id });
    const link = stored!.rc!.arrays[rc.participants[0]!.mask!.file]!;
    const row = await getArtifactRow(h.db, link.id);
    const significant = new Uint8Array(await new Response(await store.get(row!.key)).arrayBuffer());
    expect(significant).toHaveLength(model.vertexCount);
    const rec = recovery(significant, regionMask(model.vertexCount, noseTip));
    console.log(`[human-rc] planted observer through the API: ${rcTrials} noise trials of 400, recall ${rec.recall.toFixed(2)}, precision ${rec.precision.toFixed(2)}, ${rc.participants[0]!.significantVertices} significant vertices, FWER threshold ${rc.participants[0]!.thresholdBits?.toFixed(4)} bits; prevalence ${JSON.stringify(rc.prevalence)}`);
    expect(rec.recall).toBeGreaterThanOrEqual(0.6);
    // The region has a handful of vertices, so one false positive would put precision at 0.75–0.83:
    // the map's FWER control allows that in ≈ 5 % of sessions (the session's trial order is random),
    // so the test bounds the count instead: more than one vertex outside the region fails.
    const inRegion = regionMask(model.vertexCount, noseTip);
    let outside = 0;
    for (let v = 0; v < significant.length; v++) if (significant[v] && !inRegion[v]) outside++;
    expect(outside).toBeLessThanOrEqual(1);
    expect(rc.prevalence).toMatchObject({ k: 1, n: 1 });
  }, 600_000);
});
