/**
 * The rasteriser's hot passes (projection, candidate selection, triangle drawing) in WebAssembly
 * (raster.c → raster-wasm.ts, rebuilt by build-raster-wasm.sh with clang-14). One instance per
 * Rasterizer owns every per-vertex and per-pixel buffer in its linear memory, exposed as typed-array
 * views that stay valid (the memory is grown once, before any view is taken). The kernels repeat the
 * JavaScript passes' double-precision operations exactly, so both engines give the same bytes
 * (tests/render/raster-engines.test.ts).
 */
import { CAMERA_DISTANCE_MM, NEAR_MM } from './camera';
import { RASTER_WASM_BASE64 } from './raster-wasm';

export type RasterEngine = 'auto' | 'js';

interface Exports {
  transform(V: number, pos: number, r0: number, r1: number, r2: number, r3: number, r4: number, r5: number, r6: number, r7: number, r8: number,
    f: number, cx: number, cy: number, dist: number, near: number, S: number, sx: number, sy: number, iz: number, cell: number): void;
  select_candidates(T: number, tris: number, cell: number, list: number): number;
  draw_candidates(n: number, list: number, tris: number, sx: number, sy: number, iz: number, S: number, depth: number, tri: number, bary: number, rec: number): void;
  resolve(P: number, tri: number, bary: number, tris: number, normals: number, albedo: number, lx: number, ly: number, lz: number,
    lr: number, lg: number, lb: number, ar: number, ag: number, ab: number, sh: number, R: number, bgr: number, bgg: number, bgb: number,
    lut: number, lutSize: number, rgb: number, covered: number): void;
}

/** Lighting of one image for RasterKernels.resolve (see Rasterizer.resolve). */
export interface ShadeParams {
  /** Light direction in model space, light colour × intensity, ambient colour × ambient. */
  lx: number; ly: number; lz: number; lr: number; lg: number; lb: number; ar: number; ag: number; ab: number;
  /** 27 SH coefficients (replace Lambert + ambient) or null. */
  sh: number[] | null;
  /** The pose rotation (row-major). */
  R: Float64Array;
  /** Background colour (display space). */
  bgr: number; bgg: number; bgb: number;
}

let wasmModule: WebAssembly.Module | null | undefined;

/** The compiled raster module, or null where WebAssembly (with SIMD) is unavailable. */
export function rasterModule(): WebAssembly.Module | null {
  if (wasmModule === undefined) {
    try {
      wasmModule = new WebAssembly.Module(Uint8Array.from(atob(RASTER_WASM_BASE64), (c) => c.charCodeAt(0)));
    } catch {
      wasmModule = null;
    }
  }
  return wasmModule;
}

export class RasterKernels {
  /** Positions [V][3] in linear memory, the caller's: one that writes its geometry here saves a copy per image. */
  readonly positions: Float32Array;
  /** Unit normals and albedo [V][3] in linear memory, the caller's (as positions). */
  readonly normals: Float32Array;
  readonly albedo: Float32Array;
  /** Shaded pixels [P][3] (sRGB-encoded), written by resolve. */
  readonly shade: Float32Array;
  /** Where other positions, normals and albedo arrays are copied (never over the caller's buffers above). */
  private readonly staging: Float32Array;
  private readonly stagingNormals: Float32Array;
  private readonly stagingAlbedo: Float32Array;
  private readonly sh: Float64Array;
  private readonly rotation: Float64Array;
  private readonly lutSize: number;
  readonly sx: Float32Array;
  readonly sy: Float32Array;
  readonly iz: Float32Array;
  readonly cell: Int32Array;
  readonly candidates: Int32Array;
  readonly depth: Float32Array;
  readonly tri: Int32Array;
  readonly bary: Float32Array;
  private readonly x: Exports;
  private readonly triangleCount: number;
  private readonly vertexCount: number;
  private readonly at: { positions: number; staging: number; normals: number; stagingNormals: number; albedo: number; stagingAlbedo: number; sh: number; R: number; lut: number; shade: number; tris: number; sx: number; sy: number; iz: number; cell: number; list: number; rec: number; depth: number; tri: number; bary: number; covered: number };

