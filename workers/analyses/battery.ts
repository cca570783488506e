/**
 * 5. The battery: the four analyses on one network, written as one result bundle
 * (contract/result-bundles.ts BatterySummary). Reverse correlation records the layers' activations, and
 * the hidden-layer analysis reuses those same trials (as the paper does); pose invariance runs its
 * own trials at each pose. Every stage's wall time is recorded in the summary.
 *
 * The one wiring of the four analyses: an experiment's analyses section becomes a BatteryConfig
 * (batteryConfigFromExperiment), and the options of each analysis come from the *Options functions
 * below. runBattery (command line, benchmarks) and the pipeline's worker functions
 * (workers/functions/analyses.ts, one step per analysis) both call them, so the two agree on
 * trial counts, seeds and identities.
 */
import type { FaceModel } from '../faces/model';
import type { Identity } from '../faces/identity';
import type { AnalysesConfig as AnalysesConfigSchema } from '../contract/experiment';
import type { z } from 'zod';
import { AttributionsConfig as AttributionsConfigSchema, BatterySummary, type StageTiming } from '../contract';
import {
  BundleWriter, type BundleSink, generalisationSummary, hiddenLayersSummary, poseInvarianceSummary, reverseCorrelationSummary,
} from './bundle';
import { generalisation, type GeneralisationOptions } from './generalisation';
import { baselineFor } from './baseline-observer';
import { hiddenLayers, type HiddenLayersOptions } from './hidden-layers';
import type { Network } from './network';
import type { NoiseBasis, NoiseDesign } from './noise';
import type { BubbleOptions } from './bases/bubbles';
import { poseInvariance, type PoseInvarianceOptions } from './pose-invariance';
import { Stages, type OnProgress } from './analysis-stages';
import { reverseCorrelation, type ReverseCorrelationOptions } from './reverse-correlation';
import { attributionMaps, type AttributionsConfig } from './attribution-maps';

export interface BatteryConfig {
  generalisation: Omit<Partial<GeneralisationOptions>, 'baseline'> & { enabled: boolean; identityCount: number; baselineObserver?: boolean };
  reverseCorrelation: {
    enabled: boolean;
    /** Target identities (indices); the hidden-layer analysis uses the same ones. */
    identities: number[];
    trials: number; shapeNoiseSd: number; textureNoiseSd: number; basis: NoiseBasis; bubbles?: BubbleOptions; design?: NoiseDesign;
    permutations: number; alpha: number; tfce: boolean; bands: boolean; seed: number; threads: number;
  };
  /** permutations: of the layer and pose maps' thresholds and the co-information null (default 50). */
  hiddenLayers: { enabled: boolean; pcaComponents: number; vertexStride: number; permutations?: number };
  /** trials: per pose. The analysed identities are reverseCorrelation.identities. */
  poseInvariance: { enabled: boolean; posesYawDeg: number[]; trials: number; vertexStride: number };
  /** Issue 15: attribution maps on the reverse-correlation stimuli (attribution-maps.ts); absent = none. */
  attributions?: AttributionsConfig;
  batchSize: number;
}

/** The battery configuration of an experiment's analyses section (contract/experiment.ts). */
export function batteryConfigFromExperiment(a: z.infer<typeof AnalysesConfigSchema>, seed = 1): BatteryConfig {
  const rc = a.reverseCorrelation;
  return {
    generalisation: {
      enabled: a.generalisation.enabled, identityCount: a.generalisation.identities, levels: a.generalisation.levels, posesYawDeg: a.generalisation.posesYawDeg,
      baselineObserver: a.generalisation.baselineObserver, seed,
    },
    reverseCorrelation: {
      enabled: rc.enabled, identities: Array.from({ length: rc.identities }, (_, i) => i), trials: rc.trials,
      // the sds in the basis's own units: component sds for coefficients, mm and albedo for the local bases
      ...(rc.basis === 'bubbles' || rc.basis === 'vertex'
        ? { shapeNoiseSd: rc.bubbles.shapeSdMm, textureNoiseSd: rc.bubbles.textureSd }
        : { shapeNoiseSd: rc.shapeNoiseSd, textureNoiseSd: rc.textureNoiseSd }),
      basis: rc.basis, design: rc.design, bubbles: { sigmaMm: rc.bubbles.sigmaMm, density: rc.bubbles.density, textureBandOctaves: rc.bubbles.textureBandOctaves },
      permutations: rc.permutations, alpha: 0.05, tfce: rc.tfce, bands: true, seed, threads: 1,
    },
    hiddenLayers: { enabled: a.hiddenLayers.enabled, pcaComponents: a.hiddenLayers.pcaComponents, vertexStride: 1, permutations: a.hiddenLayers.permutations },
    // per pose as many trials as reverse correlation has (the experiment has no separate count)
    poseInvariance: { enabled: a.poseInvariance.enabled, posesYawDeg: a.poseInvariance.posesYawDeg, trials: rc.trials, vertexStride: 1 },
    // issue 15: a run configuration stored before it has no section: the schema's defaults then
    attributions: attributionsConfig(a.attributions ?? AttributionsConfigSchema.parse({})),
    batchSize: 64,
  };
}

