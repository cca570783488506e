/** One benchmark thread: renders default-model stimuli for a fixed time after the 'go' message. */
import { parentPort, workerData } from 'node:worker_threads';
import { renderLoop } from './render-loop';

const { size, durationMs } = workerData as { size: number; durationMs: number };
const port = parentPort!;
const loop = renderLoop(size);
loop(300); // warm-up (JIT)
port.postMessage({ type: 'ready' });
port.once('message', () => {
  const r = loop(durationMs);
  port.postMessage({ type: 'done', ...r });
});
