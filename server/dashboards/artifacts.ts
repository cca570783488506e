import type { Db } from '../db/client';
import { getDb } from '../db/client';
import { roleIn } from '../auth/roles';
import { tokenFromCookieHeader, validateSession } from '../auth/sessions';
import { requestIdFrom, withRequestId } from '../log';
import { getArtifactRow, getArtifactStore } from '../storage';
import { artifactResponse, notFound } from '../storage/serve';
import type { ArtifactStore } from '../storage/artifact-storage';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * GET /api/artifacts/<id> (app/api/artifacts/[id]/route.ts): streams an artifact to a signed-in
 * member of its workspace, with its Content-Type and Content-Length. Anyone else (signed out,
 * non-member, unknown id) gets the same 404, so the answer never reveals that an artifact exists.
 * The authorisation is here, above storage; server/storage/serve.ts only writes the response.
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
    return artifactResponse(req, row, store, reqId, { filename: true });
  });
}
