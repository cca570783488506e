import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FaceModel, Identity } from '../faces';
import type { Network } from '../analyses/network';
import type { BundleWriter } from '../analyses/bundle';
import type { BatteryConfig } from '../analyses/battery';
import type { TrialNoise } from '../analyses/noise';
import type { TrialRun } from '../analyses/trials';
import { materialiseModel, modelStep, readFaces } from './artifacts';
import { folderFiles, stagedFolderSync } from '../util';
import { defineWorkerFunction, type StepContext } from './define';
import { humanCurveCsv } from './human-responses';

/**
 * Step 4: the analyses of the paper, one worker function each (independent: they run in parallel).
 * Each loads the face model, identities and network, calls workers/analyses, writes a result
 * bundle (summary.json + arrays, workers/contract/result-bundles.ts) and stores every file of it as an
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
  const net = await loadNetwork(folderFiles(dir), { numClasses: ctx.input.config.faces.identities });
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
  const w = new BundleWriter(stagedFolderSync(dir));
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

/** Identities whose graded stimuli are stored as images for human sessions (issue 15). */
export const HUMAN_STIMULI_IDENTITIES = 4;

/**
 * Human sessions show people the network's own generalisation stimuli: the shape-scale and
 * texture-scale images of the first HUMAN_STIMULI_IDENTITIES tested identities, at every level and
 * pose, rendered exactly as generalisation() renders them (renderOptionsFor, the network's input
 * size), stored as human-stimuli/<i>.png captioned by human-factors.json[i] = {identity, yaw,
 * manipulation, level} (server/humans reads them; a separate name keeps them out of the gallery).
 */
async function putHumanStimuli(ctx: StepContext, loaded: Loaded, ids: number[], poses: number[], curves: { manipulation: string; levels: number[] }[]): Promise<void> {
  const { AnalysisStimulusRenderer, renderOptionsFor, manipulate } = await import('../analyses');
  const { encodePng, toUint8 } = await import('../render');
  const S = loaded.net.inputSize;
  const renderer = new AnalysisStimulusRenderer(loaded.model);
  const out = new Float32Array(S * S * 3);
  const factors: { identity: number; yaw: number; manipulation: string; level: number }[] = [];
  for (const c of curves.filter((c) => c.manipulation === 'shape-scale' || c.manipulation === 'texture-scale'))
    for (const k of ids.slice(0, HUMAN_STIMULI_IDENTITIES))
      for (const yaw of poses)
        for (const level of c.levels) {
          const id = loaded.identities[k]!;
          const other = loaded.identities[(k + 1) % loaded.identities.length]!;
          renderer.renderIdentity(manipulate(c.manipulation as 'shape-scale', id, other, level), renderOptionsFor({ sizePx: S, yawDeg: yaw }), out);
          await ctx.putArtifact(`human-stimuli/${factors.length}.png`, encodePng(toUint8(out), S, S), 'image/png');
          factors.push({ identity: k, yaw, manipulation: c.manipulation, level });
        }
  await ctx.putJson('human-factors.json', factors);
}

