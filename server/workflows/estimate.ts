import { planRun, RunEstimate, STAGES, type ExperimentConfig, type StageName } from '../../workers/contract';
import { THROUGHPUTS, type Throughputs } from './throughputs';

const MiB = 1024 * 1024;

interface Cost {
  seconds: number;
  memoryMiB: number;
  basis: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** (64 / size)²: the throughputs are at 64 px and cost grows with the pixel count. */
function areaFactor(sizePx: number): number {
  return (sizePx / 64) ** 2;
}

/** Convolution cost grows with width² (channels in × channels out); reference width 0.5. */
function widthFactor(width: number): number {
  return (width / 0.5) ** 2;
}

/** ResNet-10 parameters at width w: ~4.9 M · w² for the convolutions, plus the dense layer. */
function networkParams(config: ExperimentConfig): number {
  return 4.9e6 * (config.training.width / 0.5) ** 2 * 4 + 512 * config.training.width * config.faces.identities;
}

/** Activation memory of one batch (forward + backward), bytes: ~10 feature maps of conv1's size. */
function activationBytes(config: ExperimentConfig, batch: number): number {
  const s = config.render.sizePx / 2;
  return batch * s * s * 64 * config.training.width * 4 * 10;
}

function inferenceCost(config: ExperimentConfig, images: number, t: Throughputs, what: string): Cost {
  const ips = t.inferImagesPerS64 / areaFactor(config.render.sizePx) / widthFactor(config.training.width);
  const rips = t.renderImagesPerS64 / areaFactor(config.render.sizePx);
  return {
    seconds: images / ips + images / rips,
    memoryMiB: 300 + (networkParams(config) * 4 + activationBytes(config, 64) / 2) / MiB,
    basis: `${fmt(images)} ${what} images rendered at ${fmt(rips)}/s and inferred at ${fmt(ips)}/s`,
  };
}

/** Seconds and MiB of each step of the plan. */
export function stepCosts(config: ExperimentConfig, t: Throughputs = THROUGHPUTS): Map<string, Cost> {
  const c = config;
  const V = t.modelVertices;
  const costs = new Map<string, Cost>();
  const ids = c.faces.identities;
  costs.set('sample-identities', { seconds: ids / t.identitiesPerS, memoryMiB: 250, basis: `${fmt(ids)} identities at ${fmt(t.identitiesPerS)}/s` });
  const images = ids * c.render.imagesPerIdentity;
  const rips = t.renderImagesPerS64 / areaFactor(c.render.sizePx);
  costs.set('render-dataset', {
    seconds: images / rips,
    memoryMiB: 250 + (64 * c.render.sizePx ** 2 * 3 * 4) / MiB,
    basis: `${fmt(images)} images at ${fmt(rips)}/s (${c.render.sizePx} px)`,
  });
  const trainImages = images * (1 - c.render.validationFraction) * c.training.epochs;
  const tips = t.trainImagesPerS64 / areaFactor(c.render.sizePx) / widthFactor(c.training.width);
  costs.set('train-model', {
    seconds: trainImages / tips + (images * c.render.validationFraction * c.training.epochs) / (t.inferImagesPerS64 / areaFactor(c.render.sizePx)),
    memoryMiB: 300 + (networkParams(c) * 4 * 3 + activationBytes(c, c.training.batchSize) + Math.min(images * c.render.sizePx ** 2 * 3, 1024 * MiB)) / MiB,
    // (shards are streamed: at most ~1 GiB of images held at once)
    basis: `${c.training.epochs} epochs × ${fmt(images * (1 - c.render.validationFraction))} images at ${fmt(tips)} images/s`,
  });
  costs.set('import-model', { seconds: 2, memoryMiB: 300 + (networkParams(c) * 4) / MiB, basis: 'load and check the imported model' });
  const a = c.analyses;
  const g = a.generalisation;
  costs.set('analysis-generalisation', inferenceCost(c, g.identities * g.levels.length * 2 * g.posesYawDeg.length * 2, t, 'graded shape/texture'));
  const rc = a.reverseCorrelation;
  const trials = rc.identities * rc.trials;
  const rcInfer = inferenceCost(c, trials, t, 'noise-trial');
  // Per vertex: 3-D displacement and RGB albedo against 2 responses. The permutation null does not
  // re-run the map (one whitened matrix product per block of 24 permutations): ~1/20 map each.
  const rcMi = (trials * V * 2 * 2 * (1 + rc.permutations / 20)) / t.gcmiSamplesPerS;
  // Issue 15: attribution maps on the first stimuli, per stimulus in forward-pass equivalents
  // (a backward pass ≈ 2 forwards): gradient × input 3, integrated gradients 3 (m + 1), occlusion
  // one forward per patch position plus the unoccluded image.
  const at = a.attributions;
  const positions = Math.ceil(Math.max(0, c.render.sizePx - at.occlusion.patch) / at.occlusion.stride) + 1;
  const perStimulus = 3 + 3 * (at.integratedSteps + 1) + positions ** 2 + 1;
  const attrImages = at.enabled ? rc.identities * Math.min(at.trials, rc.trials) * perStimulus : 0;
  // rendered once per stimulus, then only network passes
  const attrStimuli = at.enabled ? rc.identities * Math.min(at.trials, rc.trials) : 0;
  const attrSeconds = attrImages / (t.inferImagesPerS64 / areaFactor(c.render.sizePx) / widthFactor(c.training.width)) + attrStimuli / rips;
  costs.set('analysis-reverse-correlation', {
    seconds: rcInfer.seconds + rcMi + attrSeconds,
    memoryMiB: rcInfer.memoryMiB + (rc.trials * V * 6 * 4) / MiB,
    basis: `${rcInfer.basis}; GCMI over ${fmt(V)} vertices × ${fmt(1 + rc.permutations)} permutations${attrImages > 0 ? `; attribution maps: ${fmt(attrImages)} forward-pass equivalents` : ''}`,
  });
  const layers = 6;
  const hlInfer = inferenceCost(c, trials, t, 'noise-trial');
  const hlMi = (trials * V * 2 * layers * 2) / t.gcmiSamplesPerS;
  costs.set('analysis-hidden-layers', {
    seconds: hlInfer.seconds + hlMi,
    memoryMiB: hlInfer.memoryMiB + (trials * layers * a.hiddenLayers.pcaComponents * 8 + rc.trials * V * 6 * 4) / MiB,
    basis: `${hlInfer.basis}; GCMI and co-information for ${layers} layers × ${fmt(V)} vertices`,
  });
  const poses = a.poseInvariance.posesYawDeg.length;
  const piInfer = inferenceCost(c, trials * poses, t, 'posed noise-trial');
  costs.set('analysis-pose-invariance', {
    seconds: piInfer.seconds + hlMi * poses * 1.5,
    memoryMiB: hlInfer.memoryMiB * 1.2,
    basis: `${piInfer.basis}; layer MI at ${poses} poses`,
  });
  costs.set('finalise', { seconds: 1, memoryMiB: 200, basis: 'collect manifests into the result bundle' });
  for (const [k, v] of costs) costs.set(k, { ...v, seconds: v.seconds + t.processStartS, memoryMiB: Math.round(v.memoryMiB) });
  return costs;
}

/**
 * Time and memory by stage before launch, from the configuration and the throughputs measured
 * on this machine (server/workflows/throughputs.ts). Steps of one wave run in parallel only up
 * to the executor's concurrency, so the total is the sum (an upper bound with more slots).
 */
export function estimateRun(config: ExperimentConfig, t: Throughputs = THROUGHPUTS): RunEstimate {
  const costs = stepCosts(config, t);
  const steps = planRun(config).map((s) => {
    const cost = costs.get(s.id)!;
    return { stepId: s.id, stage: s.stage, seconds: Math.round(cost.seconds * 10) / 10, memoryMiB: cost.memoryMiB, basis: cost.basis };
  });
  const byStage = STAGES.map((stage: StageName) => {
    const mine = steps.filter((s) => s.stage === stage);
    return { stage, seconds: Math.round(mine.reduce((a, s) => a + s.seconds, 0) * 10) / 10, memoryMiB: Math.max(0, ...mine.map((s) => s.memoryMiB)) };
  }).filter((s) => s.seconds > 0);
  return RunEstimate.parse({
    steps,
    byStage,
    totalSeconds: Math.round(steps.reduce((a, s) => a + s.seconds, 0)),
    peakMemoryMiB: Math.max(...steps.map((s) => s.memoryMiB)),
    calibration: `${t.machine}, ${t.measuredAt}: ${t.source}`,
  });
}
