/**
 * A software rasteriser for one mesh topology: perspective projection, back-face culling, a
 * z-buffer on 1/z, edge functions over each triangle's pixel bounding box, and deferred shading
 * (the raster pass stores the winning triangle and its barycentrics per pixel; a resolve pass
 * interpolates albedo and vertex normals per visible pixel and lights it there, so the cost of
 * shading scales with the visible pixels, not with the vertex count). All buffers are allocated once.
 *
 * Buffers (S = size × ssaa, the internal resolution):
 *   depth     Float32Array [S][S]  1/z of the nearest surface (0 = empty)
 *   triangle  Int32Array   [S][S]  triangle index, −1 = background
 *   bary      Float32Array [S][S][2] screen-space barycentrics (b1, b2) of vertices 1 and 2; b0 = 1 − b1 − b2
 */
import { CAMERA_DISTANCE_MM, NEAR_MM, focalLengthPx, lightDirection, poseMatrix } from './camera';
import type { RenderOptions } from './options';
import { createRng, hashInts } from '../faces';
import { type RasterEngine, RasterKernels } from './raster-kernels';

export interface RenderOutput {
  size: number;
  /** Float32Array [H][W][3], display (sRGB-encoded) RGB in [0, 1]. */
  rgb: Float32Array;
  /** Int32Array [H][W] triangle index per pixel (−1 = background), when options.ids. */
  triangleId: Int32Array | null;
  /** Float32Array [H][W][2] barycentrics (b1, b2) per pixel, when options.ids. */
  barycentric: Float32Array | null;
}

/** linear → sRGB lookup, 4096 entries: the display encoding of the output image. */
const LUT_SIZE = 4096;
const SRGB_LUT = new Float32Array(LUT_SIZE + 1);
for (let i = 0; i <= LUT_SIZE; i++) {
  const c = i / LUT_SIZE;
  SRGB_LUT[i] = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
}

// Real SH basis constants times the cosine-lobe convolution (Ramamoorthi & Hanrahan 2001).
const SH_C = [0.886227, 1.023328, 1.023328, 1.023328, 0.858086, 0.858086, 0.247708, 0.858086, 0.429043];

/** Irradiance (clamped ≥ 0) of one colour channel's 9 SH coefficients at unit normal n (camera space). */
function shIrradiance(sh: number[], o: number, x: number, y: number, z: number): number {
  const e = SH_C[0] * sh[o] + SH_C[1] * sh[o + 1] * y + SH_C[2] * sh[o + 2] * z + SH_C[3] * sh[o + 3] * x
    + SH_C[4] * sh[o + 4] * x * y + SH_C[5] * sh[o + 5] * y * z + SH_C[6] * sh[o + 6] * (3 * z * z - 1)
    + SH_C[7] * sh[o + 7] * x * z + SH_C[8] * sh[o + 8] * (x * x - y * y);
  return e < 0 ? 0 : e;
}

export class Rasterizer {
  readonly vertexCount: number;
  readonly triangles: Uint32Array;
  readonly maxInternal: number;
  private sx: Float32Array;
  private sy: Float32Array;
  private iz: Float32Array;
  /**
   * Pixel cell per vertex, packed: (cx + 1) | (cy + 1) << 16 with cx = floor(sx − 0.5) clamped to
   * [−1, S] (cy likewise). A triangle whose three vertices share cx (or cy) covers no pixel centre
   * inside the image (clamping only merges the cells left of, right of, above or below the image).
   */
  private cell: Int32Array;
  private depth: Float32Array;
  private tri: Int32Array;
  private bary: Float32Array;
  private accum: Float32Array;
  /** Triangles [T] that pass the pixel-cell test, filled per image by rasterize. */
  private candidates: Int32Array;
  private R = new Float64Array(9);
  /** The WebAssembly passes (they own the buffers above), or null: the JavaScript passes run. */
  private kernels: RasterKernels | null;

