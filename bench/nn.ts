/**
 * npm run bench:nn [-- --threads N --reps 3 --steps 5 --passes 5 --batches 32,64,128,256
 *                     --paper --only-paper --paper-reps 3 --paper-steps 2 --paper-passes 3
 *                     --paper-batches 16,32,64 --no-torch --warmup 2]
 *
 * Training and inference images/s of the ResNet-10 on the wasm backend against the PyTorch CPU
 * baseline (../shared/bench/torch-baseline.sh → resnet10_torch.py, run as it is), measured the same
 * way on both sides:
 *  - training: the median of --steps full steps (forward, backward, momentum SGD, BN statistics)
 *    after warm-up (PyTorch: two warm-up steps; Deeper: --warmup, default two, plus the model
 *    build: the 2nd–4th steps on wasm still ran 10–60 % slower than later ones, PERFORMANCE.md "Threads on a quiet machine");
 *  - inference: every batch size of --batches warmed up once, then the median of --passes passes;
 *    each engine's figure is its best batch size (each batch's figure is printed too).
 * Repetitions are interleaved, Deeper then PyTorch, --reps times (A B A B A B); each repetition
 * gives a ratio, and `train_ratio_vs_pytorch` / `infer_ratio_vs_pytorch` are the median ratios
 * with their min and max. Settings: 64 px, width 0.5, 200 classes, training batch 64; with
 * --paper also paper scale (224 px, width 1, 2,000 classes, batch 32), which is slow, so it has
 * its own, smaller counts (--paper-reps, --paper-steps, --paper-passes, --paper-batches);
 * --only-paper runs only that. Threads: --threads, else DEEPER_WASM_THREADS, else the core count
 * (PyTorch uses its default, all cores). The load average (uptime) is printed beside every figure:
 * on a shared machine only ratios from one interleaved run compare. The last line of output is one
 * JSON object.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseBackend } from '../workers/nn/backend';
import { momentumOptimizer } from '../workers/nn/kernels/momentum';
import { buildResNet10 } from '../workers/nn/resnet10';
import { resNetParams, forwardTrain, trainableVariables, updateMovingStatistics, disposeStats, type BatchStat } from '../workers/nn/forward';
import { Predictor } from '../workers/nn/predict';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const list = (name: string, fallback: number[]) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1].split(',').map(Number) : fallback;
};
const threads = num('threads', Number(process.env.DEEPER_WASM_THREADS) || availableParallelism());
/** Training steps run before the timed ones (PyTorch's baseline runs two). */
const WARMUP_STEPS = Math.max(1, num('warmup', 2));
const here = path.dirname(fileURLToPath(import.meta.url));
const torchScript = path.resolve(here, '../../shared/bench/torch-baseline.sh');
const withTorch = !argv.includes('--no-torch');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const uptime = () => {
  const r = spawnSync('uptime', { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
};
const log = (s: string) => console.log(s);

interface Setting { name: string; size: number; width: number; classes: number; batch: number; steps: number; passes: number; batches: number[]; reps: number }

/** Median seconds of a full training step (forward, backward, momentum SGD, BN statistics) after WARMUP_STEPS warm-up steps. */
function measureTrain(s: Setting): number {
  const model = buildResNet10({ inputSize: s.size, widthMultiplier: s.width, numClasses: s.classes });
  const p = resNetParams(model), vars = trainableVariables(p);
  const opt = momentumOptimizer(0.01, 0.9);
  const x = tf.randomUniform([s.batch, s.size, s.size, 3]) as tf.Tensor4D;
  const y = tf.oneHot(tf.randomUniform([s.batch], 0, s.classes, 'int32') as tf.Tensor1D, s.classes);
  const times: number[] = [];
  for (let i = 1 - WARMUP_STEPS; i <= s.steps; i++) {
    const t0 = performance.now();
    const stats: BatchStat[] = [];
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forwardTrain(p, x, stats)) as tf.Scalar, true, vars)!;
    updateMovingStatistics(stats); disposeStats(stats);
    loss.dataSync(); loss.dispose();
    if (i > 0) times.push((performance.now() - t0) / 1000); // the first WARMUP_STEPS steps warm up
  }
  tf.dispose([x, y]); opt.dispose(); model.dispose();
  return median(times);
}

/** Images/s per inference batch size: each warmed up once, then the median of s.passes passes. */
function measureInfer(s: Setting): Record<number, number> {
  const model = buildResNet10({ inputSize: s.size, widthMultiplier: s.width, numClasses: s.classes });
  const predictor = new Predictor(model);
  const byBatch: Record<number, number> = {};
  for (const b of s.batches) {
    const images = new Float32Array(b * s.size * s.size * 3).map((_, i) => (i % 251) / 251);
    predictor.predict(images, { batchSize: b });
    const times: number[] = [];
    for (let i = 0; i < s.passes; i++) {
      const t0 = performance.now();
      predictor.predict(images, { batchSize: b });
      times.push((performance.now() - t0) / 1000);
    }
    byBatch[b] = b / median(times);
  }
  predictor.dispose(); model.dispose();
  return byBatch;
}

