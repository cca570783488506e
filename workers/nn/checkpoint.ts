/**
 * Checkpoints: after every epoch, `<dir>/epoch-NNNN/` holds the model (LayersModel format, so a
 * checkpoint is also an exportable model), the optimizer's state and the training state, and
 * `<dir>/latest.json` names the newest complete one (written last, atomically). Older checkpoints
 * beyond the two newest are removed.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic as writeAtomic } from '../util';
import { directoryHandler, saveModel } from './io';

export const EpochRecordSchema = z.object({
  epoch: z.number().int(),
  learningRate: z.number(),
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  valLoss: z.number().nullable(),
  valAccuracy: z.number().nullable(),
  seconds: z.number(),
  imagesPerSecond: z.number(),
});
export type EpochRecord = z.infer<typeof EpochRecordSchema>;

export const TrainingStateSchema = z.object({
  /** Epochs completed. */
  epoch: z.number().int().min(0),
  history: z.array(EpochRecordSchema),
  seed: z.number().int(),
  optimizer: z.enum(['sgd', 'adam']),
  backend: z.string(),
});
export type TrainingState = z.infer<typeof TrainingStateSchema>;

const Latest = z.object({ epoch: z.number().int(), dir: z.string() });

export async function saveCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainingState): Promise<string> {
  const name = `epoch-${String(state.epoch).padStart(4, '0')}`;
  const target = path.join(dir, name);
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  await saveModel(model, target);
  const { data, specs } = await tf.io.encodeWeights(await optimizer.getWeights());
  await writeAtomic(path.join(target, 'optimizer.bin'), new Uint8Array(data as ArrayBuffer));
  await writeAtomic(path.join(target, 'optimizer.json'), JSON.stringify(specs));
  await writeAtomic(path.join(target, 'state.json'), JSON.stringify(state));
  await writeAtomic(path.join(dir, 'latest.json'), JSON.stringify({ epoch: state.epoch, dir: name }));
  const old = (await readdir(dir)).filter((f) => /^epoch-\d{4}$/.test(f) && f < name).sort().slice(0, -1);
  for (const f of old) await rm(path.join(dir, f), { recursive: true, force: true });
  return target;
}

export interface LoadedCheckpoint {
  state: TrainingState;
  /** Weights in model.getWeights() order. Caller disposes. */
  weights: tf.Tensor[];
  /** Optimizer state for optimizer.setWeights(). Caller disposes. */
  optimizerWeights: { name: string; tensor: tf.Tensor }[];
}

/** The newest complete checkpoint in `dir`, or null when there is none. */
export async function loadLatestCheckpoint(dir: string): Promise<LoadedCheckpoint | null> {
  let latest: z.infer<typeof Latest>;
  try {
    latest = Latest.parse(JSON.parse(await readFile(path.join(dir, 'latest.json'), 'utf8')));
  } catch {
    return null;
  }
  const target = path.join(dir, latest.dir);
  const state = TrainingStateSchema.parse(JSON.parse(await readFile(path.join(target, 'state.json'), 'utf8')));
  const saved = await tf.loadLayersModel(directoryHandler(target));
  const weights = saved.getWeights().map((w) => tf.clone(w));
  saved.dispose();
  const specs = JSON.parse(await readFile(path.join(target, 'optimizer.json'), 'utf8')) as tf.io.WeightsManifestEntry[];
  const bin = await readFile(path.join(target, 'optimizer.bin'));
  const map = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer, specs);
  // decodeWeights returns a name → tensor map in spec order; names may repeat across runs, order is what counts.
  const optimizerWeights = specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
  return { state, weights, optimizerWeights };
}
