import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Manifest, StepInput, type ArtifactRef, type StepOutput, type WorkerFunctionId } from '../contract';
import type { WorkerStore } from './worker-artifact-store';

/**
 * A worker function: one step of a run. It reads its inputs (the manifests of the steps it needs)
 * from the artifact store, calls a library, writes artifacts, and returns a small JSON summary.
 * The same definition runs under Inngest (workers/functions/inngest.ts), in a child process of the
 * embedded executor (workers/main.ts exec) and in the command line (workers/cli/run.ts).
 */
export interface WorkerFunction {
  id: WorkerFunctionId;
  /** Human title for logs and progress bars. */
  title: string;
  /** Retries after a failure (Inngest `retries`; the embedded executor's default). */
  retries: number;
  run(ctx: StepContext): Promise<Record<string, unknown>>;
}

export function defineWorkerFunction(fn: WorkerFunction): WorkerFunction {
  return fn;
}

export interface StepReporter {
  /** fraction of this step in [0, 1]; etaSeconds estimated from the elapsed time. */
  progress(fraction: number, etaSeconds: number | null, message?: string): void;
  log(message: string): void;
}

/** What a worker function sees. */
export interface StepContext {
  input: StepInput;
  store: WorkerStore;
  signal: AbortSignal;
  /** A private directory for this step, removed when it ends. */
  scratchDir: string;
  progress(fraction: number, message?: string): void;
  log(message: string): void;
  /** Stores bytes as an artifact of this step (listed in its manifest). */
  putArtifact(name: string, bytes: Uint8Array, contentType?: string): Promise<ArtifactRef>;
  /** Stores a value as canonical JSON (keys sorted): equal values, equal bytes. */
  putJson(name: string, value: unknown): Promise<ArtifactRef>;
  /** The bytes of artifact `name` written by step `stepId` (one of the steps this one needs). */
  readArtifact(stepId: string, name: string): Promise<Uint8Array>;
  readJson<T = unknown>(stepId: string, name: string): Promise<T>;
  /** The manifest of a needed step (throws naming the step when it is not an input). */
  manifestOf(stepId: string): Manifest;
}

/**
 * JSON with object keys sorted (recursively): the same value gives the same bytes whatever order
 * its keys were built in. (Manifests come back from a PostgreSQL jsonb column with their keys
 * reordered; a result written from them must not depend on that.)
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

/** Throws when the run was cancelled (long loops call it between batches). */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('cancelled');
}

/**
 * Runs a worker function: validates the input, gives it a context, writes its manifest (artifacts
 * sorted by name, no times, so the same inputs give the same manifest bytes) and returns the
 * small JSON output {manifestKey, manifest}.
 */
export async function executeWorkerFunction(
  fn: WorkerFunction,
  rawInput: unknown,
  deps: { store: WorkerStore; reporter?: StepReporter; signal?: AbortSignal },
): Promise<StepOutput> {
  const input = StepInput.parse(rawInput);
  const signal = deps.signal ?? new AbortController().signal;
  const reporter = deps.reporter ?? { progress() {}, log() {} };
  const scratchDir = await mkdtemp(path.join(os.tmpdir(), `deeper-${input.stepId}-`));
  const artifacts = new Map<string, ArtifactRef>();
  const started = Date.now();
  const manifestOf = (stepId: string): Manifest => {
    const m = input.inputs[stepId];
    if (!m) throw new Error(`step '${input.stepId}' reads step '${stepId}', which is not among its inputs (${Object.keys(input.inputs).join(', ') || 'none'})`);
    return m;
  };
  const readArtifact = async (stepId: string, name: string) => {
    const ref = manifestOf(stepId).artifacts.find((a) => a.name === name);
    if (!ref) throw new Error(`step '${stepId}' has no artifact named '${name}'`);
    return deps.store.get(ref.key);
  };
  const ctx: StepContext = {
    input,
    store: deps.store,
    signal,
    scratchDir,
    progress(fraction, message) {
      const f = Math.min(1, Math.max(0, fraction));
      const elapsed = (Date.now() - started) / 1000;
      const eta = f > 0.01 ? (elapsed * (1 - f)) / f : null;
      reporter.progress(f, eta, message);
    },
    log: (message) => reporter.log(message),
    async putArtifact(name, bytes, contentType = 'application/octet-stream') {
      const { key, size } = await deps.store.put(bytes);
      const ref = { name, key, size, contentType };
      artifacts.set(name, ref);
      return ref;
    },
    putJson(name, value) {
      return ctx.putArtifact(name, new TextEncoder().encode(canonicalJson(value)), 'application/json');
    },
    readArtifact,
    async readJson(stepId, name) {
      return JSON.parse(new TextDecoder().decode(await readArtifact(stepId, name)));
    },
    manifestOf,
  };
  try {
    const summary = await fn.run(ctx);
    const manifest = Manifest.parse({
      runId: input.runId,
      stepId: input.stepId,
      functionId: fn.id,
      artifacts: [...artifacts.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      summary,
    });
    const { key } = await deps.store.put(new TextEncoder().encode(JSON.stringify(manifest)));
    reporter.progress(1, 0);
    return { manifestKey: key, manifest };
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}
