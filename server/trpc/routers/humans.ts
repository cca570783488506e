import { TRPCError } from '@trpc/server';
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { textField } from '../../../workers/contract';
import { humanSessions } from '../../db/schema';
import { router } from '../init';
import { dashboardRunProcedure } from '../procedures';
import { analyseSession, type StoredHumanAnalysis } from '../../humans/analyse';
import { learnedIdentities } from '../../humans/plan';
import { DEFAULT_SETTINGS, linkState, MAX_TRIALS_PER_PARTICIPANT, newSessionToken, sessionCounts, sessionOfRun, storedStimuli } from '../../humans/sessions';

/**
 * Human sessions of a run (issue 15): the team creates a participant link on the run's stored
 * stimuli, opens and closes it, analyses the stored responses and exports them. Every procedure is
 * scoped by runId (the run's workspace role); a sessionId must belong to that run.
 */
const Settings = z.object({
  identities: z.number().int().min(2).max(9).default(DEFAULT_SETTINGS.identities),
  timeLimitMs: z.number().int().min(1000).max(60_000).default(DEFAULT_SETTINGS.timeLimitMs),
  maxTrials: z.number().int().min(4).max(MAX_TRIALS_PER_PARTICIPANT).default(DEFAULT_SETTINGS.maxTrials),
  attentionChecks: z.number().int().min(0).max(50).default(DEFAULT_SETTINGS.attentionChecks),
});

const sessionId = z.object({ sessionId: z.uuid('sessionId must be a UUID') });

async function mustSession(ctx: { db: Parameters<typeof sessionOfRun>[0] }, runId: string, id: string) {
  const s = await sessionOfRun(ctx.db, runId, id);
  if (!s) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
  return s;
}

export const humansRouter = router({
  create: dashboardRunProcedure('editor')
    .input(
      z.object({
        title: textField('title', { min: 1, max: 200 }),
        consentText: textField('consentText', { min: 20, max: 10_000, multiline: true }),
        opensAt: z.coerce.date(),
        closesAt: z.coerce.date(),
        settings: Settings.default(Settings.parse({})),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (input.closesAt <= input.opensAt) throw new TRPCError({ code: 'BAD_REQUEST', message: 'closesAt: must be after opensAt' });
      const stimuli = await storedStimuli(ctx.db, input.runId);
      const learned = learnedIdentities(stimuli, input.settings.identities);
      if (learned.length < 2)
        throw new TRPCError({ code: 'PRECONDITION_FAILED', message: `This run has no rendered stimuli for a session (stored stimuli of ${learned.length} identities; at least 2 are needed).` });
      const [row] = await ctx.db
        .insert(humanSessions)
        .values({ workspaceId: ctx.workspaceId, runId: input.runId, token: newSessionToken(), title: input.title, consentText: input.consentText, opensAt: input.opensAt, closesAt: input.closesAt, settings: input.settings, createdBy: ctx.user.id })
        .returning();
      return { id: row!.id, token: row!.token, identities: learned.length };
    }),

  list: dashboardRunProcedure('viewer').query(async ({ ctx, input }) => {
    const rows = await ctx.db.select().from(humanSessions).where(eq(humanSessions.runId, input.runId)).orderBy(desc(humanSessions.createdAt));
    return Promise.all(
      rows.map(async (s) => ({
        id: s.id,
        token: s.token,
        title: s.title,
        opensAt: s.opensAt,
        closesAt: s.closesAt,
        published: s.published,
        state: linkState(s),
        settings: s.settings,
        analysedAt: s.analysedAt,
        ...(await sessionCounts(ctx.db, s.id)),
      })),
    );
  }),

  setPublished: dashboardRunProcedure('editor')
    .input(sessionId.extend({ published: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await mustSession(ctx, input.runId, input.sessionId);
      await ctx.db.update(humanSessions).set({ published: input.published }).where(eq(humanSessions.id, input.sessionId));
      return { published: input.published };
    }),

  /** Runs the human analyses on the stored responses (a child process; seconds) and stores the result. */
  analyse: dashboardRunProcedure('editor')
    .input(sessionId)
    .mutation(async ({ ctx, input }) => {
      const s = await mustSession(ctx, input.runId, input.sessionId);
      try {
        const a = await analyseSession(ctx.db, s);
        return { summary: a.summary, rows: a.rows, seconds: a.seconds };
      } catch (e) {
        throw new TRPCError({ code: 'PRECONDITION_FAILED', message: (e as Error).message });
      }
    }),

  /** The last analysis (null before the first). */
  analysis: dashboardRunProcedure('viewer')
    .input(sessionId)
    .query(async ({ ctx, input }) => {
      const s = await mustSession(ctx, input.runId, input.sessionId);
      const a = s.analysis as StoredHumanAnalysis | null;
      return a ? { summary: a.summary, rows: a.rows, analysedAt: s.analysedAt, rc: a.rc ?? null } : null;
    }),

  /** The tidy CSV of the last analysis (every participant, flagged ones included) and its data dictionary. */
  exportCsv: dashboardRunProcedure('viewer')
    .input(sessionId)
    .query(async ({ ctx, input }) => {
      const s = await mustSession(ctx, input.runId, input.sessionId);
      const a = s.analysis as StoredHumanAnalysis | null;
      if (!a) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'Analyse the session first.' });
      return { csv: a.csv, dictionary: a.dictionary, filename: `human-trials-${s.token.slice(0, 6)}.csv` };
    }),
});