export const analysisGeneralisation = defineWorkerFunction({
  id: 'analysis-generalisation',
  title: 'Generalisation testing',
  retries: 2,
  async run(ctx) {
    const { BundleWriter, baselineFor, generalisation, generalisationOptions, generalisationSummary } = await import('../analyses');
    const loaded = await load(ctx);
    const humanCsv = await humanCurveCsv(ctx); // an uploaded human-trials CSV chosen in the config (issue 14)
    const options = {
      ...generalisationOptions(loaded.cfg, loaded.identities.length),
      ...(humanCsv ? { humanCsv } : {}),
      // the baseline observer (pixel PCA + linear classifier) through the same test
      ...(loaded.cfg.generalisation.baselineObserver !== false ? { baseline: baselineFor(loaded.model, loaded.identities, loaded.net, loaded.cfg.generalisation.seed ?? 1) } : {}),
    };
    const result = await generalisation(loaded.model, loaded.identities, loaded.net, options, (p) => ctx.progress(p.fraction, p.stage));
    const dir = path.join(ctx.scratchDir, 'bundle');
    const w = new BundleWriter(stagedFolderSync(dir));
    const summary = generalisationSummary(w, '', result);
    w.finish(summary);
    await putBundle(ctx, dir);
    await putHumanStimuli(ctx, loaded, result.identities, result.posesYawDeg, summary.curves);
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
    const { reverseCorrelation, reverseCorrelationOptions, reverseCorrelationSummary, attributionMaps } = await import('../analyses');
    const loaded = await load(ctx);
    // The first target identity's result: its noise trials are the images stored for people.
    const held: { first?: { r: Awaited<ReturnType<typeof reverseCorrelation>>; prefix: string } } = {};
    const out = await perIdentity(ctx, loaded, 'reverseCorrelation', async (w, prefix, identity, onFraction) => {
      const options = reverseCorrelationOptions(loaded.cfg, identity, { layers: [], maps: true });
      const withAttributions = loaded.cfg.attributions?.enabled === true;
      const share = withAttributions ? 0.8 : 1; // of the identity's progress; the rest is the attribution maps (issue 15)
      const r = await reverseCorrelation(loaded.model, loaded.identities, loaded.net, options, (p) => onFraction(p.fraction * share));
      held.first ??= { r, prefix };
      const summary = reverseCorrelationSummary(w, prefix, r, loaded.model.regions.face);
      const attributions = await attributionMaps(loaded.model, loaded.identities, loaded.net, loaded.cfg.attributions, r, w, prefix, loaded.cfg.batchSize, (f) => onFraction(share + f * (1 - share)));
      return attributions ? { ...summary, attributions } : summary;
    });
    const cap = ctx.input.config.analyses.reverseCorrelation.humanStimuli;
    if (held.first && cap > 0) await putHumanRcStimuli(ctx, loaded, held.first, cap);
    return out;
  },
});

/**
 * Issue 15: the first target identity's reverse-correlation stimuli as people see them: its first
 * min(cap, trials) noise trials, rendered by the renderer that made the network's inputs
 * (NoiseTrialRenderer, same noise draw, view and size), as human-rc/<i>.png captioned by
 * human-rc.json[i] = {identity, yaw, noiseTrial}, with the noise spec and the network's map of the
 * same feature in human-rc-noise.json (workers/contract HumanRcNoise; server/humans reads them). All
 * images are rendered before any is stored, and the step's manifest lists them only once the step
 * succeeds: a failed step leaves no partial set.
 */
async function putHumanRcStimuli(ctx: StepContext, loaded: Loaded, first: { r: { noise: TrialNoise; run: TrialRun; identity: number; maps: { feature: string; response: string }[] }; prefix: string }, cap: number): Promise<void> {
  const { NoiseTrialRenderer } = await import('../analyses');
  const { encodePng, toUint8 } = await import('../render');
  const { HUMAN_RC_CAPTIONS, HUMAN_RC_FOLDER, HUMAN_RC_NOISE, HumanRcNoise } = await import('../contract');
  const { noise, run, identity, maps } = first.r;
  const S = run.view.sizePx;
  const renderer = new NoiseTrialRenderer(loaded.model, loaded.identities[identity]!, run.view);
  const out = new Float32Array(S * S * 3);
  const n = Math.min(cap, noise.spec.trials);
  const pngs: Uint8Array[] = [];
  const captions: { identity: number; yaw: number; noiseTrial: number }[] = [];
  for (let t = 0; t < n; t++) {
    renderer.render(noise, t, out);
    pngs.push(encodePng(toUint8(out), S, S));
    captions.push({ identity, yaw: run.view.yawDeg, noiseTrial: t });
  }
  const feature = noise.spec.textureSd > 0 ? 'texture' : 'shape';
  const response = maps.some((m) => m.feature === feature && m.response === 'decision') ? 'decision' : maps.some((m) => m.feature === feature && m.response === 'logit') ? 'logit' : null;
  const spec = HumanRcNoise.parse({
    identity, yawDeg: run.view.yawDeg, sizePx: S, feature,
    noise: { basis: noise.spec.basis, trials: noise.spec.trials, shapeSd: noise.spec.shapeSd, textureSd: noise.spec.textureSd, seed: noise.spec.seed, ...(noise.bubbles ? { bubbles: noise.bubbles.options } : {}), ...(noise.spec.design ? { design: noise.spec.design } : {}) },
    network: response ? { mi: `${first.prefix}${feature}.${response}.mi.f32`, significant: `${first.prefix}${feature}.${response}.significant.u8`, response } : null,
  });
  for (const [i, png] of pngs.entries()) await ctx.putArtifact(`${HUMAN_RC_FOLDER}/${i}.png`, png, 'image/png');
  await ctx.putJson(HUMAN_RC_CAPTIONS, captions);
  await ctx.putJson(HUMAN_RC_NOISE, spec);
}

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
