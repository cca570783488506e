/**
 * Rendering identities of a FaceModel. A StimulusRenderer owns one Rasterizer (buffers allocated
 * once) and caches the geometry of the last identity, so rendering M images of one identity
 * computes its positions, normals and albedo once.
 */
import type { FaceModel } from '../faces/model';
import { type Identity, identityAlbedo, identityPositions, identitySum } from '../faces';
import { computeVertexNormals } from '../faces';
import { type RenderOptionsInput, type RenderOptions, resolveRenderOptions } from './options';
import { BasisKernel } from './basis-kernel';
import { Rasterizer, type RenderOutput, toUint8 } from './rasterizer';

/** An identity's renderable surface: positions [V][3] mm, unit normals [V][3], albedo [V][3] linear RGB. */
export interface FaceGeometry {
  positions: Float32Array;
  normals: Float32Array;
  albedo: Float32Array;
}

export function identityGeometry(model: FaceModel, id: Identity, out?: FaceGeometry): FaceGeometry {
  const g = out ?? { positions: new Float32Array(model.vertexCount * 3), normals: new Float32Array(model.vertexCount * 3), albedo: new Float32Array(model.vertexCount * 3) };
  identityPositions(model, id, g.positions);
  computeVertexNormals(g.positions, model.triangles, g.normals);
  identityAlbedo(model, id, g.albedo);
  return g;
}

export class StimulusRenderer {
  readonly model: FaceModel;
  readonly rasterizer: Rasterizer;
  private geometry: FaceGeometry;
  private neutral: FaceGeometry;
  private lastIdentity: Identity | null = null;
  /** The expression weights of the cached geometry (null: none cached). */
  private lastExpression: Float64Array | null = null;
  private outputs = new Map<string, RenderOutput>();
  /** Per expression row, the indices of its non-zero coordinates (built on first use): expressions are local. */
  private expressionSupport: (Uint32Array | null)[] = [];

  constructor(model: FaceModel, maxSize = 256, maxSsaa = 4) {
    this.model = model;
    this.rasterizer = new Rasterizer(model.triangles, model.vertexCount, maxSize, maxSsaa);
    const n = model.vertexCount * 3;
    // The geometry lives where the rasterizer reads it (no copy per image).
    this.geometry = this.rasterizer.geometryBuffers();
    this.neutral = { positions: new Float32Array(n), normals: new Float32Array(n), albedo: new Float32Array(n) };
  }

  /**
   * The geometry of `id` with expression weights `expression` (default: id.expression). The
   * identity part is recomputed only when a different Identity object is passed (identities are
   * treated as immutable); expressions are added to the cached neutral face, which is cheap.
   */
  geometryOf(id: Identity, expression: ArrayLike<number> = id.expression): FaceGeometry {
    const m = this.model;
    if (this.lastIdentity === id && sameWeights(this.lastExpression, expression)) return this.geometry;
    if (this.lastIdentity !== id) {
      const neutralId = { ...id, expression: new Float32Array(m.expressionNames.length) };
      // From the second identity on, the sums run in WebAssembly (the same bytes; its rows are copied once per thread).
      const kernel = this.lastIdentity !== null ? BasisKernel.forModel(m) : null;
      if (kernel) {
        kernel.sum(identitySum(m, neutralId, 'positions'), this.neutral.positions);
        kernel.sum(identitySum(m, neutralId, 'albedo'), this.neutral.albedo);
      } else {
        identityPositions(m, neutralId, this.neutral.positions);
        identityAlbedo(m, neutralId, this.neutral.albedo);
      }
      this.lastIdentity = id;
    }
    const n = m.vertexCount * 3;
    const g = this.geometry;
    g.positions.set(this.neutral.positions);
    g.albedo.set(this.neutral.albedo);
    let anyAlbedo = false;
    for (let e = 0; e < expression.length; e++) {
      const w = expression[e];
      if (w === 0) continue;
      const o = e * n;
      const support = this.supportOf(e);
      for (let j = 0; j < support.length; j++) { const i = support[j]; g.positions[i] += w * m.expressionShape[o + i]; }
      if (m.expressionAlbedo) {
        anyAlbedo = true;
        for (let i = 0; i < n; i++) g.albedo[i] += w * m.expressionAlbedo[o + i];
      }
    }
    if (anyAlbedo) for (let i = 0; i < n; i++) g.albedo[i] = g.albedo[i] < 0 ? 0 : g.albedo[i] > 1 ? 1 : g.albedo[i];
    computeVertexNormals(g.positions, m.triangles, g.normals);
    this.lastExpression = Float64Array.from(expression);
    return g;
  }

