/**
 * npm run bench:nn-ops [-- --threads 1 --size 64 --width 0.5 --classes 200 --batch 64 --infer 64 --reps 3 --conv-infer winograd|direct --conv-train winograd|direct --direct-conv own|xnnpack --glue serial|split]
 *
 * Where the ResNet-10's time goes on the wasm backend: one training step and one inference pass,
 * profiled kernel by kernel (tf.profile; the wasm kernels are synchronous, so each kernel's time is
 * its wall time, which on 1 thread and an idle core is its CPU time), grouped as conv forward,
 * backprop filter, backprop input, batch norm, pooling and other. The fastest of --reps profiled
 * passes (after a warm-up) is kept per setting. FLOPs: the network's own (networkFlops, from the
 * architecture), beside those the kernels computed (from each kernel's shapes, zero padding
 * included), so the table also gives the GFLOP/s reached, beside the wasm SIMD128 multiply-add
 * ceiling measured here by bench/simd-ceiling.c (compiled with clang-14 at run time; skipped
 * without it), per thread and on --threads threads at once (and its relaxed-simd FMA variant on one thread, where the runtime
 * accepts it). The last line is one JSON object; uptime is printed beside it.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { chooseBackend } from '../workers/nn/backend';
import { momentumOptimizer, setFusedMomentum, MOMENTUM_UPDATE } from '../workers/nn/kernels/momentum';
import { buildResNet10, resNet10Widths } from '../workers/nn/resnet10';
import { resNetParams, forwardTrain, trainableVariables, updateMovingStatistics, disposeStats, type BatchStat } from '../workers/nn/forward';
import { Predictor } from '../workers/nn/predict';
import { WINOGRAD_CONV, setConvInferPath, type ConvInferPath } from '../workers/nn/kernels/winograd';
import { DIRECT_CONV, setDirectConvPath, type DirectConvPath } from '../workers/nn/kernels/direct-conv';
import { setWinogradTraining, setWinogradFilterGrad } from '../workers/nn/kernels/winograd-train';
import { BN_GRAD, BN_TRAIN, setBatchNormPositionParts, BATCH_NORM_DEFAULT_POSITION_PARTS } from '../workers/nn/kernels/batch-norm';
import { MAX_POOL, MAX_POOL_GRAD, setMaxPoolParts } from '../workers/nn/kernels/max-pool';
import { ADD_RELU, RELU_GRAD, setFusedAddRelu } from '../workers/nn/kernels/add-relu';
import { setSimdPoolTakeBack } from '../workers/nn/kernels/simd-pool';
import { setFilterGradPath, setRowFilterGrad, type FilterGradPath } from '../workers/nn/kernels/conv2d-backprop-filter';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const threads = num('threads', 1);
const size = num('size', 64), width = num('width', 0.5), classes = num('classes', 200);
const batch = num('batch', 64), inferBatch = num('infer', 64), reps = num('reps', 3);
// --filter-grad xnnpack: the filter gradient on XNNPACK products (the path before the packed kernel), for before/after tables.
const filterGrad = (argv.includes('--filter-grad') ? argv[argv.indexOf('--filter-grad') + 1] : 'packed') as FilterGradPath;
setFilterGradPath(filterGrad);
// --conv-infer direct: inference's stride-1 3×3 convolutions on XNNPACK instead of Winograd (kernels/winograd.ts).
const convInfer = (argv.includes('--conv-infer') ? argv[argv.indexOf('--conv-infer') + 1] : 'winograd') as ConvInferPath;
setConvInferPath(convInfer);
// --conv-train direct: training's stride-1 3×3 forward and input-gradient convolutions on XNNPACK and their filter
// gradient on the packed (or --filter-grad) kernel instead of Winograd (kernels/winograd-train.ts).
const convTrain = argv.includes('--conv-train') ? argv[argv.indexOf('--conv-train') + 1] : 'winograd';
setWinogradTraining(convTrain !== 'direct');
setWinogradFilterGrad(convTrain !== 'direct');
// --direct-conv xnnpack: the stem, stride-2 and 1×1 convolutions (forward and input gradient) on XNNPACK instead of our
// direct kernel (kernels/direct-conv.ts), and their filter gradient on the packed kernel instead of the row kernel (stem in space-to-depth form).
const directConvPath = (argv.includes('--direct-conv') ? argv[argv.indexOf('--direct-conv') + 1] : 'own') as DirectConvPath;
setDirectConvPath(directConvPath);
setRowFilterGrad(directConvPath === 'own');
// --glue serial: batch norm, max pool and the residual add+ReLU as before issue 16 session 8 (on the calling thread,
// stock Add/Relu/Step/Multiply; helpers' jobs always waited for); split (default): the current paths.
const glueSerial = argv.includes('--glue') && argv[argv.indexOf('--glue') + 1] === 'serial';
setBatchNormPositionParts(glueSerial ? 0 : BATCH_NORM_DEFAULT_POSITION_PARTS);
setMaxPoolParts(glueSerial ? 1 : 0);
setFusedAddRelu(!glueSerial);
setSimdPoolTakeBack(!glueSerial);
setFusedMomentum(!glueSerial);
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout?.trim() ?? '';

type Group = 'conv forward' | 'backprop filter' | 'backprop input' | 'batch norm' | 'pooling' | 'other';
const GROUPS: Group[] = ['conv forward', 'backprop filter', 'backprop input', 'batch norm', 'pooling', 'other'];
function groupOf(kernel: string): Group {
  if (['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', WINOGRAD_CONV, DIRECT_CONV].includes(kernel)) return 'conv forward';
  if (kernel === 'Conv2DBackpropFilter') return 'backprop filter';
  if (kernel === 'Conv2DBackpropInput') return 'backprop input';
  if ([BN_TRAIN, BN_GRAD, 'FusedBatchNorm'].includes(kernel)) return 'batch norm';
  if ([ADD_RELU, RELU_GRAD, MOMENTUM_UPDATE].includes(kernel)) return 'other';
  if ([MAX_POOL, MAX_POOL_GRAD, 'MaxPool', 'MaxPoolGrad', 'AvgPool', 'AvgPoolGrad', 'Mean'].includes(kernel)) return 'pooling';
  return 'other';
}

/** Multiply-adds × 2 of one kernel call, from its shapes (NHWC; filters [kh][kw][in][out]). */
function flopsOf(k: { name: string; inputShapes: number[][]; outputShapes: number[][] }): number {
  const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
  if (['Conv2D', 'FusedConv2D'].includes(k.name)) {
    const [kh, kw, ci] = k.inputShapes[1];
    return 2 * prod(k.outputShapes[0]) * kh * kw * ci;
  }
  if (k.name === DIRECT_CONV) return 2 * prod(k.outputShapes[0]) * (prod(k.inputShapes[1]) / ((k.outputShapes[0][3] + 7) & ~7)); // K = packed size / ⌈CO/8⌉·8
  if (k.name === WINOGRAD_CONV) return 2 * prod(k.outputShapes[0]) * 9 * k.inputShapes[0][3]; // direct-convolution FLOPs
  if (k.name === 'Conv2DBackpropFilter') { // inputs x, dy; output the filter gradient
    const dy = k.inputShapes[1], f = k.outputShapes[0];
    return 2 * prod(dy) * f[0] * f[1] * f[2];
  }
  if (k.name === 'Conv2DBackpropInput') { // inputs dy, filter
    const dy = k.inputShapes[0], f = k.inputShapes[1];
    return 2 * prod(dy) * f[0] * f[1] * f[2];
  }
  if (['MatMul', '_FusedMatMul', 'BatchMatMul'].includes(k.name)) {
    // a [.., M, K] (or transposed) times b gives [.., M, N]: M·N·K multiply-adds = |a| · N, whatever the transposes
    const out = k.outputShapes[0];
    return 2 * prod(k.inputShapes[0]) * out[out.length - 1];
  }
  return 0;
}

