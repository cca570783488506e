// worker_threads entry: Node 20 ignores `--import tsx` in a worker's execArgv, so the worker
// registers tsx itself before loading the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import('./dataset-worker.ts');
