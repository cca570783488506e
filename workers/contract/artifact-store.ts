import { z } from 'zod';

/**
 * The artifact store, as both sides see it: the web app (server/storage, streaming, registered
 * per workspace) and the workers (workers/functions/worker-artifact-store.ts, whole buffers) read and write the
 * same content-addressed objects, so the layout and the settings are written once, here.
 *
 * Layout: an object's key is the sha256 of its bytes (64 lower-case hex).
 * - filesystem: <root>/<k[0:2]>/<k[2:4]>/<key>; writes go to <root>/tmp/<uuid>.part, then rename;
 * - S3: <prefix><key>; streamed writes go to <prefix>tmp/<uuid>, then copy + delete.
 */
export const ArtifactKey = z.string().regex(/^[0-9a-f]{64}$/, 'artifact key must be a sha256 (64 lower-case hex)');

/** Temporary folder (filesystem) or key prefix (S3, after <prefix>) of writes in progress. */
export const ARTIFACT_TMP_DIR = 'tmp';

/** Where an artifact's bytes live relative to the filesystem store root: <k[0:2]>/<k[2:4]>/<key>. */
export function artifactFsPath(key: string): string {
  ArtifactKey.parse(key);
  return `${key.slice(0, 2)}/${key.slice(2, 4)}/${key}`;
}

/** The S3 object key of an artifact: <prefix><key>. */
export function artifactObjectKey(prefix: string, key: string): string {
  return `${prefix}${ArtifactKey.parse(key)}`;
}

/** S3-compatible storage settings (production); absent: artifacts on the filesystem. */
export const S3Settings = z.object({
  bucket: z.string().min(1),
  /** Prefix inside the bucket (default 'artifacts/'). */
  prefix: z.string().default('artifacts/'),
  /** Endpoint URL of an S3-compatible service (MinIO...); AWS when absent. */
  endpoint: z.string().min(1).optional(),
  region: z.string().min(1).default('us-east-1'),
  accessKeyId: z.string().min(1).optional(),
  secretAccessKey: z.string().min(1).optional(),
  /** Path-style URLs (<endpoint>/<bucket>/<key>), needed by most self-hosted services. */
  forcePathStyle: z.boolean().default(false),
});
export type S3Settings = z.infer<typeof S3Settings>;

/**
 * The one parser of the S3 settings, from S3_BUCKET, S3_PREFIX, S3_ENDPOINT, S3_REGION,
 * S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_FORCE_PATH_STYLE ('true' or '1'). null when
 * S3_BUCKET is unset or empty (filesystem store). Empty strings count as unset.
 */
export function s3SettingsFromEnv(env: Record<string, string | undefined>): S3Settings | null {
  if (!env.S3_BUCKET) return null;
  const parsed = S3Settings.safeParse({
    bucket: env.S3_BUCKET,
    prefix: env.S3_PREFIX ?? undefined,
    endpoint: env.S3_ENDPOINT || undefined,
    region: env.S3_REGION || undefined,
    accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
    forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' || env.S3_FORCE_PATH_STYLE === '1',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`S3 settings: ${String(issue.path[0] ?? 'settings')} is invalid: ${issue.message}`);
  }
  return parsed.data;
}