/**
 * The network's own FLOPs per image (2 per multiply-add of its convolutions and dense layer), as
 * the architecture defines them, whatever form the kernels compute them in (the space-to-depth stem
 * multiplies a zero-padded 8×8 filter; the filter gradient's padded grid adds products with zeros).
 * Training: forward, filter gradients and input gradients, less the stem's input gradient (the
 * images need none): 3·forward − stem.
 */
function networkFlops(S: number, w: number, K: number): { forward: number; stem: number; training: number } {
  const c = resNet10Widths(w);
  const side = (div: number) => Math.ceil(S / div);
  const stem = 2 * side(2) ** 2 * 49 * 3 * c[0];
  let forward = stem + 2 * c[3] * K;
  for (let b = 0; b < 4; b++) {
    const o = side(2 ** (b + 2)) ** 2, cin = b === 0 ? c[0] : c[b - 1], cb = c[b];
    forward += 2 * o * (9 * cin * cb + 9 * cb * cb + cin * cb);
  }
  return { forward, stem, training: 3 * forward - stem };
}

interface Table { ms: Record<Group, number>; totalMs: number; gflop: number; otherByKernel: Record<string, number> }

async function profile(f: () => void): Promise<Table> {
  const info = await tf.profile(f);
  const ms = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<Group, number>;
  let gflop = 0;
  const otherByKernel: Record<string, number> = {};
  for (const k of info.kernels) {
    // A composite op's wrapper (and tf.customGrad's, named 'forward': the training stem): its kernels are listed on their own.
    if (k.name.endsWith('__op') || k.name === 'forward') continue;
    const t = Number(await k.kernelTimeMs);
    if (process.env.DEBUG_OPS && k.name === process.env.DEBUG_OPS) console.log(k.name, t.toFixed(1), JSON.stringify(k.inputShapes), JSON.stringify(k.outputShapes));
    const g = groupOf(k.name);
    ms[g] += Number.isFinite(t) ? t : 0;
    if (g === 'other') otherByKernel[k.name] = (otherByKernel[k.name] ?? 0) + (Number.isFinite(t) ? t : 0);
    gflop += flopsOf(k as unknown as { name: string; inputShapes: number[][]; outputShapes: number[][] }) / 1e9;
  }
  return { ms, totalMs: GROUPS.reduce((a, g) => a + ms[g], 0), gflop, otherByKernel };
}

