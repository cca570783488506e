import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { folderFiles } from '../util';
import { putModelDir } from './artifacts';
import { defineWorkerFunction } from './define';

/** Rows of `images` ([n][px]) and `labels` whose split flag equals `which`. */
function subset(images: Uint8Array, labels: Int32Array, split: Uint8Array, which: number, px: number) {
  const idx: number[] = [];
  split.forEach((s, i) => s === which && idx.push(i));
  const outImages = new Uint8Array(idx.length * px);
  const outLabels = new Int32Array(idx.length);
  idx.forEach((i, k) => {
    outImages.set(images.subarray(i * px, (i + 1) * px), k * px);
    outLabels[k] = labels[i]!;
  });
  return { images: outImages, labels: outLabels };
}

/**
 * Step 3: train the ResNet-10 on the rendered dataset (seeded, deterministic on one backend).
 * Checkpoints go to a directory that outlives the step process (DEEPER_CHECKPOINT_DIR, else
 * <DATA_DIR>/checkpoints, else the system temp folder) keyed by run and step, so a retried or resumed step continues from its
 * last finished epoch. Writes model/* (TensorFlow.js LayersModel) and history.json.
 */
export const trainModel = defineWorkerFunction({
  id: 'train-model',
  title: 'Train network',
  retries: 2,
  async run(ctx) {
    const nn = await import('../nn');
    const { config, runId, stepId } = ctx.input;
    const t = config.training;
    const backend = await nn.chooseBackend({ log: (m: string) => ctx.log(m) });
    const S = config.render.sizePx;
    const px = S * S * 3;
    const images = await ctx.readArtifact('render-dataset', 'images.u8');
    const raw = await ctx.readArtifact('render-dataset', 'labels.i32');
    const labels = new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const split = await ctx.readArtifact('render-dataset', 'split.u8');
    const trainPart = subset(images, labels, split, 0, px);
    const validPart = subset(images, labels, split, 1, px);
    const numClasses = config.faces.identities;
    const model = nn.buildResNet10({ inputSize: S, widthMultiplier: t.width, numClasses, seed: config.seed });
    const checkpointRoot =
      process.env.DEEPER_CHECKPOINT_DIR ?? (process.env.DATA_DIR ? path.join(path.resolve(process.env.DATA_DIR), 'checkpoints') : path.join(os.tmpdir(), 'deeper-checkpoints'));
    const checkpointDir = path.join(checkpointRoot, runId, stepId);
    ctx.log(`training on ${trainPart.labels.length} images (${validPart.labels.length} validation), backend ${backend.name}`);
    const result = await nn.train(
      model,
      nn.arraySource({ ...trainPart, imageSize: S }),
      {
        epochs: t.epochs,
        batchSize: t.batchSize,
        optimizer: t.optimizer,
        learningRate: t.learningRate,
        augment: t.augment ? { shiftPx: Math.max(1, Math.round(S / 16)), zoom: 0.1 } : false,
        seed: config.seed,
        resume: true,
      },
      {
        validation: validPart.labels.length ? nn.arraySource({ ...validPart, imageSize: S }) : undefined,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p.fraction * 0.95),
        onEpoch: (e) => ctx.log(`epoch ${JSON.stringify(e)}`),
        checkpoints: folderFiles(checkpointDir),
      },
    );
    if (result.cancelled) throw new Error('cancelled');
    const dir = path.join(ctx.scratchDir, 'model');
    await nn.saveModel(model, folderFiles(dir));
    await putModelDir(ctx, dir);
    // Timings vary from run to run; the stored history keeps only what is reproducible.
    const history = result.history.map((e) => {
      const { seconds: _s, imagesPerSecond: _ips, ...rest } = e as unknown as Record<string, unknown>;
      return rest;
    });
    ctx.log(`trained at ${Math.round(result.imagesPerSecond)} images/s on ${result.backend.name}`);
    await ctx.putJson('history.json', history);
    model.dispose();
    await rm(checkpointDir, { recursive: true, force: true });
    return { backend: result.backend.name, epochs: result.epochsCompleted, classes: numClasses, last: history[history.length - 1] ?? null };
  },
});
