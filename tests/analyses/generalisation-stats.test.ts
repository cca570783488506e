/**
 * Issue 12 item 4: bootstrap intervals over identities, caricature and anti-caricature levels kept
 * apart, morph targets within the demographic group, and a baseline observer (pixel PCA + linear
 * classifier) that is above chance on easy data.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { sampleIdentities } from '../../workers/faces/identity';
import {
  asymmetryPerIdentity, bootstrapMean, identityScores, levelSummary, pairedDifference,
} from '../../workers/analyses/generalisation-stats';
import { demographicGroup, drawMorphTargets } from '../../workers/analyses/morph-targets';
import { renderBaselineTrainingSet, trainBaselineObserver } from '../../workers/analyses/baseline-observer';
import { Rng } from '../../workers/info';

describe('generalisation statistics', () => {
  it('the bootstrap 95 % interval covers a known mean about 95 % of the time', () => {
    const rng = new Rng(3);
    let covered = 0;
    const reps = 200;
    for (let r = 0; r < reps; r++) {
      const x = Float64Array.from({ length: 30 }, () => 0.3 + 0.1 * rng.normal());
      const ci = bootstrapMean(x, { resamples: 500, seed: r + 1 });
      expect(ci.lo).toBeLessThan(ci.mean);
      expect(ci.hi).toBeGreaterThan(ci.mean);
      if (ci.lo <= 0.3 && 0.3 <= ci.hi) covered++;
    }
    // percentile bootstrap with n = 30 undercovers slightly; binomial(200, 0.93) sd ≈ 1.8 %
    expect(covered / reps).toBeGreaterThan(0.87);
    expect(covered / reps).toBeLessThan(0.99);
  });

  it('anti-caricature and caricature levels are summarised separately', () => {
    const levels = [0, 1 / 3, 2 / 3, 1, 4 / 3, 5 / 3];
    const ids = 5, poses = 2, L = levels.length;
    const prob = new Float32Array(ids * poses * L);
    for (let i = 0; i < ids; i++) for (let p = 0; p < poses; p++) levels.forEach((lv, j) => {
      prob[(i * poses + p) * L + j] = lv < 1 ? 0.8 + 0.02 * i : lv > 1 ? 0.2 : 1;
    });
    const anti = levelSummary(prob, ids, poses, levels, (l) => l < 1, 1)!;
    const cari = levelSummary(prob, ids, poses, levels, (l) => l > 1, 1)!;
    expect(anti.levels).toEqual([0, 1 / 3, 2 / 3]);
    expect(cari.levels).toEqual([4 / 3, 5 / 3]);
    expect(anti.probability.mean).toBeCloseTo(0.84, 5);
    expect(cari.probability.mean).toBeCloseTo(0.2, 5);
    expect(anti.probability.lo).toBeGreaterThanOrEqual(0.8 - 1e-6);
    expect(anti.probability.hi).toBeLessThanOrEqual(0.88 + 1e-6);
    expect(Array.from(identityScores(prob, ids, poses, levels, (l) => l < 1)).map((x) => +x.toFixed(4))).toEqual([0.8, 0.82, 0.84, 0.86, 0.88]);
    // asymmetry: shape keeps 0.84 on average over the anti-caricature levels, texture 0.5 → 0.34
    const tex = prob.map((v, q) => (levels[q % L] < 1 ? 0.5 : v));
    const a = asymmetryPerIdentity(prob, tex, ids, poses, levels);
    expect(a[2]).toBeCloseTo(0.34, 5);
    const d = pairedDifference(a, a.map((x) => x - 0.1), 1);
    expect(d.mean).toBeCloseTo(0.1, 6);
    expect(d.lo).toBeCloseTo(0.1, 6);
  });

  it('morph targets are drawn at random within the demographic group (seeded)', () => {
    const model = loadDefaultFaceModel();
    const ids = sampleIdentities(model, { count: 24, seed: 2 });
    const tested = ids.map((_, i) => i);
    const a = drawMorphTargets(ids, tested, 1);
    const b = drawMorphTargets(ids, tested, 1);
    const c = drawMorphTargets(ids, tested, 5);
    expect(a).toEqual(b);
    expect(a.target).not.toEqual(c.target);
    a.target.forEach((t, i) => {
      expect(t).not.toBe(i);
      const mates = ids.filter((x, j) => j !== i && demographicGroup(x.demographics) === demographicGroup(ids[i].demographics)).length;
      if (mates > 0) {
        expect(a.scope[i]).toBe('group');
        expect(demographicGroup(ids[t].demographics)).toBe(demographicGroup(ids[i].demographics));
      } else expect(a.scope[i]).not.toBe('group');
    });
    expect(a.scope.filter((s) => s === 'group').length).toBeGreaterThan(12);
    // not always the next identity
    expect(a.target.filter((t, i) => t === (i + 1) % ids.length).length).toBeLessThan(12);
  });

  it('the baseline observer (pixel PCA + logistic regression) is far above chance on new renders', { timeout: 60_000 }, async () => {
    const model = loadDefaultFaceModel();
    const ids = sampleIdentities(model, { count: 4, seed: 1 });
    const size = 24;
    const train = renderBaselineTrainingSet(model, ids, 4, size, { perIdentity: 12, yawDeg: [-10, 10], pitchDeg: [-5, 5], seed: 1 });
    const test = renderBaselineTrainingSet(model, ids, 4, size, { perIdentity: 6, yawDeg: [-10, 10], pitchDeg: [-5, 5], seed: 2 });
    const obs = trainBaselineObserver(train.images, train.labels, 4, size, { components: 20 });
    const pred = await obs.predict(test.images, test.labels.length);
    let correct = 0;
    for (let i = 0; i < test.labels.length; i++) {
      let best = 0;
      for (let c = 1; c < 4; c++) if (pred.logits[i * 4 + c] > pred.logits[i * 4 + best]) best = c;
      if (best === test.labels[i]) correct++;
    }
    expect(correct / test.labels.length).toBeGreaterThan(0.6); // chance 0.25
    const padded = obs.withClassCount(6);
    const p2 = await padded.predict(test.images, 1);
    expect(p2.logits[4]).toBe(-Infinity);
  });
});
