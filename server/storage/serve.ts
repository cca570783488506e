import type { Db } from '../db/client';
import { getDb } from '../db/client';
import { roleIn } from '../auth/roles';
import { tokenFromCookieHeader, validateSession } from '../auth/sessions';
import { log, requestIdFrom, withRequestId } from '../log';
import { getArtifactRow, getArtifactStore } from './index';
import { ArtifactNotFoundError, type ArtifactStore } from './store';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFound(reqId: string): Response {
  return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': reqId } });
}

/**
 * GET /api/artifacts/<id>: streams an artifact to a signed-in member of its workspace, with its
 * Content-Type and Content-Length. Anyone else (signed out, non-member, unknown id) gets the
 * same 404, so the answer never reveals that an artifact exists.
 */
export async function serveArtifact(
  req: Request,
  artifactId: string,
  deps: { db?: Db; store?: ArtifactStore } = {},
): Promise<Response> {
  const reqId = requestIdFrom(req.headers);
  return withRequestId(reqId, async () => {
    const db = deps.db ?? getDb();
    const store = deps.store ?? getArtifactStore();
    const session = await validateSession(db, tokenFromCookieHeader(req.headers.get('cookie')));
    if (!session || !UUID_RE.test(artifactId)) return notFound(reqId);
    const row = await getArtifactRow(db, artifactId);
    if (!row || !(await roleIn(db, session.user.id, row.workspaceId))) return notFound(reqId);
    const headers = new Headers({
      'content-type': row.contentType,
      'content-length': String(row.size),
      // The key is the sha256 of the bytes: the content never changes under this id.
      etag: `"${row.key}"`,
      'cache-control': 'private, max-age=31536000, immutable',
      'content-disposition': `inline; filename="${row.name.replace(/[^\w.\- ]/g, '_')}"`,
      'x-content-type-options': 'nosniff',
      'x-request-id': reqId,
    });
    if (req.headers.get('if-none-match') === `"${row.key}"`) return new Response(null, { status: 304, headers });
    if (req.method === 'HEAD') return new Response(null, { status: 200, headers });
    try {
      const body = await store.get(row.key);
      log.info({ artifactId, size: row.size }, 'artifact served');
      return new Response(body, { status: 200, headers });
    } catch (err) {
      if (err instanceof ArtifactNotFoundError) {
        log.error({ artifactId, key: row.key }, 'artifact row without stored bytes');
        return notFound(reqId);
      }
      throw err;
    }
  });
}
