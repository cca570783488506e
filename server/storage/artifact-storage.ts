import type { Readable } from 'node:stream';
import { ArtifactKey } from '../../workers/contract';

/** Bytes to store: a whole buffer, a web stream, a node stream or any async iterable of chunks. */
export type ArtifactData = Uint8Array | ReadableStream<Uint8Array> | Readable | AsyncIterable<Uint8Array>;

export interface StoredObject {
  /** sha256 of the content, lower-case hex (64 characters): the content address. */
  key: string;
  /** Size in bytes. */
  size: number;
}

/**
 * A content-addressed blob store. put() is atomic: an object is visible under its key only when
 * complete (filesystem: temporary file then rename; S3: multipart upload completed, then copied).
 */
export interface ArtifactStore {
  readonly kind: 'fs' | 's3';
  put(data: ArtifactData): Promise<StoredObject>;
  /** Streams the object; throws ArtifactNotFoundError when absent. */
  get(key: string): Promise<ReadableStream<Uint8Array>>;
  has(key: string): Promise<boolean>;
  /** Size of the object, or null when absent. */
  stat(key: string): Promise<{ size: number } | null>;
  delete(key: string): Promise<void>;
}

export class ArtifactNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`artifact ${key} not found`);
  }
}

/** A content address (the contract's ArtifactKey: sha256, 64 lower-case hex). */
export function isArtifactKey(key: string): boolean {
  return ArtifactKey.safeParse(key).success;
}
export function assertArtifactKey(key: string): void {
  if (!isArtifactKey(key)) throw new Error(`artifact key must be 64 lower-case hex characters (sha256), got '${key.slice(0, 80)}'`);
}

/** Iterates the chunks of any ArtifactData as Uint8Arrays. */
export async function* chunksOf(data: ArtifactData): AsyncIterable<Uint8Array> {
  if (data instanceof Uint8Array) {
    yield data;
    return;
  }
  if (typeof (data as ReadableStream).getReader === 'function') {
    const reader = (data as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  for await (const chunk of data as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }
}
