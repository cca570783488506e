/**
 * Conservative back-face culling of triangle clusters (the rasteriser's per-pose pre-pass).
 *
 * The mesh's triangles are cut into clusters of CLUSTER_TRIANGLES consecutive triangles (the
 * drawing order is kept, so depth ties resolve as without culling). Per geometry, each cluster gets
 * a bounding sphere (centre, radius r, mm) of its vertices and a cone (unit axis a, half-angle θ)
 * that holds every unit face normal n̂ of its triangles. Per pose, with the camera at c in model
 * space and d = c − centre, every triangle t and every point p of it satisfy
 *   n̂_t · (c − p) ≤ n̂_t · d + r ≤ max_{n̂ in cone} n̂ · d + r = |d| cos(φ − θ) + r   (φ = ∠(a, d) > θ),
 * so when |d| cos(φ − θ) + r < −m the whole cluster faces away from the camera and none of its
 * triangles can pass the rasteriser's screen-space orientation test: the skipped triangles are
 * exactly ones that the full pass would reject, and the image is byte-identical.
 *
 * Margin m = CULL_MARGIN · (|d| + r) (mm): a culled triangle is turned away by at least ~2.9°, so
 * its projected signed area, ≥ (f/z)² · |n_t| · CULL_MARGIN / 2 px², is far larger than the
 * rounding of the float32 screen coordinates (≈ (f/z) · L · 1e-5 px² for a triangle of longest
 * edge L mm at ≤ 256 × 4 px) for every triangle whose height over its longest edge is
 * ≥ MIN_HEIGHT_MM; a cluster holding a thinner (near-degenerate) triangle is never culled, nor is
 * one whose normals spread over more than ~87° or that holds NaN positions.
 *
 * Layouts: clusterVertices [Σ] with clusterVertexStart [C + 1] (the distinct vertices of each
 * cluster); cones Float64Array [C][9] = (ax, ay, az, cos θ, sin θ, centre x, y, z, r), cos θ = −2
 * marks a cluster that is never culled.
 */
export const CLUSTER_TRIANGLES = 64;
export const CULL_MARGIN = 0.05;
const MIN_HEIGHT_MM = 0.05;
const MIN_COS_THETA = 0.05;
const NEVER = -2;

export interface ClusterTopology {
  count: number;
  vertexStart: Uint32Array;
  vertices: Uint32Array;
}

/** The clusters of consecutive triangles and the distinct vertices of each. */
export function clusterTopology(triangles: Uint32Array, vertexCount: number): ClusterTopology {
  const T = triangles.length / 3;
  const count = Math.ceil(T / CLUSTER_TRIANGLES);
  const vertexStart = new Uint32Array(count + 1);
  const seen = new Int32Array(vertexCount).fill(-1);
  const list: number[] = [];
  for (let c = 0; c < count; c++) {
    vertexStart[c] = list.length;
    const end = Math.min(T, (c + 1) * CLUSTER_TRIANGLES) * 3;
    for (let i = c * CLUSTER_TRIANGLES * 3; i < end; i++) {
      const v = triangles[i];
      if (seen[v] !== c) { seen[v] = c; list.push(v); }
    }
  }
  vertexStart[count] = list.length;
  return { count, vertexStart, vertices: Uint32Array.from(list) };
}

