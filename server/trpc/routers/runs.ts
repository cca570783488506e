import { TRPCError } from '@trpc/server';
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import { z, ZodError } from 'zod';
import { ExperimentConfig, RUN_STATUSES } from '../../../workers/contract';
import { experiments, runLogs, runs, runSteps } from '../../db/schema';
import { workspaceOfRun } from '../../dashboards/scope';
import { cancelRun, estimateRun, launchRun } from '../../workflows';
import { describeZodError, router, scopedProcedure, workspaceProcedure } from '../init';
import { experimentProcedure } from './experiment';

/** Procedures on one run (input.runId), role checked on its workspace. */
const runProcedure = scopedProcedure('runId', workspaceOfRun);

/** A configuration from the client; a bad one is a 400 naming config.<field>. */
function parseConfig(raw: unknown): ExperimentConfig {
  try {
    return ExperimentConfig.parse(raw);
  } catch (err) {
    if (err instanceof ZodError) {
      const prefixed = new ZodError(err.issues.map((issue) => ({ ...issue, path: ['config', ...issue.path] })));
      throw new TRPCError({ code: 'BAD_REQUEST', message: describeZodError(prefixed), cause: prefixed });
    }
    throw err;
  }
}

const ConfigInput = z.record(z.string(), z.unknown(), { error: 'config must be an object' });

/**
 * Runs of experiments: the cost estimate before launch, launch, cancel, list, and a run's progress
 * (status, stage, overall fraction and ETA, each step's state, the log tail).
 */
export const runsRouter = router({
  /** Time (s) and memory (MiB) by stage for a configuration, from this machine's throughputs. */
  estimate: workspaceProcedure('viewer')
    .input(z.object({ config: ConfigInput }))
    .query(({ input }) => estimateRun(parseConfig(input.config))),

  /** Launches a run of the experiment's saved configuration. Returns the run and its estimate. */
  launch: experimentProcedure('editor').mutation(async ({ ctx, input }) => {
    const [exp] = await ctx.db.select().from(experiments).where(eq(experiments.id, input.experimentId));
    if (!exp) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
    if (exp.archivedAt) throw new TRPCError({ code: 'BAD_REQUEST', message: 'experimentId: the experiment is archived; unarchive it to launch a run' });
    const run = await launchRun(ctx.db, { workspaceId: exp.workspaceId, experimentId: exp.id, config: parseConfig(exp.config), createdBy: ctx.user.id });
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
          name: runs.config,
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
      return { total: total?.n ?? 0, page: input.page, pageSize: input.pageSize, items: items.map((r) => ({ ...r, name: r.name.name })) };
    }),

  /** A run's progress: status, stage, fraction, ETA, error, estimate, each step, the last log lines. */
  get: runProcedure('viewer')
    .input(z.object({ logLines: z.number().int().min(0).max(500, 'logLines must be 0 to 500').default(50) }))
    .query(async ({ ctx, input }) => {
      const [run] = await ctx.db.select().from(runs).where(eq(runs.id, input.runId));
      if (!run) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
      const steps = await ctx.db.select().from(runSteps).where(eq(runSteps.runId, run.id));
      const byId = new Map(steps.map((s) => [s.stepId, s]));
      const logs = input.logLines
        ? (await ctx.db.select().from(runLogs).where(eq(runLogs.runId, run.id)).orderBy(desc(runLogs.id)).limit(input.logLines)).reverse()
        : [];
      return {
        id: run.id,
        workspaceId: run.workspaceId,
        experimentId: run.experimentId,
        name: run.config.name,
        config: run.config,
        engine: run.engine,
        status: run.status,
        stage: run.stage,
        fraction: run.fraction,
        etaSeconds: run.etaSeconds,
        error: run.error,
        estimate: run.estimate,
        result: run.result,
        createdAt: run.createdAt,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        steps: run.plan.map((p) => {
          const s = byId.get(p.id);
          return {
            id: p.id,
            functionId: p.functionId,
            stage: p.stage,
            needs: p.needs,
            status: s?.status ?? 'pending',
            attempts: s?.attempts ?? 0,
            fraction: s?.status === 'completed' ? 1 : (s?.fraction ?? 0),
            etaSeconds: s?.etaSeconds ?? null,
            error: s?.error ?? null,
            startedAt: s?.startedAt ?? null,
            finishedAt: s?.finishedAt ?? null,
            artifacts: s?.output?.manifest.artifacts ?? [],
            summary: s?.output?.manifest.summary ?? null,
          };
        }),
        logs: logs.map((l) => ({ at: l.at, stepId: l.stepId, level: l.level, message: l.message })),
      };
    }),
});
