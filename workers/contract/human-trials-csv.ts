/**
 * Reading the tidy human-trials CSV (the format humanTrialsCsv in workers/analyses/human/export.ts
 * writes; RFC 4180, columns of HUMAN_TRIAL_COLUMNS): moved here from the analyses so that the web
 * tier validates uploads with the same code the `analyse humans` CLI reads them with.
 * Errors name the line (1 = the header) and the column.
 */
import { HUMAN_TRIAL_COLUMNS, HumanTrial } from './human-trials';

/** A text cell the writer guarded against spreadsheet formulas starts with an apostrophe. */
const FORMULA_START = /^[=+\-@\t]/;

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

/** Rows checked against HumanTrial; throws naming the first bad row's line and column. */
export function validateHumanTrialsCsv(text: string): HumanTrial[] {
  const raw = parseHumanTrialsCsv(text);
  if (raw.length === 0) throw new Error('human trials CSV: the header is there but no trial rows follow');
  return raw.map((row, i) => {
    const r = HumanTrial.safeParse(row);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    const column = String(issue.path[0] ?? 'row');
    throw new Error(`human trials CSV line ${i + 2}, column ${column}: ${issue.message}`);
  });
}
