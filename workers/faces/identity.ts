/**
 * Identities: coefficient vectors in a FaceModel's spaces, their seeded sampling over a balanced
 * demographic design, the manipulations of the analyses, and the geometry/albedo they produce.
 *
 * An identity's face = demographic norm + identity deviation (+ expression):
 *   positions = mean + Σ_j d_j shapeDemo_j + Σ_k shape_k · shapeSd_k · shapeBasis_k + Σ_e w_e expressionShape_e
 *   albedo    = albedoMean + Σ_j d_j textureDemo_j + Σ_k texture_k · textureSd_k · textureBasis_k (+ expression albedo), clamped to [0, 1]
 * with d = (gender, (age − ageReference)/agePerUnit, ethnicity weights...). Coefficients are in
 * standard deviations (~N(0, 1) for a typical face).
 */
import type { FaceModel } from './model';
import { type Rng, createRng, gaussian, hashInts } from './seeded-rng';

export interface Demographics {
  /** −1 = female norm, +1 = male norm (continuous). */
  gender: number;
  /** Years. */
  age: number;
  /** Weight per ethnicity group (model.demographics.ethnicityGroups order), summing to 1. */
  ethnicity: number[];
}

export interface Identity {
  /** Index of the identity in its design (the class label of datasets). */
  index: number;
  demographics: Demographics;
  /** Shape coefficients in sd, [Ks]. */
  shape: Float32Array;
  /** Texture coefficients in sd, [Kt]; band of each: model.textureBand. */
  texture: Float32Array;
  /** Expression weights [Ke] (0 = neutral, 1 = full). */
  expression: Float32Array;
}

export interface IdentityDesignOptions {
  count: number;
  seed: number;
  /** Age bins in years, [lo, hi) each; default three bins over the model's age range. */
  ageBins?: [number, number][];
  /** Scale of the coefficient draws (1 = the model's sd). */
  coefficientScale?: number;
}

function checkInt(name: string, v: number, lo: number, hi: number) {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${name} must be an integer in [${lo}, ${hi}], got ${v}`);
}

/** The demographic value vector d of a Demographics (see the file comment). */
export function demographicVector(model: FaceModel, d: Demographics): Float64Array {
  const spec = model.demographics;
  const groups = spec.ethnicityGroups.length;
  if (d.ethnicity.length !== groups) throw new Error(`demographics.ethnicity has ${d.ethnicity.length} weights, the model has ${groups} groups (${spec.ethnicityGroups.join(', ')})`);
  const out = new Float64Array(spec.names.length);
  out[spec.names.indexOf('gender')] = d.gender;
  out[spec.names.indexOf('age')] = (d.age - spec.ageReference) / spec.agePerUnit;
  spec.ethnicityGroups.forEach((g, i) => { out[spec.names.indexOf(`ethnicity:${g}`)] = d.ethnicity[i]; });
  return out;
}

/** One identity with N(0, scale²) coefficients and the given demographics, from a seed. */
export function sampleIdentity(model: FaceModel, index: number, demographics: Demographics, rng: Rng, scale = 1): Identity {
  const shape = new Float32Array(model.shapeSd.length);
  const texture = new Float32Array(model.textureSd.length);
  for (let k = 0; k < shape.length; k++) shape[k] = scale * gaussian(rng);
  for (let k = 0; k < texture.length; k++) texture[k] = scale * gaussian(rng);
  return { index, demographics, shape, texture, expression: new Float32Array(model.expressionNames.length) };
}

/**
 * N identities balanced over gender × ethnicity × age bins: cell i mod (cells) in a seeded random
 * order of cells, so that any prefix of the list is as balanced as possible. Identity i depends
 * only on (seed, i) and the design, so designs of different N share their first identities.
 */
export function sampleIdentities(model: FaceModel, opts: IdentityDesignOptions): Identity[] {
  checkInt('count', opts.count, 1, 1_000_000);
  if (!Number.isInteger(opts.seed)) throw new Error(`seed must be an integer, got ${opts.seed}`);
  const spec = model.demographics;
  const [amin, amax] = spec.ageRange;
  const ageBins = opts.ageBins ?? [0, 1, 2].map((b) => [amin + ((amax - amin) * b) / 3, amin + ((amax - amin) * (b + 1)) / 3] as [number, number]);
  for (const [lo, hi] of ageBins) if (!(lo < hi && lo >= amin && hi <= amax)) throw new Error(`ageBins: [${lo}, ${hi}) must be a non-empty bin inside the model's age range [${amin}, ${amax}]`);
  const G = spec.ethnicityGroups.length;
  const cells: { gender: number; group: number; bin: number }[] = [];
  for (const gender of [-1, 1]) for (let group = 0; group < G; group++) for (let bin = 0; bin < ageBins.length; bin++) cells.push({ gender, group, bin });
  // A seeded shuffle of the cells, so the first few identities are not all of one kind.
  const order = cells.map((_, i) => i);
  const shuffle = createRng(hashInts(opts.seed, 0xce11));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const out: Identity[] = [];
  for (let i = 0; i < opts.count; i++) {
    const cell = cells[order[i % cells.length]];
    const rng = createRng(hashInts(opts.seed, i));
    const [lo, hi] = ageBins[cell.bin];
    const ethnicity = Array.from({ length: G }, (_, g) => (g === cell.group ? 1 : 0));
    const demographics = { gender: cell.gender, age: lo + (hi - lo) * rng(), ethnicity };
    out.push(sampleIdentity(model, i, demographics, rng, opts.coefficientScale ?? 1));
  }
  return out;
}

