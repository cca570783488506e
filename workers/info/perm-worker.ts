/**
 * worker_threads entry for the permutation null: holds one NullModel (SharedArrayBuffer-backed,
 * so nothing is copied) and answers chunk requests {p0, p1} with the maxima of those permutations.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type NullModel, NullEvaluator, type StatisticSpec } from './nullmodel';

const { model, perms, spec } = workerData as { model: NullModel; perms: Int32Array; spec: StatisticSpec };
// one evaluator per thread: the kernel copies the model's matrix into its memory once
const evaluator = new NullEvaluator(model, spec);

parentPort!.on('message', (msg: { p0: number; p1: number } | 'exit') => {
  if (msg === 'exit') {
    parentPort!.close();
    return;
  }
  const maxima = evaluator.maxima(perms, msg.p0, msg.p1);
  parentPort!.postMessage({ p0: msg.p0, maxima }, [maxima.buffer as ArrayBuffer]);
});
