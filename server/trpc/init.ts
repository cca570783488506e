/**
 * The tRPC instance: context type, meta (each procedure's Access), the error formatter. The procedure
 * helpers (public, authed, workspace- and object-scoped) are all in ./procedures.ts; routers build
 * on those and on `router` from here.
 */
import { initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context';
import type { WorkspaceRole } from '../auth/roles';
import { currentRequestId } from '../log';

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
/** The bare procedure builder: every procedure starts from the helpers in ./procedures.ts, never from this. */
export const procedure = t.procedure;

