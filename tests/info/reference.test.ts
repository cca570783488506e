// The shared GCMI reference vectors, through the same command a user runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyVectors } from '@/workers/info/verify';

const VECTORS = path.resolve(__dirname, '../../../shared/reference/gcmi/vectors.json');
const ROOT = path.resolve(__dirname, '../..');

function runVerify(file: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'workers/cli.ts', 'info', 'verify', file], { cwd: ROOT, encoding: 'utf8' });
}

describe.skipIf(!existsSync(VECTORS))('GCMI reference vectors (../shared/reference/gcmi/vectors.json; skipped when absent)', () => {
  it('npm run deeper -- info verify passes every case within 1e-9 abs / 1e-7 rel', () => {
    const r = runVerify(VECTORS);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(last.cases).toBeGreaterThanOrEqual(45);
    expect(last.passed).toBe(last.cases);
    expect(last.max_abs_error).toBeLessThan(1e-12);
  });

  it('reports a wrong expected value as a failing case and exits 1', () => {
    const file = JSON.parse(readFileSync(VECTORS, 'utf8'));
    const small = { ...file, cases: file.cases.filter((c: { fn: string }) => ['ent_g', 'mi_gg'].includes(c.fn)) };
    small.cases[1] = { ...small.cases[1], expected: small.cases[1].expected + 1e-6 };
    small.cases.push({ fn: 'no_such_fn', args: {}, expected: 0 });
    const tmp = path.join(mkdtempSync(path.join(tmpdir(), 'gcmi-')), 'bad.json');
    writeFileSync(tmp, JSON.stringify(small));
    const r = runVerify(tmp);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL case 1 \(ent_g\)/);
    expect(r.stdout).toMatch(/FAIL case \d+ \(no_such_fn\): unknown function/);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ cases: small.cases.length, passed: small.cases.length - 2 });
  });
});

describe('verify without the shared file', () => {
  it('accepts a hand-written case file in the same format', () => {
    const { summary } = verifyVectors({
      cases: [{ fn: 'copnorm', args: { x: [[3, 1, 2]] }, expected: [[0.6744897501960817, -0.6744897501960817, 0]] }],
    });
    expect(summary).toMatchObject({ cases: 1, passed: 1 });
  });
  it('rejects a malformed file naming the field', () => {
    expect(() => verifyVectors({ cases: [{ args: {} }] })).toThrow(/fn/);
  });
  it('the usage message on a bad command line (exit 2, usage on stderr)', () => {
    for (const argv of [['info'], ['info', 'verify'], ['info', 'check', 'x.json']]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'workers/cli.ts', ...argv], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toBe('usage: npm run deeper -- info verify <vectors.json>\n');
      expect(r.stdout).toBe('');
    }
  });
});