async function fastest(n: number, f: () => void): Promise<Table> {
  f(); // warm-up
  let best: Table | null = null;
  for (let i = 0; i < n; i++) {
    const t = await profile(f);
    if (!best || t.totalMs < best.totalMs) best = t;
  }
  return best!;
}

/**
 * GFLOP/s of the madd_loop export of a compiled bench/simd-ceiling.c on this thread: the best of 15
 * runs of iters/5 steps each (short runs, so that on a loaded machine some run gets a core to itself;
 * the loop has 12 independent chains, enough to be throughput- not latency-bound: 1 chain reached
 * 2.0, 4 chains 10.0 and 12 chains 28.3 GFLOP/s at load 2), by wall time and by this process's CPU time.
 */
function loopGflops(mod: WebAssembly.Module, iters: number, flops: number): number {
  return loopGflopsBoth(mod, iters, flops).wall;
}
function loopGflopsBoth(mod: WebAssembly.Module, iters: number, flops: number): { wall: number; cpu: number } {
  const fn = new WebAssembly.Instance(mod, {}).exports.madd_loop as (i: number, s: number) => number;
  fn(1000, 1); // tier up
  let best = Infinity, bestCpu = Infinity;
  const part = Math.round(iters / 5), partFlops = (flops * part) / iters;
  for (let r = 0; r < 15; r++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    fn(part, 1);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (performance.now() - t0) / 1000);
    bestCpu = Math.min(bestCpu, (c.user + c.system) / 1e6);
  }
  return { wall: partFlops / best / 1e9, cpu: partFlops / Math.max(bestCpu, 1e-6) / 1e9 };
}

const CLANG_FLAGS = ['--target=wasm32', '-O3', '-msimd128', '-nostdlib', '-fno-builtin', '-Wl,--no-entry'];

