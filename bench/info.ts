/**
 * `npm run bench:info [-- --vertices 4735 --dims 3 --trials 1000 --perms 1000 --threads auto
 *   --kernel-threads 1 --seed 1 --reps 3 --loop-perms 1000 --no-numpy --no-loop]`
 *
 * A per-vertex information map (vertices × dims × trials, 1% of vertices informative) plus a
 * permutation test with the maximum statistic over vertices, timed against two NumPy baselines on
 * the same data sizes:
 *  - ../shared/bench/gcmi_numpy_gemm.py, the best NumPy formulation (each vertex whitened once, all
 *    permutations of a block from one OpenBLAS matrix product), in float64 and in float32;
 *    `ratio_vs_numpy_gemm` is against the faster of the two dtypes in this run;
 *  - ../shared/bench/gcmi_numpy.py, the per-permutation loop of the gcmi/frites toolkits
 *    (`ratio_vs_numpy`). It is slow, so it runs once, with --loop-perms permutations (default
 *    --perms); with fewer, its whole-job time is extrapolated to --perms (copnorm + map +
 *    perms × its time per permutation) and the output says so.
 * Both scripts time themselves inside Python (time.perf_counter around copnorm, map and the
 * permutations; interpreter start-up and data generation excluded), as the Deeper side does.
 * NumPy runs in its own child environment with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset: this
 * machine sets them for old OpenBLAS builds, and they slow a current NumPy.
 *
 * Both sides run cold (`comparison: "both cold"` in the output): every repetition of each side is
 * a fresh process. Each NumPy run is its own python3 process (the scripts have no repetition
 * option), so each Deeper whole job is its own node process too (this file with --child-job),
 * timed inside it from the call to the returned result, data generation excluded as in the
 * scripts. (Within one process Deeper would reuse its kernels' wasm memory, workers/info/gemm.ts
 * spareF32 and screen.ts, and skip the page faults of fresh memory, an advantage NumPy's fresh
 * processes do not get.)
 * The Deeper whole job and the GEMM baselines are repeated --reps times, interleaved
 * (Deeper, f64, f32, Deeper, f64, f32, ...); every ratio is median over median from that one run, and
 * the load average (uptime) is printed beside the figures: on a shared machine only ratios from one
 * interleaved run compare. The breakdown is timed in this process after the reps: copnorm and map
 * of the whole map, and `perm_s_each`, the null's cost per permutation, from two sequential whole
 * jobs that differ only in their number of permutations (P and 96).
 * The last line of output is one JSON object with every figure.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, copnorm, gcmiMapCC, gcmiMapCCParallel, permutationMaxStat, permutationMaxStatSync, setKernelThreads } from '../workers/info';

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
const reps = Math.max(1, Number(opt('reps', '3')));
const loopPerms = Number(opt('loop-perms', `${P}`));
const threadsArg = opt('threads', 'auto');
// --kernel-threads 2: the permutation kernel's work-stealing helper thread (workers/info/gemm-threads.ts)
const kernelThreads = opt('kernel-threads', process.env.DEEPER_INFO_KERNEL_THREADS ?? '1');
setKernelThreads(Number(kernelThreads));
const threads: number | 'auto' = threadsArg === 'auto' ? 'auto' : Number(threadsArg);
const log = (s: string) => process.stderr.write(`${s}\n`);
const uptime = () => {
  const r = spawnSync('uptime', { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// data: standard normal x [vertex][dim][trial], y [trial]; dim 0 of the first 1% of vertices carries 0.5·y
const rng = new Rng(seed);
const x = new Float64Array(V * D * N);
for (let i = 0; i < x.length; i++) x[i] = rng.normal();
const y = new Float64Array(N);
for (let t = 0; t < N; t++) y[t] = rng.normal();
for (let v = 0; v < Math.max(1, Math.floor(V / 100)); v++) for (let t = 0; t < N; t++) x[v * D * N + t] += 0.5 * y[t];
const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** The whole job end to end: copnorm, map, null model, permutations, inference. */
async function deeperJob() {
  const t0 = performance.now();
  const result = await permutationMaxStat({ x, nVar: V, nDim: D, nTrial: N, y, nPerm: P, seed, alpha: 0.05, threads });
  return { totalS: seconds(t0), result };
}

if (argv.includes('--child-job')) {
  // one cold whole job in this fresh process, for the parent below
  const { totalS, result } = await deeperJob();
  process.stdout.write(`${JSON.stringify({ total_s: totalS, threshold: result.threshold, significant: result.mask.reduce((a, b) => a + b, 0) })}\n`);
  process.exit(0);
}

/** One Deeper whole job in a fresh node process (same arguments, same data). */
function deeperJobCold(): { totalS: number; threshold: number; significant: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...argv, '--child-job'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`deeper child job failed (${r.status}): ${(r.stderr || r.error?.message || '').slice(-800)}`);
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  return { totalS: j.total_s, threshold: j.threshold, significant: j.significant };
}

const uptimeStart = uptime();
log(`uptime at start: ${uptimeStart}`);

// parts, for the breakdown (one pass each, after the first whole job has warmed the code up)
function parts() {
  let t0 = performance.now();
  const cx = copnorm(x, V * D, N);
  const cy = copnorm(y, 1, N);
  const copnormS = seconds(t0);
  t0 = performance.now();
  const map = gcmiMapCC(cx, V, D, N, cy, { copnorm: false });
  const mapS = seconds(t0);
  // the null's cost per permutation: whole jobs in this (warm) process that differ only in the
  // number of permutations, P and 96 (one block), the faster of two each
  const job = (nPerm: number) => {
    const t = performance.now();
    permutationMaxStatSync({ x, nVar: V, nDim: D, nTrial: N, y, nPerm, seed, alpha: 0.05 });
    return seconds(t);
  };
  job(96); // warm-up
  const few = Math.min(job(96), job(96));
  const all = Math.min(job(P), job(P));
  return { copnormS, mapS, map, permS: P > 96 ? Math.max(0, all - few) / (P - 96) : NaN };
}

