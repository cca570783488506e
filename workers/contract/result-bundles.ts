import { z } from 'zod';

/**
 * The analysis result formats that dashboards read (issue 6). Every analysis writes a *result
 * bundle*: a directory holding `summary.json` (one of the summaries below, validated by these
 * schemas) and binary arrays beside it. Every number about information is in **bits**
 * (Gaussian-copula mutual information, bias corrected).
 *
 * Binary arrays: little-endian, raw (no header), one file per array, described by an ArrayRef:
 *   file  name relative to the bundle directory (e.g. 'rc/id0/shape.logit.mi.f32');
 *   dtype 'float32' | 'uint8' | 'int32';
 *   shape dimensions, row-major, outermost first (e.g. [V] per vertex, [L][V] per layer and vertex);
 *   layout the axes by name, e.g. '[vertex]', '[trial][column]' (column names in `columns`);
 *   unit  'bits' for information, 'mm' for displacements, '' for counts, masks and indices.
 * A significance mask is uint8 [V] with 1 = significant at the family-wise error rate.
 *
 * Units and conventions: vertices are those of the face model the run used (its vertexCount V);
 * poses are yaw in degrees (positive = the face turns to its left); probabilities in [0, 1].
 */

export const ArrayRef = z.object({
  file: z.string().min(1),
  dtype: z.enum(['float32', 'uint8', 'int32']),
  shape: z.array(z.number().int().nonnegative()),
  layout: z.string(),
  unit: z.string().default(''),
  /** Column names for table-like arrays ([row][column]). */
  columns: z.array(z.string()).optional(),
});
export type ArrayRef = z.infer<typeof ArrayRef>;

/** How the family-wise error threshold of a map was obtained. */
export const SignificanceTest = z.object({
  method: z.enum(['max-statistic', 'tfce-max-statistic', 'none']),
  permutations: z.number().int().nonnegative(),
  /** Family-wise error rate. */
  alpha: z.number().min(0).max(1),
  /** The (1 − alpha) quantile of the permutation distribution of the maximum over vertices (bits, or TFCE units for tfce). */
  threshold: z.number(),
  seed: z.number().int(),
});
export type SignificanceTest = z.infer<typeof SignificanceTest>;

/**
 * One per-vertex information map: I(feature_v; response) for every vertex v.
 * feature: 'shape' = the vertex's 3D displacement (mm); 'texture' = its albedo change (linear RGB,
 * all bands); 'texture:<band>' = the albedo change from one spatial-frequency band only.
 * response: 'logit' = the target identity's logit (continuous); 'decision' = correct (1) or not (0).
 */
export const InformationMapSummary = z.object({
  name: z.string(),
  feature: z.string(),
  response: z.enum(['logit', 'decision', 'oracle']),
  test: SignificanceTest,
  /** Largest MI over vertices (bits) and where. */
  maxBits: z.number(),
  peakVertex: z.number().int(),
  /** Number of significant vertices. */
  significant: z.number().int().nonnegative(),
  /** mi: float32 [V] bits; significant: uint8 [V]; tfce: float32 [V] TFCE scores when the test is TFCE. */
  arrays: z.object({ mi: ArrayRef, significant: ArrayRef, tfce: ArrayRef.optional() }),
  /** Vertices below 0 bits, the smallest value and why (NEGATIVE_MI_NOTE); the mi array keeps them as estimated. */
  negative: z.object({ count: z.number().int().nonnegative(), minBits: z.number(), note: z.string() }).optional(),
  /** Significant vertices inside the face model's `face` region (not scalp, neck or ears) and their share of all significant vertices (null when none is significant). */
  onFace: z.object({ significant: z.number().int().nonnegative(), share: z.number().min(0).max(1).nullable() }).optional(),
  /**
   * float32 [V]: the FWER-corrected permutation p-value of each vertex, (1 + #{null maxima ≥ its
   * statistic}) / (1 + permutations); NaN where no noise moves the vertex or without permutations.
   * Absent in bundles written before issue 14.
   */
  pValues: ArrayRef.optional(),
  /**
   * What each vertex's information is about (workers/analyses/vertex-summary.ts): the trials cut into
   * `bins` equal-count bins of the vertex's scalar feature (featureLabel says which, with units);
   * featureMean float32 [V][B] (feature units), count int32 [V][B], responseMean float32 [V][B] (the
   * map's response, responseLabel). NaN / 0 for vertices no noise moves. Absent in older bundles.
   */
  responseBins: z.object({
    bins: z.number().int().min(2),
    featureLabel: z.string(),
    responseLabel: z.string(),
    featureMean: ArrayRef,
    count: ArrayRef,
    responseMean: ArrayRef,
  }).optional(),
});
export type InformationMapSummary = z.infer<typeof InformationMapSummary>;