function attributionsConfig(at: z.infer<typeof AttributionsConfigSchema>): AttributionsConfig {
  return { enabled: at.enabled, trials: at.trials, integratedSteps: at.integratedSteps, occlusionPatch: at.occlusion.patch, occlusionStride: at.occlusion.stride };
}

/** The target identities of the per-identity analyses (reverse correlation, hidden layers, pose invariance). */
export function targetIdentities(cfg: BatteryConfig, identityCount: number): number[] {
  return cfg.reverseCorrelation.identities.filter((i) => i < identityCount);
}

/** Generalisation options: the first min(identityCount, available, classes) learned identities. */
export function generalisationOptions(cfg: BatteryConfig, available: number): Partial<GeneralisationOptions> {
  const { enabled: _enabled, identityCount, baselineObserver: _baseline, ...options } = cfg.generalisation;
  const n = Math.min(identityCount, available);
  return { ...options, identities: Array.from({ length: n }, (_, i) => i), batchSize: cfg.batchSize };
}

/**
 * Reverse-correlation options for one identity (trial seed = seed + identity). `maps: false` runs
 * only the trials (what the hidden-layer analysis needs), without permutations; `layers` are the
 * network layers whose activations the trials record.
 */
export function reverseCorrelationOptions(cfg: BatteryConfig, identity: number, run: { layers: string[]; maps: boolean }): ReverseCorrelationOptions {
  const rc = cfg.reverseCorrelation;
  return {
    identity, trials: rc.trials, shapeNoiseSd: rc.shapeNoiseSd, textureNoiseSd: rc.textureNoiseSd, basis: rc.basis, bubbles: rc.bubbles, design: rc.design, yawDeg: 0,
    seed: rc.seed + identity, permutations: run.maps ? rc.permutations : 0, alpha: rc.alpha, tfce: rc.tfce, bands: rc.bands,
    batchSize: cfg.batchSize, threads: rc.threads, layers: run.layers, maps: run.maps,
  };
}

/** Permutations of the layer and pose statistics: the configured number (default 50). */
export const layerPermutations = (cfg: BatteryConfig): number => cfg.hiddenLayers.permutations ?? 50;

/** Hidden-layer options (on the trials of reverseCorrelationOptions). */
export function hiddenLayersOptions(cfg: BatteryConfig): HiddenLayersOptions {
  return {
    pcaComponents: cfg.hiddenLayers.pcaComponents, vertexStride: cfg.hiddenLayers.vertexStride, seed: cfg.reverseCorrelation.seed,
    // the layer maps' null costs vertices × layers × permutations estimates (default 50)
    permutations: layerPermutations(cfg), alpha: cfg.reverseCorrelation.alpha, diagnosticCap: 32,
  };
}

/** Reverse correlation's significant vertices per feature (the logit maps), for the layer and pose analyses. */
export function significantVertices(maps: { feature: string; response: string; map: { significant: Uint8Array } }[]): { shape?: Uint8Array; texture?: Uint8Array } {
  const pick = (feature: string) => maps.find((m) => m.feature === feature && m.response === 'logit')?.map.significant;
  return { shape: pick('shape'), texture: pick('texture') };
}

/** Pose-invariance options for one identity: its own trials (seed + 1000 + identity), the reverse-correlation noise. */
export function poseInvarianceOptions(cfg: BatteryConfig, identity: number): PoseInvarianceOptions {
  const pc = cfg.poseInvariance;
  const rc = cfg.reverseCorrelation;
  return {
    identity, posesYawDeg: pc.posesYawDeg, trials: pc.trials, shapeNoiseSd: rc.shapeNoiseSd, textureNoiseSd: rc.textureNoiseSd,
    basis: rc.basis, design: rc.design, seed: rc.seed + 1000 + identity, pcaComponents: cfg.hiddenLayers.pcaComponents, alpha: rc.alpha,
    vertexStride: pc.vertexStride, batchSize: cfg.batchSize, permutations: layerPermutations(cfg),
  };
}