  private constructor(mod: WebAssembly.Module, triangles: Uint32Array, vertexCount: number, pixels: number, lut: Float32Array) {
    const instance = new WebAssembly.Instance(mod, {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    this.x = instance.exports as unknown as Exports;
    const V = vertexCount, T = triangles.length / 3;
    this.vertexCount = V;
    this.triangleCount = T;
    let offset = Math.ceil(((instance.exports.__heap_base as WebAssembly.Global).value as number) / 16) * 16;
    const take = (bytes: number) => { const o = offset; offset += Math.ceil(bytes / 16) * 16; return o; };
    this.at = {
      positions: take(V * 12), staging: take(V * 12), normals: take(V * 12), stagingNormals: take(V * 12), albedo: take(V * 12), stagingAlbedo: take(V * 12),
      sh: take(27 * 8), R: take(9 * 8), lut: take(lut.length * 4), shade: take(pixels * 12), tris: take(T * 12), sx: take(V * 4), sy: take(V * 4), iz: take(V * 4), cell: take(V * 4),
      list: take(T * 4), rec: take(1025 * 24) /* draw_candidates' records: 2 per candidate, 512 candidates per chunk, one spare */, depth: take(pixels * 4), tri: take(pixels * 4), bary: take(pixels * 8), covered: take(pixels * 4),
    };
    const pages = Math.ceil(offset / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages); // once, before any view is taken (growing detaches views)
    const b = memory.buffer, a = this.at;
    new Uint32Array(b, a.tris, T * 3).set(triangles);
    this.positions = new Float32Array(b, a.positions, V * 3);
    this.staging = new Float32Array(b, a.staging, V * 3);
    this.normals = new Float32Array(b, a.normals, V * 3);
    this.stagingNormals = new Float32Array(b, a.stagingNormals, V * 3);
    this.albedo = new Float32Array(b, a.albedo, V * 3);
    this.stagingAlbedo = new Float32Array(b, a.stagingAlbedo, V * 3);
    this.sh = new Float64Array(b, a.sh, 27);
    this.rotation = new Float64Array(b, a.R, 9);
    new Float32Array(b, a.lut, lut.length).set(lut);
    this.lutSize = lut.length - 1;
    this.shade = new Float32Array(b, a.shade, pixels * 3);
    this.sx = new Float32Array(b, a.sx, V);
    this.sy = new Float32Array(b, a.sy, V);
    this.iz = new Float32Array(b, a.iz, V);
    this.cell = new Int32Array(b, a.cell, V);
    this.candidates = new Int32Array(b, a.list, T);
    this.depth = new Float32Array(b, a.depth, pixels);
    this.tri = new Int32Array(b, a.tri, pixels);
    this.bary = new Float32Array(b, a.bary, pixels * 2);
  }

  /**
   * Kernels for one topology and `pixels` internal pixels, or null (engine 'js', or no WebAssembly
   * SIMD). `lut`: the linear → sRGB table [n + 1] that resolve encodes through.
   */
  static create(triangles: Uint32Array, vertexCount: number, pixels: number, lut: Float32Array, engine: RasterEngine): RasterKernels | null {
    const mod = engine === 'js' ? null : rasterModule();
    return mod ? new RasterKernels(mod, triangles, vertexCount, pixels, lut) : null;
  }

  /** Projects `positions` (copied into linear memory first unless it is this.positions) with rotation R (row-major). */
  transform(positions: Float32Array, R: Float64Array, f: number, cx: number, cy: number, S: number): void {
    const a = this.at;
    let at = a.positions;
    if (positions !== this.positions) {
      this.staging.set(positions);
      at = a.staging;
    }
    this.x.transform(this.vertexCount, at, R[0], R[1], R[2], R[3], R[4], R[5], R[6], R[7], R[8], f, cx, cy, CAMERA_DISTANCE_MM, NEAR_MM, S, a.sx, a.sy, a.iz, a.cell);
  }

  /** Candidate selection then drawing into depth, tri and bary (cleared by the caller) at S × S. */
  raster(S: number): void {
    const a = this.at;
    const n = this.x.select_candidates(this.triangleCount, a.tris, a.cell, a.list);
    this.x.draw_candidates(n, a.list, a.tris, a.sx, a.sy, a.iz, S, a.depth, a.tri, a.bary, a.rec);
  }

  /**
   * Shades the first P pixels of tri and bary into `shade` (normals and albedo copied into linear
   * memory first unless they are this.normals and this.albedo).
   */
  resolve(P: number, normals: Float32Array, albedo: Float32Array, l: ShadeParams): void {
    const a = this.at;
    let atN = a.normals, atA = a.albedo;
    if (normals !== this.normals) {
      this.stagingNormals.set(normals);
      atN = a.stagingNormals;
    }
    if (albedo !== this.albedo) {
      this.stagingAlbedo.set(albedo);
      atA = a.stagingAlbedo;
    }
    let atSh = 0;
    if (l.sh !== null) {
      this.sh.set(l.sh);
      atSh = a.sh;
    }
    this.rotation.set(l.R);
    this.x.resolve(P, a.tri, a.bary, a.tris, atN, atA, l.lx, l.ly, l.lz, l.lr, l.lg, l.lb, l.ar, l.ag, l.ab, atSh, a.R, l.bgr, l.bgg, l.bgb, a.lut, this.lutSize, a.shade, a.covered);
  }
}
