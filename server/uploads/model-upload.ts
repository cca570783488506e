import { getDb, type Db } from '../db/client';
import { roleAtLeast, roleIn } from '../auth/roles';
import { tokenFromCookieHeader, validateSession } from '../auth/sessions';
import { crossSiteRefusal } from '../http/same-origin';
import { storeArtifact } from '../storage';

/**
 * Uploading a TensorFlow.js LayersModel (model.json and its weight files, as tf.LayersModel.save
 * writes them) into a workspace: multipart/form-data with workspaceId and the files. The session
 * and the Origin are checked like every mutation, the caller must be an editor, and the model is
 * validated before anything is stored: one input of square RGB images, one output of class scores,
 * every weight file the manifest names present. Stored as one model bundle artifact (JSON of
 * base64 files, what the import-model worker reads); training.importedModel takes its id.
 */

export const MODEL_BUNDLE_TYPE = 'application/vnd.deeper.model-bundle+json';
/** Largest upload accepted (bytes): the demo-scale ResNet-10 is a few MiB. */
export const MAX_MODEL_UPLOAD_BYTES = 64 * 1024 * 1024;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FILE_RE = /^[A-Za-z0-9._-]{1,200}$/;

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a LayersModel's model.json says about its input and output. */
export interface LayersModelInfo {
  /** Input image side in pixels (the model takes [null, S, S, 3]). */
  inputSize: number;
  /** Output classes (identities). */
  classes: number;
  /** Weight files named by the manifest. */
  weightFiles: string[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);

/** Reads model.json; throws UploadError(400) naming what is wrong. */
export function inspectLayersModel(modelJson: string): LayersModelInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(modelJson);
  } catch {
    throw new UploadError(400, 'model.json is not valid JSON');
  }
  const m = obj(parsed);
  const topology = obj(m?.modelTopology);
  if (!m || !topology) throw new UploadError(400, 'model.json has no modelTopology: upload a TensorFlow.js LayersModel (tf.LayersModel.save / tensorflowjs_converter --output_format tfjs_layers_model)');
  if (m.format !== undefined && m.format !== 'layers-model') throw new UploadError(400, `model.json format is '${String(m.format)}': only TensorFlow.js LayersModels ('layers-model') can be imported, not graph models`);
  const config = obj(obj(topology.model_config)?.config ?? topology.config);
  const layers = Array.isArray(config?.layers) ? (config!.layers as unknown[]).map(obj) : [];
  if (!layers.length) throw new UploadError(400, 'model.json: modelTopology has no layers');
  // The input: an InputLayer's batch_input_shape (functional) or the first layer's (sequential).
  const shapes = layers.map((l) => obj(l?.config)?.batch_input_shape ?? obj(l?.config)?.batchInputShape).filter(Array.isArray) as unknown[][];
  const inShape = shapes[0];
  if (!inShape) throw new UploadError(400, 'model.json: no layer declares batch_input_shape, so the input size is unknown');
  if (inShape.length !== 4 || inShape[3] !== 3 || inShape[1] !== inShape[2] || typeof inShape[1] !== 'number')
    throw new UploadError(400, `model input shape must be [null, S, S, 3] (square RGB images); this model takes ${JSON.stringify(inShape)}`);
  const inputSize = inShape[1];
  if (inputSize < 16 || inputSize > 256) throw new UploadError(400, `model input size ${inputSize} px is outside render.sizePx's range, 16 to 256`);
  const last = layers[layers.length - 1];
  const units = obj(last?.config)?.units;
  if (typeof units !== 'number' || !Number.isInteger(units)) throw new UploadError(400, `model output: the last layer (${String(last?.class_name)}) must be a Dense layer scoring the identities (it has no 'units')`);
  if (units < 2 || units > 2000) throw new UploadError(400, `model output has ${units} classes; faces.identities allows 2 to 2000`);
  const manifest = Array.isArray(m.weightsManifest) ? (m.weightsManifest as unknown[]).map(obj) : [];
  const weightFiles = manifest.flatMap((g) => (Array.isArray(g?.paths) ? (g!.paths as unknown[]).map(String) : []));
  return { inputSize, classes: units, weightFiles };
}