/** Where the stimuli of an analysis were rendered: image side in px and the pose in degrees. */
export const ViewSummary = z.object({
  sizePx: z.number().int(),
  yawDeg: z.number(),
  pitchDeg: z.number().default(0),
});

// ---- 1. Generalisation testing ----------------------------------------------------------------

/**
 * manipulation:
 *  'shape-scale'   the identity's shape deviation from its demographic norm × level (texture kept);
 *  'texture-scale' the texture deviation × level (shape kept);
 *  'shape-morph'   shape morphed towards another learned identity by level (0 = self, 1 = other);
 *  'texture-morph' the same for texture.
 */
export const Manipulation = z.enum(['shape-scale', 'texture-scale', 'shape-morph', 'texture-morph']);
export type Manipulation = z.infer<typeof Manipulation>;

/** A mean with its percentile-bootstrap 95 % interval over identities (n of them). */
export const Interval = z.object({ mean: z.number().nullable(), lo: z.number().nullable(), hi: z.number().nullable(), n: z.number().int() });
const LevelSummary = z.object({ levels: z.array(z.number()), probability: Interval });

export const GeneralisationCurve = z.object({
  manipulation: Manipulation,
  levels: z.array(z.number()),
  /** Mean over identities and poses of P(original identity), one per level. */
  probability: z.array(z.number()),
  /** Top-1 accuracy (fraction of images classified as the original identity), one per level. */
  accuracy: z.array(z.number()),
  /** Area under the probability curve over the levels (trapezoid, in probability × level units). */
  auc: z.number(),
  /** First level (linear interpolation) at which the probability falls below 0.5 going away from level 1; null if never. */
  levelBelowHalf: z.number().nullable(),
  /** Human responses for the same stimuli (from the CSV), one per level, when given. */
  human: z.object({ probability: z.array(z.number().nullable()), accuracy: z.array(z.number().nullable()) }).optional(),
  /** Morph curves: mean P(morph target) per level. */
  targetProbability: z.array(z.number()).optional(),
  /**
   * Mean P(original) with a bootstrap 95 % interval over identities, per group of levels, never mixed:
   * scale curves: antiCaricature (levels < 1) and caricature (levels > 1); morph curves: towardsTarget (levels > 0).
   */
  antiCaricature: LevelSummary.nullable().optional(),
  caricature: LevelSummary.nullable().optional(),
  towardsTarget: LevelSummary.nullable().optional(),
});
export type GeneralisationCurve = z.infer<typeof GeneralisationCurve>;

export const GeneralisationSummary = z.object({
  kind: z.literal('generalisation'),
  identities: z.array(z.number().int()),
  posesYawDeg: z.array(z.number()),
  sizePx: z.number().int(),
  curves: z.array(GeneralisationCurve),
  /**
   * Per stimulus, concatenated curve by curve (the order of `curves`; scale and morph curves have
   * different level counts): curve c holds identities.length × posesYawDeg.length × curves[c].levels.length
   * values laid out [identity][pose][level]. probability: float32 P(original identity);
   * correct: uint8, 1 = top-1 is the original identity.
   */
  arrays: z.object({ probability: ArrayRef, correct: ArrayRef, targetProbability: ArrayRef.optional() }),
  /** Morph target (learned identity) of each tested identity, drawn within its demographic group ('group'), else same gender, else any. */
  morphTargets: z.array(z.number().int()).optional(),
  morphScopes: z.array(z.enum(['group', 'gender', 'any'])).optional(),
  /**
   * Shape-minus-texture asymmetry: per identity, mean P(original) over the anti-caricature shape-scale
   * levels minus the same for texture-scale; network, baseline observer, and network − baseline
   * (paired per identity), each with its bootstrap 95 % interval.
   */
  asymmetry: z.object({ network: Interval, baseline: Interval.nullable(), networkMinusBaseline: Interval.nullable() }).optional(),
  /** The baseline observer (pixel PCA + linear classifier) through the same test. */
  baseline: z.object({ describe: z.record(z.string(), z.unknown()), curves: z.array(GeneralisationCurve) }).optional(),
});
export type GeneralisationSummary = z.infer<typeof GeneralisationSummary>;

