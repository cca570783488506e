import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { publications } from '../db/schema';
import { getDb } from '../db/client';
import { requestIdFrom, withRequestId } from '../log';
import { getArtifactRow, getArtifactStore } from '../storage';
import { artifactResponse, notFound } from '../storage/serve';
import type { ArtifactStore } from '../storage/artifact-storage';

/** A publication slug: 6–40 of the slug alphabet (no 0/o, 1/l). */
export const SLUG_RE = /^[a-z2-9]{6,40}$/;

/** The live publication of a slug, or null (unknown slug, or unpublished). */
export async function livePublication(db: Db, slug: string) {
  if (!SLUG_RE.test(slug)) return null;
  const [row] = await db.select().from(publications).where(and(eq(publications.slug, slug), isNull(publications.unpublishedAt))).limit(1);
  return row ?? null;
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
