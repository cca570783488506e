import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeaders } from '../http/security-headers';

/**
 * Published pages (/p/<slug>) served from memory by the Node server of `npm start`
 * (scripts/start.mjs). A snapshot never changes, and Next already renders its page once
 * (app/p/[slug]/page.tsx); still, each request went through Next's router, proxy.ts and a gzip of
 * the page, about 4 ms of CPU (bench/load.ts). Here the first answer Next gives for a slug is kept
 * (the bytes as sent, per content encoding), and later requests get those bytes with fresh
 * per-request headers: the security headers of proxy.ts (which depend on ?embed=1 and https), a
 * request id, and 304 for a matching If-None-Match.
 *
 * Kept: only 200 answers to a plain GET of /p/<slug> (no RSC or router headers, no ?_rsc), without
 * Set-Cookie. Dropped: by forgetPublishedPage (unpublishing), in the same process. At most
 * MAX_PAGES slugs, oldest out first. Registered on globalThis by instrumentation.ts, like the
 * direct API (server/trpc/node-api.ts); PUBLISHED_PAGE_CACHE=0 turns it off.
 */
interface CachedAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  etag: string | null;
}

/** Most slugs kept (each with up to two encodings of its page, tens of kB each). */
export const MAX_PAGES = 256;

const g = globalThis as unknown as {
  __deeperPublishedPages?: Map<string, Map<string, CachedAnswer>>;
  __deeperPublishedPageDrops?: Map<string, number>;
  __deeperPublishedPageServer?: PublishedPageServer;
};
const pages = (g.__deeperPublishedPages ??= new Map());
/** How many times each slug's page was dropped: an answer Next began before a drop is not kept. */
const drops = (g.__deeperPublishedPageDrops ??= new Map());

export interface PublishedPageServer {
  /** Serves `req` from memory, or calls `next` (Next's handler) and keeps its answer when it may. */
  serve(req: IncomingMessage, res: ServerResponse, next: () => void): void;
}

/** Headers that belong to one request, never to the kept page. */
const PER_REQUEST = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'x-request-id', 'content-security-policy', 'x-frame-options', 'strict-transport-security', 'x-content-type-options', 'referrer-policy', 'cross-origin-opener-policy', 'permissions-policy']);
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The slug of a cacheable request for a published page, or null. */
export function cacheableSlug(req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): string | null {
  if (req.method !== 'GET' || !req.url) return null;
  const m = /^\/p\/([A-Za-z0-9_-]{1,100})(\?.*)?$/.exec(req.url); // not /p/<slug>/: Next redirects that
  if (!m) return null;
  if (m[2] && /[?&]_rsc=/.test(m[2])) return null;
  for (const name of Object.keys(req.headers)) if (name === 'rsc' || name.startsWith('next-')) return null;
  return m[1]!;
}

/** Whether Accept-Encoding allows gzip (a gzip;q=0 refuses it). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    if (name?.trim().toLowerCase() !== 'gzip' && name?.trim() !== '*') return false;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
    return !q || Number(q[1]) > 0;
  });
}

/** Drops a slug's kept page (forgetPublishedPage calls this). */
export function forgetCachedPage(slug: string): void {
  pages.delete(slug);
  drops.set(slug, (drops.get(slug) ?? 0) + 1);
}

function answerFromMemory(req: IncomingMessage, res: ServerResponse, url: URL, hit: CachedAnswer): void {
  const given = req.headers['x-request-id'];
  const https = req.headers['x-forwarded-proto']?.toString().split(',')[0]?.trim() === 'https';
  const headers: Record<string, string | string[]> = {
    ...hit.headers,
    ...securityHeaders({ pathname: url.pathname, searchParams: url.searchParams, https, development: false }),
    'x-request-id': typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID(),
    // Kept from Next's first answer, which may have been its render (MISS); from memory it is a hit.
    'x-nextjs-cache': 'HIT',
  };
  if (hit.etag && req.headers['if-none-match'] === hit.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  headers['content-length'] = String(hit.body.byteLength);
  res.writeHead(hit.status, headers);
  res.end(hit.body);
}

/** Records what Next writes to `res` and keeps it as the slug's page when it is a plain 200. */
function keepAnswer(slug: string, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  const dropsBefore = drops.get(slug) ?? 0;
  const toBuffer = (chunk: unknown, encoding: unknown) => (typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array));
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(toBuffer(chunk, rest[0]));
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(toBuffer(chunk, rest[0]));
    const sent = res.getHeaders();
    if (res.statusCode === 200 && (drops.get(slug) ?? 0) === dropsBefore && sent['set-cookie'] === undefined && sent['x-nextjs-cache'] !== undefined) {
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(sent)) if (v !== undefined && !PER_REQUEST.has(k)) headers[k] = Array.isArray(v) ? v : String(v);
      const encoding = String(sent['content-encoding'] ?? 'identity');
      if (encoding === 'identity' || encoding === 'gzip') {
        if (!pages.has(slug) && pages.size >= MAX_PAGES) pages.delete(pages.keys().next().value!);
        const variants = pages.get(slug) ?? new Map<string, CachedAnswer>();
        variants.set(encoding, { status: 200, headers, body: Buffer.concat(chunks), etag: typeof sent.etag === 'string' ? sent.etag : null });
        pages.set(slug, variants);
      }
    }
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
}

export function servePublishedPage(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const slug = cacheableSlug(req);
  if (!slug) return next();
  const variants = pages.get(slug);
  const hit = variants?.get(acceptsGzip(req.headers['accept-encoding']) ? 'gzip' : 'identity');
  if (hit) return answerFromMemory(req, res, new URL(req.url!, 'http://localhost'), hit);
  keepAnswer(slug, res);
  next();
}

/** Makes servePublishedPage available to scripts/start.mjs (called once, from instrumentation.ts). */
export function registerPublishedPageServer(): void {
  g.__deeperPublishedPageServer = { serve: servePublishedPage };
}
