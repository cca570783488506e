/** buildDataset: plans shards, keeps complete ones, renders the rest over worker_threads, writes dataset.json last. */
import { Worker } from 'node:worker_threads';
import {
  type BuildDatasetOptions, type DatasetConfig, type DatasetConfigInput, type DatasetManifest, type DatasetProgress,
  ImageProducer, configHash, loadDatasetModel, parseDatasetConfig, planDataset, shardIsComplete, shardsOf, writeShard,
} from './dataset';
import { DATASET_FORMAT, type ImageRecord, type ShardRef, shardNames } from './dataset-format';
import type { ShardJob, WorkerMessage } from './dataset-worker';

export async function buildDataset(input: DatasetConfigInput, opts: BuildDatasetOptions): Promise<DatasetManifest & { shardsKept: number; shardsRendered: number; seconds: number }> {
  const config0 = parseDatasetConfig(input);
  const modelFile = typeof config0.model === 'string' ? undefined : opts.readModelFile?.(config0.model.file);
  const model0 = loadDatasetModel(config0, modelFile);
  const config: DatasetConfig = parseDatasetConfig(input, model0);
  const threads = opts.threads ?? 2;
  if (!(Number.isInteger(threads) && threads >= 0 && threads <= 64)) throw new Error(`threads must be an integer in [0, 64], got ${threads}`);
  const plan = planDataset(config);
  const jobs: ShardJob[] = [];
  const refs: ShardRef[] = [];
  let kept = 0, keptImages = 0;
  for (const split of ['train', 'val'] as const) {
    shardsOf(plan[split], config.shardSize).forEach((list, shard) => {
      const p = shardNames(split, shard);
      refs.push({ split, shard, count: list.length, bin: p.bin, json: p.json });
      if (shardIsComplete(opts.files, config, split, shard, list.length)) {
        kept++;
        keptImages += list.length;
      } else {
        jobs.push({ split, shard, list });
      }
    });
  }
  const imagesTotal = plan.train.length + plan.val.length;
  const start = performance.now();
  let imagesDone = keptImages, rendered = 0, shardsDone = kept;
  const report = () => {
    const secs = (performance.now() - start) / 1000;
    const rate = secs > 0 ? rendered / secs : 0;
    const p: DatasetProgress = {
      imagesDone, imagesTotal, imagesPerSecond: rate, etaSeconds: rate > 0 ? (imagesTotal - imagesDone) / rate : Infinity,
      shardsDone, shardsTotal: refs.length, shardsKept: kept,
    };
    opts.onProgress?.(p);
  };
  report();
  const onImages = (n: number) => { imagesDone += n; rendered += n; report(); };

  if (threads === 0 || jobs.length === 0) {
    if (jobs.length > 0) {
      const producer = new ImageProducer(model0, config);
      for (const job of jobs) {
        if (opts.signal?.aborted) break;
        let last = 0;
        const { images, records } = producer.renderList(job.list, (d) => { if (d - last >= 16 || d === job.list.length) { onImages(d - last); last = d; } });
        writeShard(opts.files, config, job.split, job.shard, images, records);
        shardsDone++;
        report();
      }
    }
  } else {
    await runWorkers(config, modelFile, opts, jobs, Math.min(threads, jobs.length), onImages, (job, images, records) => {
      writeShard(opts.files, config, job.split, job.shard, images, records);
      shardsDone++;
      report();
    });
  }
  if (opts.signal?.aborted && shardsDone < refs.length) throw new Error(`dataset build aborted after ${shardsDone} of ${refs.length} shards; run again to resume`);
  const manifest: DatasetManifest = {
    format: DATASET_FORMAT, configHash: configHash(config), config,
    model: { name: model0.name, vertexCount: model0.vertexCount },
    counts: { train: plan.train.length, val: plan.val.length, identities: config.identities.count },
    shards: refs,
  };
  opts.files.write('dataset.json', JSON.stringify(manifest, null, 1));
  return { ...manifest, shardsKept: kept, shardsRendered: jobs.length, seconds: (performance.now() - start) / 1000 };
}

/** Renders `jobs` over `n` worker threads; each finished shard's bytes come back to onShard (the caller writes them). */
function runWorkers(
  config: DatasetConfig, modelFile: Uint8Array | undefined, opts: BuildDatasetOptions, jobs: ShardJob[], n: number,
  onImages: (n: number) => void, onShard: (job: Pick<ShardJob, 'split' | 'shard'>, images: Uint8Array, records: ImageRecord[]) => void,
): Promise<void> {
  const queue = [...jobs];
  const workerUrl = new URL('./dataset-worker-boot.mjs', import.meta.url);
  return new Promise((resolve, reject) => {
    let alive = n;
    let failed = false;
    const workers: Worker[] = [];
    const next = (w: Worker) => {
      const job = opts.signal?.aborted ? undefined : queue.shift();
      w.postMessage(job ?? null);
    };
    for (let k = 0; k < n; k++) {
      const w = new Worker(workerUrl, { workerData: { config, modelFile } });
      workers.push(w);
      w.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'ready') next(w);
        else if (msg.type === 'progress') onImages(msg.images);
        else if (msg.type === 'done') {
          try {
            onShard(msg, msg.images, msg.records);
          } catch (e) {
            failed = true;
            for (const o of workers) void o.terminate();
            reject(e);
            return;
          }
          next(w);
        }
        else if (msg.type === 'error') {
          failed = true;
          for (const o of workers) void o.terminate();
          reject(new Error(`dataset worker: ${msg.message}`));
        }
      });
      w.on('error', (e) => { if (!failed) { failed = true; for (const o of workers) void o.terminate(); reject(e); } });
      w.on('exit', () => { alive--; if (alive === 0 && !failed) resolve(); });
    }
  });
}