export async function runBattery(model: FaceModel, identities: Identity[], net: Network, cfg: BatteryConfig, bundle: BundleSink, onProgress?: OnProgress): Promise<BatterySummary> {
  const targets = targetIdentities(cfg, identities.length);
  const rcIds = cfg.reverseCorrelation.enabled || cfg.hiddenLayers.enabled ? targets : [];
  const piIds = cfg.poseInvariance.enabled ? targets : [];
  const stages = new Stages({
    generalisation: cfg.generalisation.enabled ? 1 : 0,
    'reverse-correlation': rcIds.length * 4,
    attributions: cfg.reverseCorrelation.enabled && cfg.attributions?.enabled && net.targetLogit ? rcIds.length : 0,
    'hidden-layers': cfg.hiddenLayers.enabled ? rcIds.length * 2 : 0,
    'pose-invariance': piIds.length * 4,
  }, onProgress);
  const timings: StageTiming[] = [];
  const timed = async <T>(stage: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    timings.push({ stage, seconds: (performance.now() - t0) / 1000 });
    return r;
  };
  const w = new BundleWriter(bundle);
  try {
    const summary: BatterySummary = {
      kind: 'battery', network: net.describe(), faceModel: { name: model.name, vertexCount: model.vertexCount },
      stages: timings, reverseCorrelation: [], hiddenLayers: [], poseInvariance: [],
    };
    if (cfg.generalisation.enabled) {
      const options = {
        ...generalisationOptions(cfg, Math.min(identities.length, net.classCount)),
        ...(cfg.generalisation.baselineObserver !== false ? { baseline: baselineFor(model, identities, net, cfg.generalisation.seed ?? 1) } : {}),
      };
      const r = await timed('generalisation', () => generalisation(model, identities, net, options, (p) => stages.report('generalisation', p.fraction)));
      summary.generalisation = generalisationSummary(w, 'generalisation/', r);
    }
    // reverse correlation's significant vertices per identity: the pose analysis runs on them only
    const rcSignificant = new Map<number, ReturnType<typeof significantVertices>>();
    for (const [j, identity] of rcIds.entries()) {
      const rc = cfg.reverseCorrelation;
      const layers = cfg.hiddenLayers.enabled ? net.layerNames : [];
      const options = reverseCorrelationOptions(cfg, identity, { layers, maps: rc.enabled });
      const r = await timed(`reverse-correlation:id${identity}`, () => reverseCorrelation(model, identities, net, options, (p) => stages.report('reverse-correlation', (j + p.fraction) / rcIds.length)));
      if (rc.enabled) rcSignificant.set(identity, significantVertices(r.maps));
      if (rc.enabled) {
        const prefix = `reverse-correlation/id${identity}/`;
        const rcSummary = reverseCorrelationSummary(w, prefix, r, model.regions.face);
        const attributions = cfg.attributions?.enabled && net.targetLogit
          ? await timed(`attributions:id${identity}`, () => attributionMaps(model, identities, net, cfg.attributions, r, w, prefix, cfg.batchSize, (f) => stages.report('attributions', (j + f) / rcIds.length)))
          : null;
        summary.reverseCorrelation.push(attributions ? { ...rcSummary, attributions } : rcSummary);
      }
      if (cfg.hiddenLayers.enabled) {
        const h = await timed(`hidden-layers:id${identity}`, () => hiddenLayers(model, r.run, r.noise, { ...hiddenLayersOptions(cfg), diagnostic: significantVertices(r.maps) }, (p) => stages.report('hidden-layers', (j + p.fraction) / rcIds.length)));
        summary.hiddenLayers.push(hiddenLayersSummary(w, `hidden-layers/id${identity}/`, model, identity, r.run.view, h));
      }
    }
    for (const [j, identity] of piIds.entries()) {
      const r = await timed(`pose-invariance:id${identity}`, () => poseInvariance(model, identities, net, { ...poseInvarianceOptions(cfg, identity), significant: rcSignificant.get(identity) }, (p) => stages.report('pose-invariance', (j + p.fraction) / piIds.length)));
      summary.poseInvariance.push(poseInvarianceSummary(w, `pose-invariance/id${identity}/`, model, r));
    }
    const checked = BatterySummary.parse(JSON.parse(JSON.stringify(summary, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))));
    w.finish(checked);
    return checked;
  } catch (e) {
    w.abort();
    throw e;
  }
}