  /**
   * `engine`: 'auto' runs projection and rasterisation in WebAssembly where available (the same bytes
   * as the JavaScript passes, faster); 'js' forces the JavaScript passes (the reference).
   */
  constructor(triangles: Uint32Array, vertexCount: number, maxSize = 256, maxSsaa = 4, engine: RasterEngine = 'auto') {
    this.triangles = triangles;
    this.vertexCount = vertexCount;
    this.maxInternal = maxSize * maxSsaa;
    const P = this.maxInternal * this.maxInternal;
    const k = RasterKernels.create(triangles, vertexCount, P, SRGB_LUT, engine);
    this.kernels = k;
    this.sx = k ? k.sx : new Float32Array(vertexCount);
    this.sy = k ? k.sy : new Float32Array(vertexCount);
    this.iz = k ? k.iz : new Float32Array(vertexCount);
    this.cell = k ? k.cell : new Int32Array(vertexCount);
    this.depth = k ? k.depth : new Float32Array(P);
    this.tri = k ? k.tri : new Int32Array(P);
    this.bary = k ? k.bary : new Float32Array(P * 2);
    this.candidates = k ? k.candidates : new Int32Array(triangles.length / 3);
    this.accum = k ? k.shade : new Float32Array(P * 3);
  }

  /**
   * Positions, normals and albedo buffers [V][3] that render() reads without copying (in the
   * WebAssembly engine's memory), or fresh arrays for the JavaScript engine. Valid for this
   * rasterizer's lifetime; one set per rasterizer.
   */
  geometryBuffers(): { positions: Float32Array; normals: Float32Array; albedo: Float32Array } {
    const k = this.kernels, n = this.vertexCount * 3;
    return k ? { positions: k.positions, normals: k.normals, albedo: k.albedo } : { positions: new Float32Array(n), normals: new Float32Array(n), albedo: new Float32Array(n) };
  }

  /** Which passes run: 'wasm' or 'js'. */
  get engine(): 'wasm' | 'js' {
    return this.kernels ? 'wasm' : 'js';
  }

  /** Allocates an output whose buffers can be reused for every render of this size. */
  createOutput(size: number, ids = false): RenderOutput {
    return {
      size,
      rgb: new Float32Array(size * size * 3),
      triangleId: ids ? new Int32Array(size * size) : null,
      barycentric: ids ? new Float32Array(size * size * 2) : null,
    };
  }

  /**
   * Renders positions [V][3] (mm), unit normals [V][3] and albedo [V][3] (linear RGB) under the
   * options into `out` (allocated by createOutput(options.size, options.ids)).
   */
  render(positions: Float32Array, normals: Float32Array, albedo: Float32Array, o: RenderOptions, out: RenderOutput): RenderOutput {
    const size = o.size;
    const S = size * o.ssaa;
    if (out.size !== size) throw new Error(`render: output buffer is ${out.size} px, options.size is ${size}`);
    if (S > this.maxInternal) throw new Error(`render: size × ssaa = ${S} exceeds this rasterizer's ${this.maxInternal}`);
    if (positions.length !== this.vertexCount * 3) throw new Error(`render: positions has length ${positions.length}, expected ${this.vertexCount * 3}`);
    this.transform(positions, o, S);
    this.rasterize(S);
    this.resolve(normals, albedo, o, S, out);
    return out;
  }

  /** Projects every vertex: screen position (px) and 1/z (1/mm; −1 = behind the near plane). */
  private transform(positions: Float32Array, o: RenderOptions, S: number): void {
    const R = poseMatrix(o.yaw, o.pitch, o.roll, this.R);
    const f = focalLengthPx(S, o.scale);
    const cx = S * (0.5 + o.translateX), cy = S * (0.5 + o.translateY);
    if (this.kernels) {
      this.kernels.transform(positions, R, f, cx, cy, S);
      return;
    }
    this.transformJs(positions, R, f, cx, cy, S);
  }

