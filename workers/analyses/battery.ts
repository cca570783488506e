/**
 * 5. The battery: the four analyses on one network, written as one result bundle
 * (contract/results.ts BatterySummary). Reverse correlation records the layers' activations, and
 * the hidden-layer analysis reuses those same trials (as the paper does); pose invariance runs its
 * own trials at each pose. Every stage's wall time is recorded in the summary.
 */
import type { FaceModel } from '../faces/model';
import type { Identity } from '../faces/identity';
import type { AnalysesConfig as AnalysesConfigSchema } from '../contract/experiment';
import type { z } from 'zod';
import { BatterySummary, type StageTiming } from '../contract';
import {
  BundleWriter, generalisationSummary, hiddenLayersSummary, poseInvarianceSummary, reverseCorrelationSummary,
} from './bundle';
import { generalisation, type GeneralisationOptions } from './generalisation';
import { hiddenLayers } from './hidden-layers';
import type { Network } from './network';
import type { NoiseBasis } from './noise';
import { poseInvariance } from './pose-invariance';
import { Stages, type OnProgress } from './progress';
import { reverseCorrelation } from './reverse-correlation';

export interface BatteryConfig {
  generalisation: Partial<GeneralisationOptions> & { enabled: boolean; identityCount: number };
  reverseCorrelation: {
    enabled: boolean;
    /** Target identities (indices); the hidden-layer analysis uses the same ones. */
    identities: number[];
    trials: number; shapeNoiseSd: number; textureNoiseSd: number; basis: NoiseBasis;
    permutations: number; alpha: number; tfce: boolean; bands: boolean; seed: number; threads: number;
  };
  hiddenLayers: { enabled: boolean; pcaComponents: number; vertexStride: number };
  poseInvariance: { enabled: boolean; posesYawDeg: number[]; trials: number; vertexStride: number };
  batchSize: number;
}

/** The battery configuration of an experiment's analyses section (contract/experiment.ts). */
export function batteryConfigFromExperiment(a: z.infer<typeof AnalysesConfigSchema>, seed = 1): BatteryConfig {
  const rc = a.reverseCorrelation;
  return {
    generalisation: { enabled: a.generalisation.enabled, identityCount: a.generalisation.identities, levels: a.generalisation.levels, posesYawDeg: a.generalisation.posesYawDeg },
    reverseCorrelation: {
      enabled: rc.enabled, identities: Array.from({ length: rc.identities }, (_, i) => i), trials: rc.trials,
      shapeNoiseSd: rc.shapeNoiseSd, textureNoiseSd: rc.textureNoiseSd, basis: 'components',
      permutations: rc.permutations, alpha: 0.05, tfce: rc.tfce, bands: true, seed, threads: 1,
    },
    hiddenLayers: { enabled: a.hiddenLayers.enabled, pcaComponents: a.hiddenLayers.pcaComponents, vertexStride: 1 },
    poseInvariance: { enabled: a.poseInvariance.enabled, posesYawDeg: a.poseInvariance.posesYawDeg, trials: Math.max(100, Math.round(rc.trials / 2)), vertexStride: 1 },
    batchSize: 64,
  };
}

export async function runBattery(model: FaceModel, identities: Identity[], net: Network, cfg: BatteryConfig, outDir: string, onProgress?: OnProgress): Promise<BatterySummary> {
  const rcIds = cfg.reverseCorrelation.enabled || cfg.hiddenLayers.enabled ? cfg.reverseCorrelation.identities : [];
  const piIds = cfg.poseInvariance.enabled ? rcIds.slice(0, 1).concat(rcIds.length ? [] : [0]) : [];
  const stages = new Stages({
    generalisation: cfg.generalisation.enabled ? 1 : 0,
    'reverse-correlation': rcIds.length * 4,
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
  const w = new BundleWriter(outDir);
  try {
    const summary: BatterySummary = {
      kind: 'battery', network: net.describe(), faceModel: { name: model.name, vertexCount: model.vertexCount },
      stages: timings, reverseCorrelation: [], hiddenLayers: [], poseInvariance: [],
    };
    if (cfg.generalisation.enabled) {
      const n = Math.min(cfg.generalisation.identityCount, identities.length, net.classCount);
      const r = await timed('generalisation', () => generalisation(model, identities, net, {
        ...cfg.generalisation, identities: Array.from({ length: n }, (_, i) => i), batchSize: cfg.batchSize,
      }, (p) => stages.report('generalisation', p.fraction)));
      summary.generalisation = generalisationSummary(w, 'generalisation/', r);
    }
    for (const [j, identity] of rcIds.entries()) {
      const rc = cfg.reverseCorrelation;
      const layers = cfg.hiddenLayers.enabled ? net.layerNames : [];
      const r = await timed(`reverse-correlation:id${identity}`, () => reverseCorrelation(model, identities, net, {
        identity, trials: rc.trials, shapeNoiseSd: rc.shapeNoiseSd, textureNoiseSd: rc.textureNoiseSd, basis: rc.basis,
        seed: rc.seed + identity, permutations: rc.enabled ? rc.permutations : 0, alpha: rc.alpha, tfce: rc.tfce, bands: rc.bands,
        batchSize: cfg.batchSize, threads: rc.threads, layers, maps: rc.enabled,
      }, (p) => stages.report('reverse-correlation', (j + p.fraction) / rcIds.length)));
      if (rc.enabled) summary.reverseCorrelation.push(reverseCorrelationSummary(w, `reverse-correlation/id${identity}/`, r));
      if (cfg.hiddenLayers.enabled) {
        const h = await timed(`hidden-layers:id${identity}`, () => hiddenLayers(model, r.run, r.noise, {
          pcaComponents: cfg.hiddenLayers.pcaComponents, vertexStride: cfg.hiddenLayers.vertexStride, seed: rc.seed,
        }, (p) => stages.report('hidden-layers', (j + p.fraction) / rcIds.length)));
        summary.hiddenLayers.push(hiddenLayersSummary(w, `hidden-layers/id${identity}/`, model, identity, r.run.view, h));
      }
    }
    for (const [j, identity] of piIds.entries()) {
      const pc = cfg.poseInvariance;
      const rc = cfg.reverseCorrelation;
      const r = await timed(`pose-invariance:id${identity}`, () => poseInvariance(model, identities, net, {
        identity, posesYawDeg: pc.posesYawDeg, trials: pc.trials, shapeNoiseSd: rc.shapeNoiseSd, textureNoiseSd: rc.textureNoiseSd,
        basis: rc.basis, seed: rc.seed + 1000 + identity, pcaComponents: cfg.hiddenLayers.pcaComponents, vertexStride: pc.vertexStride,
        batchSize: cfg.batchSize,
      }, (p) => stages.report('pose-invariance', (j + p.fraction) / piIds.length)));
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
