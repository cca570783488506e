import { describe, expect, it } from 'vitest';
import { ExperimentConfig, experimentPreset } from '../../workers/contract/experiment';
import { batteryConfigFromExperiment } from '../../workers/analyses/battery';
import { attributionOptions } from '../../workers/analyses/attribution-maps';
import type { ReverseCorrelationResult } from '../../workers/analyses/reverse-correlation';

/** Issue 15 item 3: analyses.attributions is validated with clear errors and reaches the battery. */
describe('analyses.attributions configuration', () => {
  const issues = (analyses: unknown) => {
    const r = ExperimentConfig.safeParse({ name: 'x', analyses });
    return r.success ? [] : r.error.issues.map((i) => i.message);
  };

  it('defaults (also for configs saved before the section existed) and the cheap tiny preset', () => {
    const a = ExperimentConfig.parse({ name: 'old' }).analyses.attributions;
    expect(a).toEqual({ enabled: true, trials: 32, integratedSteps: 16, occlusion: { patch: 8, stride: 4 } });
    const tiny = experimentPreset('tiny');
    expect(tiny.analyses.attributions).toEqual({ enabled: true, trials: 10, integratedSteps: 4, occlusion: { patch: 8, stride: 8 } });
    // the battery takes them as they are, capped later at the run's trials
    expect(batteryConfigFromExperiment(tiny.analyses, 1).attributions).toEqual({ enabled: true, trials: 10, integratedSteps: 4, occlusionPatch: 8, occlusionStride: 8 });
    // a run configuration stored unparsed before issue 15 (no section) gets the defaults
    const { attributions: _none, ...stale } = tiny.analyses;
    expect(batteryConfigFromExperiment(stale as typeof tiny.analyses, 1).attributions).toEqual({ enabled: true, trials: 32, integratedSteps: 16, occlusionPatch: 8, occlusionStride: 4 });
  });

  it('refuses bad values naming the field', () => {
    expect(issues({ attributions: { trials: 5 } })).toEqual(['analyses.attributions.trials must be ≥ 10']);
    expect(issues({ attributions: { integratedSteps: 1.5 } })).toEqual(['analyses.attributions.integratedSteps must be an integer']);
    expect(issues({ attributions: { occlusion: { patch: 4, stride: 6 } } })).toEqual(['analyses.attributions.occlusion.stride must be ≤ analyses.attributions.occlusion.patch (pixels)']);
    expect(issues({ attributions: { enabled: false } })).toEqual([]);
  });

  it('caps the stimuli at the run\'s trials and checks the patch against the image side', () => {
    const run = { noise: { spec: { trials: 50 } }, run: { view: { sizePx: 32, yawDeg: 10 } } } as unknown as ReverseCorrelationResult;
    const cfg = { enabled: true, trials: 200, integratedSteps: 8, occlusionPatch: 8, occlusionStride: 4 };
    expect(attributionOptions(cfg, run, 64)).toMatchObject({ trials: 50, sizePx: 32, yawDeg: 10, igSteps: 8, occlusionPatch: 8, occlusionStride: 4, batchSize: 16 });
    expect(() => attributionOptions({ ...cfg, occlusionPatch: 40 }, run, 64)).toThrow('analyses.attributions.occlusion.patch must be an integer in [1, 32] (pixels, the image side), got 40');
  });
});
