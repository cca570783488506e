import os from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ChildMessage, StepOutput, type StepInputData } from '../../workers/contract';

export interface ChildOptions {
  functionId: string;
  input: StepInputData;
  /** Repository root (where workers/main.ts and node_modules/tsx are). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  onSpawn?: (child: ChildProcess) => void;
  onProgress?: (fraction: number, etaSeconds: number | null, message?: string) => void;
  onLog?: (line: string) => void;
}

/** SIGTERM first (the step aborts between batches), SIGKILL after this many ms. */
export const KILL_GRACE_MS = 2000;

/**
 * Runs one step in a child process: `node --import tsx workers/main.ts exec <functionId>` with
 * the input on stdin. Resolves with the step's output; rejects with the step's error message (or
 * the exit code/signal and the end of stderr when it died without one). Abort kills it: SIGTERM,
 * then SIGKILL after KILL_GRACE_MS, so cancellation takes effect in well under 5 s.
 */
/**
 * How much lower than the web process a step process runs (nice levels, DEEPER_STEP_NICE, default
 * 10): compute then yields the CPU to web requests, which stay responsive during a run.
 */
export function stepNiceness(): number {
  const n = Number(process.env.DEEPER_STEP_NICE ?? 10);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : 10;
}

/** The priority a step process gets: the web process's plus stepNiceness(), at most 19. */
export function stepPriority(): number {
  return Math.min(19, os.getPriority() + stepNiceness());
}

function lowerPriority(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    os.setPriority(child.pid, stepPriority());
  } catch {
    // The process may already have exited; a priority is an optimisation, never a failure.
  }
}

export function runStepInChild(opts: ChildOptions): Promise<StepOutput> {
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) return reject(new Error('cancelled'));
    const entry = path.join(opts.cwd, 'workers', 'main.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', entry, 'exec', opts.functionId], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
    });
    lowerPriority(child);
    opts.onSpawn?.(child);
    let result: unknown;
    let errorMessage: string | undefined;
    let stderrTail = '';
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const lines = (stream: NodeJS.ReadableStream, isErr: boolean) => {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        if (isErr) stderrTail = (stderrTail + chunk).slice(-2000);
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trimEnd();
          buf = buf.slice(i + 1);
          if (line) opts.onLog?.(line);
        }
      });
    };
    lines(child.stdout!, false);
    lines(child.stderr!, true);
    child.on('message', (raw) => {
      const parsed = ChildMessage.safeParse(raw);
      if (!parsed.success) {
        // a message that is not the contract's: keep it visible, never act on it
        opts.onLog?.(`malformed message from the step process: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}`);
        return;
      }
      const msg = parsed.data;
      if (msg.type === 'progress') opts.onProgress?.(msg.fraction, msg.etaSeconds, msg.message);
      else if (msg.type === 'log') opts.onLog?.(msg.message);
      else if (msg.type === 'result') result = msg.output;
      else if (msg.type === 'error') errorMessage = msg.message;
    });
    child.on('error', (err) => {
      errorMessage ??= `could not start the step process: ${err.message}`;
    });
    child.on('exit', (code, sig) => {
      opts.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (opts.signal.aborted) return reject(new Error('cancelled'));
      if (code === 0 && result !== undefined) {
        const parsed = StepOutput.safeParse(result);
        return parsed.success ? resolve(parsed.data) : reject(new Error(`step returned a malformed output: ${parsed.error.message}`));
      }
      const how = sig ? `killed by ${sig}` : `exited with code ${code}`;
      reject(new Error(errorMessage ?? `step process ${how}${stderrTail ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(JSON.stringify(opts.input));
  });
}
