/**
 * The training loop: seeded shuffles and augmentation per epoch, SGD with momentum or Adam, a
 * learning-rate schedule, validation loss and accuracy per epoch, a checkpoint per epoch, resume
 * from the newest checkpoint, progress per batch, cancellation between batches.
 *
 * Determinism: on one backend, the same seed, data and options give the same weights, and a run
 * resumed from the checkpoint after epoch k reproduces the uninterrupted run (every epoch's
 * shuffle and augmentation derive from (seed, epoch), the schedule from the step index; with Adam
 * the bias-correction powers are recomputed on resume and may differ in the last bit).
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { chooseBackend, type BackendInfo } from './backend';
import { type DataSource, AugmentSchema, augmentBatch, epochSeed, rng, shuffled } from './data';
import { resNetParams, forwardTrain, trainableVariables, updateMovingStatistics, disposeStats, type BatchStat } from './forward';
import { describeResNet10 } from './resnet10';
import { Predictor } from './predict';
import { loadLatestCheckpoint, saveCheckpoint, type EpochRecord, type TrainingState } from './checkpoint';
import type { FolderFiles } from '../util';
import { momentumOptimizer } from './kernels/momentum';

export const TrainOptionsSchema = z.object({
  epochs: z.number().int().min(1).max(10_000),
  batchSize: z.number().int().min(1).max(4096).default(64),
  optimizer: z.enum(['sgd', 'adam']).default('sgd'),
  learningRate: z.number().gt(0).max(10).default(0.01),
  /** SGD momentum (ignored by Adam). */
  momentum: z.number().min(0).max(0.999).default(0.9),
  /** L2 weight decay on convolution and dense kernels. */
  weightDecay: z.number().min(0).max(1).default(0),
  /** constant; cosine (to 0 at the end); step (×0.1 at 50% and 75% of the epochs). */
  schedule: z.enum(['constant', 'cosine', 'step']).default('cosine'),
  /** Linear warm-up over this many epochs (fractional allowed). */
  warmupEpochs: z.number().min(0).max(100).default(0),
  augment: z.union([z.literal(false), AugmentSchema]).default({ shiftPx: 4, zoom: 0.1 }),
  seed: z.number().int().min(0).default(0),
  /** Continue from the newest checkpoint in hooks.checkpoints when there is one. */
  resume: z.boolean().default(true),
});
export type TrainOptions = z.input<typeof TrainOptionsSchema>;

export interface TrainProgress {
  epoch: number; epochs: number;
  batch: number; batches: number;
  loss: number;
  learningRate: number;
  imagesPerSecond: number;
  /** Seconds to the end of training at the current rate. */
  etaSeconds: number;
  /** Fraction of all batches done, 0..1. */
  fraction: number;
}

export interface TrainHooks {
  validation?: DataSource;
  onProgress?: (p: TrainProgress) => void;
  onEpoch?: (r: EpochRecord) => void;
  signal?: AbortSignal;
  /** Where checkpoints go (the edge's folder: workers/util folderFiles(dir)); none when absent. */
  checkpoints?: FolderFiles;
}

export interface TrainResult {
  epochsCompleted: number;
  history: EpochRecord[];
  cancelled: boolean;
  resumedFromEpoch: number | null;
  backend: BackendInfo;
  /** Mean training throughput over this call's batches. */
  imagesPerSecond: number;
}

type Opts = z.infer<typeof TrainOptionsSchema>;

/** Learning rate at fractional epoch t (0 ≤ t < epochs). */
export function learningRateAt(o: Pick<Opts, 'learningRate' | 'schedule' | 'warmupEpochs' | 'epochs'>, t: number): number {
  let lr = o.learningRate;
  if (o.schedule === 'cosine') lr *= 0.5 * (1 + Math.cos((Math.PI * t) / o.epochs));
  else if (o.schedule === 'step') lr *= t >= 0.75 * o.epochs ? 0.01 : t >= 0.5 * o.epochs ? 0.1 : 1;
  if (o.warmupEpochs > 0 && t < o.warmupEpochs) lr *= (t + 1e-3) / o.warmupEpochs;
  return lr;
}

function makeOptimizer(o: Opts): tf.Optimizer {
  return o.optimizer === 'adam' ? tf.train.adam(o.learningRate) : momentumOptimizer(o.learningRate, o.momentum);
}

function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** Mean cross-entropy (nats) and accuracy of the model on a data source, inference mode. */
export function evaluate(model: tf.LayersModel, data: DataSource, batchSize = 128): { loss: number; accuracy: number } {
  const predictor = new Predictor(model);
  let loss = 0, correct = 0;
  try {
    for (let start = 0; start < data.size; start += batchSize) {
      const idx = Int32Array.from({ length: Math.min(batchSize, data.size - start) }, (_, i) => start + i);
      const b = data.batch(idx);
      const p = predictor.predict(b.images, { batchSize });
      for (let i = 0; i < idx.length; i++) {
        const row = p.probabilities.subarray(i * p.numClasses, (i + 1) * p.numClasses);
        loss -= Math.log(Math.max(row[b.labels[i]], 1e-30));
        let arg = 0;
        for (let k = 1; k < row.length; k++) if (row[k] > row[arg]) arg = k;
        if (arg === b.labels[i]) correct++;
      }
    }
  } finally {
    predictor.dispose();
  }
  return { loss: loss / data.size, accuracy: correct / data.size };
}

