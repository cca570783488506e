import { describe, expect, it } from 'vitest';
import { NextRequest } from 'next/server';
import { proxy } from '../../proxy';

// Issue 13 item 8: every page and API response carries the security headers; only a published
// dashboard with ?embed=1 may be framed; HSTS only over https; the policy has no nonce, so
// published snapshots can be cached.
const get = (url: string, headers: Record<string, string> = {}) => proxy(new NextRequest(url, { headers }));
const signedIn = { cookie: 'deeper_session=abc' };

describe('security headers from the request guard', () => {
  it('sets CSP, frame-ancestors none, nosniff and Referrer-Policy on portal pages and the API', () => {
    for (const res of [get('http://localhost:3000/home', signedIn), get('http://localhost:3000/api/trpc/auth.me'), get('http://localhost:3000/runs/x')]) {
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("worker-src 'self' blob:");
      expect(csp).not.toMatch(/nonce-|unsafe-eval/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
    // The redirect to sign-in carries them too.
    const redirect = get('http://localhost:3000/runs/x');
    expect(redirect.status).toBe(307);
  });

  it('lets only /p/<slug>?embed=1 be framed', () => {
    const embed = get('http://localhost:3000/p/abcdefghjkmn?embed=1');
    expect(embed.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(embed.headers.get('x-frame-options')).toBeNull();
    for (const url of ['http://localhost:3000/p/abcdefghjkmn', 'http://localhost:3000/p/abcdefghjkmn?embed=0', 'http://localhost:3000/home?embed=1', 'http://localhost:3000/p/a/b?embed=1']) {
      const res = get(url, signedIn);
      expect(res.headers.get('content-security-policy'), url).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), url).toBe('DENY');
    }
  });

  it('sends HSTS only behind https', () => {
    expect(get('http://deeper.example/p/abcdefghjkmn', { 'x-forwarded-proto': 'https' }).headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(get('https://deeper.example/home', signedIn).headers.get('strict-transport-security')).toMatch(/^max-age=31536000/);
  });

  it('uses one static policy for a published page (no per-request nonce: cacheable)', () => {
    const a = get('http://localhost:3000/p/abcdefghjkmn').headers.get('content-security-policy');
    const b = get('http://localhost:3000/p/abcdefghjkmn').headers.get('content-security-policy');
    expect(a).toBe(b);
  });
});
