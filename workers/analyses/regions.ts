/**
 * Vertex regions named on the command line and in configs, and how well a significance mask
 * recovers one (precision, recall).
 *
 * A region spec is one of:
 * - a region name of the model (e.g. 'nose', 'left_brow');
 * - a landmark name (e.g. 'nose_tip'): the vertices within `radiusMm` of the landmark on the mean face;
 * - a vertex list: '12,13,40-55' (indices and inclusive ranges).
 */
import type { FaceModel } from '../faces/model';

export const DEFAULT_LANDMARK_RADIUS_MM = 10;

export function resolveRegion(model: FaceModel, spec: string, radiusMm = DEFAULT_LANDMARK_RADIUS_MM): Uint32Array {
  const s = spec.trim();
  if (s in model.regions) return Uint32Array.from(new Set(model.regions[s])).sort();
  if (s in model.landmarks) return vertexBall(model, model.landmarks[s], radiusMm);
  if (/^[\d\s,-]+$/.test(s)) return parseVertexList(s, model.vertexCount);
  const known = [...Object.keys(model.regions), ...Object.keys(model.landmarks)].join(', ');
  throw new Error(`region '${spec}' is neither a region, a landmark nor a vertex list of model '${model.name}' (known: ${known})`);
}

/** Vertices within radiusMm (Euclidean, mean face) of vertex `centre`. */
export function vertexBall(model: FaceModel, centre: number, radiusMm: number): Uint32Array {
  const m = model.mean;
  const cx = m[centre * 3], cy = m[centre * 3 + 1], cz = m[centre * 3 + 2];
  const r2 = radiusMm * radiusMm;
  const out: number[] = [];
  for (let v = 0; v < model.vertexCount; v++) {
    const dx = m[v * 3] - cx, dy = m[v * 3 + 1] - cy, dz = m[v * 3 + 2] - cz;
    if (dx * dx + dy * dy + dz * dz <= r2) out.push(v);
  }
  return Uint32Array.from(out);
}

export function parseVertexList(s: string, vertexCount: number): Uint32Array {
  const set = new Set<number>();
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new Error(`vertex list: '${part}' is not an index or a range a-b`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`vertex list: range '${part}' is empty`);
    if (b >= vertexCount) throw new Error(`vertex list: index ${b} must be < vertexCount ${vertexCount}`);
    for (let v = a; v <= b; v++) set.add(v);
  }
  if (set.size === 0) throw new Error('vertex list: no vertices given');
  return Uint32Array.from([...set].sort((x, y) => x - y));
}

export function regionMask(vertexCount: number, region: ArrayLike<number>): Uint8Array {
  const mask = new Uint8Array(vertexCount);
  for (let i = 0; i < region.length; i++) mask[region[i]] = 1;
  return mask;
}

export interface Recovery {
  /** |significant ∩ region| / |significant|; 0 when nothing is significant. */
  precision: number;
  /** |significant ∩ region| / |region|. */
  recall: number;
  significant: number;
}

export function recovery(significant: Uint8Array, truth: Uint8Array): Recovery {
  let sig = 0, hit = 0, pos = 0;
  for (let v = 0; v < truth.length; v++) {
    if (significant[v]) sig++;
    if (truth[v]) pos++;
    if (significant[v] && truth[v]) hit++;
  }
  return { precision: sig > 0 ? hit / sig : 0, recall: pos > 0 ? hit / pos : 0, significant: sig };
}
