import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acceptsGzip, cacheableSlug, forgetCachedPage, servePublishedPage } from '../../server/dashboards/published-page-cache';
import { forgetPublishedPage } from '../../server/dashboards/published-page';

// Issue 13 (load): published pages served from memory by scripts/start.mjs once Next has answered
// them; per-request security headers; nothing kept but plain 200 pages; unpublishing drops them.
const PAGE = '<!DOCTYPE html><html><body>' + 'snapshot '.repeat(400) + '</body></html>';
let server: Server;
let port = 0;
let nextCalls = 0;
/** What the stand-in for Next answers: a page, or a status for the slug. */
let nextAnswer: (req: IncomingMessage, res: ServerResponse) => void;
const pageAnswer = (req: IncomingMessage, res: ServerResponse) => {
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('x-nextjs-cache', 'MISS'); // Next's first answer renders the page
  res.setHeader('etag', '"page-1"');
  res.setHeader('x-request-id', 'from-next');
  res.setHeader('x-frame-options', 'DENY');
  res.statusCode = 200;
  if (acceptsGzip(req.headers['accept-encoding'])) {
    res.setHeader('content-encoding', 'gzip');
    const z = gzipSync(PAGE);
    res.write(z.subarray(0, 100));
    res.end(z.subarray(100));
  } else {
    res.write(PAGE.slice(0, 50));
    res.end(PAGE.slice(50), 'utf8');
  }
};
beforeAll(async () => {
  server = createServer((req, res) =>
    servePublishedPage(req, res, () => {
      nextCalls++;
      nextAnswer(req, res);
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server?.close(r)));
beforeEach(() => {
  nextCalls = 0;
  nextAnswer = pageAnswer;
});

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('cacheableSlug and acceptsGzip', () => {
  it('takes plain GETs of /p/<slug> only', () => {
    const r = (url: string, headers: Record<string, string> = {}, method = 'GET') => cacheableSlug({ url, headers, method });
    expect(r('/p/abc_D-9')).toBe('abc_D-9');
    expect(r('/p/abc?embed=1')).toBe('abc');
    expect(r('/p/abc/')).toBeNull();
    expect(r('/p/abc/a/0b9d3c3e')).toBeNull();
    expect(r('/p/abc?_rsc=1x')).toBeNull();
    expect(r('/p/abc', { rsc: '1' })).toBeNull();
    expect(r('/p/abc', { 'next-router-prefetch': '1' })).toBeNull();
    expect(r('/p/abc', {}, 'HEAD')).toBeNull();
    expect(r('/p/a%2Fb')).toBeNull();
    expect(r('/api/trpc/x')).toBeNull();
  });
  it('reads Accept-Encoding with q values', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('br')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});

describe('a published page from memory', () => {
  it("keeps Next's first 200 answer and serves the same bytes after it, per encoding", async () => {
    forgetCachedPage('s1');
    const first = await get('/p/s1');
    const second = await get('/p/s1');
    expect(nextCalls).toBe(1);
    expect(first.body.toString()).toBe(PAGE);
    expect(second.body.toString()).toBe(PAGE);
    expect(second.headers['content-length']).toBe(String(Buffer.byteLength(PAGE)));
    expect(second.headers['etag']).toBe('"page-1"');
    expect([first.headers['x-nextjs-cache'], second.headers['x-nextjs-cache']]).toEqual(['MISS', 'HIT']);
    // gzip is a second variant, kept from Next's first gzip answer.
    const z1 = await get('/p/s1', { 'accept-encoding': 'gzip' });
    const z2 = await get('/p/s1', { 'accept-encoding': 'gzip, br' });
    expect(nextCalls).toBe(2);
    expect(z2.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(z2.body).toString()).toBe(PAGE);
    expect(z1.body.equals(z2.body)).toBe(true);
  });

  it("sets each request's own security headers and request id, and answers 304 to a matching If-None-Match", async () => {
    forgetCachedPage('s2');
    await get('/p/s2');
    const plain = await get('/p/s2', { 'x-request-id': 'req-9' });
    expect(plain.headers['x-frame-options']).toBe('DENY');
    expect(plain.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(plain.headers['x-content-type-options']).toBe('nosniff');
    expect(plain.headers['x-request-id']).toBe('req-9');
    const fresh = await get('/p/s2');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const embed = await get('/p/s2?embed=1');
    expect(embed.headers['x-frame-options']).toBeUndefined();
    expect(embed.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(embed.body.toString()).toBe(PAGE);
    expect(embed.headers['strict-transport-security']).toBeUndefined();
    const https = await get('/p/s2', { 'x-forwarded-proto': 'https' });
    expect(https.headers['strict-transport-security']).toMatch(/^max-age=31536000/);
    const notModified = await get('/p/s2', { 'if-none-match': '"page-1"' });
    expect([notModified.status, notModified.body.length, notModified.headers['etag']]).toEqual([304, 0, '"page-1"']);
    expect(nextCalls).toBe(1);
  });

  it('keeps no 404, no answer with Set-Cookie, nothing for RSC requests', async () => {
    forgetCachedPage('s3');
    nextAnswer = (_req, res) => res.writeHead(404, { 'x-nextjs-cache': 'MISS' }).end('gone');
    await get('/p/s3');
    await get('/p/s3');
    expect(nextCalls).toBe(2);
    nextAnswer = (req, res) => {
      res.setHeader('set-cookie', 'a=b');
      pageAnswer(req, res);
    };
    await get('/p/s3');
    await get('/p/s3');
    expect(nextCalls).toBe(4);
    nextAnswer = pageAnswer;
    await get('/p/s3', { rsc: '1' });
    await get('/p/s3', { rsc: '1' });
    expect(nextCalls).toBe(6);
  });

  it('is dropped by unpublishing (forgetPublishedPage), also when Next was answering at that moment', async () => {
    forgetCachedPage('s4');
    await get('/p/s4');
    forgetPublishedPage('s4');
    nextAnswer = (_req, res) => res.writeHead(404).end('not found');
    expect((await get('/p/s4')).status).toBe(404);
    expect(nextCalls).toBe(2);
    // An answer Next began before the drop and finished after it is not kept.
    nextAnswer = (req, res) => {
      forgetPublishedPage('s4');
      pageAnswer(req, res);
    };
    await get('/p/s4');
    nextAnswer = (_req, res) => res.writeHead(404).end('not found');
    expect((await get('/p/s4')).status).toBe(404);
    expect(nextCalls).toBe(4);
  });
});
