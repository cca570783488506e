import { and, desc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { artifacts } from '../../db/schema';
import { router } from '../init';
import { artifactProcedure, workspaceProcedure } from '../procedures';

const columns = {
  id: artifacts.id,
  key: artifacts.key,
  name: artifacts.name,
  contentType: artifacts.contentType,
  size: artifacts.size,
  runId: artifacts.runId,
  createdAt: artifacts.createdAt,
};

export const artifactRouter = router({
  /** A workspace's artifacts (optionally one run's), newest first; bytes at /api/artifacts/<id>. */
  list: workspaceProcedure('viewer')
    .input(z.object({ runId: z.uuid('runId must be a UUID').optional(), limit: z.number().int().min(1).max(500, 'limit must be 1 to 500').default(100) }))
    .query(async ({ ctx, input }) => {
      const where: SQL[] = [eq(artifacts.workspaceId, ctx.workspaceId)];
      if (input.runId) where.push(eq(artifacts.runId, input.runId));
      return ctx.db.select(columns).from(artifacts).where(and(...where)).orderBy(desc(artifacts.createdAt)).limit(input.limit);
    }),

  get: artifactProcedure('viewer').query(async ({ ctx, input }) => {
    const [row] = await ctx.db.select(columns).from(artifacts).where(eq(artifacts.id, input.artifactId));
    return { ...row!, url: `/api/artifacts/${row!.id}` };
  }),
});
