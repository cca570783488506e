/**
 * npm run deeper -- analyse <subcommand> [options]
 *
 *   oracle --kind shape|texture|image --region <region | landmark | vertex list> [--seed 1] [--model ict|procedural|<file>]
 *          [--trials n ≤ 20000] [--permutations 200] [--alpha 0.05] [--basis coefficients|bubbles|vertex]
 *          [--r2 share] [--design orthogonal|independent] [--tfce] [--sigma 6] [--density 1] [--band-octaves 0] [--radius 10] [--size 64] [--threads 1] [--planted-only]
 *          (--band-octaves k: bubbles texture bands' bump widths σ·2^(k·(nb−1−band)); 0.5 = the law before 2026-12-01)
 *          [--vertex-spacing 4]  (vertex basis: mm between noise-carrying vertices, 0 = all; image oracle default 0)
 *       Plants a response explaining a stated share R² of its variance on the region of a face model
 *       (default: the default model) and checks the maps recover the truth of the basis (vertex: the
 *       region's noise-carrying vertices; coefficients, bubbles: the analytic map above the threshold, oracle-truth.ts).
 *       Last line: {"precision", "recall", "analytic_correlation", "trials", "plantedR2", ...}.
 *   battery --model <dir> --out <dir> [--preset default|demo|tiny] [--identities N] [--faces-seed 1]
 *          [--trials n] [--permutations n] [--rc-identities k] [--pose-trials n] [--pca k]
 *          [--vertex-stride s] [--basis bubbles|coefficients|vertex] [--design orthogonal|independent] [--face-model <name|file>] [--tfce] [--human <csv>] [--no-baseline]
 *          [--layer-permutations n]  (hidden-layer and pose map thresholds, co-information null; default 50)
 *       Runs generalisation, reverse correlation, hidden layers and pose invariance on one network
 *       (a LayersModel directory: a trained ResNet-10 or an import) and writes one result bundle.
 *       Prints the generalisation curves (caricature and anti-caricature levels apart, bootstrap CIs),
 *       the per-layer co-information with its p-value, and on stderr the shape − texture asymmetry of
 *       the network, the baseline observer (pixel PCA + linear classifier; --no-baseline skips it) and
 *       network − baseline with 95 % intervals.
 *   generalisation | reverse-correlation | hidden-layers | pose-invariance --model <dir> --out <dir> [...]
 *       One analysis (the same options), written as a battery bundle with only that part.
 *   attributions | humans ...
 *       Gradient attributions on the mesh, and the human-observer analyses of a trial CSV (workers/cli/humans.ts).
 *
 * The learned identities are the network's classes: identity i = sampleIdentities(defaultModel,
 * {count: --identities (default: the network's class count), seed: --faces-seed (default 1)})[i],
 * the design the dataset builder uses for an experiment with that seed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ExperimentConfig, experimentPreset } from '../contract';
import { folderFiles, stagedFolderSync } from '../util';
import { choice, num, parseOptions, str, type Opts } from './options';

export { choice, num, str, type Opts } from './options';

/** Every option of the analyse subcommands (workers/cli/humans.ts included): value options, then flags. */
const ANALYSE_OPTIONS = {
  values: [
    'alpha', 'band-octaves', 'basis', 'density', 'design', 'face-model', 'faces-seed', 'gen-identities', 'human', 'identities', 'kind', 'layer-permutations',
    'model', 'out', 'pca', 'permutations', 'pose-trials', 'preset', 'r2', 'radius', 'rc-identities', 'region', 'seed', 'shape-sd',
    'sigma', 'size', 'texture-sd', 'threads', 'trials', 'vertex-spacing', 'vertex-stride',
    // attributions and humans (workers/cli/humans.ts)
    'baseline', 'batch', 'beta', 'compare', 'compare-significant', 'csv', 'feature', 'identity', 'ig-rule', 'ig-steps', 'methods',
    'min-pass', 'network-generalisation', 'noise-basis', 'noise-design', 'noise-radius', 'noise-region', 'noise-seed', 'noise-shape-sd',
    'noise-spec', 'noise-texture-sd', 'noise-trials', 'patch', 'resamples', 'response', 'stride', 'yaw',
  ],
  flags: ['tfce', 'planted-only', 'no-baseline'],
} as const;

export const progress = (label: string) => {
  let last = -1;
  return (p: { fraction: number; stage: string; etaSeconds: number | null }) => {
    const pct = Math.floor(p.fraction * 100);
    if (pct === last) return;
    last = pct;
    const eta = p.etaSeconds === null ? '' : ` ETA ${Math.round(p.etaSeconds)} s`;
    process.stderr.write(`\r${label}: ${pct}% ${p.stage}${eta}      `);
  };
};

/**
 * --model: a built-in face model's name (ict, procedural; 'default' = procedural, as in stored
 * configs; or the procedural model's own name) or a face-model file (workers/faces/format.ts);
 * absent: `fallback` (ict, the default for new experiments, unless a command says otherwise).
 */
