/**
 * The streams and numerics pinned by tests/util/pinned.test.ts: each caller's seeded RNG stream and
 * each caller's eigen-solver and Cholesky/log-det output, reached through the caller's own module,
 * so that moving the implementations into workers/util cannot change a single bit unnoticed.
 * Each entry is the sha256 of the values' Float64 bytes (or Int32 for permutations).
 */
import { createHash } from 'node:crypto';
import { createRng, fillGaussian, hashInts } from '../../workers/faces/seeded-rng';
import { principalAxes, symmetricEigen } from '../../workers/faces/basis-linalg';
import { epochSeed, rng as nnRng, shuffled } from '../../workers/nn/data';
import { Rng } from '../../workers/info/permutation-rng';
import { cholesky, halfLogDet, forwardSolve } from '../../workers/info/covariance';
import { buildModelCD } from '../../workers/info/nullmodel';
import { jacobiEigen, pcaScores } from '../../workers/analyses/pca';
import { FastLayerNull, whiten } from '../../workers/analyses/layer-stats';

const digest = (a: Float64Array | Int32Array | Uint32Array): string =>
  createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex').slice(0, 32);
const take = (f: () => number, n: number) => Float64Array.from({ length: n }, f);

/** A symmetric positive-definite n×n matrix (row-major) from a seeded stream: A Aᵀ + n·I·shift. */
function spd(n: number, seed: number, shift: number): Float64Array {
  const r = createRng(seed);
  const a = take(() => r() - 0.5, n * n);
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = i === j ? shift : 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * a[j * n + k];
    c[i * n + j] = s;
  }
  return c;
}

/** name → first values (exact) and the digest of a long run. */
export function pinnedStreams(): Record<string, { first: number[]; digest: string }> {
  const out: Record<string, { first: number[]; digest: string }> = {};
  const put = (name: string, values: Float64Array | Int32Array | Uint32Array) => { out[name] = { first: Array.from(values.subarray(0, 3)), digest: digest(values) }; };
  for (const seed of [0, 1, 42, 2 ** 31 + 5]) put(`faces.createRng(${seed})`, take(createRng(seed), 4096));
  put('faces.hashInts', Uint32Array.from([hashInts(0), hashInts(1, 2), hashInts(7, 2 ** 33 + 3, -5), hashInts(1, 0x9ca)]));
  const g = new Float64Array(4096);
  fillGaussian(createRng(7), g);
  put('faces.fillGaussian(createRng(7))', g);
  for (const seed of [0, 1, 42, epochSeed(3, 2, 1)]) put(`nn.rng(${seed})`, take(nnRng(seed), 4096));
  put('nn.shuffled(1000, rng(5))', shuffled(1000, nnRng(5)));
  for (const seed of [0, 1, 42]) {
    const r = new Rng(seed);
    put(`info.Rng(${seed}).nextU32`, Uint32Array.from({ length: 4096 }, () => r.nextU32()));
    put(`info.Rng(${seed}).uniform`, take(() => r.uniform(), 4096));
    put(`info.Rng(${seed}).normal`, take(() => r.normal(), 4096));
    put(`info.Rng(${seed}).permutation(1000)`, Int32Array.from(r.permutation(1000)));
    put(`info.Rng(${seed}).below(7)`, Int32Array.from({ length: 4096 }, () => r.below(7)));
  }
  return out;
}

/** name → digest of each caller's eigen-solver and Cholesky/log-det results on fixed data. */
export function pinnedNumerics(): Record<string, string> {
  const out: Record<string, string> = {};
  const join = (...a: Float64Array[]) => { const r = new Float64Array(a.reduce((s, x) => s + x.length, 0)); let o = 0; for (const x of a) { r.set(x, o); o += x.length; } return r; };
  // faces: sorted eigen-decomposition and principal axes (the default model's shape/texture bases)
  for (const n of [3, 12, 24]) { const e = symmetricEigen(spd(n, n, 0.1), n); out[`faces.symmetricEigen(${n})`] = digest(join(e.values, e.vectors)); }
  const r = createRng(11);
  const modes = Array.from({ length: 8 }, () => take(() => r() - 0.5, 300));
  modes.push(Float64Array.from(modes[0], (v, i) => v + 0.5 * modes[1][i])); // a dependent mode
  const ax = principalAxes(modes);
  out['faces.principalAxes'] = digest(join(ax.sd, ...ax.rows));
  // analyses/pca: unsorted Jacobi, and the randomised PCA that uses it
  for (const n of [3, 18]) { const e = jacobiEigen(spd(n, 100 + n, 0), n); out[`pca.jacobiEigen(${n})`] = digest(join(e.values, e.vectors)); }
  const T = 200, F = 50;
  const rd = createRng(12);
  const data = Float32Array.from({ length: T * F }, (_, i) => (rd() - 0.5) * (1 + (i % F) / 10));
  const p = pcaScores(data, T, F, 8, 3);
  out['pca.pcaScores'] = digest(join(p.scores, p.variances, Float64Array.of(p.totalVariance, p.k)));
  // info: Cholesky, ½ log det, forward solve
  for (const n of [1, 3, 7]) {
    const c = spd(n, 200 + n, 0.2);
    const l = cholesky(c, n);
    out[`info.cholesky(${n})`] = digest(join(l, Float64Array.of(halfLogDet(l, n)), forwardSolve(l, n, take(() => 1, n))));
  }
  // info/nullmodel: the cd model's unconditional ½ log det per variable (its own Cholesky)
  const nVar = 5, d = 3, n = 120;
  const rx = createRng(13);
  const cx = take(() => rx() - 0.5, nVar * d * n);
  const labels = Int32Array.from({ length: n }, (_, t) => t % 3);
  for (const dd of [1, 3]) {
    const m = buildModelCD(cx.subarray(0, nVar * dd * n), nVar, dd, n, labels, 3, true, true);
    out[`info.buildModelCD(d=${dd}).hunc`] = digest(m.hunc);
  }
  // analyses/layer-stats: whitening (Cholesky + forward substitution) and the fast null's log det
  const rl = createRng(14);
  const layer = { data: take(() => rl() - 0.5, 4 * 150), dims: 4, trials: 150 };
  const vertex = { data: take(() => rl() - 0.5, 3 * 150), dims: 3, trials: 150 };
  out['layer-stats.whiten'] = digest(whiten(layer));
  const fast = new FastLayerNull(layer, 20, 9);
  out['layer-stats.FastLayerNull.permutedMi'] = digest(fast.permutedMi(whiten(vertex), 3, 0.05));
  return out;
}
