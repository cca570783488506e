import { TRPCError } from '@trpc/server';
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { invitations, memberships, users, workspaces, type WorkspaceRole } from '../../db/schema';
import { normalizeEmail } from '../../auth/accounts';
import { ROLES } from '../../auth/roles';
import { router } from '../init';
import { Email } from '../inputs';
import { authedProcedure, workspaceProcedure } from '../procedures';

const Role = z.enum(ROLES, { error: 'role must be one of viewer, editor, owner' });
const UserId = z.uuid('userId must be a UUID');
const WorkspaceId = z.uuid('workspaceId must be a UUID');

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Locks the workspace's membership rows and returns them (the last-owner rule reads them). */
async function lockMembers(tx: Tx, workspaceId: string) {
  return tx.select().from(memberships).where(eq(memberships.workspaceId, workspaceId)).for('update');
}

function lastOwner(members: { userId: string; role: WorkspaceRole }[], userId: string): boolean {
  const owners = members.filter((m) => m.role === 'owner');
  return owners.length === 1 && owners[0]!.userId === userId;
}

export const memberRouter = router({
  /** Members (with email and role) and pending invitations. */
  list: workspaceProcedure('viewer').query(async ({ ctx }) => {
    const members = await ctx.db
      .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.workspaceId, ctx.workspaceId))
      .orderBy(asc(users.email));
    const pending = await ctx.db
      .select({ email: invitations.email, role: invitations.role, createdAt: invitations.createdAt })
      .from(invitations)
      .where(eq(invitations.workspaceId, ctx.workspaceId))
      .orderBy(asc(invitations.email));
    return { members, invitations: pending, myRole: ctx.role, me: ctx.user.id };
  }),

  /**
   * Invites by email. The invitation waits until the person accepts it (member.accept), whether
   * or not the email has an account yet, and the answer is the same either way, so inviting does
   * not reveal which emails have accounts. Idempotent: inviting a member again changes nothing
   * (owners see the member list anyway), inviting again updates the pending role.
   */
  invite: workspaceProcedure('owner')
    .input(z.object({ email: Email, role: Role }))
    .mutation(async ({ ctx, input }) => {
      const email = normalizeEmail(input.email);
      const [member] = await ctx.db
        .select({ role: memberships.role })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(users.email, email)));
      if (member) return { status: 'already_member' as const, email, role: member.role };
      await ctx.db
        .insert(invitations)
        .values({ workspaceId: ctx.workspaceId, email, role: input.role, invitedBy: ctx.user.id })
        .onConflictDoUpdate({ target: [invitations.workspaceId, invitations.email], set: { role: input.role } });
      return { status: 'invited' as const, email, role: input.role };
    }),

  revokeInvitation: workspaceProcedure('owner')
    .input(z.object({ email: Email }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.delete(invitations).where(and(eq(invitations.workspaceId, ctx.workspaceId), eq(invitations.email, normalizeEmail(input.email))));
      return { ok: true as const };
    }),

  setRole: workspaceProcedure('owner')
    .input(z.object({ userId: UserId, role: Role }))
    .mutation(async ({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const members = await lockMembers(tx, ctx.workspaceId);
        const target = members.find((m) => m.userId === input.userId);
        if (!target) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such member.' });
        if (input.role !== 'owner' && lastOwner(members, input.userId))
          throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'The last owner cannot be demoted; make someone else owner first.' });
        await tx.update(memberships).set({ role: input.role }).where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(memberships.userId, input.userId)));
        return { userId: input.userId, role: input.role };
      }),
    ),

  remove: workspaceProcedure('owner')
    .input(z.object({ userId: UserId }))
    .mutation(async ({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const members = await lockMembers(tx, ctx.workspaceId);
        if (!members.some((m) => m.userId === input.userId)) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such member.' });
        if (lastOwner(members, input.userId))
          throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'The last owner cannot be removed; make someone else owner first.' });
        await tx.delete(memberships).where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(memberships.userId, input.userId)));
        return { ok: true as const };
      }),
    ),

  /** Invitations waiting for the caller's email: workspace, role, who invited. */
  invitations: authedProcedure.query(async ({ ctx }) =>
    ctx.db
      .select({ workspaceId: invitations.workspaceId, workspaceName: workspaces.name, role: invitations.role, invitedBy: users.name, createdAt: invitations.createdAt })
      .from(invitations)
      .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
      .leftJoin(users, eq(users.id, invitations.invitedBy))
      .where(eq(invitations.email, normalizeEmail(ctx.user.email)))
      .orderBy(asc(invitations.createdAt)),
  ),

  /** Accepts an invitation for the caller's email: membership with the invited role, in one transaction. */
  accept: authedProcedure.input(z.object({ workspaceId: WorkspaceId })).mutation(async ({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const email = normalizeEmail(ctx.user.email);
      const [inv] = await tx
        .delete(invitations)
        .where(and(eq(invitations.workspaceId, input.workspaceId), eq(invitations.email, email)))
        .returning({ role: invitations.role });
      if (!inv) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such invitation.' });
      await tx.insert(memberships).values({ workspaceId: input.workspaceId, userId: ctx.user.id, role: inv.role }).onConflictDoNothing();
      return { workspaceId: input.workspaceId, role: inv.role };
    }),
  ),

  /** Declines (deletes) an invitation for the caller's email. */
  decline: authedProcedure.input(z.object({ workspaceId: WorkspaceId })).mutation(async ({ ctx, input }) => {
    const gone = await ctx.db
      .delete(invitations)
      .where(and(eq(invitations.workspaceId, input.workspaceId), eq(invitations.email, normalizeEmail(ctx.user.email))))
      .returning({ id: invitations.id });
    if (gone.length === 0) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such invitation.' });
    return { ok: true as const };
  }),

  /** The caller leaves the workspace (any role; the last owner cannot). */
  leave: workspaceProcedure('viewer').mutation(async ({ ctx }) =>
    ctx.db.transaction(async (tx) => {
      const members = await lockMembers(tx, ctx.workspaceId);
      if (lastOwner(members, ctx.user.id))
        throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'The last owner cannot leave; make someone else owner first.' });
      await tx.delete(memberships).where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(memberships.userId, ctx.user.id)));
      return { ok: true as const };
    }),
  ),
});
