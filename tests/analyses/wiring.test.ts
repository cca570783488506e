/**
 * One wiring of the four analyses (workers/analyses/battery.ts): the command line's battery and the
 * pipeline's worker functions take every option from these functions, so they cannot disagree again
 * (they once did on the pose-invariance trial count).
 */
import { describe, expect, it } from 'vitest';
import { EXPERIMENT_PRESETS, ExperimentConfig } from '../../workers/contract';
import {
  batteryConfigFromExperiment, generalisationOptions, hiddenLayersOptions, poseInvarianceOptions, reverseCorrelationOptions, targetIdentities,
} from '../../workers/analyses/battery';

describe('analyses wiring', () => {
  const exp = ExperimentConfig.parse({ ...EXPERIMENT_PRESETS.demo, seed: 7, analyses: { ...EXPERIMENT_PRESETS.demo.analyses, reverseCorrelation: { identities: 3, trials: 300, permutations: 100 } } });
  const cfg = batteryConfigFromExperiment(exp.analyses, exp.seed);

  it('takes identities, trials and seeds from the experiment', () => {
    expect(targetIdentities(cfg, 16)).toEqual([0, 1, 2]);
    expect(targetIdentities(cfg, 2)).toEqual([0, 1]);
    expect(generalisationOptions(cfg, 16)).toMatchObject({ identities: [0, 1, 2, 3], posesYawDeg: [0], batchSize: 64 });
    expect(generalisationOptions(cfg, 2).identities).toEqual([0, 1]);
    const rc = reverseCorrelationOptions(cfg, 2, { layers: [], maps: true });
    expect(rc).toMatchObject({ identity: 2, trials: 300, permutations: 100, seed: 9, alpha: 0.05, basis: 'bubbles', maps: true });
    // bubbles is the default basis of the maps (issue 12): σ, density and the local sds (mm, albedo) from the config
    expect(rc).toMatchObject({ bubbles: { sigmaMm: 6, density: 1 }, shapeNoiseSd: 1, textureNoiseSd: 0.05 });
    const coef = batteryConfigFromExperiment(ExperimentConfig.parse({ ...exp, analyses: { ...exp.analyses, reverseCorrelation: { ...exp.analyses.reverseCorrelation, basis: 'coefficients' } } }).analyses, 7);
    expect(reverseCorrelationOptions(coef, 0, { layers: [], maps: true })).toMatchObject({ basis: 'coefficients', shapeNoiseSd: 0.5, textureNoiseSd: 0.5 });
    // the hidden-layer step re-runs the same trials (same seed) without maps or permutations
    const trials = reverseCorrelationOptions(cfg, 2, { layers: ['conv1'], maps: false });
    expect(trials).toMatchObject({ seed: 9, trials: 300, permutations: 0, maps: false, layers: ['conv1'] });
    expect(hiddenLayersOptions(cfg)).toEqual({ pcaComponents: 4, vertexStride: 1, seed: 7, permutations: 50, alpha: 0.05, diagnosticCap: 32 });
    // pose invariance: per pose as many trials as reverse correlation, its own seed
    const pi = poseInvarianceOptions(cfg, 1);
    expect(pi).toMatchObject({ identity: 1, trials: 300, posesYawDeg: [-30, 0, 30], seed: 7 + 1000 + 1, pcaComponents: 4, permutations: 50 });
    expect(cfg.generalisation).toMatchObject({ baselineObserver: true, seed: 7 });
  });
});
