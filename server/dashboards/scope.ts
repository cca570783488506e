import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { comments, publications, runs } from '../db/schema';
import { scopedProcedure } from '../trpc/init';

/** The workspace of a run, or null when there is no such run. */
export async function workspaceOfRun(db: Db, runId: string): Promise<string | null> {
  const [row] = await db.select({ workspaceId: runs.workspaceId }).from(runs).where(eq(runs.id, runId)).limit(1);
  return row?.workspaceId ?? null;
}

export async function workspaceOfPublication(db: Db, publicationId: string): Promise<string | null> {
  const [row] = await db.select({ workspaceId: publications.workspaceId }).from(publications).where(eq(publications.id, publicationId)).limit(1);
  return row?.workspaceId ?? null;
}

export async function workspaceOfComment(db: Db, commentId: string): Promise<string | null> {
  const [row] = await db.select({ workspaceId: comments.workspaceId }).from(comments).where(eq(comments.id, commentId)).limit(1);
  return row?.workspaceId ?? null;
}

/** Procedures on one run (input.runId), one publication, one comment: role checked on its workspace. */
export const dashboardRunProcedure = scopedProcedure('runId', workspaceOfRun);
export const publicationProcedure = scopedProcedure('publicationId', workspaceOfPublication);
export const commentProcedure = scopedProcedure('commentId', workspaceOfComment);
