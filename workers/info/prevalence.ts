/**
 * Bayesian population prevalence (Ince, Paton, Kay, Schyns 2021, eLife 10:e62461): how common an
 * effect is in the population, from k of n participants whose within-participant test is significant.
 *
 * Each participant's test has false-positive rate α (e.g. the FWER of their map) and sensitivity β
 * (power when the effect is present). With population prevalence γ, a randomly drawn participant
 * tests significant with probability θ(γ) = (1 − γ)·α + γ·β, so k ~ Binomial(n, θ). Under a uniform
 * prior on γ ∈ [0, 1] the posterior is p(γ | k) ∝ θ(γ)^k (1 − θ(γ))^(n − k) (θ is affine in γ).
 *
 * Reported: the MAP γ̂ = clamp((k/n − α)/(β − α), 0, 1); the highest posterior density interval
 * (HPDI) at the given credibility; the one-sided lower bound (the (1 − credibility) quantile, "the
 * prevalence is at least ..."); and the posterior mean. They are computed on a grid of γ (default
 * 10,001 points, resolution 1e-4) with the trapezoid rule. β = 1 (the default) is conservative: a
 * lower β raises every estimate of γ for the same k.
 */

export interface PrevalenceOptions {
  /** Within-participant false-positive rate α ∈ (0, 1). */
  alpha: number;
  /** Within-participant sensitivity β ∈ (α, 1]; default 1. */
  beta?: number;
  /** Credibility of the HPDI and of the lower bound; default 0.95. */
  credibility?: number;
  /** Grid points over γ ∈ [0, 1]; default 10,001. */
  gridPoints?: number;
}

export interface Prevalence {
  k: number;
  n: number;
  alpha: number;
  beta: number;
  credibility: number;
  /** Maximum a posteriori γ. */
  map: number;
  /** Highest posterior density interval [lower, upper] of γ. */
  hpdi: [number, number];
  /** P(γ ≥ lowerBound | k) = credibility. */
  lowerBound: number;
  posteriorMean: number;
}

function checkCounts(k: number, n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`n (participants) must be an integer ≥ 1, got ${n}`);
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new Error(`k (significant participants) must be an integer in [0, n = ${n}], got ${k}`);
}

/** log p(γ | k) up to a constant, on the grid γ_i = i/(G − 1). */
export function prevalenceLogPosterior(k: number, n: number, alpha: number, beta: number, gridPoints: number): Float64Array {
  const G = gridPoints;
  const out = new Float64Array(G);
  for (let i = 0; i < G; i++) {
    const g = i / (G - 1);
    const theta = (1 - g) * alpha + g * beta;
    out[i] = (k > 0 ? k * Math.log(theta) : 0) + (n - k > 0 ? (n - k) * Math.log(1 - theta) : 0);
  }
  return out;
}

export function bayesianPrevalence(k: number, n: number, opts: PrevalenceOptions): Prevalence {
  checkCounts(k, n);
  const alpha = opts.alpha, beta = opts.beta ?? 1, cred = opts.credibility ?? 0.95, G = opts.gridPoints ?? 10_001;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha (within-participant false-positive rate) must be in (0, 1), got ${alpha}`);
  if (!(beta > alpha && beta <= 1)) throw new Error(`beta (within-participant sensitivity) must be in (alpha = ${alpha}, 1], got ${beta}`);
  if (!(cred > 0 && cred < 1)) throw new Error(`credibility must be in (0, 1), got ${cred}`);
  if (!(Number.isInteger(G) && G >= 101)) throw new Error(`gridPoints must be an integer ≥ 101, got ${G}`);
  const logp = prevalenceLogPosterior(k, n, alpha, beta, G);
  let max = -Infinity;
  for (const v of logp) if (v > max) max = v;
  const h = 1 / (G - 1);
  const p = Float64Array.from(logp, (v) => Math.exp(v - max));
  // trapezoid masses of the G − 1 cells, and the CDF at the grid points
  const cdf = new Float64Array(G);
  for (let i = 1; i < G; i++) cdf[i] = cdf[i - 1] + ((p[i - 1] + p[i]) / 2) * h;
  const Z = cdf[G - 1];
  let mean = 0;
  for (let i = 1; i < G; i++) mean += (((i - 1) * p[i - 1] + i * p[i]) / 2) * h * h;
  mean /= Z;
  // lower bound: the (1 − credibility) quantile of the CDF, interpolated within its cell
  const target = (1 - cred) * Z;
  let j = 1;
  while (j < G - 1 && cdf[j] < target) j++;
  const lowerBound = ((j - 1) + (target - cdf[j - 1]) / Math.max(cdf[j] - cdf[j - 1], 1e-300)) * h;
  // HPDI: the grid cells of highest density whose mass reaches the credibility (a unimodal posterior: an interval)
  const cells = Array.from({ length: G - 1 }, (_, i) => i).sort((a, b) => (p[b] + p[b + 1]) - (p[a] + p[a + 1]));
  let mass = 0, lo = G, hi = -1;
  for (const c of cells) {
    mass += cdf[c + 1] - cdf[c];
    lo = Math.min(lo, c);
    hi = Math.max(hi, c + 1);
    if (mass >= cred * Z) break;
  }
  const map = Math.min(1, Math.max(0, (k / n - alpha) / (beta - alpha)));
  return { k, n, alpha, beta, credibility: cred, map, hpdi: [lo * h, hi * h], lowerBound: Math.max(0, Math.min(1, lowerBound)), posteriorMean: mean };
}

/**
 * Prevalence per variable (e.g. per vertex) from each participant's significance mask [P][V]:
 * k_v = participants significant at v. Returns MAP and lower bound per variable (Float32Array [V]).
 */
export function prevalenceMap(masks: Uint8Array[], opts: PrevalenceOptions): { k: Int32Array; map: Float32Array; lowerBound: Float32Array } {
  const n = masks.length;
  if (n === 0) throw new Error('prevalenceMap: no participant masks');
  const V = masks[0].length;
  for (const [i, m] of masks.entries()) if (m.length !== V) throw new Error(`prevalenceMap: mask ${i} has ${m.length} entries, mask 0 has ${V}`);
  const k = new Int32Array(V);
  for (const m of masks) for (let v = 0; v < V; v++) k[v] += m[v] ? 1 : 0;
  const byK = new Map<number, Prevalence>();
  const map = new Float32Array(V), lowerBound = new Float32Array(V);
  for (let v = 0; v < V; v++) {
    let r = byK.get(k[v]);
    if (!r) { r = bayesianPrevalence(k[v], n, { ...opts, gridPoints: opts.gridPoints ?? 2001 }); byK.set(k[v], r); }
    map[v] = r.map;
    lowerBound[v] = r.lowerBound;
  }
  return { k, map, lowerBound };
}
