/**
 * Permutation test of an InformationMap with the maximum statistic over variables, which controls
 * the family-wise error rate (Nichols & Holmes 2002).
 *
 *   pFwer[v] = (1 + #{p : maxNull[p] ≥ stat[v]}) / (nPerm + 1)
 *   threshold = the ⌊alpha·(nPerm+1)⌋-th largest maxNull value, so that stat[v] > threshold ⇔ pFwer[v] ≤ alpha
 *   mask[v] = 1 where stat[v] > threshold
 *
 * The statistic is the MI itself (bits), or its TFCE enhancement, or the mass of the cluster that
 * contains the vertex. Permutations come from a seeded RNG (xoshiro128**), generated up front, so
 * results do not depend on the number of threads.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkMapArgs, constantVariables, miMapCCKernel, miMapCDKernel, prepareMapX, prepareY } from './map';
import { type Alloc, type NullModel, type NullModelCC, NullEvaluator, type StatisticSpec, applyStatistic, buildModelCC, buildModelCD, createModelKernel, kernelShape, sharedAlloc, usesScreen } from './nullmodel';
import { NullScreen } from './screen';
import { copnormFinite } from './copnorm';
import { type DotKernel, kernelThreads } from './gemm';
import { Rng } from './permutation-rng';
import { allFinite64, asLabels, checkFinite, warn } from './validate';

export interface PermutationInput {
  /** [variable][dim][trial] */
  x: Float64Array;
  nVar: number;
  nDim: number;
  nTrial: number;
  /** continuous response Float64Array [trial], or discrete labels Int32Array [trial] 0..k−1 */
  y: Float64Array | Int32Array;
  /** number of classes when y is discrete */
  k?: number;
  nPerm: number;
  seed?: number;
  /** family-wise error rate (default 0.05) */
  alpha?: number;
  /** copula-normalise x and y first (default true) */
  copnorm?: boolean;
  biasCorrect?: boolean;
  statistic?: StatisticSpec;
  /** worker threads for the null (default: 'auto', 1 for small jobs) */
  threads?: number | 'auto';
}

export interface PermutationResult {
  /** observed MI per variable, bits */
  mi: Float64Array;
  /** observed statistic per variable (the MI itself for statistic 'mi') */
  statistic: Float64Array;
  /** maximum statistic over variables for each permutation */
  maxNull: Float64Array;
  threshold: number;
  pFwer: Float64Array;
  mask: Uint8Array;
  alpha: number;
  nPerm: number;
  seed: number;
}

/** All nPerm permutations of 0..n−1 from one seed, [perm][trial]. */
export function permutations(nPerm: number, n: number, seed: number, shared = false): Int32Array {
  const out = shared ? new Int32Array(new SharedArrayBuffer(nPerm * n * 4)) : new Int32Array(nPerm * n);
  const rng = new Rng(seed);
  for (let p = 0; p < nPerm; p++) rng.permutation(n, out.subarray(p * n, (p + 1) * n));
  return out;
}

/**
 * The family-wise error threshold of the maximum-statistic test (bits, or the statistic's units):
 * the m-th largest of the P null maxima, with m = floor(alpha·(P+1)) (1-based), so that a value
 * strictly above it has FWER p = (1 + #{null maxima >= value}) / (P + 1) <= alpha.
 * Edge cases, one rule everywhere (maps and whole-map tests):
 * - rank: alpha·(P+1) is floored with a 1e-9 tolerance, so that 0.29·100 = 28.999999999999996
 *   counts as 29 (floating-point error never costs an allowed exceedance);
 * - too few permutations (P < 1/alpha − 1, or P = 0): +∞, nothing is significant;
 * - NaN null maxima (a permutation with no defined statistic) count as +∞: they can only raise the
 *   threshold, never make a variable significant (conservative);
 * - ties: a variable equal to the threshold is not significant (strictly greater is required).
 * alpha must lie in (0, 1).
 */
