import { z } from 'zod';
import { textField } from './text';

/**
 * An experiment's configuration: what to sample, render, train and analyse. Every field has a
 * range and a default, so `ExperimentConfig.parse({ name })` is a complete, runnable experiment
 * (paper-like defaults scaled to a CPU); EXPERIMENT_PRESETS.demo is the small run that finishes on
 * two cores in minutes. Sections parse with `prefault({})`, so configs saved before a section
 * existed still load with that section's defaults.
 */

const int = (field: string, min: number, max: number) =>
  z.number().int(`${field} must be an integer`).min(min, `${field} must be ≥ ${min}`).max(max, `${field} must be ≤ ${max}`);
const num = (field: string, min: number, max: number) =>
  z.number().min(min, `${field} must be ≥ ${min}`).max(max, `${field} must be ≤ ${max}`);
/** A closed interval [min, max] inside [lo, hi] (units in the field name). */
const range = (field: string, lo: number, hi: number) =>
  z
    .tuple([num(`${field}[0]`, lo, hi), num(`${field}[1]`, lo, hi)])
    .refine(([a, b]) => a <= b, `${field} must be [min, max] with min ≤ max`);

/** Built-in face models (workers/faces/builtins.ts); 'default' = legacy alias of 'procedural'. */
export const BUILTIN_FACE_MODEL_NAMES = ['ict', 'procedural', 'default'] as const;

/** The six basic emotions and neutral (workers/faces/ict/expressions.ts defines their action units). */
export const EMOTION_NAMES = ['neutral', 'happiness', 'sadness', 'surprise', 'fear', 'anger', 'disgust'] as const;

/** Identities: N sampled from the face model, balanced over gender × ethnicity × age bins. */
export const FacesConfig = z.object({
  /**
   * A built-in model ('ict', the default for new experiments; 'procedural'; 'default' = legacy alias
   * of 'procedural', so stored configs stay reproducible), or the artifact id of an imported model.
   */
  model: z.string().min(1, 'faces.model is required').max(200)
    .refine((m) => (BUILTIN_FACE_MODEL_NAMES as readonly string[]).includes(m) || /^[0-9a-f-]{36}$|^[0-9a-f]{64}$/i.test(m), {
      message: `faces.model must be a built-in model (${['ict', 'procedural', 'default'].join(', ')}) or the id of an uploaded face model`,
    })
    .default('ict'),
  identities: int('faces.identities', 2, 2000).default(50),
  /** Balance the sample over demographic bins (the paper's design) instead of drawing freely. */
  balanced: z.boolean().default(true),
});

/** The stimulus design: M images per identity, extrinsic factors drawn uniformly from ranges. */
export const RenderConfig = z.object({
  /** Square image side in pixels. */
  sizePx: int('render.sizePx', 16, 256).default(64),
  imagesPerIdentity: int('render.imagesPerIdentity', 1, 20000).default(200),
  yawDeg: range('render.yawDeg', -90, 90).default([-30, 30]),
  pitchDeg: range('render.pitchDeg', -45, 45).default([-15, 15]),
  rollDeg: range('render.rollDeg', -30, 30).default([-5, 5]),
  /** Light direction: azimuth and elevation in degrees from the camera axis. */
  lightAzimuthDeg: range('render.lightAzimuthDeg', -90, 90).default([-45, 45]),
  lightElevationDeg: range('render.lightElevationDeg', -60, 60).default([-20, 40]),
  scale: range('render.scale', 0.5, 2).default([0.9, 1.1]),
  /** Maximum 2D translation in pixels (uniform in ±translatePx on each axis). */
  translatePx: num('render.translatePx', 0, 32).default(2),
  background: z.enum(['flat', 'noise']).default('flat'),
  /**
   * Expression as a stimulus factor: each image draws one of these emotions (uniformly, seeded) at
   * an intensity uniform in expressionIntensity (0 = neutral, 1 = the full AU prototype).
   */
  emotions: z.array(z.enum(EMOTION_NAMES)).min(1).default(['neutral']),
  expressionIntensity: range('render.expressionIntensity', 0, 1).default([0, 1]),
  /** Fraction of each identity's images held out for validation. */
  validationFraction: num('render.validationFraction', 0, 0.5).default(0.1),
});

