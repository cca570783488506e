/** Action units of the ICT model are local, and emotions are an exactly re-renderable stimulus factor. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBuiltinFaceModel } from '../../workers/faces';
import { parseDatasetConfig, renderDatasetImage } from '../../workers/render/dataset';
import { buildDataset } from '../../workers/render/dataset-build';
import { folderFilesSync } from '../../workers/util';
import { listShards, readShard } from '../../workers/render/dataset-format';
import { parseStimulusDesign, stimulusFactors } from '../../workers/render/design';

const model = loadBuiltinFaceModel('ict');
const N = model.vertexCount * 3;

/** Largest displacement (mm) of the given vertices under expression row `name` at weight 1. */
function maxMove(name: string, vertices: ArrayLike<number>): number {
  const e = model.expressionNames.indexOf(name);
  let m = 0;
  for (const v of Array.from(vertices)) {
    const o = e * N + v * 3;
    m = Math.max(m, Math.hypot(model.expressionShape[o], model.expressionShape[o + 1], model.expressionShape[o + 2]));
  }
  return m;
}

describe('ICT action units', () => {
  const corners = [model.landmarks.mouth_left, model.landmarks.mouth_right];
  const innerBrows = [model.landmarks.ibug_21, model.landmarks.ibug_22];
  it('AU12 (lip corner puller) moves the mouth corners ≥ 3 mm and the brows < 0.3 mm', () => {
    for (const v of corners) expect(maxMove('AU12', [v])).toBeGreaterThanOrEqual(3);
    expect(maxMove('AU12', model.regions.brow)).toBeLessThan(0.3);
  });
  it('AU1 (inner brow raiser) moves the brows ≥ 2 mm and the mouth < 0.3 mm', () => {
    for (const v of innerBrows) expect(maxMove('AU1', [v])).toBeGreaterThanOrEqual(2);
    expect(maxMove('AU1', model.regions.mouth)).toBeLessThan(0.3);
  });
});

describe('emotion as a stimulus factor', () => {
  const config = {
    model: 'ict' as const,
    identities: { count: 2, seed: 3 },
    design: { size: 32, imagesPerIdentity: 4, factors: { yaw: { kind: 'uniform' as const, min: -20, max: 20 } }, emotion: { emotions: ['happiness' as const, 'surprise' as const, 'anger' as const], intensity: { kind: 'uniform' as const, min: 0.3, max: 1 } } },
    seed: 11, valFraction: 0, shardSize: 8,
  };
  it('draws seeded emotions and renders byte-identically on the main thread and in render workers', async () => {
    const design = parseStimulusDesign(config.design, model);
    const f = stimulusFactors(design, 11, 1, 2);
    expect(stimulusFactors(design, 11, 1, 2)).toEqual(f);
    expect(['happiness', 'surprise', 'anger']).toContain(f.emotion?.name);
    expect(() => parseStimulusDesign({ ...config.design, emotion: { emotions: ['happiness'], intensity: 1.5 } })).toThrow(/emotion.intensity/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'deeper-expr-'));
    await buildDataset(config, { files: folderFilesSync(dir), threads: 1 });
    const files = folderFilesSync(dir);
    const shard = readShard(files, listShards(files)[0].json);
    const parsed = parseDatasetConfig(config, model);
    for (let k = 0; k < shard.records.length; k++) {
      const rec = shard.records[k];
      expect(rec.factors.emotionIntensity).toBeGreaterThanOrEqual(0.3);
      const again = renderDatasetImage(model, parsed, rec.index);
      expect(Buffer.from(again.rgb).equals(Buffer.from(shard.images.subarray(k * 3072, (k + 1) * 3072)))).toBe(true);
    }
    // The expression changes the image: the same image index at intensity 0 differs.
    const neutral = renderDatasetImage(model, parseDatasetConfig({ ...config, design: { ...config.design, emotion: { ...config.design.emotion, intensity: 0 } } }, model), 0);
    expect(Buffer.from(neutral.rgb).equals(Buffer.from(shard.images.subarray(0, 3072)))).toBe(false);
  }, 240_000);
});
