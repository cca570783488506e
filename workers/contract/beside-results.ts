import { z } from 'zod';
import { ArrayRef, Manipulation } from './result-bundles';

/**
 * Result bundles of the analyses beside the network (issue 15): gradient attributions on the mesh
 * (`analyse attributions`) and the human-observer analyses (`analyse humans`). Same conventions as
 * results.ts: summary.json plus raw little-endian arrays; NaN/∞ are written as null; per-vertex
 * arrays are [V] of the run's face model; information in bits.
 */

const num = z.number().nullable();

/** Agreement of two per-vertex maps (analyses/map-agreement.ts). */
export const MapAgreementSummary = z.object({
  vertices: z.number().int().nonnegative(),
  pearson: num,
  spearman: num,
  topFraction: z.number(),
  diceTop: num,
  diceSignificant: num,
});

export const ATTRIBUTION_METHOD_NAMES = ['gradient-x-input', 'integrated-gradients', 'occlusion'] as const;

export const AttributionSummary = z.object({
  kind: z.literal('attributions'),
  /** The explained class (the identity's index): its pre-softmax logit. */
  identity: z.number().int().nonnegative(),
  target: z.number().int().nonnegative(),
  backend: z.unknown(),
  /** meshAttributions options: stimuli (trials, basis, sds, seed, yawDeg, sizePx) and method settings. */
  options: z.object({
    methods: z.array(z.enum(ATTRIBUTION_METHOD_NAMES)),
    trials: z.number().int(),
    basis: z.enum(['components', 'vertex']),
    sizePx: z.number().int(),
    baseline: z.enum(['black', 'mean']),
    igSteps: z.number().int(),
    igRule: z.enum(['trapezoid', 'riemann-right']),
    occlusionPatch: z.number().int(),
    occlusionStride: z.number().int(),
  }).passthrough(),
  /** Integrated gradients' relative completeness error over trials. */
  completeness: z.object({ mean: num, max: num }).nullable(),
  meanLogit: num,
  maps: z.array(z.object({
    method: z.enum(ATTRIBUTION_METHOD_NAMES),
    /** float32 [V] trial-averaged attribution (logit units, NaN = unseen); [V] barycentric weight; [S][S] mean pixel map. */
    values: ArrayRef,
    weight: ArrayRef,
    pixelMean: ArrayRef,
    visibleVertices: z.number().int().nonnegative(),
    /** Agreement of |attribution| with the information map given to --compare. */
    agreement: MapAgreementSummary.nullable(),
  })),
});
export type AttributionSummary = z.infer<typeof AttributionSummary>;

export const PrevalenceSummary = z.object({
  k: z.number().int().nonnegative(),
  n: z.number().int().positive(),
  alpha: z.number(),
  beta: z.number(),
  credibility: z.number(),
  map: z.number(),
  hpdi: z.tuple([z.number(), z.number()]),
  lowerBound: z.number(),
  posteriorMean: z.number(),
});

const HumanCurveSummary = z.object({
  manipulation: Manipulation,
  levels: z.array(z.number()),
  proportion: z.array(num),
  trials: z.array(z.number().int()),
  auc: num,
  levelBelowHalf: num,
});

const PooledCurveSummary = z.object({
  manipulation: Manipulation,
  levels: z.array(z.number()),
  mean: z.array(num),
  lower: z.array(num),
  upper: z.array(num),
  participants: z.array(z.number().int()),
  auc: num,
  aucInterval: z.tuple([num, num]),
  levelBelowHalf: num,
});

export const HumanSummary = z.object({
  kind: z.literal('humans'),
  source: z.string(),
  rows: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  attention: z.array(z.object({ participant: z.string(), checks: z.number().int(), passed: z.number().int(), passRate: num, flagged: z.boolean() })),
  included: z.array(z.string()),
  generalisation: z.object({
    perParticipant: z.array(z.object({ participant: z.string(), flagged: z.boolean(), curves: z.array(HumanCurveSummary) })),
    pooled: z.array(PooledCurveSummary),
    included: z.array(z.string()),
    bootstrap: z.object({ resamples: z.number().int(), seed: z.number().int(), level: z.number() }),
  }).nullable(),
  /** Pooled human curves beside the network's top-1 accuracy (analyses/human/beside.ts), when a network summary was given. */
  curvesBesideNetwork: z.array(z.object({
    manipulation: Manipulation,
    levels: z.array(z.number()),
    human: z.array(num), humanLower: z.array(num), humanUpper: z.array(num),
    networkAccuracy: z.array(z.number()), networkProbability: z.array(z.number()),
    pearson: num, rmse: num, networkInsideHumanInterval: z.number().int(),
  })).nullable(),
  reverseCorrelation: z.object({
    options: z.object({ feature: z.enum(['shape', 'texture']), response: z.enum(['decision', 'rating']), permutations: z.number().int(), alpha: z.number(), seed: z.number().int() }).passthrough(),
    noise: z.enum(['components', 'coefficients', 'vertex', 'bubbles']),
    notes: z.array(z.string()),
    participants: z.array(z.object({
      participant: z.string(), flagged: z.boolean(), trials: z.number().int(), significant: z.boolean(),
      significantVertices: z.number().int().nullable(), thresholdBits: num,
      /** float32 [V] bits and uint8 [V] significance at the FWER; null when the response did not vary. */
      mi: ArrayRef.nullable(), mask: ArrayRef.nullable(),
    })),
    pooled: z.object({
      trials: z.number().int(), participants: z.array(z.string()), thresholdBits: num, significantVertices: z.number().int().nullable(),
      mi: ArrayRef.nullable(), mask: ArrayRef.nullable(),
    }),
    prevalence: PrevalenceSummary.nullable(),
    /** The pooled human map against the network's map given to --compare. */
    network: MapAgreementSummary.nullable(),
    /** int32 [V] participants significant per vertex; float32 [V] MAP prevalence and its 95 % lower bound. */
    vertexPrevalence: z.object({ k: ArrayRef, map: ArrayRef, lowerBound: ArrayRef }).nullable(),
  }).nullable(),
});
export type HumanSummary = z.infer<typeof HumanSummary>;

/** A summary as JSON will hold it (NaN and ±∞ as null), for validation before it is written. */
export function jsonSafe<T>(summary: T): unknown {
  return JSON.parse(JSON.stringify(summary, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
