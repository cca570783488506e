/**
 * Issue 12: bubbles is the default basis of the maps; the battery runs end to end with it (every
 * stage, a valid bundle whose reverse-correlation summary states the basis and the negative values).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { sampleIdentities } from '../../workers/faces/identity';
import { buildResNet10, chooseBackend } from '../../workers/nn';
import { networkFromModel } from '../../workers/analyses/nn-adapter';
import { runBattery, type BatteryConfig } from '../../workers/analyses/battery';
import { stagedFolderSync } from '../../workers/util';
import { BatterySummary, NEGATIVE_MI_NOTE } from '../../workers/contract/result-bundles';

const dir = mkdtempSync(path.join(os.tmpdir(), 'deeper-battery-bubbles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('battery with bubbles noise', { timeout: 300_000 }, () => {
  it('runs and states the basis', async () => {
    await chooseBackend({ log: () => {} });
    const model = loadDefaultFaceModel();
    const identities = sampleIdentities(model, { count: 2, seed: 1 });
    const net = networkFromModel(buildResNet10({ inputSize: 32, widthMultiplier: 0.125, numClasses: 2, seed: 1 }));
    const cfg: BatteryConfig = {
      generalisation: { enabled: false, identityCount: 2 },
      reverseCorrelation: { enabled: true, identities: [0], trials: 60, shapeNoiseSd: 1, textureNoiseSd: 0.05, basis: 'bubbles', bubbles: { sigmaMm: 8, density: 1 }, permutations: 19, alpha: 0.05, tfce: false, bands: true, seed: 1, threads: 1 },
      hiddenLayers: { enabled: true, pcaComponents: 2, vertexStride: 16 },
      poseInvariance: { enabled: true, posesYawDeg: [-20, 20], trials: 30, vertexStride: 16 },
      batchSize: 32,
    };
    const out = path.join(dir, 'bundle');
    await runBattery(model, identities, net, cfg, stagedFolderSync(out));
    const onDisk = BatterySummary.parse(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')));
    const rc = onDisk.reverseCorrelation[0];
    expect(rc.noise.basis).toBe('bubbles');
    // no per-band maps and no component MI without coefficient noise
    expect(rc.maps.map((m) => m.name)).toEqual(expect.arrayContaining(['shape.logit', 'texture.logit']));
    expect(rc.maps.some((m) => m.name.startsWith('texture:'))).toBe(false);
    expect(rc.componentMi.shapeComponents).toBe(0);
    for (const m of rc.maps) expect(m.negative?.note).toBe(NEGATIVE_MI_NOTE);
    expect(onDisk.hiddenLayers).toHaveLength(1);
    expect(onDisk.poseInvariance).toHaveLength(1);
  });
});
