/**
 * Issue 12: the bubbles texture band law σ_band = σ·2^(k·(nb−1−band)) (bases/bubbles.ts). The default
 * k = 0 (every band at σ) was chosen from the measured recovery curve (docs/oracles.md, "Texture band widths"); k = 0.5
 * is the former law, which configs and stored human-trial noise records that state it (or predate it)
 * still reproduce.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { drawNoise } from '../../workers/analyses/noise';
import { DEFAULT_BUBBLES, DEFAULT_TEXTURE_BAND_OCTAVES, textureBandSigmasMm } from '../../workers/analyses';
import { batteryConfigFromExperiment } from '../../workers/analyses/battery';
import { ExperimentConfig, HumanRcNoise } from '../../workers/contract';

const model = loadDefaultFaceModel();

describe('bubbles texture band law', () => {
  it('gives each band its width: the former law at k = 0.5, k = 0.25 and the default k = 0', () => {
    expect(DEFAULT_TEXTURE_BAND_OCTAVES).toBe(0);
    // ICT's five bands at σ = 6 mm
    expect(textureBandSigmasMm({ sigmaMm: 6, density: 1, textureBandOctaves: 0.5 }, 5).map((s) => +s.toFixed(2))).toEqual([24, 16.97, 12, 8.49, 6]);
    // bit for bit the former expression σ·2^((nb−1−band)/2), so configs that state k = 0.5 draw the former basis
    expect(textureBandSigmasMm({ sigmaMm: 6, density: 1, textureBandOctaves: 0.5 }, 5)).toEqual([0, 1, 2, 3, 4].map((band) => 6 * Math.pow(2, (5 - 1 - band) / 2)));
    expect(textureBandSigmasMm({ sigmaMm: 6, density: 1, textureBandOctaves: 0.25 }, 5).map((s) => +s.toFixed(2))).toEqual([12, 10.09, 8.49, 7.14, 6]);
    expect(textureBandSigmasMm({ sigmaMm: 6, density: 1 }, 3)).toEqual([6, 6, 6]);
  });

  it('k = 0.5 draws the former basis; the default has more, narrower low-band bumps (every band the finest\'s) and the same shape bumps', () => {
    const draw = (k?: number) => drawNoise(model, { basis: 'bubbles', trials: 10, shapeSd: 1, textureSd: 0.05, seed: 3, bubbles: { sigmaMm: 6, density: 1, ...(k === undefined ? {} : { textureBandOctaves: k }) } }).bubbles!;
    const old = draw(0.5), now = draw(), def = drawNoise(model, { basis: 'bubbles', trials: 10, shapeSd: 1, textureSd: 0.05, seed: 3 }).bubbles!;
    // procedural: 3 bands at 12, 8.5, 6 mm (k = 0.5) and 6, 6, 6 mm (k = 0); the finest band is σ itself
    expect(old.textureBumps[2]).toBe(now.textureBumps[2]);
    expect(now.textureBumps).toEqual([now.textureBumps[2], now.textureBumps[2], now.textureBumps[2]]);
    expect(now.textureBumps[0]).toBeGreaterThan(3 * old.textureBumps[0]);
    expect(now.shapeBumps).toBe(old.shapeBumps);
    expect(Array.from(now.shape.weight)).toEqual(Array.from(old.shape.weight));
    expect(now.options.textureBandOctaves).toBe(0);
    expect(def.textureBumps).toEqual(now.textureBumps);
    expect(old.options.textureBandOctaves).toBe(0.5);
    expect(() => draw(1.5)).toThrow('textureBandOctaves must be in [0, 1]');
  });

  it('the experiment contract defaults to k = 0, keeps a stated k, and the battery passes it on', () => {
    const def = ExperimentConfig.parse({ name: 'x' });
    expect(def.analyses.reverseCorrelation.bubbles.textureBandOctaves).toBe(0);
    const old = ExperimentConfig.parse({ name: 'x', analyses: { reverseCorrelation: { bubbles: { textureBandOctaves: 0.5 } } } });
    expect(batteryConfigFromExperiment(old.analyses, 1).reverseCorrelation.bubbles).toEqual({ sigmaMm: 6, density: 1, textureBandOctaves: 0.5 });
    expect(() => ExperimentConfig.parse({ name: 'x', analyses: { reverseCorrelation: { bubbles: { textureBandOctaves: 2 } } } })).toThrow('textureBandOctaves must be ≤ 1');
  });

  it('a stored human-trials noise record without k was drawn with k = 0.5 and reads back so', () => {
    const rec = { identity: 0, yawDeg: 0, sizePx: 64, feature: 'texture', network: null, noise: { basis: 'bubbles', trials: 300, shapeSd: 0, textureSd: 0.05, seed: 1, bubbles: { sigmaMm: 6, density: 1 } } };
    expect(HumanRcNoise.parse(rec).noise.bubbles).toEqual({ sigmaMm: 6, density: 1, textureBandOctaves: 0.5 });
    const now = { ...rec, noise: { ...rec.noise, bubbles: DEFAULT_BUBBLES } };
    expect(HumanRcNoise.parse(now).noise.bubbles!.textureBandOctaves).toBe(0);
  });
});
