import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFaceModel, loadBuiltinFaceModel, loadDefaultFaceModel } from '../../workers/faces';
import { parseDatasetConfig, planDataset, renderDatasetImage } from '../../workers/render/dataset';
import { buildDataset } from '../../workers/render/dataset-build';
import { folderFilesSync } from '../../workers/util';
import { listShards, readShard } from '../../workers/render/dataset-format';
import { parseStimulusDesign, stimulusFactors } from '../../workers/render/design';

const config = {
  identities: { count: 4, seed: 2 },
  design: {
    size: 32, imagesPerIdentity: 10,
    factors: { yaw: { kind: 'uniform' as const, min: -30, max: 30 }, lightAzimuth: { kind: 'grid' as const, values: [-40, 0, 40] } },
    expressions: { smile: { kind: 'uniform' as const, min: 0, max: 1 } },
    background: { kind: 'noise' as const, mean: 0.5, amplitude: 0.1 },
  },
  seed: 7, valFraction: 0.2, shardSize: 12,
};

describe('stimulus designs', () => {
  it('draws uniform factors in range, enumerates grids, and is reproducible', () => {
    const d = parseStimulusDesign(config.design);
    const f = Array.from({ length: 6 }, (_, m) => stimulusFactors(d, 7, 1, m));
    expect(f.map((x) => x.lightAzimuth)).toEqual([-40, 0, 40, -40, 0, 40]);
    for (const x of f) expect(Math.abs(x.yaw)).toBeLessThanOrEqual(30);
    expect(stimulusFactors(d, 7, 1, 3)).toEqual(f[3]);
    expect(stimulusFactors(d, 8, 1, 3).yaw).not.toBe(f[3].yaw);
  });
  it('rejects bad designs naming the field and range', () => {
    const model = loadDefaultFaceModel();
    expect(() => parseStimulusDesign({ imagesPerIdentity: 5, factors: { yaw: { kind: 'uniform', min: -100, max: 0 } } })).toThrow(/factors\.yaw.*-100.*\[-90, 90\]/);
    expect(() => parseStimulusDesign({ imagesPerIdentity: 0 })).toThrow(/imagesPerIdentity/);
    expect(() => parseStimulusDesign({ imagesPerIdentity: 5, expressions: { grin: 1 } }, model)).toThrow(/expressions\.grin.*no such expression/);
    expect(() => parseDatasetConfig({ ...config, valFraction: 2 })).toThrow(/valFraction/);
  });
});

describe('datasets', () => {
  it('splits each identity\'s images into train and validation', () => {
    const plan = planDataset(parseDatasetConfig(config));
    expect(plan.train.length).toBe(32);
    expect(plan.val.length).toBe(8);
    for (let i = 0; i < 4; i++) expect(plan.val.filter((p) => p.identity === i).length).toBe(2);
  });

  it('renders shards over worker threads, reads them back, re-renders any image, and resumes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'deeper-dataset-'));
    const progress: number[] = [];
    const first = await buildDataset(config, { files: folderFilesSync(dir), threads: 2, onProgress: (p) => progress.push(p.imagesDone) });
    expect(first.shardsRendered).toBe(4); // train 32 → 3 shards of ≤ 12, val 8 → 1
    expect(progress.at(-1)).toBe(40);
    const files = folderFilesSync(dir);
    const shards = listShards(files);
    expect(shards.map((s) => `${s.split}:${s.count}`)).toEqual(['train:12', 'train:12', 'train:8', 'val:8']);
    // Without dataset.json the shards folder is scanned: the same refs, relative to the folder.
    expect(listShards({ ...files, read: (n) => (n === 'dataset.json' ? null : files.read(n)) })).toEqual(shards);
    expect(() => listShards(folderFilesSync(path.join(dir, 'none')))).toThrow(/neither dataset\.json nor a shards\/ folder/);
    const s0 = readShard(files, shards[0].json);
    expect(s0.images.length).toBe(12 * 32 * 32 * 3);
    expect(Array.from(s0.labels.slice(0, 9))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(s0.records[0].factors).toHaveProperty('yaw');
    expect((s0.records[0].factors.expressions as Record<string, number>).smile).toBeGreaterThanOrEqual(0);
    // Any image re-renders to the same bytes from (model, config, index).
    const rec = s0.records[5];
    const again = renderDatasetImage(loadDefaultFaceModel(), parseDatasetConfig(config), rec.index);
    expect(Buffer.from(again.rgb).equals(Buffer.from(s0.images.subarray(5 * 3072, 6 * 3072)))).toBe(true);
    // Corrupt one shard: a resumed build keeps the other three and restores the same bytes.
    const bin = path.join(dir, shards[1].bin);
    const original = readFileSync(bin);
    writeFileSync(bin, original.subarray(0, 100));
    expect(() => readShard(files, shards[1].bin)).toThrow(/has 100 bytes|checksum/);
    const second = await buildDataset(config, { files: folderFilesSync(dir), threads: 0 });
    expect([second.shardsKept, second.shardsRendered]).toEqual([3, 1]);
    expect(readFileSync(bin).equals(original)).toBe(true);
  });

  it('renders from a face-model file whose bytes the caller reads (readModelFile), in worker threads too', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'deeper-dataset-file-'));
    const modelFile = path.join(dir, 'procedural.dfm');
    writeFileSync(modelFile, encodeFaceModel(loadBuiltinFaceModel('procedural')));
    const small = { ...config, model: { file: modelFile }, identities: { count: 2, seed: 2 }, design: { ...config.design, size: 16, imagesPerIdentity: 2 }, shardSize: 2 };
    await expect(buildDataset(small, { files: folderFilesSync(path.join(dir, 'a')), threads: 0 })).rejects.toThrow(/model\.file.*procedural\.dfm/);
    const read: string[] = [];
    const readModelFile = (f: string) => (read.push(f), readFileSync(f));
    const byThread = await buildDataset(small, { files: folderFilesSync(path.join(dir, 'b')), readModelFile, threads: 1 });
    const inline = await buildDataset({ ...small, model: 'procedural' }, { files: folderFilesSync(path.join(dir, 'c')), threads: 0 });
    expect(read).toEqual([modelFile]);
    expect(byThread.model.name).toBe(inline.model.name);
    for (const s of byThread.shards) expect(readFileSync(path.join(dir, 'b', s.bin)).equals(readFileSync(path.join(dir, 'c', s.bin)))).toBe(true);
  });
});
