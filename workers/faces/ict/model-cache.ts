/**
 * On-disk cache of built FaceModels: `<dir>/<key>.dfm` with its sha256 in `<dir>/<key>.dfm.sha256`.
 * A cache whose bytes do not match the checksum, or that does not decode, is never used: a warning
 * is logged (through `warn`) and the model is rebuilt and rewritten. Files are written to a
 * temporary name and renamed, so nothing half-written is ever read as a cache.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256Hex, writeFileAtomicSync } from '../../util';
import { decodeFaceModel, encodeFaceModel } from '../format';
import type { FaceModel } from '../model';

/** The built-in face models' disk cache (the procedural and the ict model): DEEPER_CACHE_DIR, else ~/.cache/deeper. */
export function modelCacheDir(): string {
  return process.env.DEEPER_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'deeper');
}

/** Writes bytes to `file` through a temporary file in the same folder and a rename (workers/util). */
export const writeFileAtomic = writeFileAtomicSync;

export { sha256Hex };

export interface CacheOptions {
  dir?: string;
  warn?: (message: string) => void;
}

/**
 * The model stored under `key` if its checksum and contents are sound, else `build()`'s result,
 * which is then cached. Older files of the same `prefix` are removed.
 */
export function cachedFaceModel(key: string, prefix: string, build: () => FaceModel, opts: CacheOptions = {}): FaceModel {
  const dir = opts.dir ?? modelCacheDir();
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  const file = path.join(dir, `${key}.dfm`);
  const sumFile = `${file}.sha256`;
  if (existsSync(file)) {
    const bytes = readFileSync(file);
    const expected = existsSync(sumFile) ? readFileSync(sumFile, 'utf8').trim() : '(missing)';
    const actual = sha256Hex(bytes);
    if (actual !== expected) {
      warn(`face model cache ${file}: sha256 ${actual.slice(0, 12)}… does not match the stored checksum ${expected.slice(0, 12)}…; rebuilding`);
    } else {
      try {
        return decodeFaceModel(bytes, file);
      } catch (e) {
        warn(`face model cache ${file}: ${(e as Error).message}; rebuilding`);
      }
    }
  }
  const model = build();
  try {
    const bytes = encodeFaceModel(model);
    rmSync(sumFile, { force: true });
    writeFileAtomic(file, bytes);
    writeFileAtomic(sumFile, sha256Hex(bytes));
    for (const f of readdirSync(dir)) {
      if (f.startsWith(prefix) && !f.startsWith(key) && (f.endsWith('.dfm') || f.endsWith('.dfm.sha256'))) rmSync(path.join(dir, f), { force: true });
    }
  } catch (e) {
    warn(`face model cache ${file}: cannot be written (${(e as Error).message}); the model will be rebuilt next time`);
  }
  return model;
}
