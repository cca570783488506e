import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddress, setClientAddress, trustedProxyHops } from '../../scripts/client-address.mjs';
import { clientIp } from '../../server/http/client-ip';

// Issue 13 item 5: the server that `npm start` runs decides the client address itself; a client's
// X-Forwarded-For is ignored unless TRUST_PROXY_HOPS proxies are configured in front.
describe('clientAddress', () => {
  it('takes the socket peer without trusted proxies, and the hops-th entry from the right behind them', () => {
    expect(clientAddress('6.6.6.6', '127.0.0.1', 0)).toBe('127.0.0.1');
    expect(clientAddress(undefined, '::ffff:192.0.2.4', 0)).toBe('192.0.2.4');
    // One proxy (at 10.0.0.2) appended the client 203.0.113.9; the client forged 6.6.6.6 before it.
    expect(clientAddress('6.6.6.6, 203.0.113.9', '10.0.0.2', 1)).toBe('203.0.113.9');
    expect(clientAddress('6.6.6.6, 203.0.113.9, 10.0.0.3', '10.0.0.2', 2)).toBe('203.0.113.9');
    expect(clientAddress(['6.6.6.6', '203.0.113.9'], '10.0.0.2', 1)).toBe('203.0.113.9');
    // Fewer entries than hops: the leftmost there is.
    expect(clientAddress(undefined, '10.0.0.2', 1)).toBe('10.0.0.2');
  });

  it('reads TRUST_PROXY_HOPS strictly', () => {
    expect(trustedProxyHops(undefined)).toBe(0);
    expect(trustedProxyHops('2')).toBe(2);
    expect(() => trustedProxyHops('yes')).toThrow(/TRUST_PROXY_HOPS must be an integer from 0 to 10/);
    expect(() => trustedProxyHops('-1')).toThrow(/TRUST_PROXY_HOPS/);
  });
});

describe('a forged X-Forwarded-For against the start server', () => {
  let server: Server;
  let hops = 0;
  let port = 0;
  beforeAll(async () => {
    // The same wiring as scripts/start.mjs, with an echo of what the app would see instead of Next.
    server = createServer((req, res) => {
      setClientAddress(req, hops);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      res.end(JSON.stringify({ ip: clientIp(headers), proto: req.headers['x-forwarded-proto'] ?? null, realIp: req.headers['x-real-ip'] ?? null }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = (headers: Record<string, string>) =>
    new Promise<{ ip: string; proto: string | null; realIp: string | null }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body)));
      });
      req.on('error', reject);
      req.end();
    });

  it('is ignored: the app sees the socket address', async () => {
    hops = 0;
    expect(await get({ 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '7.7.7.7', 'x-forwarded-proto': 'https' })).toEqual({ ip: '127.0.0.1', proto: null, realIp: null });
  });

  it('counts only the configured proxy hops', async () => {
    hops = 1;
    expect((await get({ 'x-forwarded-for': '6.6.6.6, 198.51.100.1' })).ip).toBe('198.51.100.1');
  });
});
