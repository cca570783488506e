import { and, asc, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { comments, users } from '../db/schema';
import type { DashboardPin } from '../../workers/contract';

/** Display name of an author: their name, else the part of the email before @. */
export function authorName(u: { name: string | null; email: string | null } | null): string {
  if (!u) return 'former member';
  return u.name?.trim() || u.email?.split('@')[0] || 'member';
}

/** The comments of a run pinned to a vertex; onlyPublic keeps those their authors allowed to publish. */
export async function runPins(db: Db, runId: string, onlyPublic: boolean): Promise<DashboardPin[]> {
  const where = [eq(comments.runId, runId), isNotNull(comments.vertex), isNull(comments.deletedAt)];
  if (onlyPublic) where.push(eq(comments.showInPublished, true));
  const rows = await db
    .select({ c: comments, name: users.name, email: users.email })
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(and(...where))
    .orderBy(asc(comments.createdAt));
  return rows.map(({ c, name, email }) => ({
    id: c.id,
    mapKey: c.mapKey,
    vertex: c.vertex!,
    position: c.position ?? [0, 0, 0],
    body: c.body,
    author: authorName(email === null ? null : { name, email }),
    createdAt: c.createdAt.toISOString(),
  }));
}
