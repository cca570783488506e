/**
 * The vertex set of the 'vertex' noise basis at a minimum spacing: a farthest-point subsample of the
 * mean face (Euclidean distance, mm).
 *
 * Independent per-vertex noise spreads a planted response's R² evenly over the region's
 * noise-carrying vertices (R²/n each), so recall is bounded by the trials: a vertex is found when
 * its non-centrality T·R²/n clears the max-statistic threshold. On a dense mesh (ICT: 1,320 mouth
 * vertices) no trial count under the cap reaches it; noise on every vertex at least `spacingMm`
 * apart keeps n small enough (docs/methods.md, "Vertex noise"). The subsample is deterministic:
 * it starts at the vertex nearest the set's centroid and adds, one at a time, the vertex farthest
 * from those chosen, until every vertex lies within `spacingMm` of a chosen one (so chosen vertices
 * are ≥ spacingMm apart and cover the set at that radius).
 */
import type { FaceModel } from '../../faces/model';

export function farthestPointSubsample(model: FaceModel, vertices: Uint32Array, spacingMm: number): Uint32Array {
  if (!(spacingMm >= 0 && spacingMm <= 100)) throw new Error(`vertex spacing must be in [0, 100] mm, got ${spacingMm}`);
  const n = vertices.length;
  if (n === 0 || spacingMm === 0) return Uint32Array.from(vertices);
  const m = model.mean;
  const x = new Float64Array(n), y = new Float64Array(n), z = new Float64Array(n);
  let cx = 0, cy = 0, cz = 0;
  vertices.forEach((v, i) => { x[i] = m[v * 3]; y[i] = m[v * 3 + 1]; z[i] = m[v * 3 + 2]; cx += x[i]; cy += y[i]; cz += z[i]; });
  cx /= n; cy /= n; cz /= n;
  const d2 = new Float64Array(n);
  let first = 0;
  for (let i = 0; i < n; i++) {
    d2[i] = (x[i] - cx) ** 2 + (y[i] - cy) ** 2 + (z[i] - cz) ** 2;
    if (d2[i] < d2[first]) first = i;
  }
  d2.fill(Infinity);
  const chosen: number[] = [];
  const s2 = spacingMm * spacingMm;
  let next = first;
  while (true) {
    chosen.push(vertices[next]);
    const px = x[next], py = y[next], pz = z[next];
    let far = -1, farD = -1;
    for (let i = 0; i < n; i++) {
      const d = (x[i] - px) ** 2 + (y[i] - py) ** 2 + (z[i] - pz) ** 2;
      if (d < d2[i]) d2[i] = d;
      if (d2[i] > farD) { farD = d2[i]; far = i; }
    }
    if (farD < s2) break;
    next = far;
  }
  return Uint32Array.from(chosen).sort();
}
