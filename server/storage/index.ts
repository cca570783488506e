import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { artifacts } from '../db/schema';
import { config } from '../config';
import { FsArtifactStore } from './fs';
import { S3ArtifactStore, s3OptionsFromEnv } from './s3';
import type { ArtifactData, ArtifactStore } from './artifact-storage';

export * from './artifact-storage';
export { FsArtifactStore } from './fs';
export { S3ArtifactStore, s3OptionsFromEnv, type S3StoreOptions } from './s3';

const g = globalThis as unknown as { __deeperStore?: ArtifactStore };

/** The process-wide store: S3 when S3_BUCKET is set, else files under <DATA_DIR>/artifacts. */
export function getArtifactStore(): ArtifactStore {
  if (!g.__deeperStore) {
    const s3 = s3OptionsFromEnv();
    g.__deeperStore = s3 ? new S3ArtifactStore(s3) : new FsArtifactStore(path.join(config.dataDir, 'artifacts'));
  }
  return g.__deeperStore;
}

export type ArtifactRow = typeof artifacts.$inferSelect;

export interface StoreArtifactInput {
  workspaceId: string;
  /** Display / download name, e.g. 'information-map.f32'. */
  name: string;
  /** MIME type served with it (default application/octet-stream). */
  contentType?: string;
  data: ArtifactData;
  runId?: string | null;
  createdBy?: string | null;
}

/**
 * Stores bytes and registers them to a workspace: the one call other server code uses to
 * publish an artifact. Returns the row; GET /api/artifacts/<row.id> streams it to members.
 * A Float32Array etc. may be passed as new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).
 */
export async function storeArtifact(db: Db, input: StoreArtifactInput, store: ArtifactStore = getArtifactStore()): Promise<ArtifactRow> {
  const { key, size } = await store.put(input.data);
  const [row] = await db
    .insert(artifacts)
    .values({
      workspaceId: input.workspaceId,
      key,
      size,
      name: input.name,
      contentType: input.contentType ?? 'application/octet-stream',
      runId: input.runId ?? null,
      createdBy: input.createdBy ?? null,
    })
    .returning();
  return row!;
}

export async function getArtifactRow(db: Db, artifactId: string): Promise<ArtifactRow | null> {
  const [row] = await db.select().from(artifacts).where(eq(artifacts.id, artifactId)).limit(1);
  return row ?? null;
}
