/**
 * Issue 12, item 5: negative bias-corrected MI is explained in the legend and in the exports, and never
 * clamped (the exported values equal the estimates).
 */
import { describe, expect, it } from 'vitest';
import { mapCsv, mapJson, NEGATIVE_MI_NOTE } from '../../app/components/viewer/exports';
import { mapStats } from '../../app/components/viewer/map-data';
import { negativeLegendNote } from '../../app/components/viewer/Legend';
import { NEGATIVE_MI_NOTE as CONTRACT_NOTE } from '../../workers/contract/result-bundles';

const values = Float32Array.from([0.3, -0.0125, NaN, -0.002, 0.01]);
const positions = new Float32Array(15);

describe('negative bias-corrected MI', () => {
  it('the CSV states the count and the reason, and keeps the values', () => {
    const lines = mapCsv(values, positions).trim().split('\n');
    expect(lines[0]).toMatch(/^# 2 vertices below 0 bits \(min -0\.0125/);
    expect(lines[0]).toContain('bias-corrected');
    expect(lines[1]).toBe('vertex,x_mm,y_mm,z_mm,mi_bits');
    expect(Number(lines[3].split(',')[4])).toBeCloseTo(-0.0125, 6);
  });
  it('the JSON has negativeValues and negativeNote, and the raw values', () => {
    const j = JSON.parse(mapJson({ key: 'k', title: 't', thresholdBits: 0.1, basis: 'bubbles' }, values));
    expect(j.negativeValues.count).toBe(2);
    expect(j.negativeValues.minBits).toBeCloseTo(-0.0125, 6);
    expect(j.negativeNote).toBe(NEGATIVE_MI_NOTE);
    expect(j.basis).toBe('bubbles');
    expect(j.values[1]).toBeCloseTo(-0.0125, 6);
    expect(j.values[3]).toBeCloseTo(-0.002, 6);
  });
  it('the legend counts them and says what they mean; no note without negatives', () => {
    const s = mapStats(values, 0.1);
    expect(s.negative).toBe(2);
    expect(s.minBits).toBeCloseTo(-0.0125, 6);
    expect(negativeLegendNote(s.negative, s.minBits)).toMatch(/^2 vertices are below 0 bits.*not negative information/);
    expect(negativeLegendNote(0, 0)).toBeNull();
  });
  it('the bundles carry the same explanation as the app', () => {
    expect(CONTRACT_NOTE).toBe(NEGATIVE_MI_NOTE);
  });
});
