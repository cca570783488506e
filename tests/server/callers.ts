import type { Db } from '../../server/db/client';
import { createContextInner } from '../../server/trpc/context';
import { createCaller } from '../../server/trpc/router';
import { SESSION_COOKIE } from '../../server/config';

export type Caller = ReturnType<typeof createCaller>;

/** A tRPC caller as a browser with the given session token (or none) and address would be. */
export async function callerFor(db: Db, token: string | null, opts: { ip?: string } = {}): Promise<{ caller: Caller; resHeaders: Headers }> {
  const headers = new Headers({ 'x-forwarded-for': opts.ip ?? '10.0.0.1', 'user-agent': 'vitest' });
  if (token) headers.set('cookie', `${SESSION_COOKIE}=${token}`);
  const resHeaders = new Headers();
  const ctx = await createContextInner({ headers, url: 'http://localhost/api/trpc', resHeaders, db });
  return { caller: createCaller(ctx), resHeaders };
}

/** The session token from a response's Set-Cookie headers. */
export function tokenFromSetCookie(resHeaders: Headers): string | null {
  for (const c of resHeaders.getSetCookie()) {
    const m = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(c);
    if (m) return m[1] || null;
  }
  return null;
}

export const GOOD_PASSWORD = 'correct-horse-42';

export interface TestUser {
  id: string;
  email: string;
  token: string;
  personalWorkspaceId: string;
  caller: Caller;
}

/** Invites `member` into a workspace of `owner` and accepts as `member` (invitations need consent). */
export async function addMember(owner: TestUser, workspaceId: string, member: TestUser, role: 'viewer' | 'editor' | 'owner'): Promise<void> {
  await owner.caller.member.invite({ workspaceId, email: member.email, role });
  await member.caller.member.accept({ workspaceId });
}

let signUpAddress = 0;

/**
 * Signs a new user up through tRPC and returns a caller holding their session. Each sign-up comes
 * from its own address (10.200.x.y), so fixtures stay under the per-address sign-up limit.
 */
export async function signUpUser(db: Db, email: string, password = GOOD_PASSWORD): Promise<TestUser> {
  const n = ++signUpAddress;
  const { caller, resHeaders } = await callerFor(db, null, { ip: `10.200.${(n >> 8) & 255}.${n & 255}` });
  const user = await caller.auth.signUp({ email, password });
  const token = tokenFromSetCookie(resHeaders);
  if (!token) throw new Error('sign-up set no session cookie');
  return { id: user.id, email: user.email, token, personalWorkspaceId: user.personalWorkspaceId, caller: (await callerFor(db, token)).caller };
}
