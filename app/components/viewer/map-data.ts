import { colormapTable, type ColormapName } from './colormap';

/**
 * Per-vertex information maps in the browser: fetching the binary arrays, slicing stacked maps,
 * and turning bits into vertex colours. Layouts: values Float32Array [V] bits; colours
 * Float32Array [V][3] sRGB in [0, 1]; positions Float32Array [V][3] mm; triangles Uint32Array [T][3].
 */

/** Colour of vertices below the threshold (or without a value): a light neutral grey, so the face stays readable. */
export const BELOW_THRESHOLD_RGB: readonly [number, number, number] = [0.8, 0.78, 0.76];

export interface MapScale {
  /** Value at the bottom and top of the colour scale (bits). */
  minBits: number;
  maxBits: number;
  /** Values below it are drawn grey; null shows every value. */
  thresholdBits: number | null;
  colormap: ColormapName;
}

const luts = new Map<ColormapName, Float32Array>();
function lut(name: ColormapName): Float32Array {
  let t = luts.get(name);
  if (!t) luts.set(name, (t = colormapTable(name, 256)));
  return t;
}

/** Vertex colours of a map on a scale: grey below the threshold, the colormap from minBits to maxBits above. */
export function vertexColors(values: Float32Array, scale: MapScale, out = new Float32Array(values.length * 3)): Float32Array {
  const table = lut(scale.colormap);
  const span = scale.maxBits - scale.minBits || 1;
  const thr = scale.thresholdBits ?? -Infinity;
  for (let v = 0; v < values.length; v++) {
    const x = values[v]!;
    if (!(x >= thr) || !Number.isFinite(x)) {
      out[v * 3] = BELOW_THRESHOLD_RGB[0];
      out[v * 3 + 1] = BELOW_THRESHOLD_RGB[1];
      out[v * 3 + 2] = BELOW_THRESHOLD_RGB[2];
      continue;
    }
    const t = Math.min(1, Math.max(0, (x - scale.minBits) / span));
    const i = Math.round(t * 255) * 3;
    out[v * 3] = table[i]!;
    out[v * 3 + 1] = table[i + 1]!;
    out[v * 3 + 2] = table[i + 2]!;
  }
  return out;
}

export interface MapStats {
  maxBits: number;
  /** Vertices with a finite value; NaN marks vertices no noise moves (no information, never significant). */
  finite: number;
  /** Vertices at or above the threshold. */
  above: number;
  peakVertex: number;
  /** Vertices with a value below 0 bits (bias-corrected estimates; shown as measured, never clamped) and the smallest value. */
  negative: number;
  minBits: number;
}

export function mapStats(values: Float32Array, thresholdBits: number | null): MapStats {
  let maxBits = 0, finite = 0, above = 0, peakVertex = -1, negative = 0, minBits = 0;
  const thr = thresholdBits ?? -Infinity;
  for (let v = 0; v < values.length; v++) {
    const x = values[v]!;
    if (!Number.isFinite(x)) continue;
    finite++;
    if (x < 0) negative++;
    if (x < minBits) minBits = x;
    if (x >= thr) above++;
    if (peakVertex < 0 || x > values[peakVertex]!) peakVertex = v;
    if (x > maxBits) maxBits = x;
  }
  return { maxBits, finite, above, peakVertex, negative, minBits };
}

/** One map out of a stacked Float32 array ([L][V] or [L][P][V]): vertexCount values from offset, times sign. */
export function sliceMap(all: Float32Array, offset: number, vertexCount: number, sign: 1 | -1 = 1): Float32Array {
  if (offset < 0 || offset + vertexCount > all.length) throw new RangeError(`map slice [${offset}, ${offset + vertexCount}) outside an array of ${all.length} values`);
  const out = all.slice(offset, offset + vertexCount);
  if (sign === -1) for (let i = 0; i < out.length; i++) out[i] = -out[i]!;
  return out;
}

const cache = new Map<string, Promise<ArrayBuffer>>();

/**
 * fetch, tried again (after 0.3 s, then 0.9 s) when the request fails at the network level
 * ("Failed to fetch": a dropped connection on a busy server). HTTP errors are answers, not retried.
 */
async function fetchWithRetry(url: string, attempts = 3): Promise<Response> {
  for (let i = 1; ; i++) {
    try {
      return await fetch(url, { credentials: 'same-origin' });
    } catch (e) {
      if (i >= attempts || !(e instanceof TypeError)) throw e;
      await new Promise((resolve) => setTimeout(resolve, 300 * 3 ** (i - 1)));
    }
  }
}

/** The bytes at url, fetched once per page (artifacts never change under an id). */
export function fetchArrayBuffer(url: string): Promise<ArrayBuffer> {
  let p = cache.get(url);
  if (!p) {
    p = fetchWithRetry(url).then(async (r) => {
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return r.arrayBuffer();
    });
    p.catch(() => cache.delete(url));
    cache.set(url, p);
  }
  return p;
}

export async function fetchFloat32(url: string): Promise<Float32Array> {
  const buf = await fetchArrayBuffer(url);
  if (buf.byteLength % 4) throw new Error(`${url}: ${buf.byteLength} bytes is not a whole Float32 array`);
  return new Float32Array(buf);
}

export async function fetchUint32(url: string): Promise<Uint32Array> {
  const buf = await fetchArrayBuffer(url);
  if (buf.byteLength % 4) throw new Error(`${url}: ${buf.byteLength} bytes is not a whole Uint32 array`);
  return new Uint32Array(buf);
}

/** The vertex of triangle `face` nearest to a point (a click on the surface picks a vertex). */
export function nearestVertexOfFace(positions: Float32Array, triangles: Uint32Array, face: number, point: readonly [number, number, number]): number {
  let best = triangles[face * 3]!, bestD = Infinity;
  for (let k = 0; k < 3; k++) {
    const v = triangles[face * 3 + k]!;
    const d = (positions[v * 3]! - point[0]) ** 2 + (positions[v * 3 + 1]! - point[1]) ** 2 + (positions[v * 3 + 2]! - point[2]) ** 2;
    if (d < bestD) (bestD = d), (best = v);
  }
  return best;
}