/** Bounding sphere and normal cone of every cluster for positions [V][3] (mm), into cones [C][9]. */
export function clusterCones(positions: Float32Array, triangles: Uint32Array, topo: ClusterTopology, cones: Float64Array): void {
  const T = triangles.length / 3;
  for (let c = 0; c < topo.count; c++) {
    const o = c * 9;
    const t0 = c * CLUSTER_TRIANGLES, t1 = Math.min(T, t0 + CLUSTER_TRIANGLES);
    let sx = 0, sy = 0, sz = 0, ok = true;
    for (let t = t0; t < t1 && ok; t++) {
      const a = triangles[t * 3] * 3, b = triangles[t * 3 + 1] * 3, d = triangles[t * 3 + 2] * 3;
      const e1x = positions[b] - positions[a], e1y = positions[b + 1] - positions[a + 1], e1z = positions[b + 2] - positions[a + 2];
      const e2x = positions[d] - positions[a], e2y = positions[d + 1] - positions[a + 1], e2z = positions[d + 2] - positions[a + 2];
      const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
      const n = Math.sqrt(nx * nx + ny * ny + nz * nz);
      const e3x = e2x - e1x, e3y = e2y - e1y, e3z = e2z - e1z;
      const longest = Math.sqrt(Math.max(e1x * e1x + e1y * e1y + e1z * e1z, e2x * e2x + e2y * e2y + e2z * e2z, e3x * e3x + e3y * e3y + e3z * e3z));
      // |n| = longest edge × height over it.
      if (!(n >= MIN_HEIGHT_MM * longest) || !(n > 0)) { ok = false; break; }
      sx += nx / n; sy += ny / n; sz += nz / n;
    }
    const sl = Math.sqrt(sx * sx + sy * sy + sz * sz);
    if (!ok || !(sl > 1e-9)) { cones[o + 3] = NEVER; continue; }
    const ax = sx / sl, ay = sy / sl, az = sz / sl;
    let cosT = 1;
    for (let t = t0; t < t1; t++) {
      const a = triangles[t * 3] * 3, b = triangles[t * 3 + 1] * 3, d = triangles[t * 3 + 2] * 3;
      const e1x = positions[b] - positions[a], e1y = positions[b + 1] - positions[a + 1], e1z = positions[b + 2] - positions[a + 2];
      const e2x = positions[d] - positions[a], e2y = positions[d + 1] - positions[a + 1], e2z = positions[d + 2] - positions[a + 2];
      const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
      const k = (ax * nx + ay * ny + az * nz) / Math.sqrt(nx * nx + ny * ny + nz * nz);
      if (k < cosT) cosT = k;
    }
    cosT -= 1e-6; // rounding of the normals above
    if (!(cosT >= MIN_COS_THETA)) { cones[o + 3] = NEVER; continue; }
    let lx = Infinity, ly = Infinity, lz = Infinity, hx = -Infinity, hy = -Infinity, hz = -Infinity;
    for (let j = topo.vertexStart[c]; j < topo.vertexStart[c + 1]; j++) {
      const v = topo.vertices[j] * 3;
      const x = positions[v], y = positions[v + 1], z = positions[v + 2];
      if (x < lx) lx = x; if (x > hx) hx = x;
      if (y < ly) ly = y; if (y > hy) hy = y;
      if (z < lz) lz = z; if (z > hz) hz = z;
    }
    const cx = (lx + hx) / 2, cy = (ly + hy) / 2, cz = (lz + hz) / 2;
    let r2 = 0;
    for (let j = topo.vertexStart[c]; j < topo.vertexStart[c + 1]; j++) {
      const v = topo.vertices[j] * 3;
      const dx = positions[v] - cx, dy = positions[v + 1] - cy, dz = positions[v + 2] - cz;
      const q = dx * dx + dy * dy + dz * dz;
      if (q > r2) r2 = q;
    }
    cones[o] = ax; cones[o + 1] = ay; cones[o + 2] = az;
    cones[o + 3] = cosT; cones[o + 4] = Math.sqrt(1 - cosT * cosT);
    cones[o + 5] = cx; cones[o + 6] = cy; cones[o + 7] = cz; cones[o + 8] = Math.sqrt(r2) * (1 + 1e-9) + 1e-6;
  }
}

/**
 * Marks the clusters that may face the camera at (camX, camY, camZ) mm in model space: active[c] = 1
 * (draw) or 0 (every triangle faces away). Returns the number of active clusters.
 */
export function activeClusters(cones: Float64Array, count: number, camX: number, camY: number, camZ: number, active: Uint8Array): number {
  let n = 0;
  for (let c = 0; c < count; c++) {
    const o = c * 9;
    const cosT = cones[o + 3];
    let draw = 1;
    if (cosT !== NEVER) {
      const dx = camX - cones[o + 5], dy = camY - cones[o + 6], dz = camZ - cones[o + 7];
      const dl = Math.sqrt(dx * dx + dy * dy + dz * dz);
      const r = cones[o + 8];
      const cosPhi = (cones[o] * dx + cones[o + 1] * dy + cones[o + 2] * dz) / dl;
      if (dl > r && cosPhi < cosT) {
        const sinPhi = Math.sqrt(Math.max(0, 1 - cosPhi * cosPhi));
        const maxDot = dl * (cosPhi * cosT + sinPhi * cones[o + 4]);
        if (maxDot + r < -CULL_MARGIN * (dl + r)) draw = 0;
      }
    }
    active[c] = draw;
    n += draw;
  }
  return n;
}
