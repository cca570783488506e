/**
 * The vertex set of the 'vertex' noise basis at a minimum spacing: a farthest-point subsample of the
 * mean face (Euclidean distance, mm).
 *
 * Independent per-vertex noise spreads a planted response's R² evenly over the region's
 * noise-carrying vertices (R²/n each), so recall is bounded by the trials: a vertex is found when
 * its non-centrality T·R²/n clears the max-statistic threshold. On a dense mesh (ICT: 1,320 mouth
 * vertices) no trial count under the cap reaches it; noise on every vertex at least `spacingMm`
 * apart keeps n small enough (docs/oracles.md, "Vertex noise"). The subsample is deterministic:
 * it starts at the vertex of `first` (the planted region; else of the whole set) nearest its
 * centroid and adds, one at a time, the vertex of `first` farthest from those chosen until `first`
 * is covered, then likewise over the whole set, until every vertex lies within `spacingMm` of a
 * chosen one (chosen vertices are ≥ spacingMm apart and cover the set at that radius). Starting in
 * the region gives every region, however small, at least one noise-carrying vertex.
 */
import type { FaceModel } from '../../faces/model';

export function farthestPointSubsample(model: FaceModel, vertices: Uint32Array, spacingMm: number, first?: Uint32Array): Uint32Array {
  if (!(spacingMm >= 0 && spacingMm <= 100)) throw new Error(`vertex spacing must be in [0, 100] mm, got ${spacingMm}`);
  const n = vertices.length;
  if (n === 0 || spacingMm === 0) return Uint32Array.from(vertices);
  const m = model.mean;
  const x = new Float64Array(n), y = new Float64Array(n), z = new Float64Array(n);
  vertices.forEach((v, i) => { x[i] = m[v * 3]; y[i] = m[v * 3 + 1]; z[i] = m[v * 3 + 2]; });
  // phase 1 picks among `first` (indices into vertices), phase 2 among all
  const index = new Map<number, number>();
  vertices.forEach((v, i) => index.set(v, i));
  const phase1 = first ? [...first].map((v) => index.get(v)).filter((i): i is number => i !== undefined) : [];
  const all = Array.from({ length: n }, (_, i) => i);
  const start = (pool: number[]) => {
    let cx = 0, cy = 0, cz = 0;
    for (const i of pool) { cx += x[i]; cy += y[i]; cz += z[i]; }
    cx /= pool.length; cy /= pool.length; cz /= pool.length;
    let best = pool[0], bestD = Infinity;
    for (const i of pool) {
      const d = (x[i] - cx) ** 2 + (y[i] - cy) ** 2 + (z[i] - cz) ** 2;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  };
  const d2 = new Float64Array(n).fill(Infinity);
  const chosen: number[] = [];
  const s2 = spacingMm * spacingMm;
  const add = (i: number) => {
    chosen.push(vertices[i]);
    const px = x[i], py = y[i], pz = z[i];
    for (let j = 0; j < n; j++) {
      const d = (x[j] - px) ** 2 + (y[j] - py) ** 2 + (z[j] - pz) ** 2;
      if (d < d2[j]) d2[j] = d;
    }
  };
  const farthest = (pool: number[]) => {
    let far = -1, farD = -1;
    for (const i of pool) if (d2[i] > farD) { farD = d2[i]; far = i; }
    return farD >= s2 ? far : -1;
  };
  add(start(phase1.length ? phase1 : all));
  for (const pool of phase1.length ? [phase1, all] : [all]) {
    for (let i = farthest(pool); i >= 0; i = farthest(pool)) add(i);
  }
  return Uint32Array.from(chosen).sort();
}