/** The network: train a ResNet-10 on the dataset, or use an imported TensorFlow.js model. */
export const TrainingConfig = z.object({
  source: z.enum(['train', 'import']).default('train'),
  /** With source 'import': the artifact id of the uploaded model.json (weights beside it). */
  importedModel: z.string().max(200).optional(),
  /** Channel width multiplier of the ResNet-10 (1 = 64..512 filters). */
  width: num('training.width', 0.125, 1).default(0.5),
  epochs: int('training.epochs', 1, 200).default(10),
  batchSize: int('training.batchSize', 4, 512).default(64),
  learningRate: num('training.learningRate', 1e-5, 1).default(0.01),
  optimizer: z.enum(['sgd', 'adam']).default('sgd'),
  /** Random shifts and zoom during training. */
  augment: z.boolean().default(true),
});

export const GeneralisationConfig = z.object({
  enabled: z.boolean().default(true),
  /** Learned identities to test. */
  identities: int('analyses.generalisation.identities', 1, 200).default(8),
  /** Amplification of the identity's deviation from its demographic norm (1 = the identity). */
  levels: z.array(num('analyses.generalisation.levels[]', -2, 4)).min(2).max(20).default([0, 1 / 3, 2 / 3, 1, 4 / 3, 5 / 3]),
  posesYawDeg: z.array(num('analyses.generalisation.posesYawDeg[]', -90, 90)).min(1).max(9).default([-30, 0, 30]),
  /** Put a baseline observer (pixel PCA + linear classifier, trained on renders of the same identities) through the same test. */
  baselineObserver: z.boolean().default(true),
  /**
   * Human observers beside the network's curves (issue 14): the id of a human-trials CSV uploaded to
   * the workspace (docs/human-trials.md); resolved at launch, inside the run's workspace, to its
   * content key (server/workflows/config-artifacts.ts). Its generalisation trials, pooled per
   * manipulation and level, become the human curves of this analysis.
   */
  humanResponses: z.string().max(200).optional(),
});

export const ReverseCorrelationConfig = z.object({
  enabled: z.boolean().default(true),
  identities: int('analyses.reverseCorrelation.identities', 1, 50).default(2),
  trials: int('analyses.reverseCorrelation.trials', 50, 50000).default(2000),
  /** Noise on the identity coefficients, in units of each component's standard deviation. */
  shapeNoiseSd: num('analyses.reverseCorrelation.shapeNoiseSd', 0, 3).default(0.5),
  textureNoiseSd: num('analyses.reverseCorrelation.textureNoiseSd', 0, 3).default(0.5),
  /** Permutations for the maximum-statistic family-wise error threshold (0 = no test). */
  permutations: int('analyses.reverseCorrelation.permutations', 0, 10000).default(1000),
  tfce: z.boolean().default(false),
  /**
   * Issue 15: how many of the first target identity's noise trials are also stored as images for
   * human sessions (human-rc/<i>.png; 0 = none), capped at `trials`.
   */
  humanStimuli: int('analyses.reverseCorrelation.humanStimuli', 0, 2000).default(300),
  /**
   * The noise basis of the maps (issue 12): 'bubbles' (default: smooth Gaussian bumps on the mesh),
   * 'coefficients' (the paper's noise on the identity coefficients; 'components' is its old name) or
   * 'vertex' (independent per-vertex noise, for oracles). Every map states its basis.
   */
  basis: z.enum(['bubbles', 'coefficients', 'components', 'vertex']).default('bubbles'),
  /**
   * coefficients basis: how the trials' coefficients are drawn (workers/analyses/noise.ts NoiseDesign):
   * 'orthogonal' (the components exactly uncorrelated in sample, so one component's effect on the
   * response does not leak into another's map; needs more trials than the model has components) or
   * 'independent' (independent Gaussian draws, the paper's noise). Absent (the default): orthogonal
   * where the trials allow it, else independent; each map's noise records which. Experiments and run
   * snapshots stored before the field existed were drawn independently and were given 'independent'
   * by drizzle/0007_noise_design.sql. The other bases ignore it.
   */
  design: z.enum(['orthogonal', 'independent']).optional(),
  /**
   * bubbles: bump width σ (mm) and density (bumps per σ² of surface); textureBandOctaves k, the
   * texture bands' bump widths σ_band = σ·2^(k·(nb−1−band)) (0.5 = the law before 2026-12-01: a
   * config that states it reproduces a run made then; experiments and run snapshots stored in the
   * database before the field existed were given 0.5 by drizzle/0006_bubbles_band_law.sql; a config
   * file without the field gets the current default); the noise sds of the local bases (bubbles and vertex): shape in mm along the
   * normal, texture in linear albedo per channel. Defaults from the measured recovery curve
   * (docs/oracles.md, issue 12, "Texture band widths").
   */
  bubbles: z.object({
    sigmaMm: num('analyses.reverseCorrelation.bubbles.sigmaMm', 0.5, 100).default(6),
    density: num('analyses.reverseCorrelation.bubbles.density', 0.05, 16).default(1),
    textureBandOctaves: num('analyses.reverseCorrelation.bubbles.textureBandOctaves', 0, 1).default(0),
    shapeSdMm: num('analyses.reverseCorrelation.bubbles.shapeSdMm', 0, 10).default(1),
    textureSd: num('analyses.reverseCorrelation.bubbles.textureSd', 0, 0.5).default(0.05),
  }).prefault({}),
});