  private transformJs(positions: Float32Array, R: Float64Array, f: number, cx: number, cy: number, S: number): void {
    const r0 = R[0], r1 = R[1], r2 = R[2], r3 = R[3], r4 = R[4], r5 = R[5], r6 = R[6], r7 = R[7], r8 = R[8];
    const { sx, sy, iz, cell } = this;
    const V = this.vertexCount;
    const dist = CAMERA_DISTANCE_MM, near = NEAR_MM; // locals: imported bindings are slower in hot loops
    for (let v = 0; v < V; v++) {
      const i3 = v * 3;
      const x = positions[i3], y = positions[i3 + 1], z = positions[i3 + 2];
      const depth = dist - (r6 * x + r7 * y + r8 * z);
      const inv = depth > near ? 1 / depth : -1;
      const X = cx + f * (r0 * x + r1 * y + r2 * z) * inv;
      const Y = cy - f * (r3 * x + r4 * y + r5 * z) * inv;
      sx[v] = X;
      sy[v] = Y;
      iz[v] = inv;
      let kx = Math.floor(X - 0.5), ky = Math.floor(Y - 0.5);
      kx = kx < -1 ? -1 : kx > S ? S : kx;
      ky = ky < -1 ? -1 : ky > S ? S : ky;
      cell[v] = (kx + 1) | ((ky + 1) << 16);
    }
  }

  private rasterize(S: number): void {
    const { depth, tri } = this;
    const P = S * S;
    depth.fill(0, 0, P);
    tri.fill(-1, 0, P);
    if (this.kernels) this.kernels.raster(S);
    else this.drawCandidates(S, this.selectCandidates());
  }

  /**
   * Pass 1, branch-free (its outcome is unpredictable per triangle): fills `candidates` with the
   * triangles that survive the pixel-cell test and returns their count. (A method of its own, so
   * that V8 optimises each pass with its own feedback.)
   */
  private selectCandidates(): number {
    const { cell } = this;
    const triangles = this.triangles;
    const T = triangles.length / 3;
    // Cheap rejection of sub-pixel triangles that hold no pixel centre (most of them at 64 px) and of
    // triangles off the image: the vertices share a pixel column (low 16 bits) or row (high 16).
    // ((c − 1) >>> 31) is 1 exactly when the 16-bit field c is 0. The list stays in index order.
    const list = this.candidates;
    let n = 0;
    for (let t = 0; t < T; t++) {
      const k0 = cell[triangles[t * 3]];
      const diff = (k0 ^ cell[triangles[t * 3 + 1]]) | (k0 ^ cell[triangles[t * 3 + 2]]);
      list[n] = t;
      n += ((((diff & 0xffff) - 1) | ((diff >>> 16) - 1)) >>> 31) ^ 1;
    }
    return n;
  }

