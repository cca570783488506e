/**
 * The permutation null of an InformationMap, computed without re-running the map.
 *
 * Copula-normalised x does not change when y is permuted, so everything that depends on x alone is
 * computed once:
 *  - continuous y: each variable's dims are whitened, z = L⁻¹ x with Cx = L Lᵀ, so that for any
 *    permutation π, R²(π) = |z · y_π|² / ((n−1)² Cyy) and I = −½ log₂(1 − R²) + bias. The products
 *    z · y_π for a block of permutations are one matrix product (dotBlock).
 *  - discrete y: the class-conditional sums Σ x_i and Σ x_i x_j under a permutation are products
 *    of the features [x_i; x_i x_j] with class-indicator vectors, again one matrix product per block.
 *    Class sizes, and so the bias terms, do not change under permutation.
 *
 * The models are plain objects of typed arrays (SharedArrayBuffer-backed when threads share them).
 */
import { type DotEngine, type DotKernel, bindDotKernel, createDotKernel, kernelThreads } from './gemm';
import { entropyBias } from './gaussian';
import { LN2 } from './special';
import { ccBiasBits } from './map';
import { NullScreen } from './screen';
import { type Adjacency, type TfceOptions, clusterMass, tfce } from './tfce';
import { choleskyInto, halfLogDet } from '../util';

export interface NullModelCC {
  kind: 'cc';
  /**
   * whitened copula-normalised x, [variable][dim][trial]; empty when the model was built chunk by
   * chunk straight into its dot-product kernel (permutation.ts), which then holds the only copy
   */
  z: Float64Array;
  nVar: number;
  nDim: number;
  n: number;
  /** response (copula-normalised, zero mean), [trial] */
  y: Float64Array;
  cyy: number;
  /** bias-correction offset in bits (0 without correction) */
  offset: number;
  /** 1 where a variable is degenerate (constant): its statistic is NaN */
  bad: Uint8Array;
}

export interface NullModelCD {
  kind: 'cd';
  /** features [variable][feature][trial]: d rows x_i then d(d+1)/2 rows x_i·x_j (j ≤ i) */
  f: Float64Array;
  nVar: number;
  nDim: number;
  n: number;
  k: number;
  labels: Int32Array;
  /** Σ_t of each feature row, [variable][feature] */
  totals: Float64Array;
  /** unconditional ½ log det Cx minus its bias, per variable (nats) */
  hunc: Float64Array;
  /** trials per class and bias per class (nats) */
  counts: Float64Array;
  classBias: Float64Array;
  bad: Uint8Array;
}

export type NullModel = NullModelCC | NullModelCD;

/** The per-permutation statistic whose maximum over variables forms the null. */
export type StatisticSpec =
  | { type: 'mi' }
  | { type: 'tfce'; adjacency: Adjacency; options?: TfceOptions }
  | { type: 'clusterMass'; adjacency: Adjacency; threshold: number };

export type Alloc = (n: number) => Float64Array;
export const heapAlloc: Alloc = (n) => new Float64Array(n);
export const sharedAlloc: Alloc = (n) => new Float64Array(new SharedArrayBuffer(n * 8));

function rowMeans(x: Float64Array, v: number, d: number, n: number, out: Float64Array, center: boolean): void {
  for (let i = 0; i < d; i++) {
    let s = 0;
    if (center) for (let t = 0; t < n; t++) s += x[(v * d + i) * n + t];
    out[i] = s / n;
  }
}

/**
 * Whitening of one 3-D variable in two passes: the six covariance sums in one pass, the Cholesky
 * factor in closed form, then z = L⁻¹ (x − mean) in a second pass. False if degenerate (z = 0).
 */