export async function faceModelOption(o: Opts, fallback = 'ict') {
  const { loadDefaultFaceModel, decodeFaceModel, DEFAULT_MODEL_NAME, isBuiltinFaceModel, loadBuiltinFaceModel, BUILTIN_FACE_MODEL_ALIASES } = await import('../faces');
  const name = o.has('model') ? str(o, 'model') : fallback;
  if (isBuiltinFaceModel(name)) return loadBuiltinFaceModel(name);
  if (name === DEFAULT_MODEL_NAME) return loadDefaultFaceModel();
  if (existsSync(name)) return decodeFaceModel(readFileSync(name), name);
  throw new Error(`--model must be a built-in face model (${Object.keys(BUILTIN_FACE_MODEL_ALIASES).join(', ')}) or a face-model file, got '${name}'`);
}

async function oracle(o: Opts): Promise<number> {
  const { runOracle, NOISE_BASES, NOISE_DESIGNS, DEFAULT_TEXTURE_BAND_OCTAVES } = await import('../analyses');
  const model = await faceModelOption(o);
  const kind = choice(o, 'kind', ['shape', 'texture', 'image'] as const, 'shape');
  if (!o.has('kind')) throw new Error('--kind shape|texture|image is required');
  const basis = choice(o, 'basis', NOISE_BASES, 'vertex');
  const r = await runOracle(model, {
    kind, region: str(o, 'region'), basis,
    seed: num(o, 'seed', 1, 0, 2 ** 31 - 1, true),
    trials: o.has('trials') ? num(o, 'trials', 0, 20, 20_000, true) : undefined,
    permutations: num(o, 'permutations', 200, 19, 100_000, true),
    alpha: num(o, 'alpha', 0.05, 1e-4, 0.5),
    r2: o.has('r2') ? num(o, 'r2', 0.5, 0.01, 1) : undefined,
    design: o.has('design') ? choice(o, 'design', NOISE_DESIGNS, 'orthogonal') : undefined,
    tfce: o.has('tfce'),
    bubbles: { sigmaMm: num(o, 'sigma', 6, 0.5, 100), density: num(o, 'density', 1, 0.05, 16), textureBandOctaves: num(o, 'band-octaves', DEFAULT_TEXTURE_BAND_OCTAVES, 0, 1) },
    radiusMm: num(o, 'radius', 10, 0.1, 200),
    sizePx: num(o, 'size', 64, 16, 256, true),
    threads: num(o, 'threads', 1, 1, 8, true),
    maps: o.has('planted-only') ? 'planted' : 'both',
    vertexSpacingMm: o.has('vertex-spacing') ? num(o, 'vertex-spacing', 4, 0, 100) : undefined,
  }, progress(`oracle ${kind}`));
  process.stderr.write('\n');
  console.log(JSON.stringify({
    precision: r.recovery.precision, recall: r.recovery.recall, analytic_correlation: r.analyticCorrelation,
    significant: r.recovery.significant, truthVertices: r.truth ? r.truth.reduce((a, b) => a + b, 0) : r.region.length,
    kind, basis: r.basis, model: model.name, region: o.get('region'), regionVertices: r.region.length,
    ...(r.basis === 'vertex' ? { noiseVertices: r.noise.vertices?.length, carryingVertices: r.carrying.length } : {}),
    trials: r.trials, trialsCap: 20_000, plantedR2: r.r2Planted, ...(r.noise.spec.design ? { design: r.noise.spec.design } : {}), tfce: o.has('tfce'),
    regionPrecision: r.regionRecovery.precision, regionRecall: r.regionRecovery.recall,
    thresholdBits: r.planted?.tfce ? null : (r.planted?.threshold ?? null), thresholdTfce: r.planted?.tfce ? r.planted.threshold : null,
    otherSignificant: r.otherSignificant,
    ...(r.maskPixels !== undefined ? { maskPixels: r.maskPixels } : {}),
  }));
  return 0;
}

type Part = 'generalisation' | 'reverse-correlation' | 'hidden-layers' | 'pose-invariance';

