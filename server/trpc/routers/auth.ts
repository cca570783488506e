import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { textField } from '../../../workers/contract';
import { AccountError, authenticate, signUp } from '../../auth/accounts';
import { clearedSessionCookie, createSession, revokeSession, sessionCookie } from '../../auth/sessions';
import { log } from '../../log';
import { router } from '../init';
import { Email, Password } from '../inputs';
import { publicProcedure } from '../procedures';
import type { Context } from '../context';

function toTrpcError(err: unknown): never {
  if (err instanceof AccountError) {
    const code = err.code === 'rate_limited' ? 'TOO_MANY_REQUESTS' : err.code === 'email_taken' ? 'CONFLICT' : err.code === 'weak_password' ? 'BAD_REQUEST' : 'UNAUTHORIZED';
    throw new TRPCError({ code, message: err.message, cause: err });
  }
  throw err;
}

async function startSession(ctx: Context, userId: string): Promise<void> {
  const { token, expiresAt } = await createSession(ctx.db, userId, { userAgent: ctx.userAgent, ip: ctx.ip });
  ctx.resHeaders.append('set-cookie', sessionCookie(token, expiresAt, { secure: ctx.secureCookies }));
}

export const authRouter = router({
  /** The signed-in user, or null. */
  me: publicProcedure.query(({ ctx }) => (ctx.session ? ctx.session.user : null)),

  signUp: publicProcedure
    .input(z.object({ email: Email, password: Password, name: textField('name', { max: 80 }).optional() }))
    .mutation(async ({ ctx, input }) => {
      const user = await signUp(ctx.db, { ...input, ip: ctx.ip }).catch(toTrpcError);
      await startSession(ctx, user.id);
      log.info({ userId: user.id }, 'user signed up');
      return { id: user.id, email: user.email, name: user.name, personalWorkspaceId: user.personalWorkspaceId };
    }),

  signIn: publicProcedure.input(z.object({ email: Email, password: Password })).mutation(async ({ ctx, input }) => {
    const user = await authenticate(ctx.db, { ...input, ip: ctx.ip }).catch((err) => {
      if (err instanceof AccountError) log.warn({ code: err.code, ip: ctx.ip }, 'sign-in refused');
      return toTrpcError(err);
    });
    await startSession(ctx, user.id);
    log.info({ userId: user.id }, 'user signed in');
    return user;
  }),

  /** Revokes the current session (if any) and clears the cookie. */
  signOut: publicProcedure.mutation(async ({ ctx }) => {
    await revokeSession(ctx.db, ctx.token);
    ctx.resHeaders.append('set-cookie', clearedSessionCookie({ secure: ctx.secureCookies }));
    if (ctx.session) log.info({ userId: ctx.session.user.id }, 'user signed out');
    return { ok: true as const };
  }),
});