// ---- 2. Reverse correlation -------------------------------------------------------------------

export const ReverseCorrelationSummary = z.object({
  kind: z.literal('reverse-correlation'),
  /** Index of the target identity among the learned identities (its class). */
  identity: z.number().int(),
  trials: z.number().int(),
  view: ViewSummary,
  /** Noise sd on the coefficients, in units of each component's sd. */
  noise: z.object({
    shapeSd: z.number(), textureSd: z.number(), seed: z.number().int(), basis: z.enum(['coefficients', 'components', 'bubbles', 'vertex']),
    /** coefficients basis: the draw's design (workers/analyses/noise.ts NoiseDesign; absent in bundles written before it existed: independent). */
    design: z.enum(['orthogonal', 'independent']).optional(),
  }),
  /** Fraction of trials classified as the target. */
  accuracy: z.number(),
  maps: z.array(InformationMapSummary),
  notes: z.array(z.string()).default([]),
  /**
   * Per-component MI (bits) between each noise coefficient and each response:
   * float32 [response][component], responses in `responses`, shape components then texture components.
   */
  componentMi: z.object({ responses: z.array(z.string()), shapeComponents: z.number().int(), textureComponents: z.number().int(), array: ArrayRef }),
  /** float32 [trial][column], columns: logit, probability, decision (1 correct / 0), predicted class. */
  trialTable: ArrayRef,
  /** Issue 15: attribution maps of the target logit on the first of these trials (absent in older bundles or when disabled). */
  attributions: z.lazy(() => MeshAttributionsSummary).optional(),
});
export type ReverseCorrelationSummary = z.infer<typeof ReverseCorrelationSummary>;

/** Agreement of two per-vertex maps (analyses/map-agreement.ts); null where undefined (constant map). */
export const AttributionAgreement = z.object({
  /** The information map compared (its name in `maps`, e.g. 'texture.logit'). */
  map: z.string(),
  vertices: z.number().int().nonnegative(),
  pearson: z.number().nullable(),
  spearman: z.number().nullable(),
  /** Dice of the top `topFraction` vertices of |attribution| and of the information (bits). */
  topFraction: z.number(),
  diceTop: z.number().nullable(),
});

/**
 * Attribution maps on the mesh (workers/analyses/attribution-maps.ts): per method, float32 [V] the
 * trial-averaged signed attribution of the target logit and its magnitude |A| (NaN = never
 * visible), in logit units: the gradient (logit per unit input intensity) times the input (or
 * the input minus the baseline, for integrated gradients), summed over RGB; occlusion is the drop
 * of the logit when a patch covering the pixel is set to the baseline. A vertex's value is the
 * barycentric-weighted mean of the pixels it covers, averaged over trials.
 */
export const MeshAttributionsSummary = z.object({
  /** The explained class: the target identity's pre-softmax logit. */
  target: z.number().int().nonnegative(),
  /** The first `trials` reverse-correlation stimuli (same noise draw). */
  trials: z.number().int().positive(),
  unit: z.string(),
  options: z.object({
    baseline: z.enum(['black', 'mean']), integratedSteps: z.number().int(), integratedRule: z.string(),
    occlusionPatch: z.number().int(), occlusionStride: z.number().int(), sizePx: z.number().int(),
  }),
  /** Integrated gradients: relative completeness error |Σ A − (f(x) − f(x'))| / |f(x) − f(x')| over trials. */
  completeness: z.object({ mean: z.number().nullable(), max: z.number().nullable() }).nullable(),
  maps: z.array(z.object({
    name: z.string(),
    method: z.enum(['gradient-x-input', 'integrated-gradients', 'occlusion']),
    /** Human-readable method with its reference and settings. */
    label: z.string(),
    visibleVertices: z.number().int().nonnegative(),
    /** Largest |A| over vertices (logit units). */
    maxAbs: z.number().nullable(),
    arrays: z.object({ values: ArrayRef, magnitude: ArrayRef, weight: ArrayRef }),
    /** |A| against each logit information map of the same trials (shape, texture). */
    agreement: z.array(AttributionAgreement),
  })),
});
export type MeshAttributionsSummary = z.infer<typeof MeshAttributionsSummary>;

