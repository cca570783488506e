/**
 * The oracle sweep's bookkeeping (bench/oracles.ts): which regions it covers per model, how runs are
 * keyed so that a killed sweep resumes, and the summary table.
 */
import { describe, expect, it } from 'vitest';
import { loadBuiltinFaceModel } from '../../workers/faces';
import { anatomicalRegions, markdownSummary, passes, runKey, summarise } from '../../bench/oracles';

describe('oracle sweep', () => {
  it('covers each model\'s named anatomical regions: no face, unions or off-face regions', () => {
    const ict = anatomicalRegions(loadBuiltinFaceModel('ict'));
    expect(ict.sort()).toEqual(['chin', 'forehead', 'jaw', 'left_brow', 'left_cheek', 'left_eye', 'left_temple', 'lips', 'mouth', 'nose', 'right_brow', 'right_cheek', 'right_eye', 'right_temple']);
    const proc = anatomicalRegions(loadBuiltinFaceModel('procedural'));
    expect(proc.sort()).toEqual(['chin', 'forehead', 'left_brow', 'left_cheek', 'left_eye', 'mouth', 'nose', 'right_brow', 'right_cheek', 'right_eye']);
  });

  it('keys runs by model, basis, kind, region, statistic, permutations, trials (and vertex spacing, texture band law); summarises the latest of each', () => {
    const row = (region: string, precision: number, recall: number, r: number, basis = 'bubbles', trials = 6000) => ({
      oracle: true, model: 'm', basis, kind: 'shape', region, tfce: false, permutations: 200, trials, precision, recall, analytic_correlation: r,
      pass: passes(basis as 'bubbles', precision, recall, r),
    });
    expect(runKey(row('nose', 1, 1, 1) as never)).toBe('m|bubbles|shape|nose|mi|200|6000');
    expect(runKey({ ...row('nose', 1, 1, 1, 'vertex', 2000), vertexSpacingMm: 4, carryingVertices: 30 } as never)).toBe('m|vertex|shape|nose|mi|200|2000|spacing 4|carrying 30');
    expect(runKey({ ...row('nose', 1, 1, 1, 'vertex', 2000), regionVertices: 553 } as never)).toBe('m|vertex|shape|nose|mi|200|2000|spacing 0|carrying 553');
    // bubbles texture: the band law k is part of the key (rows before it existed: the former law 0.5)
    expect(runKey({ ...row('nose', 1, 1, 1), kind: 'texture' } as never)).toBe('m|bubbles|texture|nose|mi|200|6000|bands 0.5');
    expect(runKey({ ...row('nose', 1, 1, 1), kind: 'texture', textureBandOctaves: 0 } as never)).toBe('m|bubbles|texture|nose|mi|200|6000|bands 0');
    expect(passes('bubbles', 0.95, 0.95, 0.94)).toBe(false);
    expect(passes('vertex', 0.95, 0.95, 0.5)).toBe(true);
    // the later nose run (other trials) replaces the earlier one in the summary
    const rows = [row('nose', 0.5, 0.5, 0.9), { uptime: 'x' }, row('nose', 0.97, 0.93, 0.99, 'bubbles', 8000), row('chin', 0.92, 0.8, 0.99), row('mouth', 1, 0.148, 0.83, 'vertex')];
    const s = summarise(rows);
    expect(s).toHaveLength(2);
    const b = s.find((g) => g.group === 'm bubbles shape mi')!;
    expect(b).toMatchObject({ runs: 2, pass: 1, minP: 0.92, minR: 0.8, minAnalyticR: 0.99 });
    expect(b.failures).toBe('chin 0.92/0.8/0.99');
    expect(s.find((g) => g.group === 'm vertex shape mi')).toMatchObject({ runs: 1, pass: 0, minR: 0.148 });
  });

  it('lists the FWER null runs per basis and kind in the markdown (rows before the kind existed are shape)', () => {
    const md = markdownSummary([
      { fwer: true, model: 'm', basis: 'coefficients', tfce: false, runs: 100, trials: 1000, runsWithAny: 9, bound: 9, pass: true },
      { fwer: true, model: 'm', basis: 'vertex', kind: 'texture', tfce: false, runs: 100, trials: 1000, runsWithAny: 11, bound: 9, pass: false, seconds: 300 },
    ], 'x.jsonl');
    expect(md).toContain('| m | coefficients | shape | mi | 100 | 1000 | 9 | 9 | yes | – |');
    expect(md).toContain('| m | vertex | texture | mi | 100 | 1000 | 11 | 9 | **no** | 300 |');
  });
});
