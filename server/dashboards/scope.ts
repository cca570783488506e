/**
 * Which workspace an object belongs to: the lookups behind the object-scoped procedures
 * (server/trpc/procedures.ts). Plain database reads, null when there is no such object; no tRPC here.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { artifacts, comments, experiments, publications, runs } from '../db/schema';

/** The workspace an experiment belongs to, or null when there is no such experiment. */
export async function workspaceOfExperiment(db: Db, experimentId: string): Promise<string | null> {
  const [row] = await db.select({ workspaceId: experiments.workspaceId }).from(experiments).where(eq(experiments.id, experimentId)).limit(1);
  return row?.workspaceId ?? null;
}

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

/** The workspace of an artifact, or null when there is no such artifact. */
export async function workspaceOfArtifact(db: Db, artifactId: string): Promise<string | null> {
  const [row] = await db.select({ workspaceId: artifacts.workspaceId }).from(artifacts).where(eq(artifacts.id, artifactId)).limit(1);
  return row?.workspaceId ?? null;
}
