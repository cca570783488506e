import { validateHumanTrialsCsv } from '../../workers/contract';
import type { Db } from '../db/client';
import { storeArtifact, type ArtifactStore } from '../storage';
import { authorizeUpload, UploadError } from './model-upload';

/**
 * Uploading human observers' responses (the tidy trial CSV of docs/human-trials.md, columns
 * HUMAN_TRIAL_COLUMNS) into a workspace, the same way as a model: multipart/form-data with
 * workspaceId and one file, session + Origin + editor role checked. Every row is validated against
 * HumanTrial before anything is stored; an error names the line and the column. The file is stored
 * as it came (what `analyse humans --csv` reads) as an artifact of content type HUMAN_TRIALS_TYPE,
 * named "<label> (<rows> trials, <participants> participants)" so the workspace lists it.
 */

export const HUMAN_TRIALS_TYPE = 'text/csv; profile=deeper-human-trials';
/** Largest CSV accepted (bytes): ~100 bytes a row, so about 80,000 trials. */
export const MAX_HUMAN_UPLOAD_BYTES = 8 * 1024 * 1024;

/** Rows and participants of a valid trials CSV; throws UploadError(400) naming line and column. */
export function inspectHumanTrialsCsv(text: string): { rows: number; participants: number } {
  try {
    const rows = validateHumanTrialsCsv(text);
    return { rows: rows.length, participants: new Set(rows.map((r) => r.participant)).size };
  } catch (e) {
    throw new UploadError(400, e instanceof Error ? e.message : String(e));
  }
}

/** POST /api/uploads/humans. Returns { id, name, rows, participants } or { error } with its status. */
export async function handleHumanUpload(req: Request, deps: { db?: Db; store?: ArtifactStore } = {}): Promise<Response> {
  const json = (status: number, body: unknown) => Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
  try {
    const { db, userId, workspaceId, form } = await authorizeUpload(req, MAX_HUMAN_UPLOAD_BYTES, 'human responses', deps.db);
    const files = form.getAll('files').filter((f): f is File => typeof f !== 'string');
    if (files.length !== 1) throw new UploadError(400, `Send exactly one CSV file (field 'files'); got ${files.length}`);
    const bytes = new Uint8Array(await files[0]!.arrayBuffer());
    if (bytes.byteLength > MAX_HUMAN_UPLOAD_BYTES) throw new UploadError(413, `The file exceeds ${MAX_HUMAN_UPLOAD_BYTES / 2 ** 20} MiB`);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new UploadError(400, `${files[0]!.name.slice(0, 100)} is not UTF-8 text`);
    }
    const info = inspectHumanTrialsCsv(text);
    const label = String(form.get('name') ?? '').trim().slice(0, 100) || files[0]!.name.replace(/\.csv$/i, '').slice(0, 100) || 'Human responses';
    const row = await storeArtifact(db, {
      workspaceId,
      name: `${label} (${info.rows} trials, ${info.participants} participants)`,
      contentType: HUMAN_TRIALS_TYPE,
      data: bytes,
      createdBy: userId,
    }, deps.store);
    return json(201, { id: row.id, name: row.name, rows: info.rows, participants: info.participants });
  } catch (err) {
    if (err instanceof UploadError) return json(err.status, { error: err.message });
    throw err;
  }
}
