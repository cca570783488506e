/** worker_threads entry for a map split across variables: copula-normalise and run the kernel on [from, to). */
import { parentPort, workerData } from 'node:worker_threads';
import { miMapCCKernel, miMapCDKernel, prepareMapX } from './map';

interface Job {
  x: Float64Array;
  nVar: number;
  nDim: number;
  nTrial: number;
  y: Float64Array | Int32Array;
  k?: number;
  copnorm: boolean;
  biasCorrect: boolean;
  demeaned: boolean;
  from: number;
  to: number;
}

const job = workerData as Job;
const { nDim: d, nTrial: n, from, to } = job;
const part = job.x.subarray(from * d * n, to * d * n);
const { cx, constant } = prepareMapX(part, to - from, d, n, job.copnorm);
const mi =
  job.k === undefined
    ? miMapCCKernel(cx, to - from, d, n, job.y as Float64Array, job.biasCorrect, job.demeaned, 0, to - from, constant)
    : miMapCDKernel(cx, to - from, d, n, job.y as Int32Array, job.k, job.biasCorrect, job.demeaned, 0, to - from, constant);
parentPort!.postMessage(mi, [mi.buffer as ArrayBuffer]);