/**
 * The relaxed-simd FMA variant on one thread (GFLOP/s), or null where this runtime rejects it.
 * clang-14 encodes f32x4 fma with its prototype opcode 0xfd 0xaf 0x01; the standard
 * f32x4.relaxed_madd is 0xfd 0x105 (LEB128: 0xfd 0x85 0x02), the same length, so it is rewritten
 * in place; Node 20 (V8 11.3) needs --experimental-wasm-relaxed-simd, set here at run time.
 */
function fmaCeiling(dir: string, src: string, iters: number, flops: number): number | null {
  try {
    const out = path.join(dir, 'fma.wasm');
    execFileSync('clang-14', [...CLANG_FLAGS, '-mrelaxed-simd', '-DRELAXED_FMA', '-o', out, src], { stdio: 'pipe' });
    const bytes = readFileSync(out);
    let patched = 0;
    for (let i = 0; i + 2 < bytes.length; i++) {
      if (bytes[i] === 0xfd && bytes[i + 1] === 0xaf && bytes[i + 2] === 0x01) { bytes[i + 1] = 0x85; bytes[i + 2] = 0x02; patched++; }
    }
    if (patched < 12) throw new Error(`expected 12 fma instructions, found ${patched}`);
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    return loopGflops(new WebAssembly.Module(bytes), iters, flops);
  } catch (e) {
    console.log(`(no relaxed-simd FMA ceiling: ${e instanceof Error ? e.message.split('\n')[0] : e})`);
    return null;
  }
}

/**
 * GFLOP/s of bench/simd-ceiling.c on one thread and on `n` threads at once (mul+add, what
 * XNNPACK's wasm SIMD kernels can use), and its relaxed-simd FMA variant on one thread; null without clang-14.
 */
async function simdCeiling(n: number): Promise<{ one_thread: number; one_thread_cpu_time: number; threads: number; n: number; fma_one_thread: number | null } | null> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ceiling-'));
  try {
    const src = path.join(path.dirname(fileURLToPath(import.meta.url)), 'simd-ceiling.c');
    execFileSync('clang-14', [...CLANG_FLAGS, '-o', path.join(dir, 'c.wasm'), src], { stdio: 'pipe' });
    const mod = new WebAssembly.Module(readFileSync(path.join(dir, 'c.wasm')));
    const iters = 20_000_000;
    const flops = iters * 96;
    const both = loopGflopsBoth(mod, iters, flops), single = both.wall;
    const code = `const { parentPort, workerData } = require('node:worker_threads');
      const fn = new WebAssembly.Instance(workerData.mod, {}).exports.madd_loop; fn(1000, 1);
      let best = Infinity; for (let r = 0; r < 3; r++) { const t0 = performance.now(); fn(workerData.iters, 1); best = Math.min(best, performance.now() - t0); }
      parentPort.postMessage(workerData.flops / (best / 1000) / 1e9);`;
    const all = await Promise.all(Array.from({ length: n }, () => new Promise<number>((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: { mod, iters, flops } });
      w.on('message', (g: number) => { resolve(g); void w.terminate(); });
      w.on('error', reject);
    })));
    return { one_thread: single, one_thread_cpu_time: both.cpu, threads: all.reduce((a, b) => a + b, 0), n, fma_one_thread: fmaCeiling(dir, src, iters, flops) };
  } catch (e) {
    console.log(`(no SIMD ceiling: ${e instanceof Error ? e.message.split('\n')[0] : e})`);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const backend = await chooseBackend({ prefer: ['wasm'], threads });
const uptimeStart = uptime();
console.log(`uptime at start: ${uptimeStart}; filter gradient: ${filterGrad}; inference convolutions: ${convInfer}; training convolutions: ${convTrain}; stem, stride-2 and 1×1 convolutions: ${argv.includes("--direct-conv") ? argv[argv.indexOf("--direct-conv") + 1] : "own"}; glue: ${glueSerial ? "serial" : "split"}`);

const model = buildResNet10({ inputSize: size, widthMultiplier: width, numClasses: classes });
const p = resNetParams(model), vars = trainableVariables(p);
const opt = momentumOptimizer(0.01, 0.9);
const x = tf.randomUniform([batch, size, size, 3]) as tf.Tensor4D;
const y = tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32') as tf.Tensor1D, classes);
const trainStep = () => {
  const stats: BatchStat[] = [];
  const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forwardTrain(p, x, stats)) as tf.Scalar, true, vars)!;
  updateMovingStatistics(stats); disposeStats(stats);
  loss.dataSync(); loss.dispose();
};
const train = await fastest(reps, trainStep);
const predictor = new Predictor(model);
const images = new Float32Array(inferBatch * size * size * 3).map((_, i) => (i % 251) / 251);
const infer = await fastest(reps, () => { predictor.predict(images, { batchSize: inferBatch }); });
const ceiling = await simdCeiling(threads);
const uptimeEnd = uptime();

