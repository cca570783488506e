import { z } from 'zod';

/**
 * The one schema for text that people type and others read (names, titles, descriptions,
 * comments): it refuses what PostgreSQL cannot store (NUL), what is not text (control characters,
 * unpaired UTF-16 surrogates, which are not valid Unicode) and bidirectional controls, which can
 * make a name display as something else ("Trojan Source"). Messages name the field.
 */

/** C0 and C1 control characters; a multi-line field allows tab and newline. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Bidirectional formatting characters (LRM, RLM, ALM, embeddings, overrides, isolates). */
export const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `s` is not acceptable text, or null. */
export function textProblem(s: string, multiline = false): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if ((multiline ? CONTROL_MULTILINE : CONTROL).test(s)) return multiline ? 'must not contain control characters other than tab and newline' : 'must not contain control characters or line breaks';
  if (UNPAIRED_SURROGATE.test(s)) return 'must be valid Unicode (it holds an unpaired surrogate)';
  if (BIDI_CONTROL.test(s)) return 'must not contain bidirectional control characters';
  return null;
}

/**
 * Trimmed text of at most `max` characters (and at least `min`, default 0), with the checks of
 * textProblem. Example: `textField('name', { min: 1, max: 80 })`.
 */
export function textField(field: string, opts: { min?: number; max: number; multiline?: boolean }) {
  const min = opts.min ?? 0;
  let s = z.string({ error: `${field} must be a string` }).trim();
  if (min > 0) s = s.min(min, min === 1 ? `${field} is required` : `${field} must be at least ${min} characters`);
  return s.max(opts.max, `${field} must be at most ${opts.max} characters`).superRefine((v, ctx) => {
    const problem = textProblem(v, opts.multiline);
    if (problem) ctx.addIssue({ code: 'custom', message: `${field} ${problem}` });
  });
}
