import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { artifactFsPath, ArtifactKey } from '../contract';

/**
 * The artifact store as a worker sees it: whole buffers in and out, content-addressed by sha256.
 * The layout is the portal's (server/storage), so the web app serves what a worker wrote:
 * files at <root>/<k[0:2]>/<k[2:4]>/<key> (root = ARTIFACTS_DIR, else <DATA_DIR>/artifacts), or S3
 * objects at <S3_PREFIX><key> when S3_BUCKET is set. workers/ may not import server/, hence this
 * small buffer-only twin of the portal's store.
 */
export interface WorkerStore {
  put(bytes: Uint8Array): Promise<{ key: string; size: number }>;
  get(key: string): Promise<Uint8Array>;
  has(key: string): Promise<boolean>;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class FsWorkerStore implements WorkerStore {
  constructor(readonly root: string) {}

  pathOf(key: string): string {
    return path.join(this.root, artifactFsPath(key));
  }

  async put(bytes: Uint8Array): Promise<{ key: string; size: number }> {
    const key = sha256Hex(bytes);
    const dest = this.pathOf(key);
    if (await this.has(key)) return { key, size: bytes.byteLength };
    const tmpDir = path.join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${randomUUID()}.part`);
    try {
      await writeFile(tmp, bytes, { flag: 'wx' });
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(tmp, dest); // atomic: the key never names a partial file
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
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

/** S3-compatible store with the portal's settings (S3_BUCKET, S3_PREFIX, S3_ENDPOINT, ...). */
export class S3WorkerStore implements WorkerStore {
  private clientPromise: Promise<import('@aws-sdk/client-s3').S3Client>;
  constructor(
    readonly bucket: string,
    readonly prefix: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.clientPromise = import('@aws-sdk/client-s3').then(({ S3Client }) => {
      const credentials =
        env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY } : undefined;
      return new S3Client({
        region: env.S3_REGION || 'us-east-1',
        endpoint: env.S3_ENDPOINT || undefined,
        forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' || env.S3_FORCE_PATH_STYLE === '1',
        credentials,
      });
    });
  }

  private objectKey(key: string): string {
    return `${this.prefix}${ArtifactKey.parse(key)}`;
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
  if (env.S3_BUCKET) return new S3WorkerStore(env.S3_BUCKET, env.S3_PREFIX ?? 'artifacts/', env);
  const root = env.ARTIFACTS_DIR ?? path.join(path.resolve(env.DATA_DIR ?? '.data'), 'artifacts');
  return new FsWorkerStore(root);
}
