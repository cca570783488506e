/**
 * An uploaded human-trials CSV (the tidy format of docs/human-trials.md) as the human curves of the
 * generalisation analysis (issue 14 item 2): the generalisation trials pooled per (manipulation,
 * level) exactly as `analyse humans` pools them (humanGeneralisation: each included participant's
 * proportion of responses naming the original identity, averaged over participants; participants
 * below the attention-check pass rate left out), written in the curve CSV that
 * GeneralisationOptions.humanCsv reads (columns manipulation, level, probability, accuracy; for a
 * human the probability of naming the original identity is their accuracy).
 */
import { parseHumanTrialsCsv } from './export';
import { humanGeneralisation } from './generalisation';
import { trialTable } from './table';

/** Throws when the file holds no generalisation trial (nothing to draw beside the network). */
export function humanCurveCsvFromTrials(text: string, opts: { minPassRate?: number } = {}): string {
  const table = trialTable(parseHumanTrialsCsv(text), { minPassRate: opts.minPassRate ?? 0.75 });
  // the bootstrap intervals are not used here: the fewest resamples the function allows
  const g = humanGeneralisation(table, { resamples: 100, seed: 1 });
  const lines = ['manipulation,level,probability,accuracy'];
  for (const c of g.pooled) {
    c.levels.forEach((level, i) => {
      const p = c.mean[i];
      if (p !== undefined && Number.isFinite(p)) lines.push(`${c.manipulation},${level},${p},${p}`);
    });
  }
  if (lines.length === 1) throw new Error('human responses: the file holds no generalisation trial of an included participant');
  return `${lines.join('\n')}\n`;
}
