import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { HumanTrial } from '../../workers/contract';
import type { Db } from '../db/client';
import { getDb } from '../db/client';
import { humanParticipants, humanResponses, type PlannedHumanTrial } from '../db/schema';
import { crossSiteRefusal, isJsonContentType } from '../http/same-origin';
import { clientIp } from '../http/client-ip';
import { secureCookiesFor } from '../config';
import { getArtifactStore, type ArtifactStore } from '../storage';
import { planTrials, rcFoil } from './plan';
import { beginHumanWrite, humanWriteLimits, type HumanWriteLimits } from './rate-limit';
import { linkState, linkStateMessage, sessionByToken, sha256, storedStimuli, type HumanSessionRow } from './sessions';

/**
 * The anonymous participant API of a human session, /api/h/<token> (app/api/h/[token]/route.ts):
 *   GET                        the participant's state: next unanswered trial (resume after reload)
 *   POST {action:'join', consent:true}            consent given: a pseudonymous code and a plan
 *   POST {action:'respond', trial, response, confidence, rtMs}   one answered trial
 *   GET  /api/h/<token>/image/<trial>             the stimulus PNG of one of the participant's trials
 * The participant is recognised by a secret in an httpOnly cookie (path /api/h/<token>), or the
 * same secret in the x-participant header (the page keeps it in localStorage too). Writes: same
 * origin only, JSON only, rate-limited per link and per address. A link that is unknown,
 * unpublished, not yet open or closed answers 410 with the sentence to show.
 */
export interface HumanApiDeps {
  db?: Db;
  store?: ArtifactStore;
  limits?: HumanWriteLimits;
  now?: Date;
}

const COOKIE = 'deeper_participant';
/** Slack on the time limit for network delay before a late answer counts as no response (ms). */
export const LATE_GRACE_MS = 1500;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers } });
}