/** Trains a ResNet-10 built by buildResNet10 in place. */
export async function train(model: tf.LayersModel, data: DataSource, options: TrainOptions, hooks: TrainHooks = {}): Promise<TrainResult> {
  const o = TrainOptionsSchema.parse(options);
  const backend = await chooseBackend();
  const desc = describeResNet10(model);
  if (!desc) throw new Error('model: train() needs a ResNet-10 built by buildResNet10 (layer names conv1_conv … logits)');
  if (data.imageSize !== desc.inputSize) throw new Error(`data.imageSize: ${data.imageSize} px but the model takes ${desc.inputSize} px`);
  if (data.size < 1) throw new Error('data: empty');
  const params = resNetParams(model);
  const vars = trainableVariables(params);
  const decayed = new Set([params.stem.kernel, ...params.blocks.flatMap((b) => [b.conv1.kernel, b.conv2.kernel, b.proj.kernel]), params.dense.kernel].map((v) => v.name));
  const optimizer = makeOptimizer(o);
  let history: EpochRecord[] = [];
  let startEpoch = 0;
  let resumedFromEpoch: number | null = null;
  if (hooks.checkpoints && o.resume) {
    const ck = await loadLatestCheckpoint(hooks.checkpoints);
    if (ck) {
      model.setWeights(ck.weights);
      await optimizer.setWeights(ck.optimizerWeights);
      tf.dispose(ck.weights);
      tf.dispose(ck.optimizerWeights.map((w) => w.tensor));
      history = ck.state.history;
      startEpoch = resumedFromEpoch = ck.state.epoch;
    }
  }
  const S = desc.inputSize, K = desc.numClasses;
  const batches = Math.ceil(data.size / o.batchSize);
  const totalBatches = batches * (o.epochs - startEpoch);
  let doneBatches = 0, trainedImages = 0, trainSeconds = 0;
  let cancelled = false;
  for (let epoch = startEpoch; epoch < o.epochs && !cancelled; epoch++) {
    const order = shuffled(data.size, rng(epochSeed(o.seed, epoch, 1)));
    const augRandom = rng(epochSeed(o.seed, epoch, 2));
    const t0 = performance.now();
    let lossSum = 0, correct = 0, seen = 0, lr = o.learningRate;
    for (let b = 0; b < batches; b++) {
      if (hooks.signal?.aborted) { cancelled = true; break; }
      const tb = performance.now();
      const idx = order.subarray(b * o.batchSize, Math.min(data.size, (b + 1) * o.batchSize));
      const batch = data.batch(idx);
      if (o.augment) augmentBatch(batch.images, S, o.augment, augRandom);
      lr = learningRateAt(o, epoch + b / batches);
      setLearningRate(optimizer, lr);
      const n = idx.length;
      const stats: BatchStat[] = [];
      const { loss, hits } = tf.tidy(() => {
        const x = tf.tensor4d(batch.images, [n, S, S, 3]);
        const labels = tf.tensor1d(batch.labels, 'int32');
        const onehot = tf.oneHot(labels, K);
        let hitsT: tf.Tensor | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const logits = forwardTrain(params, x, stats);
          hitsT = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')));
          return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
        }, vars);
        if (o.weightDecay > 0) {
          for (const v of vars) if (decayed.has(v.name)) grads[v.name] = tf.add(grads[v.name], tf.mul(v, o.weightDecay));
        }
        optimizer.applyGradients(grads);
        return { loss: value, hits: hitsT! };
      });
      updateMovingStatistics(stats);
      disposeStats(stats);
      const l = (await loss.data())[0];
      correct += (await hits.data())[0];
      loss.dispose(); hits.dispose();
      lossSum += l * n; seen += n;
      const dt = (performance.now() - tb) / 1000;
      trainSeconds += dt; trainedImages += n; doneBatches++;
      const ips = trainedImages / trainSeconds;
      hooks.onProgress?.({
        epoch, epochs: o.epochs, batch: b, batches, loss: l, learningRate: lr, imagesPerSecond: ips,
        etaSeconds: ((totalBatches - doneBatches) * o.batchSize) / ips, fraction: doneBatches / totalBatches,
      });
      // Let timers and abort signals run between batches.
      await new Promise((r) => setImmediate(r));
    }
    if (cancelled) break;
    const val = hooks.validation ? evaluate(model, hooks.validation) : null;
    const seconds = (performance.now() - t0) / 1000;
    const record: EpochRecord = {
      epoch, learningRate: lr, trainLoss: lossSum / seen, trainAccuracy: correct / seen,
      valLoss: val?.loss ?? null, valAccuracy: val?.accuracy ?? null, seconds, imagesPerSecond: seen / seconds,
    };
    history.push(record);
    hooks.onEpoch?.(record);
    if (hooks.checkpoints) {
      const state: TrainingState = { epoch: epoch + 1, history, seed: o.seed, optimizer: o.optimizer, backend: backend.name };
      await saveCheckpoint(hooks.checkpoints, model, optimizer, state);
    }
  }
  optimizer.dispose();
  return {
    epochsCompleted: history.length, history, cancelled, resumedFromEpoch, backend,
    imagesPerSecond: trainSeconds > 0 ? trainedImages / trainSeconds : 0,
  };
}
