/**
 * Threshold-free cluster enhancement (Smith & Nichols 2009) and cluster mass, on a mesh (vertex
 * adjacency from triangles) or an image grid.
 *
 *   TFCE(v) = Σ_{k=1..K, h_k ≤ s(v)} e(h_k)^E · h_k^H · dh,   h_k = k·dh,  dh = max(s) / K
 *
 * where e(h) is the extent (vertex count, or summed vertex weights such as areas) of the cluster
 * of vertices with s ≥ h that contains v. Defaults E = 0.5, H = 2 (Smith & Nichols' values for 3D
 * volumes), K = 100 steps; values ≤ 0 get 0 (MI maps are non-negative apart from bias noise). The maps
 * on the face mesh use the surface (2D) convention E = 1, H = 2, passed explicitly: chunked.ts tfceMap,
 * analyses/oracle.ts surfaceTfce.
 *
 * Adjacency is compressed rows: the neighbours of vertex v are indices[offsets[v] .. offsets[v+1]).
 */

export interface Adjacency {
  offsets: Int32Array;
  indices: Int32Array;
}

export interface TfceOptions {
  /** extent exponent (default 0.5) */
  E?: number;
  /** height exponent (default 2) */
  H?: number;
  /** number of threshold steps (default 100); dh = max(values) / steps */
  steps?: number;
  /** per-vertex extent weights (e.g. vertex areas in mm²); default 1 per vertex */
  weights?: Float64Array;
}

function fromEdgeLists(n: number, nbrs: Set<number>[]): Adjacency {
  const offsets = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) offsets[v + 1] = offsets[v] + nbrs[v].size;
  const indices = new Int32Array(offsets[n]);
  for (let v = 0; v < n; v++) indices.set(Array.from(nbrs[v]).sort((a, b) => a - b), offsets[v]);
  return { offsets, indices };
}

/** Vertex adjacency of a triangle mesh: triangles laid out [triangle][3] vertex indices. */
export function meshAdjacency(triangles: Uint32Array | Int32Array | readonly number[], nVertices: number): Adjacency {
  if (triangles.length % 3 !== 0) throw new RangeError(`triangles: length ${triangles.length} is not a multiple of 3`);
  const nbrs = Array.from({ length: nVertices }, () => new Set<number>());
  for (let t = 0; t < triangles.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const a = triangles[t + e];
      const b = triangles[t + ((e + 1) % 3)];
      if (!(a >= 0 && a < nVertices && b >= 0 && b < nVertices))
        throw new RangeError(`triangles: triangle ${t / 3} has vertex index outside [0, ${nVertices - 1}]`);
      if (a !== b) {
        nbrs[a].add(b);
        nbrs[b].add(a);
      }
    }
  }
  return fromEdgeLists(nVertices, nbrs);
}

/** Pixel adjacency of an image grid laid out [row][col]: 4-connected (edges) or 8-connected (with corners). */
export function gridAdjacency(rows: number, cols: number, connectivity: 4 | 8 = 8): Adjacency {
  const n = rows * cols;
  const nbrs = Array.from({ length: n }, () => new Set<number>());
  const steps = connectivity === 4 ? [[0, 1], [1, 0]] : [[0, 1], [1, 0], [1, 1], [1, -1]];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      for (const [dr, dc] of steps) {
        const r2 = r + dr;
        const c2 = c + dc;
        if (r2 < rows && c2 >= 0 && c2 < cols) {
          nbrs[r * cols + c].add(r2 * cols + c2);
          nbrs[r2 * cols + c2].add(r * cols + c);
        }
      }
  return fromEdgeLists(n, nbrs);
}

function checkValues(values: Float64Array, adj: Adjacency): void {
  if (values.length !== adj.offsets.length - 1)
    throw new RangeError(`values: has ${values.length} entries but the adjacency has ${adj.offsets.length - 1} vertices`);
}

/** Union-find with extent per root. */
class Clusters {
  parent: Int32Array;
  extent: Float64Array;
  constructor(n: number) {
    this.parent = new Int32Array(n).fill(-1); // -1: not yet above threshold
    this.extent = new Float64Array(n);
  }
  find(v: number): number {
    const p = this.parent;
    let r = v;
    while (p[r] !== r) r = p[r];
    while (p[v] !== r) {
      const next = p[v];
      p[v] = r;
      v = next;
    }
    return r;
  }
  add(v: number, w: number, adj: Adjacency): void {
    this.parent[v] = v;
    this.extent[v] = w;
    for (let i = adj.offsets[v]; i < adj.offsets[v + 1]; i++) {
      const u = adj.indices[i];
      if (this.parent[u] < 0) continue;
      const a = this.find(v);
      const b = this.find(u);
      if (a === b) continue;
      // union by extent keeps the trees shallow
      if (this.extent[a] < this.extent[b]) {
        this.parent[a] = b;
        this.extent[b] += this.extent[a];
      } else {
        this.parent[b] = a;
        this.extent[a] += this.extent[b];
      }
    }
  }
}