function whiten3(cx: Float64Array, z: Float64Array, base: number, n: number, mean: Float64Array): boolean {
  const o0 = base;
  const o1 = base + n;
  const o2 = base + 2 * n;
  const m0 = mean[0];
  const m1 = mean[1];
  const m2 = mean[2];
  let s00 = 0, s01 = 0, s02 = 0, s11 = 0, s12 = 0, s22 = 0;
  for (let t = 0; t < n; t++) {
    const a = cx[o0 + t] - m0;
    const b = cx[o1 + t] - m1;
    const c = cx[o2 + t] - m2;
    s00 += a * a; s01 += a * b; s02 += a * c;
    s11 += b * b; s12 += b * c; s22 += c * c;
  }
  const w = 1 / (n - 1);
  const l00 = Math.sqrt(s00 * w);
  const l10 = (s01 * w) / l00;
  const l20 = (s02 * w) / l00;
  const l11 = Math.sqrt(s11 * w - l10 * l10);
  const l21 = (s12 * w - l20 * l10) / l11;
  const l22 = Math.sqrt(s22 * w - l20 * l20 - l21 * l21);
  if (!(l00 > 1e-12 && l11 > 1e-12 && l22 > 1e-12)) {
    z.fill(0, base, base + 3 * n);
    return false;
  }
  const i00 = 1 / l00;
  const i11 = 1 / l11;
  const i22 = 1 / l22;
  for (let t = 0; t < n; t++) {
    const z0 = (cx[o0 + t] - m0) * i00;
    const z1 = (cx[o1 + t] - m1 - l10 * z0) * i11;
    z[o0 + t] = z0;
    z[o1 + t] = z1;
    z[o2 + t] = (cx[o2 + t] - m2 - l20 * z0 - l21 * z1) * i22;
  }
  return true;
}

/** Build the cc model from copula-normalised (or raw, center = true) x and y. alloc may return cx itself (whitened in place). */
export function buildModelCC(cx: Float64Array, nVar: number, d: number, n: number, cy: Float64Array, bias: boolean, center: boolean, alloc: Alloc = heapAlloc): NullModelCC {
  const z = alloc(nVar * d * n);
  const bad = new Uint8Array(nVar);
  const mean = new Float64Array(d);
  const l = new Float64Array(d * d);
  for (let v = 0; v < nVar; v++) {
    rowMeans(cx, v, d, n, mean, center);
    const base = v * d * n;
    if (d === 3) {
      if (!whiten3(cx, z, base, n, mean)) bad[v] = 1;
      continue;
    }
    for (let i = 0; i < d; i++) for (let t = 0; t < n; t++) z[base + i * n + t] = cx[base + i * n + t] - mean[i];
    // Cholesky of the covariance, column by column, whitening z rows in place as we go:
    // after row i is whitened, z_i = (x_i − Σ_{j<i} l_ij z_j) / l_ii has unit variance
    for (let i = 0; i < d && !bad[v]; i++) {
      const oi = base + i * n;
      for (let j = 0; j < i; j++) {
        const oj = base + j * n;
        let s = 0;
        for (let t = 0; t < n; t++) s += z[oi + t] * z[oj + t];
        l[i * d + j] = s / (n - 1);
        const c = l[i * d + j];
        for (let t = 0; t < n; t++) z[oi + t] -= c * z[oj + t];
      }
      let ss = 0;
      for (let t = 0; t < n; t++) ss += z[oi + t] * z[oi + t];
      const lii = Math.sqrt(ss / (n - 1));
      if (!(lii > 1e-12)) {
        bad[v] = 1;
        z.fill(0, base, base + d * n);
        break;
      }
      for (let t = 0; t < n; t++) z[oi + t] /= lii;
    }
  }
  let my = 0;
  if (center) {
    for (let t = 0; t < n; t++) my += cy[t];
    my /= n;
  }
  const y = new Float64Array(n);
  let syy = 0;
  for (let t = 0; t < n; t++) {
    y[t] = cy[t] - my;
    syy += y[t] * y[t];
  }
  return { kind: 'cc', z, nVar, nDim: d, n, y, cyy: syy / (n - 1), offset: bias ? ccBiasBits(d, n) : 0, bad };
}

/** Half log-determinant (nats) of a d×d covariance via Cholesky (workers/util); NaN if not positive definite. */
function halfLogDetCov(c: Float64Array, d: number): number {
  if (d === 1) return 0.5 * Math.log(c[0]);
  const l = new Float64Array(d * d);
  return choleskyInto(c, d, l) >= 0 ? NaN : halfLogDet(l, d);
}