export function fwerThreshold(maxNull: Float64Array, alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha: must lie in (0, 1), got ${alpha}`);
  const P = maxNull.length;
  const m = Math.floor(alpha * (P + 1) + 1e-9); // 1-based rank from the top
  if (P === 0 || m < 1) return Infinity;
  return sortedNullMaxima(maxNull)[P - m];
}

/** Null maxima in ascending order, NaN counted as +∞ (see fwerThreshold). */
function sortedNullMaxima(maxNull: Float64Array): Float64Array {
  return Float64Array.from(maxNull, (v) => (Number.isNaN(v) ? Infinity : v)).sort();
}

/** FWER p-values, threshold (fwerThreshold) and mask from the observed statistic and the null maxima. */
export function maxStatInference(stat: Float64Array, maxNull: Float64Array, alpha: number): { threshold: number; pFwer: Float64Array; mask: Uint8Array } {
  const P = maxNull.length;
  const threshold = fwerThreshold(maxNull, alpha);
  if (threshold === Infinity && Math.floor(alpha * (P + 1) + 1e-9) < 1) {
    warn(`nPerm: ${P} permutations cannot reach alpha = ${alpha} (need at least ${Math.ceil(1 / alpha) - 1})`);
  }
  const sorted = sortedNullMaxima(maxNull); // ascending, NaN as +∞
  const pFwer = new Float64Array(stat.length);
  const mask = new Uint8Array(stat.length);
  for (let v = 0; v < stat.length; v++) {
    const s = stat[v];
    if (Number.isNaN(s)) {
      pFwer[v] = NaN;
      continue;
    }
    // count of null maxima >= s by binary search in the ascending list
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < s) lo = mid + 1;
      else hi = mid;
    }
    pFwer[v] = (1 + sorted.length - lo) / (P + 1);
    mask[v] = s > threshold ? 1 : 0;
  }
  return { threshold, pFwer, mask };
}

interface Prepared {
  model: NullModel;
  mi: Float64Array;
  kernel?: DotKernel;
  screen?: NullScreen;
}

/** alloc 'kernel': build the model straight into a dot-product kernel's memory (single thread). */
function prepare(input: PermutationInput, how: Alloc | 'kernel'): Prepared {
  const { x, nVar, nDim, nTrial } = input;
  checkMapArgs(x, nVar, nDim, nTrial);
  const cn = input.copnorm ?? true;
  const bias = input.biasCorrect ?? true;
  if (input.y instanceof Float64Array && input.k === undefined) {
    const cy = prepareY(input.y, nTrial, cn);
    if (how === 'kernel' && cn) return prepareCCInKernel(x, nVar, nDim, nTrial, cy, bias, input.statistic ?? { type: 'mi' });
    // copula-normalise straight into the memory the null model will use, then whiten it in place:
    // one fresh copy of the map instead of three (page faults on new memory are a real cost here)
    const mk = how === 'kernel' ? createModelKernel('cc', nVar, nDim, nTrial) : undefined;
    const buf = mk ? mk.kernel.a : (how as Alloc)(x.length);
    const { cx, constant } = prepareMapX(x, nVar, nDim, nTrial, cn, buf);
    const mi = miMapCCKernel(cx, nVar, nDim, nTrial, cy, bias, cn, 0, nVar, constant);
    const model = buildModelCC(cx, nVar, nDim, nTrial, cy, bias, !cn, () => cx);
    constant.forEach((c, v) => c && (model.bad[v] = 1));
    return { model, mi, kernel: mk?.kernel };
  }
  const { cx, constant } = prepareMapX(x, nVar, nDim, nTrial, cn);
  if (input.k === undefined) throw new RangeError('k: the number of classes is required for discrete y');
  const labels = asLabels(input.y, input.k, nTrial, 'y', nDim);
  const mi = miMapCDKernel(cx, nVar, nDim, nTrial, labels, input.k, bias, cn, 0, nVar, constant);
  const mk = how === 'kernel' ? createModelKernel('cd', nVar, nDim, nTrial, input.k) : undefined;
  const model = buildModelCD(cx, nVar, nDim, nTrial, labels, input.k, bias, !cn, mk?.alloc ?? (how as Alloc));
  constant.forEach((c, v) => c && (model.bad[v] = 1));
  return { model, mi, kernel: mk?.kernel };
}

/** Values per chunk of prepareCCInKernel's float64 scratch (1 MB: it stays in cache). */
const PREP_CHUNK_VALUES = 1 << 17;

/**
 * The cc model built chunk by chunk of variables straight into its float32 kernel: each chunk is
 * copula-normalised into one small float64 scratch, its observed MI taken, whitened in place and
 * written into the kernel's memory. No float64 copy of the whole map is ever made: fresh memory
 * is expensive (page faults), and the scratch stays in cache. Per variable the arithmetic is that of
 * the whole-map path (prepareMapX, miMapCCKernel, buildModelCC), so the results are the same bits.
 */
function prepareCCInKernel(x: Float64Array, nVar: number, d: number, n: number, cy: Float64Array, bias: boolean, spec: StatisticSpec): Prepared {
  // the float32 kernel's helper thread only where that kernel does the products (not under a NullScreen)
  const { kernel } = createModelKernel('cc', nVar, d, n, 2, 'auto', spec.type === 'mi' ? 1 : kernelThreads());
  // the model's y is cy itself (copula-normalised: zero mean, no centring)
  const screen = usesScreen('cc', spec, 'auto', kernel) ? new NullScreen(nVar, d, n, kernelShape('cc', nVar, d, 2).cols, cy, kernelThreads()) : undefined;
  const per = Math.max(1, Math.floor(PREP_CHUNK_VALUES / (d * n)));
  const scratch = new Float64Array(per * d * n);
  const repeated = new Int32Array(nVar * d);
  const mi = new Float64Array(nVar);
  const bad = new Uint8Array(nVar);
  let degenerate = 0;
  let model: NullModelCC | undefined;
  for (let v0 = 0; v0 < nVar; v0 += per) {
    const m = Math.min(per, nVar - v0);
    const rep = repeated.subarray(v0 * d, (v0 + m) * d);
    // checked chunk by chunk, in cache; a bad value is reported with its index in the whole map
    if (!allFinite64(x.subarray(v0 * d * n, (v0 + m) * d * n))) checkFinite(x, 'x');
    const cx = copnormFinite(x.subarray(v0 * d * n, (v0 + m) * d * n), m * d, n, scratch, rep);
    const constant = new Uint8Array(m);
    for (let r = 0; r < m * d; r++) if (rep[r] >= n - 1) constant[Math.floor(r / d)] = 1;
    mi.set(miMapCCKernel(cx, m, d, n, cy, bias, true, 0, m, constant, (c) => (degenerate += c)), v0);
    model = buildModelCC(cx, m, d, n, cy, bias, false, () => cx);
    for (let v = 0; v < m; v++) bad[v0 + v] = model.bad[v] | constant[v];
    kernel.setRows(v0 * d, cx.subarray(0, m * d * n));
    screen?.setVariables(v0, cx.subarray(0, m * d * n));
  }
  constantVariables(repeated, nVar, d, n); // the warnings, once for the whole map
  if (degenerate > 0) warn(`x: ${degenerate} variable(s) are constant or degenerate; their MI is NaN`);
  return { model: { ...model!, z: new Float64Array(0), nVar, bad }, mi, kernel, screen };
}

function checkPermArgs(input: PermutationInput): { alpha: number; seed: number } {
  if (!Number.isInteger(input.nPerm) || input.nPerm < 1) throw new RangeError(`nPerm: must be a positive integer, got ${input.nPerm}`);
  const alpha = input.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha: must lie in (0, 1), got ${alpha}`);
  const seed = input.seed ?? 1;
  if (!Number.isInteger(seed)) throw new RangeError(`seed: must be an integer, got ${seed}`);
  return { alpha, seed };
}

