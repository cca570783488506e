import { TRPCError } from '@trpc/server';
import { and, asc, count, eq } from 'drizzle-orm';
import { z } from 'zod';
import { textField } from '../../../workers/contract';
import { memberships, workspaces } from '../../db/schema';
import { router } from '../init';
import { authedProcedure, workspaceProcedure } from '../procedures';

export const WorkspaceName = textField('name', { min: 1, max: 80 });

export const workspaceRouter = router({
  /** The caller's workspaces with their role and member count. */
  list: authedProcedure.query(async ({ ctx }) => {
    const rows = await ctx.db
      .select({ id: workspaces.id, name: workspaces.name, personal: workspaces.personal, role: memberships.role, createdAt: workspaces.createdAt })
      .from(memberships)
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(eq(memberships.userId, ctx.user.id))
      .orderBy(asc(workspaces.personal), asc(workspaces.name));
    // Personal first, then by name.
    return rows.sort((a, b) => Number(b.personal) - Number(a.personal) || a.name.localeCompare(b.name));
  }),

  create: authedProcedure.input(z.object({ name: WorkspaceName })).mutation(async ({ ctx, input }) => {
    return ctx.db.transaction(async (tx) => {
      const [ws] = await tx.insert(workspaces).values({ name: input.name }).returning();
      await tx.insert(memberships).values({ workspaceId: ws!.id, userId: ctx.user.id, role: 'owner' });
      return { id: ws!.id, name: ws!.name };
    });
  }),

  get: workspaceProcedure('viewer').query(async ({ ctx }) => {
    const [ws] = await ctx.db.select().from(workspaces).where(eq(workspaces.id, ctx.workspaceId));
    if (!ws) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
    const [members] = await ctx.db.select({ n: count() }).from(memberships).where(eq(memberships.workspaceId, ctx.workspaceId));
    return { id: ws.id, name: ws.name, personal: ws.personal, createdAt: ws.createdAt, role: ctx.role, memberCount: members?.n ?? 0 };
  }),

  rename: workspaceProcedure('owner')
    .input(z.object({ name: WorkspaceName }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.update(workspaces).set({ name: input.name }).where(and(eq(workspaces.id, ctx.workspaceId)));
      return { id: ctx.workspaceId, name: input.name };
    }),
});
