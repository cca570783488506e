'use client';

import { useEffect, useState } from 'react';
import type { DashboardMap, DashboardMesh } from '@/workers/contract';
import { fetchFloat32, fetchUint32, sliceMap } from './mapData';

export interface LoadedMap {
  key: string;
  positions: Float32Array;
  triangles: Uint32Array;
  /** Float32 [V] bits (sign applied). */
  values: Float32Array;
}

/** Fetches a map's mesh and values as typed arrays through the artifact route (cached per page). */
export function useMapData(map: DashboardMap | null, mesh: DashboardMesh | null, urlOf: (artifactId: string) => string): { data: LoadedMap | null; error: string | null } {
  const [state, setState] = useState<{ data: LoadedMap | null; error: string | null }>({ data: null, error: null });
  const key = map && mesh ? `${map.key}|${map.values.id}|${mesh.positions.id}` : null;
  useEffect(() => {
    if (!map || !mesh) return;
    let live = true;
    Promise.all([fetchFloat32(urlOf(mesh.positions.id)), fetchUint32(urlOf(mesh.triangles.id)), fetchFloat32(urlOf(map.values.id))])
      .then(([positions, triangles, all]) => {
        if (!live) return;
        if (positions.length !== map.vertexCount * 3) throw new Error(`mesh has ${positions.length / 3} vertices, map ${map.vertexCount}`);
        setState({ data: { key: map.key, positions, triangles, values: sliceMap(all, map.offset, map.vertexCount, map.sign) }, error: null });
      })
      .catch((e: unknown) => live && setState({ data: null, error: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- key identifies map + mesh
  }, [key]);
  return state;
}
