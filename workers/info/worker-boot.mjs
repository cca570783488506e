// Bootstrap for this folder's worker threads: Node 20 workers do not inherit tsx's loader hooks,
// so the TypeScript entry named in workerData.entry (relative to this folder) is loaded through
// tsx's programmatic API.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
