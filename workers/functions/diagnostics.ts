import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineWorkerFunction, throwIfAborted } from './define';

/**
 * diagnostic-compute: a deterministic stand-in for a compute step, to check a deployment (does a
 * worker host answer, do retries, cancellation and resume work) without the cost of real stages.
 * It "computes" for durationMs in `chunks` slices, reporting progress after each, and writes
 * `bytes` bytes that depend only on (seed, step id, its inputs' artifact keys): a resumed run
 * writes exactly what an uninterrupted one writes.
 */
const Params = z.object({
  durationMs: z.number().int().min(0).max(600_000).default(200),
  chunks: z.number().int().min(1).max(1000).default(4),
  bytes: z.number().int().min(1).max(16 * 1024 * 1024).default(4096),
  /** Always fail with this message (retry and error-surfacing checks). */
  fail: z.string().optional(),
  /** Fail once: if this file does not exist, create it and fail; succeed on the next attempt. */
  failOnceMarker: z.string().optional(),
  /** Slow once: if this file does not exist, create it and take slowDurationMs instead (kill-mid-step checks). */
  slowOnceMarker: z.string().optional(),
  slowDurationMs: z.number().int().min(0).max(600_000).default(20_000),
  /** Append "<start ms> <end ms>\n" to this file (concurrency checks). */
  traceFile: z.string().optional(),
});

/** SHA-256 in counter mode: `n` bytes that are a pure function of `seed`. */
export function deterministicBytes(seed: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0, block = 0; i < n; block++) {
    const digest = createHash('sha256').update(`${seed}:${block}`).digest();
    out.set(digest.subarray(0, Math.min(32, n - i)), i);
    i += 32;
  }
  return out;
}

export const diagnosticCompute = defineWorkerFunction({
  id: 'diagnostic-compute',
  title: 'Diagnostic compute',
  retries: 2,
  async run(ctx) {
    const p = Params.parse(ctx.input.params);
    const started = Date.now();
    if (p.failOnceMarker && !existsSync(p.failOnceMarker)) {
      writeFileSync(p.failOnceMarker, String(process.pid));
      throw new Error(`diagnostic failure (once): marker ${p.failOnceMarker} created`);
    }
    if (p.fail) throw new Error(p.fail);
    let durationMs = p.durationMs;
    if (p.slowOnceMarker && !existsSync(p.slowOnceMarker)) {
      writeFileSync(p.slowOnceMarker, String(process.pid));
      durationMs = p.slowDurationMs;
    }
    const inputKeys = Object.entries(ctx.input.inputs)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([, m]) => m.artifacts.map((a) => a.key));
    for (let i = 0; i < p.chunks; i++) {
      throwIfAborted(ctx.signal);
      await sleep(durationMs / p.chunks);
      ctx.progress((i + 1) / p.chunks, `chunk ${i + 1}/${p.chunks}`);
    }
    const seed = `${ctx.input.config.seed}:${ctx.input.stepId}:${inputKeys.join(',')}`;
    const ref = await ctx.putArtifact('output.bin', deterministicBytes(seed, p.bytes));
    if (p.traceFile) {
      const { appendFileSync } = await import('node:fs');
      appendFileSync(p.traceFile, `${started} ${Date.now()} ${ctx.input.runId} ${ctx.input.stepId}\n`);
    }
    return { bytes: ref.size, inputs: inputKeys.length };
  },
});
