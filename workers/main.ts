/**
 * The worker process.
 *
 *   npm run worker                    serve every worker function to Inngest (production):
 *                                     inngest/connect (outbound WebSocket, no port to open) by default,
 *                                     or an HTTP serve handler with WORKER_TRANSPORT=http (PORT, default 3001).
 *   node --import tsx workers/main.ts exec <function-id>
 *                                     run one step (the embedded executor's child process): the
 *                                     StepInput JSON on stdin; progress, logs and the StepOutput go
 *                                     to the parent over the IPC channel (stdout is left to libraries).
 */
import { executeWorkerFunction, type StepReporter } from './functions/define';
import { loadAllWorkerFunctions, loadWorkerFunction } from './functions/index';
import { applyRuntimeEnv } from './functions/runtime-env';
import { workerStoreFromEnv } from './functions/worker-artifact-store';
import type { ChildMessage } from './contract';

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      process.stderr.write(`${JSON.stringify(msg)}\n`);
      return resolve();
    }
    process.send(msg, undefined, {}, () => resolve());
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function execOne(functionId: string): Promise<number> {
  // The parent gone (server killed) → stop computing: nobody would record the result.
  process.on('disconnect', () => process.exit(3));
  const controller = new AbortController();
  // Cancellation: SIGTERM aborts between batches; the parent sends SIGKILL if that takes > 2 s.
  process.on('SIGTERM', () => {
    controller.abort();
    setTimeout(() => process.exit(143), 1500).unref();
  });
  const fn = await loadWorkerFunction(functionId);
  const input = JSON.parse(await readStdin());
  let last = 0;
  const reporter: StepReporter = {
    progress(fraction, etaSeconds, message) {
      const now = Date.now();
      if (fraction < 1 && !message && now - last < 250) return; // ≤ 4 updates/s
      last = now;
      void send({ type: 'progress', fraction, etaSeconds, message });
    },
    log: (message) => void send({ type: 'log', message }),
  };
  try {
    const output = await executeWorkerFunction(fn, input, { store: workerStoreFromEnv(), reporter, signal: controller.signal });
    await send({ type: 'result', output });
    return 0;
  } catch (err) {
    await send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    return 1;
  }
}

async function serveAll(): Promise<number> {
  const { createWorkerClient, toInngestFunction, workerHostConcurrency, workerHostKey } = await import('./functions/inngest');
  const client = createWorkerClient();
  const functions = (await loadAllWorkerFunctions()).map((fn) => toInngestFunction(client, fn));
  if (process.env.WORKER_TRANSPORT === 'http') {
    const http = await import('node:http');
    const { serve } = await import('inngest/node');
    const port = Number(process.env.PORT ?? 3001);
    http.createServer(serve({ client, functions })).listen(port);
    process.stdout.write(`deeper worker: serving ${functions.length} functions on http://0.0.0.0:${port}/api/inngest\n`);
    await new Promise(() => undefined);
    return 0;
  }
  const { connect } = await import('inngest/connect');
  const connection = await connect({ apps: [{ client, functions }], instanceId: workerHostKey(), maxWorkerConcurrency: workerHostConcurrency() });
  process.stdout.write(`deeper worker ${workerHostKey()}: connected (${functions.length} functions, ${workerHostConcurrency()} at once)\n`);
  await connection.closed;
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, arg] = argv;
  await applyRuntimeEnv(process.env);
  if (cmd === 'exec') {
    if (!arg) throw new Error('usage: workers/main.ts exec <function-id>');
    return execOne(arg);
  }
  if (!cmd || cmd === 'serve') return serveAll();
  process.stderr.write('usage: npm run worker [-- serve] | node --import tsx workers/main.ts exec <function-id>\n');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
