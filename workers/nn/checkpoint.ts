/**
 * Checkpoints: after every epoch, `epoch-NNNN/` of the checkpoint folder holds the model (LayersModel format, so a
 * checkpoint is also an exportable model), the optimizer's state and the training state, and
 * `latest.json` names the newest complete one (written last, atomically). Older checkpoints
 * beyond the two newest are removed. The folder is the caller's (FolderFiles, e.g. workers/util
 * folderFiles(dir) from functions/train-model.ts or the cli): no file I/O here.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { FolderFiles } from '../util';
import { modelFilesHandler, saveModel } from './io';

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

/** Writes the checkpoint of `state.epoch` into `files` and returns where it is (files.where/epoch-NNNN). */
export async function saveCheckpoint(files: FolderFiles, model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainingState): Promise<string> {
  const name = `epoch-${String(state.epoch).padStart(4, '0')}`;
  await files.remove(name);
  const target = files.folder(name);
  await saveModel(model, target);
  const { data, specs } = await tf.io.encodeWeights(await optimizer.getWeights());
  await target.write('optimizer.bin', new Uint8Array(data as ArrayBuffer));
  await target.write('optimizer.json', JSON.stringify(specs));
  await target.write('state.json', JSON.stringify(state));
  await files.write('latest.json', JSON.stringify({ epoch: state.epoch, dir: name }));
  const old = (await files.list()).filter((f) => /^epoch-\d{4}$/.test(f) && f < name).sort().slice(0, -1);
  for (const f of old) await files.remove(f);
  return target.where;
}

export interface LoadedCheckpoint {
  state: TrainingState;
  /** Weights in model.getWeights() order. Caller disposes. */
  weights: tf.Tensor[];
  /** Optimizer state for optimizer.setWeights(). Caller disposes. */
  optimizerWeights: { name: string; tensor: tf.Tensor }[];
}

const text = async (files: FolderFiles, name: string): Promise<string> => new TextDecoder().decode(await files.read(name));

/** The newest complete checkpoint in `files`, or null when there is none. */
export async function loadLatestCheckpoint(files: FolderFiles): Promise<LoadedCheckpoint | null> {
  let latest: z.infer<typeof Latest>;
  try {
    latest = Latest.parse(JSON.parse(await text(files, 'latest.json')));
  } catch {
    return null;
  }
  const target = files.folder(latest.dir);
  const state = TrainingStateSchema.parse(JSON.parse(await text(target, 'state.json')));
  const saved = await tf.loadLayersModel(modelFilesHandler(target));
  const weights = saved.getWeights().map((w) => tf.clone(w));
  saved.dispose();
  const specs = JSON.parse(await text(target, 'optimizer.json')) as tf.io.WeightsManifestEntry[];
  const bin = await target.read('optimizer.bin');
  const map = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer, specs);
  // decodeWeights returns a name → tensor map in spec order; names may repeat across runs, order is what counts.
  const optimizerWeights = specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
  return { state, weights, optimizerWeights };
}
