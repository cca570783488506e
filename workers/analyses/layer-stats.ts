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
import { choleskyInto, logDetFromPivots } from '../util';

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

/**
 * Whitened copy of s ([dim][trial]): L⁻¹(x − mean), L the Cholesky factor of the sample covariance
 * (divisor T − 1), so that its sample covariance is the identity. Throws RangeError when singular.
 */
export function whiten(s: Samples): Float64Array {
  const { dims: d, trials: T } = s;
  const x = new Float64Array(d * T);
  for (let i = 0; i < d; i++) {
    let m = 0;
    for (let t = 0; t < T; t++) m += s.data[i * T + t];
    m /= T;
    for (let t = 0; t < T; t++) x[i * T + t] = s.data[i * T + t] - m;
  }
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) {
    let a = 0;
    for (let t = 0; t < T; t++) a += x[i * T + t] * x[j * T + t];
    c[i * d + j] = a / (T - 1);
  }
  const L = new Float64Array(d * d);
  const failed = choleskyInto(c, d, L, { relativeTolerance: 1e-12 });
  if (failed >= 0) throw new RangeError(`whiten: covariance is singular at dimension ${failed}`);
  // forward substitution, trial by trial, in place
  for (let t = 0; t < T; t++) for (let i = 0; i < d; i++) {
    let a = x[i * T + t];
    for (let k = 0; k < i; k++) a -= L[i * d + k] * x[k * T + t];
    x[i * T + t] = a / L[i * d + i];
  }
  return x;
}

/** log det of a symmetric positive-definite n × n matrix (Cholesky, workers/util), or −∞ when not positive definite. */
function logDetSpd(a: Float64Array, n: number): number {
  const pivots = new Float64Array(n);
  return choleskyInto(a, n, new Float64Array(n * n), { pivots }) >= 0 ? -Infinity : logDetFromPivots(pivots, n);
}

/**
 * The permutation null of I(F_v; L) without re-estimating covariances: with x (d × T) and y
 * (k × T) whitened, the Gaussian MI is −½ log det(I − C Cᵀ) / ln 2 bits, C = x yᵀ / (T − 1) — the
 * same number miGGSamples gives before its bias correction, which for fixed (d, k, T) is a constant
 * offset. The offset is measured once per d on the observed data (`offset`), so null and observed
 * values are in the same (bias-corrected) bits. Permuting y's trials keeps it white.
 */
export class FastLayerNull {
  /** [P][k][T] whitened, permuted copies of the layer. */
  private readonly perms: Float64Array[];
  /** [k][T] the whitened layer in trial order. */
  private readonly y: Float64Array;
  readonly k: number;
  private readonly T: number;
  private readonly C: Float64Array;
  private readonly M: Float64Array;

  constructor(layer: Samples, P: number, seed: number) {
    this.k = layer.dims;
    this.T = layer.trials;
    const w = whiten(layer);
    this.y = w;
    this.perms = permutedSamples({ data: w, dims: layer.dims, trials: layer.trials }, P, seed).map((s) => s.data);
    this.C = new Float64Array(3 * this.k);
    this.M = new Float64Array(9);
  }

  get permutations(): number { return this.perms.length; }

  /** Uncorrected Gaussian MI (bits) between whitened x (d × T) and whitened y (k × T). */
  mi(x: Float64Array, d: number, y: Float64Array): number {
    const { k, T, C, M } = this;
    for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) {
      let s = 0;
      const xo = i * T, yo = j * T;
      for (let t = 0; t < T; t++) s += x[xo + t] * y[yo + t];
      C[i * k + j] = s / (T - 1);
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      let s = i === j ? 1 : 0;
      for (let q = 0; q < k; q++) s -= C[i * k + q] * C[j * k + q];
      M[i * d + j] = s;
    }
    return -0.5 * logDetSpd(M, d) / Math.LN2;
  }

  /**
   * The permuted MI of vertex x (whitened, d × T) in the units of `observedBits` (miGGSamples of the
   * same vertex and layer, bias corrected): offset = observed − uncorrected, added to every permutation.
   */
  permutedMi(x: Float64Array, d: number, observedBits: number, out = new Float64Array(this.perms.length)): Float64Array {
    const offset = observedBits - this.mi(x, d, this.y);
    for (let p = 0; p < this.perms.length; p++) out[p] = this.mi(x, d, this.perms[p]) + offset;
    return out;
  }
}
