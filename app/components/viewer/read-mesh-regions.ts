import type { MeshRegions } from '@/workers/contract';

/**
 * Reads mesh.regions.bin in the browser. Layout (written once in workers/contract/mesh-regions.ts,
 * whose code the app may not import): bytes [0, V) a Uint8 region index per vertex (0 = none,
 * i ≥ 1 = names[i − 1]), then the UTF-8 JSON array of the names.
 */
export function decodeMeshRegions(bytes: Uint8Array, vertexCount: number): MeshRegions {
  if (bytes.length < vertexCount) throw new Error(`mesh.regions.bin: ${bytes.length} B for a mesh of ${vertexCount} vertices`);
  const names: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(vertexCount)));
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new Error(`mesh.regions.bin: the names are not a JSON array of strings`);
  const index = bytes.slice(0, vertexCount);
  for (let v = 0; v < vertexCount; v++) if (index[v]! > names.length) throw new Error(`mesh.regions.bin: vertex ${v} has region ${index[v]}, only ${names.length} names`);
  return { names, index };
}

/** The region name of a vertex, or null when it lies in none. */
export function regionOfVertex(r: MeshRegions, vertex: number): string | null {
  const i = r.index[vertex] ?? 0;
  return i === 0 ? null : (r.names[i - 1] ?? null);
}