/**
 * The checks every upload route makes before reading its files: Origin (same site), a session, the
 * declared size, multipart/form-data with a workspaceId the caller edits (editor or owner).
 */
export async function authorizeUpload(req: Request, maxBytes: number, what: string, db: Db = getDb()) {
  const crossSite = crossSiteRefusal(req);
  if (crossSite) throw new UploadError(403, crossSite);
  const session = await validateSession(db, tokenFromCookieHeader(req.headers.get('cookie')));
  if (!session) throw new UploadError(401, `Sign in to upload ${what}.`);
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new UploadError(413, `The upload is ${(declared / 2 ** 20).toFixed(1)} MiB; the limit is ${maxBytes / 2 ** 20} MiB`);
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new UploadError(400, 'Send the upload as multipart/form-data (fields workspaceId and files)');
  }
  const workspaceId = String(form.get('workspaceId') ?? '');
  if (!UUID_RE.test(workspaceId)) throw new UploadError(400, 'workspaceId must be a UUID');
  const role = await roleIn(db, session.user.id, workspaceId);
  if (!role) throw new UploadError(404, 'Not found.');
  if (!roleAtLeast(role, 'editor')) throw new UploadError(403, `Only editors and owners can upload ${what}.`);
  return { db, userId: session.user.id, workspaceId, form };
}

/** POST /api/uploads/model. Returns { id, name, inputSize, classes } or { error } with its status. */
export async function handleModelUpload(req: Request): Promise<Response> {
  const json = (status: number, body: unknown) => Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
  try {
    const { db, userId, workspaceId, form } = await authorizeUpload(req, MAX_MODEL_UPLOAD_BYTES, 'a model');
    const files = new Map<string, Uint8Array>();
    let total = 0;
    for (const entry of form.getAll('files')) {
      if (typeof entry === 'string') continue;
      // A dropped folder sends relative paths ("model/model.json"): keep the file name.
      const name = entry.name.split('/').pop() ?? '';
      if (!FILE_RE.test(name)) throw new UploadError(400, `file name '${entry.name.slice(0, 100)}' must be a plain name (letters, digits, . _ -)`);
      const bytes = new Uint8Array(await entry.arrayBuffer());
      total += bytes.byteLength;
      if (total > MAX_MODEL_UPLOAD_BYTES) throw new UploadError(413, `The files exceed ${MAX_MODEL_UPLOAD_BYTES / 2 ** 20} MiB`);
      files.set(name, bytes);
    }
    const modelJson = files.get('model.json');
    if (!modelJson) throw new UploadError(400, 'No model.json among the files: choose the folder tf.LayersModel.save wrote (model.json and its .bin weight files)');
    const info = inspectLayersModel(new TextDecoder().decode(modelJson));
    const missing = info.weightFiles.filter((f) => !files.has(f.split('/').pop()!));
    if (missing.length) throw new UploadError(400, `model.json names weight file${missing.length > 1 ? 's' : ''} that ${missing.length > 1 ? 'were' : 'was'} not uploaded: ${missing.join(', ')}`);
    const label = String(form.get('name') ?? '').trim().slice(0, 100) || 'Uploaded model';
    const bundle = { files: Object.fromEntries([...files].map(([n, b]) => [n, Buffer.from(b).toString('base64')])) };
    const row = await storeArtifact(db, {
      workspaceId,
      name: `${label} (${info.inputSize} px, ${info.classes} classes)`,
      contentType: MODEL_BUNDLE_TYPE,
      data: new TextEncoder().encode(JSON.stringify(bundle)),
      createdBy: userId,
    });
    return json(201, { id: row.id, name: row.name, inputSize: info.inputSize, classes: info.classes });
  } catch (err) {
    if (err instanceof UploadError) return json(err.status, { error: err.message });
    throw err;
  }
}
