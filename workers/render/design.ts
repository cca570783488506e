/**
 * Stimulus designs: for each identity, M images whose extrinsic factors (pose, light, scale,
 * translation, background, expressions) are drawn from declared ranges (uniform), enumerated
 * (grid) or fixed. Image m of identity i is fully determined by (model, design, seed, i, m):
 * uniform draws come from a generator seeded with hash(seed, i, m), grid values from m's digits.
 */
import { z } from 'zod';
import type { FaceModel } from '../faces/model';
import { EMOTIONS, type Emotion, type Identity, applyExpression, emotionWeights } from '../faces';
import { createRng, hashInts } from '../faces';
import type { RenderOptionsInput } from './options';

export const factorSpecSchema = z.union([
  z.number(),
  z.object({ kind: z.literal('uniform'), min: z.number(), max: z.number() }).refine((f) => f.min <= f.max, { message: 'min must be ≤ max' }),
  z.object({ kind: z.literal('grid'), values: z.array(z.number()).min(1) }),
]);
export type FactorSpec = z.infer<typeof factorSpecSchema>;

/** The numeric extrinsic factors a design can vary, with their allowed ranges (render options). */
export const FACTOR_RANGES = {
  yaw: [-90, 90], pitch: [-90, 90], roll: [-180, 180],
  lightAzimuth: [-180, 180], lightElevation: [-90, 90], lightIntensity: [0, 4], ambient: [0, 4],
  scale: [0.1, 5], translateX: [-1, 1], translateY: [-1, 1],
} as const;
export type FactorName = keyof typeof FACTOR_RANGES;
export const FACTOR_NAMES = Object.keys(FACTOR_RANGES) as FactorName[];

export const stimulusDesignSchema = z.object({
  size: z.number().int().min(8).max(256).default(64),
  ssaa: z.number().int().min(1).max(4).default(1),
  imagesPerIdentity: z.number().int().min(1).max(100_000),
  factors: z.object(Object.fromEntries(FACTOR_NAMES.map((n) => [n, factorSpecSchema.optional()])) as Record<FactorName, z.ZodOptional<typeof factorSpecSchema>>).default({}),
  /** Background: flat grey/colour, or noise whose seed is derived per image. */
  background: z.union([
    z.object({ kind: z.literal('flat'), color: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1)]) }),
    z.object({ kind: z.literal('noise'), mean: z.number().min(0).max(1), amplitude: z.number().min(0).max(1) }),
  ]).default({ kind: 'flat', color: [0.5, 0.5, 0.5] }),
  /** Expression weights by name (model.expressionNames), each a factor spec in [−1, 2]. */
  expressions: z.record(z.string(), factorSpecSchema).default({}),
  /**
   * Emotion as a stimulus factor: each image draws one of `emotions` (uniformly, seeded) at an
   * intensity from `intensity` (a factor spec in [0, 1]); its action-unit weights are set first,
   * then `expressions` set individual weights. Absent: no emotion (designs from before stay byte-identical).
   */
  emotion: z.object({ emotions: z.array(z.enum(EMOTIONS)).min(1), intensity: factorSpecSchema }).optional(),
});
export type StimulusDesign = z.infer<typeof stimulusDesignSchema>;
export type StimulusDesignInput = z.input<typeof stimulusDesignSchema>;

