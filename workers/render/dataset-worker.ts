/**
 * worker_threads entry of buildDataset: receives the config (and a face-model file's bytes) once,
 * then shard jobs; renders each shard, reports progress and hands the shard's bytes back (the main
 * thread writes them). Started with execArgv ['--import', 'tsx'].
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type DatasetConfig, ImageProducer, type PlannedImage, loadDatasetModel } from './dataset';
import type { ImageRecord } from './dataset-format';

export interface ShardJob { split: 'train' | 'val'; shard: number; list: PlannedImage[] }
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; images: number }
  | { type: 'done'; split: 'train' | 'val'; shard: number; images: Uint8Array; records: ImageRecord[] }
  | { type: 'error'; message: string };

const { config, modelFile } = workerData as { config: DatasetConfig; modelFile?: Uint8Array };
const port = parentPort!;
const producer = new ImageProducer(loadDatasetModel(config, modelFile), config);
port.postMessage({ type: 'ready' } satisfies WorkerMessage);
port.on('message', (job: ShardJob | null) => {
  if (job === null) {
    port.close();
    return;
  }
  try {
    let reported = 0;
    const { images, records } = producer.renderList(job.list, (done) => {
      if (done - reported >= 16 || done === job.list.length) {
        port.postMessage({ type: 'progress', images: done - reported } satisfies WorkerMessage);
        reported = done;
      }
    });
    port.postMessage({ type: 'done', split: job.split, shard: job.shard, images, records } satisfies WorkerMessage, [images.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message } satisfies WorkerMessage);
  }
});
