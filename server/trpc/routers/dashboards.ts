import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ExperimentConfig, experimentPreset } from '../../../workers/contract';
import { experiments } from '../../db/schema';
import { launchRun } from '../../workflows';
import { readRunProgress } from '../../workflows/run-progress';
import { authedProcedure, dashboardRunProcedure, workspaceProcedure } from '../procedures';

let configSchemaCache: unknown = null;
import { loadDashboard } from '../../dashboards/load';
import { router } from '../init';

export const dashboardsRouter = router({
  /**
   * The experiment configuration as JSON Schema (from the contract's zod schema): every field with
   * its type, range and default, so the configuration form renders and checks fields as you type.
   */
  configSchema: authedProcedure.query(() => (configSchemaCache ??= z.toJSONSchema(ExperimentConfig, { io: 'input', unrepresentable: 'any' }))),

  /** The contract's presets (tiny, demo, paper) and the plain defaults, each as full sections. */
  configPresets: authedProcedure.query(() => {
    const sections = (c: ExperimentConfig) => ({ faces: c.faces, render: c.render, training: c.training, analyses: c.analyses });
    return [
      { name: 'tiny', label: 'Tiny (seconds per stage)', config: sections(experimentPreset('tiny')) },
      { name: 'demo', label: 'Demo (minutes on a CPU)', config: sections(experimentPreset('demo')) },
      { name: 'paper', label: 'Paper scale (needs GPUs)', config: sections(experimentPreset('paper')) },
      { name: 'defaults', label: 'Defaults', config: sections(ExperimentConfig.parse({ name: 'defaults' })) },
    ];
  }),

  /**
   * "Run the demo experiment": creates an experiment from the demo preset (64 px, a small
   * ResNet-10, every analysis) and launches it, so a new user has a finished dashboard in minutes.
   * preset 'tiny' is the seconds-per-stage version (tests).
   */
  runDemo: workspaceProcedure('editor')
    .input(z.object({ preset: z.enum(['demo', 'tiny'], { error: 'preset must be demo or tiny' }).default('demo') }))
    .mutation(async ({ ctx, input }) => {
      const config = experimentPreset(input.preset);
      const [exp] = await ctx.db
        .insert(experiments)
        .values({ workspaceId: ctx.workspaceId, name: config.name, description: config.description, config, createdBy: ctx.user.id })
        .returning({ id: experiments.id });
      const run = await launchRun(ctx.db, { workspaceId: ctx.workspaceId, experimentId: exp!.id, config, createdBy: ctx.user.id });
      return { experimentId: exp!.id, runId: run.id };
    }),

  /**
   * The dashboard manifest of a run: meshes, information maps, curves and stimuli, each binary
   * array named by artifact id (bytes at /api/artifacts/<id>). problems lists what a step declared
   * but could not be shown (a missing artifact, a map that does not fit its mesh).
   */
  get: dashboardRunProcedure('viewer').query(async ({ ctx, input }) => {
    const d = await loadDashboard(ctx.db, input.runId);
    if (!d) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
    return { manifest: d.manifest, problems: d.problems, role: ctx.role, workspaceId: d.workspaceId };
  }),

  /** Live progress of a run: status, overall fraction and ETA, each step's state, the log tail. */
  progress: dashboardRunProcedure('viewer')
    .input(z.object({ logLines: z.number().int().min(0).max(200, 'logLines must be 0 to 200').default(30) }))
    .query(async ({ ctx, input }) => {
      const progress = await readRunProgress(ctx.db, input.runId, input.logLines);
      if (!progress) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
      return progress;
    }),
});
