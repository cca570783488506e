import { TRPCError } from '@trpc/server';
import { loadDashboard } from '../../dashboards/load';
import { dashboardRunProcedure } from '../../dashboards/scope';
import { router } from '../init';

export const dashboardsRouter = router({
  /**
   * The dashboard manifest of a run: meshes, information maps, curves and stimuli, each binary
   * array named by artifact id (bytes at /api/artifacts/<id>). problems lists what a step declared
   * but could not be shown (a missing artifact, a map that does not fit its mesh).
   */
  get: dashboardRunProcedure('viewer').query(async ({ ctx, input }) => {
    const d = await loadDashboard(ctx.db, input.runId);
    if (!d) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
    return { manifest: d.manifest, problems: d.problems, role: ctx.role };
  }),
});
