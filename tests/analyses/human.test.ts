/**
 * The network's analyses applied to people (issue 15, item 2), on scripted observers:
 * (the planted observer recovered by their own map: human-observer.test.ts)
 * - prevalence: in simulated populations of 20 in which a known fraction use the feature, the 95 %
 *   HPDI of the Bayesian prevalence contains that fraction (three seeds and fractions);
 * - a participant who fails the attention checks is flagged and left out of the pooled map, the
 *   pooled generalisation curves and prevalence, and stays in the table;
 * - generalisation curves: per participant and pooled, the bootstrap interval contains the truth.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultFaceModel } from '../../workers/faces/default-model';
import { createRng } from '../../workers/faces/seeded-rng';
import { drawNoise } from '../../workers/analyses/noise';
import { resolveRegion, vertexBall } from '../../workers/analyses/regions';
import { simulateObserver } from '../../workers/analyses/human/observer';
import { trialTable } from '../../workers/analyses/human/table';
import { humanMaps, selectNoiseTrials } from '../../workers/analyses/human/reverse-correlation';
import { humanGeneralisation } from '../../workers/analyses/human/generalisation';
import type { HumanTrial } from '../../workers/contract/human-trials';

const model = loadDefaultFaceModel();
const noseTip = resolveRegion(model, 'nose_tip', 5);

describe('human reverse-correlation maps', () => {
  it('prevalence: the 95 % HPDI contains the fraction of feature users in populations of 20 (3 seeds)', async () => {
    const vertices = vertexBall(model, model.landmarks.nose_tip, 15);
    const lines: string[] = [];
    let covered = 0;
    const cases = [{ seed: 1, users: 6 }, { seed: 2, users: 10 }, { seed: 3, users: 14 }];
    for (const { seed, users } of cases) {
      const noise = drawNoise(model, { basis: 'vertex', trials: 2000, shapeSd: 0, textureSd: 0.05, seed, vertices });
      const rng = createRng(seed * 7919);
      const rows: HumanTrial[] = [];
      for (let p = 0; p < 20; p++) {
        const start = Math.floor(rng() * (2000 - 250));
        rows.push(...simulateObserver(model, noise, {
          participant: `s${seed}p${String(p).padStart(2, '0')}`, kind: 'texture', region: p < users ? noseTip : null, noiseSd: 0.5,
          noiseTrials: Array.from({ length: 250 }, (_, i) => start + i), target: 0, foil: 1, attentionChecks: 4, attentionPassRate: 1, seed: seed * 100 + p,
        }));
      }
      const r = await humanMaps(model, noise, trialTable(rows), { feature: 'texture', response: 'decision', permutations: 49, alpha: 0.05, seed });
      const pv = r.prevalence!;
      const fraction = users / 20;
      const inside = pv.hpdi[0] <= fraction && fraction <= pv.hpdi[1];
      if (inside) covered++;
      lines.push(`γ = ${fraction}: k = ${pv.k}/${pv.n}, MAP ${pv.map.toFixed(2)}, HPDI [${pv.hpdi[0].toFixed(2)}, ${pv.hpdi[1].toFixed(2)}]`);
      expect(pv.n).toBe(20);
      // the nose tip is where the prevalence is: its vertices' k exceeds every vertex outside the region
      const k = r.vertexPrevalence!.k;
      expect(Math.max(...Array.from(noseTip, (v) => k[v]))).toBeGreaterThan(Math.max(...Array.from(vertices).filter((v) => !noseTip.includes(v)).map((v) => k[v])));
    }
    console.log(`[human] prevalence: ${lines.join('; ')}`);
    expect(covered).toBe(cases.length);
  });

  it('a participant who fails the attention checks is flagged and left out of pooled statistics, kept in the table', async () => {
    const noise = drawNoise(model, { basis: 'vertex', trials: 600, shapeSd: 0, textureSd: 0.05, seed: 5, vertices: vertexBall(model, model.landmarks.nose_tip, 15) });
    const rows: HumanTrial[] = [];
    for (let p = 0; p < 4; p++) {
      rows.push(...simulateObserver(model, noise, {
        participant: `ok${p}`, kind: 'texture', region: noseTip, noiseSd: 0.5, noiseTrials: Array.from({ length: 150 }, (_, i) => p * 150 + i),
        target: 0, foil: 1, attentionChecks: 8, attentionPassRate: 1, seed: p,
      }));
    }
    // the inattentive participant: fails 7 of 8 checks (rate 0 → all fail) and answers at random
    const bad = simulateObserver(model, noise, {
      participant: 'zz-inattentive', kind: 'texture', region: null, noiseSd: 0, noiseTrials: Array.from({ length: 150 }, (_, i) => i),
      target: 0, foil: 1, attentionChecks: 8, attentionPassRate: 0, seed: 9,
    });
    const withBad = trialTable([...rows, ...bad]);
    const without = trialTable(rows);
    const flag = withBad.attention.find((a) => a.participant === 'zz-inattentive')!;
    expect(flag.flagged).toBe(true);
    expect(flag.passRate).toBe(0);
    expect(withBad.included).toEqual(['ok0', 'ok1', 'ok2', 'ok3']);
    expect(withBad.rows.filter((r) => r.participant === 'zz-inattentive').length).toBe(158);
    const opts = { feature: 'texture' as const, response: 'decision' as const, permutations: 19, alpha: 0.05, seed: 1 };
    const a = await humanMaps(model, noise, withBad, opts);
    const b = await humanMaps(model, noise, without, opts);
    expect(a.pooled.trials).toBe(600);
    expect(a.pooled.participants).toEqual(['ok0', 'ok1', 'ok2', 'ok3']);
    expect(Array.from(a.pooled.map!.mi)).toEqual(Array.from(b.pooled.map!.mi));
    expect(a.prevalence!.n).toBe(4);
    // the continuous response (± confidence) finds the nose tip too
    const rated = await humanMaps(model, noise, withBad, { ...opts, response: 'rating' });
    expect(noseTip.some((v) => rated.pooled.map!.significant[v] === 1)).toBe(true);
    expect(rated.pooled.map!.significant.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(2 * noseTip.length);
    // the flagged participant still has their own (per-participant) map
    expect(a.participants.find((p) => p.participant === 'zz-inattentive')!.flagged).toBe(true);
    expect(a.participants.length).toBe(5);
  });

  it('selecting noise trials keeps the noise of each trial (both layouts)', () => {
    const v = drawNoise(model, { basis: 'vertex', trials: 20, shapeSd: 1, textureSd: 0.05, seed: 2, vertices: Uint32Array.from([3, 9]) });
    const sv = selectNoiseTrials(v, [5, 5, 19]);
    expect(Array.from(sv.texture.subarray(6, 12))).toEqual(Array.from(v.texture.subarray(5 * 6, 6 * 6)));
    expect(Array.from(sv.shape.subarray(12, 18))).toEqual(Array.from(v.shape.subarray(19 * 6, 20 * 6)));
    const c = drawNoise(model, { basis: 'components', trials: 20, shapeSd: 0.5, textureSd: 0.5, seed: 2 });
    const sc = selectNoiseTrials(c, [7, 2]);
    expect(sc.shape[1]).toBe(c.shape[2]);
    expect(sc.shape[3 * 2]).toBe(c.shape[3 * 20 + 7]);
    expect(() => selectNoiseTrials(c, [20])).toThrow(/noise_trial 20 is outside the noise draw's trials \[0, 19\]/);
  });
});

describe('human generalisation curves', () => {
  const truthP = [0.3, 0.6, 0.9, 0.95];
  const levels = [0, 1 / 3, 2 / 3, 1];

  function population(flaggedToo: boolean): HumanTrial[] {
    const rng = createRng(3);
    const rows: HumanTrial[] = [];
    const people = flaggedToo ? 13 : 12;
    for (let p = 0; p < people; p++) {
      const bad = p === 12;
      let trial = 0;
      const id = `g${String(p).padStart(2, '0')}`;
      levels.forEach((level, l) => {
        for (let rep = 0; rep < 24; rep++) {
          const original = bad ? true : rng() < truthP[l];
          rows.push({ participant: id, trial: trial++, stimulus_id: `ts-${l}-${rep}`, condition: 'generalisation', attention_check: false, manipulation: 'texture-scale', level, yaw_deg: 0, noise_trial: null, target: 2, response: original ? 2 : 5, confidence: 3, rt_ms: 900 });
        }
      });
      for (let c = 0; c < 4; c++) rows.push({ participant: id, trial: trial++, stimulus_id: `check-${c}`, condition: 'learning', attention_check: true, manipulation: null, level: null, yaw_deg: 0, noise_trial: null, target: 1, response: bad ? 4 : 1, confidence: 4, rt_ms: 600 });
    }
    return rows;
  }

  it('pooled proportions with bootstrap intervals that contain the truth; the flagged participant changes nothing', () => {
    const g = humanGeneralisation(trialTable(population(true)), { resamples: 1000, seed: 4 });
    const clean = humanGeneralisation(trialTable(population(false)), { resamples: 1000, seed: 4 });
    expect(g.included.length).toBe(12);
    expect(g.perParticipant.length).toBe(13);
    const pooled = g.pooled[0];
    expect(pooled.manipulation).toBe('texture-scale');
    expect(pooled.levels.map((x) => x.toFixed(4))).toEqual(levels.map((x) => x.toFixed(4)));
    expect(pooled).toEqual(clean.pooled[0]);
    // trials answered too late (response −1) are left out of the proportions
    const late = population(true).concat(levels.map((level, l) => ({ participant: 'g00', trial: 500 + l, stimulus_id: `late-${l}`, condition: 'generalisation' as const, attention_check: false, manipulation: 'texture-scale' as const, level, yaw_deg: 0, noise_trial: null, target: 2, response: -1, confidence: null, rt_ms: null })));
    expect(humanGeneralisation(trialTable(late), { resamples: 1000, seed: 4 }).pooled[0]).toEqual(pooled);
    pooled.levels.forEach((_, l) => {
      expect(pooled.lower[l]).toBeLessThanOrEqual(truthP[l]);
      expect(pooled.upper[l]).toBeGreaterThanOrEqual(truthP[l]);
      expect(pooled.upper[l] - pooled.lower[l]).toBeGreaterThan(0.01);
      expect(pooled.participants[l]).toBe(12);
    });
    // texture-scale: P(original) falls below ½ between levels 0 and ⅓ (truth: at 0.2)
    expect(pooled.levelBelowHalf).toBeGreaterThan(0);
    expect(pooled.levelBelowHalf).toBeLessThan(1 / 3);
    expect(pooled.aucInterval[0]).toBeLessThan(pooled.auc);
    expect(pooled.aucInterval[1]).toBeGreaterThan(pooled.auc);
    const one = g.perParticipant[0].curves[0];
    expect(one.trials).toEqual([24, 24, 24, 24]);
    console.log(`[human] pooled texture-scale: ${pooled.mean.map((m, l) => `${m.toFixed(2)} [${pooled.lower[l].toFixed(2)}, ${pooled.upper[l].toFixed(2)}]`).join(', ')} (truth ${truthP.join(', ')})`);
  });
});