/** Build the cd model from copula-normalised (or raw, center = true) x and labels 0..k−1. */
export function buildModelCD(cx: Float64Array, nVar: number, d: number, n: number, labels: Int32Array, k: number, bias: boolean, center: boolean, alloc: Alloc = heapAlloc): NullModelCD {
  const nF = d + (d * (d + 1)) / 2;
  const f = alloc(nVar * nF * n);
  const totals = new Float64Array(nVar * nF);
  const hunc = new Float64Array(nVar);
  const bad = new Uint8Array(nVar);
  const mean = new Float64Array(d);
  const cov = new Float64Array(d * d);
  for (let v = 0; v < nVar; v++) {
    rowMeans(cx, v, d, n, mean, center);
    const fb = v * nF * n;
    for (let i = 0; i < d; i++) for (let t = 0; t < n; t++) f[fb + i * n + t] = cx[(v * d + i) * n + t] - mean[i];
    let q = d;
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++, q++) for (let t = 0; t < n; t++) f[fb + q * n + t] = f[fb + i * n + t] * f[fb + j * n + t];
    for (let r = 0; r < nF; r++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += f[fb + r * n + t];
      totals[v * nF + r] = s;
    }
    q = d;
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++, q++) cov[i * d + j] = cov[j * d + i] = totals[v * nF + q] / (n - 1);
    hunc[v] = halfLogDetCov(cov, d) - (bias ? entropyBias(d, n) : 0);
    if (!Number.isFinite(hunc[v])) bad[v] = 1;
  }
  const counts = new Float64Array(k);
  for (let t = 0; t < n; t++) counts[labels[t]]++;
  const classBias = counts.map((m) => (bias ? entropyBias(d, m) : 0));
  return { kind: 'cd', f, nVar, nDim: d, n, k, labels, totals, hunc, counts, classBias, bad };
}

/** Apply the statistic to one MI map (NaN entries count as 0 for TFCE and clusters). */
export function applyStatistic(mi: Float64Array, spec: StatisticSpec): Float64Array {
  if (spec.type === 'mi') return mi;
  const clean = mi.map((v) => (Number.isFinite(v) ? v : 0));
  if (spec.type === 'tfce') return tfce(clean, spec.adjacency, spec.options);
  return clusterMass(clean, spec.adjacency, spec.threshold).vertexMass;
}

