// Bootstrap for the permutation worker thread: Node 20 workers do not inherit tsx's loader hooks,
// so load the TypeScript entry through tsx's programmatic API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./perm-worker.ts', import.meta.url);
