import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scriptFiles } from '@/workers/nn/wasm-threads';

describe('the threaded wasm backend\'s script files', () => {
  it('writes each script once, whole, however many workers ask for it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deeper-script-files-'));
    const file = scriptFiles(dir);
    const text = `postMessage(${JSON.stringify('x'.repeat(1 << 20))}.length);`;
    const first = file('worker.cjs', text);
    const before = statSync(first, { bigint: true });
    for (let i = 0; i < 8; i++) expect(file('worker.cjs', text)).toBe(first);
    const after = statSync(first, { bigint: true });
    expect([after.ino, after.mtimeNs]).toEqual([before.ino, before.mtimeNs]); // neither replaced nor rewritten in place
    expect(readFileSync(first, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['worker.cjs']); // no partial file left
    expect(() => file('worker.cjs', text + ';')).toThrow(/two different scripts for worker\.cjs/);
  });
});
