// worker_threads entry of bench/render.ts (Node 20 ignores `--import tsx` in worker execArgv).
import { register } from 'tsx/esm/api';

register();
await import('./render-worker.ts');
