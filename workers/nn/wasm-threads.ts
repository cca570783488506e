/**
 * Multi-threaded XNNPACK for the wasm backend under Node.
 *
 * tfjs-backend-wasm 4.22 reports no thread support in Node, and its threaded build could not
 * start there anyway: it spawns its pthread workers from Blob URLs, which Node's worker_threads
 * cannot load. While the backend initialises we record the text of the Blobs it creates and turn
 * each object URL into a real file (the worker script is patched to import the main script from
 * its file), then restore the globals.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileAtomicSync } from '../util';

const WORKER_LOAD = 'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';
const MAIN_PREFIX = 'var WasmBackendModuleThreadedSimd';
/** Measured start: 1.1–1.2 s on an idle 2-core machine, 2.4–3.5 s at load 15; past this a pthread worker never loaded. */
export const WASM_THREADS_START_TIMEOUT_MS = 120_000;

/**
 * Writes the scripts the backend's Blobs hold, each file once and atomically (a temporary file
 * renamed into place), and returns its path. The backend makes a new Blob for every pthread worker
 * it starts (8 at start-up), all with the same text: rewriting the one file each time truncated it
 * under a worker that was already reading it, and a worker that read an empty script never loaded,
 * so the backend waited forever (seen once in CI: a 300 s hook timeout in chooseBackend).
 */
export function scriptFiles(dir: string): (name: string, text: string) => string {
  const written = new Map<string, string>();
  return (name, text) => {
    const file = path.join(dir, name);
    const before = written.get(file);
    if (before === undefined) {
      writeFileAtomicSync(file, text);
      written.set(file, text);
    } else if (before !== text) {
      throw new Error(`wasm threads: two different scripts for ${name}`);
    }
    return file;
  };
}

/**
 * Runs `init` (which must initialise the wasm backend) with threaded-build support patched in.
 * `threads` sizes XNNPACK's pthread pool (1: the threaded build, hence shared memory for our own
 * helper threads, with XNNPACK itself on the calling thread only).
 * Returns whatever init returns; the patch is removed afterwards even on failure.
 */
export async function withNodeWasmThreads<T>(threads: number, setThreadsCount: (n: number) => void, init: () => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'deeper-tfjs-wasm-'));
  const texts = new WeakMap<Blob, string>();
  const scriptFile = scriptFiles(dir);
  let mainText: string | null = null;
  const OriginalBlob = globalThis.Blob;
  const originalCreate = URL.createObjectURL;
  class RecordingBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts && parts.every((p) => typeof p === 'string')) {
        const text = (parts as string[]).join('');
        texts.set(this, text);
        if (text.startsWith(MAIN_PREFIX)) mainText = text;
      }
    }
  }
  const writeMain = () => {
    if (!mainText) throw new Error('wasm threads: the threaded main script was not seen');
    // The factory's source refers to the node bundle's hoisted requires.
    const requires = "var commonjsGlobal = globalThis, require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), require$$4 = require('os');\n";
    return scriptFile('tfjs-backend-wasm-threaded-simd.cjs', requires + mainText);
  };
  globalThis.Blob = RecordingBlob as typeof Blob;
  URL.createObjectURL = (blob: Blob) => {
    const text = texts.get(blob);
    if (text === undefined) return originalCreate(blob);
    if (text.startsWith(MAIN_PREFIX)) return writeMain();
    if (text.includes(WORKER_LOAD)) {
      return scriptFile('tfjs-backend-wasm-threaded-simd.worker.cjs', text.replace(WORKER_LOAD, `importScripts(${JSON.stringify(writeMain())});`));
    }
    return originalCreate(blob);
  };
  // The wasm module caps its thread pool at half the logical cores (assuming hyper-threads),
  // read once at start-up through os.cpus(): report enough cores for the requested pool.
  const originalCpus = os.cpus;
  os.cpus = () => {
    const cpus = originalCpus();
    return cpus.length >= 2 * threads ? cpus : Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]);
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(
      `the threaded wasm backend did not start within ${WASM_THREADS_START_TIMEOUT_MS / 1000} s (a pthread worker never loaded); DEEPER_WASM_THREADS=1 loads the single-threaded build`,
    )), WASM_THREADS_START_TIMEOUT_MS);
  });
  try {
    const result = await Promise.race([init(), timeout]);
    // pthreadpool's threads wait forever; their workers must not keep Node's event loop alive.
    const pthread = (tf.backend() as unknown as { wasm?: { PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] } } }).wasm?.PThread;
    if (pthread) for (const w of [...pthread.runningWorkers, ...pthread.unusedWorkers]) w.unref();
    return result;
  } finally {
    clearTimeout(timer);
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreate;
    os.cpus = originalCpus;
  }
}
