/**
 * bench:load: the production server (`npm start`, scripts/start.mjs) on loopback with a seeded
 * user, a finished run and its publication, under load from autocannon in its own process.
 * Targets: experiment.list and a run dashboard's data (dashboards.get) signed in, and the public
 * snapshot page. Each target: closed loop (CONNECTIONS clients) and open loop at RATE requests/s.
 * Bounded: DURATION seconds per measurement (default 30), loopback only. Ends with one JSON line.
 *   npm run bench:load -- [--duration 30] [--connections 50] [--rate 300] [--modes closed,open]
 * --modes open skips the closed-loop runs (short A/B comparisons on a shared machine).
 * BENCH_DATABASE_URL=postgres://... runs it on PostgreSQL (an empty database) instead of PGlite.
 * BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' passes node flags to the server (profiling).
 * Uses the existing build when there is one (DEEPER_SKIP_BUILD=1); otherwise start.mjs builds.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};
const DURATION_S = Math.min(arg('duration', 30), 120);
const CONNECTIONS = Math.min(arg('connections', 50), 200);
const RATE = Math.min(arg('rate', 300), 2000);
const modesArg = process.argv.includes('--modes') ? process.argv[process.argv.indexOf('--modes') + 1]!.split(',') : ['closed', 'open'];
if (!modesArg.every((m) => m === 'closed' || m === 'open')) throw new Error('--modes takes closed, open or closed,open');
const root = path.resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deeper-load-'));
const databaseUrl = process.env.BENCH_DATABASE_URL;
const email = 'load@example.com';
const password = 'quiet-harbour-2048';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '' }) };
// The seed writes the database and artifacts before the server owns them.
let runId: string;
try {
  const seeded = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'tests/dashboards/seed-cli.ts'), email, password], { env, cwd: root, encoding: 'utf8' });
  runId = seeded.trim().split('/').pop()!;
} catch (err) {
  rmSync(dataDir, { recursive: true, force: true });
  throw err;
}
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server: ChildProcess = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), path.join(root, 'scripts/start.mjs')], {
  env: { ...env, PORT: String(port), HOST: '127.0.0.1', DEEPER_SKIP_BUILD: existsSync(path.join(root, '.next/BUILD_ID')) ? '1' : '0' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
/** CPU time (user + system, ms) the server process has used, from /proc (Linux; NaN elsewhere). */
function serverCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}
const stop = () => {
  server.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
};
try {
  for (let t = Date.now(); ; ) {
    if (Date.now() - t > 600_000) throw new Error('the server did not start within 10 minutes');
    const ok = await fetch(`${base}/sign-in`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const signIn = await fetch(`${base}/api/trpc/auth.signIn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!signIn.ok) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const trpc = async (proc: string, input: unknown, method = 'GET') => {
    const res =
      method === 'GET'
        ? await fetch(`${base}/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { cookie } })
        : await fetch(`${base}/api/trpc/${proc}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(input) });
    if (!res.ok) throw new Error(`${proc}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { result: { data: unknown } }).result.data;
  };
  const [ws] = (await trpc('workspace.list', {})) as { id: string }[];
  const pub = (await trpc('publications.publish', { runId, title: 'Load' }, 'POST')) as { slug: string };
  const targets = {
    'experiment.list': { url: `${base}/api/trpc/experiment.list?input=${encodeURIComponent(JSON.stringify({ workspaceId: ws!.id }))}`, headers: { cookie } },
    'dashboards.get': { url: `${base}/api/trpc/dashboards.get?input=${encodeURIComponent(JSON.stringify({ runId }))}`, headers: { cookie } },
    'public page': { url: `${base}/p/${pub.slug}`, headers: {} },
  };
  const results: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(targets)) {
    const modes = [[`closed ${CONNECTIONS} clients`, null, 'closed'], [`open ${RATE}/s`, RATE, 'open']] as const;
    for (const [mode, rate] of modes.filter((m) => modesArg.includes(m[2]))) {
      const job = JSON.stringify({ ...t, connections: CONNECTIONS, durationS: DURATION_S, rate });
      const cpu0 = serverCpuMs();
      const out = execFileSync(process.execPath, [path.join(root, 'bench/load-gen.mjs'), job], { encoding: 'utf8' });
      const r = JSON.parse(out.trim().split('\n').pop()!) as { requests: number };
      const cpuMs = serverCpuMs() - cpu0;
      // The server's CPU time per answered request: less sensitive than latency to other load on the machine.
      results[`${name} / ${mode}`] = { ...r, serverCpuMsPerRequest: !Number.isFinite(cpuMs) || !r.requests ? null : Math.round((cpuMs / r.requests) * 100) / 100 };
    }
  }
  console.log(JSON.stringify({ bench: 'load', directApi: process.env.DEEPER_DIRECT_API !== '0', database: databaseUrl ? 'postgres' : 'pglite', durationS: DURATION_S, connections: CONNECTIONS, rate: RATE, loadavg: os.loadavg().map((l) => Math.round(l * 10) / 10), cores: os.cpus().length, results }));
} finally {
  stop();
}