  private supportOf(e: number): Uint32Array {
    let s = this.expressionSupport[e];
    if (!s) {
      const n = this.model.vertexCount * 3, o = e * n, rows = this.model.expressionShape;
      let count = 0;
      for (let i = 0; i < n; i++) if (rows[o + i] !== 0) count++;
      s = new Uint32Array(count);
      for (let i = 0, j = 0; i < n; i++) if (rows[o + i] !== 0) s[j++] = i;
      this.expressionSupport[e] = s;
    }
    return s;
  }

  /** Renders `id` with explicit expression weights [Ke] (e.g. per-image expression factors). */
  renderExpression(id: Identity, expression: ArrayLike<number>, options: RenderOptions | RenderOptionsInput): RenderOutput {
    const o = isResolved(options) ? options : resolveRenderOptions(options);
    const g = this.geometryOf(id, expression);
    return this.rasterizer.render(g.positions, g.normals, g.albedo, o, this.outputFor(o));
  }

  /**
   * Renders an identity. The returned output's buffers are reused by the next call of the same
   * size (copy them to keep them). Options may be resolved once (resolveRenderOptions) and reused.
   */
  render(id: Identity, options: RenderOptions | RenderOptionsInput): RenderOutput {
    const o = isResolved(options) ? options : resolveRenderOptions(options);
    const g = this.geometryOf(id);
    return this.rasterizer.render(g.positions, g.normals, g.albedo, o, this.outputFor(o));
  }

  private outputFor(o: RenderOptions): RenderOutput {
    const key = `${o.size}:${o.ids}`;
    let out = this.outputs.get(key);
    if (!out) {
      out = this.rasterizer.createOutput(o.size, o.ids);
      this.outputs.set(key, out);
    }
    return out;
  }

  /** Renders a geometry directly (e.g. an edited mesh). */
  renderGeometry(g: FaceGeometry, options: RenderOptions | RenderOptionsInput): RenderOutput {
    const o = isResolved(options) ? options : resolveRenderOptions(options);
    const out = this.rasterizer.createOutput(o.size, o.ids);
    return this.rasterizer.render(g.positions, g.normals, g.albedo, o, out);
  }
}

/** Whether cached weights equal `w` element by element (NaN never equal: the geometry is recomputed). */
function sameWeights(cached: Float64Array | null, w: ArrayLike<number>): boolean {
  if (cached === null || cached.length !== w.length) return false;
  for (let i = 0; i < w.length; i++) if (cached[i] !== w[i]) return false;
  return true;
}

/** Marks resolved options; a symbol key survives object spread, so `{ ...prepared, yaw }` stays marked. */
const RESOLVED = Symbol('resolvedRenderOptions');
function isResolved(o: RenderOptions | RenderOptionsInput): o is RenderOptions {
  return (o as Record<symbol, unknown>)[RESOLVED] === true;
}
/**
 * Resolves options once and marks them, so hot loops skip validation. Overrides spread onto a
 * prepared object (`{ ...prepared, yaw: 10 }`) are trusted: keep them inside the documented ranges.
 */
export function prepareRenderOptions(input: RenderOptionsInput = {}): RenderOptions {
  const o = resolveRenderOptions(input);
  Object.defineProperty(o, RESOLVED, { value: true, enumerable: true });
  return o;
}

const renderers = new WeakMap<FaceModel, StimulusRenderer>();

/**
 * One stimulus image of an identity (convenience API; allocates fresh output arrays).
 * Returns Float32 RGB [H][W][3] in [0, 1], Uint8 RGB and, with options.ids, the triangle and
 * barycentric buffers.
 */
export function renderStimulus(model: FaceModel, id: Identity, options: RenderOptionsInput = {}): {
  size: number; rgb: Float32Array; uint8: Uint8Array; triangleId: Int32Array | null; barycentric: Float32Array | null;
} {
  let r = renderers.get(model);
  if (!r) {
    r = new StimulusRenderer(model);
    renderers.set(model, r);
  }
  const out = r.render(id, resolveRenderOptions(options));
  return {
    size: out.size,
    rgb: out.rgb.slice(),
    uint8: toUint8(out.rgb),
    triangleId: out.triangleId ? out.triangleId.slice() : null,
    barycentric: out.barycentric ? out.barycentric.slice() : null,
  };
}
