import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleTrpc } from './handler';
import type { Db } from '../db/client';

/**
 * tRPC queries served straight from the Node server of `npm start` (scripts/start.mjs), without
 * Next.js's request pipeline (router, proxy.ts, route module): under load that pipeline cost more
 * CPU than the queries themselves (bench/load.ts). Only reads take this path: GET /api/trpc/...,
 * which can only call queries (tRPC refuses mutations over GET). Mutations (POST) still go
 * through Next, where revalidatePath (unpublishing) works and proxy.ts runs.
 *
 * The same checks as the Next path: handleTrpc (batch cap, request id, session, logging, the
 * security headers of proxy.ts), and the client address start.mjs decided from the socket
 * (setClientAddress) before either path sees the request.
 *
 * Registered on globalThis by instrumentation.ts, so that start.mjs (plain JavaScript, outside the
 * build) calls the code Next compiled; DEEPER_DIRECT_API=0 turns the path off (everything through Next).
 */
export interface NodeApi {
  /** Whether this path serves a request (isApiRead). */
  wants(method: string | undefined, url: string | undefined): boolean;
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const g = globalThis as unknown as { __deeperNodeApi?: NodeApi };

/** Whether the direct path serves this request: a GET under /api/trpc/. */
export function isApiRead(method: string | undefined, url: string | undefined): boolean {
  return method === 'GET' && url !== undefined && url.startsWith('/api/trpc/');
}

/** The request's headers as fetch Headers (repeated headers joined as Node received them). */
function fetchHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

/** Answers one GET /api/trpc/... request on a Node server: tRPC's response plus the security headers. */
export async function serveApiRead(req: IncomingMessage, res: ServerResponse, deps: { db?: Db } = {}): Promise<void> {
  const headers = fetchHeaders(req);
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  const response = await handleTrpc(new Request(url, { method: 'GET', headers }), deps);
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) out['set-cookie'] = cookies;
  const body = Buffer.from(await response.arrayBuffer());
  out['content-length'] = String(body.byteLength);
  res.writeHead(response.status, out);
  res.end(body);
}

/** Makes serveApiRead available to scripts/start.mjs (called once, from instrumentation.ts). */
export function registerNodeApi(): void {
  g.__deeperNodeApi = { wants: isApiRead, serve: (req, res) => serveApiRead(req, res) };
}