/** One NumPy baseline in its own environment (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset). */
function runNumpy(script: string, args: string[]): Record<string, number> | null {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const file = path.resolve(here, '../../shared/bench', script);
  const r = spawnSync('python3', [file, '--vertices', `${V}`, '--dims', `${D}`, '--trials', `${N}`, '--seed', `${seed}`, ...args], { encoding: 'utf8', env });
  if (r.status !== 0) {
    log(`${script} failed (${r.status}): ${(r.stderr || r.error?.message || '').slice(-500)}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

const withNumpy = !argv.includes('--no-numpy');
const deeperTotals: number[] = [];
const gemm64: Record<string, number>[] = [];
const gemm32: Record<string, number>[] = [];
let last: ReturnType<typeof deeperJobCold> | undefined;
for (let r = 0; r < reps; r++) {
  last = deeperJobCold();
  deeperTotals.push(last.totalS);
  log(`[rep ${r + 1}/${reps}] deeper whole job ${last.totalS.toFixed(3)} s (fresh process)`);
  if (!withNumpy) continue;
  const g64 = runNumpy('gcmi_numpy_gemm.py', ['--perms', `${P}`]);
  if (g64) gemm64.push(g64);
  const g32 = runNumpy('gcmi_numpy_gemm.py', ['--perms', `${P}`, '--float32']);
  if (g32) gemm32.push(g32);
  log(`[rep ${r + 1}/${reps}] numpy-gemm float64 ${g64?.total_s.toFixed(3)} s, float32 ${g32?.total_s.toFixed(3)} s   (${uptime()})`);
}
const { copnormS, mapS, map, permS } = parts();
log(`deeper: copnorm ${copnormS.toFixed(3)} s, one map ${mapS.toFixed(3)} s`);
const t2 = performance.now();
await gcmiMapCCParallel(x, V, D, N, y, { threads: 2 });
const mapTwoThreadsS = seconds(t2);
log(`deeper: copnorm + map on 2 worker threads ${mapTwoThreadsS.toFixed(3)} s (1 thread: ${(copnormS + mapS).toFixed(3)} s)`);

const totalS = median(deeperTotals);
const significant = last!.significant;
log(`deeper: whole job median ${totalS.toFixed(3)} s of ${reps} fresh processes (threads ${threadsArg}), ~${(permS * 1000).toFixed(3)} ms per permutation (in this process: (job with P − job with 96) / (P − 96), kernel threads ${kernelThreads}), ${significant} significant vertices`);
log('comparison: both cold (every repetition of each side is a fresh process)');

const summarise = (runs: Record<string, number>[]) =>
  runs.length ? { ...runs.at(-1), total_s: median(runs.map((g) => g.total_s)), copnorm_s: median(runs.map((g) => g.copnorm_s)), perm_s_each: median(runs.map((g) => g.perm_s_each)), total_s_all: runs.map((g) => g.total_s) } : null;
const g64 = summarise(gemm64);
const g32 = summarise(gemm32);
const gemmBest = g64 && g32 ? (g32.total_s < g64.total_s ? g32 : g64) : (g64 ?? g32);

let loop: Record<string, number> | null = null;
let loopTotalS: number | null = null;
if (withNumpy && !argv.includes('--no-loop')) {
  loop = runNumpy('gcmi_numpy.py', ['--perms', `${loopPerms}`]);
  if (loop) {
    loopTotalS = loop.copnorm_s + loop.map_s + loop.perm_s_each * P;
    log(`numpy loop (${loopPerms} perms${loopPerms !== P ? `, extrapolated to ${P}` : ''}): ${loopTotalS.toFixed(3)} s   ${JSON.stringify(loop)}`);
  }
}
const uptimeEnd = uptime();
log(`uptime at end: ${uptimeEnd}`);

const ratio = (a: number | null | undefined, b: number) => (a != null && b > 0 ? a / b : null);
const out = {
  bench: 'info',
  vertices: V,
  dims: D,
  trials: N,
  perms: P,
  reps,
  threads: threadsArg,
  kernel_threads: Number(kernelThreads),
  cores: availableParallelism(),
  uptime_start: uptimeStart,
  uptime_end: uptimeEnd,
  numpy_env: 'OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset',
  comparison: 'both cold: every repetition of Deeper and of NumPy is a fresh process, timed inside it',
  deeper: {
    total_s: totalS,
    total_s_all: deeperTotals,
    copnorm_s: copnormS,
    map_s: mapS,
    copnorm_plus_map_2_threads_s: mapTwoThreadsS,
    perm_s_each: permS,
    threshold_95_bits: last!.threshold,
    significant_vertices: significant,
    map_max_bits: Math.max(...map),
  },
  numpy_gemm_float64: g64,
  numpy_gemm_float32: g32,
  numpy_gemm_best_dtype: gemmBest ? (gemmBest === g32 ? 'float32' : 'float64') : null,
  numpy_loop: loop,
  numpy_loop_perms_run: loopPerms,
  numpy_loop_total_s: loopTotalS,
  ratio_vs_numpy_gemm: ratio(gemmBest?.total_s, totalS),
  ratio_copnorm_vs_numpy_gemm: ratio(gemmBest?.copnorm_s, copnormS),
  ratio_perm_vs_numpy_gemm: ratio(gemmBest?.perm_s_each, permS),
  ratio_vs_numpy: ratio(loopTotalS, totalS),
};
process.stdout.write(`${JSON.stringify(out)}\n`);
