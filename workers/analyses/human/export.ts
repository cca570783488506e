/**
 * The raw human data as a tidy CSV (one row per participant and trial) and its data dictionary.
 *
 * Format (RFC 4180): UTF-8, CRLF line ends, a header row with the columns of HUMAN_TRIAL_COLUMNS in
 * order; a cell holding a comma, a double quote, a CR or LF, or leading/trailing spaces is quoted
 * with double quotes, inner quotes doubled. Empty cell = null; booleans `true`/`false`; numbers in
 * JavaScript's shortest round-trip form. A text cell starting with = + - @ or a tab is written with
 * a leading apostrophe so that spreadsheets do not run it as a formula (OWASP "CSV injection"); the
 * parser removes it again. Duplicates of a (participant, trial) are written once (the first), rows
 * sorted by participant then trial. Every participant is exported, flagged ones included.
 */
import { HUMAN_TRIAL_COLUMNS, type HumanTrial } from '../../contract';
import { dedupeTrials, DEFAULT_MIN_PASS_RATE } from './table';

const FORMULA_START = /^[=+\-@\t]/;

function textCell(s: string): string {
  const guarded = FORMULA_START.test(s) ? `'${s}` : s;
  return /[",\r\n]|^\s|\s$/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`CSV export: ${value} is not a finite number`);
    return String(value);
  }
  return textCell(String(value));
}

/** The tidy CSV of the rows (deduplicated by (participant, trial), sorted). */
export function humanTrialsCsv(rows: HumanTrial[]): string {
  const { rows: unique } = dedupeTrials(rows);
  const lines = [HUMAN_TRIAL_COLUMNS.map((c) => c.name).join(',')];
  for (const r of unique) lines.push(HUMAN_TRIAL_COLUMNS.map((c) => cell(r[c.name])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** RFC 4180 records: fields split on commas outside quotes, "" inside quotes = one quote. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '', record: string[] = [], quoted = false, i = 0;
  const endField = () => { record.push(field); field = ''; };
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < src.length) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      field += ch; i++; continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { endField(); i++; continue; }
    if (ch === '\r' || ch === '\n') {
      endField();
      records.push(record);
      record = [];
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += ch; i++;
  }
  if (quoted) throw new Error('CSV: a quoted field is not closed before the end of the file');
  if (field !== '' || record.length > 0) { endField(); records.push(record); }
  return records.filter((r) => !(r.length === 1 && r[0] === ''));
}

/**
 * Parses the tidy CSV into raw row objects (typed cells; validate them with trialTable). Errors name
 * the line and the column.
 */
export function parseHumanTrialsCsv(text: string): Record<string, unknown>[] {
  const records = parseCsvRecords(text);
  if (records.length === 0) throw new Error('human trials CSV: the file is empty');
  const header = records[0].map((h) => h.trim());
  const missing = HUMAN_TRIAL_COLUMNS.filter((c) => !header.includes(c.name)).map((c) => c.name);
  if (missing.length) throw new Error(`human trials CSV: the header lacks the column(s) ${missing.join(', ')} (expected: ${HUMAN_TRIAL_COLUMNS.map((c) => c.name).join(',')})`);
  return records.slice(1).map((rec, i) => {
    const line = i + 2;
    if (rec.length !== header.length) throw new Error(`human trials CSV line ${line}: ${rec.length} cells, the header has ${header.length}`);
    const row: Record<string, unknown> = {};
    for (const c of HUMAN_TRIAL_COLUMNS) {
      const raw = rec[header.indexOf(c.name)];
      if (raw === '') { row[c.name] = null; continue; }
      if (c.type === 'boolean') {
        if (raw !== 'true' && raw !== 'false') throw new Error(`human trials CSV line ${line}, column ${c.name}: '${raw}' must be true or false`);
        row[c.name] = raw === 'true';
      } else if (c.type === 'integer' || c.type === 'number') {
        const x = Number(raw);
        if (!Number.isFinite(x) || (c.type === 'integer' && !Number.isInteger(x))) throw new Error(`human trials CSV line ${line}, column ${c.name}: '${raw}' must be ${c.type === 'integer' ? 'an integer' : 'a number'}`);
        row[c.name] = x;
      } else row[c.name] = raw.startsWith("'") && FORMULA_START.test(raw.slice(1)) ? raw.slice(1) : raw;
    }
    return row;
  });
}

/** The data dictionary of the export, as Markdown (docs/human-trials.md is this text). */
export function dataDictionary(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '# Human trials: data dictionary',
    '',
    'Generated by `dataDictionary()` in `workers/analyses/human/export.ts` from the columns in',
    '`workers/contract/human-trials.ts`; the export of a human session writes it next to the CSV.',
    '',
    'One row per participant and trial (tidy). UTF-8, RFC 4180 (comma separated, CRLF line ends,',
    'cells with commas, quotes or line breaks in double quotes, inner quotes doubled), header row first.',
    'An empty cell is a missing value. A text cell that starts with `=`, `+`, `-`, `@` or a tab is',
    "written with a leading apostrophe (`'`) so that spreadsheets do not evaluate it; readers drop it.",
    '',
    '| column | type | empty allowed | unit | meaning |',
    '|---|---|---|---|---|',
    ...HUMAN_TRIAL_COLUMNS.map((c) => `| \`${c.name}\` | ${c.type} | ${c.nullable ? 'yes' : 'no'} | ${esc(c.unit || '—')} | ${esc(c.description)} |`),
    '',
    '## Rules',
    '',
    '- `(participant, trial)` is unique: a trial submitted twice is stored once (the first submission).',
    '- Correct = `response` equals `target` (derived, not stored). No response within the time limit: `response` = -1.',
    `- Attention: a participant who answers fewer than ${DEFAULT_MIN_PASS_RATE * 100} % of their \`attention_check\` trials correctly is`,
    '  flagged and left out of pooled statistics and prevalence; their rows stay in this export.',
    '- Reverse-correlation trials: the noise the participant saw is trial `noise_trial` of the run\'s noise draw',
    '  (basis, noise sds and seed are in the run\'s configuration), so the stimulus can be regenerated exactly.',
    '',
  ].join('\n');
}
