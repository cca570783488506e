/**
 * worker_threads entry of buildDataset: receives the config once, then shard jobs; renders each
 * shard, writes it atomically and reports progress. Started with execArgv ['--import', 'tsx'].
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type DatasetConfig, ImageProducer, type PlannedImage, loadDatasetModel, writeShard } from './dataset';

export interface ShardJob { split: 'train' | 'val'; shard: number; list: PlannedImage[] }
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; images: number }
  | { type: 'done'; split: 'train' | 'val'; shard: number }
  | { type: 'error'; message: string };

const { config, outDir } = workerData as { config: DatasetConfig; outDir: string };
const port = parentPort!;
const producer = new ImageProducer(loadDatasetModel(config), config);
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
    writeShard(outDir, config, job.split, job.shard, images, records);
    port.postMessage({ type: 'done', split: job.split, shard: job.shard } satisfies WorkerMessage);
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message } satisfies WorkerMessage);
  }
});
