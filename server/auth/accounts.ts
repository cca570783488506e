import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { memberships, users, workspaces } from '../db/schema';
import { burnPasswordCheck, hashPassword, passwordWeakness, verifyPassword } from './password';
import { beginSignInAttempt, beginSignUpAttempt, recordSignInSuccess } from './rate-limit';

/** Emails are compared trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class AccountError extends Error {
  constructor(
    readonly code: 'weak_password' | 'email_taken' | 'wrong_credentials' | 'rate_limited',
    message: string,
    readonly field?: 'email' | 'password',
  ) {
    super(message);
  }
}

export interface NewUser {
  id: string;
  email: string;
  name: string;
  personalWorkspaceId: string;
}

/**
 * Creates an account and its personal workspace (the user as owner) in one transaction. Pending
 * invitations for the email wait for the user to accept them (member.accept).
 */
export async function signUp(db: Db, input: { email: string; password: string; name?: string; ip: string }): Promise<NewUser> {
  const email = normalizeEmail(input.email);
  const weakness = passwordWeakness(input.password, email);
  if (weakness) throw new AccountError('weak_password', weakness, 'password');
  const verdict = await beginSignUpAttempt(db, input.ip);
  if (!verdict.allowed) throw new AccountError('rate_limited', `Too many new accounts from your address. Try again ${retryIn(verdict.retryAfterSeconds ?? 1)}.`);
  const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
  if (existing.length > 0) throw new AccountError('email_taken', 'An account with this email already exists.', 'email');
  const passwordHash = await hashPassword(input.password);
  const name = input.name?.trim() || email.split('@')[0]!;
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx.insert(users).values({ email, name, passwordHash }).returning();
      const [ws] = await tx.insert(workspaces).values({ name: `${name}'s workspace`, personal: true }).returning();
      await tx.insert(memberships).values({ workspaceId: ws!.id, userId: user!.id, role: 'owner' });
      return { id: user!.id, email, name, personalWorkspaceId: ws!.id };
    });
  } catch (err) {
    // Two sign-ups racing for one email: the unique index decides.
    if (String((err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code) === '23505')
      throw new AccountError('email_taken', 'An account with this email already exists.', 'email');
    throw err;
  }
}

/** "in 3 seconds", "in 15 minutes": when a refused caller may try again. */
function retryIn(seconds: number): string {
  return seconds < 120 ? `in ${seconds} second${seconds === 1 ? '' : 's'}` : `in ${Math.ceil(seconds / 60)} minutes`;
}

/**
 * Checks credentials under the rate limit (server/auth/rate-limit.ts): the attempt is recorded
 * before the password is verified. The same message for an unknown email and a wrong password
 * (and the same argon2 cost), so sign-in does not reveal which emails have accounts.
 */
export async function authenticate(db: Db, input: { email: string; password: string; ip: string }): Promise<{ id: string; email: string; name: string }> {
  const email = normalizeEmail(input.email);
  const verdict = await beginSignInAttempt(db, email, input.ip);
  if (!verdict.allowed) {
    const when = retryIn(verdict.retryAfterSeconds ?? 1);
    throw new AccountError(
      'rate_limited',
      verdict.reason === 'account'
        ? `Too many failed sign-ins for this account. Try again ${when}.`
        : `Too many failed sign-ins from your address. Try again ${when}.`,
    );
  }
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  const ok = user ? await verifyPassword(user.passwordHash, input.password) : (await burnPasswordCheck(input.password), false);
  if (!user || !ok) throw new AccountError('wrong_credentials', 'Wrong email or password.', 'password');
  await recordSignInSuccess(db, email, input.ip);
  return { id: user.id, email: user.email, name: user.name };
}
