/** Where to go when there is no usable ?next=. */
export const AFTER_SIGN_IN = '/home';

const BASE = 'https://deeper.invalid';

/**
 * Where to go after signing in: a same-origin path from ?next=, else /home. Only a path that
 * starts with exactly one "/", holds no backslash, control character or whitespace (browsers
 * read "/\evil" as "//evil" and strip tabs and newlines), and that the URL parser resolves to
 * this origin; it comes back normalised (path, query, fragment).
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || next.length > 2048) return AFTER_SIGN_IN;
  if (!next.startsWith('/') || next.startsWith('//') || /[\\\s\u0000-\u001f\u007f-\u009f]/.test(next)) return AFTER_SIGN_IN;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return AFTER_SIGN_IN;
  }
  if (url.origin !== BASE) return AFTER_SIGN_IN;
  return url.pathname + url.search + url.hash;
}
