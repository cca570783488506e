import { describe, expect, it, vi } from 'vitest';
import { NextRequest } from 'next/server';
import { proxy } from '../../proxy';
import { isWithdrawn, markWithdrawn, withdrawnCount, withdrawnRewrite } from '../../server/dashboards/withdrawn-slugs';

// Issue 14 item 7: after unpublishing, /p/<slug> answers 410 with a page that says so. The request
// guard has no database: it rewrites the slugs it was told of (status 410) and leaves every other
// path, a live snapshot's page above all, exactly as before.
const get = (url: string, headers: Record<string, string> = {}) => proxy(new NextRequest(url, { headers }));
const WITHDRAWN = 'wthdrawn2345'; // the slug alphabet has no 0/o, 1/l
const LIVE = 'abcdefghjkmn';

describe('the request guard and withdrawn snapshots', () => {
  it('passes a slug it was not told of, as before: no rewrite, no status', () => {
    expect(isWithdrawn(LIVE)).toBe(false);
    const res = get(`http://localhost:3000/p/${LIVE}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-middleware-next')).toBe('1');
    expect(res.headers.get('x-middleware-rewrite')).toBeNull();
  });

  it('rewrites the page of a withdrawn slug to its withdrawn page with status 410', () => {
    const before = withdrawnCount();
    markWithdrawn(WITHDRAWN);
    markWithdrawn(WITHDRAWN); // idempotent
    expect(withdrawnCount()).toBe(before + 1);
    for (const path of [`/p/${WITHDRAWN}`, `/p/${WITHDRAWN}/withdrawn`]) {
      const res = get(`http://localhost:3000${path}`, { 'x-request-id': 'req-410' });
      expect(res.status, path).toBe(410);
      expect(res.headers.get('x-middleware-rewrite'), path).toBe(`http://localhost:3000/p/${WITHDRAWN}/withdrawn`);
      // Still one request id and the security headers, like every page.
      expect(res.headers.get('x-request-id')).toBe('req-410');
      expect(res.headers.get('x-middleware-request-x-request-id')).toBe('req-410');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    // An embedded withdrawn snapshot says so inside the frame.
    const embed = get(`http://localhost:3000/p/${WITHDRAWN}?embed=1`);
    expect(embed.status).toBe(410);
    expect(embed.headers.get('content-security-policy')).toContain('frame-ancestors *');
  });

  it('leaves every other path alone: artifacts, other slugs, look-alikes', () => {
    expect(withdrawnRewrite(`/p/${WITHDRAWN}/a/2b0f3c1e-0d7a-4b8e-9a51-6f1d2c3b4a59`)).toBeNull();
    expect(withdrawnRewrite(`/p/${WITHDRAWN}/withdrawn/x`)).toBeNull();
    expect(withdrawnRewrite(`/p/${WITHDRAWN}x`)).toBeNull();
    expect(withdrawnRewrite(`/h/${WITHDRAWN}`)).toBeNull();
    expect(withdrawnRewrite(`/p/${LIVE}`)).toBeNull();
    expect(withdrawnRewrite(`/p/${WITHDRAWN}`)).toBe(`/p/${WITHDRAWN}/withdrawn`);
    expect(withdrawnRewrite(`/p/${WITHDRAWN}/`)).toBe(`/p/${WITHDRAWN}/withdrawn`); // (Next itself redirects /p/<slug>/ to /p/<slug> first)
    const artifact = get(`http://localhost:3000/p/${WITHDRAWN}/a/2b0f3c1e-0d7a-4b8e-9a51-6f1d2c3b4a59`);
    expect([artifact.status, artifact.headers.get('x-middleware-next')]).toEqual([200, '1']);
  });

  it('shares one set across separately bundled copies of the module (globalThis)', async () => {
    // The proxy and the server's routes are separate bundles in one process: a second module
    // instance must see the same slugs.
    vi.resetModules();
    const copy = await import('../../server/dashboards/withdrawn-slugs');
    expect(copy.isWithdrawn).not.toBe(isWithdrawn); // a second instance of the module
    expect(copy.isWithdrawn(WITHDRAWN)).toBe(true);
    copy.markWithdrawn('anothr23456');
    expect(isWithdrawn('anothr23456')).toBe(true);
  });
});
