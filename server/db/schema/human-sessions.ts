import { boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { HumanTrial } from '../../../workers/contract';
import { runs } from './runs';
import { users } from './users';
import { workspaces } from './workspaces';

/**
 * Human observers (issue 15): a "human session" is a link /h/<token> that a team opens for
 * anonymous participants on the stored stimuli of one run. Participants get a pseudonymous code
 * (no personal data); each answered trial is one row of human_responses, whose columns are the
 * tidy trial table of workers/contract/human-trials.ts (HumanTrial) plus the session and the
 * participant's row id. (session, participant, trial) is unique: a resubmitted trial is stored once.
 */
export interface HumanSessionSettings {
  /** Identities learned and tested (the first k identities that have stored stimuli). */
  identities: number;
  /** Time allowed per trial (ms); no response by then stores response −1. */
  timeLimitMs: number;
  /** At most this many trials per participant (the plan is cut to it). */
  maxTrials: number;
  /** Attention-check (catch) trials in the plan. */
  attentionChecks: number;
}

export const humanSessions = pgTable(
  'human_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    /** URL token of /h/<token>: 22 random base64url characters (128 bits). */
    token: text('token').notNull().unique(),
    title: text('title').notNull(),
    consentText: text('consent_text').notNull(),
    opensAt: timestamp('opens_at', { withTimezone: true }).notNull(),
    closesAt: timestamp('closes_at', { withTimezone: true }).notNull(),
    published: boolean('published').notNull().default(true),
    settings: jsonb('settings').$type<HumanSessionSettings>().notNull(),
    /** The last HumanSummary computed from the stored responses (workers/cli humans), and when. */
    analysis: jsonb('analysis'),
    analysedAt: timestamp('analysed_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('human_sessions_run_idx').on(t.runId)],
);

/** A participant of one session: a pseudonymous code and the hash of the secret its browser holds. */
export const humanParticipants = pgTable(
  'human_participants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => humanSessions.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    /** sha256 hex of the participant secret (cookie and localStorage); the secret itself is never stored. */
    secretHash: text('secret_hash').notNull().unique(),
    /** The participant's trial plan (HumanTrial rows without response fields), fixed at join. */
    plan: jsonb('plan').$type<PlannedHumanTrial[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('human_participants_session_code').on(t.sessionId, t.code)],
);

/** One planned trial: what is shown (artifact key of the PNG) and the HumanTrial fields known before the response. */
export type PlannedHumanTrial = Omit<HumanTrial, 'participant' | 'response' | 'confidence' | 'rt_ms'> & {
  /** Artifact store key of the stimulus PNG. */
  imageKey: string;
  /** Identity number shown with the image (learning trials and attention checks), else null. */
  shownLabel: number | null;
};

export const humanResponses = pgTable(
  'human_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => humanSessions.id, { onDelete: 'cascade' }),
    participantId: uuid('participant_id')
      .notNull()
      .references(() => humanParticipants.id, { onDelete: 'cascade' }),
    /** The HumanTrial row (workers/contract/human-trials.ts), validated before it is stored. */
    row: jsonb('row').$type<HumanTrial>().notNull(),
    trial: integer('trial').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('human_responses_once').on(t.sessionId, t.participantId, t.trial)],
);

/** Anonymous writes, for the per-link and per-address rate limits (rows older than the window are deleted). */
export const humanWrites = pgTable(
  'human_writes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => humanSessions.id, { onDelete: 'cascade' }),
    /** sha256 of the client address with a per-process salt: a counter key, not an address. */
    addressHash: text('address_hash').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('human_writes_session_idx').on(t.sessionId, t.at), index('human_writes_address_idx').on(t.addressHash, t.at)],
);
