/**
 * A software rasteriser for one mesh topology: perspective projection, back-face culling, a
 * z-buffer on 1/z, edge functions over each triangle's pixel bounding box, and deferred shading
 * (the raster pass stores the winning triangle and its barycentrics per pixel; a resolve pass
 * interpolates per-vertex lit colours only where something is visible). Lighting is evaluated per
 * vertex from the interpolated vertex normal (Gouraud): at 64 px a triangle covers less than a
 * pixel, so per-pixel normals would change nothing visible. All buffers are allocated once.
 *
 * Buffers (S = size × ssaa, the internal resolution):
 *   depth     Float32Array [S][S]  1/z of the nearest surface (0 = empty)
 *   triangle  Int32Array   [S][S]  triangle index, −1 = background
 *   bary      Float32Array [S][S][2] screen-space barycentrics (b1, b2) of vertices 1 and 2; b0 = 1 − b1 − b2
 */
import { CAMERA_DISTANCE_MM, NEAR_MM, focalLengthPx, lightDirection, poseMatrix } from './camera';
import type { RenderOptions } from './options';
import { createRng, hashInts } from '../faces/rng';

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

export class Rasterizer {
  readonly vertexCount: number;
  readonly triangles: Uint32Array;
  readonly maxInternal: number;
  private sx: Float32Array;
  private sy: Float32Array;
  private iz: Float32Array;
  private col: Float32Array;
  private depth: Float32Array;
  private tri: Int32Array;
  private bary: Float32Array;
  private accum: Float32Array;
  private R = new Float64Array(9);

  constructor(triangles: Uint32Array, vertexCount: number, maxSize = 256, maxSsaa = 4) {
    this.triangles = triangles;
    this.vertexCount = vertexCount;
    this.maxInternal = maxSize * maxSsaa;
    const P = this.maxInternal * this.maxInternal;
    this.sx = new Float32Array(vertexCount);
    this.sy = new Float32Array(vertexCount);
    this.iz = new Float32Array(vertexCount);
    this.col = new Float32Array(vertexCount * 3);
    this.depth = new Float32Array(P);
    this.tri = new Int32Array(P);
    this.bary = new Float32Array(P * 2);
    this.accum = new Float32Array(P * 3);
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
    this.transformAndShade(positions, normals, albedo, o, S);
    this.rasterize(S);
    this.resolve(o, S, out);
    return out;
  }

  private transformAndShade(positions: Float32Array, normals: Float32Array, albedo: Float32Array, o: RenderOptions, S: number): void {
    const R = poseMatrix(o.yaw, o.pitch, o.roll, this.R);
    const r0 = R[0], r1 = R[1], r2 = R[2], r3 = R[3], r4 = R[4], r5 = R[5], r6 = R[6], r7 = R[7], r8 = R[8];
    const f = focalLengthPx(S, o.scale);
    const cx = S * (0.5 + o.translateX), cy = S * (0.5 + o.translateY);
    const [lx, ly, lz] = lightDirection(o.lightAzimuth, o.lightElevation);
    const li = o.lightIntensity;
    const lr = li * o.lightColor[0], lg = li * o.lightColor[1], lb = li * o.lightColor[2];
    const ar = o.ambient * o.ambientColor[0], ag = o.ambient * o.ambientColor[1], ab = o.ambient * o.ambientColor[2];
    const sh = o.sh;
    const { sx, sy, iz, col } = this;
    const V = this.vertexCount;
    for (let v = 0; v < V; v++) {
      const i3 = v * 3;
      const x = positions[i3], y = positions[i3 + 1], z = positions[i3 + 2];
      const X = r0 * x + r1 * y + r2 * z;
      const Y = r3 * x + r4 * y + r5 * z;
      const Z = r6 * x + r7 * y + r8 * z;
      const depth = CAMERA_DISTANCE_MM - Z;
      const inv = depth > NEAR_MM ? 1 / depth : -1;
      sx[v] = cx + f * X * inv;
      sy[v] = cy - f * Y * inv;
      iz[v] = inv;
      const nx0 = normals[i3], ny0 = normals[i3 + 1], nz0 = normals[i3 + 2];
      const nx = r0 * nx0 + r1 * ny0 + r2 * nz0;
      const ny = r3 * nx0 + r4 * ny0 + r5 * nz0;
      const nz = r6 * nx0 + r7 * ny0 + r8 * nz0;
      let er: number, eg: number, eb: number;
      if (sh === null) {
        let d = nx * lx + ny * ly + nz * lz;
        if (d < 0) d = 0;
        er = ar + lr * d; eg = ag + lg * d; eb = ab + lb * d;
      } else {
        const b = [1, ny, nz, nx, nx * ny, ny * nz, 3 * nz * nz - 1, nx * nz, nx * nx - ny * ny];
        er = 0; eg = 0; eb = 0;
        for (let k = 0; k < 9; k++) {
          const w = SH_C[k] * b[k];
          er += sh[k] * w; eg += sh[9 + k] * w; eb += sh[18 + k] * w;
        }
        if (er < 0) er = 0;
        if (eg < 0) eg = 0;
        if (eb < 0) eb = 0;
      }
      col[i3] = albedo[i3] * er;
      col[i3 + 1] = albedo[i3 + 1] * eg;
      col[i3 + 2] = albedo[i3 + 2] * eb;
    }
  }

