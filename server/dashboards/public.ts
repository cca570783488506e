import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { publications } from '../db/schema';
import { getDb } from '../db/client';
import { requestIdFrom, withRequestId } from '../log';
import { getArtifactRow, getArtifactStore } from '../storage';
import { artifactResponse, notFound } from '../storage/serve';
import type { ArtifactStore } from '../storage/artifact-storage';
import { markWithdrawn } from './withdrawn-slugs';

/** A publication slug: 6–40 of the slug alphabet (no 0/o, 1/l). */
export const SLUG_RE = /^[a-z2-9]{6,40}$/;

/** The live publication of a slug, or null (unknown slug, or unpublished). */
export async function livePublication(db: Db, slug: string) {
  if (!SLUG_RE.test(slug)) return null;
  const [row] = await db.select().from(publications).where(and(eq(publications.slug, slug), isNull(publications.unpublishedAt))).limit(1);
  return row ?? null;
}

/** When the publication of a slug was withdrawn, or null (unknown slug, or still live). */
export async function withdrawnAt(db: Db, slug: string): Promise<Date | null> {
  if (!SLUG_RE.test(slug)) return null;
  const [row] = await db.select({ at: publications.unpublishedAt }).from(publications).where(and(eq(publications.slug, slug), isNotNull(publications.unpublishedAt))).limit(1);
  return row?.at ?? null;
}

/** The slugs of every withdrawn publication (read once at start-up into withdrawn-slugs.ts). */
export async function withdrawnSlugs(db: Db): Promise<string[]> {
  const rows = await db.select({ slug: publications.slug }).from(publications).where(isNotNull(publications.unpublishedAt));
  return rows.map((r) => r.slug);
}

/** Tells this process's request guard every withdrawn slug (instrumentation.ts, at start-up); returns how many. */
export async function loadWithdrawnSlugs(db: Db): Promise<number> {
  const slugs = await withdrawnSlugs(db);
  for (const slug of slugs) markWithdrawn(slug);
  return slugs.length;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * GET /p/<slug>/a/<artifactId>: an artifact of a live publication, to anyone. Only the ids the
 * snapshot lists are served (an id of the same workspace that the snapshot does not reference
 * answers 404 exactly like an unknown one), and nothing once the publication is unpublished.
 * A snapshot's artifacts never change (the id names fixed, content-addressed bytes), so they are
 * served `immutable` with an ETag: a browser that has the bytes never asks again. `private` keeps
 * them out of shared caches, so that unpublishing takes effect at once for everyone who has not
 * fetched them yet (a CDN would otherwise keep serving a withdrawn snapshot).
 */
export async function servePublishedArtifact(req: Request, slug: string, artifactId: string, deps: { db?: Db; store?: ArtifactStore } = {}): Promise<Response> {
  const reqId = requestIdFrom(req.headers);
  return withRequestId(reqId, async () => {
    const db = deps.db ?? getDb();
    const store = deps.store ?? getArtifactStore();
    if (!UUID_RE.test(artifactId)) return notFound(reqId);
    const pub = await livePublication(db, slug);
    if (!pub || !pub.artifactIds.includes(artifactId)) return notFound(reqId);
    const row = await getArtifactRow(db, artifactId);
    if (!row || row.workspaceId !== pub.workspaceId) return notFound(reqId);
    return artifactResponse(req, row, store, reqId);
  });
}
