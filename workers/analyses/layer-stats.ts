/**
 * Statistics shared by the hidden-layer and pose-invariance analyses (layers × vertices):
 *  - the maximum-statistic permutation threshold of a per-vertex map I(F_v; L): the layer's trials
 *    are permuted (the same P seeded permutations for every vertex), the maximum over vertices of
 *    each permuted map is the null, and workers/info's fwerThreshold gives the one FWER threshold
 *    (the rule the reverse-correlation maps use; Nichols & Holmes 2002);
 *  - the diagnostic vertices: those reverse correlation found significant, or, without a map,
 *    the vertices that carry the most information about the decision.
 * Layout: Samples {data [dim][trial]}; masks Uint8Array [vertex], 1 = selected.
 */
import { fwerThreshold, Rng, type Samples } from '../info';

/** P copies of a layer's samples with the trial order permuted (seeded, one order per copy). */
export function permutedSamples(s: Samples, P: number, seed: number): Samples[] {
  const rng = new Rng(seed);
  const order = new Int32Array(s.trials);
  return Array.from({ length: P }, () => {
    rng.permutation(s.trials, order);
    const data = new Float64Array(s.data.length);
    for (let d = 0; d < s.dims; d++) for (let t = 0; t < s.trials; t++) data[d * s.trials + t] = s.data[d * s.trials + order[t]];
    return { data, dims: s.dims, trials: s.trials };
  });
}

/** Running maximum of each permutation's map over vertices ([P], starts at −∞). */
export class MaxNull {
  readonly max: Float64Array;
  constructor(readonly permutations: number) { this.max = new Float64Array(permutations).fill(-Infinity); }
  /** Permutation p of one vertex gave `value` (NaN counts as +∞, as in fwerThreshold: conservative). */
  add(p: number, value: number): void {
    const v = Number.isNaN(value) ? Infinity : value;
    if (v > this.max[p]) this.max[p] = v;
  }
  /** The FWER threshold (bits) and the mask of map values strictly above it. */
  threshold(map: Float32Array, alpha: number): { threshold: number; significant: Uint8Array } {
    const threshold = this.permutations > 0 ? fwerThreshold(this.max, alpha) : Infinity;
    const significant = new Uint8Array(map.length);
    for (let v = 0; v < map.length; v++) significant[v] = map[v] > threshold ? 1 : 0;
    return { threshold, significant };
  }
}

/**
 * The vertices the co-information is averaged over: the given significant mask (reverse
 * correlation), at most `cap` of them, the most informative first (by `score`); without a mask or
 * with an empty one, the `cap` vertices with the highest finite score.
 */
export function diagnosticVertices(score: Float32Array, mask: Uint8Array | undefined, cap: number): { vertices: number[]; source: 'reverse-correlation' | 'top-decision-mi' } {
  const finite = (v: number) => Number.isFinite(score[v]);
  const all = Array.from(score.keys()).filter(finite);
  const fromMask = mask ? all.filter((v) => mask[v]) : [];
  const pool = fromMask.length > 0 ? fromMask : all;
  const vertices = pool.sort((a, b) => score[b] - score[a]).slice(0, cap);
  return { vertices, source: fromMask.length > 0 ? 'reverse-correlation' : 'top-decision-mi' };
}
