import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** sha256 of the parts, in order (bytes as they are, strings as UTF-8), as 64 lowercase hex digits. */
export function sha256Hex(...parts: (Uint8Array | string)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/**
 * A digest of the TypeScript sources directly in each folder (not sub-folders): the sha256 of the
 * sorted sha256s of the files' contents. It changes with any code edit there and does not depend on
 * the files' names or on which of the folders holds them, so renaming or moving a file between
 * them keeps a cache key (faces/default-model.ts, faces/ict/ict-model.ts) as it was.
 */
export function sourceDigest(dirs: readonly string[]): string {
  const sums: string[] = [];
  for (const dir of dirs) {
    for (const f of readdirSync(dir)) if (f.endsWith('.ts')) sums.push(sha256Hex(readFileSync(path.join(dir, f))));
  }
  return sha256Hex(sums.sort().join('\n'));
}
