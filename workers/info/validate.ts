/**
 * Input shapes and checks shared by every estimator. A continuous variable is a `Samples`:
 * `data` laid out [dim][trial] (row-major, dims × trials values). A discrete variable is an
 * Int32Array (or number[]) of class labels 0..K−1, one per trial. Errors name the argument.
 */

export interface Samples {
  /** [dim][trial], row-major */
  data: Float64Array;
  dims: number;
  trials: number;
}

/** What the public functions accept for a continuous variable: a 1-D series, [dims][trials] rows, or Samples. */
export type Continuous = Samples | Float64Array | readonly number[] | readonly ArrayLike<number>[];
export type Discrete = Int32Array | readonly number[] | ArrayLike<number>;

type WarningHandler = (message: string) => void;
let warningHandler: WarningHandler = (m) => console.warn(`[info] ${m}`);

/** Route the estimators' warnings (e.g. many repeated values) somewhere else; returns the previous handler. */
export function setWarningHandler(handler: WarningHandler): WarningHandler {
  const previous = warningHandler;
  warningHandler = handler;
  return previous;
}

export function warn(message: string): void {
  warningHandler(message);
}

function isSamples(x: unknown): x is Samples {
  return typeof x === 'object' && x !== null && 'data' in x && 'dims' in x && 'trials' in x;
}

/** Normalise and check a continuous argument: finite values, consistent shape. */
export function asSamples(x: Continuous, name: string): Samples {
  let s: Samples;
  if (isSamples(x)) {
    s = x;
    if (!Number.isInteger(s.dims) || !Number.isInteger(s.trials) || s.dims < 1 || s.trials < 1)
      throw new RangeError(`${name}: dims and trials must be positive integers (got ${s.dims}, ${s.trials})`);
    if (s.data.length !== s.dims * s.trials)
      throw new RangeError(`${name}: data has ${s.data.length} values, expected dims × trials = ${s.dims * s.trials}`);
  } else if (x instanceof Float64Array) {
    s = { data: x, dims: 1, trials: x.length };
  } else if (Array.isArray(x) && x.length > 0 && typeof x[0] === 'object' && x[0] !== null) {
    const rows = x as readonly ArrayLike<number>[];
    const trials = rows[0].length;
    const data = new Float64Array(rows.length * trials);
    rows.forEach((row, d) => {
      if (row?.length !== trials) throw new RangeError(`${name}: row ${d} has ${row?.length} trials, expected ${trials} like row 0`);
      data.set(row, d * trials);
    });
    s = { data, dims: rows.length, trials };
  } else if (Array.isArray(x)) {
    s = { data: Float64Array.from(x as readonly number[]), dims: 1, trials: x.length };
  } else {
    throw new TypeError(`${name}: expected Float64Array, number[], number[][] or Samples`);
  }
  if (s.trials < 2) throw new RangeError(`${name}: needs at least 2 trials, got ${s.trials}`);
  checkFinite(s.data, name);
  return s;
}

/**
 * True when every value is finite: v·0 is 0 for finite v and NaN for ±∞ and NaN, so one sum per
 * block finds them without a branch per value (whole maps of millions of values; monomorphic on
 * Float64Array, several times faster than Number.isFinite on a mixed call site).
 */
export function allFinite64(data: Float64Array): boolean {
  const n = data.length;
  for (let i0 = 0; i0 < n; i0 += 4096) {
    const i1 = Math.min(n, i0 + 4096);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = i0;
    for (; i + 3 < i1; i += 4) {
      s0 += data[i] * 0;
      s1 += data[i + 1] * 0;
      s2 += data[i + 2] * 0;
      s3 += data[i + 3] * 0;
    }
    for (; i < i1; i++) s0 += data[i] * 0;
    if (s0 + s1 + s2 + s3 !== 0) return false;
  }
  return true;
}

export function checkFinite(data: ArrayLike<number>, name: string): void {
  if (data instanceof Float64Array && allFinite64(data)) return;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new RangeError(`${name}: value ${i} is ${data[i]} (NaN and infinity are not allowed)`);
  }
}

/** Check labels 0..K−1, one per trial, every class present with more than `minPerClass` trials. */
export function asLabels(y: Discrete, k: number, trials: number, name: string, minPerClass = 1): Int32Array {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${name}: number of classes must be a positive integer, got ${k}`);
  const labels = y instanceof Int32Array ? y : Int32Array.from(y as ArrayLike<number>);
  if (labels.length !== trials) throw new RangeError(`${name}: has ${labels.length} labels, expected ${trials} (one per trial)`);
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c < 0 || c >= k || (y as ArrayLike<number>)[i] !== c)
      throw new RangeError(`${name}: label ${i} is ${(y as ArrayLike<number>)[i]}, must be an integer in [0, ${k - 1}]`);
    counts[c]++;
  }
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) throw new RangeError(`${name}: class ${c} is empty (each of the ${k} classes needs trials)`);
    if (counts[c] <= minPerClass)
      throw new RangeError(`${name}: class ${c} has ${counts[c]} trials, needs more than ${minPerClass} for this dimension`);
  }
  return labels;
}

export function sameTrials(a: Samples, b: Samples, nameA: string, nameB: string): void {
  if (a.trials !== b.trials) throw new RangeError(`${nameB}: has ${b.trials} trials but ${nameA} has ${a.trials} (lengths must match)`);
}

/** Gaussian covariance of `dims` variables needs more trials than dimensions. */
export function enoughTrials(trials: number, dims: number, name: string): void {
  if (trials <= dims) throw new RangeError(`${name}: ${trials} trials is too few for ${dims} dimensions (need more than ${dims})`);
}

/** The reference warns when a variable has more than 10% repeated values (the copula rank transform is then poor). */
export function warnRepeated(s: Samples, name: string): void {
  for (let d = 0; d < s.dims; d++) {
    const row = s.data.slice(d * s.trials, (d + 1) * s.trials).sort();
    let unique = row.length > 0 ? 1 : 0;
    for (let i = 1; i < row.length; i++) if (row[i] !== row[i - 1]) unique++;
    if (unique / s.trials < 0.9) warn(`${name}: dimension ${d} has more than 10% repeated values (${s.trials - unique} of ${s.trials})`);
  }
}

/** Split a [dim][trial] Samples into one Samples per row range. */
export function rows(s: Samples, from: number, to: number): Samples {
  return { data: s.data.subarray(from * s.trials, to * s.trials), dims: to - from, trials: s.trials };
}

/** Stack variables along the dimension axis ([x dims; y dims; ...]). */
export function stack(...parts: Samples[]): Samples {
  const trials = parts[0].trials;
  const dims = parts.reduce((n, p) => n + p.dims, 0);
  const data = new Float64Array(dims * trials);
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { data, dims, trials };
}
