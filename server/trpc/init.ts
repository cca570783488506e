import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import type { Context } from './context';
import { roleAtLeast, roleIn, type WorkspaceRole } from '../auth/roles';
import type { Db } from '../db/client';
import { currentRequestId } from '../log';
import { RefusedError } from '../errors';

/**
 * Who may call a procedure, declared on every procedure (the authorization walk test reads it):
 * - 'public': anyone (sign-up, sign-in, whoami);
 * - 'user': any signed-in user, results limited to their own workspaces;
 * - { role, scope }: at least `role` on the workspace named by the input field `scope`
 *   (workspaceId directly, or an object id such as experimentId resolved to its workspace).
 */
export type Access = 'public' | 'user' | { role: WorkspaceRole; scope: string };
export interface Meta {
  access?: Access;
}

/** What the client reads for an internal error (the log line with the details carries reqId). */
export function internalErrorMessage(reqId: string | undefined): string {
  return `Internal error. Quote request id ${reqId ?? 'unknown'} when you report it.`;
}

/** "field.path: message" for each zod issue, so a 400 names the bad field. */
export function describeZodError(err: ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`).join('; ');
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error, ctx }) {
      const zodError = error.cause instanceof ZodError ? error.cause : null;
      const reqId = ctx?.reqId ?? currentRequestId();
      // An internal error's message may carry SQL, parameters or paths: outside development the
      // client gets a generic message and the request id; the details are logged (handler.ts).
      const hidden = error.code === 'INTERNAL_SERVER_ERROR' && process.env.NODE_ENV !== 'development';
      return {
        ...shape,
        message: zodError ? describeZodError(zodError) : hidden ? internalErrorMessage(reqId) : shape.message,
        data: {
          ...shape.data,
          requestId: reqId,
          stack: undefined,
          fieldErrors: zodError ? Object.fromEntries(zodError.issues.map((i) => [i.path.join('.') || 'input', i.message])) : undefined,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/**
 * Every procedure starts here: an input that fails validation becomes a BAD_REQUEST whose message
 * names the fields ("email: email must be a valid email address"), for HTTP and direct callers alike.
 */
const baseProcedure = t.procedure.use(async ({ next }) => {
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
 * not exist, which answers NOT_FOUND exactly like an object of another workspace). Example:
 *   export const experimentProcedure = scopedProcedure('experimentId', workspaceOfExperiment);
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