/** Validates a design (and, given a model, its expression names); errors name the field and the range. */
export function parseStimulusDesign(input: StimulusDesignInput, model?: FaceModel): StimulusDesign {
  const r = stimulusDesignSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`stimulus design field '${i.path.join('.')}': ${i.message}`);
  }
  const d = r.data;
  const check = (name: string, spec: FactorSpec, lo: number, hi: number) => {
    const vals = typeof spec === 'number' ? [spec] : spec.kind === 'uniform' ? [spec.min, spec.max] : spec.values;
    for (const v of vals) if (!(v >= lo && v <= hi)) throw new Error(`stimulus design field '${name}': value ${v} outside the allowed range [${lo}, ${hi}]`);
  };
  for (const n of FACTOR_NAMES) {
    const spec = d.factors[n];
    if (spec !== undefined) check(`factors.${n}`, spec, FACTOR_RANGES[n][0], FACTOR_RANGES[n][1]);
  }
  for (const [name, spec] of Object.entries(d.expressions)) {
    if (model && !model.expressionNames.includes(name)) throw new Error(`stimulus design field 'expressions.${name}': no such expression (model has ${model.expressionNames.join(', ')})`);
    check(`expressions.${name}`, spec, -1, 2);
  }
  if (d.emotion) {
    check('emotion.intensity', d.emotion.intensity, 0, 1);
    if (model) for (const e of d.emotion.emotions) emotionWeights(model.expressionNames, e, 1);
  }
  return d;
}

/** Every factor value of one image: the numeric render factors, expression weights, background seed. */
export interface StimulusFactors extends Record<FactorName, number> {
  expressions: Record<string, number>;
  backgroundSeed: number;
  /** The image's emotion and intensity (design.emotion), or null. */
  emotion: { name: Emotion; intensity: number } | null;
}

const DEFAULTS: Record<FactorName, number> = {
  yaw: 0, pitch: 0, roll: 0, lightAzimuth: 20, lightElevation: 25, lightIntensity: 0.85, ambient: 0.35, scale: 1, translateX: 0, translateY: 0,
};

/** The factors of image `m` of identity `i`. */
export function stimulusFactors(design: StimulusDesign, seed: number, identityIndex: number, imageIndex: number): StimulusFactors {
  const rng = createRng(hashInts(seed, identityIndex, imageIndex, 0x57));
  // Grid factors enumerate in mixed radix over the image index (first-declared varies fastest).
  let digits = imageIndex;
  const value = (spec: FactorSpec | undefined, fallback: number): number => {
    if (spec === undefined) return fallback;
    if (typeof spec === 'number') return spec;
    if (spec.kind === 'uniform') return spec.min + (spec.max - spec.min) * rng();
    const v = spec.values[digits % spec.values.length];
    digits = Math.floor(digits / spec.values.length);
    return v;
  };
  const out = {} as StimulusFactors;
  for (const n of FACTOR_NAMES) out[n] = value(design.factors[n], DEFAULTS[n]);
  out.expressions = {};
  for (const [name, spec] of Object.entries(design.expressions)) out.expressions[name] = value(spec, 0);
  out.backgroundSeed = hashInts(seed, identityIndex, imageIndex, 0xb9) & 0x7fffffff;
  out.emotion = null;
  if (design.emotion) {
    // Drawn last, so designs without an emotion keep every other value.
    const list = design.emotion.emotions;
    const name = list[Math.min(list.length - 1, Math.floor(rng() * list.length))];
    out.emotion = { name, intensity: value(design.emotion.intensity, 0) };
  }
  return out;
}

/** Render options for a factor set. */
export function factorsToRenderOptions(design: StimulusDesign, f: StimulusFactors): RenderOptionsInput {
  const { expressions: _e, backgroundSeed, emotion: _m, ...numeric } = f;
  const background = design.background.kind === 'flat'
    ? design.background
    : { kind: 'noise' as const, mean: design.background.mean, amplitude: design.background.amplitude, seed: backgroundSeed };
  return { ...numeric, size: design.size, ssaa: design.ssaa, background };
}

/** The identity with the image's expression weights applied (the same object when there are none). */
export function withExpressions(model: FaceModel, id: Identity, f: StimulusFactors): Identity {
  let out = id;
  if (f.emotion) out = { ...id, expression: emotionWeights(model.expressionNames, f.emotion.name, f.emotion.intensity) };
  for (const [name, w] of Object.entries(f.expressions)) out = applyExpression(model, out, name, w);
  return out;
}
