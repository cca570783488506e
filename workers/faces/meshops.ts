/** Mesh operations shared by the model builder, importers and renderer. Layouts: positions [V][3], triangles [T][3]. */

/** Vertex adjacency in CSR form: neighbours of v are indices[offsets[v] .. offsets[v+1]). */
export interface Adjacency {
  offsets: Uint32Array;
  indices: Uint32Array;
}

export function buildAdjacency(vertexCount: number, triangles: Uint32Array): Adjacency {
  const sets: Set<number>[] = Array.from({ length: vertexCount }, () => new Set<number>());
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t], b = triangles[t + 1], c = triangles[t + 2];
    sets[a].add(b); sets[a].add(c);
    sets[b].add(a); sets[b].add(c);
    sets[c].add(a); sets[c].add(b);
  }
  const offsets = new Uint32Array(vertexCount + 1);
  for (let v = 0; v < vertexCount; v++) offsets[v + 1] = offsets[v] + sets[v].size;
  const indices = new Uint32Array(offsets[vertexCount]);
  for (let v = 0; v < vertexCount; v++) {
    let o = offsets[v];
    for (const n of sets[v]) indices[o++] = n;
  }
  return { offsets, indices };
}

/**
 * Umbrella-operator smoothing of a per-vertex field with `channels` values per vertex:
 * f ← (1−λ) f + λ · mean(neighbours), `iterations` times. A low-pass filter on the mesh graph,
 * used to make smooth noise (texture bands) and smooth deformation fields.
 */
export function smoothField(adj: Adjacency, field: Float64Array, channels: number, iterations: number, lambda = 0.5): Float64Array {
  // Two ping-pong buffers; `field` itself is never written.
  const V = adj.offsets.length - 1;
  let cur: Float64Array = field;
  let next: Float64Array = new Float64Array(field.length);
  for (let it = 0; it < iterations; it++) {
    for (let v = 0; v < V; v++) {
      const o0 = adj.offsets[v], o1 = adj.offsets[v + 1];
      const n = o1 - o0;
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let o = o0; o < o1; o++) s += cur[adj.indices[o] * channels + c];
        const avg = n > 0 ? s / n : cur[v * channels + c];
        next[v * channels + c] = (1 - lambda) * cur[v * channels + c] + lambda * avg;
      }
    }
    const t = cur === field ? new Float64Array(field.length) : cur;
    cur = next;
    next = t;
  }
  return cur;
}

/** Area-weighted vertex normals (unit length) into `out` [V][3]. */
export function computeVertexNormals(positions: Float32Array, triangles: Uint32Array, out?: Float32Array): Float32Array {
  const n = out ?? new Float32Array(positions.length);
  n.fill(0);
  addFaceNormals(positions, triangles, n);
  normalizeRows3(n);
  return n;
}

/**
 * Adds each triangle's area-weighted normal (the edge cross product) to its three vertices in n [V][3].
 * (The passes are functions of their own so that V8 optimises each with its own feedback: one
 * function with two long loops was re-entered through on-stack replacement and deoptimised at the
 * second loop on every call.)
 */
function addFaceNormals(positions: Float32Array, triangles: Uint32Array, n: Float32Array): void {
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t] * 3, b = triangles[t + 1] * 3, c = triangles[t + 2] * 3;
    const e1x = positions[b] - positions[a], e1y = positions[b + 1] - positions[a + 1], e1z = positions[b + 2] - positions[a + 2];
    const e2x = positions[c] - positions[a], e2y = positions[c + 1] - positions[a + 1], e2z = positions[c + 2] - positions[a + 2];
    const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
    n[a] += nx; n[a + 1] += ny; n[a + 2] += nz;
    n[b] += nx; n[b + 1] += ny; n[b + 2] += nz;
    n[c] += nx; n[c + 1] += ny; n[c + 2] += nz;
  }
}

/** Scales each row of n [V][3] to unit length (zero rows stay zero). */
function normalizeRows3(n: Float32Array): void {
  for (let i = 0; i < n.length; i += 3) {
    const l = Math.hypot(n[i], n[i + 1], n[i + 2]) || 1;
    n[i] /= l; n[i + 1] /= l; n[i + 2] /= l;
  }
}
