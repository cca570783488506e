/**
 * Backend choice at start, in order: @tensorflow/tfjs-node-gpu (when installed and a GPU is
 * present: the GPU worker image, workers/Dockerfile.gpu), @tensorflow/tfjs-node,
 * @tensorflow/tfjs-backend-wasm (the default on these machines), the plain cpu backend. The
 * native bindings download libtensorflow at install time, so they are never dependencies of this
 * package: they are imported lazily and their absence is normal.
 */
import * as tf from '@tensorflow/tfjs';
import { registerDeeperKernels } from './kernels/register';
import { disableSimdKernels, setSimdPoolThreads } from './kernels/simd';
import { availableParallelism } from 'node:os';
import { withNodeWasmThreads } from './wasm-threads';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Stored with every training and inference result. */
export interface BackendInfo {
  name: BackendName;
  /** tf.getBackend() after the choice: 'tensorflow', 'wasm' or 'cpu'. */
  tfBackend: string;
  tfjsVersion: string;
  /** Threads the wasm backend uses (our kernels' pool: the calling thread and helpers), else null. */
  threads: number | null;
  /** Of those, the threads XNNPACK's own pthread pool uses (wasm), else null. */
  xnnpackThreads?: number | null;
  /** Why earlier candidates were skipped. */
  skipped: string[];
}

export interface ChooseBackendOptions {
  /** Candidates in order of preference; default all four. */
  prefer?: BackendName[];
  log?: (message: string) => void;
  /**
   * Threads for the wasm backend: our kernels' pool, and XNNPACK's unless xnnpackThreads says
   * otherwise (default: configureBackend's, else the core count, at most 8). 1 loads the
   * single-threaded SIMD build; more load the threaded build (workers/nn/wasm-threads.ts). On a
   * busy shared machine 1 thread can be faster: set DEEPER_WASM_THREADS=1 there.
   */
  threads?: number;
  /**
   * XNNPACK's own pthread pool (default: configureBackend's xnnpackThreads, else `threads`). With
   * `threads` > 1 and this 1, the threaded build still loads (shared memory, so our kernels split
   * over `threads` threads) but the remaining XNNPACK ops run on the calling thread only.
   */
  xnnpackThreads?: number;
}

/** Process-wide defaults, set once by the process's entry (workers/main.ts, workers/cli.ts). */
export interface BackendDefaults {
  /** Wasm threads (XNNPACK and our kernels) when chooseBackend is not given `threads` (the entries read DEEPER_WASM_THREADS). */
  threads?: number;
  /** XNNPACK's pthread pool when chooseBackend is not given `xnnpackThreads` (no environment variable: 1 measured no faster, PERFORMANCE.md "Threads on a quiet machine"). */
  xnnpackThreads?: number;
  /** false: the hand-written SIMD kernels stay off and the JS fallbacks run (DEEPER_NN_NO_SIMD). */
  simd?: boolean;
}

let current: BackendInfo | null = null;
let defaults: BackendDefaults = {};

/** Sets the defaults of later chooseBackend calls; the library itself reads no environment. */
export function configureBackend(d: BackendDefaults): void {
  defaults = { ...d };
  disableSimdKernels(d.simd === false ? 'configureBackend({ simd: false }) (DEEPER_NN_NO_SIMD)' : null);
}

async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ name);
}

async function tryNative(pkg: string, wantGpu: boolean): Promise<string | null> {
  try {
    await importOptional(pkg);
  } catch (e) {
    return `${pkg} not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
  if (!(await tf.setBackend('tensorflow'))) return `${pkg}: backend 'tensorflow' failed to initialise`;
  if (wantGpu) {
    const b = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
    if (!b.isUsingGpuDevice) return `${pkg}: no GPU device visible`;
  }
  return null;
}

/** Chooses, initialises and logs the backend. Calling it again returns the first choice. */
export async function chooseBackend(options: ChooseBackendOptions = {}): Promise<BackendInfo> {
  if (current) return current;
  const prefer = options.prefer ?? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
  const log = options.log ?? ((m: string) => process.stderr.write(`[nn] ${m}\n`));
  const skipped: string[] = [];
  registerDeeperKernels();
  for (const name of prefer) {
    let why: string | null = null;
    let threads: number | null = null, xnnpackThreads: number | null = null;
    if (name === 'tensorflow-gpu') why = await tryNative('@tensorflow/tfjs-node-gpu', true);
    else if (name === 'tensorflow') why = await tryNative('@tensorflow/tfjs-node', false);
    else if (name === 'wasm') {
      try {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const want = Math.min(8, options.threads ?? defaults.threads ?? availableParallelism());
        const xnn = Math.max(1, Math.min(want, options.xnnpackThreads ?? defaults.xnnpackThreads ?? want));
        const ok = want > 1
          ? await withNodeWasmThreads(xnn, wasm.setThreadsCount, () => tf.setBackend('wasm'))
          : await tf.setBackend('wasm');
        if (!ok) why = 'wasm backend failed to initialise';
        else {
          xnnpackThreads = wasm.getThreadsCount();
          threads = want > 1 ? want : xnnpackThreads;
          setSimdPoolThreads(threads);
        }
      } catch (e) {
        why = `wasm: ${e instanceof Error ? e.message : String(e)}`;
      }
    } else if (!(await tf.setBackend('cpu'))) why = 'cpu backend failed to initialise';
    if (why) { skipped.push(why); continue; }
    await tf.ready();
    current = { name, tfBackend: tf.getBackend(), tfjsVersion: tf.version.tfjs, threads, xnnpackThreads, skipped };
    log(`backend ${name} (tf ${current.tfBackend}, tfjs ${current.tfjsVersion}${threads ? `, ${threads} thread(s), XNNPACK ${xnnpackThreads}` : ''})`);
    return current;
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}

/** The backend chosen by chooseBackend, or null before it ran. */
export function currentBackend(): BackendInfo | null {
  return current;
}
