import { and, eq } from 'drizzle-orm';
import type { ExperimentConfig } from '../../workers/contract';
import type { Db } from '../db/client';
import { artifacts } from '../db/schema';
import { RefusedError } from '../errors';
import { HUMAN_TRIALS_TYPE } from '../uploads/human-upload';

/**
 * Artifacts a configuration refers to (an imported network, an imported face model) are named
 * by their artifact id, a UUID, and resolved here, at launch, inside the run's workspace: the
 * run's stored configuration then holds the content key the workers read. A content key (sha256)
 * typed into a configuration is refused, so no one can read another workspace's upload by its
 * hash, and an id of another workspace gets the same answer as an id that does not exist.
 */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ArtifactField {
  path: string;
  get(c: ExperimentConfig): string | undefined;
  set(c: ExperimentConfig, key: string): void;
  /** Whether a value that is not an id may be a built-in name (the worker checks which). */
  builtInNames: boolean;
  /** What the upload is, in errors ('model', 'human-trials CSV'). */
  what: string;
  /** The content type the artifact must have (an upload of another kind is refused), when set. */
  contentType?: string;
}

const FIELDS: ArtifactField[] = [
  {
    path: 'training.importedModel',
    get: (c) => c.training.importedModel || undefined,
    set: (c, key) => void (c.training.importedModel = key),
    builtInNames: false,
    what: 'model',
  },
  {
    path: 'faces.model',
    get: (c) => c.faces.model,
    set: (c, key) => void (c.faces.model = key),
    builtInNames: true,
    what: 'model',
  },
  {
    path: 'analyses.generalisation.humanResponses',
    get: (c) => c.analyses.generalisation.humanResponses || undefined,
    set: (c, key) => void (c.analyses.generalisation.humanResponses = key),
    builtInNames: false,
    what: 'human-trials CSV',
    contentType: HUMAN_TRIALS_TYPE,
  },
];

/** A copy of `config` with every artifact id replaced by its content key; refuses unknown ids. */
export async function resolveConfigArtifacts(db: Db, workspaceId: string, config: ExperimentConfig): Promise<ExperimentConfig> {
  const resolved = structuredClone(config);
  for (const field of FIELDS) {
    const value = field.get(config);
    if (value === undefined) continue;
    if (!UUID_RE.test(value)) {
      if (/^[0-9a-f]{64}$/i.test(value) || !field.builtInNames)
        throw new RefusedError('BAD_REQUEST', `${field.path} must be the id (a UUID) of a ${field.what} uploaded to this workspace`);
      continue; // a built-in model's name
    }
    const [row] = await db
      .select({ key: artifacts.key, contentType: artifacts.contentType })
      .from(artifacts)
      .where(and(eq(artifacts.id, value.toLowerCase()), eq(artifacts.workspaceId, workspaceId)))
      .limit(1);
    if (!row) throw new RefusedError('BAD_REQUEST', `${field.path}: no uploaded ${field.what} with id ${value} in this workspace`);
    if (field.contentType && row.contentType !== field.contentType)
      throw new RefusedError('BAD_REQUEST', `${field.path}: the upload ${value} is not a ${field.what} (upload it through the ${field.what} upload, which validates it)`);
    field.set(resolved, row.key);
  }
  return resolved;
}
