/**
 * worker_threads entry for the permutation null: holds one NullModel (SharedArrayBuffer-backed,
 * so nothing is copied) and answers chunk requests {p0, p1} with the maxima of those permutations.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type NullModel, type StatisticSpec, nullMaxima } from './nullmodel';

const { model, perms, spec } = workerData as { model: NullModel; perms: Int32Array; spec: StatisticSpec };

parentPort!.on('message', (msg: { p0: number; p1: number } | 'exit') => {
  if (msg === 'exit') {
    parentPort!.close();
    return;
  }
  const maxima = nullMaxima(model, perms, msg.p0, msg.p1, spec);
  parentPort!.postMessage({ p0: msg.p0, maxima }, [maxima.buffer]);
});
