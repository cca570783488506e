/**
 * npm run bench:nn [-- --threads 2 --steps 5 --paper]
 *
 * Training and inference images/s of the ResNet-10 on the wasm backend (64 px, width 0.5,
 * 200 identities, batch 64, on 2 threads by default) and, in the same run, the PyTorch CPU baseline
 * (../shared/bench/torch-baseline.sh with the same settings). --paper adds the paper-scale figures
 * (224 px, width 1, 2,000 identities, batch 32); --only-paper runs only those. The last line of
 * output is one JSON object (wall-clock figures, with the machine's load average beside them).
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { chooseBackend } from '../workers/nn/backend';
import { buildResNet10 } from '../workers/nn/resnet10';
import { resNetParams, forwardTrain, trainableVariables, updateMovingStatistics, disposeStats, type BatchStat } from '../workers/nn/forward';
import { Predictor } from '../workers/nn/predict';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const threads = arg('threads', 2), steps = arg('steps', 5);
const paper = process.argv.includes('--paper');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Setting { size: number; width: number; classes: number; batch: number; steps: number; infer: number }

/** Median seconds of a full training step (forward, backward, momentum SGD, BN statistics). */
function measureTrain(s: Setting): number {
  const model = buildResNet10({ inputSize: s.size, widthMultiplier: s.width, numClasses: s.classes });
  const p = resNetParams(model), vars = trainableVariables(p);
  const opt = tf.train.momentum(0.01, 0.9);
  const x = tf.randomUniform([s.batch, s.size, s.size, 3]) as tf.Tensor4D;
  const y = tf.oneHot(tf.randomUniform([s.batch], 0, s.classes, 'int32') as tf.Tensor1D, s.classes);
  const times: number[] = [];
  for (let i = 0; i <= s.steps; i++) {
    const t0 = performance.now();
    const stats: BatchStat[] = [];
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forwardTrain(p, x, stats)) as tf.Scalar, true, vars)!;
    updateMovingStatistics(stats); disposeStats(stats);
    loss.dataSync(); loss.dispose();
    if (i > 0) times.push((performance.now() - t0) / 1000); // the first step warms up
  }
  tf.dispose([x, y]); opt.dispose(); model.dispose();
  return median(times);
}

/** Images/s of batched inference (one batch of s.infer images, after a warm-up). */
function measureInfer(s: Setting): number {
  const model = buildResNet10({ inputSize: s.size, widthMultiplier: s.width, numClasses: s.classes });
  const predictor = new Predictor(model);
  const images = new Float32Array(s.infer * s.size * s.size * 3).map((_, i) => (i % 251) / 251);
  predictor.predict(images.subarray(0, Math.min(16, s.infer) * s.size * s.size * 3), { batchSize: s.infer });
  const t0 = performance.now();
  predictor.predict(images, { batchSize: s.infer });
  const seconds = (performance.now() - t0) / 1000;
  predictor.dispose(); model.dispose();
  return s.infer / seconds;
}

function torchBaseline(s: Setting): Record<string, unknown> | null {
  const script = '../shared/bench/torch-baseline.sh';
  if (!existsSync(script)) { console.log(`(no ${script}: skipping the PyTorch baseline)`); return null; }
  const r = spawnSync('bash', [script, '--size', String(s.size), '--classes', String(s.classes), '--batch', String(s.batch),
    '--width', String(s.width), '--steps', String(s.steps), '--infer', String(s.infer)], { encoding: 'utf8', timeout: 1_800_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try { return JSON.parse(line) as Record<string, unknown>; } catch { console.log(`PyTorch baseline failed (${r.status}): ${r.stderr.slice(-400)}`); return null; }
}

function run(s: Setting) {
  const loadBefore = loadavg()[0];
  const stepS = measureTrain(s);
  const trainIps = s.batch / stepS;
  const inferIps = measureInfer(s);
  console.log(`tfjs-wasm ${s.size}px w${s.width} ${s.classes} classes batch ${s.batch}: train ${trainIps.toFixed(1)} img/s (step ${stepS.toFixed(3)} s), infer ${inferIps.toFixed(1)} img/s`);
  const torch = torchBaseline(s);
  const tTrain = torch ? Number(torch.train_images_per_s) : NaN, tInfer = torch ? Number(torch.infer_images_per_s) : NaN;
  if (torch) console.log(`pytorch   same setting: train ${tTrain.toFixed(1)} img/s, infer ${tInfer.toFixed(1)} img/s (${torch.threads} threads)`);
  // Timings are wall-clock on a shared machine: the 1-minute load average says how busy it was.
  const load = { before: loadBefore, after: loadavg()[0] };
  console.log(`load average ${load.before.toFixed(1)} → ${load.after.toFixed(1)} on ${availableParallelism()} cores`);
  return {
    ...s, load_average: load, train_step_s: stepS, train_images_per_s: trainIps, infer_images_per_s: inferIps,
    pytorch: torch, train_ratio_vs_pytorch: torch ? trainIps / tTrain : null, infer_ratio_vs_pytorch: torch ? inferIps / tInfer : null,
  };
}

const backend = await chooseBackend({ prefer: ['wasm'], threads });
const demo = process.argv.includes('--only-paper') ? null : run({ size: 64, width: 0.5, classes: 200, batch: 64, steps, infer: 256 });
const paperScale = paper || !demo ? run({ size: 224, width: 1, classes: 2000, batch: 32, steps: Math.min(steps, 3), infer: 64 }) : null;
const head = demo ?? paperScale!;
console.log(`train ratio vs PyTorch ${head.train_ratio_vs_pytorch?.toFixed(3)}, infer ratio ${head.infer_ratio_vs_pytorch?.toFixed(3)}`);
console.log(JSON.stringify({
  bench: 'nn', backend: backend.name, threads: backend.threads, tfjs: backend.tfjsVersion,
  train_images_per_s: head.train_images_per_s, infer_images_per_s: head.infer_images_per_s,
  pytorch_train_images_per_s: head.pytorch?.train_images_per_s ?? null, pytorch_infer_images_per_s: head.pytorch?.infer_images_per_s ?? null,
  train_ratio_vs_pytorch: head.train_ratio_vs_pytorch, infer_ratio_vs_pytorch: head.infer_ratio_vs_pytorch,
  demo, paper: paperScale,
}));
process.exit(0);
