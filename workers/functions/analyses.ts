import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FaceModel, Identity } from '../faces';
import type { Network } from '../analyses/network';
import type { BundleWriter } from '../analyses/bundle';
import type { BatteryConfig } from '../analyses/battery';
import { materialiseModel, modelStep, readFaces } from './artifacts';
import { defineWorkerFunction, type StepContext } from './define';

/**
 * Step 4: the analyses of the paper, one worker function each (independent: they run in parallel).
 * Each loads the face model, identities and network, calls workers/analyses, writes a result
 * bundle (summary.json + arrays, workers/contract/results.ts) and stores every file of it as an
 * artifact named by its path in the bundle. With several target identities the summary is a
 * battery summary listing one result per identity (their arrays under id<k>/). The options of
 * every analysis come from workers/analyses/battery.ts (batteryConfigFromExperiment and the
 * *Options functions), the one wiring that the command line's battery uses too.
 */

interface Loaded {
  model: FaceModel;
  identities: Identity[];
  net: Network;
  /** The experiment's analyses section as the battery's configuration. */
  cfg: BatteryConfig;
}

async function load(ctx: StepContext): Promise<Loaded> {
  const { model, identities } = await readFaces(ctx);
  const dir = await materialiseModel(ctx, modelStep(ctx));
  const { loadNetwork, batteryConfigFromExperiment } = await import('../analyses');
  const net = await loadNetwork(dir, { numClasses: ctx.input.config.faces.identities });
  if (net.inputSize !== ctx.input.config.render.sizePx) throw new Error(`the network takes ${net.inputSize} px images, render.sizePx is ${ctx.input.config.render.sizePx}`);
  return { model, identities, net, cfg: batteryConfigFromExperiment(ctx.input.config.analyses, ctx.input.config.seed) };
}

