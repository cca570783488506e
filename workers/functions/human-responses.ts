import { ArtifactKey } from '../contract';
import type { StepContext } from './define';

/**
 * The human curves of the generalisation step (issue 14 item 2): the uploaded human-trials CSV the
 * configuration names (analyses.generalisation.humanResponses, resolved at launch to its content
 * key inside the run's workspace), read from the artifact store and pooled into the curve CSV that
 * GeneralisationOptions.humanCsv reads (workers/analyses/human/curve-csv.ts). undefined when none.
 */
export async function humanCurveCsv(ctx: StepContext): Promise<string | undefined> {
  const ref = ctx.input.config.analyses.generalisation.humanResponses;
  if (!ref) return undefined;
  const key = ArtifactKey.safeParse(ref);
  if (!key.success) throw new Error(`analyses.generalisation.humanResponses must be resolved at launch to the sha256 key of an uploaded human-trials CSV, got '${ref}'`);
  const { humanCurveCsvFromTrials } = await import('../analyses');
  const text = new TextDecoder('utf-8', { fatal: true }).decode(await ctx.store.get(key.data));
  return humanCurveCsvFromTrials(text);
}
