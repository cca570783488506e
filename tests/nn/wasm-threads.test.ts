import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { scriptFiles } from '@/workers/nn/wasm-threads';

describe('the threaded wasm backend\'s script files', () => {
  it('writes each script once, whole, however many workers ask for it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deeper-script-files-'));
    const file = scriptFiles(dir);
    const text = `postMessage(${JSON.stringify('x'.repeat(1 << 20))}.length);`;
    const first = file('worker.cjs', text);
    const inode = statSync(first).ino;
    for (let i = 0; i < 8; i++) expect(file('worker.cjs', text)).toBe(first);
    expect(statSync(first).ino).toBe(inode); // not rewritten
    expect(readFileSync(first, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['worker.cjs']); // no partial file left
    expect(() => file('worker.cjs', text + ';')).toThrow(/two different scripts for worker\.cjs/);
  });

  it('serves eight workers started back to back the whole script', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deeper-script-files-'));
    const file = scriptFiles(dir);
    const text = `require('node:worker_threads').parentPort.postMessage(${JSON.stringify('y'.repeat(4 << 20))}.length);`;
    const lengths = await Promise.all(Array.from({ length: 8 }, () => new Promise<number>((resolve, reject) => {
      const w = new Worker(file('worker.cjs', text));
      w.once('message', (n: number) => { resolve(n); void w.terminate(); });
      w.once('error', reject);
      w.once('exit', () => reject(new Error('worker exited without a message')));
    })));
    expect(lengths).toEqual(Array(8).fill(4 << 20));
  });
});
