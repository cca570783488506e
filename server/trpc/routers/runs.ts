import { TRPCError } from '@trpc/server';
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { RUN_STATUSES } from '../../../workers/contract';
import { experiments, runs } from '../../db/schema';
import { keyResultsOf } from '../../dashboards/key-results';
import { loadDashboard } from '../../dashboards/load';
import { budgetRefusal, cancelRun, estimateRun, launchRun, needsConfirmation, runLimits } from '../../workflows';
import { readRunProgress } from '../../workflows/run-progress';
import { router } from '../init';
import { parseConfig } from '../inputs';
import { dashboardRunProcedure, experimentProcedure, workspaceProcedure } from '../procedures';

/** Procedures on one run (input.runId), role checked on its workspace. */
const runProcedure = dashboardRunProcedure;

const ConfigInput = z.record(z.string(), z.unknown(), { error: 'config must be an object' });

/**
 * Runs of experiments: the cost estimate before launch, launch, cancel, list, and a run's progress
 * (status, stage, overall fraction and ETA, each step's state, the log tail).
 */
export const runsRouter = router({
  /**
   * Time (s) and memory (MiB) by stage for a configuration, from this machine's throughputs, with
   * the installation's limits: overBudget (why a launch would be refused, or null) and
   * needsConfirmation (above confirmAboveSeconds the launch must pass confirm: true).
   */
  estimate: workspaceProcedure('viewer')
    .input(z.object({ config: ConfigInput }))
    .query(({ input }) => {
      const estimate = estimateRun(parseConfig(input.config));
      const limits = runLimits();
      return { ...estimate, confirmAboveSeconds: limits.confirmAboveSeconds, needsConfirmation: needsConfirmation(estimate, limits), overBudget: budgetRefusal(estimate, limits) };
    }),

  /**
   * Launches a run of the experiment's saved configuration. Refused over the budget (naming the
   * fields to reduce), over the workspace's quota of active runs, and above the confirmation
   * threshold unless confirm is true. Returns the run and its estimate.
   */
  launch: experimentProcedure('editor')
    .input(z.object({ confirm: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      const [exp] = await ctx.db.select().from(experiments).where(eq(experiments.id, input.experimentId));
      if (!exp) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
      if (exp.archivedAt) throw new TRPCError({ code: 'BAD_REQUEST', message: 'experimentId: the experiment is archived; unarchive it to launch a run' });
      const config = parseConfig(exp.config);
      const run = await launchRun(ctx.db, { workspaceId: exp.workspaceId, experimentId: exp.id, config, createdBy: ctx.user.id }, { confirmed: input.confirm });
      return { id: run.id, status: run.status, engine: run.engine, estimate: run.estimate, createdAt: run.createdAt };
    }),

  /** Cancels a queued or running run: its processes stop within 5 s. */
  cancel: runProcedure('editor').mutation(async ({ ctx, input }) => {
    const run = await cancelRun(ctx.db, input.runId);
    if (!run) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
    return { id: run.id, status: run.status };
  }),

  /** One page of a workspace's runs (optionally of one experiment, or of one status), newest first. */
  list: workspaceProcedure('viewer')
    .input(
      z.object({
        experimentId: z.uuid('experimentId must be a UUID').optional(),
        status: z.enum(RUN_STATUSES, { error: `status must be one of ${RUN_STATUSES.join(', ')}` }).optional(),
        page: z.number().int('page must be an integer').min(1, 'page must be ≥ 1').max(10_000).default(1),
        pageSize: z.number().int('pageSize must be an integer').min(1, 'pageSize must be 1 to 100').max(100, 'pageSize must be 1 to 100').default(20),
      }),
    )
    .query(async ({ ctx, input }) => {
      const where: SQL[] = [eq(runs.workspaceId, ctx.workspaceId)];
      if (input.experimentId) where.push(eq(runs.experimentId, input.experimentId));
      if (input.status) where.push(eq(runs.status, input.status));
      const filter = and(...where);
      const [total] = await ctx.db.select({ n: count() }).from(runs).where(filter);
      const items = await ctx.db
        .select({
          id: runs.id,
          experimentId: runs.experimentId,
          config: runs.config,
          status: runs.status,
          stage: runs.stage,
          fraction: runs.fraction,
          etaSeconds: runs.etaSeconds,
          error: runs.error,
          createdAt: runs.createdAt,
          startedAt: runs.startedAt,
          finishedAt: runs.finishedAt,
        })
        .from(runs)
        .where(filter)
        .orderBy(desc(runs.createdAt), desc(runs.id))
        .limit(input.pageSize)
        .offset((input.page - 1) * input.pageSize);
      // Key results of finished runs, from their dashboards (a finished run's dashboard is cached per process).
      const withResults = await Promise.all(
        items.map(async (r) => {
          const d = r.status === 'succeeded' ? await loadDashboard(ctx.db, r.id).catch(() => null) : null;
          return { ...r, name: r.config.name, keyResults: d ? keyResultsOf(d.manifest) : null };
        }),
      );
      return { total: total?.n ?? 0, page: input.page, pageSize: input.pageSize, items: withResults };
    }),

  /** A run's progress: status, stage, fraction, ETA, error, estimate, each step, the last log lines. */
  get: runProcedure('viewer')
    .input(z.object({ logLines: z.number().int().min(0).max(500, 'logLines must be 0 to 500').default(50) }))
    .query(async ({ ctx, input }) => {
      const progress = await readRunProgress(ctx.db, input.runId, input.logLines);
      if (!progress) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
      return progress;
    }),
});
