import { describe, expect, it } from 'vitest';
import { factorCaption } from '../../server/dashboards/load';

/** Gallery captions name the factors a stimulus records, and no placeholder for the others (issue 15). */
describe('factorCaption', () => {
  it('a full render-step record', () => {
    expect(factorCaption({ identity: 2, yaw: -15.4, pitch: 5, roll: 0, lightAzimuth: 30, lightElevation: 20, scale: 1.05, translateX: 0.02, translateY: -0.01 }))
      .toBe('yaw -15°, pitch 5°, roll 0°; light 30° az, 20° el; scale 1.05; shift 0.02, -0.01');
  });
  it('a seeded record with the pose alone, a graded one and a noise one: no "?"', () => {
    expect(factorCaption({ identity: 0, yaw: 30, pitch: 0, roll: 0 })).toBe('yaw 30°, pitch 0°, roll 0°');
    expect(factorCaption({ identity: 1, yaw: 0, manipulation: 'texture-scale', level: 1.5 })).toBe('yaw 0°; texture-scale 1.50');
    expect(factorCaption({ identity: 0, yaw: 0, noiseTrial: 7 })).toBe('yaw 0°; noise trial 7');
    expect(factorCaption({ identity: 0 })).toBe('');
  });
});
