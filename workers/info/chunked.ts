/**
 * Chunked permutation test for per-vertex maps (public API, used by workers/analyses/maps.ts). The
 * maps are built chunk by chunk of vertices (memory), so this module exposes "observed map + null maxima of one
 * chunk" in terms of the engine's own pieces: copnorm, the map kernels, the permutation null model
 * (buildModelCC/CD + nullMaxima, the matrix-product null) and its seeded permutations. The same
 * (seed, P, nTrial) gives the same permutations to every chunk, so the maxima combine exactly.
 * TFCE needs whole maps per permutation and goes through permutationMaxStat on the whole map.
 * Nothing here estimates information itself.
 */
import { copnorm } from './copnorm';
import { gcmiMapCC, gcmiMapCD } from './map';
import { buildModelCC, buildModelCD, heapAlloc, nullMaxima, sharedAlloc, type NullModel } from './nullmodel';
import { nullMaximaThreaded, permutationMaxStat, permutations } from './permutation';
import { meshAdjacency, type TfceOptions } from './tfce';

/** The response of a map's trials: y [nTrial] continuous, or labels [nTrial] in 0..classes-1. */
export type MapResponse =
  | { kind: 'continuous'; y: Float64Array }
  | { kind: 'discrete'; y: Int32Array; classes: number };
type Response = MapResponse;

export interface ChunkNull {
  /** [nVar] bits (NaN for degenerate variables). */
  observed: Float64Array;
  /** [P] maximum over this chunk's variables of each permuted map (bits). */
  maxNull: Float64Array;
}

const permCache = new Map<string, Int32Array>();

function cachedPermutations(P: number, n: number, seed: number, shared: boolean): Int32Array {
  const key = `${P}:${n}:${seed}:${shared}`;
  let p = permCache.get(key);
  if (!p) {
    p = permutations(P, n, seed, shared);
    if (permCache.size > 4) permCache.clear();
    permCache.set(key, p);
  }
  return p;
}

/** Copula-normalises a chunk of raw features x [nVar][nDim][nTrial] (once for all responses). */
export function copnormChunk(x: Float64Array, nVar: number, nDim: number, nTrial: number): Float64Array {
  return copnorm(x, nVar * nDim, nTrial);
}

/** Observed MI and the null maxima of one copula-normalised chunk cx [nVar][nDim][nTrial]. */
export async function chunkNull(cx: Float64Array, nVar: number, nDim: number, nTrial: number, response: Response, P: number, seed: number, threads: number): Promise<ChunkNull> {
  const shared = threads > 1;
  const alloc = shared ? sharedAlloc : heapAlloc;
  let observed: Float64Array;
  let model: NullModel;
  if (response.kind === 'continuous') {
    const cy = copnorm(response.y, 1, nTrial);
    observed = gcmiMapCC(cx, nVar, nDim, nTrial, cy, { copnorm: false, demeaned: true });
    model = buildModelCC(cx, nVar, nDim, nTrial, cy, true, false, alloc);
  } else {
    observed = gcmiMapCD(cx, nVar, nDim, nTrial, response.y, response.classes, { copnorm: false, demeaned: true });
    model = buildModelCD(cx, nVar, nDim, nTrial, response.y, response.classes, true, false, alloc);
  }
  if (P === 0) return { observed, maxNull: new Float64Array(0) };
  const perms = cachedPermutations(P, nTrial, seed, shared);
  const maxNull = shared
    ? await nullMaximaThreaded(model, perms, P, { type: 'mi' }, threads)
    : nullMaxima(model, perms, 0, P);
  return { observed, maxNull };
}

export interface TfceMap {
  mi: Float64Array;
  tfce: Float64Array;
  maxNull: Float64Array;
  threshold: number;
  mask: Uint8Array;
}

/**
 * TFCE over the mesh with the maximum-statistic null, on a whole packed map: x [nVar][nDim][nTrial]
 * for the variables `vertices` of a mesh `triangles`. options: E, H and per-packed-vertex extent
 * weights (e.g. areas, mm²); default the surface convention E = 1, H = 2 (tfce.ts's own default is E = 0.5); the maps add
 * vertex areas (workers/analyses/oracle.ts surfaceTfce).
 */
export async function tfceMap(x: Float64Array, vertices: Uint32Array, nDim: number, nTrial: number, response: Response, P: number, seed: number, alpha: number, triangles: Uint32Array, vertexCount: number, options?: TfceOptions): Promise<TfceMap> {
  // adjacency restricted to the packed variables: keep triangles whose vertices are all present
  const slot = new Int32Array(vertexCount).fill(-1);
  vertices.forEach((v, i) => (slot[v] = i));
  const tris: number[] = [];
  for (let t = 0; t < triangles.length; t += 3) {
    const a = slot[triangles[t]], b = slot[triangles[t + 1]], c = slot[triangles[t + 2]];
    if (a >= 0 && b >= 0 && c >= 0) tris.push(a, b, c);
  }
  const adjacency = meshAdjacency(Int32Array.from(tris), vertices.length);
  const r = await permutationMaxStat({
    x, nVar: vertices.length, nDim, nTrial,
    y: response.y, k: response.kind === 'discrete' ? response.classes : undefined,
    nPerm: P, seed, alpha, statistic: { type: 'tfce', adjacency, options: { E: 1, H: 2, ...options } },
  });
  return { mi: r.mi, tfce: r.statistic, maxNull: r.maxNull, threshold: r.threshold, mask: r.mask };
}
