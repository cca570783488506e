import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex, writeFileAtomic } from '../util';
import { ARTIFACT_TMP_DIR, artifactFsPath, artifactObjectKey, s3SettingsFromEnv, type S3Settings } from '../contract';

/**
 * The artifact store as a worker sees it: whole buffers in and out, content-addressed by sha256.
 * The layout and the S3 settings are the contract's (workers/contract/artifact-store.ts), shared
 * with the portal's store (server/storage), so the web app serves what a worker wrote: files under
 * root = ARTIFACTS_DIR, else <DATA_DIR>/artifacts, or S3 objects when S3_BUCKET is set. workers/
 * may not import server/, hence this small buffer-only store beside the portal's streaming one.
 */
export interface WorkerStore {
  put(bytes: Uint8Array): Promise<{ key: string; size: number }>;
  get(key: string): Promise<Uint8Array>;
  has(key: string): Promise<boolean>;
}

export { sha256Hex };

export class FsWorkerStore implements WorkerStore {
  constructor(readonly root: string) {}

  pathOf(key: string): string {
    return path.join(this.root, artifactFsPath(key));
  }

  async put(bytes: Uint8Array): Promise<{ key: string; size: number }> {
    const key = sha256Hex(bytes);
    const dest = this.pathOf(key);
    if (await this.has(key)) return { key, size: bytes.byteLength };
    // atomic: written under tmp/, renamed to the key, so the key never names a partial file
    await writeFileAtomic(dest, bytes, { tmpDir: path.join(this.root, ARTIFACT_TMP_DIR) });
    return { key, size: bytes.byteLength };
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`artifact ${key} not found in ${this.root}`);
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      await stat(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }
}

/** S3-compatible store with the portal's settings (S3Settings, parsed by s3SettingsFromEnv). */
export class S3WorkerStore implements WorkerStore {
  private clientPromise: Promise<import('@aws-sdk/client-s3').S3Client>;
  readonly bucket: string;
  readonly prefix: string;
  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.prefix = settings.prefix;
    this.clientPromise = import('@aws-sdk/client-s3').then(({ S3Client }) => {
      const credentials =
        settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined;
      return new S3Client({ region: settings.region, endpoint: settings.endpoint, forcePathStyle: settings.forcePathStyle, credentials });
    });
  }

  private objectKey(key: string): string {
    return artifactObjectKey(this.prefix, key);
  }

  async put(bytes: Uint8Array): Promise<{ key: string; size: number }> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const key = sha256Hex(bytes);
    // A single PUT is atomic on S3: the object appears complete or not at all.
    await (await this.clientPromise).send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: bytes, ContentLength: bytes.byteLength }));
    return { key, size: bytes.byteLength };
  }

  async get(key: string): Promise<Uint8Array> {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const out = await (await this.clientPromise).send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    return out.Body!.transformToByteArray();
  }

  async has(key: string): Promise<boolean> {
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    try {
      await (await this.clientPromise).send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch {
      return false;
    }
  }
}

/** The store configured by the environment (the same variables as the web app). */
export function workerStoreFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerStore {
  const s3 = s3SettingsFromEnv(env);
  if (s3) return new S3WorkerStore(s3);
  const root = env.ARTIFACTS_DIR ?? path.join(path.resolve(env.DATA_DIR ?? '.data'), 'artifacts');
  return new FsWorkerStore(root);
}