// ---- 3. Hidden layers -------------------------------------------------------------------------

const LayerFeatureStats = z.object({
  meanBits: z.number().nullable(),
  maxBits: z.number().nullable(),
  meanCoinfoBits: z.number().nullable(),
  minCoinfoBits: z.number().nullable(),
  /** Max over vertices of the co-information (most redundant vertex, bits; absent: older bundles). */
  maxCoinfoBits: z.number().nullable().optional(),
  /** Max-statistic FWER threshold (bits) of the I(feature_v; layer) map and its significant vertices (absent: older bundles). */
  thresholdBits: z.number().nullable().optional(),
  significantVertices: z.number().int().optional(),
  /**
   * Co-information I(F; L) − I(F; L | D) of the layer and the decision about the diagnostic vertices
   * (mean over them, bits; > 0 redundancy, < 0 synergy), with its permutation p-value (D shuffled).
   */
  coinfo: z.object({
    bits: z.number().nullable(),
    kind: z.enum(['redundancy', 'synergy']).nullable(),
    p: z.number().nullable(),
    significant: z.boolean(),
    vertices: z.number().int(),
    source: z.enum(['reverse-correlation', 'top-decision-mi']),
  }).nullable().optional(),
});

export const LayerInformation = z.object({
  layer: z.string(),
  /** Depth index, 0 = shallowest. */
  depth: z.number().int(),
  /** Components kept: at most the requested k, fewer when the layer spans fewer dimensions (0: the layer does not vary). */
  pcaComponents: z.number().int(),
  /** Fraction of the layer's variance (after spatial pooling) the kept components explain. */
  explainedVariance: z.number(),
  /** I(layer; decision) and I(layer; logit), bits (null: constant decision, or a layer that determines the response so the information is unbounded at this many trials). */
  decisionBits: z.number().nullable(),
  logitBits: z.number().nullable(),
  /**
   * Over vertices: mean and max of I(feature_v; layer), mean and min (most redundant) of the
   * co-information with the decision, bits; null when the feature had no noise or the decision was constant.
   */
  shape: LayerFeatureStats,
  texture: LayerFeatureStats,
});
export type LayerInformation = z.infer<typeof LayerInformation>;

export const HiddenLayersSummary = z.object({
  kind: z.literal('hidden-layers'),
  identity: z.number().int(),
  trials: z.number().int(),
  view: ViewSummary,
  /** Shallow to deep: the information-versus-depth curves read these in order. */
  layers: z.array(LayerInformation),
  /**
   * float32 [layer][vertex] (layers in the order above):
   *  shapeMi / textureMi: I(feature_v; layer PCA) bits;
   *  shapeCoinfo / textureCoinfo: co-information I(feature_v; layer) − I(feature_v; layer | decision) bits
   *  (positive = redundancy: what the layer holds about the feature that the decision also uses;
   *  negative = synergy). NaN = vertex not analysed.
   *  shapeSignificant / textureSignificant: uint8 [layer][vertex], 1 = I(feature_v; layer) above the FWER threshold.
   * An array is absent when its feature had no noise (or, for co-information, the decision was constant).
   */
  arrays: z.object({
    shapeMi: ArrayRef.optional(), textureMi: ArrayRef.optional(), shapeCoinfo: ArrayRef.optional(), textureCoinfo: ArrayRef.optional(),
    shapeSignificant: ArrayRef.optional(), textureSignificant: ArrayRef.optional(),
  }),
  notes: z.array(z.string()).default([]),
});
export type HiddenLayersSummary = z.infer<typeof HiddenLayersSummary>;