async function battery(o: Opts, only: Part | null): Promise<number> {
  const { sampleIdentities } = await import('../faces');
  const { loadNetwork, NOISE_BASES, NOISE_DESIGNS } = await import('../analyses');
  const { batteryConfigFromExperiment, runBattery } = await import('../analyses');
  const preset = choice(o, 'preset', ['default', 'demo', 'tiny'] as const, 'default');
  const exp = preset === 'default' ? ExperimentConfig.parse({ name: 'cli' }) : experimentPreset(preset);
  // the basis before the config: the noise sds are in the basis's own units (battery.ts)
  exp.analyses.reverseCorrelation.basis = choice(o, 'basis', NOISE_BASES, exp.analyses.reverseCorrelation.basis);
  if (o.has('design')) exp.analyses.reverseCorrelation.design = choice(o, 'design', NOISE_DESIGNS, 'orthogonal');
  const cfg = batteryConfigFromExperiment(exp.analyses, exp.seed);
  const model = await faceModelOption(o.has('face-model') ? new Map([['model', o.get('face-model')!]]) : new Map(), 'procedural');
  const net = await loadNetwork(folderFiles(str(o, 'model')));
  const count = num(o, 'identities', net.classCount, 2, 100_000, true);
  if (count !== net.classCount) throw new Error(`--identities ${count} differs from the network's ${net.classCount} classes`);
  const identities = sampleIdentities(model, { count, seed: num(o, 'faces-seed', 1, 0, 2 ** 31 - 1, true) });
  const rc = cfg.reverseCorrelation;
  rc.trials = num(o, 'trials', rc.trials, 50, 100_000, true);
  rc.permutations = num(o, 'permutations', rc.permutations, 0, 100_000, true);
  rc.identities = Array.from({ length: num(o, 'rc-identities', rc.identities.length, 1, count, true) }, (_, i) => i);
  rc.tfce = o.has('tfce') || rc.tfce;
  rc.threads = num(o, 'threads', 1, 1, 8, true);
  if (o.has('shape-sd')) rc.shapeNoiseSd = num(o, 'shape-sd', 0.5, 0, 10);
  if (o.has('texture-sd')) rc.textureNoiseSd = num(o, 'texture-sd', 0.5, 0, 10);
  cfg.hiddenLayers.pcaComponents = num(o, 'pca', cfg.hiddenLayers.pcaComponents, 1, 64, true);
  cfg.hiddenLayers.permutations = num(o, 'layer-permutations', cfg.hiddenLayers.permutations ?? 50, 0, 100_000, true);
  const stride = num(o, 'vertex-stride', 1, 1, 1000, true);
  cfg.hiddenLayers.vertexStride = stride;
  cfg.poseInvariance.vertexStride = stride;
  cfg.poseInvariance.trials = num(o, 'pose-trials', cfg.poseInvariance.trials, 20, 100_000, true);
  cfg.generalisation.identityCount = num(o, 'gen-identities', cfg.generalisation.identityCount, 2, count, true);
  if (o.has('human')) cfg.generalisation.humanCsv = readFileSync(str(o, 'human'), 'utf8');
  if (o.has('no-baseline')) cfg.generalisation.baselineObserver = false;
  if (only) {
    cfg.generalisation.enabled = only === 'generalisation';
    cfg.reverseCorrelation.enabled = only === 'reverse-correlation';
    cfg.hiddenLayers.enabled = only === 'hidden-layers';
    cfg.poseInvariance.enabled = only === 'pose-invariance';
  }
  const out = str(o, 'out');
  const summary = await runBattery(model, identities, net, cfg, stagedFolderSync(out), progress(only ?? 'battery'));
  process.stderr.write('\n');
  console.log(JSON.stringify({
    bundle: out, stages: summary.stages,
    generalisation: summary.generalisation?.curves.map((c) => ({
      manipulation: c.manipulation, levels: c.levels, probability: c.probability, accuracy: c.accuracy, auc: c.auc, levelBelowHalf: c.levelBelowHalf,
      antiCaricature: c.antiCaricature, caricature: c.caricature, towardsTarget: c.towardsTarget, targetProbability: c.targetProbability,
    })),
    asymmetry: summary.generalisation?.asymmetry,
    hiddenLayers: summary.hiddenLayers.map((h) => ({
      identity: h.identity,
      coinformation: h.layers.map((l) => ({ layer: l.layer, shape: l.shape.coinfo, texture: l.texture.coinfo, shapeSignificantVertices: l.shape.significantVertices, textureSignificantVertices: l.texture.significantVertices })),
    })),
  }));
  const a = summary.generalisation?.asymmetry;
  if (a) process.stderr.write(`${asymmetryStatement(a)}\n`);
  return 0;
}

type Ci = { mean: number | null; lo: number | null; hi: number | null };
const ci = (x: Ci) => (x.mean === null ? 'n/a' : `${x.mean.toFixed(3)} [${x.lo?.toFixed(3)}, ${x.hi?.toFixed(3)}]`);

/** "shape − texture asymmetry of P(original), anti-caricature levels: network … baseline … network − baseline …" (95 % bootstrap CIs over identities). */
export function asymmetryStatement(a: { network: Ci; baseline: Ci | null; networkMinusBaseline: Ci | null }): string {
  const parts = [`network ${ci(a.network)}`];
  if (a.baseline) parts.push(`baseline observer ${ci(a.baseline)}`);
  if (a.networkMinusBaseline) parts.push(`network − baseline ${ci(a.networkMinusBaseline)}`);
  return `shape − texture asymmetry of P(original) over the anti-caricature levels (mean [95% bootstrap CI over identities]): ${parts.join('; ')}`;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const o = () => parseOptions(rest, ANALYSE_OPTIONS);
  switch (sub) {
    case 'oracle': return oracle(o());
    case 'battery': return battery(o(), null);
    case 'generalisation': case 'reverse-correlation': case 'hidden-layers': case 'pose-invariance': return battery(o(), sub);
    case 'attributions': return (await import('./humans')).attributionsCommand(o());
    case 'humans': return (await import('./humans')).humansCommand(o());
    default:
      process.stderr.write('usage: npm run deeper -- analyse oracle|battery|generalisation|reverse-correlation|hidden-layers|pose-invariance|attributions|humans [options]\n(see workers/cli/analyse.ts)\n');
      return 2;
  }
}