  /** Pass 2: draws the first n candidate triangles. */
  private drawCandidates(S: number, n: number): void {
    const { sx, sy, iz, depth, tri, bary } = this;
    const triangles = this.triangles;
    const list = this.candidates;
    for (let j = 0; j < n; j++) {
      const t = list[j];
      const i0 = triangles[t * 3], i1 = triangles[t * 3 + 1], i2 = triangles[t * 3 + 2];
      const x0 = sx[i0], y0 = sy[i0], x1 = sx[i1], y1 = sy[i1], x2 = sx[i2], y2 = sy[i2];
      // Twice the signed area in y-down screen space; counter-clockwise from outside → negative.
      const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
      if (!(area < 0)) continue; // back-facing, degenerate or NaN
      // Pixels whose centre (p + 0.5) lies in the bounding box; most triangles at 64 px hold none.
      const minX = x0 < x1 ? (x0 < x2 ? x0 : x2) : x1 < x2 ? x1 : x2;
      const maxX = x0 > x1 ? (x0 > x2 ? x0 : x2) : x1 > x2 ? x1 : x2;
      let px0 = Math.ceil(minX - 0.5), px1 = Math.floor(maxX - 0.5);
      if (px0 > px1) continue;
      const minY = y0 < y1 ? (y0 < y2 ? y0 : y2) : y1 < y2 ? y1 : y2;
      const maxY = y0 > y1 ? (y0 > y2 ? y0 : y2) : y1 > y2 ? y1 : y2;
      let py0 = Math.ceil(minY - 0.5), py1 = Math.floor(maxY - 0.5);
      if (py0 > py1) continue;
      const z0 = iz[i0], z1 = iz[i1], z2 = iz[i2];
      if (z0 <= 0 || z1 <= 0 || z2 <= 0) continue; // behind the near plane
      if (px0 < 0) px0 = 0;
      if (py0 < 0) py0 = 0;
      if (px1 > S - 1) px1 = S - 1;
      if (py1 > S - 1) py1 = S - 1;
      if (px0 > px1 || py0 > py1) continue;
      // Edge functions w0 (edge 1→2), w1 (edge 2→0), w2 (edge 0→1), all ≤ 0 inside (negative area).
      const a0 = y1 - y2, b0 = x2 - x1;
      const a1 = y2 - y0, b1 = x0 - x2;
      const a2 = y0 - y1, b2 = x1 - x0;
      if (px0 === px1 && py0 === py1) {
        // Fast path: one candidate pixel (the common case at 64 px). The test w ≤ bias of the
        // general path below, split: w ≤ 0 first (cheap, rejects most), and the top-left rule only
        // for a w in (−1e−7, 0], where an edge that does not own its boundary pixels rejects.
        const fx = px0 + 0.5, fy = py0 + 0.5;
        const w0 = (fx - x1) * a0 + (fy - y1) * b0;
        const w1 = (fx - x2) * a1 + (fy - y2) * b1;
        const w2 = (fx - x0) * a2 + (fy - y0) * b2;
        if (!(w0 <= 0 && w1 <= 0 && w2 <= 0)) continue;
        if (w0 > -1e-7 && !(a0 > 0 || (a0 === 0 && b0 < 0))) continue;
        if (w1 > -1e-7 && !(a1 > 0 || (a1 === 0 && b1 < 0))) continue;
        if (w2 > -1e-7 && !(a2 > 0 || (a2 === 0 && b2 < 0))) continue;
        const idx = py0 * S + px0;
        const invArea = 1 / area;
        const l1 = w1 * invArea, l2 = w2 * invArea;
        const z = z0 + (z1 - z0) * l1 + (z2 - z0) * l2;
        if (z > depth[idx]) {
          depth[idx] = z;
          tri[idx] = t;
          bary[idx * 2] = l1;
          bary[idx * 2 + 1] = l2;
        }
        continue;
      }
      const invArea = 1 / area;
      // Top-left rule (for negative orientation): an edge owns its boundary pixels when it is a
      // top edge (horizontal, interior below) or a left edge; the others need strict inequality.
      const bias0 = a0 > 0 || (a0 === 0 && b0 < 0) ? 0 : -1e-7;
      const bias1 = a1 > 0 || (a1 === 0 && b1 < 0) ? 0 : -1e-7;
      const bias2 = a2 > 0 || (a2 === 0 && b2 < 0) ? 0 : -1e-7;
      const fx = px0 + 0.5, fy = py0 + 0.5;
      let w0row = (fx - x1) * a0 + (fy - y1) * b0;
      let w1row = (fx - x2) * a1 + (fy - y2) * b1;
      let w2row = (fx - x0) * a2 + (fy - y0) * b2;
      for (let py = py0; py <= py1; py++) {
        let w0 = w0row, w1 = w1row, w2 = w2row;
        let idx = py * S + px0;
        for (let px = px0; px <= px1; px++, idx++) {
          if (w0 <= bias0 && w1 <= bias1 && w2 <= bias2) {
            const l1 = w1 * invArea, l2 = w2 * invArea;
            const z = z0 + (z1 - z0) * l1 + (z2 - z0) * l2;
            if (z > depth[idx]) {
              depth[idx] = z;
              tri[idx] = t;
              bary[idx * 2] = l1;
              bary[idx * 2 + 1] = l2;
            }
          }
          w0 += a0; w1 += a1; w2 += a2;
        }
        w0row += b0; w1row += b1; w2row += b2;
      }
    }
  }

