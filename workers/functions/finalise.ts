import { defineWorkerFunction } from './define';

/**
 * The last step: one result bundle (result.json) that lists every step's artifacts and summary,
 * with the configuration that produced them. The run id is left out, so two runs of the same
 * configuration produce the same bundle bytes.
 */
export const finalise = defineWorkerFunction({
  id: 'finalise',
  title: 'Finalise',
  retries: 2,
  async run(ctx) {
    const steps = Object.fromEntries(
      Object.entries(ctx.input.inputs)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([stepId, m]) => [stepId, { functionId: m.functionId, artifacts: m.artifacts, summary: m.summary }]),
    );
    const bundle = { kind: 'deeper-run-result', version: 1, config: ctx.input.config, steps };
    const ref = await ctx.putJson('result.json', bundle);
    ctx.progress(1, `result bundle: ${Object.keys(steps).length} steps`);
    return { steps: Object.keys(steps), resultKey: ref.key };
  },
});
