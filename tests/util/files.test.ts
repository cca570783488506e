/** workers/util atomic writes: the whole file or the old one, no temporary file left, errors surface. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex, sourceDigest, stagedFolderSync, writeFileAtomic, writeFileAtomicSync } from '../../workers/util';

const dir = mkdtempSync(path.join(os.tmpdir(), 'deeper-util-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes bytes and strings, creating the folder, and leaves only the target', async () => {
    const file = path.join(dir, 'a', 'b', 'x.bin');
    writeFileAtomicSync(file, Uint8Array.of(1, 2, 3));
    expect([...readFileSync(file)]).toEqual([1, 2, 3]);
    await writeFileAtomic(file, 'replaced');
    expect(readFileSync(file, 'utf8')).toBe('replaced');
    expect(readdirSync(path.dirname(file))).toEqual(['x.bin']);
  });
  it('puts the temporary file in tmpDir when asked (the artifact store layout) and cleans it', async () => {
    const tmpDir = path.join(dir, 'store', 'tmp');
    const file = path.join(dir, 'store', 'ab', 'cd', 'key');
    await writeFileAtomic(file, 'bytes', { tmpDir });
    expect(readFileSync(file, 'utf8')).toBe('bytes');
    expect(readdirSync(tmpDir)).toEqual([]);
  });
  it('fails without a partial target and removes its temporary file', () => {
    const target = path.join(dir, 'is-a-folder');
    writeFileAtomicSync(path.join(target, 'inside'), 'x'); // target is now a non-empty folder: rename onto it fails
    expect(() => writeFileAtomicSync(target, 'y')).toThrow();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('stagedFolderSync (the result bundles\' writer to disk)', () => {
  it('shows nothing until commit, then replaces the older folder whole', () => {
    const target = path.join(dir, 'bundle');
    writeFileAtomicSync(path.join(target, 'old.txt'), 'old');
    const f = stagedFolderSync(target);
    expect(readdirSync(dir).filter((x) => x.startsWith('bundle.partial-'))).toEqual([]); // nothing made before the first put
    f.put('a/x.f32', new Uint8Array(Float32Array.of(1.5).buffer));
    f.put('summary.json', '{}\n');
    expect(readdirSync(target)).toEqual(['old.txt']);
    expect(f.commit()).toBe(path.resolve(target));
    expect(readdirSync(target).sort()).toEqual(['a', 'summary.json']);
    expect(new Float32Array(new Uint8Array(readFileSync(path.join(target, 'a', 'x.f32'))).buffer)[0]).toBe(1.5);
    expect(readdirSync(dir).filter((x) => x.startsWith('bundle.partial-'))).toEqual([]);
  });
  it('abort leaves the older folder and no temporary one', () => {
    const target = path.join(dir, 'bundle');
    const f = stagedFolderSync(target);
    f.put('summary.json', 'new');
    f.abort();
    expect(readFileSync(path.join(target, 'summary.json'), 'utf8')).toBe('{}\n');
    expect(readdirSync(dir).filter((x) => x.startsWith('bundle.partial-'))).toEqual([]);
  });
});

describe('sha256Hex and sourceDigest', () => {
  it('hashes parts in order (the NIST "abc" vector)', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('a', 'bc')).toBe(sha256Hex('abc'));
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(sha256Hex('abc'));
  });
  it('a source digest follows contents, not file names or which folder holds them', () => {
    const a = path.join(dir, 'src-a'), b = path.join(dir, 'src-b');
    writeFileAtomicSync(path.join(a, 'rng.ts'), 'export const x = 1;\n');
    writeFileAtomicSync(path.join(b, 'linalg.ts'), 'export const y = 2;\n');
    writeFileAtomicSync(path.join(b, 'notes.md'), 'not a source');
    const before = sourceDigest([a, b]);
    rmSync(path.join(a, 'rng.ts'));
    writeFileAtomicSync(path.join(b, 'random-numbers.ts'), 'export const x = 1;\n'); // renamed and moved
    expect(sourceDigest([a, b])).toBe(before);
    writeFileSync(path.join(b, 'linalg.ts'), 'export const y = 3;\n'); // edited
    expect(sourceDigest([a, b])).not.toBe(before);
  });
});