export const HiddenLayersConfig = z.object({
  enabled: z.boolean().default(true),
  /** PCA dimensions kept per layer. */
  pcaComponents: int('analyses.hiddenLayers.pcaComponents', 1, 64).default(8),
  /**
   * Permutations of the hidden-layer and pose maps' max-statistic thresholds and of the layer
   * co-information's null (0 = no test). Each costs vertices × layers estimates (about 1 min per 50
   * on the default mesh on two loaded cores), hence a default below reverse correlation's.
   */
  permutations: int('analyses.hiddenLayers.permutations', 0, 1000).default(50),
});

export const PoseInvarianceConfig = z.object({
  enabled: z.boolean().default(true),
  posesYawDeg: z.array(num('analyses.poseInvariance.posesYawDeg[]', -90, 90)).min(2).max(9).default([-30, 0, 30]),
});

/**
 * Issue 15: attribution maps of the target logit (gradient × input, integrated gradients, occlusion)
 * on the first `trials` reverse-correlation stimuli of each target identity (capped at that step's
 * trials), carried onto the mesh (workers/analyses/attribution-maps.ts). integratedSteps: the path
 * integral's intervals; occlusion patch side and stride in pixels (stride ≤ patch ≤ render.sizePx).
 */
export const AttributionsConfig = z.object({
  enabled: z.boolean().default(true),
  trials: int('analyses.attributions.trials', 10, 2000).default(32),
  integratedSteps: int('analyses.attributions.integratedSteps', 1, 256).default(16),
  occlusion: z.object({
    patch: int('analyses.attributions.occlusion.patch', 1, 512).default(8),
    stride: int('analyses.attributions.occlusion.stride', 1, 512).default(4),
  }).prefault({}).refine((o) => o.stride <= o.patch, { message: 'analyses.attributions.occlusion.stride must be ≤ analyses.attributions.occlusion.patch (pixels)', path: ['stride'] }),
});

export const AnalysesConfig = z.object({
  generalisation: GeneralisationConfig.prefault({}),
  reverseCorrelation: ReverseCorrelationConfig.prefault({}),
  hiddenLayers: HiddenLayersConfig.prefault({}),
  poseInvariance: PoseInvarianceConfig.prefault({}),
  attributions: AttributionsConfig.prefault({}),
});

