/**
 * The human trial table (workers/contract/human-trials.ts) as the analyses read it: validated,
 * duplicates of a (participant, trial) stored once, participants' attention checks scored.
 *
 * Exclusion rule: a participant whose attention checks are answered correctly on fewer than
 * `minPassRate` of them (default 0.75) is flagged; flagged participants are left out of every pooled
 * statistic and of prevalence, and kept in the raw table and its export. A participant without any
 * attention-check trial is not flagged (the session decides whether checks are shown).
 */
import { HumanTrial } from '../../contract';

export interface AttentionScore {
  participant: string;
  checks: number;
  passed: number;
  /** passed / checks (NaN without checks). */
  passRate: number;
  flagged: boolean;
}

export interface TrialTable {
  /** Validated rows, one per (participant, trial), sorted by participant then trial. */
  rows: HumanTrial[];
  /** Rows dropped as repeats of an earlier (participant, trial). */
  duplicates: number;
  attention: AttentionScore[];
  /** Participants that enter pooled statistics (not flagged), sorted. */
  included: string[];
}

export const DEFAULT_MIN_PASS_RATE = 0.75;

export function isCorrect(r: HumanTrial): boolean {
  return r.response === r.target;
}

/** Keeps the first row of each (participant, trial) (a resubmitted trial), sorted by participant and trial. */
export function dedupeTrials(rows: HumanTrial[]): { rows: HumanTrial[]; duplicates: number } {
  const seen = new Set<string>();
  const out: HumanTrial[] = [];
  for (const r of rows) {
    const key = `${r.participant}\u0000${r.trial}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  out.sort((a, b) => (a.participant < b.participant ? -1 : a.participant > b.participant ? 1 : a.trial - b.trial));
  return { rows: out, duplicates: rows.length - out.length };
}

export function attentionScores(rows: HumanTrial[], minPassRate = DEFAULT_MIN_PASS_RATE): AttentionScore[] {
  if (!(minPassRate >= 0 && minPassRate <= 1)) throw new Error(`minPassRate must be in [0, 1], got ${minPassRate}`);
  const by = new Map<string, { checks: number; passed: number }>();
  for (const r of rows) {
    const s = by.get(r.participant) ?? { checks: 0, passed: 0 };
    if (r.attention_check) { s.checks++; if (isCorrect(r)) s.passed++; }
    by.set(r.participant, s);
  }
  return [...by].sort(([a], [b]) => (a < b ? -1 : 1)).map(([participant, s]) => {
    const passRate = s.checks > 0 ? s.passed / s.checks : Number.NaN;
    return { participant, ...s, passRate, flagged: s.checks > 0 && passRate < minPassRate };
  });
}

/** Validates raw rows (zod; the error names the row and the field), dedupes them and scores attention. */
export function trialTable(raw: unknown[], opts: { minPassRate?: number } = {}): TrialTable {
  const parsed = raw.map((r, i) => {
    const p = HumanTrial.safeParse(r);
    if (!p.success) {
      const issue = p.error.issues[0];
      throw new Error(`human trials: row ${i + 1}: ${issue.path.join('.') || 'row'}: ${issue.message}`);
    }
    return p.data;
  });
  const { rows, duplicates } = dedupeTrials(parsed);
  const attention = attentionScores(rows, opts.minPassRate);
  return { rows, duplicates, attention, included: attention.filter((a) => !a.flagged).map((a) => a.participant) };
}

/** Rows of one participant (in trial order). */
export function participantRows(table: TrialTable, participant: string): HumanTrial[] {
  return table.rows.filter((r) => r.participant === participant);
}