/** Stores every file under `dir` (recursively) as an artifact named by its relative path. */
async function putBundle(ctx: StepContext, dir: string, rel = ''): Promise<void> {
  for (const name of (await readdir(path.join(dir, rel))).sort()) {
    const relPath = rel ? `${rel}/${name}` : name;
    const full = path.join(dir, relPath);
    if ((await stat(full)).isDirectory()) await putBundle(ctx, dir, relPath);
    else await ctx.putArtifact(relPath, new Uint8Array(await readFile(full)), name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  }
}

/**
 * Runs `analyse` once per target identity (progress split evenly), writes the bundle: the single
 * summary itself, or a battery summary of all of them.
 */
async function perIdentity<S extends { kind: string }>(
  ctx: StepContext,
  loaded: Loaded,
  field: 'reverseCorrelation' | 'hiddenLayers' | 'poseInvariance',
  analyse: (w: BundleWriter, prefix: string, identity: number, onFraction: (f: number) => void) => Promise<S>,
): Promise<Record<string, unknown>> {
  const { BundleWriter, targetIdentities } = await import('../analyses');
  const dir = path.join(ctx.scratchDir, 'bundle');
  const w = new BundleWriter(dir);
  const ids = targetIdentities(loaded.cfg, loaded.identities.length);
  const summaries: S[] = [];
  for (let k = 0; k < ids.length; k++) {
    const prefix = ids.length > 1 ? `id${ids[k]}/` : '';
    summaries.push(await analyse(w, prefix, ids[k]!, (f) => ctx.progress((k + f) / ids.length)));
  }
  const summary =
    summaries.length === 1
      ? summaries[0]
      : {
          kind: 'battery',
          network: loaded.net.describe(),
          faceModel: { name: loaded.model.name, vertexCount: loaded.model.vertexCount },
          stages: [],
          [field]: summaries,
        };
  w.finish(summary);
  await putBundle(ctx, dir);
  return { kind: (summary as { kind: string }).kind, identities: ids };
}

export const analysisGeneralisation = defineWorkerFunction({
  id: 'analysis-generalisation',
  title: 'Generalisation testing',
  retries: 2,
  async run(ctx) {
    const { BundleWriter, baselineFor, generalisation, generalisationOptions, generalisationSummary } = await import('../analyses');
    const loaded = await load(ctx);
    const options = {
      ...generalisationOptions(loaded.cfg, loaded.identities.length),
      // the baseline observer (pixel PCA + linear classifier) through the same test
      ...(loaded.cfg.generalisation.baselineObserver !== false ? { baseline: baselineFor(loaded.model, loaded.identities, loaded.net, loaded.cfg.generalisation.seed ?? 1) } : {}),
    };
    const result = await generalisation(loaded.model, loaded.identities, loaded.net, options, (p) => ctx.progress(p.fraction, p.stage));
    const dir = path.join(ctx.scratchDir, 'bundle');
    const w = new BundleWriter(dir);
    const summary = generalisationSummary(w, '', result);
    w.finish(summary);
    await putBundle(ctx, dir);
    return {
      kind: summary.kind, curves: summary.curves.map((c) => ({ manipulation: c.manipulation, auc: c.auc, levelBelowHalf: c.levelBelowHalf })),
      ...(summary.asymmetry ? { asymmetry: summary.asymmetry } : {}),
    };
  },
});

export const analysisReverseCorrelation = defineWorkerFunction({
  id: 'analysis-reverse-correlation',
  title: 'Reverse correlation',
  retries: 2,
  async run(ctx) {
    const { reverseCorrelation, reverseCorrelationOptions, reverseCorrelationSummary } = await import('../analyses');
    const loaded = await load(ctx);
    return perIdentity(ctx, loaded, 'reverseCorrelation', async (w, prefix, identity, onFraction) => {
      const options = reverseCorrelationOptions(loaded.cfg, identity, { layers: [], maps: true });
      const r = await reverseCorrelation(loaded.model, loaded.identities, loaded.net, options, (p) => onFraction(p.fraction));
      return reverseCorrelationSummary(w, prefix, r);
    });
  },
});

export const analysisHiddenLayers = defineWorkerFunction({
  id: 'analysis-hidden-layers',
  title: 'Hidden layers',
  retries: 2,
  async run(ctx) {
    const { hiddenLayers, hiddenLayersOptions, hiddenLayersSummary, reverseCorrelation, reverseCorrelationOptions } = await import('../analyses');
    const loaded = await load(ctx);
    return perIdentity(ctx, loaded, 'hiddenLayers', async (w, prefix, identity, onFraction) => {
      // The same trials as the reverse-correlation step (same seed and noise), now recording the
      // layers; no maps and no permutations: the layer analysis has its own statistics.
      const options = reverseCorrelationOptions(loaded.cfg, identity, { layers: loaded.net.layerNames, maps: false });
      const trials = await reverseCorrelation(loaded.model, loaded.identities, loaded.net, options, (p) => onFraction(p.fraction * 0.5));
      const r = hiddenLayers(loaded.model, trials.run, trials.noise, hiddenLayersOptions(loaded.cfg), (p) => onFraction(0.5 + p.fraction * 0.5));
      return hiddenLayersSummary(w, prefix, loaded.model, identity, { sizePx: trials.run.view.sizePx, yawDeg: trials.run.view.yawDeg }, r);
    });
  },
});

export const analysisPoseInvariance = defineWorkerFunction({
  id: 'analysis-pose-invariance',
  title: 'Pose invariance',
  retries: 2,
  async run(ctx) {
    const { poseInvariance, poseInvarianceOptions, poseInvarianceSummary } = await import('../analyses');
    const loaded = await load(ctx);
    return perIdentity(ctx, loaded, 'poseInvariance', async (w, prefix, identity, onFraction) => {
      const r = await poseInvariance(loaded.model, loaded.identities, loaded.net, poseInvarianceOptions(loaded.cfg, identity), (p) => onFraction(p.fraction));
      return poseInvarianceSummary(w, prefix, loaded.model, r);
    });
  },
});