/** The mean face of a demographic cell (all identity coefficients zero). */
export function demographicNorm(model: FaceModel, demographics: Demographics, index = 0): Identity {
  return { index, demographics, shape: new Float32Array(model.shapeSd.length), texture: new Float32Array(model.textureSd.length), expression: new Float32Array(model.expressionNames.length) };
}

export function cloneIdentity(id: Identity): Identity {
  return { index: id.index, demographics: { ...id.demographics, ethnicity: [...id.demographics.ethnicity] }, shape: id.shape.slice(), texture: id.texture.slice(), expression: id.expression.slice() };
}

// ---- Manipulations (each returns a new Identity) ----

/** Scales the identity deviation of shape and texture independently (0 = the demographic norm, 1 = unchanged). */
export function scaleIdentity(id: Identity, shapeFactor: number, textureFactor: number): Identity {
  const out = cloneIdentity(id);
  for (let k = 0; k < out.shape.length; k++) out.shape[k] *= shapeFactor;
  for (let k = 0; k < out.texture.length; k++) out.texture[k] *= textureFactor;
  return out;
}

/** Moves shape and/or texture coefficients a fraction t of the way from `id` to `target` (t = 1: target's). */
export function morphIdentity(id: Identity, target: Identity, t: { shape?: number; texture?: number }): Identity {
  if (id.shape.length !== target.shape.length || id.texture.length !== target.texture.length) throw new Error('morphIdentity: identities come from different models (coefficient counts differ)');
  const out = cloneIdentity(id);
  const ts = t.shape ?? 0, tt = t.texture ?? 0;
  for (let k = 0; k < out.shape.length; k++) out.shape[k] += ts * (target.shape[k] - id.shape[k]);
  for (let k = 0; k < out.texture.length; k++) out.texture[k] += tt * (target.texture[k] - id.texture[k]);
  return out;
}

/** Adds N(0, sd²) noise (in coefficient sd units) to shape and texture coefficients; texture noise may be limited to some bands. */
export function addCoefficientNoise(model: FaceModel, id: Identity, opts: { shapeSd: number; textureSd: number; seed: number; textureBands?: number[] }): Identity {
  const out = cloneIdentity(id);
  const rng = createRng(opts.seed);
  for (let k = 0; k < out.shape.length; k++) out.shape[k] += opts.shapeSd * gaussian(rng);
  for (let k = 0; k < out.texture.length; k++) {
    const n = opts.textureSd * gaussian(rng);
    if (!opts.textureBands || opts.textureBands.includes(model.textureBand[k])) out.texture[k] += n;
  }
  return out;
}

/** Sets an expression's weight by name. */
export function applyExpression(model: FaceModel, id: Identity, name: string, weight: number): Identity {
  const e = model.expressionNames.indexOf(name);
  if (e < 0) throw new Error(`expression '${name}' is not in the model (${model.expressionNames.join(', ')})`);
  if (!(weight >= -1 && weight <= 2)) throw new Error(`expression weight must be in [-1, 2], got ${weight}`);
  const out = cloneIdentity(id);
  out.expression[e] = weight;
  return out;
}

// ---- Geometry and albedo ----

/**
 * out[i] += Σ_k w_k · rows[k][i] with w_k = weights[k] · scales[k], rows [K][n]. Four rows per sweep
 * over `out` (a quarter of its loads and stores); Math.fround rounds each partial sum to float32
 * exactly as a store would, so the result is bit-identical to one row at a time in k order.
 */
