/**
 * Training steps before (A: filter gradient on XNNPACK, batch norm on the calling thread) and after
 * (B: the packed SIMD filter gradient, batch norm split by channels over the helper threads), interleaved in one process (A B A B …, after warm-up steps of each), so both see the same load:
 * median wall ms and CPU ms (process.cpuUsage: every thread of the process) per step, images/s, and the main
 * thread's own CPU ms (/proc/self/task/<pid>/schedstat; with --ab takeback off in both arms it approximates
 * the critical path of a quiet machine, where helpers run their parts beside it).
 * With --ab winograd: A = stride-1 3×3 forward and input-gradient convolutions on XNNPACK and their
 * filter gradient on the packed kernel, B = all three by Winograd (kernels/winograd-train.ts);
 * --ab winograd-grad: only the filter gradient differs (packed against Winograd); --ab direct: the
 * forward convolutions Winograd does not take (stem, stride-2, 1×1) on XNNPACK against our direct
 * kernel (kernels/direct-conv.ts); --ab rows: the filter gradient of those layers on the packed
 * kernel (the stem in space-to-depth form) against the row kernel (wasm/direct-grad.c); --ab direct-all:
 * both of those before against after; --ab bn: batch norm on the calling thread against split by
 * channels over the helpers; --ab dense: the dense layer's gradient by tf.matMul's transpose flags
 * against explicit transposes (workers/nn/dense.ts); --ab spin [--spin polls]: the helper pool's
 * threads sleeping at once against polling first (kernels/simd-pool.ts); --ab identity: the stock
 * wasm Identity (a copy) against shared data (kernels/identity.ts); --ab bn-pos: batch norm on the calling
 * thread (the channel path in 1 part) against split over positions in 2 fixed parts (kernels/batch-norm-positions.ts);
 * --ab maxpool: max pool and its scatter on the calling thread against split by images (kernels/max-pool.ts); --ab split-all:
 * both of those before against after; --ab takeback: helpers' jobs always waited for against taken back by the caller
 * when the helper has not started them (kernels/simd-pool.ts); --ab addrelu: the blocks' residual join as
 * tf.relu(tf.add) against the fused, split kernel (kernels/add-relu.ts); --ab momentum: tfjs's
 * momentum update (4 kernels per variable) against the fused one (kernels/momentum.ts); --ab glue-all: all five
 * of bn-pos, maxpool, takeback, addrelu and momentum before against after; --ab wsplit: the Winograd
 * convolutions' split and the direct input gradients' phase packing before (setWinogradSplit('tiles'),
 * setPhasePackSplit(false)) against balanced; --ab none: the current defaults only (one path, for comparing
 * processes, e.g. --xnnpack-threads 1 against 2 interleaved by the caller).
 *   npx tsx bench/nn-step-ab.ts [--threads 1] [--xnnpack-threads n] [--size 64] [--width 0.5] [--classes 200] [--batch 64] [--steps 8] [--ab winograd|winograd-grad|direct|rows|direct-all|...] [--no-takeback]
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { chooseBackend } from '../workers/nn/backend';
import { momentumOptimizer, setFusedMomentum } from '../workers/nn/kernels/momentum';
import { buildResNet10 } from '../workers/nn/resnet10';
import { resNetParams, forwardTrain, trainableVariables, updateMovingStatistics, disposeStats, type BatchStat } from '../workers/nn/forward';
import { setFilterGradPath, setRowFilterGrad, type FilterGradPath } from '../workers/nn/kernels/conv2d-backprop-filter';
import { setBatchNormParts, setBatchNormPositionParts, BATCH_NORM_DEFAULT_POSITION_PARTS } from '../workers/nn/kernels/batch-norm';
import { setDenseTransposed } from '../workers/nn/dense';
import { setSimdPoolSpin, setSimdPoolTakeBack, simdPoolJobsTakenBack } from '../workers/nn/kernels/simd-pool';
import { setSharedIdentity } from '../workers/nn/kernels/identity';
import { setMaxPoolParts } from '../workers/nn/kernels/max-pool';
import { setFusedAddRelu } from '../workers/nn/kernels/add-relu';
import { setWinogradSplit, type WinogradSplit } from '../workers/nn/kernels/winograd';
import { setPhasePackSplit } from '../workers/nn/kernels/conv2d-backprop-input';
import { setWinogradTraining, setWinogradFilterGrad } from '../workers/nn/kernels/winograd-train';
import { setDirectConvPath, type DirectConvPath } from '../workers/nn/kernels/direct-conv';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : fallback; };
const threads = num('threads', 1), size = num('size', 64), width = num('width', 0.5), classes = num('classes', 200);
const batch = num('batch', 64), steps = num('steps', 8);
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
const xnnpackThreads = argv.includes('--xnnpack-threads') ? num('xnnpack-threads', threads) : undefined;
const info = await chooseBackend({ prefer: ['wasm'], threads, xnnpackThreads });
console.log(`start: ${uptime()}`);
const model = buildResNet10({ inputSize: size, widthMultiplier: width, numClasses: classes, seed: 1 });
const p = resNetParams(model), vars = trainableVariables(p);
const opt = momentumOptimizer(0.01, 0.9);
const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
const y = tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32', 3) as tf.Tensor1D, classes);
const step = () => {
  const stats: BatchStat[] = [];
  const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forwardTrain(p, x, stats)) as tf.Scalar, true, vars)!;
  updateMovingStatistics(stats); disposeStats(stats);
  loss.dataSync(); loss.dispose();
};
const noTakeBack = argv.includes('--no-takeback');
if (noTakeBack) setSimdPoolTakeBack(false);
const ab = argv.includes('--ab') ? argv[argv.indexOf('--ab') + 1] : '';
const paths = ab === 'none' ? ['current'] : ab === 'wsplit' ? ['tiles', 'balanced'] : ab === 'bn-pos' ? ['bn-1', 'bn-pos'] : ab === 'maxpool' ? ['pool-1', 'pool-split'] : ab === 'split-all' ? ['serial', 'split'] : ab === 'takeback' ? ['wait', 'takeback'] : ab === 'addrelu' ? ['stock', 'fused'] : ab === 'glue-all' ? ['before', 'after'] : ab === 'momentum' ? ['tfjs', 'fused'] : ab === 'identity' ? ['copy', 'shared'] : ab === 'spin' ? ['sleep', 'spin'] : ab === 'bn' ? ['bn-1', 'bn-split'] : ab === 'dense' ? ['flags', 'transp'] : ab === 'winograd' ? ['direct', 'winograd'] : ab === 'winograd-grad' ? ['packed', 'winograd'] : ab === 'direct' ? ['xnnpack', 'own'] : ab === 'rows' ? ['packed', 'rows'] : ab === 'direct-all' ? ['before', 'after'] : ['xnnpack', 'packed'];
import { readFileSync } from 'node:fs';
const mainCpuMs = () => { try { return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6; } catch { return NaN; } };
const mainCpu: Record<string, number[]> = Object.fromEntries(paths.map((q) => [q, []]));
const wall: Record<string, number[]> = Object.fromEntries(paths.map((q) => [q, []])), cpu: Record<string, number[]> = Object.fromEntries(paths.map((q) => [q, []]));
for (let r = -2; r < steps; r++) for (const path of paths) {
  if (ab === 'none') {
    // the defaults as they are
  } else if (ab === 'glue-all') {
    const after = path === 'after';
    setBatchNormParts(1);
    setBatchNormPositionParts(after ? BATCH_NORM_DEFAULT_POSITION_PARTS : 0);
    setMaxPoolParts(after ? 0 : 1);
    setSimdPoolTakeBack(after && !noTakeBack);
    setFusedAddRelu(after);
    setFusedMomentum(after);
  } else if (ab === 'momentum') {
    setFusedMomentum(path === 'fused');
  } else if (ab === 'wsplit') {
    setWinogradSplit(path as WinogradSplit);
    setPhasePackSplit(path === 'balanced');
  } else if (ab === 'addrelu') {
    setFusedAddRelu(path === 'fused');
  } else if (ab === 'takeback') {
    setSimdPoolTakeBack(path === 'takeback');
  } else if (ab === 'split-all') {
    setMaxPoolParts(path === 'serial' ? 1 : 0);
    setBatchNormParts(1);
    setBatchNormPositionParts(path === 'serial' ? 0 : BATCH_NORM_DEFAULT_POSITION_PARTS);
  } else if (ab === 'maxpool') {
    setMaxPoolParts(path === 'pool-1' ? 1 : 0);
  } else if (ab === 'bn-pos') {
    setBatchNormParts(1);
    setBatchNormPositionParts(path === 'bn-pos' ? BATCH_NORM_DEFAULT_POSITION_PARTS : 0);
  } else if (ab === 'identity') {
    setSharedIdentity(path === 'shared');
  } else if (ab === 'spin') {
    setSimdPoolSpin(path === 'spin' ? num('spin', 200_000) : 0);
  } else if (ab === 'dense') {
    setDenseTransposed(path === 'transp');
  } else if (ab === 'bn') {
    setBatchNormPositionParts(0);
    setBatchNormParts(path === 'bn-1' ? 1 : 0);
  } else if (ab === 'winograd') {
    setWinogradTraining(path === 'winograd');
    setWinogradFilterGrad(path === 'winograd');
  } else if (ab === 'direct') {
    setDirectConvPath(path as DirectConvPath);
  } else if (ab === 'rows') {
    setRowFilterGrad(path === 'rows');
  } else if (ab === 'direct-all') {
    setDirectConvPath(path === 'after' ? 'own' : 'xnnpack');
    setRowFilterGrad(path === 'after');
  } else if (ab === 'winograd-grad') {
    setWinogradFilterGrad(path === 'winograd');
  } else {
    setDirectConvPath('xnnpack');
    setRowFilterGrad(false);
    setWinogradTraining(false);
    setWinogradFilterGrad(false);
    setFilterGradPath(path as FilterGradPath);
    setBatchNormPositionParts(0);
    setBatchNormParts(path === 'xnnpack' ? 1 : 0);
  }
  const t0 = performance.now(), c0 = process.cpuUsage(), m0 = mainCpuMs();
  step();
  const c = process.cpuUsage(c0);
  if (r >= 0) { wall[path].push(performance.now() - t0); cpu[path].push((c.user + c.system) / 1000); mainCpu[path].push(mainCpuMs() - m0); }
}
console.log(`jobs taken back from helpers: ${simdPoolJobsTakenBack()}`);
const med = (a: number[]) => [...a].sort((u, v) => u - v)[Math.floor(a.length / 2)];
for (const path of paths) {
  console.log(`${path.padEnd(8)} wall ${med(wall[path]).toFixed(0)} ms (min ${Math.min(...wall[path]).toFixed(0)}), CPU ${med(cpu[path]).toFixed(0)} ms (min ${Math.min(...cpu[path]).toFixed(0)}), main thread ${med(mainCpu[path]).toFixed(0)} ms (min ${Math.min(...mainCpu[path]).toFixed(0)}) per step; ` +
    `${((1000 * batch) / med(wall[path])).toFixed(0)} images/s`);
}
const [A, B] = paths;
if (!B) console.log(`${size} px, width ${width}, batch ${batch}, ${info.threads} thread(s), XNNPACK ${info.xnnpackThreads}; end: ${uptime()}`);
else console.log(`${B}/${A}: wall ${(med(wall[B]) / med(wall[A])).toFixed(2)}, CPU ${(med(cpu[B]) / med(cpu[A])).toFixed(2)}, main thread ${(med(mainCpu[B]) / med(mainCpu[A])).toFixed(2)}; ` +
  `${size} px, width ${width}, batch ${batch}, ${threads} thread(s); end: ${uptime()}`);
