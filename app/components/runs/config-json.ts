/**
 * The JSON side of the experiment configuration editor: parse with the line and column of a syntax
 * error, and check that the text is an object of known sections and fields.
 */

/** 1-based line and column of character `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** The syntax error's position from the engine's message (V8: "at position N", maybe "(line L column C)"). */
export function describeJsonError(text: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const lc = /line (\d+) column (\d+)/.exec(msg);
  const pos = /position (\d+)/.exec(msg);
  const at = lc ? { line: Number(lc[1]), column: Number(lc[2]) } : pos ? lineColumn(text, Number(pos[1])) : text.trim() === '' ? { line: 1, column: 1 } : lineColumn(text, text.length);
  const reason = msg.replace(/\s*\(line \d+ column \d+\)/, '').replace(/\s*in JSON at position \d+/, '').replace(/^JSON\.parse: /, '');
  return `JSON syntax error at line ${at.line}, column ${at.column}: ${reason}`;
}

export type JsonParse = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/** Parses the editor's text: an object, or the error with its line and column. */
export function parseConfigJson(text: string): JsonParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: describeJsonError(text, err) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'The configuration must be a JSON object ({ … }), not ' + (Array.isArray(value) ? 'an array' : String(value)) + '.' };
  return { ok: true, value: value as Record<string, unknown> };
}
