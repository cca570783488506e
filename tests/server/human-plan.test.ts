import { describe, expect, it } from 'vitest';
import { HumanTrial } from '../../workers/contract';
import { learnedIdentities, planTrials, rcFoil, splitRoom, type StoredStimulus } from '../../server/humans/plan';

/** The participant's plan from stored stimuli (server/humans/plan.ts), without a database. */
function stimuli(identities: number, graded: boolean): StoredStimulus[] {
  const out: StoredStimulus[] = [];
  for (let k = 0; k < identities; k++) {
    for (const yaw of [30, -15, 0, 15, -30]) out.push({ name: `stimuli/${out.length}.png`, index: out.length, key: `k${out.length}`, identity: k, yawDeg: yaw, manipulation: null, level: null, noiseTrial: null });
    if (graded)
      for (const manipulation of ['shape-scale', 'texture-scale'] as const)
        for (const level of [0, 0.5, 1, 1.5]) out.push({ name: `human-stimuli/${out.length}.png`, index: out.length, key: `k${out.length}`, identity: k, yawDeg: 0, manipulation, level, noiseTrial: null });
  }
  out.push({ name: 'stimuli/999.png', index: 999, key: 'rc', identity: 0, yawDeg: 0, manipulation: null, level: null, noiseTrial: 7 });
  return out;
}

describe('planTrials', () => {
  const settings = { identities: 3, timeLimitMs: 5000, maxTrials: 30, attentionChecks: 3 };

  it('learning first (two most frontal images per identity, numbered 1..k), then a shuffled test block with evenly spread checks, cut to the cap', () => {
    const plan = planTrials(stimuli(4, true), settings, 'seed-a');
    expect(plan).toHaveLength(30);
    expect(plan.map((t) => t.trial)).toEqual([...Array(30).keys()]);
    const learning = plan.slice(0, 6);
    expect(learning.map((t) => t.shownLabel)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(learning.map((t) => t.target)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(learning.every((t) => Math.abs(t.yaw_deg!) <= 15 && !t.attention_check)).toBe(true);
    const checks = plan.filter((t) => t.attention_check);
    expect(checks).toHaveLength(3);
    // A check shows its number, which is the target's.
    for (const c of checks) expect(c.shownLabel).toBe(c.target + 1);
    const positions = checks.map((c) => c.trial);
    expect(Math.min(...positions)).toBeGreaterThan(6);
    expect(Math.max(...positions) - Math.min(...positions)).toBeGreaterThan(8);
    const test = plan.slice(6).filter((t) => !t.attention_check);
    expect(test.every((t) => t.shownLabel === null && t.target <= 2)).toBe(true);
    expect(test.some((t) => t.condition === 'generalisation')).toBe(true);
    for (const t of plan) expect(HumanTrial.safeParse({ ...t, participant: 'P1', response: -1, confidence: null, rt_ms: null }).success).toBe(true);
    expect(learnedIdentities(stimuli(4, true), 3)).toEqual([0, 1, 2]);
  });

  it('is a pure function of its seed; noise stimuli become reverse-correlation trials; fewer than 2 identities is refused', () => {
    const a = planTrials(stimuli(3, true), { ...settings, maxTrials: 400 }, 'x');
    expect(planTrials(stimuli(3, true), { ...settings, maxTrials: 400 }, 'x')).toEqual(a);
    expect(planTrials(stimuli(3, true), { ...settings, maxTrials: 400 }, 'y').map((t) => t.stimulus_id)).not.toEqual(a.map((t) => t.stimulus_id));
    // 6 learning + 3×3 pose + 3×8 graded + 1 noise + 3 checks
    expect(a).toHaveLength(6 + 9 + 24 + 1 + 3);
    expect(a.filter((t) => t.condition === 'reverse-correlation').map((t) => t.noise_trial)).toEqual([7]);
    expect(a.filter((t) => t.condition === 'generalisation')).toHaveLength(24);
    expect(() => planTrials(stimuli(1, false), settings, 'x')).toThrow(/at least 2 identities/);
  });

  it('reverse-correlation trials come after the generalisation block and get half the room; a "no" is stored as the next learned face', () => {
    const noisy = [...stimuli(3, true), ...Array.from({ length: 50 }, (_, t) => ({ name: `human-rc/${t}.png`, index: t, key: `rc${t}`, identity: t % 4, yawDeg: 0, manipulation: null, level: null, noiseTrial: t }))];
    const plan = planTrials(noisy, { ...settings, maxTrials: 40, attentionChecks: 2 }, 'z');
    expect(plan).toHaveLength(40);
    const rc = plan.filter((t) => t.condition === 'reverse-correlation');
    const rest = plan.slice(6).filter((t) => !t.attention_check && t.condition !== 'reverse-correlation');
    // room 40 − 6 − 2 = 32: 16 noise trials (only learned identities 0–2, so never identity 3), 16 others
    expect(rc).toHaveLength(16);
    expect(rest).toHaveLength(16);
    expect(Math.min(...rc.map((t) => t.trial))).toBeGreaterThan(Math.max(...rest.map((t) => t.trial)));
    // (the fixture's stimuli/999.png is one more noise stimulus, of trial 7)
    expect(rc.every((t) => t.target <= 2 && t.noise_trial === (t.stimulus_id === 'stimuli/999.png' ? 7 : Number(t.stimulus_id.slice('human-rc/'.length, -4))))).toBe(true);
    expect(plan.filter((t) => t.attention_check).length).toBe(2);
    expect(splitRoom(32, 33, 50)).toEqual([16, 16]);
    expect(splitRoom(33, 33, 50)).toEqual([16, 17]);
    expect(splitRoom(32, 5, 50)).toEqual([5, 27]);
    expect(splitRoom(32, 33, 3)).toEqual([29, 3]);
    expect(splitRoom(32, 0, 50)).toEqual([0, 32]);
    expect(rcFoil([0, 1, 2], 0)).toBe(1);
    expect(rcFoil([0, 1, 2], 2)).toBe(0);
  });
});