  /**
   * Shades every covered pixel: interpolates albedo and the vertex normal with the pixel's
   * barycentrics, renormalises the normal and applies the lighting (Lambert + ambient, or SH),
   * then encodes to sRGB. Lambert works in model space (the light is rotated by Rᵀ once).
   */
  private resolve(normals: Float32Array, albedo: Float32Array, o: RenderOptions, S: number, out: RenderOutput): void {
    const { tri, bary } = this;
    const size = o.size;
    const k = o.ssaa;
    const target = k === 1 ? out.rgb : this.accum;
    const R = this.R; // set by transform() for this image
    const [wx, wy, wz] = lightDirection(o.lightAzimuth, o.lightElevation);
    // Light direction in model space: Rᵀ · l.
    const lx = R[0] * wx + R[3] * wy + R[6] * wz;
    const ly = R[1] * wx + R[4] * wy + R[7] * wz;
    const lz = R[2] * wx + R[5] * wy + R[8] * wz;
    const li = o.lightIntensity;
    const lr = li * o.lightColor[0], lg = li * o.lightColor[1], lb = li * o.lightColor[2];
    const ar = o.ambient * o.ambientColor[0], ag = o.ambient * o.ambientColor[1], ab = o.ambient * o.ambientColor[2];
    const sh = o.sh;
    const bg = o.background;
    let rng: (() => number) | null = null;
    let bgr = 0, bgg = 0, bgb = 0, amp = 0;
    if (bg.kind === 'flat') {
      bgr = bg.color[0]; bgg = bg.color[1]; bgb = bg.color[2];
    } else {
      rng = createRng(hashInts(bg.seed, 0x6267));
      bgr = bgg = bgb = bg.mean;
      amp = bg.amplitude;
    }
    const P = S * S;
    if (this.kernels) {
      // The same shading in WebAssembly, into kernels.shade (= this.accum); the noise background in JavaScript.
      this.kernels.resolve(P, normals, albedo, { lx, ly, lz, lr, lg, lb, ar, ag, ab, sh, R, bgr, bgg, bgb });
      if (k === 1) {
        target.set(this.accum.subarray(0, P * 3));
        if (rng !== null) {
          for (let p = 0; p < P; p++) {
            if (tri[p] >= 0) continue;
            const n = bgr + amp * (2 * rng() - 1);
            const c = n < 0 ? 0 : n > 1 ? 1 : n;
            target[p * 3] = c; target[p * 3 + 1] = c; target[p * 3 + 2] = c;
          }
        }
      }
    } else {
      this.shadeJs(normals, albedo, R, lx, ly, lz, lr, lg, lb, ar, ag, ab, sh, bgr, bgg, bgb, rng, amp, k, P, target);
    }
    if (k > 1) {
      // Box-filter the supersampled image down to the output size.
      const inv = 1 / (k * k);
      const dst = out.rgb;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          let r = 0, g = 0, b = 0;
          let bgCount = 0;
          for (let dy = 0; dy < k; dy++) {
            let q = ((y * k + dy) * S + x * k) * 3;
            for (let dx = 0; dx < k; dx++, q += 3) {
              r += target[q]; g += target[q + 1]; b += target[q + 2];
              if (tri[(y * k + dy) * S + x * k + dx] < 0) bgCount++;
            }
          }
          const d = (y * size + x) * 3;
          if (rng !== null && bgCount > 0) {
            const n = bgr + amp * (2 * rng() - 1);
            const c = (n < 0 ? 0 : n > 1 ? 1 : n) - bgr;
            r += c * bgCount; g += c * bgCount; b += c * bgCount;
          }
          dst[d] = r * inv; dst[d + 1] = g * inv; dst[d + 2] = b * inv;
        }
      }
    }
    if (out.triangleId && out.barycentric && k === 1) {
      out.triangleId.set(tri.subarray(0, P));
      out.barycentric.set(bary.subarray(0, P * 2));
    }
  }

  /** The JavaScript shading loop of resolve (the reference for RasterKernels.resolve). */
  private shadeJs(normals: Float32Array, albedo: Float32Array, R: Float64Array, lx: number, ly: number, lz: number, lr: number, lg: number, lb: number,
    ar: number, ag: number, ab: number, sh: number[] | null, bgr: number, bgg: number, bgb: number, rng: (() => number) | null, amp: number,
    k: number, P: number, target: Float32Array): void {
    const { tri, bary } = this;
    const triangles = this.triangles;
    for (let p = 0; p < P; p++) {
      const t = tri[p];
      const o3 = p * 3;
      if (t < 0) {
        // The background is given in display space; with ssaa > 1 its noise is drawn per output pixel below.
        if (rng !== null && k === 1) {
          const n = bgr + amp * (2 * rng() - 1);
          const c = n < 0 ? 0 : n > 1 ? 1 : n;
          target[o3] = c; target[o3 + 1] = c; target[o3 + 2] = c;
        } else {
          target[o3] = bgr; target[o3 + 1] = bgg; target[o3 + 2] = bgb;
        }
        continue;
      }
      const b1 = bary[p * 2], b2 = bary[p * 2 + 1], b0 = 1 - b1 - b2;
      const v0 = triangles[t * 3] * 3, v1 = triangles[t * 3 + 1] * 3, v2 = triangles[t * 3 + 2] * 3;
      let nx = b0 * normals[v0] + b1 * normals[v1] + b2 * normals[v2];
      let ny = b0 * normals[v0 + 1] + b1 * normals[v1 + 1] + b2 * normals[v2 + 1];
      let nz = b0 * normals[v0 + 2] + b1 * normals[v1 + 2] + b2 * normals[v2 + 2];
      const inl = 1 / Math.sqrt(nx * nx + ny * ny + nz * nz + 1e-20);
      nx *= inl; ny *= inl; nz *= inl;
      let er: number, eg: number, eb: number;
      if (sh === null) {
        let d = nx * lx + ny * ly + nz * lz;
        if (d < 0) d = 0;
        er = ar + lr * d; eg = ag + lg * d; eb = ab + lb * d;
      } else {
        // SH irradiance is defined in camera space: rotate the normal.
        const cxn = R[0] * nx + R[1] * ny + R[2] * nz, cyn = R[3] * nx + R[4] * ny + R[5] * nz, czn = R[6] * nx + R[7] * ny + R[8] * nz;
        er = shIrradiance(sh, 0, cxn, cyn, czn);
        eg = shIrradiance(sh, 9, cxn, cyn, czn);
        eb = shIrradiance(sh, 18, cxn, cyn, czn);
      }
      let cr = (b0 * albedo[v0] + b1 * albedo[v1] + b2 * albedo[v2]) * er;
      let cg = (b0 * albedo[v0 + 1] + b1 * albedo[v1 + 1] + b2 * albedo[v2 + 1]) * eg;
      let cb = (b0 * albedo[v0 + 2] + b1 * albedo[v1 + 2] + b2 * albedo[v2 + 2]) * eb;
      cr = cr < 0 ? 0 : cr > 1 ? 1 : cr;
      cg = cg < 0 ? 0 : cg > 1 ? 1 : cg;
      cb = cb < 0 ? 0 : cb > 1 ? 1 : cb;
      target[o3] = SRGB_LUT[(cr * LUT_SIZE + 0.5) | 0];
      target[o3 + 1] = SRGB_LUT[(cg * LUT_SIZE + 0.5) | 0];
      target[o3 + 2] = SRGB_LUT[(cb * LUT_SIZE + 0.5) | 0];
    }
  }
}

/** Float RGB [0,1] → Uint8 RGB (rounded), into `out`. */
export function toUint8(rgb: Float32Array, out: Uint8Array = new Uint8Array(rgb.length)): Uint8Array {
  for (let i = 0; i < rgb.length; i++) out[i] = (rgb[i] * 255 + 0.5) | 0;
  return out;
}
