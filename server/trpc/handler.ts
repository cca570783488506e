import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from './router';
import { createContext } from './context';
import { log, requestIdFrom, withRequestId } from '../log';
import type { Db } from '../db/client';

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

function tooLarge(reqId: string): Response {
  return Response.json(
    { error: { message: `request body must be at most ${MAX_BODY_BYTES} bytes`, code: 'PAYLOAD_TOO_LARGE' } },
    { status: 413, headers: { 'x-request-id': reqId } },
  );
}

/** Serves /api/trpc/*: request id, body limit, logging, then tRPC. */
export async function handleTrpc(req: Request, deps: { db?: Db } = {}): Promise<Response> {
  const reqId = requestIdFrom(req.headers);
  return withRequestId(reqId, async () => {
    const started = performance.now();
    let request = req;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
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
    const url = new URL(req.url);
    log.info({ method: req.method, path: url.pathname, status: res.status, ms: Math.round(performance.now() - started) }, 'trpc request');
    return res;
  });
}
