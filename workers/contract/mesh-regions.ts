/**
 * Per-vertex region labels of a dashboard mesh, for the viewer's hover readout.
 *
 * A face model names overlapping vertex sets (workers/faces model.regions: nose, mouth, left_eye,
 * and unions such as eyes, cheek or face). Each vertex gets the MOST SPECIFIC region holding it:
 * the one with the fewest vertices (ties: the name first in alphabetical order), so `left_eye`
 * wins over `eyes`, which wins over `face`.
 *
 * Binary layout of the artifact `mesh.regions.bin` (no header):
 * - bytes [0, V):    Uint8 [V] region index per vertex; 0 = no region, i ≥ 1 = names[i − 1];
 * - bytes [V, end):  UTF-8 JSON array of the region names (at most 255).
 * V is the mesh's vertex count (positions.size / 12), so the file describes itself given its mesh.
 */

export const MESH_REGIONS_ARTIFACT = 'mesh.regions.bin';
const MAX_REGIONS = 255;

export interface MeshRegions {
  /** Region names; index i ≥ 1 in `index` means names[i − 1]. */
  names: string[];
  /** Uint8 [V]: 0 = no region. */
  index: Uint8Array;
}

/** Labels each vertex with its most specific (smallest) region. */
export function labelVertexRegions(vertexCount: number, regions: Record<string, ArrayLike<number>>): MeshRegions {
  const entries = Object.entries(regions)
    .filter(([, idx]) => idx.length > 0)
    .sort(([a, x], [b, y]) => x.length - y.length || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_REGIONS);
  const names = entries.map(([name]) => name);
  const index = new Uint8Array(vertexCount);
  // Largest first, so smaller (more specific) regions overwrite.
  for (let r = entries.length - 1; r >= 0; r--) {
    const idx = entries[r]![1];
    for (let k = 0; k < idx.length; k++) {
      const v = idx[k]!;
      if (v < vertexCount) index[v] = r + 1;
    }
  }
  return { names, index };
}

export function encodeMeshRegions(r: MeshRegions): Uint8Array<ArrayBuffer> {
  const json = new TextEncoder().encode(JSON.stringify(r.names));
  const out = new Uint8Array(r.index.length + json.length);
  out.set(r.index, 0);
  out.set(json, r.index.length);
  return out;
}
