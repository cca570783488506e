/**
 * Helpers shared by the importers: checking and re-orthonormalising imported bases, assigning
 * texture components to spatial-frequency bands, and carrying the default model's regions,
 * landmarks and (optionally) texture space onto an imported mesh by nearest-vertex
 * correspondence after a similarity alignment.
 */
import type { FaceModel } from '../model';
import { gramSchmidt, packRows } from '../basis-linalg';
import { buildAdjacency } from '../meshops';

/**
 * Checks that the K rows [K][N] are orthonormal within `tolerance` (max |BBᵀ − I|), then
 * re-orthonormalises them in Float64 so the stored basis meets 1e-5. Throws naming `what`.
 */
export function orthonormaliseChecked(rows: Float64Array[], tolerance: number, what: string): Float32Array {
  let worst = 0, wi = 0, wj = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let j = i; j < rows.length; j++) {
      let s = 0;
      const a = rows[i], b = rows[j];
      for (let t = 0; t < a.length; t++) s += a[t] * b[t];
      const e = Math.abs(s - (i === j ? 1 : 0));
      if (e > worst) { worst = e; wi = i; wj = j; }
    }
  }
  if (worst > tolerance) throw new Error(`${what}: basis is not orthonormal: |BᵀB − I| = ${worst.toExponential(2)} at (${wi}, ${wj}) exceeds the tolerance ${tolerance}`);
  const { rows: q } = gramSchmidt(rows);
  return packRows(q, rows[0]?.length ?? 0);
}

/**
 * Band of each texture row by its roughness on the mesh: the Rayleigh quotient xᵀLx / xᵀx of the
 * graph Laplacian, split into `bands` equal-count groups (0 = smoothest).
 */
export function bandsByRoughness(basis: Float32Array, K: number, V: number, triangles: Uint32Array, bands = 3): Uint8Array {
  const adj = buildAdjacency(V, triangles);
  const rough = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const o = k * V * 3;
    let num = 0, den = 0;
    for (let v = 0; v < V; v++) {
      for (let c = 0; c < 3; c++) {
        const x = basis[o + v * 3 + c];
        den += x * x;
        for (let e = adj.offsets[v]; e < adj.offsets[v + 1]; e++) {
          const d = x - basis[o + adj.indices[e] * 3 + c];
          num += 0.5 * d * d;
        }
      }
    }
    rough[k] = den > 0 ? num / den : 0;
  }
  const order = Array.from({ length: K }, (_, k) => k).sort((a, b) => rough[a] - rough[b]);
  const out = new Uint8Array(K);
  order.forEach((k, rank) => { out[k] = Math.min(bands - 1, Math.floor((rank * bands) / K)); });
  return out;
}

/** Similarity (scale s, translation t) mapping `from` points onto `to` points (least squares, no rotation). */
export function fitScaleTranslation(from: number[][], to: number[][]): { s: number; t: number[] } {
  const n = from.length;
  const cf = [0, 1, 2].map((c) => from.reduce((a, p) => a + p[c], 0) / n);
  const ct = [0, 1, 2].map((c) => to.reduce((a, p) => a + p[c], 0) / n);
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) { num += (from[i][c] - cf[c]) * (to[i][c] - ct[c]); den += (from[i][c] - cf[c]) ** 2; }
  const s = den > 0 ? num / den : 1;
  return { s, t: [0, 1, 2].map((c) => ct[c] - s * cf[c]) };
}