function finish(input: PermutationInput, prep: Prepared, maxNull: Float64Array, alpha: number, seed: number): PermutationResult {
  const spec = input.statistic ?? { type: 'mi' };
  const statistic = applyStatistic(prep.mi, spec);
  return { mi: prep.mi, statistic, maxNull, ...maxStatInference(statistic, maxNull, alpha), alpha, nPerm: input.nPerm, seed };
}

/** The whole test on the calling thread. */
export function permutationMaxStatSync(input: PermutationInput): PermutationResult {
  const { alpha, seed } = checkPermArgs(input);
  const prep = prepare(input, 'kernel');
  const perms = permutations(input.nPerm, input.nTrial, seed);
  const evaluator = new NullEvaluator(prep.model, input.statistic, 'auto', prep.kernel, prep.screen);
  const maxNull = evaluator.maxima(perms, 0, input.nPerm);
  evaluator.release(); // the kernel's and the screen's memory serve the next test of this process
  return finish(input, prep, maxNull, alpha, seed);
}

/**
 * Threads worth starting. Measured on the 2-core development machine shared with other jobs
 * (4,735 × 3 × 1,000, 1,000 permutations): 1 thread 11.4-11.9 s, 2 threads 16.8-19.1 s, because
 * each worker pays a start-up (~0.7 s, loading tsx) and a private copy of the whitened map, and the
 * cores were already busy. So 'auto' uses threads only with 4 or more cores and a null of more
 * than ~2e9 multiply-adds, leaving one core to the rest of the process.
 */
export function autoThreads(input: PermutationInput): number {
  const macs = input.nVar * input.nDim * input.nTrial * input.nPerm;
  const cores = availableParallelism();
  return macs < 2e9 || cores < 4 ? 1 : Math.min(8, cores - 1);
}

/** The whole test, the null spread over worker threads that share the model's memory. */
export async function permutationMaxStat(input: PermutationInput): Promise<PermutationResult> {
  const threads = input.threads === undefined || input.threads === 'auto' ? autoThreads(input) : input.threads;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads: must be a positive integer or 'auto', got ${threads}`);
  if (threads === 1) return permutationMaxStatSync(input);
  const { alpha, seed } = checkPermArgs(input);
  const prep = prepare(input, sharedAlloc);
  const perms = permutations(input.nPerm, input.nTrial, seed, true);
  const maxNull = await nullMaximaThreaded(prep.model, perms, input.nPerm, input.statistic ?? { type: 'mi' }, threads);
  return finish(input, prep, maxNull, alpha, seed);
}

/** Hand out chunks of permutations to `threads` workers until all are done. */
export async function nullMaximaThreaded(model: NullModel, perms: Int32Array, nPerm: number, spec: StatisticSpec, threads: number): Promise<Float64Array> {
  const maxNull = new Float64Array(nPerm);
  const chunk = Math.max(24, Math.min(96, Math.ceil(nPerm / (threads * 8) / 24) * 24));
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: threads }, () => {
        const w = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry: './perm-worker.ts', model, perms, spec } });
        workers.push(w);
        return new Promise<void>((resolve, reject) => {
          const send = () => {
            if (next >= nPerm) {
              w.postMessage('exit');
              resolve();
              return;
            }
            const p0 = next;
            next = Math.min(nPerm, next + chunk);
            w.postMessage({ p0, p1: next });
          };
          w.on('message', (m: { p0: number; maxima: Float64Array }) => {
            maxNull.set(m.maxima, m.p0);
            send();
          });
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`permutation worker exited with code ${code}`))));
          send();
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return maxNull;
}