function maxOf(a: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

export const PERM_BLOCK = 24;
export const PERM_BLOCK_CC = 96; // cc: 96 float32 responses of 1,000 trials (384 KB) stay in a 512 KB L2

/** Rows of the model matrix, permutations per block and kernel columns per block. */
export function kernelShape(kind: 'cc' | 'cd', nVar: number, d: number, k: number): { rows: number; block: number; cols: number } {
  if (kind === 'cc') return { rows: nVar * d, block: PERM_BLOCK_CC, cols: PERM_BLOCK_CC };
  const kc = Math.max(1, k - 1);
  const block = Math.max(1, Math.floor(PERM_BLOCK / kc));
  return { rows: nVar * (d + (d * (d + 1)) / 2), block, cols: block * kc };
}

/**
 * The dot-product engine for a model kind: 'auto' is float32 products with float64 sums for cc
 * (the null's squared correlations to a relative ~1e-7, far below the permutation noise) and float64
 * for cd (class-conditional covariances subtract sums of squares, which float32 would not carry).
 */
export function modelEngine(kind: 'cc' | 'cd', engine: DotEngine): DotEngine {
  return engine === 'auto' ? (kind === 'cc' ? 'f32' : 'f64') : engine;
}

/**
 * A kernel whose memory the model can be built into: pass alloc to buildModel*, kernel to
 * NullEvaluator. threads: for the float32 kernel's helper thread (1 where a NullScreen does the work).
 */
export function createModelKernel(kind: 'cc' | 'cd', nVar: number, d: number, n: number, k = 2, engine: DotEngine = 'auto', threads = kernelThreads()): { kernel: DotKernel; alloc: Alloc } {
  const shape = kernelShape(kind, nVar, d, k);
  const kernel = createDotKernel(shape.rows, n, shape.cols, modelEngine(kind, engine), undefined, threads);
  return { kernel, alloc: (len) => (len === kernel.a.length ? kernel.a : new Float64Array(len)) };
}

/**
 * Maximum of the statistic over variables for permutations p0..p1−1 of `perms` (nPerm × n, each
 * row a permutation of 0..n−1: permutation p pairs trial t of x with trial perms[p][t] of y).
 */
export function nullMaxima(model: NullModel, perms: Int32Array, p0: number, p1: number, spec: StatisticSpec = { type: 'mi' }, engine: DotEngine = 'auto'): Float64Array {
  const evaluator = new NullEvaluator(model, spec, engine);
  const out = evaluator.maxima(perms, p0, p1);
  evaluator.release();
  return out;
}

/**
 * Whether the cc null with statistic 'mi' runs through the int16 screen (screen.ts): engine 'auto'
 * on the float32 kernel. The maxima are then float64 sums over the float32 matrix for the few
 * variables that can hold each maximum; engines named explicitly keep their plain products.
 */
export function usesScreen(kind: 'cc' | 'cd', spec: StatisticSpec, engine: DotEngine, kernel: DotKernel): boolean {
  return kind === 'cc' && spec.type === 'mi' && engine === 'auto' && kernel.engine === 'wasm-simd-f32';
}

/** Holds the dot-product kernel (with its copy of the model's matrix) across many calls. */
export class NullEvaluator {
  private readonly kernel: DotKernel;
  private readonly block: number;
  private readonly screen: NullScreen | null = null;

  /**
   * kernel: one from createModelKernel that already holds the model's matrix (no copy); screen: a
   * NullScreen that already holds the model's quantised matrix (permutation.ts builds both chunk by chunk).
   */
  constructor(
    readonly model: NullModel,
    readonly spec: StatisticSpec = { type: 'mi' },
    engine: DotEngine = 'auto',
    kernel?: DotKernel,
    screen?: NullScreen,
  ) {
    const shape = kernelShape(model.kind, model.nVar, model.nDim, model.kind === 'cd' ? model.k : 2);
    this.block = shape.block;
    const a = model.kind === 'cc' ? model.z : model.f;
    this.kernel = kernel ?? bindDotKernel(a, shape.rows, model.n, shape.cols, modelEngine(model.kind, engine));
    if (model.kind === 'cc' && usesScreen(model.kind, spec, engine, this.kernel)) {
      if (screen) this.screen = screen;
      else if (model.z.length === model.nVar * model.nDim * model.n) {
        this.screen = new NullScreen(model.nVar, model.nDim, model.n, shape.cols, model.y, kernelThreads());
        this.screen.setVariables(0, model.z);
      }
    } else screen?.release();
  }

  /** variables recomputed exactly by the screen so far (diagnostics), or null without one */
  get screened(): number | null {
    return this.screen ? this.screen.recomputed : null;
  }

  get engine(): string {
    return this.kernel.engine;
  }

  /** Done: the kernel's memory serves the next kernel of this process (gemm.ts, release). */
  release(): void {
    this.kernel.release();
    this.screen?.release();
  }

  private readonly exactDot = (row: number, y: Float64Array, yOff: number) => this.kernel.exactDot(row, y, yOff);

  maxima(perms: Int32Array, p0: number, p1: number): Float64Array {
    return this.model.kind === 'cc' ? this.maximaCC(this.model, perms, p0, p1) : this.maximaCD(this.model, perms, p0, p1);
  }

  /**
   * g = kernel output [row = variable·d + dim][permutation of the block]; read in that order (the
   * block's columns side by side), so the whole output is walked once per block. For the MI
   * statistic the maximum over variables is taken on R² (the MI grows with it), so the logarithm
   * runs once per permutation; other statistics need the whole map of each permutation.
   */
  private maximaCC(model: NullModelCC, perms: Int32Array, p0: number, p1: number): Float64Array {
    const out = new Float64Array(p1 - p0);
    const { n, nVar, nDim: d } = model;
    const block = this.block;
    const wholeMap = this.spec.type !== 'mi';
    const mi = new Float64Array(wholeMap ? block * nVar : 0); // [perm of block][variable]
    const [r2max, yb] = [new Float64Array(block), new Float64Array(block * n)];
    const scale = 1 / ((n - 1) * (n - 1) * model.cyy);
    const miOf = (r2: number) => (-0.5 * Math.log1p(-r2)) / LN2 + model.offset;
    for (let b0 = p0; b0 < p1; b0 += block) {
      const nb = Math.min(block, p1 - b0);
      for (let b = 0; b < nb; b++) {
        const pr = (b0 + b) * n;
        for (let t = 0; t < n; t++) yb[b * n + t] = model.y[perms[pr + t]];
      }
      if (this.screen && !wholeMap) {
        this.screen.maxima(yb, nb, model.bad, this.exactDot, r2max);
        for (let b = 0; b < nb; b++) out[b0 - p0 + b] = r2max[b] === -Infinity ? -Infinity : miOf(r2max[b] * scale);
        continue;
      }
      const g = this.kernel.run(yb, nb);
      r2max.fill(-Infinity);
      for (let v = 0; v < nVar; v++) {
        const row = v * d * nb;
        if (model.bad[v] && wholeMap) for (let b = 0; b < nb; b++) mi[b * nVar + v] = NaN;
        if (model.bad[v]) continue;
        for (let b = 0; b < nb; b++) {
          let s = 0;
          for (let i = 0; i < d; i++) {
            const c = g[row + i * nb + b];
            s += c * c;
          }
          const r2 = s * scale;
          if (wholeMap) mi[b * nVar + v] = miOf(r2);
          else if (r2 > r2max[b]) r2max[b] = r2;
        }
      }
      for (let b = 0; b < nb; b++) out[b0 - p0 + b] = wholeMap ? maxOf(applyStatistic(mi.subarray(b * nVar, (b + 1) * nVar), this.spec)) : r2max[b] === -Infinity ? -Infinity : miOf(r2max[b]);
    }
    return out;
  }

  private maximaCD(model: NullModelCD, perms: Int32Array, p0: number, p1: number): Float64Array {
    const out = new Float64Array(p1 - p0);
    const { n, nVar, nDim: d, k, labels, totals, counts, classBias, hunc } = model;
    const mi = new Float64Array(nVar);
    const nF = d + (d * (d + 1)) / 2;
    const kc = k - 1; // the last class's sums are the totals minus the others
    const block = this.block;
    const ind = new Float64Array(block * Math.max(1, kc) * n);
    const s1 = new Float64Array(k * d);
    const s2 = new Float64Array(k * d * d);
    const cov = new Float64Array(d * d);
    for (let b0 = p0; b0 < p1; b0 += block) {
      const nb = Math.min(block, p1 - b0);
      ind.fill(0);
      for (let b = 0; b < nb; b++) {
        const pr = (b0 + b) * n;
        for (let t = 0; t < n; t++) {
          const c = labels[perms[pr + t]];
          if (c < kc) ind[(b * kc + c) * n + t] = 1;
        }
      }
      const cols = nb * kc;
      const g = kc > 0 ? this.kernel.run(ind, cols) : ind;
      for (let b = 0; b < nb; b++) {
        for (let v = 0; v < nVar; v++) {
          if (model.bad[v]) {
            mi[v] = NaN;
            continue;
          }
          const rb = v * nF;
          let hcond = 0;
          for (let c = 0; c < k; c++) {
            let q = d;
            for (let i = 0; i < d; i++) {
              s1[c * d + i] = c < kc ? g[(rb + i) * cols + b * kc + c] : totals[rb + i] - sumOther(g, (rb + i) * cols + b * kc, kc);
              for (let j = 0; j <= i; j++, q++)
                s2[c * d * d + i * d + j] = c < kc ? g[(rb + q) * cols + b * kc + c] : totals[rb + q] - sumOther(g, (rb + q) * cols + b * kc, kc);
            }
            const m = counts[c];
            for (let i = 0; i < d; i++)
              for (let j = 0; j <= i; j++)
                cov[i * d + j] = cov[j * d + i] = (s2[c * d * d + i * d + j] - (s1[c * d + i] * s1[c * d + j]) / m) / (m - 1);
            hcond += (m / n) * (halfLogDetCov(cov, d) - classBias[c]);
          }
          mi[v] = (hunc[v] - hcond) / LN2;
        }
        out[b0 - p0 + b] = maxOf(applyStatistic(mi, this.spec));
      }
    }
    return out;
  }
}

function sumOther(g: Float64Array, at: number, kc: number): number {
  let s = 0;
  for (let c = 0; c < kc; c++) s += g[at + c];
  return s;
}
