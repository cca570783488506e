/**
 * workers/ libraries read no environment (workers/IO.md): process.env appears only in the edges
 * (functions/, cli/, main.ts, cli.ts) and the one named exception, the built-in face models' disk
 * cache (faces/ict/model-cache.ts: DEEPER_CACHE_DIR, read in every worker thread that loads a model).
 * node:fs imports are checked by the import rules (.dependency-cruiser.cjs, workers-libraries-no-fs).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const workers = path.resolve(__dirname, '../../workers');
const EDGE = /^(functions|cli)\/|^(main|cli)\.ts$/;
const EXCEPTIONS = ['faces/ict/model-cache.ts'];

function sources(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return sources(dir, r);
    return /\.(ts|mts|mjs)$/.test(e.name) ? [r] : [];
  });
}

describe('workers libraries read no environment', () => {
  it('has process.env only in the edges and the named exception', () => {
    const files = sources(workers);
    expect(files.length).toBeGreaterThan(100);
    const readers = files.filter((f) => !EDGE.test(f) && /process\.env\b/.test(readFileSync(path.join(workers, f), 'utf8')));
    expect(readers).toEqual(EXCEPTIONS);
  });
});
