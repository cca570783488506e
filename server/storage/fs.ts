import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ARTIFACT_TMP_DIR, artifactFsPath } from '../../workers/contract';
import { ArtifactNotFoundError, assertArtifactKey, chunksOf, type ArtifactData, type ArtifactStore, type StoredObject } from './artifact-storage';

/**
 * Artifacts as files: <root>/<k[0:2]>/<k[2:4]>/<key> (the contract's artifactFsPath), sharded so
 * that no directory grows huge.
 * Writes go to <root>/tmp/<uuid> while hashing and are renamed into place when complete.
 */
export class FsArtifactStore implements ArtifactStore {
  readonly kind = 'fs' as const;
  constructor(readonly root: string) {}

  pathOf(key: string): string {
    assertArtifactKey(key);
    return path.join(this.root, artifactFsPath(key));
  }

  async put(data: ArtifactData): Promise<StoredObject> {
    const tmpDir = path.join(this.root, ARTIFACT_TMP_DIR);
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      const counted = Readable.from(
        (async function* () {
          for await (const chunk of chunksOf(data)) {
            hash.update(chunk);
            size += chunk.byteLength;
            yield chunk;
          }
        })(),
      );
      await pipeline(counted, createWriteStream(tmp, { flags: 'wx' }));
      const key = hash.digest('hex');
      const dest = this.pathOf(key);
      await mkdir(path.dirname(dest), { recursive: true });
      // Same content already stored: identical bytes, so renaming over it is harmless and atomic.
      await rename(tmp, dest);
      return { key, size };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<ReadableStream<Uint8Array>> {
    const file = this.pathOf(key);
    if (!(await this.stat(key))) throw new ArtifactNotFoundError(key);
    return Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  }

  async has(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const s = await stat(this.pathOf(key));
      return { size: s.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
