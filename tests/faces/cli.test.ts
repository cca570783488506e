import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../workers/cli/faces';
import { encodeFaceModel, loadBuiltinFaceModel } from '../../workers/faces';

describe('npm run deeper -- faces', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deeper-faces-cli-'));
  it('writes a grid PNG, renders a stimulus and samples identities', async () => {
    const grid = path.join(dir, 'grid.png');
    expect(await run(['grid', '--out', grid, '--count', '4', '--cols', '4', '--size', '32', '--ssaa', '1', '--pose-row'])).toBe(0);
    const png = readFileSync(grid);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(4 * 32 + 5 * 2); // width: 4 tiles + gaps
    expect(png.readUInt32BE(20)).toBe(2 * 32 + 3 * 2); // height: identities + the pose row
    const one = path.join(dir, 'one.png');
    expect(await run(['render', '--out', one, '--size', '32', '--yaw', '20', '--expression', 'AU12=0.8'])).toBe(0);
    expect(existsSync(one)).toBe(true);
    const ids = path.join(dir, 'ids.json');
    expect(await run(['sample', '--count', '3', '--seed', '5', '--out', ids])).toBe(0);
    expect(JSON.parse(readFileSync(ids, 'utf8')).identities).toHaveLength(3);
  });
  it('fails clearly on bad input', async () => {
    expect(await run(['bogus'])).toBe(2);
    await expect(run(['grid'])).rejects.toThrow(/--out/);
    await expect(run(['render', '--out', path.join(dir, 'x.png'), '--yaw', 'left'])).rejects.toThrow(/--yaw must be a number/);
    await expect(run(['render', '--out', path.join(dir, 'x.png'), '--yaw', '100'])).rejects.toThrow(/'yaw'/);
  });
  it('names the file and the field of a truncated --model file (the cli reads it, faces decodes it)', async () => {
    const bytes = encodeFaceModel(loadBuiltinFaceModel('procedural'));
    const file = path.join(dir, 'truncated.dfm');
    writeFileSync(file, bytes.subarray(0, bytes.length - 1000));
    await expect(run(['sample', '--count', '1', '--model', file])).rejects.toThrow(/truncated\.dfm.*(runs past the end|expressionShape|expressionAlbedo)/);
  });
});