function secretOf(req: Request): string | null {
  const cookie = req.headers.get('cookie') ?? '';
  const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([A-Za-z0-9_-]{43})`).exec(cookie);
  const header = req.headers.get('x-participant');
  return m?.[1] ?? (header && /^[A-Za-z0-9_-]{43}$/.test(header) ? header : null);
}

async function participantOf(db: Db, s: HumanSessionRow, req: Request) {
  const secret = secretOf(req);
  if (!secret) return null;
  const [p] = await db.select().from(humanParticipants).where(and(eq(humanParticipants.secretHash, sha256(secret)), eq(humanParticipants.sessionId, s.id))).limit(1);
  return p ?? null;
}

/** label (1..k, the number on screen) → class index, from the plan's labelled trials. */
function labels(plan: PlannedHumanTrial[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of plan) if (t.shownLabel !== null) m.set(t.shownLabel, t.target);
  return new Map([...m].sort(([a], [b]) => a - b));
}

/** The number on screen of class `target` (null when it is not a learned face). */
function labelOf(plan: PlannedHumanTrial[], target: number): number | null {
  for (const [label, cls] of labels(plan)) if (cls === target) return label;
  return null;
}

async function answered(db: Db, participantId: string): Promise<Set<number>> {
  const rows = await db.select({ trial: humanResponses.trial }).from(humanResponses).where(eq(humanResponses.participantId, participantId));
  return new Set(rows.map((r) => r.trial));
}

function nextTrial(plan: PlannedHumanTrial[], done: Set<number>): number | null {
  for (const t of plan) if (!done.has(t.trial)) return t.trial;
  return null;
}

async function stateOf(db: Db, s: HumanSessionRow, p: typeof humanParticipants.$inferSelect) {
  const done = await answered(db, p.id);
  const next = nextTrial(p.plan, done);
  const t = next === null ? null : p.plan[next]!;
  return {
    state: 'open' as const,
    title: s.title,
    participant: p.code,
    total: p.plan.length,
    answered: done.size,
    timeLimitMs: s.settings.timeLimitMs,
    identities: [...labels(p.plan).keys()],
    // What the screen needs, and nothing that gives the answer away (the label only where it is shown).
    // Reverse-correlation trials ask "Is this face <ask>?" (yes / no) instead of "Which face is this?".
    trial: t && { index: t.trial, phase: t.shownLabel !== null && !t.attention_check ? 'learning' : 'test', shownLabel: t.shownLabel, attentionCheck: t.attention_check, ask: t.condition === 'reverse-correlation' ? labelOf(p.plan, t.target) : null },
  };
}

function closed(s: HumanSessionRow | null, now: Date): Response | null {
  const state = linkState(s, now);
  return state === 'open' ? null : json(410, { state, error: linkStateMessage(state, s) });
}

export async function handleHumanGet(req: Request, token: string, deps: HumanApiDeps = {}): Promise<Response> {
  const db = deps.db ?? getDb();
  const s = await sessionByToken(db, token);
  const refusal = closed(s, deps.now ?? new Date());
  if (refusal) return refusal;
  const p = await participantOf(db, s!, req);
  if (!p) return json(200, { state: 'consent', title: s!.title, consent: s!.consentText, timeLimitMs: s!.settings.timeLimitMs });
  return json(200, await stateOf(db, s!, p));
}

const Join = z.object({ action: z.literal('join'), consent: z.literal(true, 'consent: the consent box must be ticked') });
const Respond = z.object({
  action: z.literal('respond'),
  trial: z.number().int().min(0).max(100_000),
  /** The number on screen (1..k) chosen, or −1 when the time ran out; reverse-correlation trials: the asked number = yes, 0 = no. */
  response: z.number().int().min(-1).max(99),
  confidence: z.number().int().min(1).max(4).nullable(),
  rtMs: z.number().min(0).max(600_000).nullable(),
});
const Body = z.discriminatedUnion('action', [Join, Respond]);

export async function handleHumanPost(req: Request, token: string, deps: HumanApiDeps = {}): Promise<Response> {
  const db = deps.db ?? getDb();
  const now = deps.now ?? new Date();
  const crossSite = crossSiteRefusal(req);
  if (crossSite) return json(403, { error: crossSite });
  if (!isJsonContentType(req.headers.get('content-type'))) return json(415, { error: 'content-type: application/json is required' });
  const s = await sessionByToken(db, token);
  const refusal = closed(s, now);
  if (refusal) return refusal;
  let body: z.infer<typeof Body>;
  try {
    const parsed = Body.safeParse(await req.json());
    if (!parsed.success) return json(400, { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ') });
    body = parsed.data;
  } catch {
    return json(400, { error: 'body: not JSON' });
  }
  const verdict = await beginHumanWrite(db, s!.id, clientIp(req.headers), deps.limits ?? humanWriteLimits(), now);
  if (!verdict.allowed)
    return json(429, { error: `Too many responses from ${verdict.reason === 'address' ? 'this address' : 'this study link'}; wait ${verdict.retryAfterSeconds} s.` }, { 'retry-after': String(verdict.retryAfterSeconds) });
  const existing = await participantOf(db, s!, req);
  if (body.action === 'join') {
    if (existing) return json(200, { ...(await stateOf(db, s!, existing)) });
    const code = `P${randomBytes(6).toString('hex').toUpperCase()}`;
    const secret = randomBytes(32).toString('base64url');
    const stimuli = await storedStimuli(db, s!.runId, deps.store ?? getArtifactStore());
    const plan = planTrials(stimuli, s!.settings, `${s!.id}:${code}`);
    const [p] = await db.insert(humanParticipants).values({ sessionId: s!.id, code, secretHash: sha256(secret), plan }).returning();
    const secure = secureCookiesFor(req.url, req.headers) ? '; Secure' : '';
    const cookie = `${COOKIE}=${secret}; Path=/api/h/${token}; HttpOnly; SameSite=Strict; Max-Age=${60 * 60 * 24 * 30}${secure}`;
    return json(200, { ...(await stateOf(db, s!, p!)), secret }, { 'set-cookie': cookie });
  }
  if (!existing) return json(401, { error: 'participant: give consent first (no participant code for this browser)' });
  const plan = existing.plan;
  if (body.trial >= plan.length) return json(409, { error: `trial: this participant's session has ${plan.length} trials (the cap); trial ${body.trial} is beyond it` });
  const done = await answered(db, existing.id);
  if (done.has(body.trial)) return json(200, { stored: false, duplicate: true, ...(await stateOf(db, s!, existing)) });
  const next = nextTrial(plan, done);
  if (body.trial !== next) return json(409, { error: `trial: the next unanswered trial is ${next}, not ${body.trial}` });
  const t = plan[body.trial]!;
  const byLabel = labels(plan);
  const late = body.rtMs === null || body.rtMs > s!.settings.timeLimitMs + LATE_GRACE_MS;
  const noResponse = body.response === -1 || late;
  const rc = t.condition === 'reverse-correlation';
  const ask = rc ? labelOf(plan, t.target) : null;
  if (!noResponse && rc && body.response !== ask && body.response !== 0) return json(400, { error: `response: ${ask} (yes, it is face ${ask}), 0 (no) or -1` });
  if (!noResponse && !rc && !byLabel.has(body.response)) return json(400, { error: `response: one of ${[...byLabel.keys()].join(', ')} or -1` });
  if (!noResponse && body.confidence === null) return json(400, { error: 'confidence: a rating 1–4 is required with a response' });
  const row = HumanTrial.parse({
    participant: existing.code,
    trial: t.trial,
    stimulus_id: t.stimulus_id,
    condition: t.condition,
    attention_check: t.attention_check,
    manipulation: t.manipulation,
    level: t.level,
    yaw_deg: t.yaw_deg,
    noise_trial: t.noise_trial,
    target: t.target,
    response: noResponse ? -1 : rc ? (body.response === 0 ? rcFoil([...byLabel.values()], t.target) : t.target) : byLabel.get(body.response)!,
    confidence: noResponse ? null : body.confidence,
    rt_ms: noResponse ? null : Math.round(body.rtMs!),
  });
  // The unique (session, participant, trial) makes a racing duplicate a no-op.
  const inserted = await db.insert(humanResponses).values({ sessionId: s!.id, participantId: existing.id, trial: t.trial, row }).onConflictDoNothing().returning({ id: humanResponses.id });
  return json(200, { stored: inserted.length === 1, duplicate: inserted.length === 0, ...(await stateOf(db, s!, existing)) });
}

/** The PNG of one of the participant's trials (no other image of the run is reachable this way). */
export async function serveHumanStimulus(req: Request, token: string, trial: number, deps: HumanApiDeps = {}): Promise<Response> {
  const db = deps.db ?? getDb();
  const s = await sessionByToken(db, token);
  const refusal = closed(s, deps.now ?? new Date());
  if (refusal) return refusal;
  const p = await participantOf(db, s!, req);
  const t = p?.plan[trial];
  if (!p || !t) return json(404, { error: 'Not found' });
  const body = await (deps.store ?? getArtifactStore()).get(t.imageKey);
  return new Response(body, { status: 200, headers: { 'content-type': 'image/png', 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' } });
}
