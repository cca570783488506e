/** The committed SIMD kernels (workers/nn/wasm/*.wasm) are what their C source builds to. */
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = path.resolve(__dirname, '../../workers/nn/wasm');
const hasClang = spawnSync('clang-14', ['--version']).status === 0 && spawnSync('llvm-objdump-14', ['--version']).status === 0;

describe.skipIf(!hasClang)('workers/nn/wasm build (needs clang-14, lld-14)', () => {
  it('a rebuild reproduces the committed binaries byte for byte', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'nn-wasm-'));
    try {
      execFileSync('bash', [path.join(dir, 'build.sh')], { env: { ...process.env, OUT: out }, stdio: 'pipe' });
      for (const f of ['kernels.wasm', 'kernels-shared.wasm']) {
        expect(Buffer.compare(readFileSync(path.join(out, f)), readFileSync(path.join(dir, f)))).toBe(0);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
