import { createHash, randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ARTIFACT_TMP_DIR, artifactObjectKey, s3SettingsFromEnv, type S3Settings } from '../../workers/contract';
import { ArtifactNotFoundError, assertArtifactKey, chunksOf, type ArtifactData, type ArtifactStore, type StoredObject } from './artifact-storage';

/** The contract's S3 settings (workers/contract/artifact-store.ts), plus the multipart part size. */
export type S3StoreOptions = Partial<Omit<S3Settings, 'bucket'>> & {
  bucket: string;
  /** Multipart part size in bytes (≥ 5 MiB; default 8 MiB). */
  partSize?: number;
};

/** The S3 settings from the environment: the contract's one parser (null without S3_BUCKET). */
export function s3OptionsFromEnv(env: NodeJS.ProcessEnv = process.env): S3StoreOptions | null {
  return s3SettingsFromEnv(env);
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * Artifacts in an S3-compatible bucket under <prefix><key>. A buffer is hashed first and put
 * directly under its key. A stream is hashed while it uploads (multipart, via lib-storage) to
 * <prefix>tmp/<uuid>; once the upload completes it is copied to its key and the temporary
 * object deleted, so a key never names a partial object.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  private readonly partSize: number;

  constructor(opts: S3StoreOptions, client?: S3Client) {
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? 'artifacts/';
    this.partSize = Math.max(5 * 1024 * 1024, opts.partSize ?? 8 * 1024 * 1024);
    const cfg: S3ClientConfig = { region: opts.region ?? 'us-east-1', endpoint: opts.endpoint, forcePathStyle: opts.forcePathStyle };
    if (opts.accessKeyId && opts.secretAccessKey) cfg.credentials = { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey };
    this.client = client ?? new S3Client(cfg);
  }

  objectKey(key: string): string {
    assertArtifactKey(key);
    return artifactObjectKey(this.prefix, key);
  }

  async put(data: ArtifactData): Promise<StoredObject> {
    if (data instanceof Uint8Array) {
      const key = createHash('sha256').update(data).digest('hex');
      if (!(await this.has(key))) {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: data, ContentLength: data.byteLength }));
      }
      return { key, size: data.byteLength };
    }
    const tmpKey = `${this.prefix}${ARTIFACT_TMP_DIR}/${randomUUID()}`;
    const hash = createHash('sha256');
    let size = 0;
    const body = new PassThrough();
    const feed = (async () => {
      try {
        for await (const chunk of chunksOf(data)) {
          hash.update(chunk);
          size += chunk.byteLength;
          if (!body.write(chunk)) await new Promise((r) => body.once('drain', r));
        }
        body.end();
      } catch (err) {
        body.destroy(err as Error);
        throw err;
      }
    })();
    const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: tmpKey, Body: body }, partSize: this.partSize, queueSize: 2 });
    try {
      await Promise.all([feed, upload.done()]);
      const key = hash.digest('hex');
      if (!(await this.has(key))) {
        await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), CopySource: `${this.bucket}/${tmpKey}` }));
      }
      return { key, size };
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tmpKey })).catch(() => undefined);
    }
  }

  async get(key: string): Promise<ReadableStream<Uint8Array>> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      const body = out.Body as Readable | undefined;
      if (!body) throw new ArtifactNotFoundError(key);
      return Readable.toWeb(body as Readable) as ReadableStream<Uint8Array>;
    } catch (err) {
      if (isNotFound(err)) throw new ArtifactNotFoundError(key);
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { size: Number(out.ContentLength ?? 0) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }
}