/** For each target vertex, the nearest vertex of `ref` (after mapping the target by s·x + t); grid-accelerated. */
export function nearestVertices(target: Float32Array, s: number, t: number[], ref: Float32Array): Uint32Array {
  const cell = 6; // mm
  const grid = new Map<string, number[]>();
  const key = (x: number, y: number, z: number) => `${Math.floor(x / cell)},${Math.floor(y / cell)},${Math.floor(z / cell)}`;
  for (let v = 0; v < ref.length / 3; v++) {
    const k = key(ref[v * 3], ref[v * 3 + 1], ref[v * 3 + 2]);
    let l = grid.get(k);
    if (!l) grid.set(k, (l = []));
    l.push(v);
  }
  const out = new Uint32Array(target.length / 3);
  for (let v = 0; v < out.length; v++) {
    const x = s * target[v * 3] + t[0], y = s * target[v * 3 + 1] + t[1], z = s * target[v * 3 + 2] + t[2];
    let best = -1, bestD = Infinity;
    for (let r = 0; best < 0 || r <= 1; r++) {
      const gx = Math.floor(x / cell), gy = Math.floor(y / cell), gz = Math.floor(z / cell);
      for (let dx = -r; dx <= r; dx++) for (let dy = -r; dy <= r; dy++) for (let dz = -r; dz <= r; dz++) {
        if (Math.max(Math.abs(dx), Math.abs(dy), Math.abs(dz)) !== r) continue;
        for (const u of grid.get(`${gx + dx},${gy + dy},${gz + dz}`) ?? []) {
          const d = (ref[u * 3] - x) ** 2 + (ref[u * 3 + 1] - y) ** 2 + (ref[u * 3 + 2] - z) ** 2;
          if (d < bestD) { bestD = d; best = u; }
        }
      }
      if (r > 60) break;
    }
    out[v] = Math.max(0, best);
  }
  return out;
}

/** Regions and landmarks of `ref` carried to the target through `nearest` (target vertex → ref vertex). */
export function transferRegions(ref: FaceModel, nearest: Uint32Array, target: Float32Array, s: number, t: number[]): { regions: Record<string, Uint32Array>; landmarks: Record<string, number> } {
  const regionOf = new Map<string, Set<number>>();
  for (const [name, idx] of Object.entries(ref.regions)) regionOf.set(name, new Set(idx));
  const regions: Record<string, Uint32Array> = {};
  for (const [name, set] of regionOf) {
    const l: number[] = [];
    nearest.forEach((r, v) => { if (set.has(r)) l.push(v); });
    regions[name] = Uint32Array.from(l);
  }
  const landmarks: Record<string, number> = {};
  for (const [name, rv] of Object.entries(ref.landmarks)) {
    let best = 0, bestD = Infinity;
    for (let v = 0; v < nearest.length; v++) {
      const d = (s * target[v * 3] + t[0] - ref.mean[rv * 3]) ** 2 + (s * target[v * 3 + 1] + t[1] - ref.mean[rv * 3 + 1]) ** 2 + (s * target[v * 3 + 2] + t[2] - ref.mean[rv * 3 + 2]) ** 2;
      if (d < bestD) { bestD = d; best = v; }
    }
    landmarks[name] = best;
  }
  return { regions, landmarks };
}

/** The default model's texture space gathered onto the target vertices and re-orthonormalised. */
export function transferTexture(ref: FaceModel, nearest: Uint32Array): { albedoMean: Float32Array; basis: Float32Array; sd: Float32Array; band: Uint8Array; names: string[] } {
  const V = nearest.length, N = V * 3, Nr = ref.vertexCount * 3;
  const gather = (src: Float32Array, o: number) => {
    const out = new Float64Array(N);
    for (let v = 0; v < V; v++) for (let c = 0; c < 3; c++) out[v * 3 + c] = src[o + nearest[v] * 3 + c];
    return out;
  };
  const albedoMean = Float32Array.from(gather(ref.albedoMean, 0));
  const raw = Array.from({ length: ref.textureSd.length }, (_, k) => gather(ref.textureBasis, k * Nr).map((x) => x * ref.textureSd[k]));
  const { rows, kept, residualNorms } = gramSchmidt(raw);
  return {
    albedoMean, basis: packRows(rows, N), sd: Float32Array.from(kept.map((k) => residualNorms[k])),
    band: Uint8Array.from(kept.map((k) => ref.textureBand[k])), names: kept.map((k) => ref.textureNames[k]),
  };
}

/** Zero demographic rows (an imported model without a demographic norm). */
export function emptyDemographics(N: number) {
  const names = ['gender', 'age', 'ethnicity:A', 'ethnicity:B', 'ethnicity:C'];
  return {
    spec: { names, ethnicityGroups: ['A', 'B', 'C'], ageReference: 40, agePerUnit: 20, ageRange: [18, 75] as [number, number] },
    shape: new Float32Array(names.length * N),
    texture: new Float32Array(names.length * N),
  };
}
