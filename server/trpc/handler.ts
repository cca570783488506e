import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from './router';
import { createContext } from './context';
import { log, requestIdFrom, withRequestId } from '../log';
import type { Db } from '../db/client';
import { crossSiteRefusal, isJsonContentType } from '../http/same-origin';
import { securityHeaders } from '../http/security-headers';

/** Largest accepted request body (bytes); larger ones get 413 before tRPC parses anything. */
export const MAX_BODY_BYTES = 1024 * 1024;

async function readLimited(req: Request, limit: number): Promise<Buffer | null> {
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Most procedures one batched request may call. */
export const MAX_BATCH = 10;
/** Procedures that are never batched (each sign-in or sign-up attempt is one request). */
const UNBATCHABLE = /^auth\.(signIn|signUp)$/;

function refuse(reqId: string, status: number, code: string, message: string): Response {
  return Response.json({ error: { message, code } }, { status, headers: { 'x-request-id': reqId } });
}

function tooLarge(reqId: string): Response {
  return refuse(reqId, 413, 'PAYLOAD_TOO_LARGE', `request body must be at most ${MAX_BODY_BYTES} bytes`);
}

/** Why a request's batch is refused, or null: more than MAX_BATCH calls, or an auth procedure in a batch. */
export function batchRefusal(url: URL): string | null {
  const paths = decodeURIComponent(url.pathname.replace(/^.*?\/api\/trpc\/?/, '')).split(',');
  if (paths.length > MAX_BATCH) return `a batch may call at most ${MAX_BATCH} procedures; this one calls ${paths.length}`;
  if (paths.length > 1 && paths.some((p) => UNBATCHABLE.test(p))) return 'sign-in and sign-up cannot be batched: send each attempt on its own';
  return null;
}

/**
 * The security headers of proxy.ts, set here as well: Next does not copy the headers proxy.ts puts
 * on NextResponse.next() onto a route handler's response, and scripts/start.mjs serves queries
 * without proxy.ts (server/trpc/node-api.ts). https as the client saw it: X-Forwarded-Proto, which
 * start.mjs keeps only from trusted proxies.
 */
function withSecurityHeaders(req: Request, url: URL, res: Response): Response {
  const https = url.protocol === 'https:' || req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
  const h = securityHeaders({ pathname: url.pathname, searchParams: url.searchParams, https, development: process.env.NODE_ENV === 'development' });
  for (const [k, v] of Object.entries(h)) res.headers.set(k, v);
  return res;
}

/** Serves /api/trpc/*: request id, body limit, logging, then tRPC; every answer with the security headers. */
export async function handleTrpc(req: Request, deps: { db?: Db } = {}): Promise<Response> {
  const url = new URL(req.url);
  return withSecurityHeaders(req, url, await handleTrpcRequest(req, url, deps));
}

async function handleTrpcRequest(req: Request, url: URL, deps: { db?: Db }): Promise<Response> {
  const reqId = requestIdFrom(req.headers);
  return withRequestId(reqId, async () => {
    const started = performance.now();
    const batchError = batchRefusal(url);
    if (batchError) return refuse(reqId, 400, 'BAD_REQUEST', batchError);
    let request = req;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const crossSite = crossSiteRefusal(req);
      if (crossSite) {
        log.warn({ origin: req.headers.get('origin'), site: req.headers.get('sec-fetch-site') }, 'cross-site request refused');
        return refuse(reqId, 403, 'FORBIDDEN', crossSite);
      }
      if (!isJsonContentType(req.headers.get('content-type')))
        return refuse(reqId, 415, 'UNSUPPORTED_MEDIA_TYPE', `content-type must be application/json (got ${(req.headers.get('content-type') ?? 'none').slice(0, 100)})`);
      const declared = Number(req.headers.get('content-length') ?? 0);
      if (declared > MAX_BODY_BYTES) return tooLarge(reqId);
      const body = await readLimited(req, MAX_BODY_BYTES);
      if (!body) return tooLarge(reqId);
      request = new Request(req.url, { method: req.method, headers: req.headers, body: new Uint8Array(body) });
    }
    const res = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req: request,
      router: appRouter,
      createContext: ({ req: r, resHeaders }) => createContext({ req: r, resHeaders, reqId, db: deps.db }),
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error.cause ?? error, path }, 'procedure failed');
      },
    });
    res.headers.set('x-request-id', reqId);
    log.info({ method: req.method, path: url.pathname, status: res.status, ms: Math.round(performance.now() - started) }, 'trpc request');
    return res;
  });
}