const row = (t: Table, g: Group) => `${t.ms[g].toFixed(1).padStart(8)} ms ${((100 * t.ms[g]) / t.totalMs).toFixed(0).padStart(3)} %`;
console.log(`\n${size} px, width ${width}, ${classes} classes, ${threads} wasm thread(s); training batch ${batch}, inference batch ${inferBatch}`);
console.log(`| op | training step | inference pass |\n|---|---:|---:|`);
for (const g of GROUPS) console.log(`| ${g} | ${row(train, g)} | ${row(infer, g)} |`);
console.log(`| total | ${train.totalMs.toFixed(1)} ms | ${infer.totalMs.toFixed(1)} ms |`);
const top = (t: Table) => Object.entries(t.otherByKernel).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
console.log(`other, by kernel (ms): training: ${top(train)}; inference: ${top(infer)}`);
const net = networkFlops(size, width, classes);
const useful = (t: Table) => (t === train ? net.training * batch : net.forward * inferBatch) / 1e9;
const gfs = (t: Table) => useful(t) / (t.totalMs / 1000);
console.log(`GFLOP of the network: ${(net.training / 1e9).toFixed(3)} per training image, ${(net.forward / 1e9).toFixed(3)} per inference image ` +
  `(the kernels computed ${(train.gflop / batch).toFixed(3)} and ${(infer.gflop / inferBatch).toFixed(3)}, zero padding included)`);
console.log(`GFLOP/s reached (network FLOPs / kernel time): training ${gfs(train).toFixed(1)}, inference ${gfs(infer).toFixed(1)}`);
if (ceiling) {
  const c = threads > 1 ? ceiling.threads : ceiling.one_thread;
  console.log(`wasm SIMD128 multiply-add ceiling: ${ceiling.one_thread.toFixed(1)} GFLOP/s on 1 thread (${ceiling.one_thread_cpu_time.toFixed(1)} per CPU second), ${ceiling.threads.toFixed(1)} on ${ceiling.n} at once; ` +
    `training reaches ${((100 * gfs(train)) / c).toFixed(0)} %, inference ${((100 * gfs(infer)) / c).toFixed(0)} % of it`);
  if (ceiling.fma_one_thread !== null) {
    console.log(`relaxed-simd FMA ceiling (not used by tfjs-backend-wasm 4.22): ${ceiling.fma_one_thread.toFixed(1)} GFLOP/s on 1 thread` +
      (threads === 1 ? `; training reaches ${((100 * gfs(train)) / ceiling.fma_one_thread).toFixed(0)} %, inference ${((100 * gfs(infer)) / ceiling.fma_one_thread).toFixed(0)} % of it` : ''));
  }
}
console.log(`uptime at end: ${uptimeEnd}`);
console.log(JSON.stringify({
  bench: 'nn-ops', backend: backend.name, threads: backend.threads, cores: availableParallelism(), size, width, classes, batch, infer_batch: inferBatch,
  uptime_start: uptimeStart, uptime_end: uptimeEnd, train, infer,
  network_gflop_per_image: { training: net.training / 1e9, inference: net.forward / 1e9 },
  train_gflops_per_s: gfs(train), infer_gflops_per_s: gfs(infer), simd_ceiling_gflops_per_s: ceiling,
}));
process.exit(0);