// ---- 4. Pose invariance -----------------------------------------------------------------------

export const LayerInvariance = z.object({
  layer: z.string(),
  depth: z.number().int(),
  /**
   * Means over vertices (bits): conditionalBits = I(feature; layer | pose) (gccmi_ccd), pooledBits =
   * the MI of the within-pose copula-normalised data pooled over poses.
   */
  pooledBits: z.number().nullable(),
  conditionalBits: z.number().nullable(),
  /** pooled / conditional: 1 = the layer encodes the feature the same way at every pose, → 0 = pose-specific codes. */
  invarianceIndex: z.number().nullable(),
  /** Mean over pairs of poses of the Dice overlap of the per-pose significant vertex sets (Bonferroni, χ² approximation). */
  dice: z.number().nullable(),
  /** Max-statistic FWER threshold (bits) of the conditional-MI map and its significant vertices (absent: older bundles). */
  conditionalThresholdBits: z.number().nullable().optional(),
  conditionalSignificantVertices: z.number().int().optional(),
});

export const PoseInvarianceSummary = z.object({
  kind: z.literal('pose-invariance'),
  identity: z.number().int(),
  trialsPerPose: z.number().int(),
  posesYawDeg: z.array(z.number()),
  /** The per-pose MI (bits) above which a vertex counts as significant for the Dice overlap. */
  thresholdBits: z.number(),
  /** Accuracy of the network on the noisy trials at each pose. */
  accuracyPerPose: z.array(z.number()),
  /** Vertices analysed: those significant in reverse correlation ('given' by the battery, or this analysis's own logit map). */
  analysedVertices: z.number().int().optional(),
  selection: z.enum(['given', 'logit-map']).optional(),
  features: z.array(z.object({
    feature: z.enum(['shape', 'texture']),
    layers: z.array(LayerInvariance),
    /**
     * float32 [layer][vertex]: pooledMi, conditionalMi (bits, NaN = not analysed);
     * perPoseMi float32 [layer][pose][vertex] bits; selected uint8 [layer][pose][vertex] (1 = significant at that pose).
     */
    arrays: z.object({ pooledMi: ArrayRef, conditionalMi: ArrayRef, perPoseMi: ArrayRef, selected: ArrayRef, conditionalSignificant: ArrayRef.optional() }),
  })),
});
export type PoseInvarianceSummary = z.infer<typeof PoseInvarianceSummary>;

// ---- The battery ------------------------------------------------------------------------------

export const StageTiming = z.object({ stage: z.string(), seconds: z.number() });
export type StageTiming = z.infer<typeof StageTiming>;

/**
 * A battery bundle: summary.json = BatterySummary; each analysis's summary inline (its arrays'
 * files are relative to the bundle directory too).
 */
export const BatterySummary = z.object({
  kind: z.literal('battery'),
  /** The network as the nn engine describes it (backend, input size, classes, weights). */
  network: z.record(z.string(), z.unknown()),
  faceModel: z.object({ name: z.string(), vertexCount: z.number().int() }),
  stages: z.array(StageTiming),
  generalisation: GeneralisationSummary.optional(),
  reverseCorrelation: z.array(ReverseCorrelationSummary).default([]),
  hiddenLayers: z.array(HiddenLayersSummary).default([]),
  poseInvariance: z.array(PoseInvarianceSummary).default([]),
});
export type BatterySummary = z.infer<typeof BatterySummary>;

/**
 * Why information maps have values below 0 bits (issue 12): bundles state it beside every map
 * (InformationMapSummary.negative); app/components/viewer/exports.ts has the same text (the app
 * imports the contract by type only; a test checks they are equal).
 */
export const NEGATIVE_MI_NOTE =
  'Values below 0 bits are bias-corrected Gaussian-copula estimates (Ince et al. 2017): the estimator subtracts its expected upward bias, ' +
  'so a vertex that carries no information scatters around 0, half of the time below it. A negative value means "no detectable information", ' +
  'not negative information; values are exported as estimated, never clamped to 0.';

