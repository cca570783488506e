'use client';

import { useEffect, useState } from 'react';
import type { DashboardMap, DashboardMesh, MeshRegions } from '@/workers/contract';
import { decodeMeshRegions } from './read-mesh-regions';
import { fetchArrayBuffer, fetchFloat32, fetchUint32, sliceMap } from './map-data';

export interface LoadedMap {
  key: string;
  positions: Float32Array;
  triangles: Uint32Array;
  /** Float32 [V] bits (sign applied). */
  values: Float32Array;
  /** Per-vertex region labels, null when the mesh has none (or they could not be read). */
  regions: MeshRegions | null;
  /** Float32 [V] FWER-corrected p-values, null when the map has none stored (older runs, other analyses). */
  pValues: Float32Array | null;
}

/** Fetches a map's mesh and values as typed arrays through the artifact route (cached per page). */
export function useMapData(map: DashboardMap | null, mesh: DashboardMesh | null, urlOf: (artifactId: string) => string): { data: LoadedMap | null; error: string | null } {
  const [state, setState] = useState<{ data: LoadedMap | null; error: string | null }>({ data: null, error: null });
  const key = map && mesh ? `${map.key}|${map.values.id}|${mesh.positions.id}` : null;
  useEffect(() => {
    if (!map || !mesh) return;
    let live = true;
    // Region labels are an extra: a mesh without them (or a failed read) still draws.
    const regions = mesh.regions
      ? fetchArrayBuffer(urlOf(mesh.regions.id)).then((b) => decodeMeshRegions(new Uint8Array(b), mesh.vertexCount)).catch(() => null)
      : Promise.resolve(null);
    // p-values are an extra too: the map draws without them.
    const pValues = map.pValues ? fetchFloat32(urlOf(map.pValues.id)).then((p) => (p.length === map.vertexCount ? p : null)).catch(() => null) : Promise.resolve(null);
    Promise.all([fetchFloat32(urlOf(mesh.positions.id)), fetchUint32(urlOf(mesh.triangles.id)), fetchFloat32(urlOf(map.values.id)), regions, pValues])
      .then(([positions, triangles, all, regions, pValues]) => {
        if (!live) return;
        if (positions.length !== map.vertexCount * 3) throw new Error(`mesh has ${positions.length / 3} vertices, map ${map.vertexCount}`);
        setState({ data: { key: map.key, positions, triangles, values: sliceMap(all, map.offset, map.vertexCount, map.sign), regions, pValues }, error: null });
      })
      .catch((e: unknown) => live && setState({ data: null, error: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- key identifies map + mesh
  }, [key]);
  return state;
}
