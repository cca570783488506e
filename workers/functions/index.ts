import type { WorkerFunctionId } from '../contract';
import type { WorkerFunction } from './define';

/**
 * Every worker function by id, loaded lazily: a child process that runs one step imports only
 * that step's library (TensorFlow.js is not loaded to sample identities).
 */
const loaders: Record<WorkerFunctionId, () => Promise<WorkerFunction>> = {
  'sample-identities': () => import('./sample-identities').then((m) => m.sampleIdentities),
  'render-dataset': () => import('./render-dataset').then((m) => m.renderDataset),
  'train-model': () => import('./train-model').then((m) => m.trainModel),
  'import-model': () => import('./import-model').then((m) => m.importModel),
  'analysis-generalisation': () => import('./analyses').then((m) => m.analysisGeneralisation),
  'analysis-reverse-correlation': () => import('./analyses').then((m) => m.analysisReverseCorrelation),
  'analysis-hidden-layers': () => import('./analyses').then((m) => m.analysisHiddenLayers),
  'analysis-pose-invariance': () => import('./analyses').then((m) => m.analysisPoseInvariance),
  finalise: () => import('./finalise').then((m) => m.finalise),
  'diagnostic-compute': () => import('./diagnostics').then((m) => m.diagnosticCompute),
};

export const WORKER_FUNCTIONS = Object.keys(loaders) as WorkerFunctionId[];

export async function loadWorkerFunction(id: string): Promise<WorkerFunction> {
  const load = loaders[id as WorkerFunctionId];
  if (!load) throw new Error(`unknown worker function '${id}' (known: ${WORKER_FUNCTIONS.join(', ')})`);
  return load();
}

export async function loadAllWorkerFunctions(): Promise<WorkerFunction[]> {
  return Promise.all(WORKER_FUNCTIONS.map((id) => loaders[id]()));
}

export { executeWorkerFunction, defineWorkerFunction, type WorkerFunction, type StepContext } from './define';
export { workerStoreFromEnv, FsWorkerStore, type WorkerStore } from './worker-artifact-store';
