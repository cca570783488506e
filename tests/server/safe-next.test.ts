import { describe, expect, it } from 'vitest';
import { safeNext } from '../../app/(auth)/safe-next';

// Issue 13 item 6: after sign-in the browser goes to ?next= only when it is a same-origin path.
describe('safeNext', () => {
  it('keeps same-origin paths', () => {
    expect(safeNext('/home')).toBe('/home');
    expect(safeNext('/runs/3f1c?tab=maps#layer-2')).toBe('/runs/3f1c?tab=maps#layer-2');
    expect(safeNext('/experiments/a/../b')).toBe('/experiments/b');
    expect(safeNext('/%5Cevil.example')).toBe('/%5Cevil.example'); // still encoded: a path here
  });

  it.each([
    null,
    '',
    'https://evil.example/x',
    'evil.example',
    '//evil.example/x',
    '/\\evil.example/x', // what /sign-in?next=/%5Cevil.example%2Fx decodes to
    '\\\\evil.example',
    '/\\/evil.example',
    '\\/evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '/ /evil.example',
    ' //evil.example',
    '/\u0000/evil.example',
    '/\u2028/evil.example',
    'javascript:alert(1)',
    '/javascript:alert(1)'.slice(1),
    'JaVaScRiPt:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'https:evil.example',
    'http:/evil.example',
    '///evil.example',
    '/' + 'a'.repeat(3000),
  ])('sends %j home', (evil) => {
    expect(safeNext(evil)).toBe('/home');
  });

  it('never leaves the origin for any decoding of an attacker-chosen ?next=', () => {
    const forms = ['/%5Cevil.example%2Fx', '%2F%2Fevil.example', '/%09/evil.example', '/%2F/evil.example', '%5C%5Cevil.example'];
    for (const f of forms) {
      const once = new URLSearchParams(`next=${f}`).get('next');
      const out = safeNext(once);
      expect(new URL(out, 'https://deeper.example').origin).toBe('https://deeper.example');
      expect(out.startsWith('/') && !out.startsWith('//')).toBe(true);
    }
  });
});
