/**
 * Every procedure helper of the API, in one place (issue 18 item 3): each declares who may call it
 * (meta.access, walked by tests/server/authorization.test.ts). Routers (./routers/*.ts) build their
 * procedures from these and import nothing from each other. The lookups of an object's workspace
 * are plain database functions in server/dashboards/scope.ts (no tRPC there).
 */
import { TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import { roleAtLeast, roleIn, type WorkspaceRole } from '../auth/roles';
import type { Db } from '../db/client';
import { workspaceOfArtifact, workspaceOfComment, workspaceOfExperiment, workspaceOfPublication, workspaceOfRun } from '../dashboards/scope';
import { RefusedError } from '../errors';
import { describeZodError, procedure } from './init';

/**
 * Every procedure starts here: an input that fails validation becomes a BAD_REQUEST whose message
 * names the fields ("email: email must be a valid email address"), for HTTP and direct callers alike.
 */
const baseProcedure = procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ZodError) result.error.message = describeZodError(result.error.cause);
  if (!result.ok && result.error.cause instanceof RefusedError) throw new TRPCError({ code: result.error.cause.code, message: result.error.cause.message, cause: result.error.cause });
  return result;
});

export const publicProcedure = baseProcedure.meta({ access: 'public' });

/** A signed-in caller; ctx.user is the user. */
export const authedProcedure = baseProcedure.meta({ access: 'user' }).use(({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first.' });
  return next({ ctx: { ...ctx, user: ctx.session.user, session: ctx.session } });
});

/** Refuses without revealing existence: not a member → NOT_FOUND; member with too low a role → FORBIDDEN. */
async function authorize(db: Db, userId: string, workspaceId: string | null, needed: WorkspaceRole): Promise<WorkspaceRole> {
  const role = workspaceId ? await roleIn(db, userId, workspaceId) : null;
  if (!role) throw new TRPCError({ code: 'NOT_FOUND', message: 'Not found.' });
  if (!roleAtLeast(role, needed)) throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${needed} role; you are ${role}.` });
  return role;
}

/** At least `needed` on the workspace whose id is input.workspaceId; adds ctx.workspaceId, ctx.role. */
export function workspaceProcedure(needed: WorkspaceRole) {
  return authedProcedure
    .meta({ access: { role: needed, scope: 'workspaceId' } })
    .input(z.object({ workspaceId: z.uuid('workspaceId must be a UUID') }))
    .use(async ({ ctx, input, next }) => {
      const role = await authorize(ctx.db, ctx.user.id, input.workspaceId, needed);
      return next({ ctx: { ...ctx, workspaceId: input.workspaceId, role } });
    });
}

/**
 * A factory like workspaceProcedure for objects that belong to a workspace: `field` is the input
 * field holding the object's id, `workspaceOf` finds its workspace (null when the object does
 * not exist, which answers NOT_FOUND exactly like an object of another workspace). The object
 * procedures below are made with it; a new kind of object adds its line there, e.g.
 *   experimentProcedure('editor').input(z.object({ name: z.string() })).mutation(...)
 */
export function scopedProcedure<F extends string>(field: F, workspaceOf: (db: Db, id: string) => Promise<string | null>) {
  const shape = { [field]: z.uuid(`${field} must be a UUID`) } as { [K in F]: z.ZodUUID };
  return (needed: WorkspaceRole) =>
    authedProcedure
      .meta({ access: { role: needed, scope: field } })
      .input(z.object(shape))
      .use(async ({ ctx, input, next }) => {
        const id = (input as Record<string, string>)[field]!;
        const workspaceId = await workspaceOf(ctx.db, id);
        const role = await authorize(ctx.db, ctx.user.id, workspaceId, needed);
        return next({ ctx: { ...ctx, workspaceId: workspaceId!, role } });
      });
}

/** Procedures on one experiment (input.experimentId), role checked on its workspace. */
export const experimentProcedure = scopedProcedure('experimentId', workspaceOfExperiment);
/** Procedures on one artifact (input.artifactId). */
export const artifactProcedure = scopedProcedure('artifactId', workspaceOfArtifact);
/** Procedures on one run (input.runId), one publication, one comment. */
export const dashboardRunProcedure = scopedProcedure('runId', workspaceOfRun);
export const publicationProcedure = scopedProcedure('publicationId', workspaceOfPublication);
export const commentProcedure = scopedProcedure('commentId', workspaceOfComment);
