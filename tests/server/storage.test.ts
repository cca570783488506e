import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import S3rver from 's3rver';
import { ArtifactNotFoundError, FsArtifactStore, S3ArtifactStore, type ArtifactStore } from '../../server/storage';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  return Buffer.concat(chunks);
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The behaviour both stores share. `big` is streamed in 64 KiB chunks. */
function storeContract(name: string, make: () => ArtifactStore, bigBytes: number) {
  describe(name, () => {
    it('stores a buffer under its sha256 and streams it back', async () => {
      const store = make();
      const data = new Uint8Array(new Float32Array([0.5, -1.25, 3e-7, Math.PI]).buffer);
      const { key, size } = await store.put(data);
      expect(key).toBe(sha256(data));
      expect(size).toBe(16);
      expect(await store.has(key)).toBe(true);
      expect(await store.stat(key)).toEqual({ size: 16 });
      const back = await readAll(await store.get(key));
      expect(Array.from(new Float32Array(back.buffer, back.byteOffset, 4))).toEqual(Array.from(new Float32Array(data.buffer)));
      // Same content, same key (stored once).
      expect((await store.put(new Uint8Array(data))).key).toBe(key);
    });

    it(`streams ${bigBytes / 2 ** 20} MiB in and out`, async () => {
      const store = make();
      const big = randomBytes(bigBytes);
      const chunks = Array.from({ length: Math.ceil(bigBytes / 65536) }, (_, i) => big.subarray(i * 65536, (i + 1) * 65536));
      const { key, size } = await store.put(Readable.from(chunks));
      expect([key, size]).toEqual([sha256(big), bigBytes]);
      expect(sha256(await readAll(await store.get(key)))).toBe(key);
      // A web ReadableStream works too.
      const web = new Blob([big.subarray(0, 1000)]).stream();
      expect((await store.put(web)).key).toBe(sha256(big.subarray(0, 1000)));
    });

    it('deletes, and reports absent keys', async () => {
      const store = make();
      const { key } = await store.put(Buffer.from('to be deleted'));
      await store.delete(key);
      expect(await store.has(key)).toBe(false);
      expect(await store.stat(key)).toBeNull();
      await expect(store.get(key)).rejects.toBeInstanceOf(ArtifactNotFoundError);
      await expect(store.get('../../etc/passwd')).rejects.toThrow(/64 lower-case hex/);
    });
  });
}

const root = mkdtempSync(path.join(tmpdir(), 'deeper-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

storeContract('FsArtifactStore', () => new FsArtifactStore(path.join(root, 'fs')), 3 * 2 ** 20);

describe('FsArtifactStore layout', () => {
  it('shards by key prefix and leaves no temporary files', async () => {
    const store = new FsArtifactStore(path.join(root, 'fs2'));
    const { key } = await store.put(Buffer.from('hello'));
    expect(store.pathOf(key)).toBe(path.join(root, 'fs2', key.slice(0, 2), key.slice(2, 4), key));
    expect(readdirSync(path.join(root, 'fs2', 'tmp'))).toEqual([]);
    // A failing source leaves nothing behind.
    const failing = Readable.from((async function* () {
      yield Buffer.from('partial');
      throw new Error('source broke');
    })());
    await expect(store.put(failing)).rejects.toThrow('source broke');
    expect(readdirSync(path.join(root, 'fs2', 'tmp'))).toEqual([]);
  });
});

let s3server: S3rver | undefined;
let endpoint = '';
beforeAll(async () => {
  s3server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(root, 's3rver'), configureBuckets: [{ name: 'deeper', configs: [] }] });
  const { address, port } = await s3server.run();
  endpoint = `http://${address}:${port}`;
});
afterAll(async () => {
  await s3server?.close();
});

// 11 MiB: three parts of the 5 MiB minimum, so the multipart path (create, parts, complete) runs.
storeContract(
  'S3ArtifactStore on s3rver',
  () =>
    new S3ArtifactStore({ bucket: 'deeper', endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true, partSize: 5 * 2 ** 20 }),
  11 * 2 ** 20,
);