/** An experiment's configuration (validated on create, edit and launch). */
export const ExperimentConfig = z.object({
  name: textField('name', { min: 1, max: 120 }),
  description: textField('description', { max: 5000, multiline: true }).default(''),
  seed: z.number().int('seed must be an integer').min(0, 'seed must be ≥ 0').max(2 ** 31 - 1, 'seed must be < 2^31').default(1),
  faces: FacesConfig.prefault({}),
  render: RenderConfig.prefault({}),
  training: TrainingConfig.prefault({}),
  analyses: AnalysesConfig.prefault({}),
});
export type ExperimentConfig = z.infer<typeof ExperimentConfig>;
/** What a caller may give: every section and field optional (defaults fill the rest). */
export type ExperimentConfigInput = z.input<typeof ExperimentConfig>;

/**
 * Named starting points. 'demo': 64 px, width 0.5, 16 identities — minutes on two cores.
 * 'tiny': the smallest meaningful run (tests, smoke checks): seconds per stage.
 * 'paper': the scale of Xu et al. 2018 (needs GPUs).
 */
export const EXPERIMENT_PRESETS = {
  demo: {
    name: 'Demo: shape vs texture',
    description: 'A small run of the whole pipeline that finishes on a laptop CPU.',
    seed: 1,
    faces: { identities: 16 },
    render: { sizePx: 64, imagesPerIdentity: 60 },
    // measured on ict (2 cores): validation accuracy 91.7 % with 60 images per identity and 16 epochs
    // (2026-12-01, the current skin texture; 97.9 % with the earlier one, 78.1 % with 40 images and
    // 10 epochs); on the procedural model 93.8 % (seed 1) and 92.2 % (seed 2) with lr 0.05 and 10
    // epochs, ~45 s of training; epochs 4 at lr 0.01 reached 62.5 % / 79.7 % (issue 12)
    training: { width: 0.5, epochs: 16, batchSize: 32, learningRate: 0.05 },
    analyses: {
      generalisation: { identities: 4, posesYawDeg: [0] },
      // bubbles texture 0.015 albedo: the network names the identity in 53.8 % of the noisy trials
      // (ict, seed 1, band law k = 0); at 0.03 it did in 4.3 %, below chance (1/16), and its decision
      // map had no significant vertex (workers/analyses/README.md, the demo run)
      reverseCorrelation: { identities: 1, trials: 1000, permutations: 100, bubbles: { sigmaMm: 6, density: 1, shapeSdMm: 2, textureSd: 0.015 } },
      hiddenLayers: { pcaComponents: 4 },
      poseInvariance: { posesYawDeg: [-30, 0, 30] },
    },
  },
  tiny: {
    name: 'Tiny smoke run',
    seed: 1,
    // The tiny smoke run keeps the small procedural model: the ICT model's first build takes ~30 s.
    faces: { identities: 3, balanced: false, model: 'procedural' },
    render: { sizePx: 32, imagesPerIdentity: 4 },
    training: { width: 0.125, epochs: 1, batchSize: 8, augment: false },
    analyses: {
      generalisation: { identities: 2, levels: [0, 1], posesYawDeg: [0] },
      reverseCorrelation: { identities: 1, trials: 50, permutations: 10 },
      hiddenLayers: { pcaComponents: 2 },
      poseInvariance: { posesYawDeg: [-20, 20] },
      // cheap: 10 stimuli, 4 integration intervals, 8 px patches at stride 8 (16 occluded images per stimulus at 32 px)
      attributions: { trials: 10, integratedSteps: 4, occlusion: { patch: 8, stride: 8 } },
    },
  },
  paper: {
    name: 'Paper scale (Xu et al. 2018)',
    seed: 1,
    faces: { identities: 2000 },
    render: { sizePx: 224, imagesPerIdentity: 13000 },
    training: { width: 1, epochs: 20, batchSize: 32 },
  },
} satisfies Record<string, ExperimentConfigInput>;
export type ExperimentPresetName = keyof typeof EXPERIMENT_PRESETS;

/** A preset as a full configuration (defaults applied). */
export function experimentPreset(name: ExperimentPresetName): ExperimentConfig {
  return ExperimentConfig.parse(EXPERIMENT_PRESETS[name]);
}