/** TFCE-enhanced values (same layout as `values`). */
export function tfce(values: Float64Array, adj: Adjacency, opts: TfceOptions = {}): Float64Array {
  checkValues(values, adj);
  const E = opts.E ?? 0.5;
  const H = opts.H ?? 2;
  const steps = opts.steps ?? 100;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps: must be a positive integer, got ${steps}`);
  if (!Number.isFinite(E) || !Number.isFinite(H)) throw new RangeError(`E, H: must be finite, got ${E}, ${H}`);
  if (opts.weights && opts.weights.length !== values.length)
    throw new RangeError(`weights: has ${opts.weights.length} entries, expected one per vertex (${values.length})`);
  const n = values.length;
  const out = new Float64Array(n);
  let max = 0;
  for (let v = 0; v < n; v++) if (values[v] > max) max = values[v];
  if (!(max > 0)) return out;
  const dh = max / steps;
  // vertices with positive value, in decreasing order of value
  const order = Array.from({ length: n }, (_, i) => i)
    .filter((v) => values[v] > 0)
    .sort((a, b) => values[b] - values[a]);
  const clusters = new Clusters(n);
  const weight = opts.weights;
  let added = 0;
  // e^E is computed once per cluster and step: stamp[r] says for which step cache[r] is valid
  const cache = new Float64Array(n);
  const stamp = new Int32Array(n).fill(-1);
  for (let k = steps; k >= 1; k--) {
    // h_k = k·dh; the top step is exactly max so that the peak vertex is included
    const h = k === steps ? max : k * dh;
    while (added < order.length && values[order[added]] >= h) {
      clusters.add(order[added], weight ? weight[order[added]] : 1, adj);
      added++;
    }
    const hh = Math.pow(h, H) * dh;
    for (let i = 0; i < added; i++) {
      const v = order[i];
      const r = clusters.find(v);
      if (stamp[r] !== k) {
        stamp[r] = k;
        cache[r] = Math.pow(clusters.extent[r], E) * hh;
      }
      out[v] += cache[r];
    }
  }
  return out;
}

/** TFCE on a triangle mesh; triangles [triangle][3]. */
export function tfceMesh(values: Float64Array, triangles: Uint32Array | Int32Array | readonly number[] | Adjacency, opts: TfceOptions = {}): Float64Array {
  const adj = 'offsets' in triangles ? triangles : meshAdjacency(triangles, values.length);
  return tfce(values, adj, opts);
}

/** TFCE on an image [row][col]. */
export function tfceGrid(values: Float64Array, rows: number, cols: number, opts: TfceOptions & { connectivity?: 4 | 8 } = {}): Float64Array {
  if (values.length !== rows * cols) throw new RangeError(`values: has ${values.length} entries, expected rows × cols = ${rows * cols}`);
  return tfce(values, gridAdjacency(rows, cols, opts.connectivity ?? 8), opts);
}

export interface ClusterMassResult {
  /** cluster index per vertex, −1 below the cluster-forming threshold */
  labels: Int32Array;
  /** Σ values over each cluster's vertices */
  masses: Float64Array;
  /** the mass of the cluster containing each vertex (0 outside clusters) */
  vertexMass: Float64Array;
}

/** Clusters of connected vertices with value > threshold and their mass (sum of values). */
export function clusterMass(values: Float64Array, adj: Adjacency, threshold: number): ClusterMassResult {
  checkValues(values, adj);
  if (!Number.isFinite(threshold)) throw new RangeError(`threshold: must be finite, got ${threshold}`);
  const n = values.length;
  const labels = new Int32Array(n).fill(-1);
  const masses: number[] = [];
  const stack: number[] = [];
  for (let s = 0; s < n; s++) {
    if (labels[s] >= 0 || !(values[s] > threshold)) continue;
    const id = masses.length;
    let mass = 0;
    labels[s] = id;
    stack.push(s);
    while (stack.length) {
      const v = stack.pop()!;
      mass += values[v];
      for (let i = adj.offsets[v]; i < adj.offsets[v + 1]; i++) {
        const u = adj.indices[i];
        if (labels[u] < 0 && values[u] > threshold) {
          labels[u] = id;
          stack.push(u);
        }
      }
    }
    masses.push(mass);
  }
  const vertexMass = new Float64Array(n);
  for (let v = 0; v < n; v++) if (labels[v] >= 0) vertexMass[v] = masses[labels[v]];
  return { labels, masses: Float64Array.from(masses), vertexMass };
}
