import { log } from '../log';
import type { ArtifactRow } from './index';
import { ArtifactNotFoundError, type ArtifactStore } from './artifact-storage';

/** 404 with the request id (the same answer for unknown, unauthorised and missing artifacts). */
export function notFound(reqId: string): Response {
  return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-request-id': reqId } });
}

/**
 * The HTTP answer for an artifact the caller may read (the routes above storage decide that:
 * server/dashboards/artifacts.ts for members, server/dashboards/public.ts for publications): its
 * bytes streamed with Content-Type and Content-Length, 304 for a matching ETag, headers only for
 * HEAD. The key is the sha256 of the bytes, so the content never changes under this id: it is
 * served `immutable` with the key as ETag; `private` keeps it out of shared caches. `filename`
 * adds an inline Content-Disposition. A row whose bytes are missing answers 404 and logs an error.
 */
export async function artifactResponse(req: Request, row: ArtifactRow, store: ArtifactStore, reqId: string, opts: { filename?: boolean } = {}): Promise<Response> {
  const headers = new Headers({
    'content-type': row.contentType,
    'content-length': String(row.size),
    etag: `"${row.key}"`,
    'cache-control': 'private, max-age=31536000, immutable',
    ...(opts.filename ? { 'content-disposition': `inline; filename="${row.name.replace(/[^\w.\- ]/g, '_')}"` } : {}),
    'x-content-type-options': 'nosniff',
    'x-request-id': reqId,
  });
  if (req.headers.get('if-none-match') === `"${row.key}"`) return new Response(null, { status: 304, headers });
  if (req.method === 'HEAD') return new Response(null, { status: 200, headers });
  try {
    const body = await store.get(row.key);
    log.info({ artifactId: row.id, size: row.size }, 'artifact served');
    return new Response(body, { status: 200, headers });
  } catch (err) {
    if (err instanceof ArtifactNotFoundError) {
      log.error({ artifactId: row.id, key: row.key }, 'artifact row without stored bytes');
      return notFound(reqId);
    }
    throw err;
  }
}
