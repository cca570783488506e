#!/usr/bin/env node
// `npm start`: build the portal when the build is missing or older than the sources, then serve on
// PORT (default 3000). The server applies database migrations as it starts (instrumentation.ts),
// before it answers any request. Environment: see README.md.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setClientAddress, trustedProxyHops } from './client-address.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
const BUILD_ID = path.join(root, '.next', 'BUILD_ID');
// What the build depends on; a file in here newer than the last build means "build again".
const SOURCES = ['app', 'server', 'workers', 'proxy.ts', 'instrumentation.ts', 'next.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json'];
const SKIP = new Set(['node_modules', '.next', '.data', 'test-results']);

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(p)) {
    if (SKIP.has(entry)) continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

function run(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code ?? signal}`))));
  });
}

const t0 = performance.now();
const builtAt = existsSync(BUILD_ID) ? statSync(BUILD_ID).mtimeMs : 0;
const sourcesAt = Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
if (process.env.DEEPER_SKIP_BUILD !== '1' && (builtAt === 0 || sourcesAt > builtAt)) {
  console.log(builtAt === 0 ? '[deeper] no build yet: building the portal…' : '[deeper] sources changed since the last build: rebuilding…');
  await run([nextBin, 'build'], { NODE_ENV: 'production' });
}

const port = Number(process.env.PORT ?? '3000');
const host = process.env.HOST ?? '0.0.0.0';
const hops = trustedProxyHops(process.env.TRUST_PROXY_HOPS);
// Next's request handler behind our own HTTP server, which decides the client address from the
// socket (or TRUST_PROXY_HOPS proxies) before Next sees the request: see client-address.mjs.
process.env.NODE_ENV = 'production';
const { default: next } = await import('next');
// The host name Next builds its own request URLs with. Inside proxy.ts, NextURL calls every loopback
// address `localhost`; Next must too, or a rewrite from the proxy (withdrawn snapshots: 410) looks
// like another origin and is proxied over the network to this server (vercel/next.js#94745).
const LOCAL_HOST = /^(?:0\.0\.0\.0|localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/;
const app = next({ dev: false, dir: root, hostname: LOCAL_HOST.test(host) ? 'localhost' : host, port });
await app.prepare();
const handle = app.getRequestHandler();
// tRPC queries (GET /api/trpc/...) skip Next's request pipeline: server/trpc/node-api.ts, which
// instrumentation.ts registers; DEEPER_DIRECT_API=0 sends them through Next like everything else.
const directApi = process.env.DEEPER_DIRECT_API !== '0';
const pageCache = process.env.PUBLISHED_PAGE_CACHE !== '0';
const server = createServer((req, res) => {
  setClientAddress(req, hops);
  const api = directApi ? globalThis.__deeperNodeApi : undefined;
  if (api?.wants(req.method, req.url)) {
    api.serve(req, res).catch((err) => {
      console.error('[deeper] direct API request failed', err);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
    return;
  }
  // Published pages (/p/<slug>) from memory once Next has answered them: server/dashboards/published-page-cache.ts.
  const pages = pageCache ? globalThis.__deeperPublishedPageServer : undefined;
  if (pages) pages.serve(req, res, () => handle(req, res));
  else handle(req, res);
});
server.listen(port, host, () => {
  console.log(`[deeper] serving on http://localhost:${port} (ready steps took ${Math.round(performance.now() - t0)} ms; trusted proxy hops: ${hops}; direct API: ${directApi ? 'on' : 'off'}, published pages from memory: ${pageCache ? 'on' : 'off'}, once the app is ready)`);
});
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
