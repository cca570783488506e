import type { Db } from '../db/client';
import { getDb } from '../db/client';
import { log, requestIdFrom, withRequestId } from '../log';
import { getArtifactRow, getArtifactStore } from '../storage';
import { ArtifactNotFoundError, type ArtifactStore } from '../storage/store';
import { livePublication } from '../trpc/routers/publications';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFound(reqId: string): Response {
  return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': reqId } });
}

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
    const headers = new Headers({
      'content-type': row.contentType,
      'content-length': String(row.size),
      etag: `"${row.key}"`,
      'cache-control': 'private, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'x-request-id': reqId,
    });
    if (req.headers.get('if-none-match') === `"${row.key}"`) return new Response(null, { status: 304, headers });
    if (req.method === 'HEAD') return new Response(null, { status: 200, headers });
    try {
      return new Response(await store.get(row.key), { status: 200, headers });
    } catch (err) {
      if (err instanceof ArtifactNotFoundError) {
        log.error({ artifactId, slug }, 'published artifact without stored bytes');
        return notFound(reqId);
      }
      throw err;
    }
  });
}