function accumulate(out: Float32Array, rows: Float32Array, n: number, weights: ArrayLike<number>, scales: ArrayLike<number> | null): void {
  const ws: number[] = [], os: number[] = [];
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k] * (scales ? scales[k] : 1);
    if (w !== 0) { ws.push(w); os.push(k * n); }
  }
  const fround = Math.fround;
  let j = 0;
  for (; j + 4 <= ws.length; j += 4) {
    const w0 = ws[j], w1 = ws[j + 1], w2 = ws[j + 2], w3 = ws[j + 3];
    const o0 = os[j], o1 = os[j + 1], o2 = os[j + 2], o3 = os[j + 3];
    for (let i = 0; i < n; i++) {
      let a = fround(out[i] + w0 * rows[o0 + i]);
      a = fround(a + w1 * rows[o1 + i]);
      a = fround(a + w2 * rows[o2 + i]);
      out[i] = a + w3 * rows[o3 + i];
    }
  }
  for (; j < ws.length; j++) {
    const w = ws[j], o = os[j];
    for (let i = 0; i < n; i++) out[i] += w * rows[o + i];
  }
}

function checkIdentity(model: FaceModel, id: Identity) {
  if (id.shape.length !== model.shapeSd.length) throw new Error(`identity.shape has ${id.shape.length} coefficients, model '${model.name}' has ${model.shapeSd.length}`);
  if (id.texture.length !== model.textureSd.length) throw new Error(`identity.texture has ${id.texture.length} coefficients, model '${model.name}' has ${model.textureSd.length}`);
  if (id.expression.length !== model.expressionNames.length) throw new Error(`identity.expression has ${id.expression.length} weights, model '${model.name}' has ${model.expressionNames.length}`);
}

/** One term of an identity sum: Σ_k w_k · rows[k], w_k = weights[k] · scales[k] (scales null: 1), rows [K][3V]. */
export interface BasisTerm {
  rows: Float32Array;
  weights: ArrayLike<number>;
  scales: ArrayLike<number> | null;
}

/**
 * An identity's positions or albedo as a sum of basis rows: out = base, then for each term in order and
 * each k with w_k ≠ 0 (a double), out += w_k · rows[k], rounded to float32 after every row; albedo is then
 * clamped to [0, 1] (clamp01). identityPositions and identityAlbedo compute it in JavaScript; the renderer
 * (workers/render) computes the same sum, bit for bit, in WebAssembly.
 */
export interface IdentitySum {
  base: Float32Array;
  terms: BasisTerm[];
  clamp01: boolean;
}

/** The sum that gives an identity's positions ('positions', mm) or albedo ('albedo'). */
export function identitySum(model: FaceModel, id: Identity, of: 'positions' | 'albedo'): IdentitySum {
  checkIdentity(model, id);
  const d = demographicVector(model, id.demographics);
  if (of === 'positions') {
    return {
      base: model.mean, clamp01: false,
      terms: [{ rows: model.shapeDemo, weights: d, scales: null }, { rows: model.shapeBasis, weights: id.shape, scales: model.shapeSd },
        { rows: model.expressionShape, weights: id.expression, scales: null }],
    };
  }
  const terms: BasisTerm[] = [{ rows: model.textureDemo, weights: d, scales: null }, { rows: model.textureBasis, weights: id.texture, scales: model.textureSd }];
  if (model.expressionAlbedo) terms.push({ rows: model.expressionAlbedo, weights: id.expression, scales: null });
  return { base: model.albedoMean, terms, clamp01: true };
}

/** Computes an IdentitySum into out [3V]. */
export function applyIdentitySum(s: IdentitySum, out: Float32Array): Float32Array {
  const n = s.base.length;
  out.set(s.base);
  for (const t of s.terms) accumulate(out, t.rows, n, t.weights, t.scales);
  if (s.clamp01) for (let i = 0; i < n; i++) out[i] = out[i] < 0 ? 0 : out[i] > 1 ? 1 : out[i];
  return out;
}

/** Vertex positions [V][3] in mm of an identity. */
export function identityPositions(model: FaceModel, id: Identity, out: Float32Array = new Float32Array(model.vertexCount * 3)): Float32Array {
  return applyIdentitySum(identitySum(model, id, 'positions'), out);
}

/** Per-vertex albedo [V][3], linear RGB clamped to [0, 1], of an identity. */
export function identityAlbedo(model: FaceModel, id: Identity, out: Float32Array = new Float32Array(model.vertexCount * 3)): Float32Array {
  return applyIdentitySum(identitySum(model, id, 'albedo'), out);
}

/** A fresh seeded generator for callers that derive their own draws (re-exported for convenience). */
export { createRng, hashInts };
