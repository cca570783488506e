/**
 * A planted observer (issue 15, item 2): a scripted participant who reads one known feature (the
 * luminance of the 5 vertices within 5 mm of the nose tip), with internal noise and 400 trials (what
 * a person can do), is recovered by their reverse-correlation map (GCMI + max-statistic FWER).
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { drawNoise } from '../../workers/analyses/noise';
import { recovery, regionMask, resolveRegion, vertexBall } from '../../workers/analyses/regions';
import { pearson } from '../../workers/analyses/map-agreement';
import { simulateObserver } from '../../workers/analyses/human/observer';
import { trialTable } from '../../workers/analyses/human/table';
import { humanMaps } from '../../workers/analyses/human/reverse-correlation';

const model = loadDefaultFaceModel();
const noseTip = resolveRegion(model, 'nose_tip', 5);

describe('a planted human observer', () => {
  it('recover a planted observer (nose-tip luminance, internal noise σ = 0.5, 400 trials) over the whole face and within 30 mm of the nose tip', async () => {
    const truth = regionMask(model.vertexCount, noseTip);
    const figures: string[] = [];
    // seed 1: noise on the whole face (3,335 vertices); seed 2: on the 182 vertices within 30 mm of the nose tip
    for (const seed of [1, 2]) {
      const vertices = seed === 1 ? model.regions.face : vertexBall(model, model.landmarks.nose_tip, 30);
      const noise = drawNoise(model, { basis: 'vertex', trials: 400, shapeSd: 0, textureSd: 0.05, seed, vertices });
      const rows = simulateObserver(model, noise, {
        participant: 'planted', kind: 'texture', region: noseTip, noiseSd: 0.5, noiseTrials: Array.from({ length: 400 }, (_, i) => i),
        target: 0, foil: 1, attentionChecks: 8, attentionPassRate: 1, seed,
      });
      const r = await humanMaps(model, noise, trialTable(rows), { feature: 'texture', response: 'decision', permutations: 49, alpha: 0.05, seed });
      const map = r.participants[0].map!;
      expect(r.pooled.map).toBe(map);
      let inside = 0, outside = 0;
      for (const v of vertices) if (truth[v]) inside += map.mi[v] / noseTip.length; else outside += Math.abs(map.mi[v]) / (vertices.length - noseTip.length);
      const rec = recovery(map.significant, truth);
      const face = vertices;
      const r2 = pearson(Float64Array.from(face, (v) => map.mi[v]), Float64Array.from(face, (v) => truth[v]));
      figures.push(`seed ${seed}: recall ${rec.recall.toFixed(2)}, precision ${rec.precision.toFixed(2)}, r(MI, truth) ${r2.toFixed(2)} over ${face.length} vertices, mean MI on the region ${inside.toFixed(4)} bits, mean |MI| off it ${outside.toFixed(4)}, FWER threshold ${map.threshold.toFixed(4)}`);
      expect(r.participants[0].trials).toBe(400);
      expect(rec.recall).toBeGreaterThanOrEqual(0.6);
      expect(rec.precision).toBeGreaterThanOrEqual(0.8);
      // 5 planted vertices among thousands: a point-biserial r is bounded by the null vertices' scatter
      expect(r2).toBeGreaterThan(0.25);
      expect(inside).toBeGreaterThan(map.threshold);
      expect(inside).toBeGreaterThan(10 * outside);
    }
    console.log(`[human] planted observer: ${figures.join('; ')}`);
  });

});
