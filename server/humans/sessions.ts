import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { HumanTrial, HUMAN_RC_CAPTIONS, HUMAN_RC_FOLDER, HUMAN_TRIAL_COLUMNS, type Manifest } from '../../workers/contract';
import type { Db } from '../db/client';
import { humanParticipants, humanResponses, humanSessions, runs, type HumanSessionSettings } from '../db/schema';
import { runManifests } from '../dashboards/load';
import { getArtifactStore, type ArtifactStore } from '../storage';
import type { StoredStimulus } from './plan';

export type HumanSessionRow = typeof humanSessions.$inferSelect;

export const DEFAULT_SETTINGS: HumanSessionSettings = { identities: 3, timeLimitMs: 10_000, maxTrials: 120, attentionChecks: 3 };
/** The hard cap on trials per participant (what a person does in one sitting). */
export const MAX_TRIALS_PER_PARTICIPANT = 400;

/** 22 base64url characters (128 bits): unguessable, so closed or unpublished neighbours cannot be found. */
export function newSessionToken(): string {
  return randomBytes(16).toString('base64url');
}
export const TOKEN_RE = /^[A-Za-z0-9_-]{22}$/;

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Why a link does not take participants, or 'open'. */
export type LinkState = 'open' | 'unknown' | 'unpublished' | 'not-yet-open' | 'closed';

export async function sessionByToken(db: Db, token: string): Promise<HumanSessionRow | null> {
  if (!TOKEN_RE.test(token)) return null;
  const [row] = await db.select().from(humanSessions).where(eq(humanSessions.token, token)).limit(1);
  return row ?? null;
}

export function linkState(s: HumanSessionRow | null, now = new Date()): LinkState {
  if (!s) return 'unknown';
  if (!s.published) return 'unpublished';
  if (now < s.opensAt) return 'not-yet-open';
  if (now >= s.closesAt) return 'closed';
  return 'open';
}

/** The sentence a participant reads for a link that takes no participants. */
export function linkStateMessage(state: Exclude<LinkState, 'open'>, s: HumanSessionRow | null): string {
  switch (state) {
    case 'unknown':
      return 'This study link does not exist. Check the address you were given.';
    case 'unpublished':
      return 'This study has been withdrawn by the team that ran it. No responses are taken.';
    case 'not-yet-open':
      return `This study is not open yet. It opens on ${s!.opensAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`;
    case 'closed':
      return `This study closed on ${s!.closesAt.toISOString().slice(0, 16).replace('T', ' ')} UTC and takes no more responses. Thank you for your interest.`;
  }
}

async function readJson(store: ArtifactStore, key: string): Promise<unknown> {
  return JSON.parse(await new Response(await store.get(key)).text());
}

/**
 * The run's stored stimuli: every manifest artifact named stimuli/<i>.png whose factors.json[i]
 * (of the same step) gives an integer identity. Graded (manipulation, level) and noise (noiseTrial)
 * stimuli are recognised by those factor fields (see plan.ts).
 */
export async function storedStimuli(db: Db, runId: string, store: ArtifactStore = getArtifactStore()): Promise<StoredStimulus[]> {
  const [run] = await db.select().from(runs).where(eq(runs.id, runId)).limit(1);
  if (!run) return [];
  const out: StoredStimulus[] = [];
  for (const m of await runManifests(db, run)) out.push(...(await stimuliOfManifest(m, store)));
  return out;
}

const MANIPULATIONS = new Set(['shape-scale', 'texture-scale', 'shape-morph', 'texture-morph']);

/**
 * The render step's gallery (stimuli/<i>.png, factors.json), the generalisation step's graded
 * images (human-stimuli/<i>.png, human-factors.json) and the reverse-correlation step's noise
 * trials (human-rc/<i>.png, human-rc.json; workers/functions/analyses.ts).
 */
async function stimuliOfManifest(m: Manifest, store: ArtifactStore): Promise<StoredStimulus[]> {
  return [
    ...(await stimuliOf(m, store, 'stimuli', 'factors.json')),
    ...(await stimuliOf(m, store, 'human-stimuli', 'human-factors.json')),
    ...(await stimuliOf(m, store, HUMAN_RC_FOLDER, HUMAN_RC_CAPTIONS)),
  ];
}

async function stimuliOf(m: Manifest, store: ArtifactStore, folder: string, factorsName: string): Promise<StoredStimulus[]> {
  const pngs = m.artifacts.filter((a) => a.name.startsWith(`${folder}/`) && /^\d+\.png$/.test(a.name.slice(folder.length + 1)));
  const file = m.artifacts.find((a) => a.name === factorsName);
  if (!pngs.length || !file || file.size > 32 * 1024 * 1024) return [];
  const factors = (await readJson(store, file.key)) as Record<string, unknown>[];
  if (!Array.isArray(factors)) return [];
  const out: StoredStimulus[] = [];
  for (const a of pngs) {
    const index = Number(a.name.slice(folder.length + 1, -'.png'.length));
    const f = factors[index];
    if (!f || !Number.isInteger(f.identity)) continue;
    const manipulation = typeof f.manipulation === 'string' && MANIPULATIONS.has(f.manipulation) ? (f.manipulation as StoredStimulus['manipulation']) : null;
    out.push({
      name: a.name,
      index,
      key: a.key,
      identity: f.identity as number,
      yawDeg: typeof f.yaw === 'number' ? f.yaw : null,
      manipulation,
      level: manipulation && typeof f.level === 'number' ? f.level : null,
      noiseTrial: Number.isInteger(f.noiseTrial) ? (f.noiseTrial as number) : null,
    });
  }
  return out.sort((x, y) => x.index - y.index);
}

/** Every stored response of a session as HumanTrial rows, in participant then trial order. */
export async function sessionTrials(db: Db, sessionId: string): Promise<HumanTrial[]> {
  const rows = await db
    .select({ row: humanResponses.row })
    .from(humanResponses)
    .where(eq(humanResponses.sessionId, sessionId))
    .orderBy(asc(humanResponses.participantId), asc(humanResponses.trial));
  return rows.map((r) => HumanTrial.parse(r.row)).sort((a, b) => (a.participant < b.participant ? -1 : a.participant > b.participant ? 1 : a.trial - b.trial));
}

/** The trial table as CSV in HUMAN_TRIAL_COLUMNS order (the input of `analyse humans`). */
export function trialsCsv(rows: HumanTrial[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [HUMAN_TRIAL_COLUMNS.map((c) => c.name).join(','), ...rows.map((r) => HUMAN_TRIAL_COLUMNS.map((c) => cell(r[c.name])).join(','))].join('\n') + '\n';
}

/** Participants and answered trials of a session. */
export async function sessionCounts(db: Db, sessionId: string): Promise<{ participants: number; responses: number }> {
  const ps = await db.select({ id: humanParticipants.id }).from(humanParticipants).where(eq(humanParticipants.sessionId, sessionId));
  const rs = await db.select({ id: humanResponses.id }).from(humanResponses).where(eq(humanResponses.sessionId, sessionId));
  return { participants: ps.length, responses: rs.length };
}

export async function sessionOfRun(db: Db, runId: string, sessionId: string): Promise<HumanSessionRow | null> {
  const [row] = await db.select().from(humanSessions).where(and(eq(humanSessions.id, sessionId), eq(humanSessions.runId, runId))).limit(1);
  return row ?? null;
}
