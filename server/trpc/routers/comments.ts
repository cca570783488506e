import { TRPCError } from '@trpc/server';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { textField } from '../../../workers/contract';
import type { Db } from '../../db/client';
import { comments, runs, users } from '../../db/schema';
import { roleAtLeast } from '../../auth/roles';
import { authorName } from '../../dashboards/pins';
import { loadDashboard } from '../../dashboards/load';
import { router } from '../init';
import { commentProcedure, dashboardRunProcedure, experimentProcedure } from '../procedures';

const Body = textField('body', { min: 1, max: 5000, multiline: true });
/** A pin: a vertex of the map's mesh, the map it was placed on and the vertex position in mm. */
const PIN_COORDINATE_MM = 10_000;
const Coordinate = z
  .number({ error: 'pin.position must hold numbers' })
  .finite('pin.position must be finite')
  .min(-PIN_COORDINATE_MM, `pin.position must lie within ±${PIN_COORDINATE_MM} mm`)
  .max(PIN_COORDINATE_MM, `pin.position must lie within ±${PIN_COORDINATE_MM} mm`);
const Pin = z.object({
  vertex: z.number().int('pin.vertex must be an integer').min(0, 'pin.vertex must be ≥ 0').max(10_000_000, 'pin.vertex must be ≤ 10,000,000'),
  mapKey: textField('pin.mapKey', { min: 1, max: 300 }),
  position: z.tuple([Coordinate, Coordinate, Coordinate]),
});

/** Refuses a pin whose map is not on the run's dashboard or whose vertex is not on the map's mesh. */
async function checkPin(db: Db, runId: string, pin: z.infer<typeof Pin>): Promise<void> {
  const dashboard = await loadDashboard(db, runId);
  const map = dashboard?.manifest.maps.find((m) => m.key === pin.mapKey);
  if (!map) throw new TRPCError({ code: 'BAD_REQUEST', message: `pin.mapKey: this run's dashboard has no map ${JSON.stringify(pin.mapKey.slice(0, 100))}` });
  if (pin.vertex >= map.vertexCount)
    throw new TRPCError({ code: 'BAD_REQUEST', message: `pin.vertex must be < ${map.vertexCount} (the vertices of the map's mesh), got ${pin.vertex}` });
}

async function listComments(db: Db, where: ReturnType<typeof eq>) {
  const rows = await db
    .select({ c: comments, name: users.name, email: users.email })
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(and(where, isNull(comments.deletedAt)))
    .orderBy(asc(comments.createdAt));
  return rows.map(({ c, name, email }) => ({
    id: c.id,
    body: c.body,
    runId: c.runId,
    experimentId: c.experimentId,
    vertex: c.vertex,
    mapKey: c.mapKey,
    position: c.position,
    showInPublished: c.showInPublished,
    authorId: c.authorId,
    author: authorName(email === null ? null : { name, email }),
    createdAt: c.createdAt,
  }));
}

export const commentsRouter = router({
  /** Comments on a run's dashboard (pinned and not), oldest first. */
  forRun: dashboardRunProcedure('viewer').query(({ ctx, input }) => listComments(ctx.db, eq(comments.runId, input.runId))),

  /** Comments on an experiment, including those on its runs, oldest first. */
  forExperiment: experimentProcedure('viewer').query(({ ctx, input }) => listComments(ctx.db, eq(comments.experimentId, input.experimentId))),

  /** Comments on a run, optionally pinned to a vertex of one of its maps. */
  addToRun: dashboardRunProcedure('editor')
    .input(z.object({ body: Body, pin: Pin.optional(), showInPublished: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      if (input.pin) await checkPin(ctx.db, input.runId, input.pin);
      const [run] = await ctx.db.select({ experimentId: runs.experimentId }).from(runs).where(eq(runs.id, input.runId));
      const [row] = await ctx.db
        .insert(comments)
        .values({
          workspaceId: ctx.workspaceId,
          runId: input.runId,
          experimentId: run?.experimentId ?? null,
          body: input.body,
          vertex: input.pin?.vertex ?? null,
          mapKey: input.pin?.mapKey ?? null,
          position: input.pin?.position ?? null,
          showInPublished: input.showInPublished,
          authorId: ctx.user.id,
        })
        .returning();
      return row!;
    }),

  addToExperiment: experimentProcedure('editor')
    .input(z.object({ body: Body }))
    .mutation(async ({ ctx, input }) => {
      const [row] = await ctx.db
        .insert(comments)
        .values({ workspaceId: ctx.workspaceId, experimentId: input.experimentId, body: input.body, authorId: ctx.user.id })
        .returning();
      return row!;
    }),

  /** Deletes a comment: its author, or an owner of the workspace. */
  remove: commentProcedure('viewer').mutation(async ({ ctx, input }) => {
    const [c] = await ctx.db.select().from(comments).where(eq(comments.id, input.commentId));
    if (!c || c.deletedAt) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
    if (c.authorId !== ctx.user.id && !roleAtLeast(ctx.role, 'owner'))
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Only the author or an owner may delete a comment.' });
    await ctx.db.update(comments).set({ deletedAt: new Date() }).where(eq(comments.id, input.commentId));
    return { id: c.id, deleted: true };
  }),
});
