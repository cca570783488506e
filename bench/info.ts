/**
 * `npm run bench:info [-- --vertices 4735 --dims 3 --trials 1000 --perms 1000 --threads auto
 *   --seed 1 --no-numpy --numpy-both]`
 *
 * A per-vertex information map (vertices × dims × trials, 1% of vertices informative) plus a
 * permutation test with the maximum statistic over vertices, timed against the NumPy baseline
 * (../shared/bench/gcmi_numpy.py, same sizes) in the same run. NumPy runs with this machine's
 * environment as is (OPENBLAS_CORETYPE included); --numpy-both also runs it with that unset.
 * The last line of output is one JSON object with every figure; ratio_vs_numpy is for the whole job.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copnorm } from '../workers/info/copnorm';
import { gcmiMapCC } from '../workers/info/map';
import { gcmiMapCCParallel } from '../workers/info/map-threads';
import { autoThreads, permutationMaxStat } from '../workers/info/permutation';
import { Rng } from '../workers/info/rng';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const V = Number(opt('vertices', '4735'));
const D = Number(opt('dims', '3'));
const N = Number(opt('trials', '1000'));
const P = Number(opt('perms', '1000'));
const seed = Number(opt('seed', '1'));
const threadsArg = opt('threads', 'auto');
const log = (s: string) => process.stderr.write(`${s}\n`);

// data: standard normal x [vertex][dim][trial], y [trial]; dim 0 of the first 1% of vertices carries 0.5·y
const rng = new Rng(seed);
const x = new Float64Array(V * D * N);
for (let i = 0; i < x.length; i++) x[i] = rng.normal();
const y = new Float64Array(N);
for (let t = 0; t < N; t++) y[t] = rng.normal();
for (let v = 0; v < Math.max(1, Math.floor(V / 100)); v++) for (let t = 0; t < N; t++) x[v * D * N + t] += 0.5 * y[t];

const load0 = loadavg()[0];
const seconds = (t0: number) => (performance.now() - t0) / 1000;

// parts, for the breakdown
let t0 = performance.now();
const cx = copnorm(x, V * D, N);
const cy = copnorm(y, 1, N);
const copnormS = seconds(t0);
t0 = performance.now();
const map = gcmiMapCC(cx, V, D, N, cy, { copnorm: false });
const mapS = seconds(t0);
log(`deeper: copnorm ${copnormS.toFixed(3)} s, one map ${mapS.toFixed(3)} s`);

// do threads pay off? copnorm + map split across 2 worker threads, against the same on one
t0 = performance.now();
await gcmiMapCCParallel(x, V, D, N, y, { threads: 2 });
const mapTwoThreadsS = seconds(t0);
log(`deeper: copnorm + map on 2 worker threads ${mapTwoThreadsS.toFixed(3)} s (1 thread: ${(copnormS + mapS).toFixed(3)} s)`);

// the whole job end to end: copnorm, map, null model, permutations, inference
const threads = threadsArg === 'auto' ? autoThreads({ x, nVar: V, nDim: D, nTrial: N, y, nPerm: P }) : Number(threadsArg);
t0 = performance.now();
const result = await permutationMaxStat({ x, nVar: V, nDim: D, nTrial: N, y, nPerm: P, seed, alpha: 0.05, threads });
const totalS = seconds(t0);
const permS = Math.max(0, totalS - copnormS - mapS) / P;
const significant = result.mask.reduce((a, b) => a + b, 0);
log(`deeper: whole job ${totalS.toFixed(3)} s with ${threads} thread(s), ${(permS * 1000).toFixed(2)} ms per permutation, ${significant} significant vertices`);

function runNumpy(env: NodeJS.ProcessEnv): Record<string, number> | null {
  const script = path.resolve(here, '../../shared/bench/gcmi_numpy.py');
  const r = spawnSync('python3', [script, '--vertices', `${V}`, '--dims', `${D}`, '--trials', `${N}`, '--perms', `${P}`, '--seed', `${seed}`], { encoding: 'utf8', env });
  if (r.status !== 0) {
    log(`numpy baseline failed (${r.status}): ${r.stderr.slice(-500)}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

let numpy: Record<string, number> | null = null;
let numpyNoCoretype: Record<string, number> | null = null;
if (!argv.includes('--no-numpy')) {
  numpy = runNumpy(process.env);
  if (numpy) log(`numpy (OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? 'unset'}): ${JSON.stringify(numpy)}`);
  if (argv.includes('--numpy-both')) {
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    numpyNoCoretype = runNumpy(env);
    if (numpyNoCoretype) log(`numpy (OPENBLAS_CORETYPE unset): ${JSON.stringify(numpyNoCoretype)}`);
  }
}

const ratio = (a: number | undefined, b: number) => (a !== undefined && b > 0 ? a / b : null);
const out = {
  bench: 'info',
  vertices: V,
  dims: D,
  trials: N,
  perms: P,
  threads,
  cores: availableParallelism(),
  load_avg_start: load0,
  load_avg_end: loadavg()[0],
  deeper: {
    copnorm_s: copnormS,
    map_s: mapS,
    copnorm_plus_map_2_threads_s: mapTwoThreadsS,
    perm_s_each: permS,
    total_s: totalS,
    threshold_95_bits: result.threshold,
    significant_vertices: significant,
    map_max_bits: Math.max(...map),
  },
  numpy,
  numpy_openblas_coretype: process.env.OPENBLAS_CORETYPE ?? null,
  numpy_without_coretype: numpyNoCoretype,
  ratio_copnorm: ratio(numpy?.copnorm_s, copnormS),
  ratio_map: ratio(numpy?.map_s, mapS),
  ratio_perm: ratio(numpy?.perm_s_each, permS),
  ratio_vs_numpy: ratio(numpy?.total_s, totalS),
  ratio_vs_numpy_without_coretype: ratio(numpyNoCoretype?.total_s, totalS),
};
process.stdout.write(`${JSON.stringify(out)}\n`);