function best(byBatch: Record<number, number>): { batch: number; ips: number } {
  const [batch, ips] = Object.entries(byBatch).reduce((a, b) => (b[1] > a[1] ? b : a));
  return { batch: Number(batch), ips };
}

function torchBaseline(s: Setting): Record<string, unknown> | null {
  const r = spawnSync('bash', [torchScript, '--size', `${s.size}`, '--classes', `${s.classes}`, '--batch', `${s.batch}`, '--width', `${s.width}`,
    '--steps', `${s.steps}`, '--repeats', `${s.passes}`, '--infer-batches', ...s.batches.map(String)], { encoding: 'utf8', timeout: 3_600_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try { return JSON.parse(line) as Record<string, unknown>; } catch { log(`PyTorch baseline failed (${r.status}): ${r.stderr.slice(-400)}`); return null; }
}

const spread = (xs: number[]) => (xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) } : null);

function run(s: Setting) {
  const reps: Record<string, unknown>[] = [];
  const trainRatios: number[] = [];
  const inferRatios: number[] = [];
  for (let r = 0; r < s.reps; r++) {
    const stepS = measureTrain(s);
    const infer = measureInfer(s);
    const dBest = best(infer);
    const deeper = { train_step_s: stepS, train_images_per_s: s.batch / stepS, infer_images_per_s: dBest.ips, infer_best_batch: dBest.batch, infer_images_per_s_by_batch: infer, uptime: uptime() };
    log(`[${s.name} rep ${r + 1}/${s.reps}] tfjs-wasm: train ${deeper.train_images_per_s.toFixed(1)} img/s, infer ${dBest.ips.toFixed(1)} img/s at batch ${dBest.batch} ${JSON.stringify(Object.fromEntries(Object.entries(infer).map(([b, v]) => [b, Math.round(v)])))}   (${deeper.uptime})`);
    const torch = withTorch && existsSync(torchScript) ? torchBaseline(s) : null;
    if (torch) {
      const tTrain = Number(torch.train_images_per_s), tInfer = Number(torch.infer_images_per_s);
      trainRatios.push(deeper.train_images_per_s / tTrain);
      inferRatios.push(dBest.ips / tInfer);
      log(`[${s.name} rep ${r + 1}/${s.reps}] pytorch:   train ${tTrain.toFixed(1)} img/s, infer ${tInfer.toFixed(1)} img/s at batch ${torch.infer_best_batch} (${torch.threads} threads)   (${uptime()})`);
    }
    reps.push({ deeper, pytorch: torch });
  }
  const out = {
    setting: s, threads, reps,
    train_ratio_vs_pytorch: spread(trainRatios), infer_ratio_vs_pytorch: spread(inferRatios),
    deeper_train_images_per_s: spread(reps.map((x) => (x.deeper as { train_images_per_s: number }).train_images_per_s)),
    deeper_infer_images_per_s: spread(reps.map((x) => (x.deeper as { infer_images_per_s: number }).infer_images_per_s)),
  };
  const f = (x: { median: number; min: number; max: number } | null) => (x ? `${x.median.toFixed(3)} (min ${x.min.toFixed(3)}, max ${x.max.toFixed(3)})` : 'n/a');
  log(`${s.name}: train_ratio_vs_pytorch ${f(out.train_ratio_vs_pytorch)}, infer_ratio_vs_pytorch ${f(out.infer_ratio_vs_pytorch)} over ${s.reps} interleaved repetitions`);
  return out;
}

const backend = await chooseBackend({ prefer: ['wasm'], threads });
log(`uptime at start: ${uptime()}`);
const demo = argv.includes('--only-paper') ? null
  : run({ name: '64px-w0.5', size: 64, width: 0.5, classes: 200, batch: 64, steps: num('steps', 5), passes: num('passes', 5), batches: list('batches', [32, 64, 128, 256]), reps: num('reps', 3) });
const paper = argv.includes('--paper') || argv.includes('--only-paper')
  ? run({ name: 'paper-224px-w1', size: 224, width: 1, classes: 2000, batch: 32, steps: num('paper-steps', 2), passes: num('paper-passes', 3), batches: list('paper-batches', [16, 32, 64]), reps: num('paper-reps', 3) })
  : null;
const head = demo ?? paper!;
const uptimeEnd = uptime();
log(`uptime at end: ${uptimeEnd}`);
console.log(JSON.stringify({
  bench: 'nn', backend: backend.name, threads: backend.threads, tfjs: backend.tfjsVersion, xnnpack_threads: backend.xnnpackThreads ?? null, warmup_steps: WARMUP_STEPS, cores: availableParallelism(), uptime_end: uptimeEnd,
  train_ratio_vs_pytorch: head.train_ratio_vs_pytorch, infer_ratio_vs_pytorch: head.infer_ratio_vs_pytorch,
  demo, paper,
}));
process.exit(0);