  private rasterize(S: number): void {
    const { sx, sy, iz, depth, tri, bary, triangles } = this;
    const P = S * S;
    depth.fill(0, 0, P);
    tri.fill(-1, 0, P);
    const T = triangles.length / 3;
    for (let t = 0; t < T; t++) {
      const i0 = triangles[t * 3], i1 = triangles[t * 3 + 1], i2 = triangles[t * 3 + 2];
      const z0 = iz[i0], z1 = iz[i1], z2 = iz[i2];
      if (z0 <= 0 || z1 <= 0 || z2 <= 0) continue; // behind the near plane
      const x0 = sx[i0], y0 = sy[i0], x1 = sx[i1], y1 = sy[i1], x2 = sx[i2], y2 = sy[i2];
      // Twice the signed area in y-down screen space; counter-clockwise from outside → negative.
      const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
      if (area >= 0) continue; // back-facing or degenerate
      let minX = x0 < x1 ? (x0 < x2 ? x0 : x2) : x1 < x2 ? x1 : x2;
      let maxX = x0 > x1 ? (x0 > x2 ? x0 : x2) : x1 > x2 ? x1 : x2;
      let minY = y0 < y1 ? (y0 < y2 ? y0 : y2) : y1 < y2 ? y1 : y2;
      let maxY = y0 > y1 ? (y0 > y2 ? y0 : y2) : y1 > y2 ? y1 : y2;
      // Pixels whose centre (p + 0.5) lies in the box.
      let px0 = Math.ceil(minX - 0.5), px1 = Math.floor(maxX - 0.5);
      let py0 = Math.ceil(minY - 0.5), py1 = Math.floor(maxY - 0.5);
      if (px0 < 0) px0 = 0;
      if (py0 < 0) py0 = 0;
      if (px1 > S - 1) px1 = S - 1;
      if (py1 > S - 1) py1 = S - 1;
      if (px0 > px1 || py0 > py1) continue;
      const invArea = 1 / area;
      // Edge functions w0 (edge 1→2), w1 (edge 2→0), w2 (edge 0→1), all ≤ 0 inside (negative area).
      const a0 = y1 - y2, b0 = x2 - x1;
      const a1 = y2 - y0, b1 = x0 - x2;
      const a2 = y0 - y1, b2 = x1 - x0;
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

  private resolve(o: RenderOptions, S: number, out: RenderOutput): void {
    const { tri, bary, col, triangles } = this;
    const size = o.size;
    const k = o.ssaa;
    const target = k === 1 ? out.rgb : this.accum;
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
    for (let p = 0; p < P; p++) {
      const t = tri[p];
      const o3 = p * 3;
      if (t < 0) {
        // The background is given in display space; noise is drawn per output pixel below when ssaa > 1.
        target[o3] = bgr; target[o3 + 1] = bgg; target[o3 + 2] = bgb;
        if (rng !== null && k === 1) {
          const n = bgr + amp * (2 * rng() - 1);
          const c = n < 0 ? 0 : n > 1 ? 1 : n;
          target[o3] = c; target[o3 + 1] = c; target[o3 + 2] = c;
        }
        continue;
      }
      const b1 = bary[p * 2], b2 = bary[p * 2 + 1], b0 = 1 - b1 - b2;
      const v0 = triangles[t * 3] * 3, v1 = triangles[t * 3 + 1] * 3, v2 = triangles[t * 3 + 2] * 3;
      for (let c = 0; c < 3; c++) {
        let lin = b0 * col[v0 + c] + b1 * col[v1 + c] + b2 * col[v2 + c];
        if (lin < 0) lin = 0;
        else if (lin > 1) lin = 1;
        target[o3 + c] = SRGB_LUT[(lin * LUT_SIZE + 0.5) | 0];
      }
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
}

/** Float RGB [0,1] → Uint8 RGB (rounded), into `out`. */
export function toUint8(rgb: Float32Array, out = new Uint8Array(rgb.length)): Uint8Array {
  for (let i = 0; i < rgb.length; i++) out[i] = (rgb[i] * 255 + 0.5) | 0;
  return out;
}
