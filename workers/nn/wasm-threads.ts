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
import { mkdtempSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';

const WORKER_LOAD = 'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';
const MAIN_PREFIX = 'var WasmBackendModuleThreadedSimd';

/**
 * Runs `init` (which must initialise the wasm backend) with threaded-build support patched in.
 * `threads` sizes XNNPACK's pthread pool (1: the threaded build, hence shared memory for our own
 * helper threads, with XNNPACK itself on the calling thread only).
 * Returns whatever init returns; the patch is removed afterwards even on failure.
 */
export async function withNodeWasmThreads<T>(threads: number, setThreadsCount: (n: number) => void, init: () => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'deeper-tfjs-wasm-'));
  const texts = new WeakMap<Blob, string>();
  let mainText: string | null = null;
  let mainFile: string | null = null;
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
    if (!mainFile) {
      if (!mainText) throw new Error('wasm threads: the threaded main script was not seen');
      mainFile = path.join(dir, 'tfjs-backend-wasm-threaded-simd.cjs');
      // The factory's source refers to the node bundle's hoisted requires.
      const requires = "var commonjsGlobal = globalThis, require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), require$$4 = require('os');\n";
      writeFileSync(mainFile, requires + mainText);
    }
    return mainFile;
  };
  globalThis.Blob = RecordingBlob as typeof Blob;
  URL.createObjectURL = (blob: Blob) => {
    const text = texts.get(blob);
    if (text === undefined) return originalCreate(blob);
    if (text.startsWith(MAIN_PREFIX)) return writeMain();
    if (text.includes(WORKER_LOAD)) {
      const file = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
      writeFileSync(file, text.replace(WORKER_LOAD, `importScripts(${JSON.stringify(writeMain())});`));
      return file;
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
  try {
    const result = await init();
    // pthreadpool's threads wait forever; their workers must not keep Node's event loop alive.
    const pthread = (tf.backend() as unknown as { wasm?: { PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] } } }).wasm?.PThread;
    if (pthread) for (const w of [...pthread.runningWorkers, ...pthread.unusedWorkers]) w.unref();
    return result;
  } finally {
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreate;
    os.cpus = originalCpus;
  }
}
